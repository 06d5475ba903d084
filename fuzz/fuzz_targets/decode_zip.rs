#![no_main]
//! Fuzzes the zip decoder (through the whole pipeline, as `x.zip`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.zip", data);
});

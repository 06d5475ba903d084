#![no_main]
//! Fuzzes the json decoder (through the whole pipeline, as `x.json`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.json", data);
});

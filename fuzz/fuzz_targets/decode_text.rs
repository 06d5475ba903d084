#![no_main]
//! Fuzzes the text decoder (through the whole pipeline, as `x.txt`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.txt", data);
});

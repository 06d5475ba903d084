#![no_main]
//! Fuzzes the csv decoder (through the whole pipeline, as `x.csv`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.csv", data);
});

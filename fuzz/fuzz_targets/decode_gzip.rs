#![no_main]
//! Fuzzes the gzip decoder (through the whole pipeline, as `x.gz`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.gz", data);
});

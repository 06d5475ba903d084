#![no_main]
//! Fuzzes the tar decoder (through the whole pipeline, as `x.tar`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.tar", data);
});

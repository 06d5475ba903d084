#![no_main]
//! Fuzzes the zstd decoder (through the whole pipeline, as `x.zst`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.zst", data);
});

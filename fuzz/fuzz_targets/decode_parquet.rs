#![no_main]
//! Fuzzes the parquet decoder (through the whole pipeline, as `x.parquet`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.parquet", data);
});

#![no_main]
//! Fuzzes the avro decoder (through the whole pipeline, as `x.avro`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.avro", data);
});

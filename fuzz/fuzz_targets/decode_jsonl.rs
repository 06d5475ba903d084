#![no_main]
//! Fuzzes the jsonl decoder (through the whole pipeline, as `x.jsonl`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::scan("x.jsonl", data);
});

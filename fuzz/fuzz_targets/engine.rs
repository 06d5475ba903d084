#![no_main]
//! Fuzzes the detector engine on raw bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3pii_fuzz::engine(data);
});

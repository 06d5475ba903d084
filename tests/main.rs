//! s3pii integration tests, built as one binary.
//!
//! - `engine`: matcher semantics on small inline detector sets (keywords, triggers,
//!   context, allow lists, fallbacks, chunk seams).
//! - `catalog`: the shipped catalog — lint, every example and negative, README table.
//! - `scaling`: 1 vs N threads and arbitrary chunk splits give identical matches.
//! - `cli`: the `s3pii identifiers` commands.
//! - `differential`: validators against python-stdnum.
//! - `formats`: every container and structured format, located like Macie.
//! - `fuzz_regressions`: inputs the fuzzers once crashed on.
//! - `bombs`: hostile inputs stay under 256 MB and end with the right reasons.
//! - `s3`: bucket scans against a local S3 server (moto), with injected faults.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout
)]

mod common;
#[path = "../benches/corpus.rs"]
mod corpus;

mod build;
mod peak;

mod bombs;
mod catalog;
mod cli;
mod differential;
mod engine;
mod formats;
mod fuzz_regressions;
mod macie_output;
mod s3;
mod scaling;
mod scan;

//! The built-in catalog: every `patterns/*.toml` file, compiled into the binary.
//!
//! A test checks that this list and the files on disk are the same, so a new file cannot
//! be forgotten.

/// `(file name, contents)` of every built-in detector file, in load order.
pub(crate) const FILES: &[(&str, &str)] = &[];

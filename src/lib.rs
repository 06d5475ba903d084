//! # s3pii
//!
//! Finds personal data in Amazon S3 objects and reports it in Amazon Macie's own JSON.
//!
//! This crate is the library core; the `s3pii` binary is a thin frontend. The detector
//! engine works on bytes: a [`DetectorSet`] (compiled once from the catalog in `patterns/`
//! plus custom data identifiers) and a per-thread [`Matcher`] that returns [`Match`]es —
//! a detector and a byte span, never the matched bytes.
//!
//! ```
//! use s3pii::{DetectorSet, Matcher};
//!
//! let set = DetectorSet::builtin()?;
//! let mut matcher = Matcher::new(&set);
//! let hay = b"contact: jane.doe+news@example.org";
//! let found = matcher.scan(hay);
//! let email = set.find("EMAIL_ADDRESS").expect("built-in");
//! assert!(found.iter().any(|m| m.detector == email && &hay[m.start..m.end] == b"jane.doe+news@example.org"));
//! # Ok::<(), s3pii::LoadError>(())
//! ```
#![deny(missing_docs)]

mod allow;
mod bytemask;
pub mod checkpoint;
pub mod decode;
pub mod detector;
mod error;
pub mod location;
mod matcher;
pub mod object;
pub mod report;
pub mod scan;
pub mod source;

pub use allow::AllowList;
pub use detector::{
    Category, ContextKeywords, CustomIdentifierSpec, Detector, DetectorId, DetectorSet, Selection,
    Severity, Trigger, Validator,
};
pub use error::LoadError;
pub use matcher::{scan_parallel, verify_match, Match, Matcher, ScanOptions, SEGMENT_GAP};

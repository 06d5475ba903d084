//! Error types of the library.
//!
//! `LoadError` is fatal: a detector file, custom identifier or allow list that does not
//! load is bad configuration, and every variant names the file, detector and field to fix.
//! Errors never carry scanned content: at most a detector id, a file name or a field name.

use std::path::PathBuf;

/// Why a detector catalog, custom data identifier or allow list could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The TOML or JSON of a detector file does not parse (unknown field, wrong type, ...).
    #[error("{source_name}: {message}")]
    Parse {
        /// File (or built-in file) the text came from.
        source_name: String,
        /// What the parser said.
        message: String,
    },
    /// A field of a detector or custom identifier is invalid.
    #[error("{source_name}: detector `{id}`: field `{field}`: {message}")]
    Field {
        /// File (or built-in file) the detector came from.
        source_name: String,
        /// Detector id (or custom identifier name).
        id: String,
        /// The offending field, as spelled in the file.
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Two detectors share one id.
    #[error("detector id `{id}` is defined twice ({first} and {second}); ids must be unique")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first defined.
        first: String,
        /// Where it was defined again.
        second: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An identifier selection names an id that does not exist.
    #[error("unknown identifier `{0}` (see `s3pii identifiers list`)")]
    UnknownIdentifier(String),
}

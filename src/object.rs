//! Object identity and metadata: what a source lists and a report names.
//!
//! An `ObjectInfo` carries only metadata (bucket, key, size, ETag, times, storage class),
//! never content.

use std::time::SystemTime;

/// One object (an S3 object, or a local file presented like one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Bucket name (`local` for local files).
    pub bucket: String,
    /// Key (for local files: the path relative to the scanned root, `/`-separated).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag without quotes (for local files: the MD5 of the content, as S3 gives for a
    /// single-part upload); filled after reading when not known up front.
    pub etag: Option<String>,
    /// Version id, if versioned.
    pub version_id: Option<String>,
    /// Last modification time.
    pub last_modified: Option<SystemTime>,
    /// Storage class (`STANDARD` for local files).
    pub storage_class: Option<String>,
}

impl ObjectInfo {
    /// The key's extension without the dot, lower case; `""` if none (Macie's
    /// `s3Object.extension`).
    pub fn extension(&self) -> String {
        crate::decode::extension_of(&self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_like_macie() {
        let o = |key: &str| ObjectInfo {
            bucket: "b".into(),
            key: key.into(),
            size: 0,
            etag: None,
            version_id: None,
            last_modified: None,
            storage_class: None,
        };
        assert_eq!(o("a/b/data.CSV").extension(), "csv");
        assert_eq!(o("a/b.d/README").extension(), "");
        assert_eq!(o(".bashrc").extension(), "");
        assert_eq!(o("x.tar.gz").extension(), "gz");
    }
}

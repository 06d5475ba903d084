//! Object identity and metadata: what a source lists and a report names.
//!
//! An `ObjectInfo` carries only metadata (bucket, key, size, ETag, times, storage class,
//! encryption, tags and its bucket's security posture), never content.

use std::sync::Arc;
use std::time::SystemTime;

/// One object (an S3 object, or a local file presented like one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Server-side encryption, as the GET response reported it (`None`: not known).
    pub encryption: Option<Encryption>,
    /// Object tags (`None`: not read or not readable).
    pub tags: Option<Vec<Tag>>,
    /// The bucket's security posture, read once per bucket (`None` for local files).
    pub posture: Option<Arc<BucketPosture>>,
}

/// Server-side encryption of an object or a bucket's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    /// Macie's `encryptionType`: `NONE`, `AES256`, `aws:kms`, `aws:kms:dsse` or `UNKNOWN`.
    pub kind: String,
    /// The KMS key, for `aws:kms` and `aws:kms:dsse`.
    pub kms_key_id: Option<String>,
}

impl Encryption {
    /// Macie's value when the encryption could not be read.
    pub fn unknown() -> Encryption {
        Encryption {
            kind: "UNKNOWN".into(),
            kms_key_id: None,
        }
    }
}

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// The four S3 Block Public Access switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockPublicAccess {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

/// Whether a grant set (an ACL or a bucket policy) lets anyone read or write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicGrants {
    /// Anyone may read.
    pub read: bool,
    /// Anyone may write.
    pub write: bool,
}

/// What Macie reports in `resourcesAffected.s3Bucket`, read once per bucket. Each
/// `None` is a value that could not be read (missing permission, unsupported by the
/// store) and becomes Macie's `UNKNOWN` or is left out, never a failed scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketPosture {
    /// The bucket's region.
    pub region: Option<String>,
    /// Creation time.
    pub created_at: Option<SystemTime>,
    /// Owner display name (often absent on S3 since 2025).
    pub owner_name: Option<String>,
    /// Owner canonical id.
    pub owner_id: Option<String>,
    /// Default encryption (`NONE` when the bucket has none).
    pub default_encryption: Option<Encryption>,
    /// Whether the bucket policy lets objects be uploaded without encryption.
    pub allows_unencrypted_uploads: Option<bool>,
    /// Account-level Block Public Access (all off when the account has none).
    pub account_block: Option<BlockPublicAccess>,
    /// Bucket-level Block Public Access (all off when the bucket has none).
    pub bucket_block: Option<BlockPublicAccess>,
    /// Public grants in the bucket ACL.
    pub acl: Option<PublicGrants>,
    /// Public grants in the bucket policy (none when the bucket has no policy).
    pub policy: Option<PublicGrants>,
    /// Bucket tags (empty when the bucket has none).
    pub tags: Option<Vec<Tag>>,
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
            ..ObjectInfo::default()
        };
        assert_eq!(o("a/b/data.CSV").extension(), "csv");
        assert_eq!(o("a/b.d/README").extension(), "");
        assert_eq!(o(".bashrc").extension(), "");
        assert_eq!(o("x.tar.gz").extension(), "gz");
    }
}

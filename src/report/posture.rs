//! STUB (lead) — replaced by the helper's module.
#![allow(missing_docs, unused)]
use crate::object::BucketPosture;
use crate::report::macie::S3Bucket;
pub fn s3_bucket(name: &str, posture: Option<&BucketPosture>) -> S3Bucket {
    S3Bucket {
        arn: format!("arn:aws:s3:::{name}"),
        name: name.into(),
        ..S3Bucket::default()
    }
}

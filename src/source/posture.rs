//! STUB (lead) — replaced by the helper's module.
#![allow(missing_docs, unused)]
use crate::object::BucketPosture;
pub async fn read_posture(
    s3: &aws_sdk_s3::Client,
    control: Option<&aws_sdk_s3control::Client>,
    account_id: Option<&str>,
    bucket: &str,
    region: Option<&str>,
) -> BucketPosture {
    BucketPosture::default()
}
pub fn effective_permission(p: &BucketPosture) -> &'static str {
    "UNKNOWN"
}

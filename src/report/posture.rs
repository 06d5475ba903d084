//! Macie's `resourcesAffected.s3Bucket` from a bucket's posture: what was read is
//! reported, what could not be read is `UNKNOWN` or left out (macie.md §1.5).

use serde_json::{json, Value};

use super::macie::{BucketPublicAccess, KeyValue, Owner, S3Bucket, ServerSideEncryption};
use super::timestamp;
use crate::object::{BlockPublicAccess, BucketPosture, PublicGrants};
use crate::source::posture::effective_permission;

fn block(b: &BlockPublicAccess) -> Value {
    json!({
        "blockPublicAcls": b.block_public_acls,
        "blockPublicPolicy": b.block_public_policy,
        "ignorePublicAcls": b.ignore_public_acls,
        "restrictPublicBuckets": b.restrict_public_buckets,
    })
}

fn grants(g: &PublicGrants) -> Value {
    json!({ "allowsPublicReadAccess": g.read, "allowsPublicWriteAccess": g.write })
}

/// The `s3Bucket` record; with no posture (local files, `--no-bucket-posture`) just the
/// name and ARN.
pub fn s3_bucket(name: &str, posture: Option<&BucketPosture>) -> S3Bucket {
    let arn = format!("arn:aws:s3:::{name}");
    let Some(p) = posture else {
        return S3Bucket {
            arn,
            name: name.into(),
            ..S3Bucket::default()
        };
    };
    let mut bucket_level = serde_json::Map::new();
    if let Some(acl) = &p.acl {
        bucket_level.insert("accessControlList".into(), grants(acl));
    }
    if let Some(b) = &p.bucket_block {
        bucket_level.insert("blockPublicAccess".into(), block(b));
    }
    if let Some(policy) = &p.policy {
        bucket_level.insert("bucketPolicy".into(), grants(policy));
    }
    let mut configuration = serde_json::Map::new();
    if let Some(b) = &p.account_block {
        configuration.insert(
            "accountLevelPermissions".into(),
            json!({ "blockPublicAccess": block(b) }),
        );
    }
    configuration.insert("bucketLevelPermissions".into(), Value::Object(bucket_level));
    let encryption = p
        .default_encryption
        .clone()
        .unwrap_or_else(crate::object::Encryption::unknown);
    S3Bucket {
        allows_unencrypted_object_uploads: Some(
            match p.allows_unencrypted_uploads {
                Some(true) => "TRUE",
                Some(false) => "FALSE",
                None => "UNKNOWN",
            }
            .into(),
        ),
        arn,
        created_at: p.created_at.map(timestamp),
        default_server_side_encryption: Some(ServerSideEncryption {
            encryption_type: encryption.kind,
            kms_master_key_id: encryption.kms_key_id,
        }),
        name: name.into(),
        owner: (p.owner_id.is_some() || p.owner_name.is_some()).then(|| Owner {
            display_name: p.owner_name.clone(),
            id: p.owner_id.clone(),
        }),
        public_access: Some(BucketPublicAccess {
            effective_permission: effective_permission(p).into(),
            permission_configuration: Some(Value::Object(configuration)),
        }),
        tags: p.tags.as_ref().map(|tags| {
            tags.iter()
                .map(|t| KeyValue {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{Encryption, Tag};

    #[test]
    fn macie_shape_with_unknowns() {
        let p = BucketPosture {
            default_encryption: Some(Encryption {
                kind: "aws:kms".into(),
                kms_key_id: Some("k".into()),
            }),
            allows_unencrypted_uploads: None,
            bucket_block: Some(BlockPublicAccess {
                block_public_acls: true,
                ..BlockPublicAccess::default()
            }),
            policy: Some(PublicGrants::default()),
            tags: Some(vec![Tag {
                key: "team".into(),
                value: "data".into(),
            }]),
            owner_id: Some("abc".into()),
            ..BucketPosture::default()
        };
        let v = serde_json::to_value(s3_bucket("b", Some(&p))).unwrap();
        assert_eq!(v["arn"], "arn:aws:s3:::b");
        assert_eq!(v["allowsUnencryptedObjectUploads"], "UNKNOWN");
        assert_eq!(
            v["defaultServerSideEncryption"]["encryptionType"],
            "aws:kms"
        );
        assert_eq!(v["owner"]["id"], "abc");
        assert_eq!(v["tags"][0]["key"], "team");
        let pa = &v["publicAccess"];
        assert_eq!(
            pa["effectivePermission"], "UNKNOWN",
            "ACL and account level unknown"
        );
        let bucket = &pa["permissionConfiguration"]["bucketLevelPermissions"];
        assert_eq!(bucket["blockPublicAccess"]["blockPublicAcls"], true);
        assert_eq!(bucket["bucketPolicy"]["allowsPublicReadAccess"], false);
        assert!(bucket.get("accessControlList").is_none());
        assert!(pa["permissionConfiguration"]
            .get("accountLevelPermissions")
            .is_none());
        let local = serde_json::to_value(s3_bucket("local", None)).unwrap();
        assert_eq!(local, json!({"arn": "arn:aws:s3:::local", "name": "local"}));
    }
}

//! A bucket's security posture for Macie's `resourcesAffected.s3Bucket`, read once per
//! bucket: default encryption, Block Public Access (bucket and account), bucket policy,
//! ACL, tags, owner, creation date and region. Every read that fails (no permission, a
//! store without the API) leaves its field unknown and never fails the scan; the
//! judgments Macie makes from the answers (public or not, encryption required or not)
//! are pure functions here.

use std::time::SystemTime;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::Client;
use serde_json::Value;

use crate::object::{BlockPublicAccess, BucketPosture, Encryption, PublicGrants, Tag};

/// The ACL groups that make a grant public.
const PUBLIC_GROUPS: &[&str] = &[
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/// Reads `bucket`'s posture; `control` and `account_id` give the account-level Block
/// Public Access settings.
pub async fn read_posture(
    s3: &Client,
    control: Option<&aws_sdk_s3control::Client>,
    account_id: Option<&str>,
    bucket: &str,
    region: Option<&str>,
) -> BucketPosture {
    let (encryption, block, account_block, policy, acl, tags, created) = tokio::join!(
        default_encryption(s3, bucket),
        bucket_block(s3, bucket),
        account_block(control, account_id),
        s3.get_bucket_policy().bucket(bucket).send(),
        s3.get_bucket_acl().bucket(bucket).send(),
        bucket_tags(s3, bucket),
        created_at(s3, bucket),
    );
    let (policy_grants, allows_unencrypted_uploads) = match &policy {
        Ok(out) => match out.policy() {
            Some(doc) => (
                policy_grants(doc),
                requires_encryption(doc).map(|required| !required),
            ),
            None => (Some(PublicGrants::default()), Some(true)),
        },
        // No policy: nothing public through it, nothing requiring encryption.
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => {
            (Some(PublicGrants::default()), Some(true))
        }
        Err(_) => (None, None),
    };
    let (acl_grants, owner_name, owner_id) = match &acl {
        Ok(out) => {
            let mut grants = PublicGrants::default();
            for g in out.grants() {
                let public = g
                    .grantee()
                    .and_then(|g| g.uri())
                    .is_some_and(|uri| PUBLIC_GROUPS.contains(&uri));
                if !public {
                    continue;
                }
                match g.permission().map(|p| p.as_str()) {
                    Some("READ") => grants.read = true,
                    Some("WRITE") => grants.write = true,
                    Some("FULL_CONTROL") => {
                        grants.read = true;
                        grants.write = true;
                    }
                    _ => {}
                }
            }
            let owner = out.owner();
            (
                Some(grants),
                owner.and_then(|o| o.display_name()).map(str::to_string),
                owner.and_then(|o| o.id()).map(str::to_string),
            )
        }
        Err(_) => (None, None, None),
    };
    BucketPosture {
        region: region.map(str::to_string),
        created_at: created,
        owner_name,
        owner_id,
        default_encryption: encryption,
        allows_unencrypted_uploads,
        account_block,
        bucket_block: block,
        acl: acl_grants,
        policy: policy_grants,
        tags,
    }
}

async fn default_encryption(s3: &Client, bucket: &str) -> Option<Encryption> {
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => {
            let rule = out
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default());
            Some(match rule {
                Some(r) => Encryption {
                    kind: r.sse_algorithm().as_str().to_string(),
                    kms_key_id: r.kms_master_key_id().map(str::to_string),
                },
                None => none_encryption(),
            })
        }
        Err(e) if e.code() == Some("ServerSideEncryptionConfigurationNotFoundError") => {
            Some(none_encryption())
        }
        Err(_) => None,
    }
}

fn none_encryption() -> Encryption {
    Encryption {
        kind: "NONE".into(),
        kms_key_id: None,
    }
}

/// Block Public Access from a `PublicAccessBlockConfiguration` of either SDK (S3 and S3
/// Control each have that type, with the same four optional switches; absent means off).
macro_rules! switches {
    ($c:expr) => {
        BlockPublicAccess {
            block_public_acls: $c.block_public_acls().unwrap_or(false),
            block_public_policy: $c.block_public_policy().unwrap_or(false),
            ignore_public_acls: $c.ignore_public_acls().unwrap_or(false),
            restrict_public_buckets: $c.restrict_public_buckets().unwrap_or(false),
        }
    };
}

/// A GetPublicAccessBlock answer (S3 or S3 Control): no configuration means all off; any
/// other error means unknown.
fn block_answer<T, E: ProvideErrorMetadata>(
    answer: Result<T, E>,
    read: impl FnOnce(T) -> Option<BlockPublicAccess>,
) -> Option<BlockPublicAccess> {
    match answer {
        Ok(out) => Some(read(out).unwrap_or_default()),
        Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => {
            Some(BlockPublicAccess::default())
        }
        Err(_) => None,
    }
}

async fn bucket_block(s3: &Client, bucket: &str) -> Option<BlockPublicAccess> {
    let answer = s3.get_public_access_block().bucket(bucket).send().await;
    block_answer(answer, |out| {
        out.public_access_block_configuration()
            .map(|c| switches!(c))
    })
}

async fn account_block(
    control: Option<&aws_sdk_s3control::Client>,
    account_id: Option<&str>,
) -> Option<BlockPublicAccess> {
    let (control, account) = (control?, account_id?);
    let answer = control
        .get_public_access_block()
        .account_id(account)
        .send()
        .await;
    block_answer(answer, |out| {
        out.public_access_block_configuration()
            .map(|c| switches!(c))
    })
}

/// Tags as S3 returns them.
pub fn tags(set: &[aws_sdk_s3::types::Tag]) -> Vec<Tag> {
    set.iter()
        .map(|t| Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

async fn bucket_tags(s3: &Client, bucket: &str) -> Option<Vec<Tag>> {
    match s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Some(tags(out.tag_set())),
        Err(e) if e.code() == Some("NoSuchTagSet") => Some(Vec::new()),
        Err(_) => None,
    }
}

/// The creation date, from ListBuckets (the only API that has it).
async fn created_at(s3: &Client, bucket: &str) -> Option<SystemTime> {
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let out = s3
            .list_buckets()
            .prefix(bucket)
            .set_continuation_token(token.clone())
            .send()
            .await
            .ok()?;
        if let Some(b) = out.buckets().iter().find(|b| b.name() == Some(bucket)) {
            return b
                .creation_date()
                .and_then(|d| SystemTime::try_from(*d).ok());
        }
        token = out.continuation_token().map(str::to_string);
        token.as_ref()?;
    }
    None
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn statements(policy: &str) -> Option<Vec<Value>> {
    let doc: Value = serde_json::from_str(policy).ok()?;
    Some(
        as_list(doc.get("Statement")?)
            .into_iter()
            .cloned()
            .collect(),
    )
}

fn actions(statement: &Value) -> Vec<String> {
    statement
        .get("Action")
        .map(as_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.as_str().map(str::to_ascii_lowercase))
        .collect()
}

fn covers(actions: &[String], wanted: &[&str]) -> bool {
    actions.iter().any(|a| wanted.contains(&a.as_str()))
}

/// Whether the principal is everyone (`"*"` or `{"AWS": "*"}`).
fn anyone(statement: &Value) -> bool {
    match statement.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(o)) => o
            .get("AWS")
            .map(as_list)
            .unwrap_or_default()
            .iter()
            .any(|p| p.as_str() == Some("*")),
        _ => false,
    }
}

/// Public grants in a bucket policy: an unconditional `Allow` to everyone of a read
/// (`s3:GetObject`, `s3:Get*`, `s3:ListBucket`, `s3:*`, `*`) or write (`s3:PutObject`,
/// `s3:Put*`, `s3:DeleteObject`, `s3:*`, `*`) action. `None` when it does not parse.
pub fn policy_grants(policy: &str) -> Option<PublicGrants> {
    let mut grants = PublicGrants::default();
    for s in statements(policy)? {
        let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
        if !allow || !anyone(&s) || s.get("Condition").is_some() {
            continue;
        }
        let a = actions(&s);
        grants.read |= covers(
            &a,
            &["s3:getobject", "s3:get*", "s3:listbucket", "s3:*", "*"],
        );
        grants.write |= covers(
            &a,
            &["s3:putobject", "s3:put*", "s3:deleteobject", "s3:*", "*"],
        );
    }
    Some(grants)
}

/// Whether the policy denies uploads without server-side encryption (a `Deny` of
/// `s3:PutObject` conditioned on `s3:x-amz-server-side-encryption`). `None` when it does
/// not parse.
pub fn requires_encryption(policy: &str) -> Option<bool> {
    Some(statements(policy)?.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && covers(&actions(s), &["s3:putobject", "s3:put*", "s3:*", "*"])
            && s.get("Condition").is_some_and(|c| {
                c.as_object().is_some_and(|ops| {
                    ops.values().any(|keys| {
                        keys.as_object().is_some_and(|k| {
                            k.keys().any(|key| {
                                key.eq_ignore_ascii_case("s3:x-amz-server-side-encryption")
                            })
                        })
                    })
                })
            })
    }))
}

/// Macie's `effectivePermission`: `PUBLIC`, `NOT_PUBLIC` or `UNKNOWN`.
pub fn effective_permission(p: &BucketPosture) -> &'static str {
    // A switch counts when either level has it on; unknown levels cannot switch it on.
    let either = |f: fn(&BlockPublicAccess) -> bool| {
        p.account_block.as_ref().is_some_and(f) || p.bucket_block.as_ref().is_some_and(f)
    };
    let blocks_known = p.account_block.is_some() && p.bucket_block.is_some();
    let acls_ignored = either(|b| b.ignore_public_acls);
    let policy_restricted = either(|b| b.restrict_public_buckets);
    let public = |g: &Option<PublicGrants>| g.map(|g| g.read || g.write);
    if public(&p.policy) == Some(true) && !policy_restricted {
        return if blocks_known { "PUBLIC" } else { "UNKNOWN" };
    }
    if public(&p.acl) == Some(true) && !acls_ignored {
        return if blocks_known { "PUBLIC" } else { "UNKNOWN" };
    }
    let policy_settled = p.policy.is_some() || policy_restricted;
    let acl_settled = p.acl.is_some() || acls_ignored;
    if policy_settled && acl_settled {
        "NOT_PUBLIC"
    } else {
        "UNKNOWN"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_open_to_everyone_are_public() {
        let read = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert_eq!(
            policy_grants(read),
            Some(PublicGrants {
                read: true,
                write: false
            })
        );
        let write = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["S3:PutObject"]}}"#;
        assert_eq!(
            policy_grants(write),
            Some(PublicGrants {
                read: false,
                write: true
            })
        );
        let conditioned = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
        assert_eq!(policy_grants(conditioned), Some(PublicGrants::default()));
        let named = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"*"}]}"#;
        assert_eq!(policy_grants(named), Some(PublicGrants::default()));
        assert_eq!(policy_grants("not json"), None);
    }

    #[test]
    fn encryption_required_by_a_deny_on_the_sse_header() {
        let deny = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}"#;
        assert_eq!(requires_encryption(deny), Some(true));
        let null = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:PutObject"],"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#;
        assert_eq!(requires_encryption(null), Some(true));
        let tls = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        assert_eq!(requires_encryption(tls), Some(false));
    }

    #[test]
    fn effective_permission_follows_block_public_access() {
        let open = PublicGrants {
            read: true,
            write: false,
        };
        let mut p = BucketPosture {
            account_block: Some(BlockPublicAccess::default()),
            bucket_block: Some(BlockPublicAccess::default()),
            acl: Some(PublicGrants::default()),
            policy: Some(open),
            ..BucketPosture::default()
        };
        assert_eq!(effective_permission(&p), "PUBLIC");
        p.account_block = Some(BlockPublicAccess {
            restrict_public_buckets: true,
            ..BlockPublicAccess::default()
        });
        assert_eq!(effective_permission(&p), "NOT_PUBLIC");
        p.policy = Some(PublicGrants::default());
        p.acl = Some(open);
        assert_eq!(effective_permission(&p), "PUBLIC");
        p.bucket_block = Some(BlockPublicAccess {
            ignore_public_acls: true,
            ..BlockPublicAccess::default()
        });
        assert_eq!(effective_permission(&p), "NOT_PUBLIC");
        // Nothing readable: unknown, not "not public".
        assert_eq!(effective_permission(&BucketPosture::default()), "UNKNOWN");
        // Both switches on at one level settle it without reading policy or ACL.
        let locked = BucketPosture {
            bucket_block: Some(BlockPublicAccess {
                ignore_public_acls: true,
                restrict_public_buckets: true,
                ..BlockPublicAccess::default()
            }),
            ..BucketPosture::default()
        };
        assert_eq!(effective_permission(&locked), "NOT_PUBLIC");
    }
}

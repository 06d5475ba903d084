//! Amazon Macie's JSON, as serde types: the GetFindings `Finding`, its EventBridge
//! envelope, and the sensitive data discovery result record (the same shape with 64-bit
//! numbers as strings and all four occurrence arrays present).
//!
//! Field names and nesting follow botocore's `macie2` service model and the verbatim
//! samples in `shared/reference/macie-examples/`; every type rejects unknown fields so a
//! sample that does not fit fails loudly in the compatibility tests. Numbers accept both
//! JSON integers (findings) and strings (discovery results).

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A 64-bit count or index: an integer in findings, a string in discovery results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Num(pub u64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Int(u64),
            Str(String),
        }
        match Either::deserialize(d)? {
            Either::Int(n) => Ok(Num(n)),
            Either::Str(s) => s.parse().map(Num).map_err(de::Error::custom),
        }
    }
}

impl From<u64> for Num {
    fn from(n: u64) -> Num {
        Num(n)
    }
}

/// A sensitive data finding (GetFindings `Finding`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Finding {
    /// Always `"1.0"`.
    pub schema_version: String,
    /// Finding id (32 lower-case hex characters).
    pub id: String,
    /// Account the finding applies to.
    pub account_id: String,
    /// AWS partition (`aws`).
    pub partition: String,
    /// Region.
    pub region: String,
    /// `SensitiveData:S3Object/{Personal,Financial,Credentials,CustomIdentifier,Multiple}`.
    #[serde(rename = "type")]
    pub finding_type: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Severity.
    pub severity: FindingSeverity,
    /// Creation time (ISO 8601, UTC).
    pub created_at: String,
    /// Same as `createdAt` for sensitive data findings (absent in discovery results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The bucket and object.
    pub resources_affected: ResourcesAffected,
    /// Always `CLASSIFICATION`.
    pub category: String,
    /// The classification result.
    pub classification_details: ClassificationDetails,
    /// Always 1 for sensitive data findings (absent in discovery results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Num>,
    /// Whether suppressed (absent in discovery results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Whether a sample finding (absent in discovery results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<bool>,
    /// Null for sensitive data findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_details: Option<Value>,
}

/// Finding severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingSeverity {
    /// `Low`, `Medium` or `High`.
    pub description: String,
    /// 1, 2 or 3.
    pub score: Num,
}

/// `classificationDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassificationDetails {
    /// Where the discovery result is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_results_location: Option<String>,
    /// Job ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_arn: Option<String>,
    /// Job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// `SENSITIVE_DATA_DISCOVERY_JOB` or `AUTOMATED_SENSITIVE_DATA_DISCOVERY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_type: Option<String>,
    /// The result.
    pub result: ClassificationResult,
}

/// `classificationDetails.result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassificationResult {
    /// Status and reason.
    pub status: ClassificationStatus,
    /// Bytes analysed.
    pub size_classified: Num,
    /// MIME type of the object.
    pub mime_type: String,
    /// Managed identifier detections, by category.
    pub sensitive_data: Vec<SensitiveDataItem>,
    /// Custom identifier detections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data_identifiers: Option<CustomDataIdentifiers>,
    /// Whether more occurrences exist than the finding lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_occurrences: Option<bool>,
}

/// `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassificationStatus {
    /// `COMPLETE`, `PARTIAL` or `SKIPPED`.
    pub code: String,
    /// Macie's reason string; null when complete.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One category of managed identifier detections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SensitiveDataItem {
    /// `PERSONAL_INFORMATION`, `FINANCIAL_INFORMATION`, `CREDENTIALS`.
    pub category: String,
    /// Sum of the detections' counts.
    #[serde(default)]
    pub total_count: Num,
    /// Detections.
    pub detections: Vec<Detection>,
}

/// One managed identifier's detections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Detection {
    /// The managed data identifier id.
    #[serde(rename = "type")]
    pub detection_type: String,
    /// Occurrences found.
    pub count: Num,
    /// Where (capped: 15 in findings, 1,000 in discovery results).
    #[serde(default)]
    pub occurrences: Occurrences,
    /// s3pii extension, only with `--reveal-samples`: masked samples (first and last
    /// character), like Macie's reveal feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_samples: Option<Vec<String>>,
}

/// Custom identifier detections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomDataIdentifiers {
    /// Sum of the detections' counts.
    pub total_count: Num,
    /// Detections.
    pub detections: Vec<CustomDetection>,
}

/// One custom identifier's detections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomDetection {
    /// The custom identifier's id (Macie puts the id, not an ARN, here).
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Occurrences found.
    pub count: Num,
    /// Where.
    #[serde(default)]
    pub occurrences: Occurrences,
    /// s3pii extension, only with `--reveal-samples`: masked samples (first and last
    /// character), like Macie's reveal feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_samples: Option<Vec<String>>,
}

/// Where occurrences are: one array per location kind. Findings omit empty arrays;
/// discovery results carry `lineRanges`, `pages`, `records` and `cells`, empty as `[]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Occurrences {
    /// Text lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_ranges: Option<Vec<LineRange>>,
    /// Reserved by Macie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ranges: Option<Vec<Value>>,
    /// PDF pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<Vec<Page>>,
    /// Avro, Parquet, JSON and JSON Lines records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<Record>>,
    /// CSV, TSV and spreadsheet cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<Cell>>,
}

/// 1-based inclusive line range and 1-based start column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineRange {
    /// First line.
    pub start: Num,
    /// Last line.
    pub end: Num,
    /// Column of the first character on the first line.
    pub start_column: Num,
}

/// A PDF page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Page {
    /// 1-based page number.
    pub page_number: Num,
    /// Reserved by Macie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_range: Option<Value>,
    /// Reserved by Macie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_range: Option<Value>,
}

/// A record and the JSON path of the field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    /// 0-based record index (always 0 for JSON).
    pub record_index: Num,
    /// JSONPath of the field; absent when the data is in a path element's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
}

/// A cell: 1-based row (the CSV header is row 1) and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cell {
    /// Row.
    pub row: Num,
    /// Column.
    pub column: Num,
    /// Column name (CSV header).
    #[serde(default)]
    pub column_name: String,
    /// Excel reference (`Sheet2!C5`); null for CSV/TSV.
    #[serde(default)]
    pub cell_reference: Option<String>,
}

/// `resourcesAffected`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourcesAffected {
    /// The bucket.
    pub s3_bucket: S3Bucket,
    /// The object.
    pub s3_object: S3Object,
}

/// `s3Bucket`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Bucket {
    /// `TRUE`, `FALSE` or `UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_unencrypted_object_uploads: Option<String>,
    /// Bucket ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Default encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_server_side_encryption: Option<ServerSideEncryption>,
    /// Bucket name.
    pub name: String,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Public access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access: Option<BucketPublicAccess>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<KeyValue>>,
}

/// `serverSideEncryption` / `defaultServerSideEncryption`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerSideEncryption {
    /// `NONE`, `AES256`, `aws:kms`, `aws:kms:dsse` or `UNKNOWN`.
    pub encryption_type: String,
    /// KMS key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
}

/// Bucket owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Owner {
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Canonical id.
    #[serde(default)]
    pub id: Option<String>,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyValue {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Bucket `publicAccess`: kept as JSON (the nested permission shapes are passed through
/// from S3's answers unchanged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketPublicAccess {
    /// `PUBLIC`, `NOT_PUBLIC` or `UNKNOWN`.
    pub effective_permission: String,
    /// Account and bucket level settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_configuration: Option<Value>,
}

/// `s3Object`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Object {
    /// Bucket ARN.
    pub bucket_arn: String,
    /// Key.
    pub key: String,
    /// `bucket/key`.
    pub path: String,
    /// File extension without the dot, `""` if none.
    pub extension: String,
    /// Last modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// ETag without quotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    /// Version id (`""` when unversioned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Object encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_encryption: Option<ServerSideEncryption>,
    /// Size in bytes.
    pub size: Num,
    /// Storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<KeyValue>>,
    /// Whether public (null when unknown).
    #[serde(default)]
    pub public_access: Option<bool>,
    /// For a file inside an archive (discovery results only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded_file_details: Option<EmbeddedFileDetails>,
}

/// A file extracted from an archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmbeddedFileDetails {
    /// Path inside the archive.
    pub file_path: String,
    /// Extension.
    pub file_extension: String,
    /// Uncompressed size.
    pub file_size: Num,
    /// Modification time recorded in the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_last_modified: Option<String>,
}

/// Macie's EventBridge event around a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridgeEvent {
    /// `"0"`.
    pub version: String,
    /// Event id.
    pub id: String,
    /// `Macie Finding`.
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// `aws.macie`.
    pub source: String,
    /// Account.
    pub account: String,
    /// Event time.
    pub time: String,
    /// Region.
    pub region: String,
    /// Always empty.
    pub resources: Vec<String>,
    /// The finding.
    pub detail: Finding,
}

/// Turns a finding-shaped record into a discovery result line: every number becomes a
/// string, finding-only fields go, null `reason` / `cellReference` go, and every
/// occurrence object carries `lineRanges`, `pages`, `records` and `cells`.
pub fn to_result_value(finding: &Finding) -> Result<Value, serde_json::Error> {
    let mut v = serde_json::to_value(finding)?;
    if let Value::Object(top) = &mut v {
        for k in ["count", "archived", "sample", "updatedAt", "policyDetails"] {
            top.remove(k);
        }
        // An object without sensitive data has no finding type or severity (Macie's own
        // values for such records are undocumented): those keys are left out.
        if top.get("type").is_some_and(|t| t == "") {
            for k in ["type", "title", "description", "severity"] {
                top.remove(k);
            }
        }
    }
    result_shape(&mut v);
    Ok(v)
}

fn result_shape(v: &mut Value) {
    match v {
        Value::Number(n) => *v = Value::String(n.to_string()),
        Value::Array(items) => items.iter_mut().for_each(result_shape),
        Value::Object(map) => {
            map.remove("additionalOccurrences");
            if map.get("reason").is_some_and(Value::is_null) {
                map.remove("reason");
            }
            if map.get("cellReference").is_some_and(Value::is_null) {
                map.remove("cellReference");
            }
            if map.contains_key("occurrences") {
                if let Some(Value::Object(occ)) = map.get_mut("occurrences") {
                    for k in ["lineRanges", "pages", "records", "cells"] {
                        occ.entry(k).or_insert_with(|| Value::Array(Vec::new()));
                    }
                }
            }
            map.values_mut().for_each(result_shape);
        }
        _ => {}
    }
}

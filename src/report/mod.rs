//! Reports: what a scan found in one object ([`ObjectReport`]) and how it becomes Macie's
//! JSON — a `Finding` for objects with sensitive data, a discovery result record for every
//! object (`macie.rs` holds the serde types).
//!
//! Macie's rules applied here (macie.md §1–3): per detection at most 15 locations in a
//! finding and `max_occurrences` (1,000) in a result, in document order; finding type from
//! the categories present (`Multiple` for more than one, custom identifiers counting as a
//! category); severity the maximum over detections of the 1 / 2–99 / ≥ 100 table, custom
//! identifiers by their `severityLevels` (below the lowest threshold: no finding). Reports
//! carry counts and locations, never matched text.

pub mod macie;
pub mod posture;
pub mod s3out;

use std::time::SystemTime;

use md5::{Digest, Md5};

use crate::detector::{Category, DetectorId, DetectorSet, Severity};
use crate::location::Location;
use crate::object::ObjectInfo;
use macie::{
    ClassificationDetails, ClassificationResult, ClassificationStatus, CustomDataIdentifiers,
    CustomDetection, Detection, EmbeddedFileDetails, Finding, FindingSeverity, KeyValue,
    Occurrences, ResourcesAffected, S3Object, SensitiveDataItem, ServerSideEncryption,
};

/// Macie's locations per detection in a finding.
pub const FINDING_OCCURRENCES: usize = 15;

/// Macie's status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusCode {
    /// Fully analysed.
    Complete,
    /// Partly analysed (see the reason).
    Partial,
    /// Not analysed (see the reason).
    Skipped,
}

impl StatusCode {
    /// Macie's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Complete => "COMPLETE",
            StatusCode::Partial => "PARTIAL",
            StatusCode::Skipped => "SKIPPED",
        }
    }
}

/// Macie's documented `status.reason` strings (macie.md §2.4) that s3pii reports.
pub mod reason {
    /// Binary or otherwise unsupported content.
    pub const UNSUPPORTED_FILE_TYPE: &str = "UNSUPPORTED_FILE_TYPE_EXCEPTION";
    /// Over a per-format size limit.
    pub const FILE_EXCEEDS_SIZE_LIMIT: &str = "FILE_EXCEEDS_SIZE_LIMIT";
    /// Could not be read (permissions).
    pub const PERMISSION_DENIED: &str = "PERMISSION_DENIED";
    /// Gone between listing and reading.
    pub const SOURCE_OBJECT_NO_LONGER_AVAILABLE: &str = "SOURCE_OBJECT_NO_LONGER_AVAILABLE";
    /// Content could not be parsed or read to the end.
    pub const UNABLE_TO_PARSE_FILE: &str = "UNABLE_TO_PARSE_FILE";
    /// Malformed content.
    pub const MALFORMED_FILE: &str = "MALFORMED_FILE";
    /// An archive holds files that were not analysed (unsupported, encrypted, too large).
    pub const ARCHIVE_CONTAINS_UNPROCESSED_FILES: &str = "ARCHIVE_CONTAINS_UNPROCESSED_FILES";
    /// An archive over its size limit.
    pub const ARCHIVE_EXCEEDS_SIZE_LIMIT: &str = "ARCHIVE_EXCEEDS_SIZE_LIMIT";
    /// Archives nested deeper than the limit.
    pub const ARCHIVE_NESTING_LEVEL_OVER_LIMIT: &str = "ARCHIVE_NESTING_LEVEL_OVER_LIMIT";
    /// More bytes extracted than the limit (or the compression-ratio guard).
    pub const ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT: &str =
        "ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT";
    /// More files extracted than the limit.
    pub const ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT: &str =
        "ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT";
    /// JSON nested deeper than the limit.
    pub const JSON_NESTING_LEVEL_OVER_LIMIT: &str = "JSON_NESTING_LEVEL_OVER_LIMIT";
    /// The object changed between listing and reading (its ETag no longer matches).
    pub const OBJECT_VERSION_MISMATCH: &str = "OBJECT_VERSION_MISMATCH";
    /// The object cannot be read in its state (archived, not restored).
    pub const INVALID_OBJECT_STATE: &str = "INVALID_OBJECT_STATE";
    /// The bucket no longer exists.
    pub const NO_SUCH_BUCKET_AVAILABLE: &str = "NO_SUCH_BUCKET_AVAILABLE";
    /// The object's KMS key is disabled, deleted or not usable by the scanner.
    pub const INVALID_KMS_KEY: &str = "INVALID_KMS_KEY";
    /// The object is encrypted with a customer-provided key (SSE-C).
    pub const INVALID_ENCRYPTION: &str = "INVALID_ENCRYPTION";

    /// Whether a member's reason applies to the whole archive (an archive-wide limit).
    pub fn is_archive_wide(reason: &str) -> bool {
        matches!(
            reason,
            ARCHIVE_NESTING_LEVEL_OVER_LIMIT
                | ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT
                | ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT
        )
    }
}

/// Status and, unless complete, Macie's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Code.
    pub code: StatusCode,
    /// Reason string (one of [`reason`]).
    pub reason: Option<&'static str>,
}

impl Status {
    /// Fully analysed.
    pub const COMPLETE: Status = Status {
        code: StatusCode::Complete,
        reason: None,
    };

    /// Not analysed, for `reason`.
    pub fn skipped(reason: &'static str) -> Status {
        Status {
            code: StatusCode::Skipped,
            reason: Some(reason),
        }
    }

    /// Partly analysed, for `reason`.
    pub fn partial(reason: &'static str) -> Status {
        Status {
            code: StatusCode::Partial,
            reason: Some(reason),
        }
    }
}

/// One detector's occurrences in an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectionReport {
    /// The detector.
    pub detector: DetectorId,
    /// How many occurrences.
    pub count: u64,
    /// The first occurrences in document order (capped).
    pub locations: Vec<Location>,
    /// Masked samples (first and last character), only when the user asked for them.
    pub samples: Vec<String>,
}

/// What a scan found in one object. Holds locations and counts, never matched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectReport {
    /// The object.
    pub object: ObjectInfo,
    /// Status.
    pub status: Status,
    /// MIME type Macie would report.
    pub mime_type: String,
    /// Bytes analysed.
    pub size_classified: u64,
    /// Detections, in detector order.
    pub detections: Vec<DetectionReport>,
    /// A short description of why the object was skipped or partial (an error message
    /// about the object, never about its content).
    pub error: Option<String>,
    /// For a file inside an archive: where (the object is the archive).
    pub embedded: Option<EmbeddedFile>,
}

/// A file inside an archive object (Macie's `embeddedFileDetails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// Path inside the archive; nested archives join their paths with `/`.
    pub path: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// Modification time recorded in the archive.
    pub last_modified: Option<SystemTime>,
}

/// Counts matches per detector and keeps the first locations of each.
#[derive(Debug)]
pub struct DetectionCollector {
    cap: usize,
    counts: Vec<u64>,
    locations: Vec<Vec<Location>>,
    samples: Vec<Vec<String>>,
    reveal: usize,
}

/// Macie's reveal limits: up to 10 samples per type, each at most 128 characters.
const REVEAL_SAMPLES: usize = 10;
const REVEAL_CHARS: usize = 128;

/// Masks a matched value: its first and last character are kept, every other character
/// becomes `*` (at most 128 characters).
pub fn mask(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().take(REVEAL_CHARS).collect();
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if n > 2 && (i == 0 || i == n - 1) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

impl DetectionCollector {
    /// A collector for `detectors` detectors keeping up to `cap` locations each.
    pub fn new(detectors: usize, cap: usize) -> DetectionCollector {
        DetectionCollector {
            cap,
            counts: vec![0; detectors],
            locations: vec![Vec::new(); detectors],
            samples: vec![Vec::new(); detectors],
            reveal: 0,
        }
    }

    /// Also keeps masked samples (the user asked for them with `--reveal-samples`).
    pub fn reveal_samples(mut self) -> DetectionCollector {
        self.reveal = REVEAL_SAMPLES;
        self
    }

    /// Records a masked sample of a match just added, if samples are wanted.
    pub fn sample(&mut self, detector: DetectorId, matched: &[u8]) {
        let i = detector.index();
        if self.samples[i].len() < self.reveal {
            self.samples[i].push(mask(matched));
        }
    }

    /// Records one occurrence.
    pub fn add(&mut self, detector: DetectorId, location: impl FnOnce() -> Location) {
        let i = detector.index();
        self.counts[i] += 1;
        if self.locations[i].len() < self.cap {
            self.locations[i].push(location());
        }
    }

    /// Adds the detections of an archive member to this (the archive's) collector: counts
    /// add up, locations are kept up to the cap.
    pub fn merge(&mut self, member: &[DetectionReport]) {
        for d in member {
            let i = d.detector.index();
            self.counts[i] += d.count;
            let room = self.cap.saturating_sub(self.locations[i].len());
            self.locations[i].extend(d.locations.iter().take(room).cloned());
            let room = self.reveal.saturating_sub(self.samples[i].len());
            self.samples[i].extend(d.samples.iter().take(room).cloned());
        }
    }

    /// Forgets everything found (the file turned out not to be analysable).
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.locations.iter_mut().for_each(Vec::clear);
        self.samples.iter_mut().for_each(Vec::clear);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&c| c == 0)
    }

    /// The detections, in detector order.
    pub fn finish(self) -> Vec<DetectionReport> {
        self.counts
            .into_iter()
            .zip(self.locations)
            .zip(self.samples)
            .enumerate()
            .filter(|(_, ((count, _), _))| *count > 0)
            .map(|(i, ((count, locations), samples))| DetectionReport {
                detector: DetectorId(i as u16),
                count,
                locations,
                samples,
            })
            .collect()
    }
}

/// Job-level facts every finding and result carries.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// Job id (32 hex characters).
    pub job_id: String,
    /// Account id.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Partition.
    pub partition: String,
    /// When the job ran (findings' `createdAt`).
    pub created_at: SystemTime,
    /// `detailedResultsLocation` for findings.
    pub results_location: String,
    /// Locations per detection in discovery results.
    pub max_occurrences: usize,
}

impl JobContext {
    /// The job ARN.
    pub fn job_arn(&self) -> String {
        format!(
            "arn:aws:macie2:{}:{}:classification-job/{}",
            self.region, self.account_id, self.job_id
        )
    }
}

/// Lower-case hex MD5 of the parts, joined with NUL.
pub fn md5_hex(parts: &[&str]) -> String {
    let mut h = Md5::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 3339 UTC with milliseconds, as GetFindings prints times.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

fn finding_type(categories: &[Category]) -> &'static str {
    match categories {
        [Category::PersonalInformation] => "SensitiveData:S3Object/Personal",
        [Category::FinancialInformation] => "SensitiveData:S3Object/Financial",
        [Category::Credentials] => "SensitiveData:S3Object/Credentials",
        [Category::CustomIdentifier] => "SensitiveData:S3Object/CustomIdentifier",
        _ => "SensitiveData:S3Object/Multiple",
    }
}

fn title_description(finding_type: &str) -> (&'static str, &'static str) {
    match finding_type {
        "SensitiveData:S3Object/Personal" => (
            "The S3 object contains personal information.",
            "The object contains personal information such as first or last names, addresses, or identification numbers.",
        ),
        "SensitiveData:S3Object/Financial" => (
            "The S3 object contains financial information.",
            "The object contains financial information such as bank account numbers or credit card numbers.",
        ),
        "SensitiveData:S3Object/Credentials" => (
            "The S3 object contains credentials data.",
            "The object contains credentials data such as AWS secret access keys or private keys.",
        ),
        "SensitiveData:S3Object/CustomIdentifier" => (
            "The S3 object contains content that matches a custom data identifier.",
            "This object contains content that matches one or more custom data identifiers for the organization. The content might include multiple types of sensitive information.",
        ),
        _ => (
            "The S3 object contains multiple types of sensitive information.",
            "The object contains more than one type of sensitive information.",
        ),
    }
}

/// `s3Object.serverSideEncryption`: what the GET reported; `NONE` for local files;
/// `UNKNOWN` for S3 objects that were never read.
fn object_encryption(o: &ObjectInfo) -> ServerSideEncryption {
    let e = match (&o.encryption, &o.posture) {
        (Some(e), _) => e.clone(),
        (None, Some(_)) => crate::object::Encryption::unknown(),
        (None, None) => crate::object::Encryption {
            kind: "NONE".into(),
            kms_key_id: None,
        },
    };
    ServerSideEncryption {
        encryption_type: e.kind,
        kms_master_key_id: e.kms_key_id,
    }
}

/// Which output a record is for: a finding (15 locations, only detections that create a
/// finding) or a discovery result (`max_occurrences`, every detection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// GetFindings `Finding`.
    Finding,
    /// Discovery result line.
    Result,
}

/// Builds the Macie record for a report. For [`RecordKind::Finding`], `None` when the
/// object yields no finding (no detections, or only custom identifiers below their lowest
/// severity threshold).
pub fn build_record(
    report: &ObjectReport,
    set: &DetectorSet,
    job: &JobContext,
    kind: RecordKind,
) -> Option<Finding> {
    let cap = match kind {
        RecordKind::Finding => FINDING_OCCURRENCES,
        RecordKind::Result => job.max_occurrences,
    };
    let mut categories: Vec<Category> = Vec::new();
    let mut severity: Option<Severity> = None;
    let mut managed: Vec<SensitiveDataItem> = Vec::new();
    let mut custom: Vec<CustomDetection> = Vec::new();
    let mut additional = false;
    for det in &report.detections {
        let Some(d) = set.get(det.detector) else {
            continue;
        };
        let sev = d.severity_for(det.count);
        if sev.is_none() && kind == RecordKind::Finding {
            continue;
        }
        severity = severity.max(sev);
        let mut occurrences = Occurrences::default();
        det.locations
            .iter()
            .take(cap)
            .for_each(|l| l.push_to(&mut occurrences));
        additional |= det.count as usize > det.locations.len().min(cap);
        if !categories.contains(&d.category) {
            categories.push(d.category);
        }
        let masked_samples = (!det.samples.is_empty()).then(|| det.samples.clone());
        if d.custom {
            custom.push(CustomDetection {
                arn: d.id.clone(),
                name: d.name.clone(),
                count: det.count.into(),
                occurrences,
                masked_samples,
            });
            continue;
        }
        let detection = Detection {
            detection_type: d.id.clone(),
            count: det.count.into(),
            occurrences,
            masked_samples,
        };
        match managed
            .iter_mut()
            .find(|i| i.category == d.category.as_str())
        {
            Some(item) => {
                item.total_count.0 += det.count;
                item.detections.push(detection);
            }
            None => managed.push(SensitiveDataItem {
                category: d.category.as_str().to_string(),
                total_count: det.count.into(),
                detections: vec![detection],
            }),
        }
    }
    if kind == RecordKind::Finding && severity.is_none() {
        return None;
    }
    categories.sort();
    managed.sort_by(|a, b| a.category.cmp(&b.category));
    let o = &report.object;
    let version = o.version_id.clone().unwrap_or_default();
    let etag = o.etag.clone().unwrap_or_default();
    let id = match &report.embedded {
        None => md5_hex(&[&job.job_id, &o.bucket, &o.key, &version, &etag]),
        Some(e) => md5_hex(&[&job.job_id, &o.bucket, &o.key, &version, &etag, &e.path]),
    };
    let ftype = finding_type(&categories);
    let (title, description) = title_description(ftype);
    let with_type = severity.is_some();
    let created = timestamp(job.created_at);
    let bucket_arn = format!("arn:aws:s3:::{}", o.bucket);
    Some(Finding {
        schema_version: "1.0".into(),
        id,
        account_id: job.account_id.clone(),
        partition: job.partition.clone(),
        region: job.region.clone(),
        finding_type: if with_type {
            ftype.into()
        } else {
            String::new()
        },
        title: if with_type {
            title.into()
        } else {
            String::new()
        },
        description: if with_type {
            description.into()
        } else {
            String::new()
        },
        severity: FindingSeverity {
            description: severity.map_or("", |s| s.description()).into(),
            score: u64::from(severity.map_or(0, |s| s.score())).into(),
        },
        created_at: created.clone(),
        updated_at: (kind == RecordKind::Finding).then(|| created.clone()),
        resources_affected: ResourcesAffected {
            s3_bucket: posture::s3_bucket(&o.bucket, o.posture.as_deref()),
            s3_object: S3Object {
                bucket_arn,
                key: o.key.clone(),
                path: format!("{}/{}", o.bucket, o.key),
                extension: o.extension(),
                last_modified: o.last_modified.map(timestamp),
                e_tag: o.etag.clone(),
                version_id: Some(version),
                server_side_encryption: Some(object_encryption(o)),
                size: o.size.into(),
                storage_class: o.storage_class.clone(),
                tags: Some(
                    o.tags
                        .iter()
                        .flatten()
                        .map(|t| KeyValue {
                            key: t.key.clone(),
                            value: t.value.clone(),
                        })
                        .collect(),
                ),
                public_access: match o.posture.as_deref() {
                    // A local file is not public.
                    None => Some(false),
                    Some(p) => match crate::source::posture::effective_permission(p) {
                        "PUBLIC" => Some(true),
                        "NOT_PUBLIC" => Some(false),
                        _ => None,
                    },
                },
                embedded_file_details: report.embedded.as_ref().map(|e| EmbeddedFileDetails {
                    file_path: e.path.clone(),
                    file_extension: crate::decode::extension_of(&e.path),
                    file_size: e.size.into(),
                    file_last_modified: e.last_modified.map(timestamp),
                }),
            },
        },
        category: "CLASSIFICATION".into(),
        classification_details: ClassificationDetails {
            detailed_results_location: Some(job.results_location.clone()),
            job_arn: Some(job.job_arn()),
            job_id: Some(job.job_id.clone()),
            origin_type: Some("SENSITIVE_DATA_DISCOVERY_JOB".into()),
            result: ClassificationResult {
                status: ClassificationStatus {
                    code: report.status.code.as_str().into(),
                    reason: report.status.reason.map(str::to_string),
                },
                size_classified: report.size_classified.into(),
                mime_type: report.mime_type.clone(),
                sensitive_data: managed,
                custom_data_identifiers: Some(CustomDataIdentifiers {
                    total_count: custom.iter().map(|c| c.count.0).sum::<u64>().into(),
                    detections: custom,
                }),
                additional_occurrences: (kind == RecordKind::Finding).then_some(additional),
            },
        },
        count: (kind == RecordKind::Finding).then_some(1u64.into()),
        archived: (kind == RecordKind::Finding).then_some(false),
        sample: (kind == RecordKind::Finding).then_some(false),
        policy_details: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_first_and_last_character_only() {
        assert_eq!(mask(b"4539 1488 0343 6467"), "4*****************7");
        assert_eq!(mask("jöe@x.org".as_bytes()), "j*******g");
        assert_eq!(mask(b"ab"), "**");
        assert_eq!(mask(&[b'x'; 300]).chars().count(), 128);
    }
}

//! The S3 source: one aws-sdk-s3 client set (credential chain, profile, region,
//! endpoint override with path-style addressing, requester pays, retries, a request
//! counter), `s3://` URLs, listings streamed page by page (ListObjectsV2 and
//! ListObjectVersions, resumable from a [`Position`]), and reads: streamed GETs with
//! `If-Match` that resume from the last byte received when a body breaks, and a
//! [`RangedReader`] giving `Read + Seek` over ranged GETs for formats that need random
//! access. Errors S3 answers become Macie's reasons ([`Failure`]).
//!
//! Retries of whole requests (500, 503 SlowDown, throttling, connection errors) are the
//! SDK's standard retry strategy: exponential backoff with full jitter, `max_attempts`
//! tries. A body that breaks after its headers arrived is not the SDK's to retry; that is
//! [`Body`]'s job here.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::types::{ObjectStorageClass, OptionalObjectAttributes, RequestPayer};
use aws_sdk_s3::Client;
use bytes::Bytes;
use tokio::runtime::Handle;

use crate::object::{Encryption, ObjectInfo};
use crate::report::reason;

/// How to reach S3.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// Named profile (`--profile`); the default credential chain otherwise.
    pub profile: Option<String>,
    /// Region for requests; each bucket's own region is found automatically.
    pub region: Option<String>,
    /// Endpoint of an S3-compatible store; implies path-style addressing and no region
    /// discovery.
    pub endpoint_url: Option<String>,
    /// Send `x-amz-request-payer: requester`.
    pub request_payer: bool,
    /// Tries per request, first one included.
    pub max_attempts: u32,
}

/// Why S3 could not be used at all (configuration, credentials, a bucket that cannot
/// be listed). Per-object trouble is a [`Failure`] instead.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// Not an `s3://bucket[/prefix]` URL.
    #[error("{url:?} is not an S3 URL: use s3://bucket or s3://bucket/prefix")]
    Url {
        /// What was given.
        url: String,
    },
    /// A listing request failed after retries.
    #[error("listing s3://{bucket}/{prefix}: {message}")]
    List {
        /// Bucket.
        bucket: String,
        /// Prefix.
        prefix: String,
        /// What S3 said (code and message, or the transport error).
        message: String,
    },
    /// Reading an input the scan depends on (an inventory manifest) failed.
    #[error("reading s3://{bucket}/{key}: {message}")]
    Read {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// What went wrong.
        message: String,
    },
    /// Writing an output failed.
    #[error("writing s3://{bucket}/{key}: {message}")]
    Write {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// What went wrong.
        message: String,
    },
}

/// `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    /// Bucket.
    pub bucket: String,
    /// Key prefix (may be empty).
    pub prefix: String,
}

impl S3Url {
    /// Parses `s3://bucket`, `s3://bucket/`, `s3://bucket/prefix`.
    pub fn parse(url: &str) -> Result<S3Url, S3Error> {
        let bad = || S3Error::Url { url: url.into() };
        let rest = url.strip_prefix("s3://").ok_or_else(bad)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b));
        if !valid {
            return Err(bad());
        }
        Ok(S3Url {
            bucket: bucket.into(),
            prefix: prefix.into(),
        })
    }

    /// Whether `text` looks like an S3 URL (for telling sources apart).
    pub fn is_s3(text: &str) -> bool {
        text.starts_with("s3://")
    }
}

/// Counts every HTTP attempt the SDK makes (retries included).
#[derive(Debug)]
struct CountRequests(Arc<AtomicU64>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "s3pii::CountRequests"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// S3 clients: one per region, built from one loaded SDK configuration.
#[derive(Debug, Clone)]
pub struct S3 {
    base: aws_config::SdkConfig,
    options: S3Options,
    requests: Arc<AtomicU64>,
    clients: Arc<Mutex<HashMap<String, Client>>>,
    regions: Arc<Mutex<HashMap<String, String>>>,
}

impl S3 {
    /// Loads the credential chain and region (env, profiles, SSO, web identity, instance
    /// metadata). Credentials are resolved lazily, on the first request.
    pub async fn connect(options: S3Options) -> S3 {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts.max(1))
                .with_initial_backoff(Duration::from_millis(100)),
        );
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &options.region {
            loader = loader.region(Region::new(r.clone()));
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            base = base
                .into_builder()
                .region(Region::from_static("us-east-1"))
                .build();
        }
        S3 {
            base,
            options,
            requests: Arc::new(AtomicU64::new(0)),
            clients: Arc::default(),
            regions: Arc::default(),
        }
    }

    /// The SDK configuration (for other AWS clients: STS, S3 Control).
    pub fn sdk_config(&self) -> &aws_config::SdkConfig {
        &self.base
    }

    /// The default region.
    pub fn region(&self) -> String {
        self.base
            .region()
            .map_or_else(|| "us-east-1".to_string(), |r| r.to_string())
    }

    /// Requests sent so far (every attempt).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The counter behind [`S3::requests`], for other clients to add to.
    pub fn request_counter(&self) -> Arc<AtomicU64> {
        self.requests.clone()
    }

    /// Whether requests carry `x-amz-request-payer: requester`.
    pub fn request_payer(&self) -> Option<RequestPayer> {
        self.options
            .request_payer
            .then_some(RequestPayer::Requester)
    }

    /// The endpoint override, if any.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.options.endpoint_url.as_deref()
    }

    /// Whether this talks to an S3-compatible endpoint rather than AWS.
    pub fn custom_endpoint(&self) -> bool {
        self.options.endpoint_url.is_some()
    }

    /// A client for `region`.
    pub fn client_in(&self, region: &str) -> Client {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let mut b = aws_sdk_s3::config::Builder::from(&self.base)
                    .region(Region::new(region.to_string()))
                    .interceptor(CountRequests(self.requests.clone()));
                if let Some(url) = &self.options.endpoint_url {
                    b = b.endpoint_url(url).force_path_style(true);
                }
                Client::from_conf(b.build())
            })
            .clone()
    }

    /// The default-region client.
    pub fn client(&self) -> Client {
        self.client_in(&self.region())
    }

    /// The client for `bucket`'s own region, found once per bucket with HeadBucket (the
    /// `x-amz-bucket-region` header answers even when the call itself is refused).
    pub async fn client_for(&self, bucket: &str) -> Client {
        self.client_in(&self.bucket_region(bucket).await)
    }

    /// `bucket`'s region (the default region with a custom endpoint, or when S3 does not
    /// say).
    pub async fn bucket_region(&self, bucket: &str) -> String {
        if self.custom_endpoint() {
            return self.region();
        }
        if let Some(r) = self
            .regions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(bucket)
        {
            return r.clone();
        }
        let answer = self.client().head_bucket().bucket(bucket).send().await;
        let region = match &answer {
            Ok(out) => out.bucket_region().map(str::to_string),
            Err(e) => e
                .raw_response()
                .and_then(|r| r.headers().get("x-amz-bucket-region"))
                .map(str::to_string),
        }
        .unwrap_or_else(|| self.region());
        self.regions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(bucket.to_string(), region.clone());
        region
    }

    /// Reads a whole (small) object, for manifests and inventory files.
    pub async fn get_bytes(&self, bucket: &str, key: &str) -> Result<Bytes, S3Error> {
        let err = |message: String| S3Error::Read {
            bucket: bucket.into(),
            key: key.into(),
            message,
        };
        let client = self.client_for(bucket).await;
        let out = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_request_payer(self.request_payer())
            .send()
            .await
            .map_err(|e| err(describe(&e)))?;
        out.body
            .collect()
            .await
            .map(|b| b.into_bytes())
            .map_err(|e| err(e.to_string()))
    }
}

/// Code and message of an SDK error, or its transport error; never object content.
pub fn describe<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    err: &SdkError<E, R>,
) -> String {
    match (err.code(), err.message()) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_string(),
        _ => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

/// Why one object could not be read: Macie's reason and a note for the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Macie's reason string.
    pub reason: &'static str,
    /// What S3 said.
    pub note: String,
}

/// Maps a failed GetObject to Macie's reason.
pub fn classify<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    err: &SdkError<E, R>,
    status: Option<u16>,
) -> Failure {
    let code = err.code().unwrap_or("");
    let message = err.message().unwrap_or("");
    let kms = code.starts_with("KMS") || message.contains("KMS");
    let reason = match (code, status) {
        ("PreconditionFailed", _) | (_, Some(412)) => reason::OBJECT_VERSION_MISMATCH,
        ("NoSuchBucket", _) => reason::NO_SUCH_BUCKET_AVAILABLE,
        ("NoSuchKey" | "NoSuchVersion", _) | (_, Some(404)) => {
            reason::SOURCE_OBJECT_NO_LONGER_AVAILABLE
        }
        ("InvalidObjectState", _) => reason::INVALID_OBJECT_STATE,
        _ if kms => reason::INVALID_KMS_KEY,
        ("AccessDenied" | "AllAccessDisabled", _) | (_, Some(403)) => reason::PERMISSION_DENIED,
        ("InvalidRequest", _) if message.contains("Server Side Encryption") => {
            reason::INVALID_ENCRYPTION
        }
        _ => reason::UNABLE_TO_PARSE_FILE,
    };
    Failure {
        reason,
        note: format!("GetObject failed: {}", describe(err)),
    }
}

/// Where a listing stands: the last object handed on. Listings resume after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Which source (0-based, in command-line order).
    pub source: usize,
    /// Last key.
    pub key: String,
    /// Last version (with `--all-versions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Inventory file index and row within it (with `--inventory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<(usize, u64)>,
}

/// One listed object.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Metadata from the listing.
    pub info: ObjectInfo,
    /// Whether an archived object has a readable restored copy.
    pub restored: bool,
    /// Where the listing stands after this object.
    pub position: Position,
}

fn time(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn unquote(etag: Option<&str>) -> Option<String> {
    etag.map(|e| e.trim_matches('"').to_string())
}

/// Lists `url` page by page (ListObjectsV2, or ListObjectVersions with `versions`),
/// starting after `after`, sending each page's objects to `pages`. Stops early when the
/// receiver is gone. Delete markers are not objects and are left out.
pub async fn list(
    s3: &S3,
    source: usize,
    url: &S3Url,
    versions: bool,
    after: Option<&Position>,
    pages: &tokio::sync::mpsc::Sender<Vec<Listed>>,
) -> Result<(), S3Error> {
    let client = s3.client_for(&url.bucket).await;
    let fail = |message: String| S3Error::List {
        bucket: url.bucket.clone(),
        prefix: url.prefix.clone(),
        message,
    };
    let info = |key: &str| ObjectInfo {
        bucket: url.bucket.clone(),
        key: key.to_string(),
        ..ObjectInfo::default()
    };
    let position = |key: &str, version_id: Option<String>| Position {
        source,
        key: key.to_string(),
        version_id,
        row: None,
    };
    if !versions {
        let mut answers = client
            .list_objects_v2()
            .bucket(&url.bucket)
            .prefix(&url.prefix)
            .set_start_after(after.map(|p| p.key.clone()))
            .optional_object_attributes(OptionalObjectAttributes::RestoreStatus)
            .set_request_payer(s3.request_payer())
            .into_paginator()
            .send();
        while let Some(answer) = answers.next().await {
            let out = answer.map_err(|e| fail(describe(&e)))?;
            let listed = out
                .contents()
                .iter()
                .filter_map(|o| {
                    let key = o.key()?;
                    let restored = o.restore_status().is_some_and(|r| {
                        r.is_restore_in_progress() != Some(true)
                            && r.restore_expiry_date().is_some()
                    });
                    Some(Listed {
                        info: ObjectInfo {
                            size: o.size().unwrap_or(0).max(0) as u64,
                            etag: unquote(o.e_tag()),
                            last_modified: time(o.last_modified()),
                            storage_class: Some(
                                o.storage_class()
                                    .map_or(ObjectStorageClass::Standard.as_str(), |c| c.as_str())
                                    .to_string(),
                            ),
                            ..info(key)
                        },
                        restored,
                        position: position(key, None),
                    })
                })
                .collect();
            if pages.send(listed).await.is_err() {
                return Ok(());
            }
        }
        return Ok(());
    }
    let mut key_marker = after.map(|p| p.key.clone());
    let mut version_marker = after.and_then(|p| p.version_id.clone());
    loop {
        let out = client
            .list_object_versions()
            .bucket(&url.bucket)
            .prefix(&url.prefix)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .set_request_payer(s3.request_payer())
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        let listed = out
            .versions()
            .iter()
            .filter_map(|v| {
                let key = v.key()?;
                let version = v.version_id().filter(|v| *v != "null").map(str::to_string);
                Some(Listed {
                    info: ObjectInfo {
                        size: v.size().unwrap_or(0).max(0) as u64,
                        etag: unquote(v.e_tag()),
                        last_modified: time(v.last_modified()),
                        storage_class: Some(
                            v.storage_class()
                                .map_or("STANDARD", |c| c.as_str())
                                .to_string(),
                        ),
                        version_id: version.clone(),
                        ..info(key)
                    },
                    restored: false,
                    position: position(key, Some(v.version_id().unwrap_or("null").to_string())),
                })
            })
            .collect();
        if pages.send(listed).await.is_err() {
            return Ok(());
        }
        if out.is_truncated() != Some(true) {
            return Ok(());
        }
        key_marker = out.next_key_marker().map(str::to_string);
        version_marker = out.next_version_id_marker().map(str::to_string);
        if key_marker.is_none() {
            return Ok(());
        }
    }
}

/// Retry pacing for broken bodies: exponential backoff with full jitter.
fn backoff(attempt: u32) -> Duration {
    let cap_ms = 100u64 << attempt.min(6);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    Duration::from_millis(u64::from(nanos) % cap_ms.max(1))
}

/// One object's GET, resumable: a body that breaks mid-stream is picked up with a Range
/// GET from the last byte received, with the same `If-Match`.
#[derive(Debug)]
pub struct Body {
    client: Client,
    payer: Option<RequestPayer>,
    bucket: String,
    key: String,
    version_id: Option<String>,
    etag: Option<String>,
    stream: Option<aws_sdk_s3::primitives::ByteStream>,
    /// Bytes received so far.
    pub received: u64,
    /// Bytes this body delivers (the object, or its first range).
    pub length: u64,
    /// End (exclusive) of the first range, when only that was requested.
    end: Option<u64>,
    /// The object's whole length.
    pub total: u64,
    resumes: u32,
    max_resumes: u32,
}

impl Body {
    /// Sends the first GET. `Err` when S3 refuses it (after the SDK's retries).
    ///
    /// With `first_range`, only bytes `0..first_range` are requested (the rest is for
    /// [`Parts`]); the object's whole length is then taken from `Content-Range`.
    pub async fn open(
        s3: &S3,
        client: Client,
        info: &ObjectInfo,
        max_resumes: u32,
        first_range: Option<u64>,
    ) -> Result<(Body, Encryption), Failure> {
        let mut body = Body {
            client,
            payer: s3.request_payer(),
            bucket: info.bucket.clone(),
            key: info.key.clone(),
            version_id: info.version_id.clone(),
            etag: info.etag.clone(),
            stream: None,
            received: 0,
            length: info.size,
            end: first_range.filter(|&n| n > 0 && n < info.size),
            total: info.size,
            resumes: 0,
            max_resumes,
        };
        let out = body.get(None).await?;
        let encryption = Encryption {
            kind: out
                .server_side_encryption()
                .map_or("NONE", |e| e.as_str())
                .to_string(),
            kms_key_id: out.ssekms_key_id().map(str::to_string),
        };
        body.length = out.content_length().map_or(info.size, |l| l.max(0) as u64);
        body.total = match out.content_range().and_then(|r| r.rsplit_once('/')) {
            Some((_, total)) => total.parse().unwrap_or(info.size),
            None => body.length,
        };
        body.stream = Some(out.body);
        Ok((body, encryption))
    }

    async fn get(&self, from: Option<u64>) -> Result<GetObjectOutput, Failure> {
        get_range(
            &self.client,
            self.payer.clone(),
            &self.bucket,
            &self.key,
            self.version_id.as_deref(),
            self.etag.as_deref(),
            match (from, self.end) {
                (from, Some(end)) => Some(format!("bytes={}-{}", from.unwrap_or(0), end - 1)),
                (Some(from), None) => Some(format!("bytes={from}-")),
                (None, None) => None,
            },
        )
        .await
    }

    /// The next piece of the body; `Ok(None)` at the end. A broken body is resumed up to
    /// `max_resumes` times; then, or when the object changed, the failure is returned.
    pub async fn next(&mut self) -> Result<Option<Bytes>, Failure> {
        loop {
            let Some(stream) = self.stream.as_mut() else {
                return Ok(None);
            };
            match stream.next().await {
                Some(Ok(bytes)) => {
                    self.received += bytes.len() as u64;
                    return Ok(Some(bytes));
                }
                None if self.received >= self.length => {
                    self.stream = None;
                    return Ok(None);
                }
                // A short body without an error is a broken connection too.
                None | Some(Err(_)) => {
                    if self.resumes >= self.max_resumes {
                        return Err(Failure {
                            reason: reason::UNABLE_TO_PARSE_FILE,
                            note: format!(
                                "the connection broke {} times while reading; stopped at byte {} of {}",
                                self.resumes + 1,
                                self.received,
                                self.length
                            ),
                        });
                    }
                    tokio::time::sleep(backoff(self.resumes)).await;
                    self.resumes += 1;
                    self.stream = Some(self.get(Some(self.received)).await?.body);
                }
            }
        }
    }

    /// Times the body was resumed.
    pub fn resumes(&self) -> u32 {
        self.resumes
    }
}

async fn get_range(
    client: &Client,
    payer: Option<RequestPayer>,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
    etag: Option<&str>,
    range: Option<String>,
) -> Result<GetObjectOutput, Failure> {
    client
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version_id.map(str::to_string))
        .set_if_match(etag.map(|e| format!("\"{e}\"")))
        .set_range(range)
        .set_request_payer(payer)
        .send()
        .await
        .map_err(|e| {
            let status = e.raw_response().map(|r| r.status().as_u16());
            classify(&e, status)
        })
}

/// A large object read as consecutive ranges of `part` bytes, `depth` of them in flight
/// at once (one S3 connection tops out near 90 MB/s; several in parallel do not), handed
/// on in order. Each range carries `If-Match` and resumes within itself when its body
/// breaks.
pub struct Parts {
    client: Client,
    payer: Option<RequestPayer>,
    info: ObjectInfo,
    len: u64,
    part: u64,
    depth: usize,
    next_start: u64,
    max_resumes: u32,
    inflight: std::collections::VecDeque<tokio::task::JoinHandle<Result<Bytes, Failure>>>,
}

impl Parts {
    /// Reads bytes `range` of `info`.
    pub fn new(
        s3: &S3,
        client: Client,
        info: ObjectInfo,
        range: std::ops::Range<u64>,
        part: u64,
        depth: usize,
        max_resumes: u32,
    ) -> Parts {
        Parts {
            client,
            payer: s3.request_payer(),
            info,
            len: range.end,
            part: part.max(1),
            depth: depth.max(1),
            next_start: range.start,
            max_resumes,
            inflight: std::collections::VecDeque::new(),
        }
    }

    fn refill(&mut self) {
        while self.inflight.len() < self.depth && self.next_start < self.len {
            let start = self.next_start;
            let end = (start + self.part).min(self.len);
            self.next_start = end;
            let (client, payer, info, resumes) = (
                self.client.clone(),
                self.payer.clone(),
                self.info.clone(),
                self.max_resumes,
            );
            self.inflight.push_back(tokio::spawn(async move {
                fetch_range(&client, payer, &info, start, end, resumes).await
            }));
        }
    }

    /// The next range's bytes; `Ok(None)` at the end.
    pub async fn next(&mut self) -> Result<Option<Bytes>, Failure> {
        self.refill();
        let Some(task) = self.inflight.pop_front() else {
            return Ok(None);
        };
        let bytes = task.await.map_err(|e| Failure {
            reason: reason::UNABLE_TO_PARSE_FILE,
            note: format!("ranged GET task failed: {e}"),
        })??;
        self.refill();
        Ok(Some(bytes))
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        for task in &self.inflight {
            task.abort();
        }
    }
}

/// Bytes `start..end` of an object, resuming within the range when its body breaks.
async fn fetch_range(
    client: &Client,
    payer: Option<RequestPayer>,
    info: &ObjectInfo,
    start: u64,
    end: u64,
    max_resumes: u32,
) -> Result<Bytes, Failure> {
    let mut data = Vec::with_capacity((end - start) as usize);
    let mut attempt = 0;
    loop {
        let from = start + data.len() as u64;
        let out = get_range(
            client,
            payer.clone(),
            &info.bucket,
            &info.key,
            info.version_id.as_deref(),
            info.etag.as_deref(),
            Some(format!("bytes={from}-{}", end - 1)),
        )
        .await?;
        let mut body = out.body;
        let mut broke = false;
        loop {
            match body.next().await {
                Some(Ok(b)) => data.extend_from_slice(&b),
                Some(Err(_)) => {
                    broke = true;
                    break;
                }
                None => break,
            }
        }
        if !broke && start + data.len() as u64 >= end {
            data.truncate((end - start) as usize);
            return Ok(Bytes::from(data));
        }
        if attempt >= max_resumes {
            return Err(Failure {
                reason: reason::UNABLE_TO_PARSE_FILE,
                note: format!(
                    "the connection broke {} times while reading bytes {start}-{}; stopped at byte {}",
                    attempt + 1,
                    end - 1,
                    start + data.len() as u64
                ),
            });
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    }
}

/// Where a [`BodyReader`] gets its bytes.
pub enum Source {
    /// One streamed GET.
    Body(Body),
    /// Parallel ranged GETs.
    Parts(Parts),
}

impl Source {
    async fn next(&mut self) -> Result<Option<Bytes>, Failure> {
        match self {
            Source::Body(b) => b.next().await,
            Source::Parts(p) => p.next().await,
        }
    }
}

/// A blocking `Read` over a [`Source`] driven on the runtime behind `handle`: for
/// decoders that stream. Must not be used from a runtime thread.
pub struct BodyReader {
    handle: Handle,
    body: Source,
    piece: Bytes,
    failure: Arc<Mutex<Option<Failure>>>,
}

impl BodyReader {
    /// Wraps `body`; a failure is also stored in `failure` for the caller's report.
    pub fn new(handle: Handle, body: Source, failure: Arc<Mutex<Option<Failure>>>) -> BodyReader {
        BodyReader {
            handle,
            body,
            piece: Bytes::new(),
            failure,
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.piece.is_empty() {
            match self.handle.block_on(self.body.next()) {
                Ok(Some(b)) => self.piece = b,
                Ok(None) => return Ok(0),
                Err(f) => {
                    let msg = f.note.clone();
                    *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                    return Err(io::Error::other(msg));
                }
            }
        }
        let n = buf.len().min(self.piece.len());
        buf[..n].copy_from_slice(&self.piece[..n]);
        bytes::Buf::advance(&mut self.piece, n);
        Ok(n)
    }
}

/// `Read + Seek` over ranged GETs of one object, in blocks, for zip directories and
/// Parquet footers. Keeps the last few blocks; every GET carries `If-Match`.
pub struct RangedReader {
    handle: Handle,
    client: Client,
    payer: Option<RequestPayer>,
    info: ObjectInfo,
    len: u64,
    pos: u64,
    block: u64,
    cache: Vec<(u64, Bytes)>,
    failure: Arc<Mutex<Option<Failure>>>,
    /// Bytes fetched so far.
    pub fetched: Arc<AtomicU64>,
}

/// Blocks kept by a [`RangedReader`].
const CACHED_BLOCKS: usize = 4;

impl RangedReader {
    /// A reader over `info` (its size is the object's length) fetching `block` bytes per
    /// GET.
    pub fn new(
        handle: Handle,
        s3: &S3,
        client: Client,
        info: ObjectInfo,
        block: u64,
        failure: Arc<Mutex<Option<Failure>>>,
    ) -> RangedReader {
        RangedReader {
            handle,
            client,
            payer: s3.request_payer(),
            len: info.size,
            info,
            pos: 0,
            block: block.max(64 * 1024),
            cache: Vec::new(),
            failure,
            fetched: Arc::default(),
        }
    }

    fn fetch(&mut self, start: u64) -> io::Result<Bytes> {
        let end = (start + self.block).min(self.len) - 1;
        let range = format!("bytes={start}-{end}");
        let want = (end + 1 - start) as usize;
        let mut last = String::new();
        for attempt in 0..4u32 {
            let got = self.handle.block_on(async {
                let out = get_range(
                    &self.client,
                    self.payer.clone(),
                    &self.info.bucket,
                    &self.info.key,
                    self.info.version_id.as_deref(),
                    self.info.etag.as_deref(),
                    Some(range.clone()),
                )
                .await?;
                out.body
                    .collect()
                    .await
                    .map(|b| b.into_bytes())
                    .map_err(|e| Failure {
                        reason: reason::UNABLE_TO_PARSE_FILE,
                        note: format!("ranged GET broke: {e}"),
                    })
            });
            match got {
                Ok(b) if b.len() == want => {
                    self.fetched.fetch_add(b.len() as u64, Ordering::Relaxed);
                    return Ok(b);
                }
                Ok(b) => last = format!("ranged GET returned {} of {want} bytes", b.len()),
                Err(f) if f.reason != reason::UNABLE_TO_PARSE_FILE => {
                    let msg = f.note.clone();
                    *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                    return Err(io::Error::other(msg));
                }
                Err(f) => last = f.note,
            }
            std::thread::sleep(backoff(attempt));
        }
        let f = Failure {
            reason: reason::UNABLE_TO_PARSE_FILE,
            note: last,
        };
        let msg = f.note.clone();
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
        Err(io::Error::other(msg))
    }
}

impl Read for RangedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let start = self.pos - self.pos % self.block;
        let data = match self.cache.iter().position(|(s, _)| *s == start) {
            Some(i) => self.cache[i].1.clone(),
            None => {
                let b = self.fetch(start)?;
                if self.cache.len() == CACHED_BLOCKS {
                    self.cache.remove(0);
                }
                self.cache.push((start, b.clone()));
                b
            }
        };
        let off = (self.pos - start) as usize;
        let n = buf.len().min(data.len() - off);
        buf[..n].copy_from_slice(&data[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangedReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = S3Url::parse("s3://my-bucket/a/b/").unwrap();
        assert_eq!(
            (u.bucket.as_str(), u.prefix.as_str()),
            ("my-bucket", "a/b/")
        );
        assert_eq!(S3Url::parse("s3://my-bucket").unwrap().prefix, "");
        for bad in [
            "my-bucket",
            "s3://",
            "s3://Upper/x",
            "s3://a/x",
            "http://b/x",
        ] {
            let e = S3Url::parse(bad).unwrap_err().to_string();
            assert!(e.contains("s3://bucket/prefix"), "{e}");
        }
    }

    #[test]
    fn backoff_grows_and_is_jittered_below_its_cap() {
        for attempt in 0..10 {
            assert!(backoff(attempt) < Duration::from_millis(100 << attempt.min(6)));
        }
    }
}

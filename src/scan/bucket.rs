//! Bucket scans: the one place where tokio (S3 I/O) meets rayon (decoding and matching).
//!
//! ```text
//! listing pages ─▶ filter ─▶ window permit ─▶ GET permit ─▶ fetch ─▶ rayon scan ─┐
//!  (ListObjectsV2 /          (before any GET)  (--s3-concurrency)                  │
//!   versions / inventory)                                                         ▼
//! caller's thread ◀── reports in listing order ◀── reorder buffer ◀──────────── done
//! ```
//!
//! - Objects up to `small_object` bytes are read whole (within a memory budget shared by
//!   all GETs in flight) and scanned from memory; larger ones are streamed into the
//!   decoders, or read through ranged GETs when their format needs random access (zip,
//!   Parquet). CPU work runs on the scanner's rayon pool, never on the runtime.
//! - Reports reach the caller in listing order, one object at a time, each with the
//!   listing [`Position`] after it. At most `window` objects are in flight or waiting
//!   to be handed on, so memory stays flat whatever the bucket holds, and a checkpoint
//!   is just the last position handed on.
//! - Every listed object in scope yields exactly one report of its own: GET failures,
//!   archived storage classes and broken bodies become `SKIPPED`/`PARTIAL` results with
//!   Macie's reasons.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

use super::{skipped, Scanner};
use crate::decode::{Format, Input};
use crate::matcher::Matcher;
use crate::object::{BucketPosture, ObjectInfo, Tag};
use crate::report::{ObjectReport, Status, StatusCode};
use crate::source::filter::{Filter, Verdict};
use crate::source::inventory::{self, InventoryFormat};
use crate::source::posture;
use crate::source::s3::{
    self, Body, BodyReader, Failure, Listed, Parts, Position, RangedReader, S3Error, S3Url, Source,
    S3,
};

/// Where a bucket scan's objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `s3://bucket/prefix`, listed.
    Prefix(S3Url),
    /// An S3 Inventory `manifest.json`.
    Inventory(S3Url),
}

/// How a bucket scan runs.
#[derive(Debug, Clone)]
pub struct BucketJob {
    /// Sources, scanned in order.
    pub sources: Vec<SourceSpec>,
    /// Every version (ListObjectVersions), not just the current ones.
    pub all_versions: bool,
    /// Which listed objects are read.
    pub filter: Filter,
    /// GETs in flight.
    pub concurrency: usize,
    /// Objects up to this size are read whole into memory.
    pub small_object: u64,
    /// Bytes held by whole-object reads at once.
    pub memory_budget: u64,
    /// Objects in flight or waiting to be handed on, at most.
    pub window: usize,
    /// Resume after this position.
    pub resume: Option<Position>,
    /// Read object tags (one GetObjectTagging per object).
    pub object_tags: bool,
    /// Read each bucket's posture (a handful of requests per bucket).
    pub posture: bool,
    /// Account id, for the account-level Block Public Access settings.
    pub account_id: Option<String>,
    /// Resumes of a broken body before the object is given up.
    pub max_resumes: u32,
}

/// Counters a progress display reads while the scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Objects listed.
    pub listed: AtomicU64,
    /// Listed objects in scope (not filtered out).
    pub selected: AtomicU64,
    /// Bytes of selected objects (their listed sizes).
    pub selected_bytes: AtomicU64,
    /// Objects finished.
    pub done: AtomicU64,
    /// Bytes received from S3.
    pub fetched: AtomicU64,
    /// All listings finished.
    pub listing_done: AtomicBool,
}

/// One object's reports, and the listing position after it.
struct Done {
    seq: u64,
    reports: Vec<ObjectReport>,
    position: Position,
    _window: OwnedSemaphorePermit,
}

/// Shared by the tasks of one scan.
struct Shared {
    scanner: Arc<Scanner>,
    s3: S3,
    job: BucketJob,
    handle: Handle,
    progress: Arc<Progress>,
    gets: Arc<Semaphore>,
    memory: Arc<Semaphore>,
    memory_permits: u64,
    matchers: Mutex<Vec<Matcher>>,
    postures: tokio::sync::Mutex<HashMap<String, Option<Arc<BucketPosture>>>>,
}

/// Memory budget unit (permits count KiB).
const KIB: u64 = 1024;

/// Range size for large objects (AWS recommends 8–16 MB).
const PART: u64 = 8 << 20;

/// Ranges of one large object in flight at once.
const RANGES_IN_FLIGHT: usize = 4;

/// Scans the job's sources, calling `sink` on the caller's thread for each object in
/// listing order with its reports (its own first, then archive members) and the listing
/// position after it. `sink` returns false to stop. Must be called outside the runtime
/// behind `handle`.
pub fn scan_s3(
    scanner: Arc<Scanner>,
    s3: S3,
    handle: Handle,
    job: BucketJob,
    progress: Arc<Progress>,
    mut sink: impl FnMut(Vec<ObjectReport>, &Position) -> bool,
) -> Result<(), S3Error> {
    let window = job.window.max(1);
    let memory_permits = (job.memory_budget / KIB).clamp(1, u64::from(u32::MAX));
    let shared = Arc::new(Shared {
        gets: Arc::new(Semaphore::new(job.concurrency.max(1))),
        memory: Arc::new(Semaphore::new(memory_permits as usize)),
        memory_permits,
        scanner,
        s3,
        job,
        handle: handle.clone(),
        progress,
        matchers: Mutex::new(Vec::new()),
        postures: tokio::sync::Mutex::new(HashMap::new()),
    });
    let (done_tx, mut done_rx) = mpsc::channel::<Done>(window);
    let (list_tx, list_rx) = mpsc::channel::<Vec<Listed>>(4);
    let lister = handle.spawn(list_all(shared.clone(), list_tx));
    let dispatcher = handle.spawn(dispatch(shared.clone(), list_rx, done_tx, window));
    let mut next = 0u64;
    let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
    let mut stopped = false;
    while let Some(done) = done_rx.blocking_recv() {
        waiting.insert(done.seq, done);
        while let Some(done) = waiting.remove(&next) {
            next += 1;
            shared.progress.done.fetch_add(1, Ordering::Relaxed);
            if !sink(done.reports, &done.position) {
                stopped = true;
                break;
            }
        }
        if stopped {
            break;
        }
    }
    // Release everything holding a window slot before waiting for the lister: the
    // dispatcher may be waiting for a slot and the lister for the dispatcher.
    drop(done_rx);
    drop(waiting);
    dispatcher.abort();
    let listed = handle.block_on(lister);
    shared.progress.listing_done.store(true, Ordering::Relaxed);
    if stopped {
        return Ok(());
    }
    match listed {
        Ok(result) => result,
        Err(e) => Err(S3Error::List {
            bucket: String::new(),
            prefix: String::new(),
            message: format!("listing task failed: {e}"),
        }),
    }
}

/// Lists every source in order, after the resume position, into `pages`.
async fn list_all(shared: Arc<Shared>, pages: mpsc::Sender<Vec<Listed>>) -> Result<(), S3Error> {
    let resume = shared.job.resume.clone();
    for (i, source) in shared.job.sources.iter().enumerate() {
        let after = match &resume {
            Some(p) if p.source > i => continue,
            Some(p) if p.source == i => Some(p),
            _ => None,
        };
        match source {
            SourceSpec::Prefix(url) => {
                s3::list(&shared.s3, i, url, shared.job.all_versions, after, &pages).await?;
            }
            SourceSpec::Inventory(url) => {
                list_inventory(&shared, i, url, after, &pages).await?;
            }
        }
        if pages.is_closed() {
            break;
        }
    }
    Ok(())
}

/// Lists the objects of an S3 Inventory: the manifest's files in order, each checked
/// against its MD5, rows after the resume position.
async fn list_inventory(
    shared: &Shared,
    source: usize,
    url: &S3Url,
    after: Option<&Position>,
    pages: &mpsc::Sender<Vec<Listed>>,
) -> Result<(), S3Error> {
    let fail = |key: &str, message: String| S3Error::Read {
        bucket: url.bucket.clone(),
        key: key.to_string(),
        message,
    };
    let manifest_bytes = shared.s3.get_bytes(&url.bucket, &url.prefix).await?;
    let manifest =
        inventory::parse_manifest(&manifest_bytes).map_err(|e| fail(&url.prefix, e.to_string()))?;
    let (first_file, first_row) = after
        .and_then(|p| p.row)
        .map_or((0, None), |(f, r)| (f, Some(r)));
    for (index, file) in manifest.files.iter().enumerate().skip(first_file) {
        let bytes = shared
            .s3
            .get_bytes(&manifest.destination_bucket, &file.key)
            .await?;
        if let Some(md5) = &file.md5 {
            if !inventory::checksum_ok(&bytes, md5) {
                return Err(fail(
                    &file.key,
                    "the inventory file does not match the manifest's MD5 checksum".into(),
                ));
            }
        }
        let mut listed = Vec::new();
        let mut row = 0u64;
        let all_versions = shared.job.all_versions;
        let mut add = |info: ObjectInfo, latest: bool| {
            let this = row;
            row += 1;
            if first_row.is_some_and(|r| index == first_file && this <= r) {
                return;
            }
            if !all_versions && !latest {
                return;
            }
            listed.push(Listed {
                position: Position {
                    source,
                    key: info.key.clone(),
                    version_id: info.version_id.clone(),
                    row: Some((index, this)),
                },
                info,
                restored: false,
            });
        };
        match manifest.format {
            InventoryFormat::Csv => inventory::read_csv(&bytes, &manifest, &mut add),
            InventoryFormat::Parquet => inventory::read_parquet(bytes.clone(), &manifest, &mut add),
            InventoryFormat::Orc => Err(inventory::InventoryError::Orc),
        }
        .map_err(|e| fail(&file.key, e.to_string()))?;
        for page in listed.chunks(1000) {
            if pages.send(page.to_vec()).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Applies the filters and starts a task per selected object, at most `window` ahead of
/// the oldest object not yet handed on.
async fn dispatch(
    shared: Arc<Shared>,
    mut pages: mpsc::Receiver<Vec<Listed>>,
    done: mpsc::Sender<Done>,
    window: usize,
) {
    let slots = Arc::new(Semaphore::new(window));
    let mut seq = 0u64;
    // Set when every listed object has been counted (the lister may finish earlier:
    // its last pages wait in the channel).
    let _listed = ListingDone(shared.progress.clone());
    while let Some(page) = pages.recv().await {
        for listed in page {
            let p = &shared.progress;
            p.listed.fetch_add(1, Ordering::Relaxed);
            let verdict = shared.job.filter.check(&listed.info, listed.restored);
            if verdict == Verdict::Exclude {
                continue;
            }
            p.selected.fetch_add(1, Ordering::Relaxed);
            p.selected_bytes
                .fetch_add(listed.info.size, Ordering::Relaxed);
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let this = seq;
            seq += 1;
            if let Verdict::Skip(reason, note) = verdict {
                let mut info = listed.info;
                info.posture = posture_of(&shared, &info.bucket).await;
                let reports = vec![skipped(info, reason, note)];
                let d = Done {
                    seq: this,
                    reports,
                    position: listed.position,
                    _window: slot,
                };
                if done.send(d).await.is_err() {
                    return;
                }
                continue;
            }
            let Ok(get) = shared.gets.clone().acquire_owned().await else {
                return;
            };
            let shared = shared.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let reports = fetch_and_scan(&shared, listed.info).await;
                drop(get);
                let d = Done {
                    seq: this,
                    reports,
                    position: listed.position,
                    _window: slot,
                };
                // A closed channel means the caller stopped: nothing left to do.
                let _ = done.send(d).await;
            });
        }
    }
}

/// Marks the listing done when dropped (the dispatcher ran out of pages, or stopped).
struct ListingDone(Arc<Progress>);

impl Drop for ListingDone {
    fn drop(&mut self) {
        self.0.listing_done.store(true, Ordering::Relaxed);
    }
}

/// Resolves every S3 Control request to one endpoint, unchanged.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

/// The bucket's posture, read once per bucket.
async fn posture_of(shared: &Shared, bucket: &str) -> Option<Arc<BucketPosture>> {
    if !shared.job.posture {
        return None;
    }
    let mut cache = shared.postures.lock().await;
    if let Some(p) = cache.get(bucket) {
        return p.clone();
    }
    let region = shared.s3.bucket_region(bucket).await;
    let client = shared.s3.client_in(&region);
    // Account-level Block Public Access is AWS's S3 Control API. With `--endpoint-url` it
    // is asked at that endpoint as given (S3 Control's endpoint rules would put the account
    // id in front of the host); a store without the API leaves the account level unknown.
    let control = shared.job.account_id.as_ref().map(|_| {
        let mut conf = aws_sdk_s3control::config::Builder::from(shared.s3.sdk_config())
            .region(aws_sdk_s3control::config::Region::new(region.clone()));
        if let Some(url) = shared.s3.endpoint_url() {
            conf = conf.endpoint_resolver(FixedEndpoint(url.to_string()));
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    });
    let p = posture::read_posture(
        &client,
        control.as_ref(),
        shared.job.account_id.as_deref(),
        bucket,
        Some(&region),
    )
    .await;
    let p = Some(Arc::new(p));
    cache.insert(bucket.to_string(), p.clone());
    p
}

async fn object_tags(
    shared: &Shared,
    client: &aws_sdk_s3::Client,
    info: &ObjectInfo,
) -> Option<Vec<Tag>> {
    if !shared.job.object_tags {
        return None;
    }
    let out = client
        .get_object_tagging()
        .bucket(&info.bucket)
        .key(&info.key)
        .set_version_id(info.version_id.clone())
        .set_request_payer(shared.s3.request_payer())
        .send()
        .await
        .ok()?;
    Some(posture::tags(out.tag_set()))
}

/// Reads one object and scans it on the rayon pool.
async fn fetch_and_scan(shared: &Arc<Shared>, mut info: ObjectInfo) -> Vec<ObjectReport> {
    let client = shared.s3.client_for(&info.bucket).await;
    let (posture, tags, opened) = tokio::join!(
        posture_of(shared, &info.bucket),
        object_tags(shared, &client, &info),
        Body::open(
            &shared.s3,
            client.clone(),
            &info,
            shared.job.max_resumes,
            (info.size > shared.job.small_object).then_some(PART),
        ),
    );
    info.posture = posture;
    info.tags = tags;
    let (mut body, encryption) = match opened {
        Ok(b) => b,
        Err(f) => return vec![skipped(info, f.reason, f.note)],
    };
    info.encryption = Some(encryption);
    let len = body.total;
    let failure: Arc<Mutex<Option<Failure>>> = Arc::default();
    let fetched = &shared.progress.fetched;
    let mut reports = if len <= shared.job.small_object {
        // Whole in memory, within the shared budget.
        let kib = (len / KIB + 1).min(shared.memory_permits) as u32;
        let Ok(_memory) = shared.memory.clone().acquire_many_owned(kib).await else {
            return vec![skipped(
                info,
                crate::report::reason::UNABLE_TO_PARSE_FILE,
                "scan stopped".into(),
            )];
        };
        let mut data = Vec::with_capacity(len as usize);
        loop {
            match body.next().await {
                Ok(Some(b)) => {
                    fetched.fetch_add(b.len() as u64, Ordering::Relaxed);
                    data.extend_from_slice(&b);
                }
                Ok(None) => break,
                Err(f) if data.is_empty() => return vec![skipped(info, f.reason, f.note)],
                Err(f) => {
                    *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                    break;
                }
            }
        }
        let size = data.len() as u64;
        let info2 = info.clone();
        on_pool(shared, move |scanner, m| {
            let input = Input::Seekable(Box::new(io::Cursor::new(data)), size);
            scanner.scan_input(input, &info2, Some(size), m)
        })
        .await
    } else {
        // Large: look at the first piece to pick streaming or ranged reads.
        let head = match body.next().await {
            Ok(h) => h.unwrap_or_default(),
            Err(f) => return vec![skipped(info, f.reason, f.note)],
        };
        fetched.fetch_add(head.len() as u64, Ordering::Relaxed);
        let format = Format::detect(&head, &info.extension());
        let handle = shared.handle.clone();
        let info2 = info.clone();
        let f2 = failure.clone();
        if matches!(format, Format::Zip | Format::Parquet) {
            drop(body);
            let s3 = shared.s3.clone();
            let progress = shared.progress.clone();
            on_pool(shared, move |scanner, m| {
                let mut ranged = RangedReader::new(handle, &s3, client, info2.clone(), 8 << 20, f2);
                ranged.fetched = Arc::new(AtomicU64::new(0));
                let counter = ranged.fetched.clone();
                let reports = scanner.scan_input(
                    Input::Seekable(Box::new(ranged), len),
                    &info2,
                    Some(len),
                    m,
                );
                progress
                    .fetched
                    .fetch_add(counter.load(Ordering::Relaxed), Ordering::Relaxed);
                reports
            })
            .await
        } else {
            let progress = shared.progress.clone();
            // The first range came with the headers; the rest comes as parallel ranges,
            // their memory taken from the shared budget.
            let depth = RANGES_IN_FLIGHT.min((shared.memory_permits * KIB / PART).max(1) as usize);
            let want = (depth as u64 * PART / KIB).min(shared.memory_permits) as u32;
            let Ok(memory) = shared.memory.clone().acquire_many_owned(want).await else {
                return vec![skipped(
                    info,
                    crate::report::reason::UNABLE_TO_PARSE_FILE,
                    "scan stopped".into(),
                )];
            };
            let first_len = body.length;
            let parts = Parts::new(
                &shared.s3,
                client,
                info.clone(),
                first_len..len,
                PART,
                depth,
                shared.job.max_resumes,
            );
            on_pool(shared, move |scanner, m| {
                let _memory = memory;
                let first = BodyReader::new(handle.clone(), Source::Body(body), f2.clone());
                let rest = BodyReader::new(handle, Source::Parts(parts), f2);
                let mut counted = Counting {
                    inner: io::Cursor::new(head).chain(first).chain(rest),
                    progress,
                };
                scanner.scan_input(Input::SendStream(&mut counted), &info2, Some(len), m)
            })
            .await
        }
    };
    if let Some(f) = failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
        if let Some(own) = reports.first_mut() {
            own.status = if own.size_classified == 0 && own.detections.is_empty() {
                Status::skipped(f.reason)
            } else {
                Status::partial(f.reason)
            };
            own.error = Some(f.note);
        }
    }
    for r in &mut reports {
        r.object.encryption.clone_from(&info.encryption);
        r.object.tags.clone_from(&info.tags);
        r.object.posture.clone_from(&info.posture);
    }
    if reports.is_empty() {
        reports.push(skipped(
            info,
            crate::report::reason::UNABLE_TO_PARSE_FILE,
            "no result".into(),
        ));
    }
    debug_assert!(reports[0].status.code != StatusCode::Complete || reports[0].error.is_none());
    reports
}

/// Counts streamed bytes into the progress counters.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.fetched.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Runs `work` on the scanner's rayon pool with a pooled matcher.
async fn on_pool<F>(shared: &Arc<Shared>, work: F) -> Vec<ObjectReport>
where
    F: FnOnce(&Scanner, &mut Matcher) -> Vec<ObjectReport> + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let s = shared.clone();
    shared.scanner.pool.spawn(move || {
        let taken = s.matchers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut matcher = taken.unwrap_or_else(|| Matcher::new(s.scanner.detectors()));
        let reports = work(&s.scanner, &mut matcher);
        s.matchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(matcher);
        // The receiver is gone only when the scan was stopped.
        let _ = tx.send(reports);
    });
    rx.await.unwrap_or_default()
}

//! The scan orchestrator: the one module that joins sources, decoders, the matcher and
//! reports. It owns the rayon pool; objects are scanned in parallel windows, each large
//! object in parallel chunks, and reports come out in listing order whatever `jobs` is.
//!
//! Every listed object yields exactly one [`ObjectReport`] of its own (archives add one per
//! member, marked with their embedded path): unreadable, binary, malformed or oversized
//! objects become `SKIPPED` (or `PARTIAL`) with Macie's reason, and the scan goes on. Only configuration errors (bad detectors, bad paths) are fatal, before any
//! object is read.

pub mod bucket;

use std::io::{self, Read};

use md5::{Digest, Md5};
use rayon::prelude::*;

use crate::decode::walk::{Settings, Walker};
use crate::decode::{text, Format, Input, Limits, Meter, Metered};
use crate::matcher::Matcher;
use crate::object::ObjectInfo;
use crate::report::{reason, ObjectReport, Status};

/// Bytes read to sniff an object's format.
const HEAD: usize = 8192;
use crate::source::local::{self, LocalObject};
use crate::{AllowList, DetectorSet};

/// Scan settings. Every limit lives here, with Macie's quota as the default.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Worker threads (0 = available cores).
    pub jobs: usize,
    /// Bytes per scanned chunk.
    pub chunk_len: usize,
    /// Decoding limits (Macie's quotas by default).
    pub limits: Limits,
    /// Locations kept per detection (Macie's discovery results: 1,000).
    pub max_occurrences: usize,
    /// Objects scanned per parallel window (bounds memory held for ordered output).
    pub window: usize,
    /// Keep masked samples of matches (Macie's reveal; off by default).
    pub reveal_samples: bool,
}

impl Default for ScanConfig {
    fn default() -> ScanConfig {
        ScanConfig {
            jobs: 0,
            chunk_len: 1 << 20,
            limits: Limits::default(),
            max_occurrences: 1000,
            window: 256,
            reveal_samples: false,
        }
    }
}

/// Why a scanner could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The thread pool could not start.
    #[error("cannot start {jobs} worker threads: {message}")]
    Pool {
        /// Requested threads.
        jobs: usize,
        /// What rayon said.
        message: String,
    },
}

/// Scans objects with one detector set on its own rayon pool.
#[derive(Debug)]
pub struct Scanner {
    set: DetectorSet,
    allow: Option<AllowList>,
    config: ScanConfig,
    pool: rayon::ThreadPool,
}

/// A reader that hashes what passes through (S3's single-part ETag is the content's MD5).
struct Hashing<R> {
    inner: R,
    md5: Md5,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl Scanner {
    /// A scanner with its own pool of `config.jobs` threads.
    pub fn new(
        set: DetectorSet,
        allow: Option<AllowList>,
        config: ScanConfig,
    ) -> Result<Scanner, ScanError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.jobs)
            .thread_name(|i| format!("s3pii-scan-{i}"))
            .build()
            .map_err(|e| ScanError::Pool {
                jobs: config.jobs,
                message: e.to_string(),
            })?;
        Ok(Scanner {
            set,
            allow,
            config,
            pool,
        })
    }

    /// The detector set.
    pub fn detectors(&self) -> &DetectorSet {
        &self.set
    }

    /// The configuration.
    pub fn config(&self) -> &ScanConfig {
        &self.config
    }

    /// Scans local objects, calling `sink` once per object in listing order, each
    /// archive's report followed by its members' reports.
    pub fn scan_local(&self, objects: &[LocalObject], mut sink: impl FnMut(ObjectReport)) {
        for window in objects.chunks(self.config.window.max(1)) {
            let reports: Vec<Vec<ObjectReport>> = self.pool.install(|| {
                window
                    .par_iter()
                    .map_init(|| Matcher::new(&self.set), |m, obj| self.scan_one(obj, m))
                    .collect()
            });
            reports.into_iter().flatten().for_each(&mut sink);
        }
    }

    fn scan_one(&self, obj: &LocalObject, matcher: &mut Matcher) -> Vec<ObjectReport> {
        let mut info = obj.info.clone();
        if let Some(kind) = obj.list_error {
            return vec![skipped(
                info,
                io_reason(kind),
                format!("cannot list: {}", io::Error::from(kind)),
            )];
        }
        let reader = match local::open(obj) {
            Ok(r) => r,
            Err(e) => {
                return vec![skipped(
                    info,
                    io_reason(e.kind()),
                    format!("cannot open: {e}"),
                )]
            }
        };
        let mut reader = Hashing {
            inner: reader,
            md5: Md5::new(),
            bytes: 0,
        };
        let mut head = Vec::with_capacity(HEAD);
        if let Err(e) = (&mut reader).take(HEAD as u64).read_to_end(&mut head) {
            return vec![skipped(
                info,
                io_reason(e.kind()),
                format!("cannot read: {e}"),
            )];
        }
        let format = Format::detect(&head, &info.extension());
        let random_access = matches!(format, Format::Zip | Format::Parquet);
        let mut reports = match (&obj.path, random_access) {
            (Some(path), true) => match std::fs::File::open(path) {
                Ok(file) => {
                    let input = Input::Seekable(Box::new(file), info.size);
                    let reports = self.scan_input(input, &info, Some(info.size), matcher);
                    // The content was read out of order: hash it in a second pass.
                    info.etag = std::fs::File::open(path)
                        .and_then(|f| {
                            let mut h = Hashing {
                                inner: f,
                                md5: Md5::new(),
                                bytes: 0,
                            };
                            io::copy(&mut h, &mut io::sink())?;
                            Ok(hex(h.md5))
                        })
                        .ok();
                    reports
                }
                Err(e) => vec![skipped(
                    info.clone(),
                    io_reason(e.kind()),
                    format!("cannot open: {e}"),
                )],
            },
            _ => {
                let size = obj.path.as_ref().map(|_| info.size);
                let mut stream = io::Cursor::new(head).chain(&mut reader);
                let reports = self.scan_input(Input::SendStream(&mut stream), &info, size, matcher);
                // Hash what was not read (skipped objects) so the ETag covers the whole
                // content.
                if io::copy(&mut reader, &mut io::sink()).is_ok() {
                    info.etag = Some(hex(reader.md5.clone()));
                }
                if obj.path.is_none() {
                    info.size = reader.bytes;
                }
                reports
            }
        };
        for r in &mut reports {
            r.object.etag.clone_from(&info.etag);
            r.object.size = info.size;
        }
        reports
    }

    /// Scans one object's bytes: its own report first, then one report per archive member
    /// (in archive order). `size` is the object's size when known up front.
    pub fn scan_input(
        &self,
        input: Input<'_>,
        info: &ObjectInfo,
        size: Option<u64>,
        matcher: &mut Matcher,
    ) -> Vec<ObjectReport> {
        let settings = Settings {
            text: text::TextScan {
                set: &self.set,
                allow: self.allow.as_ref(),
                chunk_len: self.config.chunk_len,
                parallel_chunks: self.pool.current_num_threads(),
                utf8: true,
            },
            max_occurrences: self.config.max_occurrences,
            reveal: self.config.reveal_samples,
        };
        let mut walker = Walker::new(settings, self.config.limits.clone(), info);
        let budget = walker.budget.clone();
        let mut collector = walker.collector();
        // The object's own bytes are metered as compressed input (the ratio guard).
        let mut decode =
            |input: Input<'_>| walker.decode(input, &info.key, size, 0, matcher, &mut collector);
        let outcome = match input {
            Input::Stream(r) => decode(Input::Stream(&mut Metered::new(
                r,
                budget,
                Meter::Compressed,
            ))),
            Input::SendStream(r) => decode(Input::SendStream(&mut Metered::new(
                r,
                budget,
                Meter::Compressed,
            ))),
            Input::Seekable(r, len) => decode(Input::Seekable(
                Box::new(Metered::new(r, budget, Meter::Compressed)),
                len,
            )),
        };
        let mut error = outcome.error;
        if walker.members_dropped > 0 {
            let note = format!(
                "{} member results beyond the first {} were not written (counted in this result)",
                walker.members_dropped,
                walker.members.len()
            );
            error = Some(match error {
                Some(e) => format!("{e}; {note}"),
                None => note,
            });
        }
        let mut reports = Vec::with_capacity(1 + walker.members.len());
        reports.push(ObjectReport {
            object: info.clone(),
            status: outcome.status,
            mime_type: outcome.mime.into(),
            size_classified: outcome.size_classified,
            detections: collector.finish(),
            error,
            embedded: None,
        });
        reports.append(&mut walker.members);
        reports
    }
}

fn hex(md5: Md5) -> String {
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn io_reason(kind: io::ErrorKind) -> &'static str {
    match kind {
        io::ErrorKind::NotFound => reason::SOURCE_OBJECT_NO_LONGER_AVAILABLE,
        io::ErrorKind::PermissionDenied => reason::PERMISSION_DENIED,
        _ => reason::UNABLE_TO_PARSE_FILE,
    }
}

fn skipped(object: ObjectInfo, why: &'static str, error: String) -> ObjectReport {
    ObjectReport {
        object,
        status: Status::skipped(why),
        mime_type: "application/octet-stream".into(),
        size_classified: 0,
        detections: Vec::new(),
        error: Some(error),
        embedded: None,
    }
}

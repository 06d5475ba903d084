//! The scan orchestrator: the one module that joins sources, decoders, the matcher and
//! reports. It owns the rayon pool; objects are scanned in parallel windows, each large
//! object in parallel chunks, and reports come out in listing order whatever `jobs` is.
//!
//! Every listed object yields exactly one [`ObjectReport`]: unreadable, binary or
//! oversized objects become `SKIPPED` (or `PARTIAL`) with Macie's reason, and the scan
//! goes on. Only configuration errors (bad detectors, bad paths) are fatal, before any
//! object is read.

use std::io::{self, Read};

use md5::{Digest, Md5};
use rayon::prelude::*;

use crate::decode::{self, text, Sniffed};
use crate::matcher::Matcher;
use crate::object::ObjectInfo;
use crate::report::{reason, DetectionCollector, ObjectReport, Status};
use crate::source::local::{self, LocalObject};
use crate::{AllowList, DetectorSet};

/// Scan settings. Every limit lives here, with Macie's quota as the default.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Worker threads (0 = available cores).
    pub jobs: usize,
    /// Bytes per scanned chunk.
    pub chunk_len: usize,
    /// Largest text object analysed (Macie: 20 GB).
    pub max_text_bytes: u64,
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
            max_text_bytes: 20_000_000_000,
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

    /// Scans local objects, calling `sink` once per object in listing order.
    pub fn scan_local(&self, objects: &[LocalObject], mut sink: impl FnMut(ObjectReport)) {
        for window in objects.chunks(self.config.window.max(1)) {
            let reports: Vec<ObjectReport> = self.pool.install(|| {
                window
                    .par_iter()
                    .map_init(|| Matcher::new(&self.set), |m, obj| self.scan_one(obj, m))
                    .collect()
            });
            reports.into_iter().for_each(&mut sink);
        }
    }

    fn scan_one(&self, obj: &LocalObject, matcher: &mut Matcher) -> ObjectReport {
        let mut info = obj.info.clone();
        if let Some(kind) = obj.list_error {
            return skipped(
                info,
                io_reason(kind),
                format!("cannot list: {}", io::Error::from(kind)),
            );
        }
        let reader = match local::open(obj) {
            Ok(r) => r,
            Err(e) => return skipped(info, io_reason(e.kind()), format!("cannot open: {e}")),
        };
        let mut reader = Hashing {
            inner: reader,
            md5: Md5::new(),
            bytes: 0,
        };
        let mut report = self.scan_reader(&mut reader, &mut info, matcher);
        // Hash what was not read (skipped objects) so the ETag covers the whole content.
        if io::copy(&mut reader, &mut io::sink()).is_ok() {
            report.object.etag = Some(
                reader
                    .md5
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            );
        }
        if obj.path.is_none() {
            report.object.size = reader.bytes;
        }
        report
    }

    /// Scans one object's bytes. `info` describes it.
    pub fn scan_reader<R: Read>(
        &self,
        reader: &mut R,
        info: &mut ObjectInfo,
        matcher: &mut Matcher,
    ) -> ObjectReport {
        let info: &ObjectInfo = info;
        let mut head = Vec::with_capacity(8192);
        if let Err(e) = reader.by_ref().take(8192).read_to_end(&mut head) {
            return skipped(
                info.clone(),
                io_reason(e.kind()),
                format!("cannot read: {e}"),
            );
        }
        let sniffed = decode::sniff(&head);
        if sniffed == Sniffed::Unsupported {
            let mut r = skipped(
                info.clone(),
                reason::UNSUPPORTED_FILE_TYPE,
                "binary or unsupported format".into(),
            );
            r.mime_type = decode::binary_mime(&head).into();
            return r;
        }
        let mime = decode::text_mime(&info.extension());
        if info.size > self.config.max_text_bytes {
            let mut r = skipped(
                info.clone(),
                reason::FILE_EXCEEDS_SIZE_LIMIT,
                format!("larger than {} bytes", self.config.max_text_bytes),
            );
            r.mime_type = mime.into();
            return r;
        }
        let mut collector =
            DetectionCollector::new(self.set.detectors().len(), self.config.max_occurrences);
        if self.config.reveal_samples {
            collector = collector.reveal_samples();
        }
        let parallel = self.pool.current_num_threads();
        let mut opts = text::TextScan {
            set: &self.set,
            allow: self.allow.as_ref(),
            chunk_len: self.config.chunk_len,
            parallel_chunks: parallel,
            utf8: true,
        };
        let stream = io::Cursor::new(head).chain(reader);
        let scanned = match sniffed {
            Sniffed::Utf16 => {
                let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(stream);
                text::scan_text(decoded, opts, matcher, &mut collector)
            }
            Sniffed::Text { utf8 } => {
                opts.utf8 = utf8;
                text::scan_text(stream, opts, matcher, &mut collector)
            }
            Sniffed::Unsupported => Ok(0),
        };
        let (status, size, error) = match scanned {
            Ok(n) => (Status::COMPLETE, n, None),
            Err(e) => (
                Status::partial(reason::UNABLE_TO_PARSE_FILE),
                0,
                Some(format!("read failed part-way: {e}")),
            ),
        };
        ObjectReport {
            object: info.clone(),
            status,
            mime_type: mime.into(),
            size_classified: size,
            detections: collector.finish(),
            error,
        }
    }
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
    }
}

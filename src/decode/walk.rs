//! The decoding driver: one object in, its result and its members' results out.
//!
//! [`Walker::decode`] sniffs a file, applies its size cap, and hands it to the decoder for
//! its format. Compressed files (gzip, zstd) are transparent: their content is decoded as
//! the file inside. Archives (zip, tar, and a gzip or zstd holding a tar) open each member
//! one level deeper; every member gets its own [`ObjectReport`] with its embedded path,
//! and the archive's own report holds the totals. All levels share one [`Budget`], so the
//! archive-wide limits (bytes, files, ratio) stop a bomb wherever it hides.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::SystemTime;

use super::{archive, avro, csv, json, parquet, text, Budget, Format, Input, Limits};
use crate::matcher::Matcher;
use crate::object::ObjectInfo;
use crate::report::{reason, DetectionCollector, EmbeddedFile, ObjectReport, Status};

/// Bytes read to sniff a file's format.
const HEAD: usize = 8192;

/// How one file (object or member) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Status and reason.
    pub status: Status,
    /// MIME type Macie would report.
    pub mime: &'static str,
    /// Bytes analysed.
    pub size_classified: u64,
    /// Why it is not complete (about the file, never its content).
    pub error: Option<String>,
}

impl Outcome {
    /// A fully analysed file.
    pub fn complete(mime: &'static str, size: u64) -> Outcome {
        Outcome {
            status: Status::COMPLETE,
            mime,
            size_classified: size,
            error: None,
        }
    }

    /// A file not analysed.
    pub fn skipped(mime: &'static str, why: &'static str, error: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::skipped(why),
            mime,
            size_classified: 0,
            error: Some(error.into()),
        }
    }

    /// A file analysed in part.
    pub fn partial(
        mime: &'static str,
        why: &'static str,
        size: u64,
        error: impl Into<String>,
    ) -> Outcome {
        Outcome {
            status: Status::partial(why),
            mime,
            size_classified: size,
            error: Some(error.into()),
        }
    }
}

/// Scan settings every decoder needs.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// Text scanning (detectors, allow list, chunking).
    pub text: text::TextScan<'a>,
    /// Locations kept per detection.
    pub max_occurrences: usize,
    /// Keep masked samples.
    pub reveal: bool,
}

/// Decodes one object and its members.
pub struct Walker<'a> {
    /// Settings.
    pub settings: Settings<'a>,
    /// Shared limits and counters.
    pub budget: Arc<Budget>,
    /// The object being decoded (members are reported against it).
    pub object: &'a ObjectInfo,
    /// Member reports, in archive order (capped by `max_member_results`).
    pub members: Vec<ObjectReport>,
    /// Member reports not kept because of the cap.
    pub members_dropped: u64,
    /// Path of the archive member being decoded, with a trailing `/` (nested members'
    /// paths start with it).
    prefix: String,
}

impl<'a> Walker<'a> {
    /// A walker for `object`.
    pub fn new(settings: Settings<'a>, limits: Limits, object: &'a ObjectInfo) -> Walker<'a> {
        Walker {
            settings,
            budget: Budget::new(limits),
            object,
            members: Vec::new(),
            members_dropped: 0,
            prefix: String::new(),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        self.budget.limits()
    }

    /// A fresh collector for one file.
    pub fn collector(&self) -> DetectionCollector {
        let c = DetectionCollector::new(
            self.settings.text.set.detectors().len(),
            self.settings.max_occurrences,
        );
        if self.settings.reveal {
            c.reveal_samples()
        } else {
            c
        }
    }

    /// Decodes one file named `name` (for its extension) at nesting `depth` (0 = the
    /// object itself), adding what it finds to `out`. `size` is its size if known.
    pub fn decode(
        &mut self,
        input: Input<'_>,
        name: &str,
        size: Option<u64>,
        depth: u32,
        matcher: &mut Matcher,
        out: &mut DetectionCollector,
    ) -> Outcome {
        let ext = super::extension_of(name);
        let mut head = Vec::with_capacity(HEAD);
        let head_result = match input {
            Input::Stream(r) => (&mut *r)
                .take(HEAD as u64)
                .read_to_end(&mut head)
                .map(|_| Input::Stream(r)),
            Input::SendStream(r) => (&mut *r)
                .take(HEAD as u64)
                .read_to_end(&mut head)
                .map(|_| Input::SendStream(r)),
            Input::Seekable(mut r, len) => (&mut r)
                .take(HEAD as u64)
                .read_to_end(&mut head)
                .and_then(|_| r.seek(SeekFrom::Start(0)))
                .map(|_| Input::Seekable(r, len)),
        };
        let input = match head_result {
            Ok(i) => i,
            Err(e) => return self.read_failure(&e, "application/octet-stream", 0),
        };
        let format = Format::detect(&head, &ext);
        let mime = format.mime(&ext);
        if let Format::Unsupported(_) = format {
            return Outcome::skipped(
                mime,
                reason::UNSUPPORTED_FILE_TYPE,
                "binary or unsupported format",
            );
        }
        let known = size.or(match &input {
            Input::Seekable(_, len) => Some(*len),
            Input::Stream(_) | Input::SendStream(_) => None,
        });
        if let Some(n) = known.filter(|&n| n > self.limits().size_cap(format)) {
            let why = if depth == 0 && format.is_container() {
                reason::ARCHIVE_EXCEEDS_SIZE_LIMIT
            } else {
                reason::FILE_EXCEEDS_SIZE_LIMIT
            };
            return Outcome::skipped(mime, why, format!("{n} bytes is over the {format:?} limit"));
        }
        if format.is_container() && depth >= self.limits().max_nesting {
            return Outcome::skipped(
                mime,
                reason::ARCHIVE_NESTING_LEVEL_OVER_LIMIT,
                format!(
                    "archive nested deeper than {} levels",
                    self.limits().max_nesting
                ),
            );
        }
        match format {
            Format::Zip => return archive::zip(self, input, head, depth, matcher, out),
            Format::Parquet => {
                return match self.random_access(input, head, size) {
                    Ok((source, len)) => self.guarded(mime, matcher, out, |w, m, o| {
                        parquet::scan(w, source, len, m, o)
                    }),
                    Err(o) => o,
                }
            }
            _ => {}
        }
        let utf8 = super::is_utf8(&head);
        let input = match input {
            Input::SendStream(r) if matches!(format, Format::Gzip | Format::Zstd) => {
                let mut whole = io::Cursor::new(head).chain(r);
                return archive::decompress_pipelined(
                    self, format, &mut whole, name, depth, matcher, out,
                );
            }
            other => other,
        };
        let mut prefix = io::Cursor::new(head);
        let mut chained;
        let mut seekable;
        let mut chained_send;
        let stream: &mut dyn Read = match input {
            Input::Stream(r) => {
                chained = (&mut prefix).chain(r);
                &mut chained
            }
            Input::SendStream(r) => {
                chained_send = (&mut prefix).chain(r);
                &mut chained_send
            }
            Input::Seekable(r, _) => {
                seekable = r;
                &mut *seekable
            }
        };
        match format {
            Format::Gzip | Format::Zstd => {
                archive::decompress(self, format, stream, name, depth, matcher, out)
            }
            Format::Tar => archive::tar(self, stream, depth, matcher, out),
            Format::Avro => self.guarded(mime, matcher, out, |w, m, o| avro::scan(w, stream, m, o)),
            Format::Csv | Format::Tsv => {
                csv::scan(self, stream, format == Format::Tsv, utf8, matcher, out)
            }
            Format::Json => json::scan_document(self, stream, utf8, matcher, out),
            Format::JsonLines => json::scan_lines(self, stream, utf8, matcher, out),
            Format::Utf16 => {
                let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(stream);
                self.text(decoded, true, mime, matcher, out)
            }
            _ => self.text(stream, utf8, mime, matcher, out),
        }
    }

    /// Runs a decoder built on a third-party parser that may panic on hostile input (an
    /// assertion deep in its metadata handling): a panic becomes a `MALFORMED_FILE` result
    /// (or `PARTIAL` with what was found before it) instead of ending the scan.
    fn guarded(
        &mut self,
        mime: &'static str,
        matcher: &mut Matcher,
        out: &mut DetectionCollector,
        decode: impl FnOnce(&mut Walker<'a>, &mut Matcher, &mut DetectionCollector) -> Outcome,
    ) -> Outcome {
        let mut found = self.collector();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            decode(self, matcher, &mut found)
        }));
        let empty = found.is_empty();
        out.merge(&found.finish());
        match result {
            Ok(outcome) => outcome,
            Err(_) if empty => Outcome::skipped(
                mime,
                reason::MALFORMED_FILE,
                "the decoder failed on malformed content",
            ),
            Err(_) => Outcome::partial(
                mime,
                reason::UNABLE_TO_PARSE_FILE,
                0,
                "the decoder failed part-way on malformed content",
            ),
        }
    }

    /// Scans plain text.
    pub fn text<R: Read>(
        &mut self,
        reader: R,
        utf8: bool,
        mime: &'static str,
        matcher: &mut Matcher,
        out: &mut DetectionCollector,
    ) -> Outcome {
        let opts = text::TextScan {
            utf8,
            ..self.settings.text
        };
        let mut counted = Counted {
            inner: reader,
            n: 0,
        };
        match text::scan_text(&mut counted, opts, matcher, out) {
            Ok(n) => Outcome::complete(mime, n),
            Err(e) => self.read_failure(&e, mime, counted.n),
        }
    }

    /// The outcome of a read that failed part-way: an archive-wide limit, a per-member
    /// limit, or a truncated or unreadable stream.
    pub fn read_failure(&self, e: &io::Error, mime: &'static str, read: u64) -> Outcome {
        if let Some(why) = self.budget.tripped().or(super::limit_of(e)) {
            return Outcome::partial(mime, why, read, format!("stopped: {e}"));
        }
        let why = match e.kind() {
            io::ErrorKind::NotFound => reason::SOURCE_OBJECT_NO_LONGER_AVAILABLE,
            io::ErrorKind::PermissionDenied => reason::PERMISSION_DENIED,
            _ => reason::UNABLE_TO_PARSE_FILE,
        };
        if read == 0 {
            Outcome::skipped(mime, why, format!("cannot read: {e}"))
        } else {
            Outcome::partial(mime, why, read, format!("read failed part-way: {e}"))
        }
    }

    /// A seekable view of a file that needs random access (zip directory, Parquet footer):
    /// the input itself if seekable, else the stream buffered in memory up to
    /// `max_buffered`.
    fn random_access(
        &self,
        input: Input<'_>,
        head: Vec<u8>,
        size: Option<u64>,
    ) -> Result<(Box<dyn super::ReadSeek>, u64), Outcome> {
        match input {
            Input::Seekable(r, len) => Ok((r, len)),
            Input::Stream(r) => self.buffer(r, head, size),
            Input::SendStream(r) => self.buffer(r, head, size),
        }
    }

    /// A stream read into memory, up to `max_buffered` (a Parquet file inside an archive).
    fn buffer(
        &self,
        r: &mut dyn Read,
        head: Vec<u8>,
        size: Option<u64>,
    ) -> Result<(Box<dyn super::ReadSeek>, u64), Outcome> {
        let cap = self.budget.buffer_room();
        let too_large = || {
            Outcome::skipped(
                "application/parquet",
                reason::FILE_EXCEEDS_SIZE_LIMIT,
                format!("a non-seekable Parquet file over {cap} bytes cannot be read"),
            )
        };
        if size.is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let mut buf = head;
        let room = (cap + 1).saturating_sub(buf.len() as u64);
        if let Err(e) = r.take(room).read_to_end(&mut buf) {
            return Err(self.read_failure(&e, "application/parquet", 0));
        }
        if buf.len() as u64 > cap {
            return Err(too_large());
        }
        let len = buf.len() as u64;
        Ok((Box::new(io::Cursor::new(buf)), len))
    }

    /// Decodes one archive member at `depth` and records its report. Returns its outcome
    /// so the archive can derive its own status.
    pub fn member(
        &mut self,
        input: Input<'_>,
        member: &Member<'_>,
        depth: u32,
        matcher: &mut Matcher,
        archive: &mut DetectionCollector,
    ) -> Outcome {
        let mut collector = self.collector();
        // The member's own record goes before those of its members.
        let slot = self.members.len();
        let inner = format!("{}{}/", self.prefix, member.path);
        let outer = std::mem::replace(&mut self.prefix, inner);
        let outcome = self.decode(
            input,
            member.path,
            Some(member.size),
            depth,
            matcher,
            &mut collector,
        );
        self.prefix = outer;
        let detections = collector.finish();
        archive.merge(&detections);
        let before = self.members.len();
        self.push_member(member, outcome.clone(), detections);
        if self.members.len() > before && slot < before {
            let own = self.members.remove(self.members.len() - 1);
            self.members.insert(slot, own);
        }
        outcome
    }

    /// Records a member's report (kept up to `max_member_results`).
    pub fn push_member(
        &mut self,
        member: &Member<'_>,
        outcome: Outcome,
        detections: Vec<crate::report::DetectionReport>,
    ) {
        if self.members.len() >= self.limits().max_member_results {
            self.members_dropped += 1;
            return;
        }
        self.members.push(ObjectReport {
            object: self.object.clone(),
            status: outcome.status,
            mime_type: outcome.mime.into(),
            size_classified: outcome.size_classified,
            detections,
            error: outcome.error,
            embedded: Some(EmbeddedFile {
                path: format!("{}{}", self.prefix, member.path),
                size: member.size,
                last_modified: member.modified,
            }),
        });
    }
}

/// An archive member's name and metadata.
#[derive(Debug, Clone, Copy)]
pub struct Member<'p> {
    /// Path inside its archive.
    pub path: &'p str,
    /// Uncompressed size (declared).
    pub size: u64,
    /// Modification time recorded in the archive.
    pub modified: Option<SystemTime>,
}

/// Counts bytes read (for `sizeClassified` of a partial read).
pub(crate) struct Counted<R> {
    pub(crate) inner: R,
    pub(crate) n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// How an archive's status follows from its members': complete if all were; else partial,
/// with an archive-wide limit's own reason, or `ARCHIVE_CONTAINS_UNPROCESSED_FILES`.
#[derive(Debug, Default)]
pub struct ArchiveStatus {
    worst: Option<&'static str>,
    note: Option<String>,
}

impl ArchiveStatus {
    /// Takes a member's outcome into account.
    pub fn add(&mut self, member: &Outcome, path: &str) {
        let Some(why) = member.status.reason else {
            return;
        };
        let why = if reason::is_archive_wide(why) {
            why
        } else {
            reason::ARCHIVE_CONTAINS_UNPROCESSED_FILES
        };
        // The first problem counts, unless an archive-wide limit comes later.
        let replaces = match self.worst {
            None => true,
            Some(w) => reason::is_archive_wide(why) && !reason::is_archive_wide(w),
        };
        if replaces {
            self.worst = Some(why);
            self.note = Some(format!("member {path:?} was not fully analysed"));
        }
    }

    /// Records a problem with the archive itself (truncated, limit hit).
    pub fn fail(&mut self, why: &'static str, note: String) {
        if self.worst.is_none_or(|w| !reason::is_archive_wide(w)) {
            self.worst = Some(why);
            self.note = Some(note);
        }
    }

    /// The archive's outcome.
    pub fn outcome(self, mime: &'static str, size: u64) -> Outcome {
        match self.worst {
            None => Outcome::complete(mime, size),
            Some(why) => Outcome::partial(mime, why, size, self.note.unwrap_or_default()),
        }
    }
}

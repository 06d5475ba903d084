//! Decoding: from an object's bytes to the values the matcher scans, each with the Macie
//! location it would be reported at. Synchronous only; nothing here knows about S3 or tokio.
//!
//! [`Format::detect`] decides the format from magic bytes first and the key's extension
//! second. [`walk`] drives one object through compression and archives into the per-format
//! decoders (`text`, `csv`, `json`, `parquet`, `avro`), enforcing [`Limits`] through a
//! shared [`Budget`] that every decompressed byte passes.

pub mod archive;
pub mod avro;
pub mod csv;
pub mod json;
pub mod parquet;
pub mod text;
pub mod walk;

use std::io::{self, Read, Seek};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::report::reason;

/// A source that can be read at any offset (a local file, a buffered archive member, or
/// an S3 object read with ranged GETs).
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// An object's bytes as a decoder receives them.
pub enum Input<'a> {
    /// A forward-only stream (a decompressor, a tar or streamed zip member).
    Stream(&'a mut (dyn Read + 'a)),
    /// A forward-only stream that may move to another thread (a whole object: a local
    /// file, stdin, an S3 body). A compressed object is then inflated on a thread of its
    /// own while its content is scanned.
    SendStream(&'a mut (dyn Read + Send + 'a)),
    /// Random access, positioned at offset 0, with its length (owned: Parquet's reader
    /// needs a `'static` source).
    Seekable(Box<dyn ReadSeek>, u64),
}

/// An object's format, as far as s3pii decodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text (also the fallback for any non-binary content).
    Text,
    /// UTF-16 text with a byte-order mark.
    Utf16,
    /// Comma-separated values (header row first).
    Csv,
    /// Tab-separated values (header row first).
    Tsv,
    /// One JSON document.
    Json,
    /// JSON Lines: one JSON value per line.
    JsonLines,
    /// gzip (multi-member), a compressed single file.
    Gzip,
    /// Zstandard, a compressed single file.
    Zstd,
    /// A zip archive.
    Zip,
    /// A tar archive.
    Tar,
    /// Apache Parquet.
    Parquet,
    /// Apache Avro object container file.
    Avro,
    /// A binary format s3pii does not analyse; the MIME type Macie would report.
    Unsupported(&'static str),
}

/// Magic numbers of binary formats that are not analysed, with their MIME types.
const UNSUPPORTED_MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
];

impl Format {
    /// The format of an object whose content starts with `head` (a few KiB) and whose name
    /// has extension `ext` (lower case, no dot). Magic bytes win over the extension; among
    /// text formats the extension decides, as it does for Macie.
    pub fn detect(head: &[u8], ext: &str) -> Format {
        if head.starts_with(b"\x1f\x8b") {
            return Format::Gzip;
        }
        if head.starts_with(b"\x28\xb5\x2f\xfd") {
            return Format::Zstd;
        }
        if head.starts_with(b"PK\x03\x04")
            || head.starts_with(b"PK\x05\x06")
            || head.starts_with(b"PK\x07\x08")
        {
            return Format::Zip;
        }
        if head.starts_with(b"PAR1") {
            return Format::Parquet;
        }
        if head.starts_with(b"Obj\x01") {
            return Format::Avro;
        }
        if head.len() >= 262 && &head[257..262] == b"ustar" {
            return Format::Tar;
        }
        if let Some((_, mime)) = UNSUPPORTED_MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
            return Format::Unsupported(mime);
        }
        if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
            return Format::Utf16;
        }
        if head.contains(&0) {
            return Format::Unsupported("application/octet-stream");
        }
        match ext {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            _ => Format::Text,
        }
    }

    /// The MIME type Macie reports for this format; text types by extension.
    pub fn mime(self, ext: &str) -> &'static str {
        match self {
            Format::Text | Format::Utf16 => text_mime(ext),
            Format::Csv => "text/csv",
            Format::Tsv => "text/tab-separated-values",
            Format::Json => "application/json",
            Format::JsonLines => "application/jsonl",
            Format::Gzip => "application/gzip",
            Format::Zstd => "application/zstd",
            Format::Zip => "application/zip",
            Format::Tar => "application/x-tar",
            Format::Parquet => "application/parquet",
            Format::Avro => "application/avro",
            Format::Unsupported(mime) => mime,
        }
    }

    /// Whether this format is a container of other files (its members get their own
    /// results) or a compressed single file.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            Format::Gzip | Format::Zstd | Format::Zip | Format::Tar
        )
    }
}

/// Whether text starting with `head` is UTF-8 (else columns count bytes, as Latin-1).
pub fn is_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A character cut at the end of the sample is still UTF-8.
        Err(e) => e.error_len().is_none(),
    }
}

/// The MIME type Macie reports for a text object with this extension.
pub fn text_mime(extension: &str) -> &'static str {
    match extension {
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "json" => "application/json",
        "jsonl" | "ndjson" => "application/jsonl",
        "htm" | "html" => "text/html",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        _ => "text/plain",
    }
}

/// The extension (lower case, no dot) of a `/`-separated name; `""` if none.
pub fn extension_of(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or("");
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Decoding limits. Defaults are Macie's quotas (macie.md §5.2); all are configurable.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Archive nesting depth (a member at a deeper level is not opened).
    pub max_nesting: u32,
    /// Files extracted from one object, all levels together.
    pub max_members: u64,
    /// Bytes extracted from one object, all levels together.
    pub max_extracted: u64,
    /// Bytes extracted from one member.
    pub max_member_bytes: u64,
    /// Compression-ratio guard: stop once more than `ratio_floor` bytes were extracted and
    /// the extracted bytes exceed this multiple of the object's compressed bytes read so
    /// far (0 = off). Deflate cannot legitimately exceed ~1,032×.
    pub max_ratio: u64,
    /// Extracted bytes below which the ratio guard does not apply.
    pub ratio_floor: u64,
    /// JSON nesting depth.
    pub max_json_depth: usize,
    /// Bytes of non-seekable zips and Parquet files buffered in memory for random access,
    /// all nesting levels together; a zip that does not fit is read entry by entry from its
    /// local headers, a Parquet file that does not fit is skipped.
    pub max_buffered: u64,
    /// Bytes of a JSON document (or JSON Lines line) kept to rescan it as plain text if
    /// it turns out to be malformed.
    pub max_replay: usize,
    /// Longest CSV record or JSON Lines line parsed as such (an unclosed quote or a
    /// runaway line must not pull a whole file into memory).
    pub max_record_bytes: u64,
    /// Member results kept per object; past this only the object's totals record them.
    pub max_member_results: usize,
    /// Largest text object (Macie: 20 GB).
    pub max_text_bytes: u64,
    /// Largest compressed object, gzip or zip (Macie: 8 GB).
    pub max_compressed_bytes: u64,
    /// Largest tar object (Macie: 20 GB).
    pub max_tar_bytes: u64,
    /// Largest Parquet or Avro object (Macie: 8 GB).
    pub max_columnar_bytes: u64,
}

const GB: u64 = 1_000_000_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nesting: 10,
            max_members: 1_000_000,
            max_extracted: 10 * GB,
            max_member_bytes: 3 * GB,
            max_ratio: 1000,
            ratio_floor: 100 << 20,
            max_json_depth: 256,
            max_buffered: 64 << 20,
            max_replay: 16 << 20,
            max_record_bytes: 64 << 20,
            max_member_results: 100_000,
            max_text_bytes: 20 * GB,
            max_compressed_bytes: 8 * GB,
            max_tar_bytes: 20 * GB,
            max_columnar_bytes: 8 * GB,
        }
    }
}

impl Limits {
    /// The size cap for an object of `format`.
    pub fn size_cap(&self, format: Format) -> u64 {
        match format {
            Format::Gzip | Format::Zstd | Format::Zip => self.max_compressed_bytes,
            Format::Tar => self.max_tar_bytes,
            Format::Parquet | Format::Avro => self.max_columnar_bytes,
            _ => self.max_text_bytes,
        }
    }
}

/// Byte and file counters shared by every level of one object, and the archive-wide
/// limit that stopped it, if any. Readers check it as bytes flow, so a bomb is stopped
/// inside the decompressor loop, not after it.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    compressed: AtomicU64,
    extracted: AtomicU64,
    declared: AtomicU64,
    buffered: AtomicU64,
    members: AtomicU64,
    tripped: Mutex<Option<&'static str>>,
}

/// The error a [`Metered`] reader returns when a limit is hit.
#[derive(Debug, thiserror::Error)]
#[error("limit reached: {reason}")]
pub struct LimitHit {
    /// Macie's reason string.
    pub reason: &'static str,
}

impl Budget {
    /// A fresh budget under `limits`.
    pub fn new(limits: Limits) -> Arc<Budget> {
        Arc::new(Budget {
            limits,
            compressed: AtomicU64::new(0),
            extracted: AtomicU64::new(0),
            declared: AtomicU64::new(0),
            buffered: AtomicU64::new(0),
            members: AtomicU64::new(0),
            tripped: Mutex::new(None),
        })
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The archive-wide limit that stopped this object, if any.
    pub fn tripped(&self) -> Option<&'static str> {
        self.tripped.lock().ok().and_then(|t| *t)
    }

    fn trip(&self, reason: &'static str) -> io::Error {
        if let Ok(mut t) = self.tripped.lock() {
            t.get_or_insert(reason);
        }
        io::Error::other(LimitHit { reason })
    }

    /// Counts one extracted member; an error once past `max_members`.
    pub fn add_member(&self) -> Result<(), &'static str> {
        let n = self.members.fetch_add(1, Ordering::Relaxed) + 1;
        if n > self.limits.max_members {
            let _ = self.trip(reason::ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT);
            return Err(reason::ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT);
        }
        Ok(())
    }

    /// Adds sizes an archive's directory declares for its members; an error once all
    /// declarations together pass `max_extracted` (the archive would extract too much).
    pub fn declare(&self, bytes: u64) -> Result<(), &'static str> {
        let total = self
            .declared
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        if total > self.limits.max_extracted {
            let _ = self.trip(reason::ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT);
            return Err(reason::ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT);
        }
        Ok(())
    }

    /// Bytes that may still be buffered in memory for random access, given what nesting
    /// levels above already hold (all levels together stay within `max_buffered`).
    pub fn buffer_room(&self) -> u64 {
        self.limits
            .max_buffered
            .saturating_sub(self.buffered.load(Ordering::Relaxed))
    }

    /// Accounts `bytes` as buffered (positive) or released (negative).
    pub fn hold(&self, bytes: u64, held: bool) {
        if held {
            self.buffered.fetch_add(bytes, Ordering::Relaxed);
        } else {
            self.buffered.fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    fn on_compressed(&self, n: usize) {
        self.compressed.fetch_add(n as u64, Ordering::Relaxed);
    }

    fn on_extracted(&self, n: usize) -> io::Result<()> {
        let total = self.extracted.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let l = &self.limits;
        if total > l.max_extracted {
            return Err(self.trip(reason::ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT));
        }
        if l.max_ratio > 0 && total > l.ratio_floor {
            let compressed = self.compressed.load(Ordering::Relaxed).max(1);
            if total / compressed > l.max_ratio {
                return Err(self.trip(reason::ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT));
            }
        }
        Ok(())
    }
}

/// What a [`Metered`] reader counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meter {
    /// The object's own (compressed) bytes.
    Compressed,
    /// Bytes coming out of a decompressor; `max_member_bytes` applies per reader.
    Extracted,
}

/// A reader that charges what passes through to a [`Budget`] and fails once a limit is hit.
pub struct Metered<R> {
    inner: R,
    budget: Arc<Budget>,
    meter: Meter,
    read: u64,
}

impl<R> Metered<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, budget: Arc<Budget>, meter: Meter) -> Metered<R> {
        Metered {
            inner,
            budget,
            meter,
            read: 0,
        }
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        match self.meter {
            Meter::Compressed => self.budget.on_compressed(n),
            Meter::Extracted => {
                self.budget.on_extracted(n)?;
                if self.read > self.budget.limits.max_member_bytes {
                    return Err(io::Error::other(LimitHit {
                        reason: reason::FILE_EXCEEDS_SIZE_LIMIT,
                    }));
                }
            }
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Metered<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// The limit behind an I/O error, if it is a [`LimitHit`].
pub fn limit_of(e: &io::Error) -> Option<&'static str> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitHit>())
        .map(|l| l.reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_magic_then_extension() {
        assert_eq!(Format::detect(b"hello", "txt"), Format::Text);
        assert_eq!(Format::detect(b"a,b\n1,2", "csv"), Format::Csv);
        assert_eq!(Format::detect(b"{}", "json"), Format::Json);
        assert_eq!(Format::detect(b"{}", "jsonl"), Format::JsonLines);
        assert_eq!(Format::detect(b"\x1f\x8b\x08", "csv"), Format::Gzip);
        assert_eq!(Format::detect(b"PK\x03\x04", "txt"), Format::Zip);
        assert_eq!(Format::detect(b"PAR1", ""), Format::Parquet);
        assert_eq!(Format::detect(b"Obj\x01", ""), Format::Avro);
        assert_eq!(Format::detect(b"\x28\xb5\x2f\xfd", ""), Format::Zstd);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(Format::detect(&tar, "bin"), Format::Tar);
        assert_eq!(Format::detect(b"\xff\xfeh\0i\0", ""), Format::Utf16);
        assert_eq!(
            Format::detect(b"\x89PNG\r\n", "csv"),
            Format::Unsupported("image/png")
        );
        assert_eq!(
            Format::detect(b"abc\0def", ""),
            Format::Unsupported("application/octet-stream")
        );
        assert!(is_utf8("h\u{e9}llo".as_bytes()));
        assert!(!is_utf8(b"h\xe9llo"));
        assert!(is_utf8(b"ab\xc3"));
    }

    #[test]
    fn ratio_guard_trips_only_past_the_floor() {
        let budget = Budget::new(Limits {
            max_ratio: 10,
            ratio_floor: 1000,
            ..Limits::default()
        });
        budget.on_compressed(10);
        assert!(budget.on_extracted(900).is_ok(), "under the floor");
        let e = budget.on_extracted(200);
        assert!(e.is_err());
        assert_eq!(
            budget.tripped(),
            Some(reason::ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT)
        );
    }
}

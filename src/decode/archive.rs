//! Compressed files and archives: gzip (multi-member) and zstd as transparent wrappers,
//! zip and tar as archives whose members are decoded one level deeper.
//!
//! Zip keeps its directory at the end, so it needs random access. A seekable input (a
//! local file; an S3 object through ranged GETs) is read in place. A non-seekable zip (a
//! member of another archive, stdin) is buffered in memory while all buffered levels stay
//! within `max_buffered` (64 MiB by default); otherwise it is read entry by entry from its
//! local headers, which works for
//! every zip whose entries record their sizes up front. A zip whose directory is missing
//! (truncated) is read the same way, keeping what can be read, and reported `PARTIAL`.
//!
//! Before any member is extracted, a zip's directory is checked: declared sizes over the
//! extraction limits, and entries whose data overlap (the overlapping-entry zip bomb), stop
//! it without inflating a byte.

use std::io::{self, Read, Seek, SeekFrom};
use std::time::{Duration, SystemTime};

use super::walk::{ArchiveStatus, Member, Outcome, Walker};
use super::{Format, Input, Meter, Metered};
use crate::matcher::Matcher;
use crate::report::{reason, DetectionCollector};

const ZIP_MIME: &str = "application/zip";
const TAR_MIME: &str = "application/x-tar";

/// Decodes a gzip or zstd file as the file it holds (named `name` without its
/// compression extension).
pub fn decompress(
    w: &mut Walker<'_>,
    format: Format,
    stream: &mut dyn Read,
    name: &str,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mime = format.mime("");
    let inner_name = inner_name(name);
    let decoder = match decoder(format, stream) {
        Ok(d) => d,
        Err(e) => return w.read_failure(&e, mime, 0),
    };
    let mut extracted = Metered::new(decoder, w.budget.clone(), Meter::Extracted);
    let inner = w.decode(
        Input::Stream(&mut extracted),
        &inner_name,
        None,
        depth + 1,
        matcher,
        out,
    );
    Outcome { mime, ..inner }
}

/// The decompressor for a gzip (multi-member) or zstd stream.
fn decoder<'r>(format: Format, stream: impl Read + 'r) -> io::Result<Box<dyn Read + 'r>> {
    Ok(match format {
        Format::Zstd => Box::new(zstd::Decoder::new(stream)?),
        _ => Box::new(flate2::read::MultiGzDecoder::new(stream)),
    })
}

/// Bytes per chunk handed from the inflating thread to the scanning one: small, so the
/// scan starts soon after inflation does.
const PIPE_CHUNK: usize = 256 << 10;
/// Chunks in flight between them.
const PIPE_DEPTH: usize = 4;

/// [`decompress`] with inflation on a thread of its own: the compressed stream is
/// decoded there in `PIPE_CHUNK` chunks while this thread scans, so scanning hides behind
/// inflation (or the other way round). At most `PIPE_DEPTH` chunks are in flight, and
/// their buffers go back to be filled again (no fresh pages per chunk); when the scan
/// stops early (a binary, a limit) the inflating thread stops at its next chunk.
pub fn decompress_pipelined(
    w: &mut Walker<'_>,
    format: Format,
    stream: &mut (dyn Read + Send),
    name: &str,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mime = format.mime("");
    let inner_name = inner_name(name);
    let budget = w.budget.clone();
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(PIPE_DEPTH);
    let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH + 2);
    std::thread::scope(|s| {
        s.spawn(move || {
            let decoder = match decoder(format, stream) {
                Ok(d) => d,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let mut decoder = Metered::new(decoder, budget, Meter::Extracted);
            loop {
                let mut chunk = spare_rx.try_recv().unwrap_or_default();
                chunk.resize(PIPE_CHUNK, 0);
                let mut filled = 0;
                let result = loop {
                    match decoder.read(&mut chunk[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == chunk.len() {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                chunk.truncate(filled);
                if filled > 0 && tx.send(Ok(chunk)).is_err() {
                    return;
                }
                match result {
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                    Ok(()) if filled < PIPE_CHUNK => return,
                    Ok(()) => {}
                }
            }
        });
        let mut reader = Received {
            rx,
            spare: spare_tx,
            chunk: Vec::new(),
            at: 0,
        };
        let inner = w.decode(
            Input::Stream(&mut reader),
            &inner_name,
            None,
            depth + 1,
            matcher,
            out,
        );
        // Dropping the receiver stops the inflating thread.
        drop(reader);
        Outcome { mime, ..inner }
    })
}

/// The scanning side of [`decompress_pipelined`].
struct Received {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    /// Scanned chunks go back here to be refilled.
    spare: std::sync::mpsc::SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Received {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    let done = std::mem::replace(&mut self.chunk, chunk);
                    // A full return queue just drops the buffer.
                    let _ = self.spare.try_send(done);
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The name of the file inside a compressed file: `a.csv.gz` → `a.csv`, `a.tgz` → `a.tar`.
fn inner_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".gz", ""),
        (".gzip", ""),
        (".zst", ""),
        (".zstd", ""),
    ] {
        if lower.ends_with(suffix) {
            return format!("{}{replacement}", &name[..name.len() - suffix.len()]);
        }
    }
    name.to_string()
}

/// Decodes a zip archive.
pub fn zip(
    w: &mut Walker<'_>,
    input: Input<'_>,
    head: Vec<u8>,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    match input {
        Input::Seekable(mut r, _) => zip_seekable(w, &mut r, depth, matcher, out),
        Input::Stream(r) => zip_stream(w, r, head, depth, matcher, out),
        Input::SendStream(r) => zip_stream(w, r, head, depth, matcher, out),
    }
}

/// A zip that arrives as a stream: buffered if small enough, else read by local headers.
fn zip_stream(
    w: &mut Walker<'_>,
    r: &mut dyn Read,
    head: Vec<u8>,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let cap = w.budget.buffer_room();
    let mut buf = head;
    let room = (cap + 1).saturating_sub(buf.len() as u64);
    if let Err(e) = r.take(room).read_to_end(&mut buf) {
        return w.read_failure(&e, ZIP_MIME, 0);
    }
    if buf.len() as u64 <= cap {
        let held = buf.len() as u64;
        w.budget.hold(held, true);
        let outcome = zip_seekable(w, &mut io::Cursor::new(buf), depth, matcher, out);
        w.budget.hold(held, false);
        outcome
    } else {
        let mut chained = io::Cursor::new(buf).chain(r);
        zip_streamed(w, &mut chained, depth, matcher, out)
    }
}

fn zip_seekable<R: Read + Seek>(
    w: &mut Walker<'_>,
    r: &mut R,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mut zip = match zip::ZipArchive::new(&mut *r) {
        Ok(z) => z,
        Err(_) => {
            // No readable central directory (truncated, or not really a zip): read the
            // local headers in order, keeping what is there.
            if let Err(e) = r.seek(SeekFrom::Start(0)) {
                return w.read_failure(&e, ZIP_MIME, 0);
            }
            let mut outcome = zip_streamed(w, r, depth, matcher, out);
            if outcome.status.reason.is_none() {
                outcome = Outcome::partial(
                    ZIP_MIME,
                    reason::UNABLE_TO_PARSE_FILE,
                    outcome.size_classified,
                    "zip central directory missing or unreadable; entries read from local headers",
                );
            }
            return outcome;
        }
    };
    if let Some(skip) = precheck(w, &mut zip) {
        return skip;
    }
    let mut status = ArchiveStatus::default();
    let mut classified = 0u64;
    for i in 0..zip.len() {
        let path = zip.name_for_index(i).unwrap_or("").to_string();
        let file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let o = unreadable_member(&e);
                status.add(&o, &path);
                let member = Member {
                    path: &path,
                    size: 0,
                    modified: None,
                };
                w.push_member(&member, o, Vec::new());
                continue;
            }
        };
        match scan_zip_entry(w, file, depth, matcher, out, &mut status) {
            Entry::Scanned(n) => classified += n,
            Entry::Skipped => {}
            Entry::Stop => break,
        }
    }
    status.outcome(ZIP_MIME, classified)
}

/// Zip entries read one by one from their local headers.
fn zip_streamed<R: Read>(
    w: &mut Walker<'_>,
    r: &mut R,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mut status = ArchiveStatus::default();
    let mut classified = 0u64;
    loop {
        match zip::read::read_zipfile_from_stream(r) {
            Ok(Some(file)) => match scan_zip_entry(w, file, depth, matcher, out, &mut status) {
                Entry::Scanned(n) => classified += n,
                Entry::Skipped => {}
                Entry::Stop => break,
            },
            Ok(None) => break,
            Err(e) => {
                status.fail(
                    reason::UNABLE_TO_PARSE_FILE,
                    format!("zip entry unreadable or truncated: {e}"),
                );
                break;
            }
        }
    }
    status.outcome(ZIP_MIME, classified)
}

/// Refuses a zip whose directory already shows a bomb: entries sharing compressed data
/// (the overlapping-entry bomb), or declared sizes that would take the object past its
/// extraction limit (every level's declared sizes count, so nested bombs add up).
fn precheck<R: Read + Seek>(w: &Walker<'_>, zip: &mut zip::ZipArchive<R>) -> Option<Outcome> {
    let mut total = 0u64;
    let mut spans = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else {
            continue;
        };
        total = total.saturating_add(f.size());
        let start = f.header_start();
        let end = f
            .data_start()
            .unwrap_or(start)
            .saturating_add(f.compressed_size());
        spans.push((start, end));
    }
    spans.sort_unstable();
    if spans.windows(2).any(|p| p[1].0 < p[0].1) {
        return Some(Outcome::skipped(
            ZIP_MIME,
            reason::MALFORMED_FILE,
            "zip entries overlap (an overlapping-entry zip bomb)",
        ));
    }
    if let Err(why) = w.budget.declare(total) {
        return Some(Outcome::skipped(
            ZIP_MIME,
            why,
            format!(
                "members declare {total} bytes; with what was declared before, over the {} byte limit",
                w.limits().max_extracted
            ),
        ));
    }
    None
}

enum Entry {
    Scanned(u64),
    Skipped,
    Stop,
}

fn unreadable_member(e: &zip::result::ZipError) -> Outcome {
    let why = match e {
        zip::result::ZipError::UnsupportedArchive(_) => reason::UNSUPPORTED_FILE_TYPE,
        _ => reason::MALFORMED_FILE,
    };
    Outcome::skipped("application/octet-stream", why, format!("zip entry: {e}"))
}

fn scan_zip_entry<R: Read>(
    w: &mut Walker<'_>,
    file: zip::read::ZipFile<'_, R>,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
    status: &mut ArchiveStatus,
) -> Entry {
    if file.is_dir() {
        return Entry::Skipped;
    }
    let path = file.name().to_string();
    let size = file.size();
    let modified = file.last_modified().and_then(|t| {
        civil_time(
            t.year().into(),
            t.month().into(),
            t.day().into(),
            (t.hour().into(), t.minute().into(), t.second().into()),
        )
    });
    let member = Member {
        path: &path,
        size,
        modified,
    };
    if file.encrypted() {
        let o = Outcome::skipped(
            "application/octet-stream",
            reason::UNSUPPORTED_FILE_TYPE,
            "encrypted zip entry",
        );
        status.add(&o, &path);
        w.push_member(&member, o, Vec::new());
        return Entry::Skipped;
    }
    scan_entry(w, file, &member, depth, matcher, out, status)
}

/// Decodes one member (zip or tar) and accounts for it.
fn scan_entry<R: Read>(
    w: &mut Walker<'_>,
    reader: R,
    member: &Member<'_>,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
    status: &mut ArchiveStatus,
) -> Entry {
    if let Err(why) = w.budget.add_member() {
        status.fail(
            why,
            format!("more than {} files in the archive", w.limits().max_members),
        );
        return Entry::Stop;
    }
    let path = member.path;
    if member.size > w.limits().max_member_bytes {
        let o = Outcome::skipped(
            "application/octet-stream",
            reason::FILE_EXCEEDS_SIZE_LIMIT,
            format!("member of {} bytes is over the per-file limit", member.size),
        );
        status.add(&o, path);
        w.push_member(member, o, Vec::new());
        return Entry::Skipped;
    }
    let mut metered = Metered::new(reader, w.budget.clone(), Meter::Extracted);
    let o = w.member(Input::Stream(&mut metered), member, depth + 1, matcher, out);
    status.add(&o, path);
    if let Some(why) = w.budget.tripped() {
        status.fail(why, format!("stopped at member {path:?}"));
        return Entry::Stop;
    }
    Entry::Scanned(o.size_classified)
}

/// Decodes a tar archive, streamed.
pub fn tar(
    w: &mut Walker<'_>,
    stream: &mut dyn Read,
    depth: u32,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mut archive = tar::Archive::new(stream);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => return w.read_failure(&e, TAR_MIME, 0),
    };
    let mut status = ArchiveStatus::default();
    let mut classified = 0u64;
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let o = w.read_failure(&e, TAR_MIME, classified);
                let why = o.status.reason.unwrap_or(reason::UNABLE_TO_PARSE_FILE);
                status.fail(why, format!("tar truncated or malformed: {e}"));
                break;
            }
        };
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = entry.size();
        let modified = entry
            .header()
            .mtime()
            .ok()
            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        let member = Member {
            path: &path,
            size,
            modified,
        };
        match scan_entry(w, entry, &member, depth, matcher, out, &mut status) {
            Entry::Scanned(n) => classified += n,
            Entry::Skipped => {}
            Entry::Stop => break,
        }
    }
    status.outcome(TAR_MIME, classified)
}

/// A UTC civil time as a `SystemTime` (None before 1970 or invalid).
fn civil_time(y: i64, m: i64, d: i64, (hh, mm, ss): (i64, i64, i64)) -> Option<SystemTime> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    u64::try_from(secs)
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_inside_compressed_files() {
        assert_eq!(inner_name("logs/a.csv.gz"), "logs/a.csv");
        assert_eq!(inner_name("b.TGZ"), "b.tar");
        assert_eq!(inner_name("c.jsonl.zst"), "c.jsonl");
        assert_eq!(inner_name("d"), "d");
    }

    #[test]
    fn civil_times() {
        let t = civil_time(2024, 2, 29, (12, 30, 15));
        let secs = t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
        assert_eq!(secs.map(|d| d.as_secs()), Some(1_709_209_815));
        assert_eq!(civil_time(1969, 12, 31, (0, 0, 0)), None);
    }
}

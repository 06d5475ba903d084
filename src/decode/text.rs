//! Plain text: streamed in overlapping chunks through the matcher, occurrences located as
//! Macie `lineRanges` (1-based lines, 1-based start column counted in characters).
//!
//! Memory stays bounded by `chunk_len × threads + overlap` whatever the object size: the
//! reader is drained batch by batch, and a batch larger than one chunk is scanned in
//! parallel chunks on the caller's rayon pool. Chunks overlap by
//! [`DetectorSet::overlap`](crate::DetectorSet::overlap), so a match across a seam is found
//! exactly once.

use std::io::{self, Read};

use rayon::prelude::*;

use crate::location::Location;
use crate::matcher::{Match, Matcher, ScanOptions};
use crate::report::DetectionCollector;
use crate::{AllowList, ContextKeywords, DetectorId, DetectorSet};

/// Settings for one text scan.
#[derive(Debug, Clone, Copy)]
pub struct TextScan<'a> {
    /// The detectors.
    pub set: &'a DetectorSet,
    /// Allow list.
    pub allow: Option<&'a AllowList>,
    /// Bytes per chunk.
    pub chunk_len: usize,
    /// Chunks scanned in parallel per batch (1 = sequential).
    pub parallel_chunks: usize,
    /// Whether columns count UTF-8 characters (else bytes).
    pub utf8: bool,
}

/// Line/column of a byte position, advanced monotonically through the text.
#[derive(Debug)]
struct Cursor {
    /// Index into the current buffer.
    at: usize,
    line: u64,
    /// 1-based column of `at`.
    column: u64,
    utf8: bool,
}

impl Cursor {
    fn chars(&self, bytes: &[u8]) -> u64 {
        if self.utf8 {
            bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
        } else {
            bytes.len() as u64
        }
    }

    fn advance(&mut self, buf: &[u8], to: usize) {
        let span = &buf[self.at..to];
        match memchr::memrchr(b'\n', span) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', span).count() as u64;
                self.column = 1 + self.chars(&span[last + 1..]);
            }
            None => self.column += self.chars(span),
        }
        self.at = to;
    }
}

/// Scans text from `reader`, adding every match to `collector`. Returns the number of
/// bytes scanned.
pub fn scan_text<R: Read>(
    reader: R,
    opts: TextScan<'_>,
    matcher: &mut Matcher,
    collector: &mut DetectionCollector,
) -> io::Result<u64> {
    scan_text_from(reader, opts, matcher, collector, (1, 1))
}

/// [`scan_text`] for text that starts at `(line, column)` of its file (the rest of a
/// malformed structured file).
pub fn scan_text_from<R: Read>(
    mut reader: R,
    opts: TextScan<'_>,
    matcher: &mut Matcher,
    collector: &mut DetectionCollector,
    (line, column): (u64, u64),
) -> io::Result<u64> {
    let overlap = opts.set.overlap();
    let chunk_len = opts.chunk_len.max(overlap).max(4096);
    let batch_len = chunk_len * opts.parallel_chunks.max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut own_start = 0usize;
    let mut cursor = Cursor {
        at: 0,
        line,
        column,
        utf8: opts.utf8,
    };
    let mut total = 0u64;
    let mut matches: Vec<Match> = Vec::new();
    loop {
        let want = own_start + batch_len + overlap;
        // A read error ends the text: what was read before it is still scanned.
        let (eof, failed) = match fill(&mut reader, &mut buf, want, &mut total) {
            Ok(eof) => (eof, None),
            Err(e) => (true, Some(e)),
        };
        let own_end = if eof { buf.len() } else { buf.len() - overlap };
        matches.clear();
        scan_batch(&buf, own_start..own_end, &opts, matcher, &mut matches);
        for m in &matches {
            cursor.advance(&buf, m.start);
            let (line, column) = (cursor.line, cursor.column);
            let end_line = line
                + memchr::memchr_iter(b'\n', &buf[m.start..m.end.saturating_sub(1).max(m.start)])
                    .count() as u64;
            collector.add(m.detector, || Location::Lines {
                start: line,
                end: end_line,
                start_column: column,
            });
            collector.sample(m.detector, &buf[m.start..m.end]);
        }
        if eof {
            return match failed {
                None => Ok(total),
                Some(e) => Err(e),
            };
        }
        let keep_from = own_end - overlap;
        cursor.advance(&buf, keep_from.max(cursor.at));
        let shift = keep_from.min(cursor.at);
        buf.drain(..shift);
        cursor.at -= shift;
        own_start = own_end - shift;
    }
}

/// Scans one structured value (a CSV cell, a JSON string, a Parquet value) with the
/// context keywords of its column or path, appending its matches (offsets within
/// `value`) to `out`. Values longer than a chunk are scanned chunk by chunk with overlap,
/// so a huge value costs no more memory than a chunk.
pub fn scan_value(
    value: &[u8],
    opts: &TextScan<'_>,
    context: Option<&ContextKeywords>,
    matcher: &mut Matcher,
    out: &mut Vec<Match>,
) {
    let base = ScanOptions {
        allow: opts.allow,
        context,
        ..Default::default()
    };
    let chunk_len = opts.chunk_len.max(4096);
    if value.len() <= chunk_len {
        matcher.scan_into(value, base, out);
        return;
    }
    let overlap = opts.set.overlap();
    let mut start = 0;
    let mut part = Vec::new();
    while start < value.len() {
        let end = (start + chunk_len).min(value.len());
        let lo = start.saturating_sub(overlap);
        let hi = (end + overlap).min(value.len());
        part.clear();
        matcher.scan_into(
            &value[lo..hi],
            ScanOptions {
                own: Some(start - lo..end - lo),
                ..base.clone()
            },
            &mut part,
        );
        out.extend(part.iter().map(|m| Match {
            start: m.start + lo,
            end: m.end + lo,
            ..*m
        }));
        start = end;
    }
}

/// Scans structured values one by one, recording each match at the value's location.
#[derive(Debug)]
pub struct Values<'a> {
    /// Settings.
    pub opts: TextScan<'a>,
    matches: Vec<Match>,
}

impl<'a> Values<'a> {
    /// A value scanner with `opts`.
    pub fn new(opts: TextScan<'a>) -> Values<'a> {
        Values {
            opts,
            matches: Vec::new(),
        }
    }

    /// Scans `value` under `context` (skipped when empty); every match is added to
    /// `out` at `locate()`. Returns how many matches there were.
    pub fn scan(
        &mut self,
        value: &[u8],
        context: Option<&ContextKeywords>,
        matcher: &mut Matcher,
        out: &mut DetectionCollector,
        locate: impl Fn() -> Location,
    ) -> usize {
        if value.is_empty() {
            return 0;
        }
        self.matches.clear();
        let context = context.filter(|c| !c.is_empty());
        scan_value(value, &self.opts, context, matcher, &mut self.matches);
        for m in &self.matches {
            out.add(m.detector, &locate);
            out.sample(m.detector, &value[m.start..m.end]);
        }
        self.matches.len()
    }
}

/// Bytes of values gathered before a [`Batch`] is scanned.
const BATCH_BYTES: usize = 64 << 10;

/// Many small values (one column's cells or values) scanned in one matcher call, with
/// [`ScanOptions::segments`] keeping each value on its own: the result is the same as
/// scanning each value alone, without the per-call cost. Each value carries a tag the
/// caller turns into its location.
#[derive(Debug)]
pub struct Batch<T> {
    buf: Vec<u8>,
    spans: Vec<std::ops::Range<usize>>,
    tags: Vec<T>,
    matches: Vec<Match>,
}

impl<T> Default for Batch<T> {
    fn default() -> Batch<T> {
        Batch {
            buf: Vec::new(),
            spans: Vec::new(),
            tags: Vec::new(),
            matches: Vec::new(),
        }
    }
}

impl<T> Batch<T> {
    /// Adds a value; returns whether the batch is full and should be scanned. Empty
    /// values are skipped.
    pub fn push(&mut self, value: &[u8], tag: T) -> bool {
        if value.is_empty() {
            return false;
        }
        if !self.buf.is_empty() {
            self.buf
                .extend_from_slice(&[b'\n'; crate::matcher::SEGMENT_GAP]);
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(value);
        self.spans.push(start..self.buf.len());
        self.tags.push(tag);
        self.buf.len() >= BATCH_BYTES
    }

    /// Whether no value is waiting.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Scans the gathered values under `context` and records each match at
    /// `locate(tag of its value)`; the batch is empty afterwards. Values longer than a
    /// chunk are scanned alone, chunk by chunk.
    pub fn scan(
        &mut self,
        opts: &TextScan<'_>,
        context: Option<&ContextKeywords>,
        matcher: &mut Matcher,
        out: &mut DetectionCollector,
        locate: impl Fn(&T) -> Location,
    ) {
        self.scan_with(opts, context, matcher, |tag, detector, matched| {
            out.add(detector, || locate(tag));
            out.sample(detector, matched);
        });
    }

    /// Scans the gathered values and calls `found(tag, detector, matched bytes)` for each
    /// match, in value order; the batch is empty afterwards.
    pub fn scan_with(
        &mut self,
        opts: &TextScan<'_>,
        context: Option<&ContextKeywords>,
        matcher: &mut Matcher,
        mut found: impl FnMut(&T, DetectorId, &[u8]),
    ) {
        if self.spans.is_empty() {
            return;
        }
        let context = context.filter(|c| !c.is_empty());
        self.matches.clear();
        let long = self
            .spans
            .iter()
            .any(|r| r.len() > opts.chunk_len.max(4096));
        if long {
            for span in &self.spans {
                let start = self.matches.len();
                scan_value(
                    &self.buf[span.clone()],
                    opts,
                    context,
                    matcher,
                    &mut self.matches,
                );
                for m in &mut self.matches[start..] {
                    m.start += span.start;
                    m.end += span.start;
                }
            }
        } else {
            matcher.scan_into(
                &self.buf,
                ScanOptions {
                    allow: opts.allow,
                    context,
                    segments: Some(&self.spans),
                    ..Default::default()
                },
                &mut self.matches,
            );
        }
        for m in &self.matches {
            let i = self.spans.partition_point(|r| r.end <= m.start);
            if let Some(tag) = self.tags.get(i) {
                found(tag, m.detector, &self.buf[m.start..m.end]);
            }
        }
        self.buf.clear();
        self.spans.clear();
        self.tags.clear();
    }
}

/// Reads until `buf` holds `want` bytes or the reader ends; returns whether it ended.
fn fill<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    want: usize,
    total: &mut u64,
) -> io::Result<bool> {
    while buf.len() < want {
        let old = buf.len();
        buf.resize(want, 0);
        let n = loop {
            match reader.read(&mut buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    buf.truncate(old);
                    return Err(e);
                }
            }
        };
        buf.truncate(old + n);
        *total += n as u64;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Scans `own` of `buf`; more than one chunk's worth is split over the rayon pool.
fn scan_batch(
    buf: &[u8],
    own: std::ops::Range<usize>,
    opts: &TextScan<'_>,
    matcher: &mut Matcher,
    out: &mut Vec<Match>,
) {
    let overlap = opts.set.overlap();
    let base = ScanOptions {
        allow: opts.allow,
        ..Default::default()
    };
    if own.len() <= opts.chunk_len || opts.parallel_chunks <= 1 {
        let lo = own.start.saturating_sub(overlap);
        let hi = (own.end + overlap).min(buf.len());
        let mut part = Vec::new();
        matcher.scan_into(
            &buf[lo..hi],
            ScanOptions {
                own: Some(own.start - lo..own.end - lo),
                ..base
            },
            &mut part,
        );
        out.extend(part.into_iter().map(|m| Match {
            start: m.start + lo,
            end: m.end + lo,
            ..m
        }));
        return;
    }
    let starts: Vec<usize> = (own.start..own.end).step_by(opts.chunk_len).collect();
    let parts: Vec<Vec<Match>> = starts
        .par_iter()
        .map_init(
            || Matcher::new(opts.set),
            |m, &start| {
                let end = (start + opts.chunk_len).min(own.end);
                let lo = start.saturating_sub(overlap);
                let hi = (end + overlap).min(buf.len());
                let mut part = Vec::new();
                m.scan_into(
                    &buf[lo..hi],
                    ScanOptions {
                        own: Some(start - lo..end - lo),
                        ..base.clone()
                    },
                    &mut part,
                );
                part.into_iter()
                    .map(|x| Match {
                        start: x.start + lo,
                        end: x.end + lo,
                        ..x
                    })
                    .collect()
            },
        )
        .collect();
    out.extend(parts.into_iter().flatten());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_counts_lines_and_characters() {
        let text = "ab\nc\u{e9}d\n\nxyz".as_bytes();
        let mut c = Cursor {
            at: 0,
            line: 1,
            column: 1,
            utf8: true,
        };
        c.advance(text, 1);
        assert_eq!((c.line, c.column), (1, 2));
        let d = text.iter().position(|&b| b == b'd').unwrap();
        c.advance(text, d);
        assert_eq!((c.line, c.column), (2, 3), "é is one character");
        let x = text.iter().position(|&b| b == b'x').unwrap();
        c.advance(text, x);
        assert_eq!((c.line, c.column), (4, 1));
    }
}

//! CSV and TSV: every cell is scanned on its own and reported as a Macie `cell` (1-based
//! row, the header being row 1; 1-based column; the column's name). The header names
//! count as keywords for every value in their column; sensitive data in the header itself
//! is reported as `lineRanges`, as Macie does.
//!
//! Records are read one at a time by the `csv` crate (quoted fields with embedded newlines
//! and delimiters; rows of any width), so memory is one record whatever the file size.
//! CSV fields are quoted with `"`; TSV has no quoting (IANA `text/tab-separated-values`).

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use super::text::{self, Batch, Values};
use super::walk::{Outcome, Walker};
use crate::location::Location;
use crate::matcher::Matcher;
use crate::report::DetectionCollector;
use crate::{ContextKeywords, DetectorId};

/// Scans a CSV (or, with `tsv`, TSV) stream.
pub fn scan(
    w: &mut Walker<'_>,
    stream: &mut dyn Read,
    tsv: bool,
    utf8: bool,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mime = if tsv {
        "text/tab-separated-values"
    } else {
        "text/csv"
    };
    let opts = text::TextScan {
        utf8,
        ..w.settings.text
    };
    let recording = Rc::new(RefCell::new(Some(Vec::new())));
    let tee = Tee {
        inner: stream,
        recording: recording.clone(),
        read: 0,
        since_record: 0,
        max_record: w.limits().max_record_bytes,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if tsv { b'\t' } else { b',' })
        .quoting(!tsv)
        .from_reader(tee);
    let mut record = csv::ByteRecord::new();
    let mut values = Values::new(opts);
    let mut names: Vec<String> = Vec::new();
    let mut contexts: Vec<ContextKeywords> = Vec::new();
    let mut row = 0u64;
    let mut columns: Vec<Batch<u64>> = Vec::new();
    let mut pending = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // What was read before the failure is still scanned.
                flush(&mut columns, &contexts, &names, &opts, matcher, out);
                let read = reader.get_ref().read;
                let e = match e.into_kind() {
                    csv::ErrorKind::Io(e) => e,
                    other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
                };
                return w.read_failure(&e, mime, read);
            }
        }
        row += 1;
        reader.get_mut().since_record = 0;
        if row == 1 {
            let header_len = reader.position().byte() as usize;
            // The header is text: its hits are line ranges.
            match recording.borrow_mut().take() {
                Some(raw) => {
                    let raw = &raw[..header_len.min(raw.len())];
                    let _ = text::scan_text(raw, opts, matcher, out);
                }
                None => {
                    for field in record.iter() {
                        values.scan(field, None, matcher, out, || Location::Lines {
                            start: 1,
                            end: 1,
                            start_column: 1,
                        });
                    }
                }
            }
            names = record
                .iter()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect();
            let set = w.settings.text.set;
            contexts = record.iter().map(|n| set.context_keywords([n])).collect();
            continue;
        }
        for (i, field) in record.iter().enumerate() {
            if columns.len() <= i {
                columns.resize_with(i + 1, Batch::default);
            }
            pending += field.len();
            columns[i].push(field, row);
        }
        if pending >= PENDING_BYTES {
            flush(&mut columns, &contexts, &names, &opts, matcher, out);
            pending = 0;
        }
    }
    flush(&mut columns, &contexts, &names, &opts, matcher, out);
    Outcome::complete(mime, reader.get_ref().read)
}

/// Cell bytes gathered (all columns) before they are scanned.
const PENDING_BYTES: usize = 256 << 10;

/// Scans every column's gathered cells (each column with its name's keywords) and adds the
/// matches in document order: by row, then column.
fn flush(
    columns: &mut [Batch<u64>],
    contexts: &[ContextKeywords],
    names: &[String],
    opts: &text::TextScan<'_>,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) {
    let mut found: Vec<(u64, usize, DetectorId, Vec<u8>)> = Vec::new();
    for (i, batch) in columns.iter_mut().enumerate() {
        batch.scan_with(opts, contexts.get(i), matcher, |&row, detector, matched| {
            found.push((row, i, detector, matched.to_vec()));
        });
    }
    found.sort_by_key(|&(row, column, detector, _)| (row, column, detector));
    for (row, column, detector, matched) in found {
        out.add(detector, || Location::Cell {
            row,
            column: column as u64 + 1,
            column_name: names.get(column).cloned().unwrap_or_default(),
        });
        out.sample(detector, &matched);
    }
}

/// Passes bytes through, keeping a copy while `recording` holds a buffer (the header),
/// and failing once one record runs past `max_record` bytes (an unclosed quote must not
/// pull a whole file into one field).
struct Tee<R> {
    inner: R,
    recording: Rc<RefCell<Option<Vec<u8>>>>,
    read: u64,
    since_record: u64,
    max_record: u64,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_record > self.max_record {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a record is longer than {} bytes", self.max_record),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.since_record += n as u64;
        let mut recording = self.recording.borrow_mut();
        if let Some(copy) = recording.as_mut() {
            copy.extend_from_slice(&buf[..n]);
            if copy.len() as u64 > self.max_record {
                *recording = None;
            }
        }
        Ok(n)
    }
}

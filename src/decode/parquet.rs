//! Apache Parquet: read column by column, row group by row group, without materialising
//! rows. Byte-array chunks with PLAIN or dictionary pages are decoded from their pages by
//! [`pages`]; other chunks go through the `parquet` crate's column readers. Every string,
//! binary and integer value is scanned with its column's names as context keywords and
//! reported as a Macie `record`: `recordIndex` counts rows across row groups from 0,
//! `jsonPath` is the column's path with list indexes (`$.customer.phones[1]`), list and
//! map wrapper groups left out. Codecs: snappy, gzip, zstd, lz4, brotli.
//!
//! Parquet's footer sits at the end, so the file needs random access: a seekable source,
//! or (inside an archive) a member buffered in memory up to `max_buffered`.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::page::{Page, PageMetadata, PageReader};
use parquet::column::reader::{get_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, FixedLenByteArray};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use parquet::schema::types::{ColumnDescriptor, Type};

use super::json::{render_path, Step};
use super::text::{Batch, TextScan};
use super::walk::{Outcome, Walker};
use super::ReadSeek;
use crate::location::Location;
use crate::matcher::Matcher;
use crate::report::{reason, DetectionCollector};
use crate::ContextKeywords;

mod pages;

const MIME: &str = "application/parquet";
/// Records read per batch.
const BATCH: usize = 256;

/// A random-access source shared by the readers Parquet asks for.
struct Shared {
    inner: Arc<Mutex<Box<dyn ReadSeek>>>,
    len: u64,
}

/// One reader over [`Shared`], remembering its own position.
struct SharedRead {
    inner: Arc<Mutex<Box<dyn ReadSeek>>>,
    pos: u64,
}

impl Read for SharedRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| io::Error::other("parquet source lock poisoned"))?;
        inner.seek(SeekFrom::Start(self.pos))?;
        let n = inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Length for Shared {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Shared {
    type T = io::BufReader<SharedRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(io::BufReader::with_capacity(
            64 << 10,
            SharedRead {
                inner: self.inner.clone(),
                pos: start,
            },
        ))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buf = vec![0u8; length];
        let mut r = SharedRead {
            inner: self.inner.clone(),
            pos: start,
        };
        r.read_exact(&mut buf)
            .map_err(|e| ParquetError::External(Box::new(e)))?;
        Ok(buf.into())
    }
}

/// How one column's values map to JSON paths.
#[derive(Debug)]
enum Part {
    Name(String),
    /// The k-th repeated level (0-based): an index.
    Index(usize),
}

/// The path template of a leaf column, and the names that count as keywords.
fn column_path(root: &Type, descr: &ColumnDescriptor) -> (Vec<Part>, Vec<String>) {
    let mut parts = Vec::new();
    let mut names = Vec::new();
    let mut node = root;
    let mut repeated = 0usize;
    let mut parent_is_list = false;
    let mut parent_is_map = false;
    let mut in_list_wrapper = false;
    for name in descr.path().parts() {
        let Some(child) = node.get_fields().iter().find(|f| f.name() == name) else {
            break;
        };
        let info = child.get_basic_info();
        let is_repeated = info.has_repetition() && info.repetition() == Repetition::REPEATED;
        let is_list = info.converted_type() == ConvertedType::LIST
            || matches!(info.logical_type_ref(), Some(LogicalType::List));
        let is_map = matches!(
            info.converted_type(),
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
        ) || matches!(info.logical_type_ref(), Some(LogicalType::Map));
        names.push(name.clone());
        if is_repeated {
            // A LIST's or MAP's repeated wrapper is only an index: `tags.list` → `tags[i]`.
            if !(parent_is_list || parent_is_map) {
                parts.push(Part::Name(name.clone()));
            }
            parts.push(Part::Index(repeated));
            repeated += 1;
            in_list_wrapper = parent_is_list;
        } else if in_list_wrapper {
            // The element inside a LIST's wrapper has no name of its own.
            in_list_wrapper = false;
        } else {
            parts.push(Part::Name(name.clone()));
        }
        parent_is_list = is_list;
        parent_is_map = is_map;
        node = child;
    }
    (parts, names)
}

fn render(parts: &[Part], counters: &[u64]) -> String {
    let steps: Vec<Step> = parts
        .iter()
        .map(|p| match p {
            Part::Name(n) => Step::Key(n.clone()),
            Part::Index(k) => Step::Index(counters.get(*k).copied().unwrap_or(0)),
        })
        .collect();
    render_path(&steps)
}

/// Scans a Parquet file.
pub fn scan(
    w: &mut Walker<'_>,
    source: Box<dyn ReadSeek>,
    len: u64,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let shared = Shared {
        inner: Arc::new(Mutex::new(source)),
        len,
    };
    let reader = match SerializedFileReader::new(shared) {
        Ok(r) => r,
        Err(e) => {
            return Outcome::skipped(
                MIME,
                reason::MALFORMED_FILE,
                format!("not Parquet ({})", error_kind(&e)),
            )
        }
    };
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let set = w.settings.text.set;
    let columns: Vec<(Vec<Part>, ContextKeywords)> = schema
        .columns()
        .iter()
        .map(|c| {
            let (parts, names) = column_path(schema.root_schema(), c);
            let ctx = set.context_keywords(names.iter().map(|n| n.as_bytes()));
            (parts, ctx)
        })
        .collect();
    let mut batch = Batch::default();
    let mut first_row = 0u64;
    let mut scanned = 0u64;
    for g in 0..meta.num_row_groups() {
        let group = match reader.get_row_group(g) {
            Ok(r) => r,
            Err(e) => return failed(first_row, scanned, &e),
        };
        let rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
        for (c, (parts, ctx)) in columns.iter().enumerate() {
            let descr = schema.column(c);
            // The parquet crate asserts on negative or out-of-file chunk ranges; check
            // them first so a hostile footer is a malformed file, not a panic.
            let chunk = group.metadata().column(c);
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let size = chunk.compressed_size();
            let in_file = start >= 0
                && size >= 0
                && (start as u64)
                    .checked_add(size as u64)
                    .is_some_and(|end| end <= len);
            if !in_file {
                return Outcome::partial(
                    MIME,
                    reason::MALFORMED_FILE,
                    scanned,
                    format!("Parquet column chunk {c} of row group {g} lies outside the file"),
                );
            }
            let mut pages = match group.get_column_page_reader(c) {
                Ok(r) => r,
                Err(e) => return failed(first_row, scanned, &e),
            };
            let budget = Arc::new(AtomicU64::new(0));
            let mut col = Column {
                budget: budget.clone(),
                parts,
                ctx,
                record: first_row.wrapping_sub(1),
                counters: vec![0; descr.max_rep_level().max(0) as usize],
                max_def: descr.max_def_level(),
                max_rep: descr.max_rep_level(),
                opts: w.settings.text,
                batch: &mut batch,
                matcher,
                out,
                scanned: 0,
            };
            let r = if descr.physical_type() == PhysicalType::BYTE_ARRAY
                && pages::supported(chunk.encodings())
            {
                let (max_def, max_rep) = (col.max_def, col.max_rep);
                pages::read(pages.as_mut(), max_def, max_rep, |rep, value| {
                    col.step(rep);
                    if let Some(v) = value {
                        col.value(v);
                    }
                })
            } else {
                let capped = Capped {
                    inner: pages,
                    used: budget,
                };
                match get_column_reader(descr.clone(), Box::new(capped)) {
                    ColumnReader::ByteArrayColumnReader(r) => {
                        col.read(r, |v: &ByteArray| Text::Bytes(v.data()))
                    }
                    ColumnReader::FixedLenByteArrayColumnReader(r) => {
                        col.read(r, |v: &FixedLenByteArray| Text::Bytes(v.data()))
                    }
                    ColumnReader::Int64ColumnReader(r) => col.read(r, |v: &i64| Text::Int(*v)),
                    ColumnReader::Int32ColumnReader(r) => {
                        col.read(r, |v: &i32| Text::Int(i64::from(*v)))
                    }
                    _ => Ok(()),
                }
            };
            // What was read before a failure is still scanned.
            col.flush();
            scanned += col.scanned;
            if let Err(e) = r {
                return failed(first_row, scanned, &e);
            }
        }
        first_row += rows;
    }
    Outcome::complete(MIME, len)
}

fn failed(row: u64, scanned: u64, e: &ParquetError) -> Outcome {
    Outcome::partial(
        MIME,
        reason::UNABLE_TO_PARSE_FILE,
        scanned,
        format!("Parquet unreadable after row {row} ({})", error_kind(e)),
    )
}

/// The variant name of a Parquet error, never its message (it can quote the data).
fn error_kind(e: &ParquetError) -> &'static str {
    match e {
        ParquetError::General(_) => "malformed",
        ParquetError::NYI(_) => "unsupported feature",
        ParquetError::EOF(_) => "truncated",
        ParquetError::IndexOutOfBound(..) => "index out of bounds",
        ParquetError::External(_) => "read error",
        _ => "unreadable",
    }
}

/// A value as text to scan.
enum Text<'v> {
    Bytes(&'v [u8]),
    Int(i64),
}

/// Values one `read_records` call may pull from pages. The column reader keeps a whole
/// record in memory, and run-length encoding lets a few bytes claim billions of levels in
/// one record; past this the column is reported unreadable instead of exhausting memory.
const MAX_VALUES_PER_BATCH: u64 = 2_000_000;

/// A page reader that counts the values of the pages it hands out since its counter was
/// last reset, and fails past [`MAX_VALUES_PER_BATCH`].
struct Capped {
    inner: Box<dyn PageReader>,
    used: Arc<AtomicU64>,
}

impl Capped {
    fn charge(&self, page: &Page) -> parquet::errors::Result<()> {
        let used = self
            .used
            .fetch_add(u64::from(page.num_values()), Ordering::Relaxed)
            + u64::from(page.num_values());
        if used > MAX_VALUES_PER_BATCH {
            return Err(ParquetError::General(format!(
                "more than {MAX_VALUES_PER_BATCH} values in one batch of records"
            )));
        }
        Ok(())
    }
}

impl Iterator for Capped {
    type Item = parquet::errors::Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for Capped {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<Page>> {
        let page = self.inner.get_next_page()?;
        if let Some(p) = &page {
            self.charge(p)?;
        }
        Ok(page)
    }

    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }

    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        self.inner.skip_next_page()
    }

    fn at_record_boundary(&mut self) -> parquet::errors::Result<bool> {
        self.inner.at_record_boundary()
    }
}

/// One column chunk being read.
struct Column<'c, 's, 'm> {
    /// Values handed out by the page reader since the last batch.
    budget: Arc<AtomicU64>,
    parts: &'c [Part],
    ctx: &'c ContextKeywords,
    /// The record of the last level read (one before the first row at the start).
    record: u64,
    /// The list indexes of the last level read, one per repeated level.
    counters: Vec<u64>,
    max_def: i16,
    max_rep: i16,
    opts: TextScan<'s>,
    batch: &'c mut Batch<(u64, Vec<u64>)>,
    matcher: &'m mut Matcher,
    out: &'m mut DetectionCollector,
    scanned: u64,
}

impl Column<'_, '_, '_> {
    fn read<T: DataType>(
        &mut self,
        mut reader: ColumnReaderImpl<T>,
        text: impl for<'v> Fn(&'v T::T) -> Text<'v>,
    ) -> parquet::errors::Result<()> {
        let mut defs: Vec<i16> = Vec::new();
        let mut reps: Vec<i16> = Vec::new();
        let mut vals: Vec<T::T> = Vec::new();
        let mut itoa = itoa::Buffer::new();
        loop {
            defs.clear();
            reps.clear();
            vals.clear();
            self.budget.store(0, Ordering::Relaxed);
            let (records, values, levels) = reader.read_records(
                BATCH,
                (self.max_def > 0).then_some(&mut defs),
                (self.max_rep > 0).then_some(&mut reps),
                &mut vals,
            )?;
            if records == 0 && values == 0 && levels == 0 {
                return Ok(());
            }
            let n = if self.max_def > 0 || self.max_rep > 0 {
                levels
            } else {
                values
            };
            let mut v = 0usize;
            for k in 0..n {
                self.step(reps.get(k).copied().unwrap_or(0));
                let def = defs.get(k).copied().unwrap_or(self.max_def);
                if def < self.max_def {
                    continue;
                }
                let Some(value) = vals.get(v) else { break };
                v += 1;
                match text(value) {
                    Text::Bytes(b) => self.value(b),
                    Text::Int(i) => self.value(itoa.format(i).as_bytes()),
                }
            }
        }
    }

    /// Moves to the next level, whose repetition level is `rep`: a new record at 0, else
    /// the next index of list `rep`.
    #[inline]
    fn step(&mut self, rep: i16) {
        if self.counters.is_empty() {
            // A flat column (the usual case): every level is a record.
            self.record = self.record.wrapping_add(1);
        } else if rep == 0 {
            self.record = self.record.wrapping_add(1);
            self.counters.fill(0);
        } else {
            let r = rep as usize;
            if let Some(c) = self.counters.get_mut(r - 1) {
                *c += 1;
            }
            if let Some(rest) = self.counters.get_mut(r..) {
                rest.fill(0);
            }
        }
    }

    /// Adds the current level's value to the batch.
    #[inline]
    fn value(&mut self, bytes: &[u8]) {
        self.scanned += bytes.len() as u64;
        if self.batch.push(bytes, (self.record, self.counters.clone())) {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let parts = self.parts;
        self.batch.scan(
            &self.opts,
            Some(self.ctx),
            self.matcher,
            self.out,
            |(record, counters)| Location::Record {
                record_index: *record,
                json_path: Some(render(parts, counters)),
            },
        );
    }
}

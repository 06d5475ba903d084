//! Byte-array column chunks decoded straight from their pages: PLAIN and dictionary
//! values, RLE/bit-packed hybrid levels. The `parquet` crate still reads, checks and
//! decompresses the pages; this module only turns a page's bytes into levels and value
//! slices. The crate's typed column reader hands every value out as a reference-counted
//! `Bytes` (a clone and a drop per value, a fifth of a Parquet scan) and keeps its hybrid
//! decoder private; here a value is a slice of its page or dictionary, and levels are
//! decoded [`ROUND`] at a time, so memory stays bounded whatever a page claims.
//!
//! Chunks with other encodings (delta, byte-stream-split, the deprecated `BIT_PACKED`
//! levels) go through the crate's column reader instead: [`supported`] tells which.

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::errors::ParquetError;

/// Levels decoded per round.
const ROUND: usize = 1024;

/// Levels one data page may hold. A page of run-length-encoded levels states its count in
/// a few bytes, so a small hostile file could claim billions; a page past this (a hundred
/// times the 20,000 rows writers put in a page) is refused, as the column reader's batches
/// are.
pub const MAX_PAGE_LEVELS: u32 = super::MAX_VALUES_PER_BATCH as u32;

/// Whether a column chunk whose pages use these encodings can be read here.
pub fn supported(mut encodings: impl Iterator<Item = Encoding>) -> bool {
    encodings.all(|e| {
        matches!(
            e,
            Encoding::PLAIN | Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY | Encoding::RLE
        )
    })
}

/// Reads every page of a byte-array column chunk and calls `level(rep, value)` for each
/// of its levels in order: `rep` is the repetition level, `value` the bytes, or `None`
/// where the value is null (its definition level is below `max_def`).
pub fn read(
    pages: &mut dyn PageReader,
    max_def: i16,
    max_rep: i16,
    mut level: impl FnMut(i16, Option<&[u8]>),
) -> Result<(), ParquetError> {
    let max_def = u32::try_from(max_def).unwrap_or(0);
    let max_rep = u32::try_from(max_rep).unwrap_or(0);
    let mut dict = Dictionary::default();
    let mut rounds = Rounds::default();
    while let Some(page) = pages.get_next_page()? {
        let (levels, data, encoding, reps, defs) = match &page {
            Page::DictionaryPage {
                buf,
                num_values,
                encoding,
                ..
            } => {
                dict = Dictionary::new(buf.clone(), *num_values, *encoding)?;
                continue;
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                rep_level_encoding,
                ..
            } => {
                // Version 1: each level stream is prefixed by its length.
                let mut rest: &[u8] = buf;
                let reps = v1_levels(&mut rest, max_rep, *rep_level_encoding)?;
                let defs = v1_levels(&mut rest, max_def, *def_level_encoding)?;
                (*num_values, rest, *encoding, reps, defs)
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                // Version 2: the level streams' lengths are in the header.
                let (reps, rest) = split(buf, *rep_levels_byte_len)?;
                let (defs, rest) = split(rest, *def_levels_byte_len)?;
                let reps = (max_rep > 0).then(|| Hybrid::new(reps, bit_width(max_rep)));
                let defs = (max_def > 0).then(|| Hybrid::new(defs, bit_width(max_def)));
                (*num_values, rest, *encoding, reps, defs)
            }
        };
        if levels > MAX_PAGE_LEVELS {
            return Err(ParquetError::General(format!(
                "a data page of {levels} values, more than {MAX_PAGE_LEVELS}"
            )));
        }
        let values = Values::new(data, encoding, &dict)?;
        rounds.page(
            levels as usize,
            reps,
            defs,
            values,
            max_def,
            max_rep,
            &mut level,
        )?;
    }
    Ok(())
}

/// The levels and values of one round, reused from page to page.
struct Rounds {
    reps: [u32; ROUND],
    defs: [u32; ROUND],
}

impl Default for Rounds {
    fn default() -> Rounds {
        Rounds {
            reps: [0; ROUND],
            defs: [0; ROUND],
        }
    }
}

impl Rounds {
    /// Walks the `levels` levels of one data page.
    #[allow(clippy::too_many_arguments)]
    fn page<'p>(
        &mut self,
        mut levels: usize,
        mut reps: Option<Hybrid<'_>>,
        mut defs: Option<Hybrid<'_>>,
        mut values: Values<'p>,
        max_def: u32,
        max_rep: u32,
        level: &mut impl FnMut(i16, Option<&'p [u8]>),
    ) -> Result<(), ParquetError> {
        while levels > 0 {
            let n = levels.min(ROUND);
            levels -= n;
            let (reps_now, defs_now) = (&mut self.reps[..n], &mut self.defs[..n]);
            if let Some(r) = &mut reps {
                r.read(reps_now, max_rep, "repetition")?;
            }
            if let Some(d) = &mut defs {
                d.read(defs_now, max_def, "definition")?;
            }
            for k in 0..n {
                let rep = if reps.is_some() { reps_now[k] } else { 0 };
                let value = if defs.is_none() || defs_now[k] == max_def {
                    Some(values.next()?)
                } else {
                    None
                };
                // Levels are at most `i16::MAX`: checked against the column's maximum.
                level(rep as i16, value);
            }
        }
        Ok(())
    }
}

/// Takes a version 1 page's level stream (a 4-byte length, then the hybrid runs) off the
/// front of `rest`; none when the column has no such levels.
fn v1_levels<'p>(
    rest: &mut &'p [u8],
    max: u32,
    encoding: Encoding,
) -> Result<Option<Hybrid<'p>>, ParquetError> {
    if max == 0 {
        return Ok(None);
    }
    if encoding != Encoding::RLE {
        return Err(ParquetError::NYI(format!("{encoding} levels")));
    }
    let (len, after) = split(rest, 4)?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
    let (levels, after) = split(after, len)?;
    *rest = after;
    Ok(Some(Hybrid::new(levels, bit_width(max))))
}

/// `data` split after `len` bytes, or an error when it is shorter.
fn split(data: &[u8], len: u32) -> Result<(&[u8], &[u8]), ParquetError> {
    let len = len as usize;
    if data.len() < len {
        return Err(ParquetError::EOF(
            "page shorter than its header says".into(),
        ));
    }
    Ok(data.split_at(len))
}

/// Bits needed for the levels `0..=max`.
fn bit_width(max: u32) -> u8 {
    (32 - max.leading_zeros()) as u8
}

/// A dictionary page: PLAIN byte arrays, found by index.
#[derive(Default)]
struct Dictionary {
    buf: Bytes,
    spans: Vec<(usize, usize)>,
}

impl Dictionary {
    fn new(buf: Bytes, count: u32, encoding: Encoding) -> Result<Dictionary, ParquetError> {
        if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
            return Err(ParquetError::NYI(format!("{encoding} dictionary")));
        }
        // Each entry takes at least its 4-byte length: a count past that is a lie.
        let mut spans = Vec::with_capacity((count as usize).min(buf.len() / 4));
        let mut plain = Plain { data: &buf, pos: 0 };
        for _ in 0..count {
            let value = plain.next()?;
            let start = value.as_ptr() as usize - buf.as_ptr() as usize;
            spans.push((start, start + value.len()));
        }
        Ok(Dictionary { buf, spans })
    }
}

/// The values of one data page.
enum Values<'p> {
    Plain(Plain<'p>),
    Dict {
        indices: Hybrid<'p>,
        dict: &'p Dictionary,
        /// Indices decoded ahead, and the next one to use.
        ahead: Box<[u32; ROUND]>,
        used: usize,
        len: usize,
    },
}

impl<'p> Values<'p> {
    fn new(
        data: &'p [u8],
        encoding: Encoding,
        dict: &'p Dictionary,
    ) -> Result<Values<'p>, ParquetError> {
        match encoding {
            Encoding::PLAIN => Ok(Values::Plain(Plain { data, pos: 0 })),
            Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                let Some((&width, runs)) = data.split_first() else {
                    return Err(ParquetError::EOF("dictionary indices missing".into()));
                };
                if width > 32 {
                    return Err(ParquetError::General(format!(
                        "dictionary index width {width} above 32 bits"
                    )));
                }
                Ok(Values::Dict {
                    indices: Hybrid::new(runs, width),
                    dict,
                    ahead: Box::new([0; ROUND]),
                    used: 0,
                    len: 0,
                })
            }
            other => Err(ParquetError::NYI(format!("{other} byte arrays"))),
        }
    }

    /// The next value of the page.
    fn next(&mut self) -> Result<&'p [u8], ParquetError> {
        match self {
            Values::Plain(p) => p.next(),
            Values::Dict {
                indices,
                dict,
                ahead,
                used,
                len,
            } => {
                if *used == *len {
                    *len = indices.read_any(&mut ahead[..])?;
                    *used = 0;
                }
                let i = ahead[*used] as usize;
                *used += 1;
                let &(start, end) = dict.spans.get(i).ok_or_else(|| {
                    ParquetError::General(format!(
                        "dictionary index {i} past the dictionary's {} entries",
                        dict.spans.len()
                    ))
                })?;
                Ok(&dict.buf[start..end])
            }
        }
    }
}

/// PLAIN byte arrays: each a 4-byte little-endian length, then its bytes.
struct Plain<'p> {
    data: &'p [u8],
    pos: usize,
}

impl<'p> Plain<'p> {
    fn next(&mut self) -> Result<&'p [u8], ParquetError> {
        let truncated = || ParquetError::EOF("byte array past the end of its page".into());
        let len = self
            .data
            .get(self.pos..self.pos + 4)
            .ok_or_else(truncated)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let start = self.pos + 4;
        let value = self
            .data
            .get(start..start.saturating_add(len))
            .ok_or_else(truncated)?;
        self.pos = start + len;
        Ok(value)
    }
}

/// RLE/bit-packed hybrid runs of `width`-bit values: each run starts with a ULEB128
/// header; an even header is `count << 1` followed by one value in whole bytes, an odd
/// one `groups << 1 | 1` followed by `8 × groups` values packed least significant bit
/// first.
struct Hybrid<'p> {
    data: &'p [u8],
    width: u8,
    /// Values left in the current run.
    left: usize,
    run: Run<'p>,
}

enum Run<'p> {
    Repeat(u32),
    /// Packed values and the bit position of the next one.
    Packed(&'p [u8], usize),
}

impl<'p> Hybrid<'p> {
    fn new(data: &'p [u8], width: u8) -> Hybrid<'p> {
        Hybrid {
            data,
            width,
            left: 0,
            run: Run::Repeat(0),
        }
    }

    /// Fills `out` with levels, each at most `max`; `what` names them in errors.
    fn read(&mut self, out: &mut [u32], max: u32, what: &str) -> Result<(), ParquetError> {
        let mut filled = 0;
        while filled < out.len() {
            filled += self.read_any(&mut out[filled..])?;
        }
        if out.iter().any(|&l| l > max) {
            return Err(ParquetError::General(format!(
                "{what} level above the column's maximum {max}"
            )));
        }
        Ok(())
    }

    /// Fills the front of `out` from the current run (the next one if it is spent) and
    /// returns how many values were written, at least one.
    fn read_any(&mut self, out: &mut [u32]) -> Result<usize, ParquetError> {
        while self.left == 0 {
            self.next_run()?;
        }
        let n = self.left.min(out.len());
        let width = usize::from(self.width);
        match &mut self.run {
            Run::Repeat(v) => out[..n].fill(*v),
            Run::Packed(packed, bit) => {
                let mask = (1u64 << width) - 1;
                for o in &mut out[..n] {
                    *o = (unpack64(packed, *bit / 8) >> (*bit % 8) & mask) as u32;
                    *bit += width;
                }
            }
        }
        self.left -= n;
        Ok(n)
    }

    fn next_run(&mut self) -> Result<(), ParquetError> {
        let header = self.uleb128()?;
        let width = usize::from(self.width);
        if header & 1 == 0 {
            let bytes = width.div_ceil(8);
            let (value, rest) = split(self.data, bytes as u32)?;
            let mut le = [0u8; 4];
            le[..bytes].copy_from_slice(value);
            self.data = rest;
            self.run = Run::Repeat(u32::from_le_bytes(le));
            self.left = usize::try_from(header >> 1).unwrap_or(usize::MAX);
        } else {
            let groups = usize::try_from(header >> 1).unwrap_or(usize::MAX);
            // A last run may stop short of its groups: keep the values that are there.
            let bytes = groups.saturating_mul(width).min(self.data.len());
            let (packed, rest) = self.data.split_at(bytes);
            self.data = rest;
            self.left = match width {
                0 => groups.saturating_mul(8),
                w => (groups.saturating_mul(8)).min(bytes * 8 / w),
            };
            self.run = Run::Packed(packed, 0);
        }
        Ok(())
    }

    fn uleb128(&mut self) -> Result<u64, ParquetError> {
        let mut value = 0u64;
        for (i, &b) in self.data.iter().enumerate().take(10) {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.data = &self.data[i + 1..];
                return Ok(value);
            }
        }
        Err(ParquetError::EOF("levels or indices end early".into()))
    }
}

/// The 8 bytes at `at` as a little-endian word, zero past the end.
#[inline(always)]
fn unpack64(data: &[u8], at: usize) -> u64 {
    match data.get(at..at + 8) {
        Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        None => {
            let mut w = [0u8; 8];
            let tail = data.get(at..).unwrap_or(&[]);
            w[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `values` as hybrid runs the plain way: a run of repeats where a value
    /// repeats eight or more times, bit-packed groups of eight otherwise.
    fn encode(values: &[u32], width: u8) -> Vec<u8> {
        fn uleb(out: &mut Vec<u8>, mut v: u64) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    out.push(b);
                    return;
                }
                out.push(b | 0x80);
            }
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < values.len() {
            let same = values[i..].iter().take_while(|&&v| v == values[i]).count();
            if same >= 8 {
                uleb(&mut out, (same as u64) << 1);
                out.extend_from_slice(&values[i].to_le_bytes()[..usize::from(width).div_ceil(8)]);
                i += same;
                continue;
            }
            let group: Vec<u32> = (0..8)
                .map(|k| values.get(i + k).copied().unwrap_or(0))
                .collect();
            uleb(&mut out, 1 << 1 | 1);
            let mut bits = 0u64;
            let mut nbits = 0;
            for v in group {
                bits |= u64::from(v) << nbits;
                nbits += width;
                while nbits >= 8 {
                    out.push(bits as u8);
                    bits >>= 8;
                    nbits -= 8;
                }
            }
            if nbits > 0 {
                out.push(bits as u8);
            }
            i += 8;
        }
        out
    }

    #[test]
    fn hybrid_runs_decode_at_every_width() {
        for width in [0u8, 1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 24, 31, 32] {
            let max = if width == 32 {
                u32::MAX
            } else {
                (1u32 << width) - 1
            };
            let mut seed = 0x9e37_79b9u32;
            let values: Vec<u32> = (0..3000)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    // Stretches of repeats between stretches of noise.
                    if (i / 40) % 2 == 0 {
                        max / 3
                    } else {
                        seed & max
                    }
                })
                .collect();
            let data = encode(&values, width);
            let mut h = Hybrid::new(&data, width);
            let mut got = vec![0u32; values.len()];
            // Odd slice sizes cross run boundaries.
            for chunk in got.chunks_mut(37) {
                h.read(chunk, max, "test").unwrap();
            }
            assert_eq!(got, values, "width {width}");
        }
    }

    #[test]
    fn hybrid_errors_instead_of_running_past_its_data() {
        let data = encode(&[1, 1, 1, 1, 1, 1, 1, 1, 1], 1);
        let mut h = Hybrid::new(&data, 1);
        let mut out = [0u32; 20];
        assert!(matches!(
            h.read(&mut out, 1, "test"),
            Err(ParquetError::EOF(_))
        ));
        // A level above the column's maximum is refused.
        let data = encode(&[3; 8], 2);
        let mut h = Hybrid::new(&data, 2);
        assert!(h.read(&mut out[..8], 2, "test").is_err());
    }

    /// Pages handed out from a list.
    struct Listed(std::vec::IntoIter<Page>);

    impl Iterator for Listed {
        type Item = Result<Page, ParquetError>;
        fn next(&mut self) -> Option<Self::Item> {
            self.0.next().map(Ok)
        }
    }

    impl PageReader for Listed {
        fn get_next_page(&mut self) -> Result<Option<Page>, ParquetError> {
            Ok(self.0.next())
        }
        fn peek_next_page(
            &mut self,
        ) -> Result<Option<parquet::column::page::PageMetadata>, ParquetError> {
            Ok(None)
        }
        fn skip_next_page(&mut self) -> Result<(), ParquetError> {
            Ok(())
        }
    }

    /// A version 1 page of an optional column: `levels` null levels in one run.
    fn nulls(levels: u32) -> Page {
        let run = encode(&[0; 8], 1);
        // The run repeats its value `levels` times: rewrite its header.
        let mut header = Vec::new();
        let mut v = u64::from(levels) << 1;
        while v >= 0x80 {
            header.push((v as u8) | 0x80);
            v >>= 7;
        }
        header.push(v as u8);
        let mut stream = header;
        stream.extend_from_slice(&run[1..]);
        let mut buf = (stream.len() as u32).to_le_bytes().to_vec();
        buf.extend_from_slice(&stream);
        Page::DataPage {
            buf: Bytes::from(buf),
            num_values: levels,
            encoding: Encoding::PLAIN,
            def_level_encoding: Encoding::RLE,
            rep_level_encoding: Encoding::RLE,
            statistics: None,
        }
    }

    #[test]
    fn a_page_claiming_too_many_levels_is_refused() {
        let count = |pages: Vec<Page>| {
            let mut n = 0usize;
            let r = read(&mut Listed(pages.into_iter()), 1, 0, |_, v| {
                assert!(v.is_none());
                n += 1;
            });
            r.map(|()| n)
        };
        assert_eq!(
            count(vec![nulls(MAX_PAGE_LEVELS)]).unwrap(),
            MAX_PAGE_LEVELS as usize
        );
        // Four bytes of levels claiming four billion nulls: refused before any is read.
        assert!(count(vec![nulls(u32::MAX)]).is_err());
        assert!(count(vec![nulls(3), nulls(MAX_PAGE_LEVELS + 1)]).is_err());
    }

    #[test]
    fn plain_byte_arrays_stop_at_the_page_end() {
        let mut page = Vec::new();
        for v in [&b"ab"[..], b"", b"xyz"] {
            page.extend_from_slice(&(v.len() as u32).to_le_bytes());
            page.extend_from_slice(v);
        }
        let mut p = Plain {
            data: &page,
            pos: 0,
        };
        assert_eq!(p.next().unwrap(), b"ab");
        assert_eq!(p.next().unwrap(), b"");
        assert_eq!(p.next().unwrap(), b"xyz");
        assert!(p.next().is_err());
        page.extend_from_slice(&9u32.to_le_bytes());
        page.extend_from_slice(b"short");
        let mut p = Plain {
            data: &page,
            pos: 0,
        };
        for _ in 0..3 {
            p.next().unwrap();
        }
        assert!(p.next().is_err());
    }
}

/// The page decoder against the `parquet` crate's own column reader, on files written by
/// the crate with every page shape this module reads.
#[cfg(test)]
mod against_the_crate {
    use std::sync::Arc;

    use bytes::Bytes;
    use parquet::basic::{Compression, Encoding};
    use parquet::column::reader::{get_column_reader, ColumnReader};
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::writer::SerializedFileWriter;

    type Levels = Vec<(i16, Option<Vec<u8>>)>;

    /// Three columns — required, optional, and an optional list of optional strings —
    /// over `rows` rows from a seeded generator; `few` draws values from eight, so
    /// dictionaries hold.
    fn file(props: WriterProperties, rows: usize, few: bool) -> Bytes {
        let schema = Arc::new(
            parquet::schema::parser::parse_message_type(
                "message m {
                   required binary a (UTF8);
                   optional binary b (UTF8);
                   optional group l (LIST) {
                     repeated group list { optional binary element (UTF8); }
                   }
                 }",
            )
            .unwrap(),
        );
        let mut seed = 0x2545_f491u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let value = |r: u64| -> ByteArray {
            let n = if few { r % 8 } else { r };
            ByteArray::from(format!("v{n}-{}", "x".repeat((r % 13) as usize)).as_str())
        };
        let mut buf = Vec::new();
        let mut w = SerializedFileWriter::new(&mut buf, schema, Arc::new(props)).unwrap();
        for group in [rows / 3, rows - rows / 3] {
            let mut a = Vec::new();
            let (mut b, mut b_def) = (Vec::new(), Vec::new());
            let (mut l, mut l_def, mut l_rep) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..group {
                let r = next();
                a.push(value(r));
                if r % 5 == 0 {
                    b_def.push(0);
                } else {
                    b_def.push(1);
                    b.push(value(r >> 3));
                }
                // A null list, an empty list, or one of up to four elements, some null.
                match r % 7 {
                    0 | 1 => {
                        l_def.push((r % 7) as i16);
                        l_rep.push(0);
                    }
                    _ => {
                        for k in 0..(r >> 5) % 4 + 1 {
                            l_rep.push(if k == 0 { 0 } else { 1 });
                            if (r >> (8 + k)) % 4 == 0 {
                                l_def.push(2);
                            } else {
                                l_def.push(3);
                                l.push(value(r >> (k + 2)));
                            }
                        }
                    }
                }
            }
            let mut rg = w.next_row_group().unwrap();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<ByteArrayType>()
                .write_batch(&a, None, None)
                .unwrap();
            col.close().unwrap();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<ByteArrayType>()
                .write_batch(&b, Some(&b_def), None)
                .unwrap();
            col.close().unwrap();
            let mut col = rg.next_column().unwrap().unwrap();
            col.typed::<ByteArrayType>()
                .write_batch(&l, Some(&l_def), Some(&l_rep))
                .unwrap();
            col.close().unwrap();
            rg.close().unwrap();
        }
        w.close().unwrap();
        Bytes::from(buf)
    }

    /// Every column chunk's levels, through this module and through the crate.
    fn both(data: Bytes) -> Vec<(Levels, Levels)> {
        let reader = SerializedFileReader::new(data).unwrap();
        let mut chunks = Vec::new();
        for g in 0..reader.num_row_groups() {
            let group = reader.get_row_group(g).unwrap();
            for c in 0..group.num_columns() {
                let descr = group.metadata().column(c).column_descr_ptr();
                let (max_def, max_rep) = (descr.max_def_level(), descr.max_rep_level());
                assert!(
                    super::supported(group.metadata().column(c).encodings()),
                    "{:?}",
                    group.metadata().column(c).encodings().collect::<Vec<_>>()
                );
                let mut ours = Levels::new();
                super::read(
                    group.get_column_page_reader(c).unwrap().as_mut(),
                    max_def,
                    max_rep,
                    |rep, v| ours.push((rep, v.map(<[u8]>::to_vec))),
                )
                .unwrap();
                let ColumnReader::ByteArrayColumnReader(mut r) =
                    get_column_reader(descr, group.get_column_page_reader(c).unwrap())
                else {
                    panic!("not a byte-array column");
                };
                let (mut defs, mut reps, mut vals) = (Vec::new(), Vec::new(), Vec::new());
                r.read_records(usize::MAX, Some(&mut defs), Some(&mut reps), &mut vals)
                    .unwrap();
                let mut vals = vals.into_iter();
                let theirs: Levels = (0..defs.len().max(vals.len()))
                    .map(|k| {
                        let def = defs.get(k).copied().unwrap_or(max_def);
                        let rep = reps.get(k).copied().unwrap_or(0);
                        let v = (def == max_def).then(|| vals.next().unwrap().data().to_vec());
                        (rep, v)
                    })
                    .collect();
                chunks.push((ours, theirs));
            }
        }
        chunks
    }

    #[test]
    fn every_page_shape_reads_as_the_crate_reads_it() {
        let mut shapes = 0;
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            for dictionary in [true, false] {
                for few in [true, false] {
                    for compression in [Compression::UNCOMPRESSED, Compression::SNAPPY] {
                        let props = WriterProperties::builder()
                            .set_writer_version(version)
                            .set_compression(compression)
                            .set_dictionary_enabled(dictionary)
                            // Small dictionaries fall back to PLAIN pages mid-chunk.
                            .set_dictionary_page_size_limit(300)
                            .set_data_page_size_limit(700)
                            .set_data_page_row_count_limit(97)
                            .set_write_batch_size(31)
                            .set_encoding(Encoding::PLAIN)
                            .build();
                        for (ours, theirs) in both(file(props, 1500, few)) {
                            assert!(!ours.is_empty());
                            assert_eq!(ours, theirs, "{version:?} dict {dictionary} few {few}");
                            shapes += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(shapes, 2 * 2 * 2 * 2 * 6);
    }
}

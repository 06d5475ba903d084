//! Builders for test containers: gzip, zstd, zip, tar, CSV, JSON, JSON Lines, Parquet and
//! Avro, made in memory by the same crates users' tools use.

use std::io::{Cursor, Write};
use std::sync::Arc;

use s3pii::decode::{Input, Limits};
use s3pii::object::ObjectInfo;
use s3pii::report::ObjectReport;
use s3pii::scan::{ScanConfig, Scanner};
use s3pii::{DetectorSet, Matcher};

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// A zip of `(name, content)`; `stored` picks no compression, `zip64` forces zip64 headers.
pub fn zip(entries: &[(&str, &[u8])], stored: bool, zip64: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(zip64);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A one-column CSV (header `v`) with one value per row.
pub fn csv(values: &[&str]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["v"]).unwrap();
    for v in values {
        w.write_record([v]).unwrap();
    }
    w.into_inner().unwrap()
}

/// `[{"v": ...}, ...]`
pub fn json(values: &[&str]) -> Vec<u8> {
    let doc: Vec<serde_json::Value> = values
        .iter()
        .map(|v| serde_json::json!({ "v": v }))
        .collect();
    serde_json::to_vec_pretty(&doc).unwrap()
}

/// One `{"v": ...}` per line.
pub fn jsonl(values: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        serde_json::to_writer(&mut out, &serde_json::json!({ "v": v })).unwrap();
        out.push(b'\n');
    }
    out
}

/// A Parquet file with one required UTF-8 column `v`, `per_group` rows per row group.
pub fn parquet(
    values: &[&str],
    compression: parquet::basic::Compression,
    per_group: usize,
) -> Vec<u8> {
    use parquet::data_type::{ByteArray, ByteArrayType};
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type("message m { required binary v (UTF8); }")
            .unwrap(),
    );
    let props = Arc::new(
        parquet::file::properties::WriterProperties::builder()
            .set_compression(compression)
            .build(),
    );
    let mut buf = Vec::new();
    let mut w = parquet::file::writer::SerializedFileWriter::new(&mut buf, schema, props).unwrap();
    for group in values.chunks(per_group.max(1)) {
        let mut rg = w.next_row_group().unwrap();
        while let Some(mut col) = rg.next_column().unwrap() {
            let data: Vec<ByteArray> = group.iter().map(|v| ByteArray::from(*v)).collect();
            col.typed::<ByteArrayType>()
                .write_batch(&data, None, None)
                .unwrap();
            col.close().unwrap();
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
    buf
}

/// An Avro container file of records `{"v": string}`.
pub fn avro(values: &[&str]) -> Vec<u8> {
    let schema = apache_avro::Schema::parse_str(
        r#"{"type":"record","name":"r","fields":[{"name":"v","type":"string"}]}"#,
    )
    .unwrap();
    let mut w = apache_avro::Writer::new(&schema, Vec::new());
    for v in values {
        let mut rec = apache_avro::types::Record::new(&schema).unwrap();
        rec.put("v", *v);
        w.append(rec).unwrap();
    }
    w.into_inner().unwrap()
}

pub fn info(key: &str, size: u64) -> ObjectInfo {
    ObjectInfo {
        bucket: "test".into(),
        key: key.into(),
        size,
        last_modified: None,
        storage_class: Some("STANDARD".into()),
        ..ObjectInfo::default()
    }
}

pub fn scanner(limits: Limits) -> Scanner {
    let set = DetectorSet::builtin().unwrap();
    Scanner::new(
        set,
        None,
        ScanConfig {
            jobs: 1,
            limits,
            ..ScanConfig::default()
        },
    )
    .unwrap()
}

/// How a test hands an object to the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Random access (a local file, S3 with ranged GETs).
    Seekable,
    /// A stream that stays on the scanning thread (an archive member).
    Stream,
    /// A stream that may move threads (a whole object): compressed objects are inflated
    /// on a thread of their own.
    SendStream,
}

/// Scans `data` as object `key`, seekable (like a local file) or as a stream.
pub fn scan(scanner: &Scanner, key: &str, data: &[u8], seekable: bool) -> Vec<ObjectReport> {
    scan_as(
        scanner,
        key,
        data,
        if seekable {
            Mode::Seekable
        } else {
            Mode::Stream
        },
    )
}

/// Scans `data` as object `key`, handed over as `mode` says.
pub fn scan_as(scanner: &Scanner, key: &str, data: &[u8], mode: Mode) -> Vec<ObjectReport> {
    let mut matcher = Matcher::new(scanner.detectors());
    let info = info(key, data.len() as u64);
    let mut stream = Cursor::new(data);
    match mode {
        Mode::Seekable => {
            let input = Input::Seekable(Box::new(Cursor::new(data.to_vec())), data.len() as u64);
            scanner.scan_input(input, &info, Some(data.len() as u64), &mut matcher)
        }
        Mode::Stream => scanner.scan_input(Input::Stream(&mut stream), &info, None, &mut matcher),
        Mode::SendStream => {
            scanner.scan_input(Input::SendStream(&mut stream), &info, None, &mut matcher)
        }
    }
}

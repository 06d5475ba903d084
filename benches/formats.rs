//! Per-format throughput of the whole decode + detect pipeline (`Scanner::scan_input`),
//! one scanning thread (a gzip is inflated on a second one, as in a real scan), in bytes of
//! the file as stored — except Parquet, measured in bytes of
//! values (what is scanned), as the target is stated. `gunzip` is the plain
//! decompression of the same `.gz`, the bound the gzip scan is compared with.
//!
//! `cargo bench --bench formats`. Each run asserts what it must find, so a broken decoder
//! cannot look fast.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use s3pii::decode::Limits;
use s3pii::Matcher;

#[path = "../tests/build.rs"]
#[allow(dead_code)]
mod build;
#[path = "corpus.rs"]
mod corpus;

const SIZE: usize = 16 << 20;

/// CSV-shaped records: (name, email, note) with PII in about one row in ten.
fn records(n: usize) -> Vec<[String; 3]> {
    let mut rng = corpus::Rng::new(7);
    (0..n)
        .map(|i| {
            let email = if i % 10 == 0 {
                format!("user{i}@example.org")
            } else {
                format!("user{i}")
            };
            let words = String::from_utf8(corpus::prose(40 + (rng.next() % 80) as usize)).unwrap();
            [format!("Name {i}"), email, words.replace(['\n', '"'], " ")]
        })
        .collect()
}

fn formats(c: &mut Criterion) {
    let scanner = build::scanner(Limits::default());
    let mut matcher = Matcher::new(scanner.detectors());
    let text = corpus::logs(SIZE);
    let gz = build::gzip(&text);
    let rows = records(SIZE / 160);
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["name", "email", "note"]).unwrap();
    for r in &rows {
        csv.write_record(r).unwrap();
    }
    let csv = csv.into_inner().unwrap();
    let mut jsonl = Vec::new();
    for r in &rows {
        serde_json::to_writer(
            &mut jsonl,
            &serde_json::json!({"name": r[0], "contact": {"email": r[1]}, "note": r[2]}),
        )
        .unwrap();
        jsonl.push(b'\n');
    }
    let json = {
        let mut v = b"[".to_vec();
        v.extend(
            jsonl
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(&b","[..]),
        );
        v.push(b']');
        v
    };
    let values: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.iter().map(String::as_str))
        .collect();
    let value_bytes: u64 = values.iter().map(|v| v.len() as u64).sum();
    let parquet = build::parquet(&values, parquet::basic::Compression::SNAPPY, 100_000);
    let avro = build::avro(&values);
    let zip = build::zip(&[("logs/app.log", &text)], false, false);
    let tar = build::tar(&[("logs/app.log", &text)]);

    let mut group = c.benchmark_group("formats");
    group.sample_size(10);
    let cases: Vec<(&str, &str, &[u8], u64, bool)> = vec![
        ("text", "app.log", &text, text.len() as u64, false),
        ("gzip", "app.log.gz", &gz, gz.len() as u64, false),
        ("zip", "logs.zip", &zip, zip.len() as u64, true),
        ("tar", "logs.tar", &tar, tar.len() as u64, false),
        ("csv", "people.csv", &csv, csv.len() as u64, false),
        ("json", "people.json", &json, json.len() as u64, false),
        ("jsonl", "people.jsonl", &jsonl, jsonl.len() as u64, false),
        (
            "parquet_values",
            "people.parquet",
            &parquet,
            value_bytes,
            true,
        ),
        ("avro", "people.avro", &avro, avro.len() as u64, false),
    ];
    for (name, key, data, bytes, seekable) in cases {
        // Sanity: the scan completes and finds what was planted.
        let first = build::scan(&scanner, key, data, seekable);
        assert_eq!(first[0].status.reason, None, "{name}: {:?}", first[0].error);
        assert!(!first[0].detections.is_empty(), "{name} found nothing");
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |b| {
            b.iter(|| {
                let info = build::info(key, data.len() as u64);
                let r = if seekable {
                    let input = s3pii::decode::Input::Seekable(
                        Box::new(Cursor::new(data.to_vec())),
                        data.len() as u64,
                    );
                    scanner.scan_input(input, &info, Some(data.len() as u64), &mut matcher)
                } else {
                    // A whole object arrives as a stream that may move threads (a gzip is
                    // then inflated on its own thread while scanned).
                    let mut stream = Cursor::new(data);
                    scanner.scan_input(
                        s3pii::decode::Input::SendStream(&mut stream),
                        &info,
                        None,
                        &mut matcher,
                    )
                };
                assert!(!r[0].detections.is_empty());
            })
        });
    }
    group.throughput(Throughput::Bytes(gz.len() as u64));
    group.bench_function("gunzip", |b| {
        b.iter(|| {
            let mut d = flate2::read::MultiGzDecoder::new(&gz[..]);
            let n = std::io::copy(&mut d, &mut std::io::sink()).unwrap();
            assert_eq!(n as usize, text.len());
        })
    });
    group.finish();
}

criterion_group!(benches, formats);
criterion_main!(benches);

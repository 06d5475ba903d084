//! End-to-end `scan` throughput: a generated mixed text corpus on disk (prose, logs and
//! PII-dense CSV, 48 files of 1 MiB) scanned by the library's `Scanner` — listing,
//! reading, decoding, matching, reports — with one thread and with all cores.
//!
//! `cargo bench --bench scan`. Each run asserts the number of reports and that findings
//! were made, so a broken pipeline cannot look fast.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use s3pii::scan::{ScanConfig, Scanner};
use s3pii::source::local;
use s3pii::{DetectorSet, Selection};

#[path = "corpus.rs"]
mod corpus;

fn scan(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut total = 0u64;
    for i in 0..48 {
        let (name, bytes) = match i % 3 {
            0 => (format!("prose-{i}.txt"), corpus::prose(1 << 20)),
            1 => (format!("app-{i}.log"), corpus::logs(1 << 20)),
            _ => (format!("export-{i}.csv"), corpus::dense(1 << 20)),
        };
        total += bytes.len() as u64;
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let objects = local::list(&[dir.path().to_path_buf()], false).unwrap();
    let set = DetectorSet::select(&Selection::Default, &[], &[], Vec::new()).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(total));
    for jobs in [1, cores] {
        let scanner = Scanner::new(
            set.clone(),
            None,
            ScanConfig {
                jobs,
                ..ScanConfig::default()
            },
        )
        .unwrap();
        group.bench_with_input(
            BenchmarkId::new("mixed_text", format!("{jobs}_threads")),
            &objects,
            |b, objects| {
                b.iter(|| {
                    let (mut reports, mut with_findings) = (0, 0);
                    scanner.scan_local(objects, |r| {
                        reports += 1;
                        with_findings += usize::from(!r.detections.is_empty());
                    });
                    assert_eq!(reports, 48);
                    assert!(with_findings >= 16);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);

//! Detector engine throughput, one thread, full default catalog, on three generated
//! corpora — and the same catalog run the straightforward way for comparison: all
//! detector regexes in one `regex_automata::meta::Regex::new_many`, then the same
//! validators and keyword checks (`s3pii::verify_match`) on every regex match.
//!
//! `cargo bench --bench engine` (add `-- --quick` for a fast look). Every case asserts a
//! match count so a broken engine cannot look fast.
//!
//! The `startup` group times what a cold start (a Lambda's first invocation) pays: the
//! default catalog built and, separately, built and used once on one small PII-dense
//! object. That first scan must cost about nothing more: detectors build their DFAs only
//! after many anchored searches (`DFA_AFTER_SEARCHES`), never for one small object.

#![allow(clippy::expect_used, clippy::print_stderr, missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use regex_automata::meta;
use regex_automata::util::syntax;
use s3pii::detector::Selection;
use s3pii::{verify_match, DetectorId, DetectorSet, Matcher, ScanOptions};

#[path = "corpus.rs"]
mod corpus;

const LEN: usize = 4 << 20;

/// The straightforward engine: one multi-pattern regex over the whole text.
struct Baseline {
    set: DetectorSet,
    regex: meta::Regex,
}

impl Baseline {
    fn new(set: &DetectorSet) -> Baseline {
        let sources: Vec<&str> = set
            .detectors()
            .iter()
            .map(|d| d.regex_source.as_str())
            .collect();
        let regex = meta::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build_many(&sources)
            .expect("catalog regexes compile together");
        Baseline {
            set: set.clone(),
            regex,
        }
    }

    fn count(&self, hay: &[u8]) -> usize {
        self.regex
            .find_iter(hay)
            .filter(|m| {
                let id = DetectorId(m.pattern().as_usize() as u16);
                verify_match(&self.set, hay, id, m.start(), m.end())
            })
            .count()
    }
}

fn engine(c: &mut Criterion) {
    let set = DetectorSet::builtin().expect("built-in catalog loads");
    let baseline = Baseline::new(&set);
    let corpora = [
        ("prose", corpus::prose(LEN)),
        ("logs", corpus::logs(LEN)),
        ("dense", corpus::dense(LEN)),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for (name, hay) in &corpora {
        let mut matcher = Matcher::new(&set);
        let ours = matcher.scan(hay).len();
        let theirs = baseline.count(hay);
        eprintln!("{name}: s3pii {ours} matches, regex-set baseline {theirs} matches");
        if *name == "dense" {
            assert!(ours > 10_000, "dense corpus must be full of matches");
        }
        group.throughput(Throughput::Bytes(hay.len() as u64));
        // One output vector reused across scans, as the decoders do for an object's
        // chunks: the bench measures the engine, not the allocator's fresh pages.
        let mut out = Vec::new();
        group.bench_with_input(BenchmarkId::new("s3pii", name), hay, |b, hay| {
            b.iter(|| {
                out.clear();
                matcher.scan_into(hay, ScanOptions::default(), &mut out);
                out.len()
            })
        });
        group.bench_with_input(BenchmarkId::new("regex_set", name), hay, |b, hay| {
            b.iter(|| baseline.count(hay))
        });
    }
    group.finish();
}

fn startup(c: &mut Criterion) {
    let catalog = || {
        DetectorSet::select(&Selection::Default, &[], &[], Vec::new())
            .expect("default catalog loads")
    };
    let object = corpus::dense(4 << 10);
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("catalog", |b| b.iter(|| Matcher::new(&catalog())));
    group.bench_function("catalog_and_first_4k_scan", |b| {
        b.iter(|| {
            let found = Matcher::new(&catalog()).scan(&object).len();
            assert!(found > 50, "the object is full of matches");
            found
        })
    });
    group.finish();
}

criterion_group!(benches, engine, startup);
criterion_main!(benches);

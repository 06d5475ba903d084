//! Profiling harness for the detector engine: scans one generated corpus (`prose`, `logs`
//! or `dense`; 8 MiB unless `LEN` says) `ROUNDS` times (default 3) with the built-in catalog and prints the throughput.
//! Meant for `perf record`; the criterion bench (`benches/engine.rs`) is the measurement.
//! With `HISTOGRAM=1` it also prints how many matches each detector found; `EXCLUDE=ID,ID`
//! leaves detectors out (what they cost is the difference). `LEN=BYTES` sets the corpus
//! size: below the core's L2 cache, the lower-casing pass no longer waits for the text.
//!
//! ```sh
//! cargo bench --no-run --bench profile   # or: cargo build --profile profiling --bench profile
//! perf record -g target/release/deps/profile-* logs [ROUNDS]
//! ```

#![allow(clippy::unwrap_used, clippy::print_stderr)]

#[path = "corpus.rs"]
mod corpus;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "prose".into());
    let len: usize = std::env::var("LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8 << 20);
    let hay = match which.as_str() {
        "prose" => corpus::prose(len),
        "logs" => corpus::logs(len),
        _ => corpus::dense(len),
    };
    // EXCLUDE=ID,ID drops detectors: what one detector costs is the difference.
    let exclude: Vec<String> = std::env::var("EXCLUDE")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let built = std::time::Instant::now();
    let set =
        s3pii::DetectorSet::select(&s3pii::detector::Selection::All, &[], &exclude, Vec::new())
            .unwrap_or_else(|e| {
                eprintln!("profile: EXCLUDE={}: {e}", exclude.join(","));
                std::process::exit(2)
            });
    let built = built.elapsed();
    let anchors = set.anchor_literals();
    eprintln!(
        "catalog built in {:.1} ms; overlap {}; {} anchor literals: {anchors:?}",
        built.as_secs_f64() * 1e3,
        set.overlap(),
        anchors.len()
    );
    let mut matcher = s3pii::Matcher::new(&set);
    let start = std::time::Instant::now();
    let mut found = 0;
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    // One output vector for every round, as in the criterion bench.
    let mut out = Vec::new();
    for _ in 0..rounds {
        out.clear();
        matcher.scan_into(&hay, s3pii::ScanOptions::default(), &mut out);
        found += out.len();
    }
    let secs = start.elapsed().as_secs_f64();
    if std::env::var_os("HISTOGRAM").is_some() {
        let mut counts = std::collections::BTreeMap::new();
        for m in matcher.scan(&hay) {
            *counts
                .entry(set.detectors()[m.detector.index()].id.clone())
                .or_insert(0) += 1;
        }
        for (id, n) in counts {
            eprintln!("{n:>9} {id}");
        }
    }
    eprintln!(
        "{which}: {found} matches, {:.1} MB/s",
        rounds as f64 * hay.len() as f64 / secs / 1e6
    );
}

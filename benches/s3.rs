//! Bucket-scan throughput against a local S3-compatible server (moto, started here):
//! objects/s on 10,000 small objects, MB/s on large ones, and the scanner's peak memory
//! as the object count grows 10×. Each figure is printed next to what the server itself
//! delivers to a plain concurrent GET loop, since on one machine the server is part of
//! what is measured.
//!
//! `.ci/setup-s3 && cargo bench --bench s3` (needs the moto venv from `.ci/setup-s3`).
//! Every scan asserts its object count, so a broken pipeline cannot look fast.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/s3/server.rs"]
#[allow(dead_code)]
mod server;

#[path = "corpus.rs"]
mod corpus;

#[path = "../tests/peak.rs"]
mod peak;

use server::{raw_request, Moto};

/// Runs `work(i)` for `0..n` on `threads` threads.
fn parallel(n: usize, threads: usize, work: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                work(i);
            });
        }
    });
}

fn put(port: u16, path: &str, body: &[u8]) {
    let (status, _) = raw_request(port, "PUT", path, &[], body);
    assert_eq!(status, 200, "PUT {path}");
}

/// Peak RSS (bytes, [`peak`]) and wall time of one `s3pii scan` of `url`, asserting
/// `objects`.
fn scan(endpoint: &str, url: &str, objects: usize, extra: &[&str]) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3pii"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "scan",
            url,
            "--endpoint-url",
            endpoint,
            "--findings",
            "/dev/null",
        ])
        .args(["--results", "/dev/null", "--no-bucket-posture"])
        .args(extra)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || std::io::read_to_string(&mut pipe).unwrap());
    let (_, rss) = peak::wait(&mut child);
    let elapsed = started.elapsed();
    let stderr = stderr.join().unwrap();
    assert!(
        stderr.contains(&format!("s3pii: {objects} objects")),
        "expected {objects} objects: {stderr}"
    );
    (elapsed, rss)
}

/// Time for plain concurrent GETs of the same keys: what the server can deliver.
fn server_limit(port: u16, keys: &[String], threads: usize) -> Duration {
    let started = Instant::now();
    parallel(keys.len(), threads, |i| {
        let (status, _) = raw_request(port, "GET", &keys[i], &[], b"");
        assert_eq!(status, 200);
    });
    started.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and then a
    // small smoke run checks the bench still works.
    let full = std::env::args().any(|a| a == "--bench");
    let moto = Moto::start();
    let port = moto.port;
    let endpoint = moto.endpoint();
    put(port, "/bench", b"");
    let small = if full { 10_000 } else { 300 };
    let body = |i: usize| {
        format!(
            "{}\ncontact: user{i}@example.org\n",
            String::from_utf8_lossy(&corpus::logs(900))
        )
    };
    let keys: Vec<String> = (0..small)
        .map(|i| format!("/bench/small/{i:05}.log"))
        .collect();
    parallel(small, 16, |i| put(port, &keys[i], body(i).as_bytes()));
    let small_bytes: usize = (0..small).map(|i| body(i).len()).sum();
    let tenth: Vec<String> = (0..small / 10)
        .map(|i| format!("/bench/tenth/{i:05}.log"))
        .collect();
    parallel(small / 10, 16, |i| put(port, &tenth[i], body(i).as_bytes()));
    let large = if full { 4 } else { 1 };
    let large_body = corpus::logs(if full { 32 << 20 } else { 4 << 20 });
    let large_keys: Vec<String> = (0..large)
        .map(|i| format!("/bench/large/{i}.log"))
        .collect();
    parallel(large, 4, |i| put(port, &large_keys[i], &large_body));

    let limit = server_limit(port, &keys, 64);
    let (t, rss_10k) = scan(&endpoint, "s3://bench/small/", small, &[]);
    let (t_get, _) = scan(&endpoint, "s3://bench/small/", small, &["--no-object-tags"]);
    println!(
        "s3/small: {small} objects ({:.1} MB): {:.0} objects/s with object tags (2 requests each), {:.0} objects/s with --no-object-tags ({:.1} MB/s); server alone (64 concurrent GETs): {:.0} objects/s",
        small_bytes as f64 / 1e6,
        small as f64 / t.as_secs_f64(),
        small as f64 / t_get.as_secs_f64(),
        small_bytes as f64 / 1e6 / t_get.as_secs_f64(),
        small as f64 / limit.as_secs_f64(),
    );
    let (_, rss_1k) = scan(&endpoint, "s3://bench/tenth/", small / 10, &[]);
    println!(
        "s3/memory: peak RSS {:.1} MiB for {} objects, {:.1} MiB for {small} objects",
        rss_1k as f64 / 1048576.0,
        small / 10,
        rss_10k as f64 / 1048576.0,
    );
    let limit = server_limit(port, &large_keys, 4);
    let (t, rss_large) = scan(&endpoint, "s3://bench/large/", large, &[]);
    let mb = (large * large_body.len()) as f64 / 1e6;
    println!(
        "s3/large: {large} objects ({mb:.0} MB) in {:.2}s = {:.1} MB/s (peak RSS {:.1} MiB); server alone: {:.1} MB/s",
        t.as_secs_f64(),
        mb / t.as_secs_f64(),
        rss_large as f64 / 1048576.0,
        mb / limit.as_secs_f64(),
    );
}

//! Hostile inputs, generated here (never committed): a nested zip bomb in the style of
//! 42.zip, an overlapping-entry zip bomb, multi-GB gzips of zeros, a 100 MB single-line
//! JSON and a 2 GB CSV. Each is scanned by the real binary; its peak memory is measured
//! (its `VmHWM`, read while it runs) and must stay under 256 MB, and every object gets its
//! result with the right reason.

use std::fs::File;
use std::io::{BufWriter, Cursor, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::build;

/// A zip whose `n` central-directory entries all point at one local file of `size`
/// deflated zeros: `n × size` bytes from a few KiB (Fifield's overlapping-entry bomb).
pub fn overlapping_zip(n: usize, size: usize) -> Vec<u8> {
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflated.write_all(&vec![0u8; size]).unwrap();
    let data = deflated.finish().unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(&vec![0u8; size]);
    let crc = crc.sum();
    let mut out = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    // One local file.
    le32(&mut out, 0x0403_4b50);
    for x in [20u16, 0, 8, 0, 0x21] {
        le16(&mut out, x);
    }
    le32(&mut out, crc);
    le32(&mut out, data.len() as u32);
    le32(&mut out, size as u32);
    le16(&mut out, 1);
    le16(&mut out, 0);
    out.push(b'a');
    out.extend_from_slice(&data);
    // Many directory entries, all pointing at it.
    let cd_start = out.len();
    for i in 0..n {
        let name = format!("f{i}");
        le32(&mut out, 0x0201_4b50);
        for x in [20u16, 20, 0, 8, 0, 0x21] {
            le16(&mut out, x);
        }
        le32(&mut out, crc);
        le32(&mut out, data.len() as u32);
        le32(&mut out, size as u32);
        le16(&mut out, name.len() as u16);
        for x in [0u16, 0, 0, 0] {
            le16(&mut out, x);
        }
        le32(&mut out, 0);
        le32(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
    }
    let cd_len = out.len() - cd_start;
    le32(&mut out, 0x0605_4b50);
    for x in [0u16, 0, n as u16, n as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, cd_len as u32);
    le32(&mut out, cd_start as u32);
    le16(&mut out, 0);
    out
}

/// 42.zip's shape: `fanout` zips per level, `depth` levels, each leaf `leaf` zero bytes.
/// Built from one compressed leaf copied raw, so building costs one compression.
fn nested_zip_bomb(fanout: usize, depth: usize, leaf: usize) -> Vec<u8> {
    let one = build::zip(&[("0.bin", &vec![0u8; leaf])], false, false);
    let mut source = zip::ZipArchive::new(Cursor::new(one)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..fanout {
        let raw = source.by_index_raw(0).unwrap();
        w.raw_copy_file_rename(raw, format!("{i}.bin")).unwrap();
    }
    let mut level = w.finish().unwrap().into_inner();
    for d in 1..depth {
        let names: Vec<String> = (0..fanout).map(|i| format!("l{d}-{i}.zip")).collect();
        let entries: Vec<(&str, &[u8])> = names
            .iter()
            .map(|n| (n.as_str(), level.as_slice()))
            .collect();
        level = build::zip(&entries, false, false);
    }
    level
}

/// `copies` gzip members, each `member` bytes of `byte`: a multi-GB gzip from one
/// compression of `member` bytes.
fn repeated_gzip(byte: u8, member: usize, copies: usize) -> Vec<u8> {
    let one = build::gzip(&vec![byte; member]);
    one.repeat(copies)
}

fn write(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap();
}

/// Runs the binary; returns its stdout, stderr and peak resident memory in bytes
/// ([`crate::peak`]).
fn run_measured(args: &[&str]) -> (String, String, u64, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_s3pii"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(&mut stdout).unwrap());
    let err = std::thread::spawn(move || std::io::read_to_string(&mut stderr).unwrap());
    let (status, peak) = crate::peak::wait(&mut child);
    (
        out.join().unwrap(),
        err.join().unwrap(),
        peak,
        status.code().unwrap_or(-1),
    )
}

/// Writes a CSV of about `bytes` bytes, with an e-mail address in every 1000th row.
fn big_csv(path: &Path, bytes: u64) -> u64 {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let filler = "lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(3);
    writeln!(w, "id,name,email,notes,more").unwrap();
    let mut written = 0u64;
    let mut rows = 0u64;
    let mut planted = 0u64;
    while written < bytes {
        let email = if rows % 1000 == 0 {
            planted += 1;
            format!("user{rows}@example.org")
        } else {
            String::from("none")
        };
        let line = format!("{rows},\"Name, {rows}\",{email},\"{filler}\",{filler}\n");
        w.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        rows += 1;
    }
    w.flush().unwrap();
    planted
}

/// A single-line JSON array of about `bytes` bytes; returns the planted e-mails.
fn one_line_json(path: &Path, bytes: u64) -> u64 {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    w.write_all(b"[").unwrap();
    let mut written = 1u64;
    let mut i = 0u64;
    while written < bytes {
        let rec = format!(
            "{}{{\"id\":{i},\"email\":\"user{i}@example.org\",\"pad\":\"{}\"}}",
            if i == 0 { "" } else { "," },
            "x".repeat(200)
        );
        w.write_all(rec.as_bytes()).unwrap();
        written += rec.len() as u64;
        i += 1;
    }
    w.write_all(b"]").unwrap();
    w.flush().unwrap();
    i
}

const MAX_RSS: u64 = 256 << 20;

#[test]
fn hostile_inputs_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("42.zip"), &nested_zip_bomb(16, 5, 100 << 20));
    write(&d.join("overlap.zip"), &overlapping_zip(2000, 50 << 20));
    write(&d.join("zeros.gz"), &repeated_gzip(0, 64 << 20, 48));
    write(&d.join("digits.txt.gz"), &repeated_gzip(b'0', 64 << 20, 48));
    let emails_json = one_line_json(&d.join("line.json"), 100_000_000);
    let emails_csv = big_csv(&d.join("big.csv"), 2_000_000_000);
    let results = d.join("results.jsonl");
    let (_, stderr, rss, code) = run_measured(&[
        "scan",
        "-q",
        "--jobs",
        "2",
        "--findings",
        "/dev/null",
        "--results",
        results.to_str().unwrap(),
        d.to_str().unwrap(),
    ]);
    eprintln!("hostile inputs: peak RSS {} MiB", rss >> 20);
    assert!(rss < MAX_RSS, "peak RSS {} MiB\n{stderr}", rss >> 20);
    assert_eq!(code, 2, "some objects are partial: exit 2\n{stderr}");
    let mut seen = std::collections::BTreeMap::new();
    for line in std::fs::read_to_string(&results).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let o = &v["resourcesAffected"]["s3Object"];
        if !o["embeddedFileDetails"].is_null() {
            continue;
        }
        let key = o["key"].as_str().unwrap().to_string();
        let result = &v["classificationDetails"]["result"];
        let status = result["status"].clone();
        let count: u64 = result["sensitiveData"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["totalCount"].as_str().unwrap().parse::<u64>().unwrap())
            .sum();
        assert!(
            seen.insert(key, (status, count)).is_none(),
            "one result per object"
        );
    }
    let status = |k: &str| {
        let s = &seen[k].0;
        (
            s["code"].as_str().unwrap().to_string(),
            s["reason"].as_str().unwrap_or("").to_string(),
        )
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(
        status("42.zip"),
        pair("PARTIAL", "ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
    assert_eq!(status("overlap.zip"), pair("SKIPPED", "MALFORMED_FILE"));
    assert_eq!(
        status("zeros.gz"),
        pair("SKIPPED", "UNSUPPORTED_FILE_TYPE_EXCEPTION")
    );
    assert_eq!(
        status("digits.txt.gz"),
        pair("PARTIAL", "ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
    assert_eq!(status("line.json"), pair("COMPLETE", ""));
    assert_eq!(seen["line.json"].1, emails_json);
    assert_eq!(status("big.csv"), pair("COMPLETE", ""));
    assert_eq!(seen["big.csv"].1, emails_csv);
}

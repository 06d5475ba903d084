//! Bucket scans against a real S3-compatible server (moto, started here on a free port)
//! through the same aws-sdk-s3 client code as production (`--endpoint-url` only), with
//! faults injected by a proxy: every test checks exact accounting (one result per listed
//! object, none twice) and compares findings with a local scan of the same files.

mod proxy;
mod server;

use std::collections::BTreeMap;
use std::io::{Read, Write};

use md5::Digest;
use std::path::Path;
use std::process::{Command, Output};

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use proxy::{Action, Proxy, Rule};
use server::{raw_request, Moto};

/// Percent-encodes a key for a request path (keeps `/`).
fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn make_bucket(moto: &Moto, bucket: &str) {
    let (status, body) = raw_request(moto.port, "PUT", &format!("/{bucket}"), &[], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

fn put(port: u16, bucket: &str, key: &str, body: &[u8]) {
    let (status, answer) = raw_request(
        port,
        "PUT",
        &format!("/{bucket}/{}", encode(key)),
        &[("Content-Type", "application/octet-stream")],
        body,
    );
    assert_eq!(
        status,
        200,
        "PUT {key}: {}",
        String::from_utf8_lossy(&answer)
    );
}

fn delete(port: u16, bucket: &str, key: &str) {
    let (status, _) = raw_request(
        port,
        "DELETE",
        &format!("/{bucket}/{}", encode(key)),
        &[],
        b"",
    );
    assert!(status == 204 || status == 200, "DELETE {key}: {status}");
}

/// Uploads every file under `dir` with its relative path as key.
fn upload_dir(moto: &Moto, bucket: &str, dir: &Path) -> usize {
    let mut n = 0;
    for entry in walk(dir) {
        let key = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        put(moto.port, bucket, &key, &std::fs::read(&entry).unwrap());
        n += 1;
    }
    n
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A finished `s3pii scan`.
struct Scan {
    out: Output,
    results: Vec<Value>,
    findings: Vec<Value>,
}

impl Scan {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    /// Results of objects (not archive members), by key (and version).
    fn objects(&self) -> BTreeMap<String, &Value> {
        let mut map = BTreeMap::new();
        for r in self.results.iter().filter(|r| member(r).is_none()) {
            let o = &r["resourcesAffected"]["s3Object"];
            let id = match o["versionId"].as_str() {
                Some(v) if !v.is_empty() => format!("{}#{v}", o["key"].as_str().unwrap()),
                _ => o["key"].as_str().unwrap().to_string(),
            };
            assert!(map.insert(id.clone(), r).is_none(), "{id} reported twice");
        }
        map
    }
}

fn member(r: &Value) -> Option<&str> {
    r["resourcesAffected"]["s3Object"]["embeddedFileDetails"]["filePath"].as_str()
}

fn read_lines(path: &Path) -> Vec<Value> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn s3pii_cmd(endpoint: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3pii"));
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["scan", "--endpoint-url", endpoint]);
    cmd
}

/// Runs a scan writing findings and results into `dir`.
fn scan(endpoint: &str, dir: &Path, args: &[&str]) -> Scan {
    let results = dir.join("results.jsonl.gz");
    let findings = dir.join("findings.jsonl");
    let _ = std::fs::remove_file(&results);
    let _ = std::fs::remove_file(&findings);
    let out = s3pii_cmd(endpoint)
        .args(args)
        .arg("--results")
        .arg(&results)
        .arg("--findings")
        .arg(&findings)
        .output()
        .unwrap();
    Scan {
        results: read_lines(&results),
        findings: read_lines(&findings),
        out,
    }
}

/// A local scan of `dir`, for comparison.
fn local_scan(dir: &Path, out: &Path) -> Scan {
    let results = out.join("local-results.jsonl");
    let findings = out.join("local-findings.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_s3pii"))
        .arg("scan")
        .arg(dir)
        .arg("--results")
        .arg(&results)
        .arg("--findings")
        .arg(&findings)
        .arg("-q")
        .output()
        .unwrap();
    Scan {
        results: read_lines(&results),
        findings: read_lines(&findings),
        out: o,
    }
}

/// What must agree between a bucket scan and a local scan of the same files.
fn essence(r: &Value) -> Value {
    let result = &r["classificationDetails"]["result"];
    serde_json::json!({
        "key": r["resourcesAffected"]["s3Object"]["key"],
        "member": member(r),
        "status": result["status"],
        "mimeType": result["mimeType"],
        "sizeClassified": result["sizeClassified"],
        "sensitiveData": result["sensitiveData"],
        "customDataIdentifiers": result["customDataIdentifiers"],
        "size": r["resourcesAffected"]["s3Object"]["size"],
        "eTag": r["resourcesAffected"]["s3Object"]["eTag"],
    })
}

fn essences<'a>(results: impl IntoIterator<Item = &'a Value>) -> Vec<Value> {
    let mut v: Vec<Value> = results.into_iter().map(essence).collect();
    v.sort_by_key(|e| e.to_string());
    v
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

#[test]
fn bucket_scan_equals_local_scan_of_the_same_files() {
    let moto = Moto::start();
    make_bucket(&moto, "samples");
    let n = upload_dir(&moto, "samples", &examples());
    let dir = tmp();
    let s = scan(&moto.endpoint(), dir.path(), &["s3://samples"]);
    assert_eq!(s.out.status.code(), Some(0), "{}", s.stderr());
    let local = local_scan(&examples(), dir.path());
    assert_eq!(s.objects().len(), n, "one result per object");
    assert_eq!(essences(&s.results), essences(&local.results));
    assert_eq!(s.findings.len(), local.findings.len());
    // S3 facts come from S3: the bucket, the ETag S3 gave, the encryption it reported,
    // the caller's account.
    let any = s.objects()["crm/customers.csv"].clone();
    let obj = &any["resourcesAffected"]["s3Object"];
    assert_eq!(obj["path"], "samples/crm/customers.csv");
    assert_eq!(obj["bucketArn"], "arn:aws:s3:::samples");
    assert_eq!(obj["versionId"], "");
    assert!(obj["serverSideEncryption"]["encryptionType"].is_string());
    assert_eq!(any["resourcesAffected"]["s3Bucket"]["name"], "samples");
    assert_eq!(any["accountId"], "123456789012", "moto's STS account");
    let summary = s.stderr();
    assert!(summary.contains("S3 requests"), "{summary}");
    assert!(summary.contains("Macie would charge $"), "{summary}");
}

/// Files for the fault test: small text objects with planted data, objects large enough
/// to be streamed (text) and read by ranged GETs (zip), and two that change under the
/// scan.
fn fault_corpus(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..40 {
        let body = format!(
            "row {i}\ncontact: person{i}.name@example.org\nssn: 078-05-{:04}\n",
            1120 + i
        );
        std::fs::write(dir.join(format!("obj-{i}.txt")), body).unwrap();
    }
    let mut big = Vec::new();
    let mut i = 0;
    while big.len() < 9 << 20 {
        writeln!(
            big,
            "{i:08} some log line without data; user{i}@example.com logged in"
        )
        .unwrap();
        i += 1;
    }
    std::fs::write(dir.join("big.log"), &big).unwrap();
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("inner/a.log", stored).unwrap();
        w.write_all(&big).unwrap();
        w.start_file("inner/b.txt", stored).unwrap();
        w.write_all(b"card 4111 1111 1111 1111 and mail zip.user@example.net\n")
            .unwrap();
        w.finish().unwrap();
    }
    std::fs::write(dir.join("big.zip"), &zip).unwrap();
}

#[test]
fn faults_lose_nothing_and_count_nothing_twice() {
    let moto = Moto::start();
    make_bucket(&moto, "faults");
    let work = tmp();
    let files = work.path().join("files");
    fault_corpus(&files);
    upload_dir(&moto, "faults", &files);
    put(moto.port, "faults", "gone.txt", b"mail gone@example.org\n");
    put(
        moto.port,
        "faults",
        "changed.txt",
        b"mail before@example.org\n",
    );
    put(
        moto.port,
        "faults",
        "denied.txt",
        b"mail denied@example.org\n",
    );
    put(moto.port, "faults", "kms.txt", b"mail kms@example.org\n");
    let (status, _) = raw_request(
        moto.port,
        "PUT",
        "/faults/archived.txt",
        &[("x-amz-storage-class", "DEEP_ARCHIVE")],
        b"mail archived@example.org\n",
    );
    assert_eq!(status, 200);
    let port = moto.port;
    let get = |path: &str, times, action| Rule {
        method: "GET",
        path_contains: path.to_string(),
        times,
        action,
    };
    let proxy = Proxy::start(
        moto.port,
        vec![
            get("list-type=2", 2, Action::SlowDown),
            get("/faults/obj-1.txt", 3, Action::SlowDown),
            get("/faults/obj-2.txt", 2, Action::InternalError),
            get("/faults/obj-3.txt", 1, Action::ResetAfter(20)),
            get(
                "/faults/obj-4.txt",
                1,
                Action::SlowBody { bytes_per_sec: 40 },
            ),
            get("/faults/big.log", 2, Action::ResetAfter(3 << 20)),
            get("/faults/big.zip", 2, Action::SlowDown),
            get(
                "/faults/denied.txt",
                1,
                Action::Error("403 Forbidden", "AccessDenied"),
            ),
            get(
                "/faults/kms.txt",
                1,
                Action::Error("400 Bad Request", "KMS.DisabledException"),
            ),
            get(
                "/faults/gone.txt",
                1,
                Action::Before(Box::new(move || delete(port, "faults", "gone.txt"))),
            ),
            get(
                "/faults/changed.txt",
                1,
                Action::Before(Box::new(move || {
                    put(port, "faults", "changed.txt", b"mail after@example.org\n")
                })),
            ),
        ],
    );
    let endpoint = format!("http://127.0.0.1:{}", proxy.port);
    let s = scan(
        &endpoint,
        work.path(),
        &["s3://faults", "--no-object-tags", "--s3-concurrency", "8"],
    );
    let objects = s.objects();
    assert_eq!(
        objects.len(),
        47,
        "every listed object once: {:?}",
        objects.keys()
    );
    let status = |k: &str| {
        let st = &objects[k]["classificationDetails"]["result"]["status"];
        (
            st["code"].as_str().unwrap().to_string(),
            st["reason"].as_str().map(str::to_string),
        )
    };
    assert_eq!(
        status("gone.txt"),
        (
            "SKIPPED".into(),
            Some("SOURCE_OBJECT_NO_LONGER_AVAILABLE".into())
        )
    );
    assert_eq!(
        status("changed.txt"),
        ("SKIPPED".into(), Some("OBJECT_VERSION_MISMATCH".into()))
    );
    assert_eq!(
        status("denied.txt"),
        ("SKIPPED".into(), Some("PERMISSION_DENIED".into()))
    );
    assert_eq!(
        status("kms.txt"),
        ("SKIPPED".into(), Some("INVALID_KMS_KEY".into()))
    );
    assert_eq!(
        status("archived.txt"),
        ("SKIPPED".into(), Some("INVALID_OBJECT_STATE".into()))
    );
    assert_eq!(
        proxy.served("GET", "/faults/archived.txt"),
        0,
        "not fetched"
    );
    // Everything else: exactly what a local scan of the same files finds.
    let local = local_scan(&files, work.path());
    let scanned: Vec<&Value> = s
        .results
        .iter()
        .filter(|r| {
            let k = r["resourcesAffected"]["s3Object"]["key"].as_str().unwrap();
            ![
                "gone.txt",
                "changed.txt",
                "denied.txt",
                "kms.txt",
                "archived.txt",
            ]
            .contains(&k)
        })
        .collect();
    assert_eq!(essences(scanned), essences(&local.results));
    // The faults were really served, and retried.
    assert!(proxy.served("GET", "/faults/obj-1.txt") >= 4);
    assert!(
        proxy.served("GET", "/faults/big.log") >= 3,
        "the broken body was resumed"
    );
    assert_eq!(
        s.out.status.code(),
        Some(2),
        "unreadable objects make exit code 2"
    );
    let err = s.stderr();
    assert!(err.contains("gone.txt"), "{err}");
    assert!(!err.contains("before@example.org") && !err.contains("after@example.org"));
}

#[test]
fn filters_sampling_and_shards_pick_objects_before_any_get() {
    let moto = Moto::start();
    make_bucket(&moto, "pick");
    for i in 0..60 {
        let key = match i % 3 {
            0 => format!("logs/{i}.log"),
            1 => format!("data/{i}.csv"),
            _ => format!("tmp/{i}.txt"),
        };
        put(
            moto.port,
            "pick",
            &key,
            format!("x{}\n", "y".repeat(i)).as_bytes(),
        );
    }
    let dir = tmp();
    let keys = |s: &Scan| s.objects().keys().cloned().collect::<Vec<_>>();
    let s = scan(
        &moto.endpoint(),
        dir.path(),
        &[
            "s3://pick",
            "--include",
            "*.log",
            "--include",
            "*.csv",
            "--exclude",
            "data/1*",
            "--min-size",
            "10",
        ],
    );
    assert_eq!(s.out.status.code(), Some(0), "{}", s.stderr());
    let picked = keys(&s);
    assert!(!picked.is_empty());
    for k in &picked {
        assert!(k.ends_with(".log") || k.ends_with(".csv"), "{k}");
        assert!(!k.starts_with("data/1"), "{k}");
    }
    let expected: Vec<String> = (0..60)
        .filter(|i| i % 3 != 2 && i + 2 >= 10)
        .map(|i| {
            if i % 3 == 0 {
                format!("logs/{i}.log")
            } else {
                format!("data/{i}.csv")
            }
        })
        .filter(|k| !k.starts_with("data/1"))
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(picked, expected);
    // Sampling: reproducible with a seed, about the percentage.
    let sample = |seed: &str| {
        keys(&scan(
            &moto.endpoint(),
            dir.path(),
            &[
                "s3://pick",
                "--sampling-percentage",
                "50",
                "--sampling-seed",
                seed,
            ],
        ))
    };
    let a = sample("7");
    assert_eq!(a, sample("7"));
    assert!((15..=45).contains(&a.len()), "{}", a.len());
    // Shards partition the bucket.
    let mut all: Vec<String> = (1..=3)
        .flat_map(|k| {
            keys(&scan(
                &moto.endpoint(),
                dir.path(),
                &["s3://pick", "--shard", &format!("{k}/3")],
            ))
        })
        .collect();
    all.sort();
    assert_eq!(all.len(), 60);
    all.dedup();
    assert_eq!(all.len(), 60);
}

#[test]
fn bad_configuration_fails_fast() {
    let moto = Moto::start();
    let dir = tmp();
    let s = scan(&moto.endpoint(), dir.path(), &["s3://no-such-bucket"]);
    assert_eq!(s.out.status.code(), Some(2));
    assert!(s.stderr().contains("NoSuchBucket"), "{}", s.stderr());
    for (args, says) in [
        (vec!["s3://Bad_Bucket"], "s3://bucket/prefix"),
        (vec!["s3://ok-bucket", "--shard", "4/3"], "1 <= K <= N"),
        (vec!["s3://ok-bucket", "examples"], "separate runs"),
        (vec!["s3://ok-bucket", "--include", "a["], "--include"),
    ] {
        let s = scan(&moto.endpoint(), dir.path(), &args);
        assert_eq!(s.out.status.code(), Some(2), "{args:?}");
        assert!(s.stderr().contains(says), "{args:?}: {}", s.stderr());
    }
}

fn get_ok(port: u16, path: &str) -> Vec<u8> {
    let (status, body) = raw_request(port, "GET", path, &[], b"");
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// Keys of a bucket (one ListObjectsV2 page is enough here).
fn list_keys(port: u16, bucket: &str) -> Vec<String> {
    let body = String::from_utf8(get_ok(port, &format!("/{bucket}?list-type=2"))).unwrap();
    body.split("<Key>")
        .skip(1)
        .map(|s| s.split("</Key>").next().unwrap().to_string())
        .collect()
}

#[test]
fn kill_9_and_resume_from_the_checkpoint_scans_every_object_once() {
    interrupt_and_resume(libc::SIGKILL);
}

#[test]
fn ctrl_c_saves_the_checkpoint_and_the_same_command_resumes() {
    interrupt_and_resume(libc::SIGINT);
}

/// Stops a slow scan with `signal` after its first checkpoint, then runs the same command
/// again: every object must be in the results exactly once.
fn interrupt_and_resume(signal: i32) {
    let moto = Moto::start();
    make_bucket(&moto, "ckpt");
    let n = 150;
    for i in 0..n {
        put(
            moto.port,
            "ckpt",
            &format!("obj-{i:03}.txt"),
            format!("mail user{i}@example.org\n").as_bytes(),
        );
    }
    // Slow bodies make the first run long enough to be killed in the middle.
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            method: "GET",
            path_contains: "/ckpt/obj-".into(),
            times: usize::MAX,
            action: Action::SlowBody { bytes_per_sec: 200 },
        }],
    );
    let dir = tmp();
    let cp = dir.path().join("cp.json");
    let results = dir.path().join("results.jsonl.gz");
    let findings = dir.path().join("findings.jsonl");
    let run = |endpoint: &str| {
        let mut cmd = s3pii_cmd(endpoint);
        cmd.args([
            "s3://ckpt",
            "--no-object-tags",
            "--s3-concurrency",
            "4",
            "--checkpoint-interval",
            "1",
        ])
        .arg("--checkpoint")
        .arg(&cp)
        .arg("--results")
        .arg(&results)
        .arg("--findings")
        .arg(&findings);
        cmd
    };
    let mut first = run(&format!("http://127.0.0.1:{}", proxy.port))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let saved_position = loop {
        assert!(started.elapsed().as_secs() < 120, "no checkpoint written");
        if let Ok(text) = std::fs::read_to_string(&cp) {
            let v: Value = serde_json::from_str(&text).unwrap();
            if let Some(key) = v["position"]["key"].as_str() {
                break key.to_string();
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // Let it write a little past the checkpoint, then send the signal.
    std::thread::sleep(std::time::Duration::from_millis(700));
    // SAFETY: signals our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(first.id() as i32, signal) }, 0);
    let code = first.wait().unwrap().code();
    if signal == libc::SIGKILL {
        assert_eq!(code, None, "killed by the signal");
    } else {
        assert_eq!(code, Some(130), "Ctrl-C ends the scan with 130");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
        assert_eq!(v["complete"], false);
    }
    assert!(
        saved_position.as_str() < "obj-149.txt",
        "killed before the end"
    );
    // Resume (without the slow proxy): every object exactly once.
    let second = run(&moto.endpoint()).output().unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("{n} objects")),
        "totals carried over: {err}"
    );
    let rs = read_lines(&results);
    let keys: Vec<&str> = rs
        .iter()
        .map(|r| r["resourcesAffected"]["s3Object"]["key"].as_str().unwrap())
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (keys.len(), unique.len()),
        (n, n),
        "each object exactly once"
    );
    let fs = read_lines(&findings);
    assert_eq!(fs.len(), n);
    // A third run finds the scan finished and changes nothing.
    let before = std::fs::read(&results).unwrap();
    let third = run(&moto.endpoint()).output().unwrap();
    assert_eq!(third.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&third.stderr).contains("already finished"));
    assert_eq!(std::fs::read(&results).unwrap(), before);
}

#[test]
fn outputs_land_in_s3_in_macie_layout_encrypted() {
    let moto = Moto::start();
    make_bucket(&moto, "data");
    make_bucket(&moto, "out");
    let n = upload_dir(&moto, "data", &examples());
    let dir = tmp();
    let out = s3pii_cmd(&moto.endpoint())
        .args([
            "s3://data",
            "--results",
            "s3://out/macie",
            "--findings",
            "s3://out/findings/",
            "--kms-key-id",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "--job-id",
            "0123456789abcdef0123456789abcdef",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = list_keys(moto.port, "out");
    let results: Vec<&String> = keys.iter().filter(|k| k.starts_with("macie/")).collect();
    assert_eq!(results.len(), 1, "{keys:?}");
    let key = results[0];
    let prefix =
        "macie/AWSLogs/123456789012/Macie/us-east-1/0123456789abcdef0123456789abcdef/123456789012/";
    assert!(key.starts_with(prefix), "{key}");
    let name = &key[prefix.len()..];
    assert!(
        name.ends_with(".jsonl.gz") && name.len() == 36 + 9,
        "{name}"
    );
    assert_eq!(
        &name[14..15],
        "3",
        "RFC 4122 version-3 UUID like Macie's: {name}"
    );
    let mut text = String::new();
    MultiGzDecoder::new(&get_ok(moto.port, &format!("/out/{key}"))[..])
        .read_to_string(&mut text)
        .unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let local = local_scan(&examples(), dir.path());
    assert_eq!(essences(&records), essences(&local.results));
    assert_eq!(records.iter().filter(|r| member(r).is_none()).count(), n);
    // Findings point at the file that holds their object's result.
    let finding_keys: Vec<&String> = keys.iter().filter(|k| k.starts_with("findings/")).collect();
    assert_eq!(finding_keys.len(), 1, "{keys:?}");
    let findings =
        String::from_utf8(get_ok(moto.port, &format!("/out/{}", finding_keys[0]))).unwrap();
    let findings: Vec<Value> = findings
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), local.findings.len());
    for f in &findings {
        assert_eq!(
            f["classificationDetails"]["detailedResultsLocation"],
            format!("s3://out/{key}")
        );
    }
    // SSE-KMS with the given key.
    let (status, head) = raw_request(moto.port, "HEAD", &format!("/out/{key}"), &[], b"");
    assert_eq!(status, 200);
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(
        head.contains("x-amz-server-side-encryption: aws:kms"),
        "{head}"
    );
    assert!(
        head.contains("1234abcd-12ab-34cd-56ef-1234567890ab"),
        "{head}"
    );
}

#[test]
fn large_outputs_go_up_as_multipart_uploads() {
    use s3pii::report::s3out::{S3OutSpec, S3Writer};
    use s3pii::source::s3::{S3Options, S3};
    let moto = Moto::start();
    make_bucket(&moto, "big-out");
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s3 = rt.block_on(S3::connect(S3Options {
        endpoint_url: Some(moto.endpoint()),
        region: Some("us-east-1".into()),
        max_attempts: 3,
        ..S3Options::default()
    }));
    let spec = S3OutSpec {
        bucket: "big-out".into(),
        folder: "r/".into(),
        seed: "job/results".into(),
        gzip: false,
        kms_key_id: None,
        max_file_bytes: 1 << 30,
    };
    let mut w = S3Writer::new(spec, s3.client(), rt.handle().clone(), 0);
    // 20 MiB of distinct lines: three 8 MiB parts.
    let mut expected = Vec::new();
    let mut i = 0u64;
    while expected.len() < 20 << 20 {
        let line = format!(
            "{{\"n\":{i},\"pad\":\"{:064x}\"}}",
            i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        );
        w.write_line(line.as_bytes()).unwrap();
        expected.extend_from_slice(line.as_bytes());
        expected.push(b'\n');
        i += 1;
    }
    w.roll().unwrap();
    assert_eq!(w.files(), 1);
    let key = w.written()[0].clone();
    let (status, head) = raw_request(moto.port, "HEAD", &format!("/big-out/{key}"), &[], b"");
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&head).contains("-3\""),
        "a 3-part multipart ETag"
    );
    assert_eq!(get_ok(moto.port, &format!("/big-out/{key}")), expected);
}

#[test]
fn all_versions_scans_every_version_once() {
    let moto = Moto::start();
    make_bucket(&moto, "vers");
    let (status, _) = raw_request(
        moto.port,
        "PUT",
        "/vers?versioning",
        &[("Content-Type", "application/xml")],
        br#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#,
    );
    assert_eq!(status, 200);
    put(moto.port, "vers", "a.txt", b"first: one@example.org\n");
    put(moto.port, "vers", "a.txt", b"second: clean\n");
    put(moto.port, "vers", "b.txt", b"mail b@example.org\n");
    delete(moto.port, "vers", "b.txt");
    let dir = tmp();
    let current = scan(&moto.endpoint(), dir.path(), &["s3://vers"]);
    assert_eq!(current.objects().len(), 1, "b.txt is deleted, a.txt once");
    assert_eq!(current.findings.len(), 0, "the current a.txt is clean");
    let all = scan(
        &moto.endpoint(),
        dir.path(),
        &["s3://vers", "--all-versions"],
    );
    assert_eq!(all.out.status.code(), Some(0), "{}", all.stderr());
    let objects = all.objects();
    assert_eq!(
        objects.len(),
        3,
        "two versions of a.txt, one of b.txt: {:?}",
        objects.keys()
    );
    assert_eq!(all.findings.len(), 2, "the old a.txt and the deleted b.txt");
    for (id, r) in objects {
        let v = r["resourcesAffected"]["s3Object"]["versionId"]
            .as_str()
            .unwrap();
        assert!(!v.is_empty() && id.ends_with(v), "{id}");
    }
}

#[test]
fn inventory_manifests_replace_listing() {
    let moto = Moto::start();
    make_bucket(&moto, "inv-src");
    make_bucket(&moto, "inv-dest");
    let n = upload_dir(&moto, "inv-src", &examples());
    let dir = tmp();
    let listed = scan(&moto.endpoint(), dir.path(), &["s3://inv-src"]);
    assert_eq!(listed.objects().len(), n);
    // An inventory as S3 writes it: two gzip'd CSV files, URL-encoded keys, plus a
    // delete marker and an old version that a current-versions scan leaves out.
    let mut rows: Vec<String> = Vec::new();
    for (key, r) in listed.objects() {
        let o = &r["resourcesAffected"]["s3Object"];
        rows.push(format!(
            "\"inv-src\",\"{}\",\"\",\"true\",\"false\",\"{}\",\"{}\",\"{}\",\"STANDARD\"",
            encode(&key).replace('/', "%2F"),
            o["size"].as_str().unwrap(),
            o["lastModified"].as_str().unwrap(),
            o["eTag"].as_str().unwrap(),
        ));
    }
    rows.push("\"inv-src\",\"deleted.txt\",\"v9\",\"true\",\"true\",\"\",\"2024-01-01T00:00:00.000Z\",\"\",\"\"".into());
    rows.push("\"inv-src\",\"README.txt\",\"v0\",\"false\",\"false\",\"3\",\"2024-01-01T00:00:00.000Z\",\"x\",\"STANDARD\"".into());
    let mut files = Vec::new();
    for (i, part) in rows.chunks(rows.len() / 2 + 1).enumerate() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all((part.join("\n") + "\n").as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let key = format!("inv/data/part-{i}.csv.gz");
        put(moto.port, "inv-dest", &key, &gz);
        let md5: String = md5::Md5::digest(&gz)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        files.push(serde_json::json!({"key": key, "size": gz.len(), "MD5checksum": md5}));
    }
    let manifest = serde_json::json!({
        "sourceBucket": "inv-src",
        "destinationBucket": "arn:aws:s3:::inv-dest",
        "version": "2016-11-30",
        "creationTimestamp": "1700000000000",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
        "files": files,
    });
    put(
        moto.port,
        "inv-dest",
        "inv/manifest.json",
        manifest.to_string().as_bytes(),
    );
    let inv = scan(
        &moto.endpoint(),
        dir.path(),
        &["--inventory", "s3://inv-dest/inv/manifest.json"],
    );
    assert_eq!(inv.out.status.code(), Some(0), "{}", inv.stderr());
    assert_eq!(essences(&inv.results), essences(&listed.results));
    // A tampered file is refused, not half-read.
    put(
        moto.port,
        "inv-dest",
        "inv/data/part-0.csv.gz",
        b"not the listed file",
    );
    let bad = scan(
        &moto.endpoint(),
        dir.path(),
        &["--inventory", "s3://inv-dest/inv/manifest.json"],
    );
    assert_eq!(bad.out.status.code(), Some(2));
    assert!(bad.stderr().contains("MD5"), "{}", bad.stderr());
}

#[test]
fn bucket_posture_and_object_tags_fill_resources_affected() {
    let moto = Moto::start();
    let xml = [("Content-Type", "application/xml")];
    let setup = |path: &str, headers: &[(&str, &str)], body: &str| {
        let (status, answer) = raw_request(moto.port, "PUT", path, headers, body.as_bytes());
        assert!(
            status == 200 || status == 204,
            "{path}: {status} {}",
            String::from_utf8_lossy(&answer)
        );
    };
    // A locked-down bucket: default SSE-KMS, Block Public Access on, a policy that
    // requires encryption, tags.
    make_bucket(&moto, "locked");
    setup(
        "/locked?encryption",
        &xml,
        "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:123456789012:key/k1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
    );
    setup(
        "/locked?publicAccessBlock",
        &xml,
        "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
    );
    // Written before the policy that denies unencrypted uploads.
    put(moto.port, "locked", "a.txt", b"mail a@example.org\n");
    setup(
        "/locked/a.txt?tagging",
        &xml,
        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>pii</Key><Value>yes</Value></Tag></TagSet></Tagging>",
    );
    setup(
        "/locked?policy",
        &[("Content-Type", "application/json")],
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::locked/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#,
    );
    setup(
        "/locked?tagging",
        &xml,
        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>",
    );
    // An open bucket: a public-read ACL and nothing blocking it.
    make_bucket(&moto, "open");
    setup("/open?acl", &[("x-amz-acl", "public-read")], "");
    put(moto.port, "open", "b.txt", b"mail b@example.org\n");
    let dir = tmp();
    let s = scan(&moto.endpoint(), dir.path(), &["s3://locked", "s3://open"]);
    assert_eq!(s.out.status.code(), Some(0), "{}", s.stderr());
    let objects = s.objects();
    let locked = &objects["a.txt"]["resourcesAffected"];
    let b = &locked["s3Bucket"];
    assert_eq!(
        b["defaultServerSideEncryption"]["encryptionType"],
        "aws:kms"
    );
    assert_eq!(
        b["defaultServerSideEncryption"]["kmsMasterKeyId"],
        "arn:aws:kms:us-east-1:123456789012:key/k1"
    );
    assert_eq!(b["allowsUnencryptedObjectUploads"], "FALSE");
    assert_eq!(
        b["tags"],
        serde_json::json!([{"key": "team", "value": "data"}])
    );
    assert!(
        b["createdAt"].is_string() && b["owner"]["id"].is_string(),
        "{b}"
    );
    assert_eq!(b["publicAccess"]["effectivePermission"], "NOT_PUBLIC");
    let bucket_level = &b["publicAccess"]["permissionConfiguration"]["bucketLevelPermissions"];
    assert_eq!(
        bucket_level["blockPublicAccess"]["restrictPublicBuckets"],
        true
    );
    let o = &locked["s3Object"];
    assert_eq!(
        o["tags"],
        serde_json::json!([{"key": "pii", "value": "yes"}])
    );
    assert_eq!(o["publicAccess"], false);
    assert_eq!(
        o["serverSideEncryption"]["encryptionType"], "aws:kms",
        "{o}"
    );
    let open = &objects["b.txt"]["resourcesAffected"];
    let acl = &open["s3Bucket"]["publicAccess"]["permissionConfiguration"]
        ["bucketLevelPermissions"]["accessControlList"];
    assert_eq!(acl["allowsPublicReadAccess"], true, "{open}");
    assert_eq!(open["s3Bucket"]["allowsUnencryptedObjectUploads"], "TRUE");
    // Nothing blocks it at either level: public.
    let account =
        &open["s3Bucket"]["publicAccess"]["permissionConfiguration"]["accountLevelPermissions"];
    assert_eq!(
        account["blockPublicAccess"]["ignorePublicAcls"], false,
        "{open}"
    );
    assert_eq!(
        open["s3Bucket"]["publicAccess"]["effectivePermission"],
        "PUBLIC"
    );
    assert_eq!(open["s3Object"]["publicAccess"], true);
    // Account-level Block Public Access (S3 Control) makes the same bucket not public.
    let (status, answer) = raw_request(
        moto.port,
        "PUT",
        "/v20180820/configuration/publicAccessBlock",
        &[("x-amz-account-id", "123456789012"), ("Content-Type", "application/xml")],
        b"<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let s = scan(&moto.endpoint(), dir.path(), &["s3://open"]);
    let objects = s.objects();
    let b = &objects["b.txt"]["resourcesAffected"]["s3Bucket"];
    let account = &b["publicAccess"]["permissionConfiguration"]["accountLevelPermissions"];
    assert_eq!(
        account["blockPublicAccess"]["ignorePublicAcls"], true,
        "{b}"
    );
    assert_eq!(b["publicAccess"]["effectivePermission"], "NOT_PUBLIC");
}

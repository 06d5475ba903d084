//! `s3pii scan` end to end: accounting, Macie shapes (botocore), formats, determinism,
//! encodings, exit codes, and that matched values never reach any output.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::s3pii;

fn lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()),
        &mut out,
    )
    .unwrap();
    out
}

/// Planted values: none of them may appear in any output.
const SECRETS: &[&str] = &[
    "123-45-6789",
    "4539 1488 0343 6467",
    "jane.doe@example.org",
    "GB82 WEST 1234 5698 7654 32",
];

fn corpus(dir: &Path) -> Vec<&'static str> {
    let files: &[(&str, &[u8])] = &[
        (
            "a/customers.txt",
            b"name: Jane\nemail jane.doe@example.org\ncard 4539 1488 0343 6467\n",
        ),
        ("a/clean.txt", b"nothing to see here\n"),
        (
            "b/iban.txt",
            b"refunds to IBAN GB82 WEST 1234 5698 7654 32 please\n",
        ),
        ("b/image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("empty.txt", b""),
        (
            "z/deep/er/note.md",
            b"# Notes\n\nmail: jane.doe@example.org\n",
        ),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let mut keys: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    keys.sort();
    keys
}

fn python() -> PathBuf {
    std::env::var_os("S3PII_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

fn validate(mode: &str, file: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/macie/validate.py");
    let py = python();
    assert!(
        py.exists(),
        "{} missing: run `bash .ci/setup-oracle` (installs botocore)",
        py.display()
    );
    let out = Command::new(py)
        .arg(script)
        .arg(mode)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{mode} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_object_once_and_valid_against_botocore() {
    let dir = tempfile::tempdir().unwrap();
    let keys = corpus(dir.path());
    let results = dir.path().join("out/results.jsonl.gz");
    std::fs::create_dir_all(results.parent().unwrap()).unwrap();
    let findings = dir.path().join("out/findings.jsonl");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for k in &keys {
        let to = src.join(k);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(dir.path().join(k), to).unwrap();
    }
    let out = s3pii(
        &[
            "scan",
            src.to_str().unwrap(),
            "--results",
            results.to_str().unwrap(),
            "--findings",
            findings.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = lines(&gunzip(&results));
    let got: Vec<&str> = records
        .iter()
        .map(|r| r["resourcesAffected"]["s3Object"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(got, keys, "one result per object, in listing order");
    let status = |key: &str| {
        let r = records
            .iter()
            .find(|r| r["resourcesAffected"]["s3Object"]["key"] == key)
            .unwrap();
        r["classificationDetails"]["result"]["status"].clone()
    };
    assert_eq!(
        status("b/image.png"),
        serde_json::json!({"code": "SKIPPED", "reason": "UNSUPPORTED_FILE_TYPE_EXCEPTION"})
    );
    assert_eq!(status("empty.txt"), serde_json::json!({"code": "COMPLETE"}));
    let found = lines(&std::fs::read(&findings).unwrap());
    let fkeys: Vec<&str> = found
        .iter()
        .map(|f| f["resourcesAffected"]["s3Object"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        fkeys,
        ["a/customers.txt", "b/iban.txt", "z/deep/er/note.md"]
    );
    // The customers file: e-mail (personal) + card (financial) → Multiple, High.
    let f = &found[0];
    assert_eq!(f["type"], "SensitiveData:S3Object/Multiple");
    assert_eq!(
        f["severity"],
        serde_json::json!({"description": "High", "score": 3})
    );
    assert_eq!(f["count"], 1);
    assert_eq!(
        f["resourcesAffected"]["s3Object"]["eTag"],
        format!(
            "{:x}",
            md5_of(b"name: Jane\nemail jane.doe@example.org\ncard 4539 1488 0343 6467\n")
        )
    );
    let card = &f["classificationDetails"]["result"]["sensitiveData"][0]["detections"][0];
    assert_eq!(card["type"], "CREDIT_CARD_NUMBER");
    assert_eq!(
        card["occurrences"]["lineRanges"][0],
        serde_json::json!({"start": 3, "end": 3, "startColumn": 6})
    );
    assert_eq!(
        f["classificationDetails"]["detailedResultsLocation"],
        std::path::absolute(&results).unwrap().display().to_string()
    );
    validate("findings", &findings);
    validate("results", &results);
    let all = [
        std::fs::read(&findings).unwrap(),
        gunzip(&results),
        out.stderr,
    ]
    .concat();
    let all = String::from_utf8_lossy(&all);
    for s in SECRETS {
        assert!(!all.contains(s), "leaked a matched value");
    }
}

fn md5_of(bytes: &[u8]) -> u128 {
    use md5::{Digest, Md5};
    u128::from_be_bytes(Md5::digest(bytes).into())
}

#[test]
fn the_validator_rejects_a_wrong_shape() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        r#"{"schemaVersion":"1.0","severity":{"score":"3","description":"High"},"bogus":1}"#,
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/macie/validate.py");
    let out = Command::new(python())
        .arg(script)
        .arg("findings")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bogus") && text.contains("score"), "{text}");
}

fn normalized(out: &[u8]) -> String {
    // Timestamps differ between runs; everything else must not.
    let mut v = lines(out);
    for f in &mut v {
        let o = f.as_object_mut().unwrap();
        o.remove("createdAt");
        o.remove("updatedAt");
    }
    serde_json::to_string(&v).unwrap()
}

#[test]
fn output_is_the_same_for_one_and_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    // A larger file so it is split into parallel chunks.
    let mut big = String::new();
    for i in 0..40_000 {
        big.push_str(&format!(
            "row {i} mail user{i}@example.com card 4539 1488 0343 6467 filler text here\n"
        ));
    }
    std::fs::write(dir.path().join("big.txt"), big).unwrap();
    let d = dir.path().to_str().unwrap();
    let job = ["--job-id", "0123456789abcdef0123456789abcdef"];
    let one = s3pii(&[&["scan", d, "--jobs", "1"][..], &job].concat(), b"");
    let many = s3pii(&[&["scan", d, "--jobs", "4"][..], &job].concat(), b"");
    assert_eq!(one.status.code(), Some(0));
    assert!(!one.stdout.is_empty());
    assert_eq!(normalized(&one.stdout), normalized(&many.stdout));
    let big = lines(&one.stdout)
        .into_iter()
        .find(|f| f["resourcesAffected"]["s3Object"]["key"] == "big.txt")
        .unwrap();
    let email = big["classificationDetails"]["result"]["sensitiveData"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["detections"].as_array().unwrap().clone())
        .find(|d| d["type"] == "EMAIL_ADDRESS")
        .unwrap();
    assert_eq!(email["count"], 40_000);
    assert_eq!(
        email["occurrences"]["lineRanges"].as_array().unwrap().len(),
        15,
        "Macie's 15 per finding"
    );
    assert_eq!(
        big["classificationDetails"]["result"]["additionalOccurrences"],
        true
    );
}

#[test]
fn stdin_encodings_and_formats() {
    // UTF-16 LE with BOM: located in characters of the decoded text.
    let mut utf16 = vec![0xff, 0xfe];
    for u in "x\r\nmail: jane.doe@example.org\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let out = s3pii(&["scan", "-", "--format", "jsonl"], &utf16);
    let f = &lines(&out.stdout)[0];
    assert_eq!(f["resourcesAffected"]["s3Object"]["key"], "-");
    let occ = &f["classificationDetails"]["result"]["sensitiveData"][0]["detections"][0]
        ["occurrences"]["lineRanges"][0];
    assert_eq!(
        occ,
        &serde_json::json!({"start": 2, "end": 2, "startColumn": 7})
    );
    // Latin-1 (invalid UTF-8): columns count bytes as characters.
    let out = s3pii(&["scan", "-"], b"Fran\xe7ois jane.doe@example.org\n");
    let f = &lines(&out.stdout)[0];
    let occ = &f["classificationDetails"]["result"]["sensitiveData"][0]["detections"][0]
        ["occurrences"]["lineRanges"][0];
    assert_eq!(occ["startColumn"], 10);
    // json, eventbridge and sarif.
    let text = b"card 4539 1488 0343 6467\n";
    let doc: Value =
        serde_json::from_slice(&s3pii(&["scan", "-", "--format", "json"], text).stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let eb = dir.path().join("eb.jsonl");
    std::fs::write(
        &eb,
        s3pii(&["scan", "-", "--format", "eventbridge"], text).stdout,
    )
    .unwrap();
    validate("eventbridge", &eb);
    let sarif: Value =
        serde_json::from_slice(&s3pii(&["scan", "-", "--format", "sarif"], text).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "CREDIT_CARD_NUMBER"
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        6
    );
}

#[test]
fn selection_allow_lists_and_custom_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let text = b"employee EMP-123456 mail jane.doe@example.org and ops@example.org\n";
    let allow = dir.path().join("allow.txt");
    std::fs::write(&allow, "OPS@example.org\n").unwrap();
    let custom = dir.path().join("custom.json");
    std::fs::write(&custom, r#"{"name":"employee id","regex":"EMP-[0-9]{6}","keywords":["employee"],"severityLevels":[{"occurrencesThreshold":1,"severity":"HIGH"}]}"#).unwrap();
    let out = s3pii(
        &[
            "scan",
            "-",
            "--custom",
            custom.to_str().unwrap(),
            "--allow-list",
            allow.to_str().unwrap(),
        ],
        text,
    );
    let f = &lines(&out.stdout)[0];
    assert_eq!(f["type"], "SensitiveData:S3Object/Multiple");
    let r = &f["classificationDetails"]["result"];
    assert_eq!(
        r["sensitiveData"][0]["detections"][0]["count"], 1,
        "ops@ is allowed"
    );
    assert_eq!(
        r["customDataIdentifiers"]["detections"][0]["name"],
        "employee id"
    );
    assert_eq!(r["customDataIdentifiers"]["totalCount"], 1);
    assert_eq!(f["severity"]["description"], "High");
    // Custom identifiers only: type CustomIdentifier.
    let out = s3pii(
        &[
            "scan",
            "-",
            "--identifiers",
            "none",
            "--custom",
            custom.to_str().unwrap(),
        ],
        text,
    );
    assert_eq!(
        lines(&out.stdout)[0]["type"],
        "SensitiveData:S3Object/CustomIdentifier"
    );
    // Excluding e-mail leaves nothing.
    let out = s3pii(
        &["scan", "-", "--exclude-identifiers", "EMAIL_ADDRESS"],
        b"jane.doe@example.org\n",
    );
    assert!(lines(&out.stdout).is_empty());
    // --allow-regex.
    let out = s3pii(
        &["scan", "-", "--allow-regex", r"[a-z.]+@example\.org"],
        b"jane.doe@example.org\n",
    );
    assert!(lines(&out.stdout).is_empty());
}

#[test]
fn masked_samples_only_when_asked() {
    let text = b"card 4539 1488 0343 6467\n";
    let plain = String::from_utf8(s3pii(&["scan", "-"], text).stdout).unwrap();
    assert!(!plain.contains("maskedSamples") && !plain.contains("4539"));
    let out = s3pii(&["scan", "-", "--reveal-samples"], text);
    let f = &lines(&out.stdout)[0];
    let d = &f["classificationDetails"]["result"]["sensitiveData"][0]["detections"][0];
    assert_eq!(
        d["maskedSamples"],
        serde_json::json!(["4*****************7"])
    );
}

#[test]
fn exit_codes_and_bad_flags() {
    let out = s3pii(
        &["scan", "-", "--fail-on-findings"],
        b"jane.doe@example.org\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = s3pii(&["scan", "-", "--fail-on-findings"], b"clean\n");
    assert_eq!(out.status.code(), Some(0));
    for (args, needle) in [
        (&["scan", "/nonexistent/path"][..], "/nonexistent/path"),
        (&["scan", "-", "--include-identifiers", "NOPE"][..], "NOPE"),
        (&["scan", "-", "--job-id", "xyz"][..], "--job-id"),
        (
            &["scan", "-", "--max-occurrences", "0"][..],
            "max-occurrences",
        ),
        (&["scan", "-", "--allow-regex", "("][..], "regex"),
    ] {
        let out = s3pii(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn readme_main_command_runs_on_the_bundled_examples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = s3pii(
        &["scan", examples.to_str().unwrap(), "--format", "jsonl"],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = lines(&out.stdout);
    assert!(found.len() >= 4, "{} findings", found.len());
    let types: Vec<String> = found
        .iter()
        .flat_map(|f| {
            f["classificationDetails"]["result"]["sensitiveData"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| {
                    s["detections"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d["type"].as_str().unwrap().to_string())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for t in [
        "EMAIL_ADDRESS",
        "CREDIT_CARD_NUMBER",
        "AWS_CREDENTIALS",
        "UK_BANK_ACCOUNT_NUMBER",
    ] {
        assert!(
            types.iter().any(|x| x == t),
            "{t} not found in examples/: {types:?}"
        );
    }
}

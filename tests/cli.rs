//! The `s3pii` binary: identifiers list / check / test.

use crate::common;

fn s3pii(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = common::s3pii(args, stdin.as_bytes());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn readme_identifier_table_is_current() {
    let (code, table, _) = s3pii(&["identifiers", "list", "--markdown"], "");
    assert_eq!(code, 0);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let begin = readme
        .find("<!-- identifiers:begin -->\n")
        .expect("README has the begin marker")
        + 27;
    let end = readme
        .find("<!-- identifiers:end -->")
        .expect("README has the end marker");
    assert!(
        readme[begin..end] == table,
        "README identifier table is stale: run `s3pii identifiers list --markdown` and paste it between the markers"
    );
}

#[test]
fn list_json_has_every_detector() {
    let (code, json, _) = s3pii(&["identifiers", "list", "--json"], "");
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        rows.len(),
        s3pii::DetectorSet::builtin().unwrap().detectors().len()
    );
    assert!(rows
        .iter()
        .any(|r| r["id"] == "USA_SOCIAL_SECURITY_NUMBER" && r["keywordRequired"] == true));
}

#[test]
fn check_passes_on_the_catalog_and_fails_on_a_bad_file() {
    let (code, _, err) = s3pii(&["identifiers", "check", "--warnings-as-errors"], "");
    assert_eq!(code, 0, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[detector]]\nid='EMPLOYEE_ID'\nname='employee'\ncategory='PERSONAL_INFORMATION'\nregex='EMP-[0-9]{6}'\nseverity=['LOW','LOW','LOW']\nexamples=[{text='EMP-123456', matches=['EMP-12345']}]\n",
    )
    .unwrap();
    let (code, _, err) = s3pii(&["identifiers", "check", bad.to_str().unwrap()], "");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("EMPLOYEE_ID") && err.contains("has no negatives") && err.contains("expected"),
        "{err}"
    );
}

#[test]
fn test_reports_locations_not_values() {
    let text = "id EMP-123456\nemployee EMP-654321\n";
    let (code, out, _) = s3pii(
        &[
            "identifiers",
            "test",
            "--regex",
            "EMP-[0-9]{6}",
            "--keywords",
            "employee",
        ],
        text,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("matchCount: 1\n"), "{out}");
    assert!(out.contains("line 2, column 10"), "{out}");
    assert!(
        !out.contains("654321"),
        "values are never printed by default: {out}"
    );
    let (_, out, _) = s3pii(
        &[
            "identifiers",
            "test",
            "--regex",
            "EMP-[0-9]{6}",
            "--show-matches",
        ],
        text,
    );
    assert!(
        out.starts_with("matchCount: 2\n") && out.contains("EMP-654321"),
        "{out}"
    );
}

#[test]
fn bad_configuration_fails_fast_with_the_field() {
    let (code, _, err) = s3pii(&["identifiers", "test", "--regex", "a(b)"], "");
    assert_eq!(code, 2);
    assert!(err.contains("capturing group"), "{err}");
    let (code, _, err) = s3pii(
        &["identifiers", "test", "--regex", "EMP", "--keywords", "ab"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("keywords"), "{err}");
}

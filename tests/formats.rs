//! Formats: every detector example found at its exact location in every container, and
//! each format's own rules (CSV cells and headers, JSON paths and nesting, JSON Lines,
//! Parquet paths and codecs, Avro, archives and their member results, malformed input).

use std::collections::BTreeMap;

use s3pii::decode::Limits;
use s3pii::location::Location;
use s3pii::report::{ObjectReport, StatusCode};
use s3pii::{DetectorSet, Matcher};

use crate::build;

/// (detector id, where) for every located occurrence of a report, counted.
fn located(set: &DetectorSet, r: &ObjectReport) -> BTreeMap<(String, Location), usize> {
    let mut out = BTreeMap::new();
    for d in &r.detections {
        assert!(
            d.count as usize == d.locations.len(),
            "locations were capped; the test needs every one"
        );
        let id = set.get(d.detector).unwrap().id.clone();
        for l in &d.locations {
            *out.entry((id.clone(), l.clone())).or_insert(0) += 1;
        }
    }
    out
}

fn examples(set: &DetectorSet) -> Vec<String> {
    let mut all: Vec<String> = set
        .detectors()
        .iter()
        .filter_map(|d| d.spec.as_ref())
        .flat_map(|s| s.examples.iter().map(|e| e.text.clone()))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Where each example's matches must be reported, per location shape.
struct Expected {
    /// The examples as one text file, separated far enough that no keyword reaches
    /// across.
    text: Vec<u8>,
    lines: BTreeMap<(String, Location), usize>,
    /// Per example index: detector → count.
    per_value: Vec<BTreeMap<String, usize>>,
}

fn expected(set: &DetectorSet, values: &[String]) -> Expected {
    let mut matcher = Matcher::new(set);
    let sep = format!("\n{}\n", " ".repeat(40));
    let mut text = String::new();
    let mut lines = BTreeMap::new();
    let mut per_value = Vec::new();
    for v in values {
        if !text.is_empty() {
            text.push_str(&sep);
        }
        let base = text.len();
        text.push_str(v);
        let mut counts = BTreeMap::new();
        for m in matcher.scan(v.as_bytes()) {
            let id = set.get(m.detector).unwrap().id.clone();
            *counts.entry(id.clone()).or_insert(0) += 1;
            let at = base + m.start;
            let before = &text[..at];
            let line = before.matches('\n').count() as u64 + 1;
            let col_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = text[col_start..at].chars().count() as u64 + 1;
            let end = line + text[at..base + m.end].matches('\n').count() as u64;
            let loc = Location::Lines {
                start: line,
                end,
                start_column: column,
            };
            *lines.entry((id, loc)).or_insert(0) += 1;
        }
        per_value.push(counts);
    }
    Expected {
        text: text.into_bytes(),
        lines,
        per_value,
    }
}

/// Folds a structured report's locations back to example indexes.
fn by_value(
    set: &DetectorSet,
    r: &ObjectReport,
    index_of: impl Fn(&Location) -> usize,
    n: usize,
) -> Vec<BTreeMap<String, usize>> {
    let mut out = vec![BTreeMap::new(); n];
    for ((id, loc), count) in located(set, r) {
        let i = index_of(&loc);
        *out[i].entry(id).or_insert(0) += count;
    }
    out
}

fn complete(r: &ObjectReport, what: &str) {
    assert_eq!(
        r.status.code,
        StatusCode::Complete,
        "{what}: {:?} {:?}",
        r.status,
        r.error
    );
}

#[test]
fn every_example_is_found_at_its_place_in_every_container() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let values = examples(&set);
    assert!(values.len() > 300, "{} examples", values.len());
    let exp = expected(&set, &values);
    assert!(exp.lines.len() > 300);
    let text = &exp.text;

    // Text in text-shaped containers: the exact line and column.
    let inner_zip = build::zip(&[("deep/all.txt", text)], false, false);
    let containers: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("all.txt", text.clone(), None),
        ("all.txt.gz", build::gzip(text), None),
        ("all.txt.zst", build::zstd(text), None),
        (
            "all.zip",
            build::zip(&[("all.txt", text)], false, false),
            Some("all.txt"),
        ),
        (
            "stored.zip",
            build::zip(&[("all.txt", text)], true, true),
            Some("all.txt"),
        ),
        (
            "nested.zip",
            build::zip(&[("inner.zip", &inner_zip)], false, false),
            Some("inner.zip/deep/all.txt"),
        ),
        (
            "all.tar",
            build::tar(&[("d/all.txt", text)]),
            Some("d/all.txt"),
        ),
        (
            "all.tar.gz",
            build::gzip(&build::tar(&[("d/all.txt", text)])),
            Some("d/all.txt"),
        ),
    ];
    for (key, data, member) in &containers {
        for mode in [
            build::Mode::Seekable,
            build::Mode::Stream,
            build::Mode::SendStream,
        ] {
            let reports = build::scan_as(&scanner, key, data, mode);
            let r = match member {
                None => &reports[0],
                Some(path) => reports
                    .iter()
                    .find(|r| r.embedded.as_ref().is_some_and(|e| &e.path == path))
                    .unwrap_or_else(|| panic!("{key}: no result for member {path}")),
            };
            complete(&reports[0], key);
            complete(r, key);
            assert_eq!(located(&set, r), exp.lines, "{key} ({mode:?})");
            // The archive's own result holds the same totals.
            let total = |r: &ObjectReport| r.detections.iter().map(|d| d.count).sum::<u64>();
            assert_eq!(total(&reports[0]), total(r), "{key}: archive totals");
        }
    }

    // Structured containers: the value's cell or record.
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let n = refs.len();
    let record = |l: &Location| match l {
        Location::Record {
            record_index,
            json_path,
        } => {
            assert_eq!(json_path.as_deref(), Some("$.v"));
            *record_index as usize
        }
        other => panic!("not a record: {other:?}"),
    };
    let csv = build::scan(&scanner, "all.csv", &build::csv(&refs), true);
    complete(&csv[0], "csv");
    let cells = by_value(
        &set,
        &csv[0],
        |l| match l {
            Location::Cell {
                row,
                column,
                column_name,
            } => {
                assert_eq!((*column, column_name.as_str()), (1, "v"));
                *row as usize - 2
            }
            other => panic!("not a cell: {other:?}"),
        },
        n,
    );
    assert_eq!(cells, exp.per_value, "CSV cells");

    let json = build::scan(&scanner, "all.json", &build::json(&refs), true);
    complete(&json[0], "json");
    let in_json = by_value(
        &set,
        &json[0],
        |l| match l {
            Location::Record {
                record_index: 0,
                json_path: Some(p),
            } => {
                let i = p
                    .strip_prefix("$[")
                    .and_then(|p| p.strip_suffix("].v"))
                    .unwrap();
                i.parse().unwrap()
            }
            other => panic!("unexpected JSON location {other:?}"),
        },
        n,
    );
    assert_eq!(in_json, exp.per_value, "JSON values");

    for (key, data) in [
        ("all.jsonl", build::jsonl(&refs)),
        (
            "all.parquet",
            build::parquet(&refs, parquet::basic::Compression::SNAPPY, 100),
        ),
        ("all.avro", build::avro(&refs)),
    ] {
        let r = build::scan(&scanner, key, &data, true);
        complete(&r[0], key);
        assert_eq!(by_value(&set, &r[0], record, n), exp.per_value, "{key}");
    }
}

fn ids(set: &DetectorSet, r: &ObjectReport) -> Vec<(String, Location)> {
    located(set, r).into_keys().collect()
}

fn loc_cell(row: u64, column: u64, name: &str) -> Location {
    Location::Cell {
        row,
        column,
        column_name: name.into(),
    }
}

#[test]
fn csv_cells_headers_quotes_and_column_keywords() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    // An SSN needs a keyword: here the column name.
    let data = "id,ssn,note,jane.doe@example.org\n\
                1,123-45-6789,\"multi\nline, with comma\",x\n\
                2,\"234-56-7890\",\"mail: bob@example.com\",y\n"
        .as_bytes();
    let r = &build::scan(&scanner, "people.csv", data, true)[0];
    complete(r, "csv");
    assert_eq!(r.mime_type, "text/csv");
    let ssn = "USA_SOCIAL_SECURITY_NUMBER".to_string();
    let email = "EMAIL_ADDRESS".to_string();
    assert_eq!(
        ids(&set, r),
        vec![
            (
                email.clone(),
                Location::Lines {
                    start: 1,
                    end: 1,
                    start_column: 13
                }
            ),
            (email, loc_cell(3, 3, "note")),
            (ssn.clone(), loc_cell(2, 2, "ssn")),
            (ssn, loc_cell(3, 2, "ssn")),
        ]
    );
    // Cells are scanned together but each on its own: a keyword in the cell above, or
    // next to it, does not count.
    let apart = "a,b\nSSN,x\n123-45-6789,SSN\n".as_bytes();
    assert!(build::scan(&scanner, "apart.csv", apart, true)[0]
        .detections
        .is_empty());
    // Without the column name the numbers are not SSNs.
    let plain = "id,x\n1,123-45-6789\n".as_bytes();
    assert!(build::scan(&scanner, "p.csv", plain, true)[0]
        .detections
        .is_empty());
    // A detector found only around its keywords (no digit run or literal to anchor on)
    // gets them from the column name too: here a codice fiscale.
    let cf = "ITALY_NATIONAL_IDENTIFICATION_NUMBER".to_string();
    let italian =
        "name,codice fiscale\nMario,RCCMNL83S18D969H\nLuigi,RCCMNL83S18D969A\n".as_bytes();
    assert_eq!(
        ids(&set, &build::scan(&scanner, "it.csv", italian, true)[0]),
        vec![(cf.clone(), loc_cell(2, 2, "codice fiscale"))]
    );
    let elsewhere = "name,x\nMario,RCCMNL83S18D969H\n".as_bytes();
    assert!(build::scan(&scanner, "x.csv", elsewhere, true)[0]
        .detections
        .is_empty());
    let json = br#"{"cliente": {"codice_fiscale": "RCCMNL83S18D969H"}}"#;
    assert_eq!(
        ids(&set, &build::scan(&scanner, "it.json", json, true)[0]),
        vec![(cf, rec(0, Some("$.cliente.codice_fiscale")))]
    );
    // TSV: tabs, no quoting.
    let tsv = "name\tssn\nJane\t123-45-6789\n".as_bytes();
    let r = &build::scan(&scanner, "p.tsv", tsv, true)[0];
    assert_eq!(r.mime_type, "text/tab-separated-values");
    assert_eq!(
        ids(&set, r),
        vec![("USA_SOCIAL_SECURITY_NUMBER".into(), loc_cell(2, 2, "ssn"))]
    );
}

fn rec(index: u64, path: Option<&str>) -> Location {
    Location::Record {
        record_index: index,
        json_path: path.map(str::to_string),
    }
}

#[test]
fn json_paths_keys_keywords_and_nesting() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let doc = br#"{"customers": [{"name": "x", "contact": {"e-mail": "jane@example.org"}},
        {"card number": "4539 1488 0343 6467", "ssn": "123-45-6789"}],
        "bob@example.com": true, "a": {"b": [[0, "234-56-7890 SSN"]]}}"#;
    let r = &build::scan(&scanner, "doc.json", doc, true)[0];
    complete(r, "json");
    assert_eq!(r.mime_type, "application/json");
    let found = ids(&set, r);
    let want = [
        (
            "CREDIT_CARD_NUMBER",
            rec(0, Some("$.customers[1]['card number']")),
        ),
        ("EMAIL_ADDRESS", rec(0, None)),
        (
            "EMAIL_ADDRESS",
            rec(0, Some("$.customers[0].contact['e-mail']")),
        ),
        ("USA_SOCIAL_SECURITY_NUMBER", rec(0, Some("$.a.b[0][1]"))),
        (
            "USA_SOCIAL_SECURITY_NUMBER",
            rec(0, Some("$.customers[1].ssn")),
        ),
    ];
    let want: Vec<(String, Location)> = want
        .iter()
        .map(|(i, l)| (i.to_string(), l.clone()))
        .collect();
    assert_eq!(found, want);

    // Values are scanned together but each on its own: a keyword in a sibling value (or
    // in a key that is not on the value's path) does not count.
    let apart = br#"{"a": "SSN", "b": "123-45-6789", "ssn x": 1, "c": ["SSN", "234-56-7890"]}"#;
    let r = &build::scan(&scanner, "apart.json", apart, true)[0];
    assert!(r.detections.is_empty(), "{:?}", ids(&set, r));

    // 256 levels are fine, 257 are not (and nothing of the file is reported).
    let nested = |depth: usize| {
        let mut s = "[".repeat(depth);
        s.push_str("\"jane@example.org\"");
        s.push_str(&"]".repeat(depth));
        s.into_bytes()
    };
    let ok = &build::scan(&scanner, "deep.json", &nested(256), true)[0];
    complete(ok, "256 levels");
    assert_eq!(ok.detections.len(), 1);
    let deep = &build::scan(&scanner, "deep.json", &nested(257), true)[0];
    assert_eq!(deep.status.code, StatusCode::Skipped);
    assert_eq!(deep.status.reason, Some("JSON_NESTING_LEVEL_OVER_LIMIT"));
    assert!(deep.detections.is_empty());
    let jl = [nested(300), b"\n".to_vec()].concat();
    let deep = &build::scan(&scanner, "deep.jsonl", &jl, true)[0];
    assert_eq!(deep.status.reason, Some("JSON_NESTING_LEVEL_OVER_LIMIT"));

    // Malformed JSON is scanned as text, with line ranges.
    let bad = b"{\"a\": \"x\",\n \"b\": jane@example.org }";
    let r = &build::scan(&scanner, "bad.json", bad, true)[0];
    complete(r, "malformed json");
    assert_eq!(
        ids(&set, r),
        vec![(
            "EMAIL_ADDRESS".into(),
            Location::Lines {
                start: 2,
                end: 2,
                start_column: 7
            }
        )]
    );
}

#[test]
fn malformed_json_too_large_to_replay_keeps_its_prefix() {
    let scanner = build::scanner(Limits {
        max_replay: 64,
        ..Limits::default()
    });
    let set = scanner.detectors().clone();
    let mut doc = br#"[{"email": "jane@example.org"}, {"pad": ""#.to_vec();
    doc.extend(std::iter::repeat_n(b'x', 200));
    doc.extend(b"\"}, oops\nbob@example.com\n");
    let r = &build::scan(&scanner, "big.json", &doc, true)[0];
    assert_eq!(r.status.code, StatusCode::Partial);
    assert_eq!(r.status.reason, Some("MALFORMED_FILE"));
    assert_eq!(
        ids(&set, r),
        vec![
            (
                "EMAIL_ADDRESS".into(),
                Location::Lines {
                    start: 2,
                    end: 2,
                    start_column: 1
                }
            ),
            ("EMAIL_ADDRESS".into(), rec(0, Some("$[0].email"))),
        ]
    );
}

#[test]
fn json_lines_index_lines_and_keep_bad_lines_as_text() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let data =
        b"{\"e\": \"a@example.org\"}\n\n{broken b@example.org\n[1, {\"ssn\": \"123-45-6789\"}]\n";
    let r = &build::scan(&scanner, "x.jsonl", data, true)[0];
    complete(r, "jsonl");
    assert_eq!(r.mime_type, "application/jsonl");
    assert_eq!(
        ids(&set, r),
        vec![
            (
                "EMAIL_ADDRESS".into(),
                Location::Lines {
                    start: 3,
                    end: 3,
                    start_column: 9
                }
            ),
            ("EMAIL_ADDRESS".into(), rec(0, Some("$.e"))),
            (
                "USA_SOCIAL_SECURITY_NUMBER".into(),
                rec(3, Some("$[1].ssn"))
            ),
        ]
    );
}

#[test]
fn parquet_paths_row_groups_and_codecs() {
    use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let values = ["nothing", "jane@example.org", "x", "bob@example.com", "y"];
    for codec in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::ZSTD(ZstdLevel::default()),
        Compression::LZ4_RAW,
        Compression::BROTLI(BrotliLevel::default()),
    ] {
        let data = build::parquet(&values, codec, 2);
        let r = &build::scan(&scanner, "t.parquet", &data, true)[0];
        complete(r, "parquet");
        assert_eq!(r.mime_type, "application/parquet");
        assert_eq!(
            ids(&set, r),
            vec![
                ("EMAIL_ADDRESS".into(), rec(1, Some("$.v"))),
                ("EMAIL_ADDRESS".into(), rec(3, Some("$.v"))),
            ],
            "{codec:?}"
        );
    }
    // Nested: a list inside a struct, column names as keywords.
    let data = nested_parquet();
    let r = &build::scan(&scanner, "n.parquet", &data, true)[0];
    complete(r, "nested parquet");
    assert_eq!(
        ids(&set, r),
        vec![
            ("EMAIL_ADDRESS".into(), rec(0, Some("$.person.emails[1]"))),
            ("EMAIL_ADDRESS".into(), rec(2, Some("$.person.emails[2]"))),
            (
                "USA_SOCIAL_SECURITY_NUMBER".into(),
                rec(1, Some("$.person.ssn"))
            ),
        ]
    );
}

/// `person { ssn: string?, emails: list<string> }`, three rows over two row groups.
fn nested_parquet() -> Vec<u8> {
    use parquet::data_type::{ByteArray, ByteArrayType};
    use std::sync::Arc;
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(
            "message m {
               required group person {
                 optional binary ssn (UTF8);
                 optional group emails (LIST) {
                   repeated group list { optional binary element (UTF8); }
                 }
               }
             }",
        )
        .unwrap(),
    );
    let props = Arc::new(parquet::file::properties::WriterProperties::builder().build());
    let mut buf = Vec::new();
    let mut w = parquet::file::writer::SerializedFileWriter::new(&mut buf, schema, props).unwrap();
    // Row group 1: rows 0 and 1. Row group 2: row 2.
    // Per row group: ssn values and definition levels; e-mail values, definition and
    // repetition levels.
    type Group<'a> = (Vec<&'a str>, Vec<i16>, Vec<&'a str>, Vec<i16>, Vec<i16>);
    let groups: [Group; 2] = [
        (
            vec!["123-45-6789"],
            vec![0, 1],
            vec!["a", "jane@example.org"],
            vec![3, 3, 1],
            vec![0, 1, 0],
        ),
        (
            vec![],
            vec![0],
            vec!["x", "y", "bob@example.com"],
            vec![3, 3, 3],
            vec![0, 1, 1],
        ),
    ];
    for (ssn, ssn_def, emails, e_def, e_rep) in groups {
        let mut rg = w.next_row_group().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let ssn: Vec<ByteArray> = ssn.iter().map(|v| ByteArray::from(*v)).collect();
        col.typed::<ByteArrayType>()
            .write_batch(&ssn, Some(&ssn_def), None)
            .unwrap();
        col.close().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let vals: Vec<ByteArray> = emails.iter().map(|v| ByteArray::from(*v)).collect();
        col.typed::<ByteArrayType>()
            .write_batch(&vals, Some(&e_def), Some(&e_rep))
            .unwrap();
        col.close().unwrap();
        rg.close().unwrap();
    }
    w.close().unwrap();
    buf
}

#[test]
fn avro_records_with_nested_paths() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let schema = apache_avro::Schema::parse_str(
        r#"{"type":"record","name":"r","fields":[
            {"name":"id","type":"long"},
            {"name":"contact","type":{"type":"record","name":"c","fields":[
                {"name":"emails","type":{"type":"array","items":"string"}},
                {"name":"ssn","type":["null","string"]}]}}]}"#,
    )
    .unwrap();
    let mut w = apache_avro::Writer::new(&schema, Vec::new());
    for (i, (emails, ssn)) in [
        (vec!["a", "jane@example.org"], None),
        (vec![], Some("123-45-6789")),
    ]
    .into_iter()
    .enumerate()
    {
        use apache_avro::types::Value;
        let contact = Value::Record(vec![
            (
                "emails".into(),
                Value::Array(
                    emails
                        .into_iter()
                        .map(|e| Value::String(e.into()))
                        .collect(),
                ),
            ),
            (
                "ssn".into(),
                match ssn {
                    None => Value::Union(0, Box::new(Value::Null)),
                    Some(s) => Value::Union(1, Box::new(Value::String(s.into()))),
                },
            ),
        ]);
        let rec = Value::Record(vec![
            ("id".into(), Value::Long(i as i64)),
            ("contact".into(), contact),
        ]);
        w.append(rec).unwrap();
    }
    let data = w.into_inner().unwrap();
    let r = &build::scan(&scanner, "x.avro", &data, true)[0];
    complete(r, "avro");
    assert_eq!(r.mime_type, "application/avro");
    assert_eq!(
        ids(&set, r),
        vec![
            ("EMAIL_ADDRESS".into(), rec(0, Some("$.contact.emails[1]"))),
            (
                "USA_SOCIAL_SECURITY_NUMBER".into(),
                rec(1, Some("$.contact.ssn"))
            ),
        ]
    );
}

#[test]
fn archives_report_each_member_and_the_totals() {
    let scanner = build::scanner(Limits::default());
    let png = b"\x89PNG\r\n\x1a\nbinary";
    let data = build::zip(
        &[
            ("a.txt", b"mail jane@example.org"),
            ("dir/b.csv", b"ssn\n123-45-6789\n"),
            ("logo.png", png),
        ],
        false,
        false,
    );
    let reports = build::scan(&scanner, "bundle.zip", &data, true);
    let paths: Vec<Option<&str>> = reports
        .iter()
        .map(|r| r.embedded.as_ref().map(|e| e.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [None, Some("a.txt"), Some("dir/b.csv"), Some("logo.png")]
    );
    let archive = &reports[0];
    assert_eq!(archive.mime_type, "application/zip");
    assert_eq!(archive.status.code, StatusCode::Partial);
    assert_eq!(
        archive.status.reason,
        Some("ARCHIVE_CONTAINS_UNPROCESSED_FILES")
    );
    assert_eq!(archive.detections.len(), 2, "totals of both members");
    assert_eq!(reports[2].mime_type, "text/csv");
    assert_eq!(reports[3].status.code, StatusCode::Skipped);
    assert_eq!(
        reports[3].status.reason,
        Some("UNSUPPORTED_FILE_TYPE_EXCEPTION")
    );
    let e = reports[1].embedded.as_ref().unwrap();
    assert_eq!(e.size, 21);
    assert!(e.last_modified.is_some());

    // Multi-member gzip: every member is read.
    let two = [
        build::gzip(b"first a@example.org\n"),
        build::gzip(b"second b@example.org\n"),
    ]
    .concat();
    let r = &build::scan(&scanner, "two.txt.gz", &two, false)[0];
    complete(r, "multi-member gzip");
    assert_eq!(r.detections[0].count, 2);
    assert_eq!(r.mime_type, "application/gzip");
}

#[test]
fn truncated_compressed_input_keeps_what_was_read() {
    let scanner = build::scanner(Limits::default());
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("line {i} user{i}@example.org\n"));
    }
    let gz = build::gzip(text.as_bytes());
    let cut = &gz[..gz.len() / 2];
    for mode in [build::Mode::Stream, build::Mode::SendStream] {
        let r = &build::scan_as(&scanner, "cut.txt.gz", cut, mode)[0];
        assert_eq!(r.status.code, StatusCode::Partial, "{mode:?}");
        assert_eq!(r.status.reason, Some("UNABLE_TO_PARSE_FILE"));
        let found = r.detections[0].count;
        assert!(found > 1000 && found < 20_000, "{mode:?}: {found}");
    }

    // A zip cut before its central directory: entries are read from local headers.
    let zip = build::zip(
        &[
            ("a.txt", b"jane@example.org" as &[u8]),
            ("b.txt", text.as_bytes()),
        ],
        false,
        false,
    );
    let cut = &zip[..zip.len() - 200];
    let reports = build::scan(&scanner, "cut.zip", cut, true);
    assert_eq!(reports[0].status.code, StatusCode::Partial);
    assert_eq!(reports[0].status.reason, Some("UNABLE_TO_PARSE_FILE"));
    assert_eq!(reports[1].embedded.as_ref().unwrap().path, "a.txt");
    assert_eq!(reports[1].detections[0].count, 1);
}

#[test]
fn limits_give_macie_reasons() {
    let text = b"jane@example.org\n";
    // Nesting: zip in zip ... 3 levels deep with a limit of 2.
    let mut data = build::zip(&[("t.txt", text)], false, false);
    for _ in 0..2 {
        data = build::zip(&[("in.zip", &data)], false, false);
    }
    let s = build::scanner(Limits {
        max_nesting: 2,
        ..Limits::default()
    });
    let reports = build::scan(&s, "deep.zip", &data, true);
    assert_eq!(
        reports[0].status.reason,
        Some("ARCHIVE_NESTING_LEVEL_OVER_LIMIT")
    );
    assert!(reports.iter().any(|r| r.status.code == StatusCode::Skipped
        && r.status.reason == Some("ARCHIVE_NESTING_LEVEL_OVER_LIMIT")));
    let ok = build::scan(&build::scanner(Limits::default()), "deep.zip", &data, true);
    complete(&ok[0], "3 levels within the default 10");
    assert_eq!(ok[0].detections.len(), 1);
    // Nested zips that do not fit the buffer budget are read from their local headers.
    let small = build::scanner(Limits {
        max_buffered: 100,
        ..Limits::default()
    });
    let streamed = build::scan(&small, "deep.zip", &data, true);
    complete(&streamed[0], "nested zips read from local headers");
    assert_eq!(streamed[0].detections.len(), 1);

    // Files.
    let many: Vec<(String, Vec<u8>)> = (0..10)
        .map(|i| (format!("f{i}.txt"), text.to_vec()))
        .collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let data = build::zip(&refs, false, false);
    let s = build::scanner(Limits {
        max_members: 4,
        ..Limits::default()
    });
    let reports = build::scan(&s, "many.zip", &data, true);
    assert_eq!(
        reports[0].status.reason,
        Some("ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT")
    );
    assert_eq!(reports.len(), 1 + 4);
    assert_eq!(
        reports[0].detections[0].count, 4,
        "what was processed counts"
    );

    // Bytes extracted, by the declared sizes (nothing inflated) and while streaming.
    let s = build::scanner(Limits {
        max_extracted: 50,
        ..Limits::default()
    });
    let reports = build::scan(&s, "many.zip", &data, true);
    assert_eq!(reports[0].status.code, StatusCode::Skipped);
    assert_eq!(
        reports[0].status.reason,
        Some("ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
    let tar = build::tar(&refs);
    let reports = build::scan(&s, "many.tar", &tar, false);
    assert_eq!(reports[0].status.code, StatusCode::Partial);
    assert_eq!(
        reports[0].status.reason,
        Some("ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );

    // Per member.
    let s = build::scanner(Limits {
        max_member_bytes: 10,
        ..Limits::default()
    });
    let reports = build::scan(&s, "many.zip", &data, true);
    assert_eq!(
        reports[0].status.reason,
        Some("ARCHIVE_CONTAINS_UNPROCESSED_FILES")
    );
    assert_eq!(reports[1].status.reason, Some("FILE_EXCEEDS_SIZE_LIMIT"));

    // Compression ratio.
    let zeros = build::gzip(&vec![b' '; 4 << 20]);
    let s = build::scanner(Limits {
        max_ratio: 100,
        ratio_floor: 1 << 20,
        ..Limits::default()
    });
    let r = &build::scan(&s, "z.txt.gz", &zeros, false)[0];
    assert_eq!(r.status.code, StatusCode::Partial);
    assert_eq!(
        r.status.reason,
        Some("ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
}

#[test]
fn overlapping_zip_entries_are_refused_unread() {
    let scanner = build::scanner(Limits::default());
    let data = crate::bombs::overlapping_zip(50, 1 << 20);
    let reports = build::scan(&scanner, "overlap.zip", &data, true);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].status.code, StatusCode::Skipped);
    assert_eq!(reports[0].status.reason, Some("MALFORMED_FILE"));
}

#[test]
fn zstd_json_lines() {
    let scanner = build::scanner(Limits::default());
    let set = scanner.detectors().clone();
    let data = build::zstd(&build::jsonl(&["x", "jane@example.org"]));
    let r = &build::scan(&scanner, "events.jsonl.zst", &data, false)[0];
    complete(r, "zstd");
    assert_eq!(r.mime_type, "application/zstd");
    assert_eq!(
        ids(&set, r),
        vec![("EMAIL_ADDRESS".into(), rec(1, Some("$.v")))]
    );
}

/// Writes small, valid seed inputs for the fuzz targets to `fuzz/seeds/` (run by hand
/// with `cargo test write_fuzz_seeds -- --ignored` when the formats change).
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let text = b"SSN: 123-45-6789, mail jane@example.org, card 4539 1488 0343 6467\n";
    let values = ["SSN 123-45-6789", "jane@example.org", "x"];
    let csv = b"name,ssn\nJane,123-45-6789\n\"multi\nline\",\"a,b\"\n".to_vec();
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("engine", text.to_vec()),
        ("decode_text", text.to_vec()),
        ("decode_csv", csv.clone()),
        ("decode_json", build::json(&values)),
        ("decode_jsonl", build::jsonl(&values)),
        ("decode_gzip", build::gzip(text)),
        ("decode_zstd", build::zstd(text)),
        (
            "decode_zip",
            build::zip(&[("a.txt", text), ("b.csv", &csv)], false, false),
        ),
        ("decode_tar", build::tar(&[("a.txt", text)])),
        (
            "decode_parquet",
            build::parquet(&values, parquet::basic::Compression::SNAPPY, 2),
        ),
        ("decode_avro", build::avro(&values)),
    ];
    for (target, data) in seeds {
        let d = dir.join(target);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("seed"), data).unwrap();
    }
}

/// Writes the structured and archived sample data under `examples/exports/` (run by hand
/// with `cargo test write_example_exports -- --ignored`; the files are committed).
#[test]
#[ignore]
fn write_example_exports() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports");
    std::fs::create_dir_all(&dir).unwrap();
    let customers = serde_json::json!({
        "exported": "2026-03-01",
        "customers": [
            {"name": "Jane Doe", "contact": {"email": "jane.doe@example.org"}, "ssn": "123-45-6789"},
            {"name": "Luis Garcia", "iban": "ES91 2100 0418 4502 0005 1332", "card number": "4539 1488 0343 6467"}
        ]
    });
    std::fs::write(
        dir.join("customers.json"),
        serde_json::to_vec_pretty(&customers).unwrap(),
    )
    .unwrap();
    let events = [
        r#"{"event":"login","user":"anna.mueller@beispiel.example.de","ip":"203.0.113.7"}"#,
        r#"{"event":"update","field":"phone","value":"+49 30 1234567"}"#,
        r#"{"event":"payment","card":"4539148803436467"}"#,
    ]
    .join("\n");
    std::fs::write(
        dir.join("events.jsonl.gz"),
        build::gzip(format!("{events}\n").as_bytes()),
    )
    .unwrap();
    let csv = b"name,ssn,notes\nJane Doe,123-45-6789,prefers e-mail\nTom Lee,none,\n";
    let tgz = build::gzip(&build::tar(&[(
        "notes/call.txt",
        b"Call Jane at jane.doe@example.org" as &[u8],
    )]));
    std::fs::write(
        dir.join("backup.zip"),
        build::zip(
            &[("hr/staff.csv", csv), ("notes.tar.gz", &tgz)],
            false,
            false,
        ),
    )
    .unwrap();
    let orders = [
        "order 1001",
        "ship to jane.doe@example.org",
        "card 4539 1488 0343 6467",
    ];
    std::fs::write(
        dir.join("orders.parquet"),
        build::parquet(&orders, parquet::basic::Compression::SNAPPY, 2),
    )
    .unwrap();
    std::fs::write(
        dir.join("contacts.avro"),
        build::avro(&["luis.garcia@correo.example.es", "n/a"]),
    )
    .unwrap();
}

/// Malformed and truncated files of every format, each holding a planted value: no
/// result's error note may quote it (decoder messages are about structure only).
#[test]
fn error_notes_never_quote_content() {
    let scanner = build::scanner(Limits {
        max_replay: 64,
        ..Limits::default()
    });
    let secret = "jane.secret@example.org";
    let text = format!("{secret} 123-45-6789\n").repeat(2000);
    let gz = build::gzip(text.as_bytes());
    let zip = build::zip(&[("a.txt", text.as_bytes())], false, false);
    let tar = build::tar(&[("a.txt", text.as_bytes())]);
    let parquet = build::parquet(&[secret, secret], parquet::basic::Compression::SNAPPY, 1);
    let avro = build::avro(&[secret, secret]);
    let mut bad_avro = avro.clone();
    let n = bad_avro.len();
    bad_avro[n - 20..].iter_mut().for_each(|b| *b ^= 0xff);
    let mut bad_parquet = parquet.clone();
    let n = bad_parquet.len();
    bad_parquet[n - 40..n - 8]
        .iter_mut()
        .for_each(|b| *b ^= 0x5a);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut.txt.gz", gz[..gz.len() / 2].to_vec()),
        ("cut.zip", zip[..zip.len() - 30].to_vec()),
        ("cut.tar", tar[..tar.len() / 2].to_vec()),
        (
            "bad.json",
            format!("{{\"a\": \"{secret}\", {secret} }}").into_bytes(),
        ),
        ("bad.jsonl", format!("{{\"{secret}\n").into_bytes()),
        ("bad.avro", bad_avro),
        ("cut.avro", avro[..avro.len() - 10].to_vec()),
        ("bad.parquet", bad_parquet),
        ("cut.parquet", parquet[..parquet.len() / 2].to_vec()),
        ("bad.csv", format!("a\n\"{secret}").into_bytes()),
    ];
    let mut notes = 0;
    for (key, data) in &cases {
        for mode in [
            build::Mode::Seekable,
            build::Mode::Stream,
            build::Mode::SendStream,
        ] {
            for r in build::scan_as(&scanner, key, data, mode) {
                if let Some(e) = &r.error {
                    notes += 1;
                    assert!(!e.contains("secret") && !e.contains("123-45"), "{key}: {e}");
                }
            }
        }
    }
    assert!(
        notes >= 10,
        "the malformed files should have produced notes ({notes})"
    );
}

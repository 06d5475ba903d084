//! Inputs the fuzzers once crashed on (`fuzz/regressions/<target>/`), replayed through the
//! same pipeline and invariants as the fuzz targets: no panic escapes, the object's result
//! comes first, and a result has a reason exactly when it is not complete.

use std::io::Cursor;

use s3pii::decode::{Input, Limits};
use s3pii::report::StatusCode;
use s3pii::Matcher;

use crate::build;

fn name_for(target: &str) -> Option<&'static str> {
    Some(match target {
        "engine" | "decode_text" => "x.txt",
        "decode_csv" => "x.csv",
        "decode_json" => "x.json",
        "decode_jsonl" => "x.jsonl",
        "decode_gzip" => "x.gz",
        "decode_zstd" => "x.zst",
        "decode_zip" => "x.zip",
        "decode_tar" => "x.tar",
        "decode_parquet" => "x.parquet",
        "decode_avro" => "x.avro",
        _ => return None,
    })
}

#[test]
fn past_fuzz_crashes_are_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let scanner = build::scanner(Limits::default());
    let mut matcher = Matcher::new(scanner.detectors());
    let mut replayed = 0;
    for target in std::fs::read_dir(&dir).unwrap() {
        let target = target.unwrap();
        let tname = target.file_name().to_string_lossy().into_owned();
        let name = name_for(&tname).unwrap_or_else(|| panic!("unknown fuzz target {tname}"));
        for case in std::fs::read_dir(target.path()).unwrap() {
            let data = std::fs::read(case.unwrap().path()).unwrap();
            let info = build::info(name, data.len() as u64);
            for seekable in [false, true] {
                let reports = if seekable {
                    let input =
                        Input::Seekable(Box::new(Cursor::new(data.clone())), data.len() as u64);
                    scanner.scan_input(input, &info, Some(data.len() as u64), &mut matcher)
                } else {
                    let mut stream = Cursor::new(&data[..]);
                    scanner.scan_input(Input::Stream(&mut stream), &info, None, &mut matcher)
                };
                assert!(reports[0].embedded.is_none());
                for r in &reports {
                    assert_eq!(
                        r.status.code == StatusCode::Complete,
                        r.status.reason.is_none()
                    );
                }
            }
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no regression inputs found in {}",
        dir.display()
    );
}

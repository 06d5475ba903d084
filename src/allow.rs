//! Allow lists (Macie's `AllowList`): text that is never reported even when a detector
//! matches it.
//!
//! Two kinds, as in Macie: a predefined-text list (one entry per line, blank lines skipped,
//! case-insensitive exact match of the whole matched text) and regexes that must match the
//! whole matched text.

use std::collections::HashSet;
use std::path::Path;

use regex_automata::meta;
use regex_automata::util::syntax;

use crate::error::LoadError;

/// Macie's limits for a predefined-text allow list.
const MAX_ENTRIES: usize = 100_000;
const MAX_ENTRY_CHARS: usize = 90;
const MAX_REGEX_CHARS: usize = 512;

/// A set of allow-list entries and regexes.
#[derive(Default)]
pub struct AllowList {
    words: HashSet<Vec<u8>>,
    regexes: Vec<meta::Regex>,
}

impl std::fmt::Debug for AllowList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Entries may themselves be sensitive values: print counts only.
        f.debug_struct("AllowList")
            .field("words", &self.words.len())
            .field("regexes", &self.regexes.len())
            .finish()
    }
}

impl AllowList {
    /// An empty allow list.
    pub fn new() -> AllowList {
        AllowList::default()
    }

    /// Adds the entries of a predefined-text list (`source` names it in errors).
    pub fn add_words(&mut self, source: &str, text: &str) -> Result<(), LoadError> {
        for (n, line) in text.lines().enumerate() {
            let entry = line.trim_end_matches('\r');
            if entry.trim().is_empty() {
                continue;
            }
            if entry.chars().count() > MAX_ENTRY_CHARS {
                return Err(LoadError::Parse {
                    source_name: source.to_string(),
                    message: format!(
                        "line {}: entries must be at most {MAX_ENTRY_CHARS} characters",
                        n + 1
                    ),
                });
            }
            self.words.insert(entry.as_bytes().to_ascii_lowercase());
        }
        if self.words.len() > MAX_ENTRIES {
            return Err(LoadError::Parse {
                source_name: source.to_string(),
                message: format!("more than {MAX_ENTRIES} entries (Macie's limit)"),
            });
        }
        Ok(())
    }

    /// Reads a predefined-text list from a file.
    pub fn add_words_file(&mut self, path: &Path) -> Result<(), LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_words(&path.display().to_string(), &text)
    }

    /// Adds a regex; text is allowed only if the regex matches all of it.
    pub fn add_regex(&mut self, regex: &str) -> Result<(), LoadError> {
        let bad = |message: String| LoadError::Field {
            source_name: "allow list".into(),
            id: "--allow-regex".into(),
            field: "regex",
            message,
        };
        if regex.is_empty() || regex.chars().count() > MAX_REGEX_CHARS {
            return Err(bad(format!("must be 1 to {MAX_REGEX_CHARS} characters")));
        }
        let whole = format!(r"\A(?:{regex})\z");
        let re = meta::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build(&whole)
            .map_err(|e| bad(format!("does not compile: {e}")))?;
        self.regexes.push(re);
        Ok(())
    }

    /// Whether `text` (a whole match) is allowed.
    pub fn is_allowed(&self, text: &[u8]) -> bool {
        (!self.words.is_empty() && self.words.contains(&text.to_ascii_lowercase()))
            || self.regexes.iter().any(|r| r.is_match(text))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.regexes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_whole_and_case_insensitive() {
        let mut a = AllowList::new();
        a.add_words("t", "Jane@Example.com\n\n  \nAB123").unwrap();
        assert!(a.is_allowed(b"jane@example.COM"));
        assert!(!a.is_allowed(b"xjane@example.com"));
        assert!(a.is_allowed(b"ab123"));
    }

    #[test]
    fn regexes_must_match_everything() {
        let mut a = AllowList::new();
        a.add_regex(r"[a-z]+@example\.com").unwrap();
        assert!(a.is_allowed(b"jane@example.com"));
        assert!(!a.is_allowed(b"jane@example.com.evil"));
        assert!(a.add_regex("(").is_err());
    }
}

//! Static analysis of a detector regex: its bounded maximum length and the *trigger* the
//! engine uses to find candidates without running the regex over the whole text.
//!
//! Everything here works on `regex_syntax::hir::Hir`; nothing touches scanned bytes.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};

/// How the engine finds candidate positions for one detector (see `patterns/README.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// Every match starts with one of these literals (≥ 3 bytes, lower-cased for the
    /// case-folded search); the regex runs anchored at each hit.
    Literal(Vec<Vec<u8>>),
    /// Every match starts with one of these two upper-case letter pairs directly followed
    /// by a digit; checked at the start of each digit run.
    Pair(Vec<[u8; 2]>),
    /// Every match contains this byte; memchr finds it.
    Byte(u8),
    /// Every match contains at least this many ASCII digits; the regex runs around digit
    /// clusters that have at least that many.
    Digits(u32),
    /// The detector needs a keyword and its matches may contain no digit: the regex runs
    /// around keyword hits.
    Keyword,
    /// No cheap anchor: the regex runs over the whole text (only custom identifiers).
    Unfiltered,
}

impl Trigger {
    /// Short name for listings.
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Literal(_) => "literal",
            Trigger::Pair(_) => "pair",
            Trigger::Byte(_) => "byte",
            Trigger::Digits(_) => "digits",
            Trigger::Keyword => "keyword",
            Trigger::Unfiltered => "unfiltered",
        }
    }
}

/// Bytes rare enough in ordinary text to anchor a search on, best first.
const RARE_BYTES: &[u8] = b"@^~|%";
/// The most literals a detector may contribute to the literal automaton.
const MAX_TRIGGER_LITERALS: usize = 24;

/// Chooses the trigger for a detector regex.
pub fn trigger(hir: &Hir, keyword_required: bool) -> Trigger {
    let digits = min_digits(hir);
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_class(10)
        .limit_total(64);
    let seq = extractor.extract(hir);
    if let Some(lits) = seq.literals() {
        let lits: Vec<&[u8]> = lits.iter().map(|l| l.as_bytes()).collect();
        if !lits.is_empty() && digits > 0 && lits.iter().all(|l| is_pair_prefix(l)) {
            let mut pairs: Vec<[u8; 2]> = lits.iter().map(|l| [l[0], l[1]]).collect();
            pairs.sort_unstable();
            pairs.dedup();
            return Trigger::Pair(pairs);
        }
        if !lits.is_empty() && lits.iter().all(|l| l.len() >= 3) {
            let mut lower: Vec<Vec<u8>> = lits.iter().map(|l| l.to_ascii_lowercase()).collect();
            lower.sort_unstable();
            lower.dedup();
            if lower.len() <= MAX_TRIGGER_LITERALS {
                return Trigger::Literal(lower);
            }
        }
    }
    let required = required_bytes(hir);
    if let Some(&b) = RARE_BYTES.iter().find(|b| required.contains(**b)) {
        return Trigger::Byte(b);
    }
    if digits > 0 {
        return Trigger::Digits(digits);
    }
    if keyword_required {
        return Trigger::Keyword;
    }
    Trigger::Unfiltered
}

fn is_pair_prefix(lit: &[u8]) -> bool {
    lit.len() >= 2
        && lit[0].is_ascii_uppercase()
        && lit[1].is_ascii_uppercase()
        && lit.get(2).is_none_or(|b| b.is_ascii_digit())
}

/// The minimum number of ASCII digits in any match.
pub fn min_digits(hir: &Hir) -> u32 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(lit) => lit.0.iter().filter(|b| b.is_ascii_digit()).count() as u32,
        HirKind::Class(class) => u32::from(class_is_digits(class)),
        HirKind::Repetition(rep) => rep.min.saturating_mul(min_digits(&rep.sub)),
        HirKind::Capture(cap) => min_digits(&cap.sub),
        HirKind::Concat(subs) => subs.iter().map(min_digits).fold(0, u32::saturating_add),
        HirKind::Alternation(subs) => subs.iter().map(min_digits).min().unwrap_or(0),
    }
}

fn class_is_digits(class: &Class) -> bool {
    match class {
        Class::Bytes(c) => {
            let mut any = false;
            for r in c.ranges() {
                any = true;
                if r.start() < b'0' || r.end() > b'9' {
                    return false;
                }
            }
            any
        }
        Class::Unicode(c) => {
            let mut any = false;
            for r in c.ranges() {
                any = true;
                if r.start() < '0' || r.end() > '9' {
                    return false;
                }
            }
            any
        }
    }
}

/// A set of bytes, as a 256-bit map.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    fn all() -> Self {
        ByteSet([u64::MAX; 4])
    }
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }
    /// Whether `b` is in the set.
    pub fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
    fn union(self, o: Self) -> Self {
        ByteSet([0, 1, 2, 3].map(|i| self.0[i] | o.0[i]))
    }
    fn intersect(self, o: Self) -> Self {
        ByteSet([0, 1, 2, 3].map(|i| self.0[i] & o.0[i]))
    }
}

/// Bytes that occur in every match.
pub fn required_bytes(hir: &Hir) -> ByteSet {
    let mut set = ByteSet::default();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => lit.0.iter().for_each(|&b| set.insert(b)),
        HirKind::Class(Class::Bytes(c)) => {
            if let [r] = c.ranges() {
                if r.start() == r.end() {
                    set.insert(r.start());
                }
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            if let [r] = c.ranges() {
                if r.start() == r.end() && r.start().is_ascii() {
                    set.insert(r.start() as u8);
                }
            }
        }
        HirKind::Repetition(rep) if rep.min > 0 => set = required_bytes(&rep.sub),
        HirKind::Repetition(_) => {}
        HirKind::Capture(cap) => set = required_bytes(&cap.sub),
        HirKind::Concat(subs) => {
            set = subs.iter().map(required_bytes).fold(set, ByteSet::union);
        }
        HirKind::Alternation(subs) => {
            set = subs
                .iter()
                .map(required_bytes)
                .fold(ByteSet::all(), ByteSet::intersect);
        }
    }
    set
}

/// Whether the pattern has a capturing group (Macie rejects them in custom identifiers).
pub fn has_capture(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(_) => true,
        HirKind::Repetition(rep) => has_capture(&rep.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_capture),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(re: &str) -> Hir {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(re)
            .unwrap()
    }

    #[test]
    fn triggers_follow_the_regex_shape() {
        assert_eq!(
            trigger(&parse(r"\bAKIA[0-9A-Z]{16}\b"), false),
            Trigger::Literal(vec![b"akia".to_vec()])
        );
        assert_eq!(
            trigger(&parse(r"\bDE[0-9]{2}[0-9]{18}\b"), false),
            Trigger::Pair(vec![*b"DE"])
        );
        assert_eq!(
            trigger(&parse(r"[a-z]{1,20}@[a-z]{1,20}\.[a-z]{2,6}"), false),
            Trigger::Byte(b'@')
        );
        assert_eq!(
            trigger(&parse(r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b"), true),
            Trigger::Digits(9)
        );
        assert_eq!(
            trigger(&parse(r"(?:[0-9]{3}|[a-z]{2}[0-9])x"), true),
            Trigger::Digits(1)
        );
        assert_eq!(
            trigger(&parse(r"\b[A-Za-z0-9/+]{40}\b"), true),
            Trigger::Keyword
        );
        assert_eq!(
            trigger(&parse(r"\b[A-Za-z]{4,8}\b"), false),
            Trigger::Unfiltered
        );
    }

    #[test]
    fn captures_are_found() {
        assert!(has_capture(&parse("a(b)c")));
        assert!(!has_capture(&parse("a(?:b)c")));
    }
}

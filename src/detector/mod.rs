//! Detectors: the catalog in `patterns/`, custom data identifiers, and their compiled,
//! read-only form [`DetectorSet`].
//!
//! A `DetectorSet` is built once (at start-up, never per object) and shared by reference
//! or `Arc` across threads; per-thread scratch lives in [`crate::Matcher`].
//!
//! Layout: `spec.rs` (serde, as written) → `load.rs` (parse the built-in files and custom
//! identifiers, enforce Macie's limits) → `compile.rs` (regexes, triggers, automata) →
//! `lint.rs` (`s3pii identifiers check`). `validate.rs` holds the named checksums.

mod analyze;
pub(crate) mod builtin;
pub(crate) mod compile;
mod ignore;
mod jwt;
pub(crate) mod keywords;
mod lint;
mod load;
pub mod spec;
mod teddy;
mod validate;

use std::sync::Arc;

pub use analyze::Trigger;
pub use compile::{Check, KeywordRule};
pub use lint::{lint, Diagnostic, Level};
pub use load::{builtin_specs, custom_specs_from_json, parse_detector_file, SourcedSpec};
pub use spec::{Category, CustomIdentifierSpec, DetectorSpec, Severity, SeverityLevel};
pub use validate::Validator;

use crate::error::LoadError;

/// Index of a detector in its [`DetectorSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DetectorId(pub u16);

impl DetectorId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// One compiled detector. Read-only.
#[derive(Debug)]
pub struct Detector {
    /// Macie (or Macie-style) identifier id; for custom identifiers, the identifier id.
    pub id: String,
    /// Human name (for custom identifiers: Macie's `name`).
    pub name: String,
    /// Category.
    pub category: Category,
    /// Description.
    pub description: String,
    /// Severity for 1, 2–99, ≥ 100 occurrences (managed identifiers).
    pub severity: [Severity; 3],
    /// Severity thresholds of a custom identifier (Macie's `severityLevels`); empty for
    /// managed identifiers.
    pub severity_levels: Vec<SeverityLevel>,
    /// `true` for identifiers Macie does not have.
    pub extension: bool,
    /// `true` if in Macie's recommended set.
    pub recommended: bool,
    /// `true` for user-defined custom data identifiers.
    pub custom: bool,
    /// Keywords as written.
    pub keywords: Vec<String>,
    /// Whether a keyword is required.
    pub keyword_required: bool,
    /// How keyword proximity is measured.
    pub keyword_rule: KeywordRule,
    /// Keyword proximity in characters.
    pub max_distance: usize,
    /// The checksum or structure check, if any.
    pub check: Option<Check>,
    /// The regex as written.
    pub regex_source: String,
    /// Longest possible match, in bytes.
    pub max_len: usize,
    /// How candidates are found.
    pub trigger: Trigger,
    /// Where the detector was defined (file name).
    pub source: String,
    /// The as-written spec (examples and negatives are used by the lint).
    pub spec: Option<DetectorSpec>,
    /// Ignore words (card detectors carry dozens of test numbers).
    pub(crate) ignore_words: Option<ignore::IgnoreWords>,
    /// Longest run of non-digits before the first / after the last digit of a match: how
    /// far a match can reach beyond its digit cluster.
    pub(crate) digit_pre: usize,
    pub(crate) digit_suf: usize,
    /// Matches start with a digit at a word boundary, so only at digit-run starts: the
    /// regex can run anchored there (forward only) instead of over a window.
    pub(crate) at_run_starts: bool,
    /// Every byte a match can contain: windows stop at the first byte outside it.
    pub(crate) alphabet: analyze::ByteSet,
    /// `alphabet` for walking the run of its bytes around a trigger, 32 bytes a step.
    pub(crate) alphabet_lookup: crate::bytemask::ByteLookup,
    /// Where every match starts and ends with a word boundary or a non-digit byte, every
    /// digit run of a match is a whole digit run of the text, at most this long;
    /// `usize::MAX` otherwise.
    pub(crate) max_run: usize,
    /// With whole runs (`max_run` bounded), the digit-run lengths its matches can have.
    pub(crate) run_shapes: Option<RunShapes>,
    pub(crate) fallback_for: Option<DetectorId>,
    /// The regex, and its DFA for anchored searches, each built once for all detectors
    /// with the same regex (the two card detectors).
    pub(crate) regex: regex_automata::meta::Regex,
    pub(crate) anchored: Arc<AnchoredDfa>,
}

/// The digit-run lengths a detector's matches can have ([`analyze::run_shapes`]) as a
/// trie: a match lies only where a cluster's runs, one after another, have one of these
/// sequences of lengths, and most runs are ruled out by the root's bit test.
#[derive(Debug, Clone)]
pub(crate) struct RunShapes {
    /// Node 0 is the root.
    nodes: Vec<ShapeNode>,
    /// The run lengths each sequence takes (bit `n`: a run of `n` digits), none a superset
    /// of another: a cluster lacking a length of every one of them holds no sequence.
    /// Empty when there would be more than [`RunShapes::MAX_LENGTH_SETS`].
    length_sets: Vec<u64>,
}

#[derive(Debug, Clone, Copy, Default)]
struct ShapeNode {
    /// Bit `n`: a sequence goes on with a run of `n` digits.
    next: u64,
    /// The children, one per bit of `next` in increasing order, start here.
    first_child: u32,
    /// A sequence ends here.
    end: bool,
}

impl RunShapes {
    /// Most length sets [`RunShapes::may_fit`] tests; with more, it lets every cluster by.
    const MAX_LENGTH_SETS: usize = 8;

    /// The trie of `seqs` (none empty, every run under 64).
    pub(crate) fn new(mut seqs: Vec<Vec<u8>>) -> RunShapes {
        seqs.sort_unstable();
        seqs.dedup();
        let mut sets: Vec<u64> = seqs
            .iter()
            .map(|seq| {
                seq.iter()
                    .fold(0, |m, &n| m | 1u64.checked_shl(u32::from(n)).unwrap_or(0))
            })
            .collect();
        // Fewest lengths first: a set holding an earlier one adds nothing.
        sets.sort_unstable_by_key(|m| (m.count_ones(), *m));
        let mut length_sets: Vec<u64> = Vec::new();
        for m in sets {
            if !length_sets.iter().any(|&k| k & !m == 0) {
                length_sets.push(m);
            }
        }
        if length_sets.len() > Self::MAX_LENGTH_SETS {
            length_sets.clear();
        }
        let mut nodes = vec![ShapeNode::default()];
        // (node, its sequences, how many runs of them it stands for): sorted sequences
        // sharing a prefix are contiguous, and so, by their next run, are its children's.
        let mut todo = std::collections::VecDeque::from([(0usize, &seqs[..], 0usize)]);
        while let Some((node, group, depth)) = todo.pop_front() {
            let mut first_child = None;
            let mut rest = group;
            while let Some(seq) = rest.first() {
                let Some(&n) = seq.get(depth) else {
                    nodes[node].end = true;
                    rest = &rest[1..];
                    continue;
                };
                let same = rest.partition_point(|s| s.get(depth) == Some(&n));
                first_child.get_or_insert(nodes.len());
                nodes[node].next |= 1u64.checked_shl(u32::from(n)).unwrap_or(0);
                todo.push_back((nodes.len(), &rest[..same], depth + 1));
                nodes.push(ShapeNode::default());
                rest = &rest[same..];
            }
            nodes[node].first_child = first_child.unwrap_or(0) as u32;
        }
        RunShapes { nodes, length_sets }
    }

    /// Whether a cluster whose run lengths are `present` (bit `n`: it has a run of `n`
    /// digits) can hold one of the sequences: it has every length of one of them.
    pub(crate) fn may_fit(&self, present: u64) -> bool {
        self.length_sets.is_empty() || self.length_sets.iter().any(|&k| k & !present == 0)
    }

    /// Whether some sequence starts with a run of `n` digits.
    pub(crate) fn may_start(&self, n: u32) -> bool {
        self.nodes
            .first()
            .is_some_and(|root| n < 64 && root.next >> n & 1 == 1)
    }

    /// How many of `runs` (digit-run lengths) the longest sequence they start with takes;
    /// 0 for none.
    pub(crate) fn longest_prefix(&self, runs: &[u32]) -> usize {
        let (mut node, mut longest) = (0, 0);
        for (k, &n) in runs.iter().enumerate() {
            let Some(at) = self.nodes.get(node) else {
                break;
            };
            if n >= 64 || at.next >> n & 1 == 0 {
                break;
            }
            // The child's rank among its siblings: few nodes have more than two, so
            // clearing bits beats a population count (a dozen instructions without
            // POPCNT, which the x86-64 baseline lacks).
            let (mut below, mut rank) = (at.next & ((1u64 << n) - 1), 0);
            while below != 0 {
                below &= below - 1;
                rank += 1;
            }
            node = at.first_child as usize + rank;
            if self.nodes.get(node).is_some_and(|x| x.end) {
                longest = k + 1;
            }
        }
        longest
    }
}

/// A detector regex as a built DFA for anchored searches, made once the detectors having
/// that regex have run [`DFA_AFTER_SEARCHES`] of them together.
#[derive(Debug, Default)]
pub(crate) struct AnchoredDfa {
    /// `None` inside when the DFA would be too large (see [`compile::build_detector_dfa`]).
    pub(crate) built: std::sync::OnceLock<Option<DenseDfa>>,
    /// Anchored searches run before the DFA was built.
    searches: std::sync::atomic::AtomicU32,
}

/// A detector regex built whole into a DFA.
type DenseDfa = regex_automata::dfa::dense::DFA<Vec<u32>>;

/// Anchored searches a detector (with any others sharing its regex) runs on its regex
/// before it builds its DFA. A build takes up to a millisecond (the card regex; most
/// detectors a few dozen microseconds), which the DFA's searches, a few nanoseconds faster
/// each, repay only after tens of thousands: a small object (a Lambda's first) never pays
/// for it, a bucket scan soon does.
pub(crate) const DFA_AFTER_SEARCHES: u32 = 1 << 14;

impl Detector {
    /// The regex as a fully built DFA for searches anchored at a candidate start, once the
    /// detectors having the regex have run [`DFA_AFTER_SEARCHES`] of them (each call counts
    /// one); `None` before, and where it would be too large.
    pub(crate) fn anchored_dfa(&self) -> Option<&DenseDfa> {
        if let Some(built) = self.anchored.built.get() {
            return built.as_ref();
        }
        if self
            .anchored
            .searches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            < DFA_AFTER_SEARCHES
        {
            return None;
        }
        self.built_anchored_dfa()
    }

    /// [`Detector::anchored_dfa`], built now if it is not yet.
    pub(crate) fn built_anchored_dfa(&self) -> Option<&DenseDfa> {
        self.anchored
            .built
            .get_or_init(|| compile::build_detector_dfa(&self.regex_source))
            .as_ref()
    }

    /// Severity for `count` occurrences, per Macie's rules. `None` for a custom identifier
    /// whose count is below its lowest threshold (Macie creates no finding then).
    pub fn severity_for(&self, count: u64) -> Option<Severity> {
        if self.custom {
            if self.severity_levels.is_empty() {
                return (count > 0).then_some(Severity::Medium);
            }
            return self
                .severity_levels
                .iter()
                .filter(|l| count >= l.occurrences_threshold)
                .map(|l| l.severity)
                .next_back();
        }
        match count {
            0 => None,
            1 => Some(self.severity[0]),
            2..=99 => Some(self.severity[1]),
            _ => Some(self.severity[2]),
        }
    }
}

/// The compiled, read-only set of detectors a scan uses. Cheap to clone (an `Arc`).
#[derive(Clone, Debug)]
pub struct DetectorSet {
    pub(crate) inner: Arc<compile::Compiled>,
}

/// Which managed identifiers a set includes (Macie's `managedDataIdentifierSelector`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Selection {
    /// Every managed identifier, extensions included.
    #[default]
    All,
    /// Macie's recommended set.
    Recommended,
    /// No managed identifiers (custom identifiers only).
    None,
    /// s3pii's default: Macie's recommended set, plus e-mail addresses, every IBAN and
    /// every identifier validated by a checksum (national and tax ids, cards).
    Default,
}

impl Selection {
    /// Whether a detector is in this base selection.
    pub fn includes(&self, spec: &DetectorSpec) -> bool {
        match self {
            Selection::All => true,
            Selection::Recommended => spec.recommended,
            Selection::None => false,
            Selection::Default => {
                spec.recommended
                    || spec.id == "EMAIL_ADDRESS"
                    || spec
                        .validator
                        .as_deref()
                        .is_some_and(|v| !matches!(v, "date" | "lat_long"))
            }
        }
    }
}

impl DetectorSet {
    /// Every built-in detector.
    pub fn builtin() -> Result<DetectorSet, LoadError> {
        DetectorSet::build(builtin_specs()?, Vec::new())
    }

    /// Compiles managed detector specs and custom identifiers into one set.
    pub fn build(
        specs: Vec<SourcedSpec>,
        custom: Vec<CustomIdentifierSpec>,
    ) -> Result<DetectorSet, LoadError> {
        Ok(DetectorSet {
            inner: Arc::new(compile::Compiled::new(specs, custom)?),
        })
    }

    /// Built-in detectors chosen like a Macie job: a base `selection`, then `include`
    /// added and `exclude` removed (ids), plus custom identifiers. Unknown ids are errors.
    pub fn select(
        selection: &Selection,
        include: &[String],
        exclude: &[String],
        custom: Vec<CustomIdentifierSpec>,
    ) -> Result<DetectorSet, LoadError> {
        let all = builtin_specs()?;
        for id in include.iter().chain(exclude) {
            if !all.iter().any(|s| &s.spec.id == id) {
                return Err(LoadError::UnknownIdentifier(id.clone()));
            }
        }
        let mut chosen: Vec<SourcedSpec> = all
            .into_iter()
            .filter(|s| {
                (selection.includes(&s.spec) || include.contains(&s.spec.id))
                    && !exclude.contains(&s.spec.id)
            })
            .collect();
        // A fallback whose stronger detector is not chosen (`--exclude-identifiers
        // CREDIT_CARD_NUMBER`) stands alone: nothing supersedes its matches.
        let ids: Vec<String> = chosen.iter().map(|s| s.spec.id.clone()).collect();
        for s in &mut chosen {
            if s.spec
                .fallback_for
                .as_ref()
                .is_some_and(|f| !ids.contains(f))
            {
                s.spec.fallback_for = None;
            }
        }
        DetectorSet::build(chosen, custom)
    }

    /// All detectors, in id order of definition.
    pub fn detectors(&self) -> &[Detector] {
        &self.inner.detectors
    }

    /// The detector with this index.
    pub fn get(&self, id: DetectorId) -> Option<&Detector> {
        self.inner.detectors.get(id.index())
    }

    /// Looks a detector up by its id string.
    pub fn find(&self, id: &str) -> Option<DetectorId> {
        self.inner
            .detectors
            .iter()
            .position(|d| d.id == id)
            .and_then(|i| u16::try_from(i).ok())
            .map(DetectorId)
    }

    /// How many bytes consecutive chunks of one stream must overlap so that no match and
    /// no keyword context is lost at a seam.
    pub fn overlap(&self) -> usize {
        self.inner.overlap
    }

    /// The detectors whose keywords occur in any of these structured-context names (CSV
    /// column name, JSON path element, Parquet column). Values under that context count as
    /// having a keyword (Macie's rule for columnar and record-based files).
    pub fn context_keywords<'n>(
        &self,
        names: impl IntoIterator<Item = &'n [u8]>,
    ) -> ContextKeywords {
        self.inner.context_keywords(names)
    }

    /// The literals of the anchor automaton (literal prefixes and keyword-trigger
    /// literals), lower case. Benches track how many there are: past 64 the automaton
    /// loses its SIMD searcher.
    pub fn anchor_literals(&self) -> Vec<String> {
        self.inner
            .anchor_patterns
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    }

    /// Number of detectors per trigger kind, for listings and benches.
    pub fn trigger_counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for d in self.detectors() {
            match counts.iter_mut().find(|(k, _)| *k == d.trigger.kind()) {
                Some((_, n)) => *n += 1,
                None => counts.push((d.trigger.kind(), 1)),
            }
        }
        counts
    }
}

/// The set of detectors whose keywords are present in a structured context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextKeywords {
    pub(crate) detectors: Vec<DetectorId>,
}

impl ContextKeywords {
    /// Whether `id`'s keyword rule is satisfied by the context.
    pub fn contains(&self, id: DetectorId) -> bool {
        self.detectors.binary_search(&id).is_ok()
    }

    /// Whether no detector has a keyword in the context.
    pub fn is_empty(&self) -> bool {
        self.detectors.is_empty()
    }

    /// The detectors of both contexts (a path's names together).
    pub fn union(&self, other: &ContextKeywords) -> ContextKeywords {
        if other.detectors.is_empty() {
            return self.clone();
        }
        if self.detectors.is_empty() {
            return other.clone();
        }
        let mut detectors = self.detectors.clone();
        detectors.extend_from_slice(&other.detectors);
        detectors.sort_unstable();
        detectors.dedup();
        ContextKeywords { detectors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_types_are_thread_safe() {
        fn assert_send_sync<T: Send + Sync + std::panic::UnwindSafe>() {}
        assert_send_sync::<DetectorSet>();
        assert_send_sync::<Detector>();
    }

    #[test]
    fn run_shapes_find_the_longest_listed_sequence_a_cluster_starts_with() {
        let shapes = RunShapes::new(vec![
            vec![3, 2, 4],
            vec![4, 4, 4, 4],
            vec![4, 4, 4, 4, 3],
            vec![4, 6, 5],
            vec![16],
            vec![63, 1],
        ]);
        let longest = |runs: &[u32]| shapes.longest_prefix(runs);
        assert_eq!(longest(&[3, 2, 4]), 3);
        assert_eq!(longest(&[3, 2, 4, 7]), 3);
        assert_eq!(longest(&[3, 2, 5]), 0);
        assert_eq!(longest(&[3, 2]), 0);
        // Siblings (4 goes on with 4 or 6) are told apart by their rank.
        assert_eq!(longest(&[4, 4, 4, 4]), 4);
        assert_eq!(longest(&[4, 4, 4, 4, 3, 1]), 5);
        assert_eq!(longest(&[4, 6, 5]), 3);
        assert_eq!(longest(&[4, 6, 4]), 0);
        assert_eq!(longest(&[16, 3]), 1);
        assert_eq!(longest(&[63, 1]), 2);
        assert_eq!(longest(&[64, 1]), 0);
        assert_eq!(longest(&[]), 0);
        assert!(shapes.may_start(4) && shapes.may_start(63) && !shapes.may_start(2));
        assert!(!shapes.may_start(64) && !shapes.may_start(1000));
        // A cluster needs every length of some sequence: 3, 2 and 4, or 16, or ...
        let has = |lens: &[u32]| lens.iter().fold(0u64, |m, &n| m | 1 << n);
        assert!(shapes.may_fit(has(&[4, 2, 3])));
        assert!(shapes.may_fit(has(&[1, 16])));
        assert!(shapes.may_fit(has(&[4])));
        assert!(!shapes.may_fit(has(&[1, 3, 20])));
        assert!(!shapes.may_fit(has(&[63, 2])));
        assert!(!shapes.may_fit(0));
        // Too many sets to test: every cluster may fit.
        let many = RunShapes::new((1..=9).map(|n| vec![n]).collect());
        assert!(many.may_fit(0) && many.longest_prefix(&[10]) == 0);
    }
}

//! Compiling detector specs into the searchable [`Compiled`] form: one meta regex per
//! detector, its trigger, and the two Aho-Corasick automata the matcher uses:
//!
//! - `anchors`: one pass over the case-folded text for literal triggers and for the
//!   keywords of keyword-triggered detectors. Kept small so Aho-Corasick can use its packed
//!   SIMD searcher (peers.md §3.4: > 64 patterns fall to the ~0.8 GB/s DFA floor), and
//!   free of 3-byte patterns, which get a `memmem` each.
//! - `keywords`: every keyword variant of every detector; run only on the small windows
//!   around candidates that need a keyword, never over the whole text.

use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{hybrid, meta};
use regex_syntax::hir::Hir;

use super::analyze::{self, prefix_free, Trigger};
use super::keywords::KeywordScanner;
use super::load::{check_custom_limits, SourcedSpec};
use super::spec::{Category, CustomIdentifierSpec, DetectorSpec, Severity};
use super::{jwt, AnchoredDfa, ContextKeywords, Detector, DetectorId, Validator};
use crate::error::LoadError;

/// Longest match a detector may have, in bytes.
pub const MAX_MATCH_LEN: usize = 1024;
/// Regex NFA size limit.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Anchor patterns shorter than this get a `memmem` search of their own.
const MIN_TEDDY_LEN: usize = 4;
/// The most non-digit bytes between two digits of one digit cluster.
pub(crate) const CLUSTER_GAP: usize = 4;

/// How keyword proximity is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordRule {
    /// Managed identifiers: a keyword within `max_distance` characters on either side.
    Around,
    /// Custom identifiers (Macie): a complete keyword before the match, with at most
    /// `max_distance` characters from the keyword's end to the match's end.
    Before,
}

/// A named check run on a match's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A checksum or structure validator.
    Validator(Validator),
    /// JSON Web Token: the header decodes to a JSON object with `alg`.
    Jwt,
}

impl Check {
    /// Looks a check up by its name in detector files.
    pub fn from_name(name: &str) -> Option<Check> {
        if name == "jwt" {
            return Some(Check::Jwt);
        }
        Validator::from_name(name).map(Check::Validator)
    }

    /// The name used in detector files.
    pub fn name(self) -> &'static str {
        match self {
            Check::Validator(v) => v.name(),
            Check::Jwt => "jwt",
        }
    }

    /// Whether the matched bytes pass.
    pub fn is_valid(self, bytes: &[u8]) -> bool {
        match self {
            Check::Validator(v) => v.is_valid(bytes),
            Check::Jwt => jwt::is_jwt(bytes),
        }
    }
}

/// One keyword variant of the keyword scanner.
#[derive(Debug)]
pub(crate) struct KeywordInfo {
    /// Detectors having this keyword.
    pub detectors: Vec<DetectorId>,
    /// The same, as a bitset over detector indexes.
    pub mask: DetectorMask,
}

/// A set of detectors as a bitset (one bit per detector index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DetectorMask(pub Vec<u64>);

impl DetectorMask {
    pub fn new(detectors: usize) -> DetectorMask {
        DetectorMask(vec![0; detectors.div_ceil(64)])
    }
    pub fn insert(&mut self, id: DetectorId) {
        self.0[id.index() / 64] |= 1 << (id.index() % 64);
    }
    pub fn contains(&self, id: DetectorId) -> bool {
        self.0
            .get(id.index() / 64)
            .is_some_and(|w| w & (1 << (id.index() % 64)) != 0)
    }
    pub fn union_with(&mut self, other: &DetectorMask) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }
    pub fn clear(&mut self) {
        self.0.iter_mut().for_each(|w| *w = 0);
    }
    /// Adds the detectors in both `a` and `b`.
    pub fn union_with_both(&mut self, a: &DetectorMask, b: &DetectorMask) {
        for ((x, y), z) in self.0.iter_mut().zip(&a.0).zip(&b.0) {
            *x |= y & z;
        }
    }
}

/// What the digit-cluster loop checks of a detector before running it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClusterGate {
    pub keyword_required: bool,
    /// Its longest digit run (saturated to `u32`).
    pub max_run: u32,
    /// Fewest digits of a cluster it can match in (`u32::MAX` unless digit-triggered).
    pub min_digits: u32,
    /// The non-digit bytes a match can hold are all in [`Compiled::separators`] (card
    /// numbers: space and hyphen): a cluster whose parts made of digits and those bytes
    /// all have fewer than `min_digits` digits is passed over without walking its runs.
    pub separated: bool,
}

/// Up to [`Separators::MAX`] bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Separators {
    bytes: [u8; Separators::MAX],
    len: u8,
}

impl Separators {
    /// As many as the lower-casing pass marks (the card numbers' space and hyphen).
    const MAX: usize = 2;

    /// `self` with the non-digit bytes of `alphabet` added, if the union has at most
    /// [`Separators::MAX`].
    fn with(mut self, alphabet: &analyze::ByteSet) -> Option<Separators> {
        for b in (0..=u8::MAX).filter(|b| !b.is_ascii_digit() && alphabet.contains(*b)) {
            if !self.as_slice().contains(&b) {
                *self.bytes.get_mut(usize::from(self.len))? = b;
                self.len += 1;
            }
        }
        Some(self)
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The bytes, padded with a digit (marking a digit as a separator changes nothing:
    /// parts are made of digits and separators).
    fn padded(&self) -> [u8; Separators::MAX] {
        std::array::from_fn(|i| self.as_slice().get(i).copied().unwrap_or(b'0'))
    }
}

/// Digit clusters up to this many digits are checked against [`Compiled::small_gate`]
/// first.
pub(crate) const SMALL_CLUSTER: u32 = 4;

/// Most keyword literals of one gate member that are searched for directly; a member
/// with more always gets a keyword region.
const GATE_LITERALS: usize = 8;

/// The digit detectors a cluster of at most [`SMALL_CLUSTER`] digits qualifies for, and
/// how to tell which of them match around such a cluster. Each detector's regex is split
/// into its branches ([`analyze::branches`]), and each branch is either
/// - left out: its digits are all in one cluster and there are more than
///   [`SMALL_CLUSTER`] of them (a month-first date `May 5, 1990`);
/// - *anchored*: its matches start at a digit run (a card security code, a day-first date
///   `5 May 1990`, whose year cluster's match is also found from the day's cluster): all
///   such branches as one DFA walked from each run start of the cluster, a few bytes;
/// - in the *union*: the others as one (`MatchKind::All`, pattern `i` is a branch of
///   `members[union[i]]`) searched across [`SmallGate::reach`].
#[derive(Debug)]
pub(crate) struct SmallGate {
    pub regex: Option<meta::Regex>,
    /// The same union as a lazy DFA walked byte by byte, which can stop as soon as no
    /// match that overlaps the cluster is still possible (`None` if it does not build).
    pub dfa: Option<hybrid::dfa::DFA>,
    pub union: Vec<usize>,
    /// How far a match of any branch in `regex` reaches before and after its cluster.
    pub reach: Reach,
    /// The anchored branches, as one fully built DFA (`MatchKind::All`, anchored starts
    /// only; pattern `i` is a branch of `members[anchored_of[i]]`): walked a few bytes from
    /// every run start of every short number of the text, where a lazy DFA's start-state
    /// lookup and unknown-state checks cost more than the walk. `None` if it does not
    /// build within [`ANCHORED_DFA_LIMIT`], or with more than 64 members (the matcher
    /// keeps their set in a `u64`).
    pub anchored: Option<dense::DFA<Vec<u32>>>,
    pub anchored_of: Vec<u8>,
    /// The longest match of an anchored branch.
    pub anchored_len: usize,
    /// The bytes that can come right before the first digit of a match of the union,
    /// inside it (`None` if one can start with a digit): a cluster none of whose digit
    /// runs follows one of them holds no first digit of such a match, and is not
    /// searched with the union.
    pub lead: Option<analyze::ByteSet>,
    pub members: Vec<GateMember>,
}

/// One detector of the [`SmallGate`].
#[derive(Debug)]
pub(crate) struct GateMember {
    pub detector: DetectorId,
    /// Some of its branches are anchored (see [`SmallGate`]): without the anchored DFA,
    /// its regex is run anchored at each run start.
    pub anchored: bool,
    pub keyword_required: bool,
    /// How far before and after a cluster its keywords can start and still count.
    pub keyword_reach: Reach,
    /// The first ≤ 4 bytes of each of its keyword variants (at most [`GATE_LITERALS`]):
    /// where none occurs within `keyword_reach`, no keyword of it is near.
    pub literals: Option<Literals>,
    /// Bytes of its longest literal.
    pub literal_len: usize,
}

/// Finds where any of a few literals starts: Aho-Corasick's SIMD (Teddy) searcher where
/// it can be built, else its automaton.
#[derive(Debug)]
pub(crate) enum Literals {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Literals {
    /// The start of the leftmost literal in `hay[span]`.
    #[inline]
    pub fn find_in(&self, hay: &[u8], span: std::ops::Range<usize>) -> Option<usize> {
        match self {
            Literals::Packed(p) => p.find_in(hay, span.into()).map(|m| m.start()),
            Literals::Automaton(a) => a
                .find(aho_corasick::Input::new(hay).span(span))
                .map(|m| m.start()),
        }
    }
}

/// How far before and after a span a keyword hit can start and still matter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    pub before: usize,
    pub after: usize,
}

/// What a hit of the anchor automaton means.
#[derive(Debug)]
pub(crate) enum AnchorKind {
    /// A literal inside these detectors' matches, each `(detector, skip)` starting `skip`
    /// bytes into its matches: a literal prefix, or the tail shared by several (see
    /// [`shared_tails`]).
    Prefix(Vec<(DetectorId, usize)>),
    /// A literal inside a keyword of these keyword-triggered detectors.
    Keyword(Vec<DetectorId>),
}

/// The compiled detector set.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub detectors: Vec<Detector>,
    pub overlap: usize,
    /// The anchor patterns of at least [`MIN_TEDDY_LEN`] bytes; its pattern `i` is
    /// `anchor_patterns[anchor_ids[i]]`.
    pub anchors: Option<AhoCorasick>,
    pub anchor_ids: Vec<usize>,
    /// The byte whose positions in the lower-cased text the lower-casing pass marks (see
    /// [`crate::bytemask::TextMasks`]): a rare byte of the shorter anchor patterns
    /// ([`probe_byte`]). A capital, which the lower-cased text never holds, when there
    /// are none.
    pub probe: u8,
    /// The bytes the lower-casing pass marks as separators (see [`ClusterGate::separated`]),
    /// padded with a digit.
    pub separators: [u8; 2],
    /// Shorter anchor patterns holding `probe`, each with the offset of a `probe` in it:
    /// they are checked where the probe is marked (one 3-byte pattern would cut the SIMD
    /// searcher's speed in half on prose: its fingerprints get short).
    pub probe_anchors: Vec<(usize, usize)>,
    /// The other shorter anchor patterns, each found with its own `memmem`.
    pub short_anchors: Vec<(memchr::memmem::Finder<'static>, usize)>,
    pub anchor_kinds: Vec<AnchorKind>,
    /// For each anchor pattern, the other patterns that are proper prefixes of it (a
    /// leftmost-longest search reports only the longest at a position).
    pub anchor_prefixes: Vec<Vec<usize>>,
    pub anchor_patterns: Vec<Vec<u8>>,
    pub keywords: KeywordScanner,
    pub keyword_info: Vec<KeywordInfo>,
    pub keyword_max_len: usize,
    /// `(byte, detectors)` for byte triggers.
    pub bytes: Vec<(u8, Vec<DetectorId>)>,
    /// 26×26 table of upper-case letter pairs → detectors.
    pub pairs: Vec<Vec<DetectorId>>,
    pub has_pairs: bool,
    /// `(min digits, detector)`, ascending.
    pub digits: Vec<(u32, DetectorId)>,
    /// The same, only detectors that need no keyword.
    pub digits_free: Vec<(u32, DetectorId)>,
    /// How far before and after a digit cluster a keyword can start and still count, for a
    /// cluster that qualifies for `digits[..k]`: `digits_kw_reach[k]`. Before, the reach
    /// spans the keyword itself (it must end within the distance); after, only the
    /// distance.
    pub digits_kw_reach: Vec<Reach>,
    /// Fewest digits of any keyword-requiring digit detector (`u32::MAX` if none).
    pub digits_kw_min: u32,
    /// How many entries of `digits` a cluster with `n` digits qualifies for, for `n` up to
    /// the table's length (longer clusters qualify for all).
    pub digits_qualifying: Vec<u16>,
    /// The same entries as a bitset, per `n`: a cluster with keywords near visits only
    /// the detectors in this set that need none or have one near, not the whole list.
    pub digits_qualifying_mask: Vec<DetectorMask>,
    /// The detectors of `digits_free` as a bitset.
    pub digits_free_mask: DetectorMask,
    /// `reach_before[n]`: the keyword-requiring digit detectors whose keyword can start
    /// `n` bytes before a cluster ([`keyword_reach`]); `reach_after[n]`, `n` bytes after
    /// its end. A keyword hit farther out counts for none of them.
    pub reach_before: Vec<DetectorMask>,
    pub reach_after: Vec<DetectorMask>,
    /// Per detector, what the cluster loop checks before touching the detector itself.
    pub gates: Vec<ClusterGate>,
    /// Clusters of at most [`SMALL_CLUSTER`] digits qualify only for a few detectors: their
    /// regexes as one, searched around such a cluster, tell which can match there. Most
    /// short numbers (counts, page numbers) match none and then need neither keywords
    /// nor verification; the others need only the keywords of the detectors that match,
    /// and not even those where none of their keyword literals is within reach (a year
    /// matches the card security code, whose keywords are rarely near). `None` without
    /// such detectors.
    pub small_gate: Option<SmallGate>,
    /// Detectors found only around their keywords (`Trigger::Keyword`).
    pub keyword_triggered: Vec<DetectorId>,
    pub unfiltered: Vec<DetectorId>,
}

struct Draft {
    id: String,
    name: String,
    category: Category,
    description: String,
    severity: [Severity; 3],
    severity_levels: Vec<super::SeverityLevel>,
    extension: bool,
    recommended: bool,
    custom: bool,
    keywords: Vec<String>,
    keyword_required: bool,
    keyword_rule: KeywordRule,
    max_distance: u32,
    ignore_words: Vec<String>,
    validator: Option<String>,
    regex: String,
    fallback_for: Option<String>,
    source: String,
    spec: Option<DetectorSpec>,
}

impl Compiled {
    pub fn new(
        specs: Vec<SourcedSpec>,
        custom: Vec<CustomIdentifierSpec>,
    ) -> Result<Compiled, LoadError> {
        let mut drafts: Vec<Draft> = specs.into_iter().map(managed_draft).collect();
        for c in custom {
            check_custom_limits("custom identifiers", &c)?;
            drafts.push(custom_draft(c));
        }
        if drafts.len() > usize::from(u16::MAX) {
            return Err(LoadError::Parse {
                source_name: "detectors".into(),
                message: format!(
                    "{} detectors; at most {} are supported",
                    drafts.len(),
                    u16::MAX
                ),
            });
        }
        for (i, d) in drafts.iter().enumerate() {
            if let Some(first) = drafts[..i].iter().find(|e| e.id == d.id) {
                return Err(LoadError::DuplicateId {
                    id: d.id.clone(),
                    first: first.source.clone(),
                    second: d.source.clone(),
                });
            }
        }
        let ids: Vec<String> = drafts.iter().map(|d| d.id.clone()).collect();
        let mut built = HashMap::new();
        let detectors = drafts
            .into_iter()
            .map(|d| compile_one(d, &ids, &mut built))
            .collect::<Result<Vec<_>, _>>()?;
        assemble(detectors)
    }

    pub fn context_keywords<'n>(
        &self,
        names: impl IntoIterator<Item = &'n [u8]>,
    ) -> ContextKeywords {
        let mut found = Vec::new();
        let mut hits = Vec::new();
        for name in names {
            let lower = name.to_ascii_lowercase();
            hits.clear();
            self.keywords.scan(&lower, 0, lower.len(), &mut hits);
            for h in &hits {
                found.extend_from_slice(&self.keyword_info[h.keyword as usize].detectors);
            }
        }
        found.sort_unstable();
        found.dedup();
        ContextKeywords { detectors: found }
    }
}

fn managed_draft(s: SourcedSpec) -> Draft {
    let spec = s.spec;
    Draft {
        id: spec.id.clone(),
        name: spec.name.clone(),
        category: spec.category,
        description: spec.description.clone(),
        severity: spec.severity,
        severity_levels: Vec::new(),
        extension: spec.extension,
        recommended: spec.recommended,
        custom: false,
        keywords: spec.keywords.clone(),
        keyword_required: spec.keyword_required,
        keyword_rule: KeywordRule::Around,
        max_distance: spec.max_distance,
        ignore_words: spec.ignore_words.clone(),
        validator: spec.validator.clone(),
        regex: spec.regex.clone(),
        fallback_for: spec.fallback_for.clone(),
        source: s.source,
        spec: Some(spec),
    }
}

fn custom_draft(c: CustomIdentifierSpec) -> Draft {
    let id = c.id.clone().unwrap_or_else(|| derived_uuid(&c.name));
    Draft {
        id,
        name: c.name.clone(),
        category: Category::CustomIdentifier,
        description: c.description.clone().unwrap_or_default(),
        severity: [Severity::Medium; 3],
        severity_levels: c.severity_levels.clone(),
        extension: false,
        recommended: false,
        custom: true,
        keyword_required: !c.keywords.is_empty(),
        keywords: c.keywords,
        keyword_rule: KeywordRule::Before,
        max_distance: c.maximum_match_distance.unwrap_or(50),
        ignore_words: c.ignore_words,
        validator: None,
        regex: c.regex,
        fallback_for: None,
        source: "custom identifiers".into(),
        spec: None,
    }
}

/// A stable UUID-shaped id for a custom identifier without one (FNV-1a of the name; not
/// cryptographic, only stable across runs so findings stay comparable).
fn derived_uuid(name: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in name.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A regex built for an earlier detector, by its source, and its anchored DFA.
type BuiltRegexes = HashMap<String, (meta::Regex, Arc<AnchoredDfa>)>;

fn compile_one(d: Draft, ids: &[String], built: &mut BuiltRegexes) -> Result<Detector, LoadError> {
    let field_err = |field: &'static str, message: String| LoadError::Field {
        source_name: d.source.clone(),
        id: d.id.clone(),
        field,
        message,
    };
    let hir = parse(&d.regex).map_err(|e| field_err("regex", format!("does not compile: {e}")))?;
    if analyze::has_capture(&hir) {
        return Err(field_err(
            "regex",
            "has a capturing group; use (?:...)".into(),
        ));
    }
    let props = hir.properties();
    let max_len = match props.maximum_len() {
        Some(n) if n <= MAX_MATCH_LEN => n,
        Some(n) => {
            return Err(field_err(
                "regex",
                format!(
                "matches up to {n} bytes; the limit is {MAX_MATCH_LEN} (bound every repetition)"
            ),
            ))
        }
        None => {
            return Err(field_err(
                "regex",
                "has no maximum match length; replace *, + and {n,} with bounded {n,m}".into(),
            ))
        }
    };
    if props.minimum_len().unwrap_or(0) == 0 {
        return Err(field_err("regex", "can match the empty string".into()));
    }
    // Detectors with the same regex (the card number with and without a keyword) share
    // one build of it and of its DFA.
    let (regex, anchored) = match built.get(&d.regex) {
        Some((regex, anchored)) => (regex.clone(), Arc::clone(anchored)),
        None => {
            let regex = regex_builder()
                .build_from_hir(&hir)
                .map_err(|e| field_err("regex", format!("does not compile: {e}")))?;
            let anchored = Arc::new(AnchoredDfa::default());
            built.insert(d.regex.clone(), (regex.clone(), Arc::clone(&anchored)));
            (regex, anchored)
        }
    };
    if let Some((i, _)) = d
        .keywords
        .iter()
        .enumerate()
        .find(|(_, k)| k.trim().chars().count() < 3)
    {
        return Err(field_err(
            "keywords",
            format!("entry {} is shorter than 3 characters", i + 1),
        ));
    }
    if d.keyword_required && d.keywords.is_empty() {
        return Err(field_err(
            "keyword_required",
            "is true but there are no keywords".into(),
        ));
    }
    let check = match &d.validator {
        None => None,
        Some(name) => Some(Check::from_name(name).ok_or_else(|| {
            field_err(
                "validator",
                format!("unknown validator `{name}` (see patterns/README.md)"),
            )
        })?),
    };
    let fallback_for = match &d.fallback_for {
        None => None,
        Some(f) => {
            let i = ids.iter().position(|x| x == f).ok_or_else(|| {
                field_err(
                    "fallback_for",
                    format!("names `{f}`, which is not a detector in this set"),
                )
            })?;
            Some(DetectorId(i as u16))
        }
    };
    if d.max_distance == 0 || d.max_distance > 300 {
        return Err(field_err(
            "max_distance",
            format!("is {}; it must be 1 to 300", d.max_distance),
        ));
    }
    let trigger = analyze::trigger(&hir, d.keyword_required, CLUSTER_GAP);
    // How far a match reaches beyond its digit cluster: its non-digit prefix and suffix for
    // the tight digit trigger; its whole length when its digits may span clusters.
    let gaps = analyze::digit_gaps(&hir);
    let alphabet = analyze::alphabet(&hir);
    let at_run_starts = matches!(trigger, Trigger::Digits(_))
        && gaps.pre == Some(0)
        && analyze::starts_at_word_boundary(&hir);
    let (digit_pre, digit_suf) = match trigger {
        Trigger::Digits(_) => (
            gaps.pre.unwrap_or(max_len).min(max_len),
            gaps.suf.unwrap_or(max_len).min(max_len),
        ),
        _ => (max_len, max_len),
    };
    let max_run = if analyze::digit_runs_whole(&hir) {
        analyze::max_digit_run(&hir)
    } else {
        usize::MAX
    };
    // Listed only where every run of a match is a whole run of the text, so a cluster's
    // runs must equal a listed sequence exactly.
    let run_shapes = match trigger {
        Trigger::Digits(_) if max_run != usize::MAX => {
            analyze::run_shapes(&hir).map(super::RunShapes::new)
        }
        _ => None,
    };
    Ok(Detector {
        id: d.id,
        name: d.name,
        category: d.category,
        description: d.description,
        severity: d.severity,
        severity_levels: d.severity_levels,
        extension: d.extension,
        recommended: d.recommended,
        custom: d.custom,
        keywords: d.keywords,
        keyword_required: d.keyword_required,
        keyword_rule: d.keyword_rule,
        max_distance: d.max_distance as usize,
        check,
        regex_source: d.regex,
        max_len,
        trigger,
        source: d.source,
        spec: d.spec,
        ignore_words: super::ignore::IgnoreWords::new(&d.ignore_words)?,
        fallback_for,
        digit_pre,
        digit_suf,
        at_run_starts,
        alphabet,
        alphabet_lookup: crate::bytemask::ByteLookup::new(|b| alphabet.contains(b)),
        max_run,
        run_shapes,
        regex,
        anchored,
    })
}

/// Keyword variants: lower case; a keyword with spaces also without them and with `_`/`-`.
fn keyword_variants(k: &str) -> Vec<String> {
    let lower = k.trim().to_lowercase();
    let mut out = vec![lower.clone()];
    if lower.contains(' ') {
        for sep in ["", "_", "-"] {
            out.push(lower.replace(' ', sep));
        }
    }
    out
}

fn assemble(detectors: Vec<Detector>) -> Result<Compiled, LoadError> {
    // Keyword scanner: every variant of every keyword, each knowing its detectors.
    let mut kw_patterns: Vec<String> = Vec::new();
    let mut keyword_info: Vec<KeywordInfo> = Vec::new();
    for (i, d) in detectors.iter().enumerate() {
        let id = DetectorId(i as u16);
        for v in d.keywords.iter().flat_map(|k| keyword_variants(k)) {
            let j = match kw_patterns.iter().position(|p| *p == v) {
                Some(j) => j,
                None => {
                    kw_patterns.push(v);
                    keyword_info.push(KeywordInfo {
                        detectors: Vec::new(),
                        mask: DetectorMask::new(detectors.len()),
                    });
                    kw_patterns.len() - 1
                }
            };
            let info = &mut keyword_info[j];
            if !info.detectors.contains(&id) {
                info.detectors.push(id);
                info.mask.insert(id);
            }
        }
    }
    let keyword_max_len = kw_patterns.iter().map(String::len).max().unwrap_or(0);
    let keywords = KeywordScanner::new(kw_patterns.into_iter().map(String::into_bytes).collect());

    // Anchor automaton: literal prefixes, and literals inside the keywords of the few
    // keyword-triggered detectors (few enough for Aho-Corasick's SIMD searcher).
    let mut anchor_patterns: Vec<Vec<u8>> = Vec::new();
    let mut anchor_kinds: Vec<AnchorKind> = Vec::new();
    // `skip`: where the literal starts in a match (a prefix's tail), `None` for a keyword's.
    let mut add_anchor = |pat: Vec<u8>, id: DetectorId, skip: Option<usize>| {
        let keyword = skip.is_none();
        let existing = anchor_patterns
            .iter()
            .zip(&anchor_kinds)
            .position(|(p, k)| *p == pat && matches!(k, AnchorKind::Keyword(_)) == keyword);
        let j = existing.unwrap_or_else(|| {
            anchor_patterns.push(pat);
            anchor_kinds.push(if keyword {
                AnchorKind::Keyword(Vec::new())
            } else {
                AnchorKind::Prefix(Vec::new())
            });
            anchor_kinds.len() - 1
        });
        match (&mut anchor_kinds[j], skip) {
            (AnchorKind::Prefix(list), Some(skip)) if !list.contains(&(id, skip)) => {
                list.push((id, skip));
            }
            (AnchorKind::Keyword(list), None) if !list.contains(&id) => list.push(id),
            _ => {}
        }
    };
    let (literal_options, literal_choice) = choose_literals(&detectors);
    let mut bytes: Vec<(u8, Vec<DetectorId>)> = Vec::new();
    let mut pairs: Vec<Vec<DetectorId>> = vec![Vec::new(); 26 * 26];
    let mut digits: Vec<(u32, DetectorId)> = Vec::new();
    let mut unfiltered = Vec::new();
    let mut keyword_triggered = Vec::new();
    for (i, d) in detectors.iter().enumerate() {
        let id = DetectorId(i as u16);
        match &d.trigger {
            Trigger::Literal(_) => {
                let (skip, tails) = &literal_options[i][literal_choice[i]];
                tails
                    .iter()
                    .for_each(|l| add_anchor(l.clone(), id, Some(*skip)));
            }
            Trigger::Keyword => {
                keyword_triggered.push(id);
                anchor_literals(&d.keywords)
                    .into_iter()
                    .for_each(|l| add_anchor(l, id, None));
            }
            Trigger::Pair(ps) => {
                for p in ps {
                    pairs[usize::from(p[0] - b'A') * 26 + usize::from(p[1] - b'A')].push(id);
                }
            }
            Trigger::Byte(b) => match bytes.iter_mut().find(|(x, _)| x == b) {
                Some((_, l)) => l.push(id),
                None => bytes.push((*b, vec![id])),
            },
            Trigger::Digits(n) => digits.push((*n, id)),
            Trigger::LooseDigits(n) => digits.push((*n, id)),
            Trigger::Unfiltered => unfiltered.push(id),
        }
    }
    // The short-number gate's branches of each detector it checks, worked out once. It
    // finds some matches only from the cluster holding their first digit (see
    // `gate_branches`), which must then qualify for the detector.
    let mut gate_parts: Vec<Option<Vec<(Hir, GateCheck)>>> =
        (0..detectors.len()).map(|_| None).collect();
    for (min, id) in &mut digits {
        if *min <= SMALL_CLUSTER {
            if let Some((parts, threshold)) = gate_branches(&detectors[id.index()]) {
                *min = (*min).min(threshold);
                gate_parts[id.index()] = Some(parts);
            }
        }
    }
    digits.sort_unstable();
    let dets = &detectors;
    let mut gates: Vec<ClusterGate> = dets
        .iter()
        .map(|d| ClusterGate {
            keyword_required: d.keyword_required,
            max_run: u32::try_from(d.max_run).unwrap_or(u32::MAX),
            min_digits: u32::MAX,
            separated: false,
        })
        .collect();
    for &(min, id) in &digits {
        gates[id.index()].min_digits = min;
    }
    let digits_free: Vec<(u32, DetectorId)> = digits
        .iter()
        .copied()
        .filter(|(_, id)| !dets[id.index()].keyword_required)
        .collect();
    // The separators the lower-casing pass marks: those of as many keyword-free digit
    // detectors as fit (a detector with more is checked by walking its runs).
    let mut separators = Separators::default();
    for &(_, id) in &digits_free {
        if let Some(union) = separators.with(&dets[id.index()].alphabet) {
            separators = union;
            gates[id.index()].separated = true;
        }
    }
    let kw_digits = || {
        digits
            .iter()
            .filter(|(_, id)| dets[id.index()].keyword_required)
    };
    let digits_qualifying: Vec<u16> = (0..64u32)
        .map(|n| digits.partition_point(|(min, _)| *min <= n) as u16)
        .collect();
    let mask_of = |ids: &mut dyn Iterator<Item = DetectorId>| {
        let mut mask = DetectorMask::new(dets.len());
        ids.for_each(|id| mask.insert(id));
        mask
    };
    let digits_qualifying_mask = digits_qualifying
        .iter()
        .map(|&k| mask_of(&mut digits[..usize::from(k)].iter().map(|&(_, id)| id)))
        .collect();
    let digits_free_mask = mask_of(&mut digits_free.iter().map(|&(_, id)| id));
    // Each reach once: it expands every keyword's variants.
    let kw_reach: Vec<(DetectorId, Reach)> = kw_digits()
        .map(|&(_, id)| (id, keyword_reach(&dets[id.index()])))
        .collect();
    let reach_within = |side: fn(Reach) -> usize| {
        let widest = kw_reach.iter().map(|&(_, r)| side(r)).max().unwrap_or(0);
        (0..=widest)
            .map(|n| {
                mask_of(
                    &mut kw_reach
                        .iter()
                        .filter(|&&(_, r)| side(r) >= n)
                        .map(|&(id, _)| id),
                )
            })
            .collect::<Vec<_>>()
    };
    let reach_before = reach_within(|r| r.before);
    let reach_after = reach_within(|r| r.after);
    let digits_kw_min = kw_digits().map(|(n, _)| *n).min().unwrap_or(u32::MAX);
    let mut digits_kw_reach = vec![Reach::default()];
    for (_, id) in &digits {
        let d = &dets[id.index()];
        let reach = keyword_reach(d);
        let prev = digits_kw_reach.last().copied().unwrap_or_default();
        digits_kw_reach.push(Reach {
            before: prev.before.max(reach.before),
            after: prev.after.max(reach.after),
        });
    }
    let small_gate = small_gate(dets, &digits, gate_parts)?;
    let (anchor_ids, short_ids): (Vec<usize>, Vec<usize>) =
        (0..anchor_patterns.len()).partition(|&i| anchor_patterns[i].len() >= MIN_TEDDY_LEN);
    // In the order that gives the SIMD searcher the fewest false candidates.
    let anchor_ids: Vec<usize> = {
        let long: Vec<&[u8]> = anchor_ids
            .iter()
            .map(|&i| &anchor_patterns[i][..])
            .collect();
        super::teddy::order(&long)
            .into_iter()
            .map(|k| anchor_ids[k])
            .collect()
    };
    let long: Vec<&Vec<u8>> = anchor_ids.iter().map(|&i| &anchor_patterns[i]).collect();
    let anchors = build_ac(&long, MatchKind::LeftmostLongest)?;
    let probe = probe_byte(short_ids.iter().map(|&i| &anchor_patterns[i][..]));
    let (probe_ids, short_ids): (Vec<usize>, Vec<usize>) = short_ids
        .into_iter()
        .partition(|&i| anchor_patterns[i].contains(&probe));
    let probe_anchors = probe_ids
        .into_iter()
        .filter_map(|i| Some((i, anchor_patterns[i].iter().position(|&b| b == probe)?)))
        .collect();
    let short_anchors = short_ids
        .iter()
        .map(|&i| {
            (
                memchr::memmem::Finder::new(&anchor_patterns[i]).into_owned(),
                i,
            )
        })
        .collect();
    // A leftmost-longest search reports only the longest of the long patterns at one
    // position; the short ones have searches of their own.
    let anchor_prefixes = anchor_patterns
        .iter()
        .map(|p| {
            anchor_ids
                .iter()
                .copied()
                .filter(|&j| {
                    anchor_patterns[j].len() < p.len() && p.starts_with(&anchor_patterns[j])
                })
                .collect()
        })
        .collect();
    let has_pairs = pairs.iter().any(|p| !p.is_empty());
    let max_len = detectors.iter().map(|d| d.max_len).max().unwrap_or(0);
    let max_distance = detectors.iter().map(|d| d.max_distance).max().unwrap_or(0);
    Ok(Compiled {
        overlap: max_len + max_distance + keyword_max_len + CLUSTER_GAP + 1,
        detectors,
        anchors,
        anchor_ids,
        probe,
        separators: separators.padded(),
        probe_anchors,
        short_anchors,
        anchor_kinds,
        anchor_prefixes,
        anchor_patterns,
        keywords,
        keyword_info,
        keyword_max_len,
        bytes,
        pairs,
        has_pairs,
        digits,
        digits_free,
        digits_kw_reach,
        small_gate,
        digits_kw_min,
        digits_qualifying,
        digits_qualifying_mask,
        digits_free_mask,
        reach_before,
        reach_after,
        gates,
        keyword_triggered,
        unfiltered,
    })
}

/// The byte held by most of `patterns`, the rarest in text among those; `Q` (a capital:
/// never in lower-cased text) without patterns.
fn probe_byte<'a>(patterns: impl Iterator<Item = &'a [u8]> + Clone) -> u8 {
    let holding = |b: u8| patterns.clone().filter(|p| p.contains(&b)).count();
    patterns
        .clone()
        .flatten()
        .copied()
        .max_by(|&a, &b| {
            let rarer = super::teddy::frequency(b).total_cmp(&super::teddy::frequency(a));
            holding(a).cmp(&holding(b)).then(rarer).then(b.cmp(&a))
        })
        .unwrap_or(b'Q')
}

/// Literals that every keyword variant of a keyword-triggered detector contains: a keyword
/// without spaces itself; else its longest space-separated word when that has at least 5
/// bytes (`patente` for `patente di guida`: the `_`, `-` and no-space forms keep every
/// word intact), else the variants themselves; minus any literal that contains another. They only find candidate
/// windows: the exact keyword rule is applied after.
fn anchor_literals(keywords: &[String]) -> Vec<Vec<u8>> {
    let mut lits: Vec<Vec<u8>> = Vec::new();
    for k in keywords {
        let lower = k.trim().to_lowercase();
        // Without a space a keyword has one variant: it is its own, most specific, literal.
        // Otherwise every variant keeps each space-separated word intact.
        let longest = lower.split(' ').rev().max_by_key(|w| w.len()).unwrap_or("");
        if !lower.contains(' ') {
            lits.push(lower.into_bytes());
        } else if longest.len() >= 5 {
            lits.push(longest.as_bytes().to_vec());
        } else {
            lits.extend(keyword_variants(k).into_iter().map(String::into_bytes));
        }
    }
    lits.sort_unstable_by_key(|l| (l.len(), l.clone()));
    lits.dedup();
    let mut minimal: Vec<Vec<u8>> = Vec::new();
    for l in lits {
        if !minimal
            .iter()
            .any(|m| l.windows(m.len()).any(|w| w == m.as_slice()))
        {
            minimal.push(l);
        }
    }
    minimal
}

/// The builder of every detector regex: size-limited, byte-oriented (no Unicode), and
/// without a prefilter — searches run on short windows or anchored at a candidate, where a
/// prefilter and the reverse-suffix / reverse-inner strategies only pay on long haystacks.
fn regex_builder() -> meta::Builder {
    let mut b = meta::Builder::new();
    b.configure(
        meta::Config::new()
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
            .auto_prefilter(false),
    )
    .syntax(syntax::Config::new().unicode(false).utf8(false));
    b
}

/// How far before and after a digit cluster a keyword of `d` can start and still count:
/// its proximity plus how far its match reaches past the cluster, and before, its own
/// longest keyword too (a keyword must end within the distance). Nothing for detectors
/// that need no keyword.
fn keyword_reach(d: &Detector) -> Reach {
    if !d.keyword_required {
        return Reach::default();
    }
    let longest = d
        .keywords
        .iter()
        .flat_map(|k| keyword_variants(k))
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
    Reach {
        before: d.max_distance + d.digit_pre + longest,
        after: d.max_distance + d.digit_suf,
    }
}

/// Literal prefixes of one length that differ only in their first bytes (`sk_live_`,
/// `pk_live_`, `rk_live_`) can be searched for as the fewer tails they share (`_live_`),
/// found `skip` bytes into a match. Returns every `(skip, literals)` that shortens the
/// list, tails at least [`MIN_TEDDY_LEN`] bytes long, after the literals themselves
/// (skip 0).
fn shared_tails(literals: &[Vec<u8>]) -> Vec<(usize, Vec<Vec<u8>>)> {
    let mut options = vec![(0, literals.to_vec())];
    let Some(len) = literals.first().map(Vec::len) else {
        return options;
    };
    if literals.iter().any(|l| l.len() != len) {
        return options;
    }
    for skip in 1..=len.saturating_sub(MIN_TEDDY_LEN) {
        let mut tails: Vec<Vec<u8>> = literals.iter().map(|l| l[skip..].to_vec()).collect();
        tails.sort_unstable();
        tails.dedup();
        if tails.len() < literals.len() {
            options.push((skip, tails));
        }
    }
    options
}

/// For each literal-triggered detector, its [`shared_tails`] options and the one to
/// search for: the one with which the SIMD searcher, given every other anchor literal
/// too, expects the fewest false candidates (one detector at a time, in catalog order).
#[allow(clippy::type_complexity)]
fn choose_literals(detectors: &[Detector]) -> (Vec<Vec<(usize, Vec<Vec<u8>>)>>, Vec<usize>) {
    let options: Vec<Vec<(usize, Vec<Vec<u8>>)>> = detectors
        .iter()
        .map(|d| match &d.trigger {
            Trigger::Literal(lits) => shared_tails(lits),
            _ => Vec::new(),
        })
        .collect();
    let keyword_literals: Vec<Vec<u8>> = detectors
        .iter()
        .filter(|d| d.trigger == Trigger::Keyword)
        .flat_map(|d| anchor_literals(&d.keywords))
        .collect();
    let mut choice = vec![0; detectors.len()];
    let cost = |choice: &[usize]| {
        let mut all: Vec<&[u8]> = options
            .iter()
            .zip(choice)
            .filter_map(|(o, &c)| o.get(c))
            .flat_map(|(_, lits)| lits.iter().map(Vec::as_slice))
            .chain(keyword_literals.iter().map(Vec::as_slice))
            .filter(|l| l.len() >= MIN_TEDDY_LEN)
            .collect();
        all.sort_unstable();
        all.dedup();
        super::teddy::expected_candidates(&all)
    };
    // The cost of the choices so far, worked out once and carried along.
    let mut current: Option<f64> = None;
    for i in 0..detectors.len() {
        if options[i].len() < 2 {
            continue;
        }
        let mut best = (*current.get_or_insert_with(|| cost(&choice)), choice[i]);
        for c in 1..options[i].len() {
            let mut trial = choice.clone();
            trial[i] = c;
            let trial_cost = cost(&trial);
            if trial_cost < best.0 {
                best = (trial_cost, c);
            }
        }
        (current, choice[i]) = (Some(best.0), best.1);
    }
    (options, choice)
}

/// The [`SmallGate`] of the digit detectors that clusters of at most [`SMALL_CLUSTER`]
/// digits qualify for, from `parts`, their [`gate_branches`] by detector index; `None` if
/// there are none, one's branches are missing or the union is too large to compile.
fn small_gate(
    dets: &[Detector],
    digits: &[(u32, DetectorId)],
    mut parts: Vec<Option<Vec<(Hir, GateCheck)>>>,
) -> Result<Option<SmallGate>, LoadError> {
    let members: Vec<DetectorId> = digits
        .iter()
        .filter(|(min, _)| *min <= SMALL_CLUSTER)
        .map(|&(_, id)| id)
        .collect();
    if members.is_empty() {
        return Ok(None);
    }
    // Sort every member's branches into anchored ones and the union's.
    let (mut anchored, mut anchored_of) = (Vec::new(), Vec::new());
    let (mut union, mut union_of) = (Vec::new(), Vec::new());
    let mut has_anchored = vec![false; members.len()];
    let mut reach = Reach::default();
    let mut lead = Some(analyze::ByteSet::default());
    for (i, &id) in members.iter().enumerate() {
        let Some(branches) = parts[id.index()].take() else {
            return Ok(None);
        };
        for (b, check) in branches {
            match check {
                GateCheck::Anchored => {
                    has_anchored[i] = true;
                    anchored.push(b);
                    anchored_of.push(u8::try_from(i).unwrap_or(u8::MAX));
                }
                GateCheck::Union(r) => {
                    reach.before = reach.before.max(r.before);
                    reach.after = reach.after.max(r.after);
                    lead = lead.zip(analyze::lead_bytes(&b)).map(|(a, b)| a.union(b));
                    union.push(b);
                    union_of.push(i);
                }
            }
        }
    }
    let regex = match union.is_empty() {
        true => None,
        false => {
            let mut builder = regex_builder();
            builder.configure(meta::Config::new().match_kind(regex_automata::MatchKind::All));
            match builder.build_many_from_hir(&union) {
                Ok(regex) => Some(regex),
                Err(_) => return Ok(None),
            }
        }
    };
    let dfa = regex.as_ref().and_then(|_| build_dfa(&union));
    let anchored_len = anchored
        .iter()
        .filter_map(|b| b.properties().maximum_len())
        .max()
        .unwrap_or(0);
    let anchored = match anchored.is_empty() || members.len() > 64 {
        true => None,
        false => build_anchored_dfa(&anchored),
    };
    let members = members
        .iter()
        .zip(has_anchored)
        .map(|(&id, has_anchored)| {
            let d = &dets[id.index()];
            let literals = prefix_free(
                d.keywords
                    .iter()
                    .flat_map(|k| keyword_variants(k))
                    .map(|v| v.as_bytes()[..v.len().min(4)].to_vec())
                    .collect(),
            );
            let searchable = d.keyword_required && literals.len() <= GATE_LITERALS;
            Ok(GateMember {
                detector: id,
                anchored: has_anchored,
                keyword_required: d.keyword_required,
                keyword_reach: keyword_reach(d),
                literal_len: literals.iter().map(Vec::len).max().unwrap_or(0),
                literals: if searchable {
                    build_literals(&literals)?
                } else {
                    None
                },
            })
        })
        .collect::<Result<_, LoadError>>()?;
    Ok(Some(SmallGate {
        regex,
        dfa,
        union: union_of,
        reach,
        anchored,
        anchored_of,
        anchored_len,
        lead,
        members,
    }))
}

/// How the [`SmallGate`] checks one branch of a member's regex.
enum GateCheck {
    /// Walked anchored from each run start of the cluster.
    Anchored,
    /// In the union, searched this far before and after the cluster.
    Union(Reach),
}

/// The branches of gate member `d` the gate checks and how, and the fewest digits a
/// cluster must qualify with for the gate to be sound (`None` if its regex does not
/// parse).
///
/// A branch with all its digits in one cluster is checked around that cluster. One whose
/// digits may lie in several is checked only around the cluster holding its first digit
/// (the match starts at most its non-digit prefix before it): a match also overlapping
/// later clusters is found from that first one, as long as it qualifies for `d`, which it
/// does if `d`'s threshold is at most the branch's shortest first digit run — the
/// threshold returned.
fn gate_branches(d: &Detector) -> Option<(Vec<(Hir, GateCheck)>, u32)> {
    let hir = parse(&d.regex_source).ok()?;
    let parts = match d.at_run_starts {
        true => vec![hir],
        false => analyze::branches(&hir)
            .iter()
            .flat_map(analyze::split_lead)
            .collect(),
    };
    let mut threshold = u32::MAX;
    let mut out = Vec::new();
    for b in parts {
        let gaps = analyze::digit_gaps(&b);
        let one_cluster = gaps.gap.is_some_and(|g| g <= CLUSTER_GAP);
        if one_cluster && analyze::min_digits(&b) > SMALL_CLUSTER {
            // Its cluster has more digits than a short one.
            continue;
        }
        if !one_cluster {
            threshold = threshold.min(analyze::min_first_run(&b).max(1));
        }
        let max_len = b.properties().maximum_len().unwrap_or(d.max_len);
        let check = match gaps.pre {
            Some(0) if analyze::starts_at_word_boundary(&b) => GateCheck::Anchored,
            pre => GateCheck::Union(Reach {
                before: pre.unwrap_or(max_len).min(max_len),
                after: match one_cluster {
                    true => gaps.suf.unwrap_or(max_len).min(max_len),
                    false => max_len,
                },
            }),
        };
        out.push((b, check));
    }
    Some((out, threshold))
}

/// The Thompson NFA of `patterns` (pattern `i` is `patterns[i]`), both DFAs below start
/// from; `None` past [`REGEX_SIZE_LIMIT`].
fn build_nfa(patterns: &[Hir]) -> Option<thompson::NFA> {
    thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build_many_from_hir(patterns)
        .ok()
}

/// A lazy DFA reporting every pattern of `patterns` (`MatchKind::All`), `None` if it does
/// not build.
fn build_dfa(patterns: &[Hir]) -> Option<hybrid::dfa::DFA> {
    hybrid::dfa::DFA::builder()
        .configure(hybrid::dfa::DFA::config().match_kind(regex_automata::MatchKind::All))
        .build_from_nfa(build_nfa(patterns)?)
        .ok()
}

/// Most bytes the gate's anchored DFA may take, built (the built-in catalog's takes about
/// 90 KiB, in under a millisecond).
const ANCHORED_DFA_LIMIT: usize = 1 << 20;

/// `patterns` as one fully built DFA with only anchored start states, reporting every
/// pattern matching (`MatchKind::All`); `None` past [`ANCHORED_DFA_LIMIT`].
pub(crate) fn build_anchored_dfa(patterns: &[Hir]) -> Option<dense::DFA<Vec<u32>>> {
    build_dense(
        &build_nfa(patterns)?,
        regex_automata::MatchKind::All,
        ANCHORED_DFA_LIMIT,
    )
}

/// Most bytes a detector's own DFA may take. Below it are the numeric and IBAN detectors
/// (a few KiB each; the card regexes about 44 KiB), built in under a millisecond; above
/// it the e-mail and credential regexes, whose counted repetitions take 100 KiB to 750 KiB
/// and up to 20 ms, which a scan would pay on its first match.
const DETECTOR_DFA_LIMIT: usize = 64 << 10;

/// A detector's `regex` as a fully built DFA with only anchored start states and the
/// regex's own leftmost-first semantics, for its searches anchored at a candidate start;
/// `None` past [`DETECTOR_DFA_LIMIT`] (those searches then run the regex).
pub(crate) fn build_detector_dfa(regex: &str) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = build_nfa(&[parse(regex).ok()?])?;
    build_dense(
        &nfa,
        regex_automata::MatchKind::LeftmostFirst,
        DETECTOR_DFA_LIMIT,
    )
}

fn build_dense(
    nfa: &thompson::NFA,
    kind: regex_automata::MatchKind,
    limit: usize,
) -> Option<dense::DFA<Vec<u32>>> {
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(kind)
                .start_kind(StartKind::Anchored)
                .determinize_size_limit(Some(limit))
                .dfa_size_limit(Some(limit)),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// The syntax tree of a detector regex, parsed as the engine compiles it (bytes, no
/// Unicode).
pub(crate) fn parse(regex: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(64)
        .build()
        .parse(regex)
        .map_err(Box::new)
}

/// A [`Literals`] searcher; `None` without literals.
fn build_literals(literals: &[Vec<u8>]) -> Result<Option<Literals>, LoadError> {
    let packed = aho_corasick::packed::Config::new()
        .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(literals)
        .build();
    Ok(match packed {
        Some(p) => Some(Literals::Packed(p)),
        None => build_ac(literals, MatchKind::LeftmostFirst)?.map(Literals::Automaton),
    })
}

pub(super) fn build_ac<P: AsRef<[u8]>>(
    patterns: &[P],
    kind: MatchKind,
) -> Result<Option<AhoCorasick>, LoadError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(kind)
        .build(patterns)
        .map(Some)
        .map_err(|e| LoadError::Parse {
            source_name: "keywords".into(),
            message: format!("keyword automaton: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_variants_cover_separators() {
        assert_eq!(
            keyword_variants("Social Security"),
            vec![
                "social security",
                "socialsecurity",
                "social_security",
                "social-security"
            ]
        );
        assert_eq!(keyword_variants("ssn"), vec!["ssn"]);
    }

    #[test]
    fn shared_tails_shorten_same_length_literal_lists_only() {
        let lits = |v: &[&str]| v.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>();
        let stripe = lits(&[
            "pk_live_", "pk_test_", "rk_live_", "rk_test_", "sk_live_", "sk_test_",
        ]);
        let options = shared_tails(&stripe);
        assert_eq!(options[0], (0, stripe.clone()));
        // Every tail of at least four bytes is shared by three literals.
        let skips: Vec<usize> = options[1..].iter().map(|o| o.0).collect();
        assert_eq!(skips, vec![1, 2, 3, 4]);
        assert_eq!(options[2], (2, lits(&["_live_", "_test_"])));
        // Unequal lengths, or nothing shared: only the literals themselves.
        assert_eq!(
            shared_tails(&lits(&["-----beg", "putty-us", "aiza"])).len(),
            1
        );
        assert_eq!(shared_tails(&lits(&["abcdef", "uvwxyz"])).len(), 1);
    }

    #[test]
    fn stripe_prefixes_are_searched_as_their_shared_tails() {
        let set = crate::detector::DetectorSet::builtin().unwrap();
        let dets = &set.inner.detectors;
        let (options, choice) = choose_literals(dets);
        let stripe = dets
            .iter()
            .position(|d| d.id == "STRIPE_CREDENTIALS")
            .unwrap();
        assert!(options[stripe].len() > 1);
        assert!(
            choice[stripe] > 0,
            "the shared tails should win over six prefixes"
        );
        // Every detector without a literal trigger has no options.
        for (d, o) in dets.iter().zip(&options) {
            assert_eq!(
                o.is_empty(),
                !matches!(d.trigger, Trigger::Literal(_)),
                "{}",
                d.id
            );
        }
    }

    #[test]
    fn the_probe_is_held_by_most_short_patterns_and_rare() {
        let probe = |ps: &[&str]| probe_byte(ps.iter().map(|p| p.as_bytes()));
        assert_eq!(probe(&["eyj"]), b'j');
        // `e` is common, but the only byte both patterns hold.
        assert_eq!(probe(&["eyj", "zqe"]), b'e');
        assert_eq!(probe(&["eyj", "zqe", "kjx"]), b'j');
        assert_eq!(probe(&[]), b'Q');
    }

    #[test]
    fn anchor_literals_are_few_and_contained_in_every_keyword() {
        let kws: Vec<String> = [
            "patente di guida",
            "reisepass-nr",
            "dob",
            "date of birth",
            "secret key",
            "aws_secret_access_key",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let lits = anchor_literals(&kws);
        for k in &kws {
            for v in keyword_variants(k) {
                let found = lits
                    .iter()
                    .any(|l| v.as_bytes().windows(l.len()).any(|w| w == l.as_slice()));
                assert!(found, "{v}");
            }
        }
        assert_eq!(
            lits,
            vec![
                b"dob".to_vec(),
                b"birth".to_vec(),
                b"secret".to_vec(),
                b"patente".to_vec(),
                b"reisepass-nr".to_vec()
            ]
        );
    }

    #[test]
    fn every_gate_keyword_starts_with_a_literal_of_its_member() {
        let set = crate::DetectorSet::builtin().unwrap();
        let c = &set.inner;
        let gate = c.small_gate.as_ref().unwrap();
        let ids: Vec<DetectorId> = c
            .digits
            .iter()
            .filter(|(min, _)| *min <= SMALL_CLUSTER)
            .map(|(_, id)| *id)
            .collect();
        assert_eq!(ids.len(), gate.members.len());
        let mut searched = 0;
        for (id, m) in ids.iter().zip(&gate.members) {
            assert_eq!(m.detector, *id);
            let d = &c.detectors[id.index()];
            let Some(lits) = &m.literals else { continue };
            searched += 1;
            for v in d.keywords.iter().flat_map(|k| keyword_variants(k)) {
                // Found where it starts, whatever follows.
                let text = format!("{v} xyz");
                assert_eq!(lits.find_in(text.as_bytes(), 0..text.len()), Some(0), "{v}");
            }
        }
        // The card security code's keywords are few enough to be searched directly.
        assert!(searched >= 1);
        let cvv = ids
            .iter()
            .position(|id| c.detectors[id.index()].id == "CREDIT_CARD_SECURITY_CODE")
            .unwrap();
        assert!(gate.members[cvv].literals.is_some());
        // Its matches start at a digit run: checked there, not by the union regex.
        assert!(c.detectors[ids[cvv].index()].at_run_starts && !gate.union.contains(&cvv));
    }

    #[test]
    fn gate_members_qualify_on_the_cluster_of_a_first_digit() {
        let set = crate::DetectorSet::builtin().unwrap();
        let c = &set.inner;
        let threshold = |id: &str| {
            c.digits
                .iter()
                .find(|(_, d)| c.detectors[d.index()].id == id)
                .map(|(min, _)| *min)
        };
        // A day-first date is found from its day, which may be one digit: the detector
        // is checked on one-digit clusters (its longest sure run, the year, is two).
        assert_eq!(threshold("DATE_OF_BIRTH"), Some(1));
        // A German licence number's first run is two digits, as is its threshold.
        assert_eq!(threshold("GERMANY_DRIVERS_LICENSE"), Some(2));
        let gate = c.small_gate.as_ref().unwrap();
        for m in &gate.members {
            let d = &c.detectors[m.detector.index()];
            let (branches, first) = gate_branches(d).unwrap();
            let min = threshold(&d.id).unwrap();
            assert!(min <= first, "{}", d.id);
            for (b, check) in branches {
                // Anchored branches start with a digit; union ones reach back no further
                // than their non-digit prefix.
                let pre = analyze::digit_gaps(&b).pre.unwrap();
                match check {
                    GateCheck::Anchored => assert_eq!(pre, 0),
                    GateCheck::Union(r) => assert!(r.before >= pre && gate.reach.before >= pre),
                }
            }
        }
        // The union reaches back as far as the longest such prefix (an Indian PAN's five
        // letters), not the longest match.
        assert_eq!(gate.reach.before, 5);
        // No union branch starts with a digit (those that may are split, the digit-first
        // part anchored); what comes before their first digit is letters, signs and
        // separators, never a space.
        let lead = gate.lead.unwrap();
        assert!(lead.contains(b'A') && lead.contains(b'-') && !lead.contains(b' '));
        assert!(!lead.contains(b'0'));
    }

    #[test]
    fn derived_ids_are_stable_uuids() {
        let a = derived_uuid("employee id");
        assert_eq!(a, derived_uuid("employee id"));
        assert_ne!(a, derived_uuid("employee ids"));
        assert_eq!(a.len(), 36);
    }
}

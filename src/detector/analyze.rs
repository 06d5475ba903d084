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
    /// Every match contains at least this many ASCII digits, all in one digit cluster; the
    /// regex runs on a tight window around clusters that have at least that many.
    Digits(u32),
    /// Every match contains a run of at least this many consecutive digits, but its other
    /// digits may lie in other clusters (a textual date, a magnetic stripe): the regex runs
    /// on a full-length window around every cluster with that many digits. Only for
    /// keyword-required detectors, so a keyword is checked first.
    LooseDigits(u32),
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
            Trigger::LooseDigits(_) => "loose-digits",
            Trigger::Keyword => "keyword",
            Trigger::Unfiltered => "unfiltered",
        }
    }
}

/// Bytes rare enough in ordinary text to anchor a search on, best first.
const RARE_BYTES: &[u8] = b"@^~|%";
/// Literal prefixes are cut to this many bytes.
const MAX_LITERAL_LEN: usize = 8;
/// The most literals a detector may contribute to the literal automaton.
const MAX_TRIGGER_LITERALS: usize = 16;

/// Chooses the trigger for a detector regex. `max_gap` is the widest run of non-digit
/// bytes a digit cluster may bridge: a digit trigger is only sound if no match spreads its
/// digits further apart.
pub fn trigger(hir: &Hir, keyword_required: bool, max_gap: usize) -> Trigger {
    let gap_ok = digit_gaps(hir).gap.is_some_and(|g| g <= max_gap);
    let all_digits = min_digits(hir);
    let digits = if gap_ok { all_digits } else { 0 };
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_class(10)
        .limit_total(64);
    let seq = extractor.extract(hir);
    if let Some(lits) = seq.literals() {
        let lits: Vec<&[u8]> = lits.iter().map(|l| l.as_bytes()).collect();
        // The pair is checked where a digit run starts right after it; how far apart the
        // later digits are does not matter.
        if !lits.is_empty() && lits.iter().all(|l| is_pair_prefix(l)) {
            let mut pairs: Vec<[u8; 2]> = lits.iter().map(|l| [l[0], l[1]]).collect();
            pairs.sort_unstable();
            pairs.dedup();
            return Trigger::Pair(pairs);
        }
        // Literals made of digits and punctuation are common; digits have their own trigger.
        let rare = |l: &&[u8]| l.len() >= 3 && l.iter().any(u8::is_ascii_alphabetic);
        if !lits.is_empty() && lits.iter().all(rare) {
            // A prefix of a prefix is still a prefix: short literals keep the automaton
            // small (the private-key headers all become `-----beg`).
            let lower = prefix_free(
                lits.iter()
                    .map(|l| l[..l.len().min(MAX_LITERAL_LEN)].to_ascii_lowercase())
                    .collect(),
            );
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
    if keyword_required && all_digits > 0 {
        return Trigger::LooseDigits(min_digit_run(hir).max(1));
    }
    if keyword_required {
        return Trigger::Keyword;
    }
    Trigger::Unfiltered
}

fn is_pair_prefix(lit: &[u8]) -> bool {
    lit.len() >= 3
        && lit[0].is_ascii_uppercase()
        && lit[1].is_ascii_uppercase()
        && lit[2].is_ascii_digit()
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

/// Guaranteed digit runs of every match, as lower bounds: the run at its start, at its
/// end, the longest anywhere, and its length if it is digits only.
#[derive(Clone, Copy)]
struct Runs {
    pre: u32,
    suf: u32,
    best: u32,
    all: Option<u32>,
}

impl Runs {
    const EMPTY: Runs = Runs {
        pre: 0,
        suf: 0,
        best: 0,
        all: Some(0),
    };

    fn byte(digit: bool) -> Runs {
        match digit {
            true => Runs {
                pre: 1,
                suf: 1,
                best: 1,
                all: Some(1),
            },
            false => Runs {
                pre: 0,
                suf: 0,
                best: 0,
                all: None,
            },
        }
    }

    fn then(self, y: Runs) -> Runs {
        let x = self;
        Runs {
            pre: x.all.map_or(x.pre, |n| n.saturating_add(y.pre)),
            suf: y.all.map_or(y.suf, |n| x.suf.saturating_add(n)),
            best: x.best.max(y.best).max(x.suf.saturating_add(y.pre)),
            all: x.all.zip(y.all).map(|(a, b)| a.saturating_add(b)),
        }
    }

    fn or(self, y: Runs) -> Runs {
        Runs {
            pre: self.pre.min(y.pre),
            suf: self.suf.min(y.suf),
            best: self.best.min(y.best),
            all: self.all.zip(y.all).map(|(a, b)| a.min(b)),
        }
    }
}

/// The longest run of consecutive ASCII digits every match is sure to contain.
pub fn min_digit_run(hir: &Hir) -> u32 {
    fn runs(hir: &Hir) -> Runs {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Runs::EMPTY,
            HirKind::Literal(lit) => lit.0.iter().fold(Runs::EMPTY, |acc, b| {
                acc.then(Runs::byte(b.is_ascii_digit()))
            }),
            HirKind::Class(class) => Runs::byte(class_is_digits(class)),
            HirKind::Capture(cap) => runs(&cap.sub),
            HirKind::Concat(subs) => subs.iter().map(runs).fold(Runs::EMPTY, Runs::then),
            HirKind::Alternation(subs) => subs
                .iter()
                .map(runs)
                .reduce(Runs::or)
                .unwrap_or(Runs::EMPTY),
            // More repetitions never shorten a guaranteed run: the minimum count decides.
            HirKind::Repetition(rep) => {
                let one = runs(&rep.sub);
                (0..rep.min.min(64)).fold(Runs::EMPTY, |acc, _| acc.then(one))
            }
        }
    }
    runs(hir).best
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

/// Non-digit run lengths over all matches (`None` = no such match exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigitGaps {
    /// Longest non-digit prefix before the first digit.
    pub pre: Option<usize>,
    /// Longest non-digit suffix after the last digit.
    pub suf: Option<usize>,
    /// Longest run of non-digits between two digits (`Some(0)` if digits never have a gap).
    pub gap: Option<usize>,
    /// Longest match with no digit at all.
    pub none: Option<usize>,
}

/// A property of matches that composes along a pattern: its value for the empty match,
/// for a match of `x` followed by one of `y`, and for a match of either.
trait Seq: Copy {
    const EMPTY: Self;
    fn then(self, y: Self) -> Self;
    fn or(self, y: Self) -> Self;
}

/// `one` (the sub-pattern's) repeated as `rep` allows: unrolled, as the loader rejects
/// unbounded repetitions (capped at 64 anyway).
fn repeat<T: Seq>(one: T, rep: &regex_syntax::hir::Repetition) -> T {
    let max_reps = rep.max.unwrap_or(rep.min.max(1)).min(64);
    (0..max_reps).fold(T::EMPTY, |acc, i| match i < rep.min {
        true => acc.then(one),
        false => acc.or(acc.then(one)),
    })
}

/// Folds `hir` into a [`Seq`] value: `byte` is a literal byte's, `class` a class's;
/// concatenations are `then`, alternations `or`, repetitions unrolled.
fn fold_seq<T: Seq>(hir: &Hir, byte: &impl Fn(u8) -> T, class: &impl Fn(&Class) -> T) -> T {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => T::EMPTY,
        HirKind::Literal(lit) => lit.0.iter().fold(T::EMPTY, |acc, &b| acc.then(byte(b))),
        HirKind::Class(c) => class(c),
        HirKind::Capture(cap) => fold_seq(&cap.sub, byte, class),
        HirKind::Concat(subs) => subs
            .iter()
            .map(|h| fold_seq(h, byte, class))
            .fold(T::EMPTY, T::then),
        HirKind::Alternation(subs) => subs
            .iter()
            .map(|h| fold_seq(h, byte, class))
            .reduce(T::or)
            .unwrap_or(T::EMPTY),
        HirKind::Repetition(rep) => repeat(fold_seq(&rep.sub, byte, class), rep),
    }
}

fn add(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    Some(a?.saturating_add(b?))
}

fn max(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Seq for DigitGaps {
    const EMPTY: Self = DigitGaps {
        pre: None,
        suf: None,
        gap: None,
        none: Some(0),
    };

    fn then(self, y: DigitGaps) -> DigitGaps {
        let x = self;
        DigitGaps {
            pre: max(x.pre, add(x.none, y.pre)),
            suf: max(y.suf, add(x.suf, y.none)),
            gap: max(max(x.gap, y.gap), add(x.suf, y.pre)),
            none: add(x.none, y.none),
        }
    }

    fn or(self, y: DigitGaps) -> DigitGaps {
        DigitGaps {
            pre: max(self.pre, y.pre),
            suf: max(self.suf, y.suf),
            gap: max(self.gap, y.gap),
            none: max(self.none, y.none),
        }
    }
}

/// How far apart the digits of a match can be (the digit trigger's soundness condition).
pub fn digit_gaps(hir: &Hir) -> DigitGaps {
    runs(hir, false)
}

/// The longest run of consecutive digits in any match.
pub fn max_digit_run(hir: &Hir) -> usize {
    // The same lattice with the roles of digits and non-digits swapped.
    let r = runs(hir, true);
    [r.pre, r.suf, r.gap, r.none]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
}

/// Run lengths of non-digits (`swap`: of digits) between the other kind of byte.
fn runs(hir: &Hir, swap: bool) -> DigitGaps {
    let gaps = |digit: bool, non_digit: bool| {
        if swap {
            byte_gaps(non_digit, digit)
        } else {
            byte_gaps(digit, non_digit)
        }
    };
    fold_seq(
        hir,
        &|b: u8| gaps(b.is_ascii_digit(), !b.is_ascii_digit()),
        &|class: &Class| gaps(class_has_digit(class), !class_is_digits(class)),
    )
}

/// Gaps of a single byte that can be a digit and/or a non-digit.
fn byte_gaps(digit: bool, non_digit: bool) -> DigitGaps {
    let d = if digit {
        DigitGaps {
            pre: Some(0),
            suf: Some(0),
            gap: Some(0),
            none: None,
        }
    } else {
        DigitGaps {
            pre: None,
            suf: None,
            gap: None,
            none: None,
        }
    };
    let n = if non_digit {
        DigitGaps {
            pre: None,
            suf: None,
            gap: None,
            none: Some(1),
        }
    } else {
        DigitGaps {
            pre: None,
            suf: None,
            gap: None,
            none: None,
        }
    };
    d.or(n)
}

fn class_has_digit(class: &Class) -> bool {
    match class {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'9' && r.end() >= b'0'),
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '9' && r.end() >= '0'),
    }
}

/// A set of bytes, as a 256-bit map.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
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
    /// The bytes in either set.
    pub fn union(self, o: Self) -> Self {
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

/// Every byte a match can contain. A match lies inside one maximal run of these bytes, so
/// a window around a trigger can stop at the first byte outside the set.
pub fn alphabet(hir: &Hir) -> ByteSet {
    let mut set = ByteSet::default();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => lit.0.iter().for_each(|&b| set.insert(b)),
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(|b| set.insert(b));
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                (lo.min(0x80)..hi.min(0x7F) + 1).for_each(|b| set.insert(b as u8));
                if hi >= 0x80 {
                    // Non-ASCII characters: any byte of their UTF-8 encoding.
                    (0x80..=0xFF).for_each(|b| set.insert(b));
                }
            }
        }
        HirKind::Repetition(rep) => set = alphabet(&rep.sub),
        HirKind::Capture(cap) => set = alphabet(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            set = subs.iter().map(alphabet).fold(set, ByteSet::union);
        }
    }
    set
}

/// Most digit-run sequences [`run_shapes`] lists for one regex.
const MAX_SHAPES: usize = 256;

/// The digit-run lengths of a regex's matches, one sequence per shape they can take
/// (`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`: `[3, 2, 4]`), sorted. `None` where that is not a
/// short finite list: a class holding digits and other bytes, digits repeated without
/// bound, a run of 64 or more, or more than [`MAX_SHAPES`] sequences.
pub fn run_shapes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut runs: Vec<Vec<u8>> = shapes_of(hir)?
        .into_iter()
        .map(|shape| shape.into_iter().filter(|&n| n != 0).collect::<Vec<u8>>())
        .filter(|runs| !runs.is_empty())
        .collect();
    runs.sort_unstable();
    runs.dedup();
    runs.iter().flatten().all(|&n| n < 64).then_some(runs)
}

/// Shapes of matches: each a sequence of digit-run lengths, with 0 for a stretch of
/// other bytes (how long does not matter).
type Shapes = std::collections::BTreeSet<Vec<u8>>;

/// `a` followed by `b`: a digit run (or other stretch) ending `a` and one starting `b`
/// are one. `None` past 255 digits in a run.
fn join(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let mut out = a.to_vec();
    let mut rest = b;
    if let (Some(last), Some((&first, tail))) = (out.last_mut(), b.split_first()) {
        if (*last == 0) == (first == 0) {
            *last = last.checked_add(first)?;
            rest = tail;
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// Every `a` followed by every `b`.
fn product(a: &Shapes, b: &Shapes) -> Option<Shapes> {
    let mut out = Shapes::new();
    for x in a {
        for y in b {
            out.insert(join(x, y)?);
            if out.len() > MAX_SHAPES {
                return None;
            }
        }
    }
    Some(out)
}

fn shapes_of(hir: &Hir) -> Option<Shapes> {
    let one = |shape: Vec<u8>| Some(Shapes::from([shape]));
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => one(Vec::new()),
        HirKind::Literal(lit) => {
            let mut shape = Vec::new();
            for b in lit.0.iter() {
                shape = join(&shape, &[u8::from(b.is_ascii_digit())])?;
            }
            one(shape)
        }
        HirKind::Class(class) if class_is_digits(class) => one(vec![1]),
        HirKind::Class(class) if !class_has_digit(class) => one(vec![0]),
        HirKind::Class(_) => None,
        HirKind::Capture(cap) => shapes_of(&cap.sub),
        HirKind::Concat(subs) => subs.iter().try_fold(Shapes::from([Vec::new()]), |acc, h| {
            product(&acc, &shapes_of(h)?)
        }),
        HirKind::Alternation(subs) => {
            let mut out = Shapes::new();
            for h in subs {
                out.extend(shapes_of(h)?);
                if out.len() > MAX_SHAPES {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Repetition(rep) => {
            let sub = shapes_of(&rep.sub)?;
            if sub.iter().flatten().all(|&n| n == 0) {
                // Other bytes only: any number of them is one stretch (or none).
                let mut out = Shapes::from([vec![0]]);
                if rep.min == 0 || sub.contains(&Vec::new()) {
                    out.insert(Vec::new());
                }
                return Some(out);
            }
            let max = rep.max.filter(|&m| m < 64)?;
            let (mut out, mut times) = (Shapes::new(), Shapes::from([Vec::new()]));
            if rep.min == 0 {
                out.insert(Vec::new());
            }
            for k in 1..=max {
                times = product(&times, &sub)?;
                if k >= rep.min {
                    out.extend(times.iter().cloned());
                }
                if out.len() > MAX_SHAPES {
                    return None;
                }
            }
            Some(out)
        }
    }
}

/// Whether every match starts at a word boundary (`\b` first).
pub fn starts_at_word_boundary(hir: &Hir) -> bool {
    at_word_boundary(hir, false)
}

/// Whether every digit run of a match is a whole digit run of the text: at each of its
/// edges every match starts (ends) at a word boundary or with a byte that is not a digit,
/// so none starts or ends inside a longer run (`(?:\+1 ?|\b)\d{3}-\d{4}\b`).
pub fn digit_runs_whole(hir: &Hir) -> bool {
    // Alternations are followed branch by branch into what comes after them: a budget
    // keeps a hostile custom regex (many optional alternations in a row) from taking
    // exponential time; running out answers no, which is always safe.
    let mut budget = 10_000u32;
    whole_at_edge(&[hir], false, &mut budget) && whole_at_edge(&[hir], true, &mut budget)
}

/// Whether every match of the sequence `seq` (listed from the edge inwards: reversed for
/// the `end`) starts at that edge with a word boundary or a non-digit byte.
fn whole_at_edge<'h>(seq: &[&'h Hir], end: bool, budget: &mut u32) -> bool {
    use regex_syntax::hir::Look;
    let Some((&h, rest)) = seq.split_first() else {
        // Every element can match empty: so can the sequence.
        return false;
    };
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let then = |first: &mut dyn Iterator<Item = &'h Hir>, budget: &mut u32| {
        let seq: Vec<&'h Hir> = first.chain(rest.iter().copied()).collect();
        whole_at_edge(&seq, end, budget)
    };
    match h.kind() {
        HirKind::Look(Look::WordAscii | Look::WordUnicode | Look::Start | Look::End) => true,
        HirKind::Look(Look::WordStartAscii | Look::WordStartUnicode) => !end,
        HirKind::Look(Look::WordEndAscii | Look::WordEndUnicode) => end,
        HirKind::Look(_) => false,
        HirKind::Empty => whole_at_edge(rest, end, budget),
        HirKind::Literal(lit) => {
            let edge = if end { lit.0.last() } else { lit.0.first() };
            edge.is_some_and(|b| !b.is_ascii_digit())
        }
        HirKind::Class(class) => !class_has_digit(class),
        HirKind::Capture(cap) => then(&mut std::iter::once(&*cap.sub), budget),
        HirKind::Alternation(subs) => subs
            .iter()
            .all(|branch| then(&mut std::iter::once(branch), budget)),
        HirKind::Concat(subs) if end => then(&mut subs.iter().rev(), budget),
        HirKind::Concat(subs) => then(&mut subs.iter(), budget),
        HirKind::Repetition(rep) => {
            then(&mut std::iter::once(&*rep.sub), budget)
                && (rep.min > 0 || whole_at_edge(rest, end, budget))
        }
    }
}

/// Whether every match starts (`end` false) or ends (`end` true) at a word boundary.
fn at_word_boundary(hir: &Hir, end: bool) -> bool {
    use regex_syntax::hir::Look;
    match hir.kind() {
        HirKind::Look(Look::WordAscii | Look::WordUnicode) => true,
        HirKind::Look(Look::WordStartAscii | Look::WordStartUnicode) => !end,
        HirKind::Look(Look::WordEndAscii | Look::WordEndUnicode) => end,
        HirKind::Concat(subs) => {
            let edge = if end { subs.last() } else { subs.first() };
            edge.is_some_and(|h| at_word_boundary(h, end))
        }
        HirKind::Capture(cap) => at_word_boundary(&cap.sub, end),
        HirKind::Alternation(subs) => subs.iter().all(|h| at_word_boundary(h, end)),
        _ => false,
    }
}

/// Lower bounds on the first digit run of a match, by how the match goes on after it.
#[derive(Clone, Copy)]
struct First {
    /// A non-digit follows the first run inside the match.
    closed: u32,
    /// The match ends with its first run (non-digits, then digits only).
    open: u32,
    /// The match is digits only.
    all: u32,
    /// Closed, and the match starts with it.
    lead: u32,
    /// Some match starts with a non-digit.
    starts_other: bool,
    /// Some match has no digit.
    digit_free: bool,
    /// Some match is empty.
    empty: bool,
}

impl First {
    const NONE: u32 = u32::MAX;

    fn byte(digit: bool) -> First {
        match digit {
            true => First {
                open: 1,
                all: 1,
                digit_free: false,
                empty: false,
                ..First::EMPTY
            },
            false => First {
                starts_other: true,
                empty: false,
                ..First::EMPTY
            },
        }
    }
}

impl Seq for First {
    const EMPTY: Self = First {
        closed: Self::NONE,
        open: Self::NONE,
        all: Self::NONE,
        lead: Self::NONE,
        starts_other: false,
        digit_free: true,
        empty: true,
    };

    fn then(self, y: First) -> First {
        let x = self;
        let add = |a: u32, b: u32| match (a, b) {
            (Self::NONE, _) | (_, Self::NONE) => Self::NONE,
            _ => a.saturating_add(b),
        };
        let when = |cond: bool, v: u32| if cond { v } else { Self::NONE };
        First {
            closed: x
                .closed
                .min(add(x.open, y.lead))
                .min(when(y.starts_other, x.open))
                .min(when(x.digit_free, y.closed)),
            open: when(y.empty, x.open)
                .min(add(x.open, y.all))
                .min(when(x.digit_free, y.open)),
            all: add(x.all, y.all)
                .min(when(x.empty, y.all))
                .min(when(y.empty, x.all)),
            lead: x
                .lead
                .min(add(x.all, y.lead))
                .min(when(y.starts_other, x.all))
                .min(when(x.empty, y.lead)),
            starts_other: x.starts_other || (x.empty && y.starts_other),
            digit_free: x.digit_free && y.digit_free,
            empty: x.empty && y.empty,
        }
    }

    fn or(self, y: First) -> First {
        First {
            closed: self.closed.min(y.closed),
            open: self.open.min(y.open),
            all: self.all.min(y.all),
            lead: self.lead.min(y.lead),
            starts_other: self.starts_other || y.starts_other,
            digit_free: self.digit_free || y.digit_free,
            empty: self.empty || y.empty,
        }
    }
}

/// The fewest digits in the first digit run of any match that has a digit (`u32::MAX` if
/// none has).
pub fn min_first_run(hir: &Hir) -> u32 {
    let f = fold_seq(
        hir,
        &|b: u8| First::byte(b.is_ascii_digit()),
        &|class: &Class| {
            let digit = First::byte(true);
            let other = First::byte(false);
            match (class_has_digit(class), class_is_digits(class)) {
                (true, true) => digit,
                (true, false) => digit.or(other),
                _ => other,
            }
        },
    );
    f.closed.min(f.open)
}

/// What comes before a match's first digit, within the match.
#[derive(Clone, Copy)]
struct Lead {
    /// Some match starts with a digit.
    digit_first: bool,
    /// Bytes directly before the first digit.
    before: ByteSet,
    /// Last bytes of the non-empty matches without a digit.
    last: ByteSet,
    /// Some non-empty match has no digit.
    digit_free: bool,
    /// Some match is empty.
    empty: bool,
}

impl Lead {
    /// One byte of `set` (its digits and its other bytes).
    fn class(set: ByteSet) -> Lead {
        let other = ByteSet([0, 1, 2, 3].map(|i| set.0[i] & !DIGITS.0[i]));
        Lead {
            digit_first: set.intersect(DIGITS) != ByteSet::default(),
            last: other,
            digit_free: other != ByteSet::default(),
            empty: false,
            ..Lead::EMPTY
        }
    }
}

impl Seq for Lead {
    const EMPTY: Self = Lead {
        digit_first: false,
        before: ByteSet([0; 4]),
        last: ByteSet([0; 4]),
        digit_free: false,
        empty: true,
    };

    fn then(self, y: Lead) -> Lead {
        let x = self;
        let none = ByteSet::default();
        let pick = |cond: bool, set: ByteSet| if cond { set } else { none };
        Lead {
            digit_first: x.digit_first || (x.empty && y.digit_first),
            before: x
                .before
                .union(pick(x.digit_free && y.digit_first, x.last))
                .union(pick(x.digit_free || x.empty, y.before)),
            last: pick((x.digit_free || x.empty) && y.digit_free, y.last)
                .union(pick(y.empty && x.digit_free, x.last)),
            digit_free: (x.digit_free && (y.digit_free || y.empty)) || (x.empty && y.digit_free),
            empty: x.empty && y.empty,
        }
    }

    fn or(self, y: Lead) -> Lead {
        Lead {
            digit_first: self.digit_first || y.digit_first,
            before: self.before.union(y.before),
            last: self.last.union(y.last),
            digit_free: self.digit_free || y.digit_free,
            empty: self.empty || y.empty,
        }
    }
}

/// The ASCII digits.
const DIGITS: ByteSet = ByteSet([0x03FF_0000_0000_0000, 0, 0, 0]);

/// The bytes that can come right before a match's first digit, inside the match; `None`
/// if a match can start with a digit.
pub fn lead_bytes(hir: &Hir) -> Option<ByteSet> {
    let l = fold_seq(
        hir,
        &|b: u8| {
            let mut one = ByteSet::default();
            one.insert(b);
            Lead::class(one)
        },
        &|class: &Class| Lead::class(class_bytes(class)),
    );
    (!l.digit_first).then_some(l.before)
}

/// The bytes of a class (non-ASCII Unicode ranges as all bytes ≥ 0x80).
fn class_bytes(class: &Class) -> ByteSet {
    let mut set = ByteSet::default();
    match class {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .for_each(|r| (r.start()..=r.end()).for_each(|b| set.insert(b))),
        Class::Unicode(c) => c.ranges().iter().for_each(|r| {
            let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
            (lo.min(0x80)..=hi.min(0x80)).for_each(|b| set.insert(b.min(0xFF) as u8));
            if hi >= 0x80 {
                (0x80..=0xFF).for_each(|b| set.insert(b));
            }
        }),
    }
    set
}

/// `hir` split on how it starts: a leading optional part (`[-+]?x`) gives `x` and `[-+]x`,
/// and a leading class of digits and other bytes (`[A-Z0-9]x`) its digits and the others;
/// word-boundary assertions before it stay. Together they match what `hir` matches.
pub fn split_lead(hir: &Hir) -> Vec<Hir> {
    let HirKind::Concat(subs) = hir.kind() else {
        return vec![hir.clone()];
    };
    let Some(i) = subs
        .iter()
        .position(|h| !matches!(h.kind(), HirKind::Look(_)))
    else {
        return vec![hir.clone()];
    };
    let with = |h: Option<Hir>| {
        let mut parts = subs.clone();
        match h {
            Some(h) => parts[i] = h,
            None => {
                parts.remove(i);
            }
        }
        Hir::concat(parts)
    };
    match subs[i].kind() {
        HirKind::Repetition(rep) if rep.min == 0 && rep.max == Some(1) => {
            vec![with(None), with(Some((*rep.sub).clone()))]
        }
        HirKind::Class(Class::Bytes(c)) => {
            let digits =
                regex_syntax::hir::ClassBytes::new([regex_syntax::hir::ClassBytesRange::new(
                    b'0', b'9',
                )]);
            let (mut d, mut other) = (c.clone(), c.clone());
            d.intersect(&digits);
            other.difference(&digits);
            if d.ranges().is_empty() || other.ranges().is_empty() {
                return vec![hir.clone()];
            }
            vec![
                with(Some(Hir::class(Class::Bytes(d)))),
                with(Some(Hir::class(Class::Bytes(other)))),
            ]
        }
        _ => vec![hir.clone()],
    }
}

/// The pattern split at its first alternation: `\b(?:a|b)\b` gives `\ba\b` and `\bb\b`.
/// Together they match exactly what the pattern does; each can be analysed on its own.
/// A pattern with no alternation outside repetitions is its only branch.
pub fn branches(hir: &Hir) -> Vec<Hir> {
    match hir.kind() {
        HirKind::Alternation(subs) => subs.clone(),
        HirKind::Capture(cap) => branches(&cap.sub),
        HirKind::Concat(subs) => {
            for (i, sub) in subs.iter().enumerate() {
                let alts = branches(sub);
                if alts.len() > 1 {
                    return alts
                        .into_iter()
                        .map(|alt| {
                            let mut parts = subs.clone();
                            parts[i] = alt;
                            Hir::concat(parts)
                        })
                        .collect();
                }
            }
            vec![hir.clone()]
        }
        _ => vec![hir.clone()],
    }
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

/// `literals` sorted, without duplicates and without any literal that another one
/// starts: finding where the others occur finds every place the dropped ones can.
pub(crate) fn prefix_free(mut literals: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    literals.sort_unstable();
    literals.dedup();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for l in literals {
        // Sorted: the literals a literal starts with come right before it or its
        // extensions.
        if !out.last().is_some_and(|p| l.starts_with(p)) {
            out.push(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_free_keeps_the_shortest_of_each_prefix_family() {
        let lits = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            prefix_free(lits(&["cvv2", "card", "cvv", "car", "cvc", "cvv", "elo "])),
            lits(&["car", "cvc", "cvv", "elo "])
        );
        assert_eq!(
            prefix_free(lits(&["ab", "abc", "abd", "ac"])),
            lits(&["ab", "ac"])
        );
    }

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
        let trigger = |h: &Hir, k: bool| super::trigger(h, k, 3);
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
    fn branches_split_the_first_alternation() {
        let shown = |re: &str| {
            let mut v: Vec<String> = branches(&parse(re))
                .iter()
                .map(|b| {
                    let text = b"12/3 may 7 x1y";
                    regex_automata::meta::Regex::builder()
                        .syntax(regex_automata::util::syntax::Config::new().unicode(false))
                        .build_from_hir(b)
                        .unwrap()
                        .find_iter(&text[..])
                        .map(|m| String::from_utf8_lossy(&text[m.range()]).into_owned())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            v.sort();
            v
        };
        // The word boundaries on both sides stay with every branch.
        assert_eq!(
            shown(r"\b(?:[0-9]{2}/[0-9]|may [0-9]|x[0-9]y)\b"),
            ["12/3", "may 7", "x1y"].map(String::from)
        );
        assert_eq!(
            shown(r"[0-9]/[0-9]|x[0-9]"),
            ["2/3", "x1"].map(String::from)
        );
        // Alternations inside repetitions stay whole.
        assert_eq!(shown(r"(?:[0-9]|/){4}"), ["12/3"].map(String::from));
        assert_eq!(branches(&parse(r"\b[0-9]{3}\b")).len(), 1);
    }

    #[test]
    fn first_digit_runs_are_bounded_below() {
        let first = |re: &str| min_first_run(&parse(re));
        assert_eq!(first(r"[0-9]{3}-[0-9]{2}"), 3);
        assert_eq!(first(r"[A-Z0-9][0-9]{2}[A-Z0-9]{6}[0-9][A-Z0-9]"), 2);
        assert_eq!(first(r"\b[0-9]{1,2} (?:May|June) [0-9]{4}"), 1);
        assert_eq!(first(r"(?:May|June) [0-9]{2}, [0-9]{4}"), 2);
        assert_eq!(first(r"[0-9]?[0-9]{2}x[0-9]"), 2);
        assert_eq!(first(r"[0-9](?:[0-9]|x)[0-9]{3}"), 1);
        assert_eq!(first(r"(?:[0-9]{2}|ab)[0-9]{2}"), 2);
        assert_eq!(first(r"x?[0-9]{4}(?:[0-9]{2})?"), 4);
        assert_eq!(first(r"[a-z]{3}"), u32::MAX);
    }

    #[test]
    fn lead_bytes_are_what_precedes_the_first_digit() {
        let lead = |re: &str| {
            lead_bytes(&parse(re)).map(|set| {
                (0..=255u8)
                    .filter(|&b| set.contains(b))
                    .collect::<Vec<u8>>()
            })
        };
        assert_eq!(lead(r"\b[A-Za-z]{5}[0-9]{4}[A-Za-z]\b").unwrap().len(), 52);
        assert_eq!(lead(r"\b[A-Z]{2,3}[-/]?[0-9]{1,4}\b").unwrap().len(), 28);
        assert_eq!(lead(r"[-+]\b[0-9]{1,3}\.[0-9]"), Some(b"+-".to_vec()));
        assert_eq!(lead(r"ab?(?:c|d[0-9])[0-9]"), Some(b"cd".to_vec()));
        assert_eq!(lead(r"ab?[0-9]"), Some(b"ab".to_vec()));
        // A match can start with a digit.
        assert_eq!(lead(r"[-+]?[0-9]"), None);
        assert_eq!(lead(r"[A-Z0-9][0-9]{2}"), None);
        assert_eq!(lead(r"x?"), Some(vec![]));
    }

    #[test]
    fn split_lead_separates_how_a_match_starts() {
        let split = |re: &str| {
            split_lead(&parse(re))
                .iter()
                .map(|h| lead_bytes(h).map(|s| (0..=255u8).filter(|&b| s.contains(b)).count()))
                .collect::<Vec<_>>()
        };
        assert_eq!(split(r"[-+]?\b[0-9]{1,3}\.[0-9]"), [None, Some(2)]);
        assert_eq!(split(r"\b[A-Z0-9][0-9]{2}[A-Z]"), [None, Some(26)]);
        assert_eq!(split(r"\b[A-Z][0-9]"), [Some(26)]);
    }

    #[test]
    fn digit_runs_and_alphabets_bound_the_match() {
        let run = |re: &str| max_digit_run(&parse(re));
        assert_eq!(run(r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b"), 4);
        assert_eq!(run(r"[0-9]{3}(?:-?[0-9]{2}){1,2}"), 7);
        assert_eq!(run(r"(?:[0-9]{4} ?){3}[0-9]{1,4}"), 16);
        assert_eq!(run(r"[A-Z]{4}"), 0);
        let abc = alphabet(&parse(r"(?i)[a-c]{2}@[0-9]\."));
        let inside: Vec<u8> = (0..=255u8).filter(|&b| abc.contains(b)).collect();
        assert_eq!(inside, b".0123456789@ABCabc".to_vec());
    }

    #[test]
    fn digit_runs_are_whole_where_every_match_edge_is_a_boundary_or_a_non_digit() {
        let whole = |re: &str| digit_runs_whole(&parse(re));
        assert!(whole(r"\b(?:[0-9]{3}|[A-Z][0-9])\b"));
        assert!(!whole(r"\b[0-9]{3}\b|[0-9]{4}"));
        // A sign or a bracket before the first digit splits no run; nor does an optional
        // one followed by a boundary.
        assert!(whole(r"(?:\+1 ?|\b)[0-9]{3}-[0-9]{4}\b"));
        assert!(whole(r"[-+]?\b[0-9]{1,3}\.[0-9]+\b"));
        assert!(whole(r"\([0-9]{3}\)"));
        assert!(whole(r"(?:\+|\b00)49[0-9]{3}\b"));
        // Without the prefix, a match starts at a digit with no boundary before it.
        assert!(!whole(r"(?:\+1)?[0-9]{3}\b"));
        assert!(!whole(r"\([0-9]{3}\) [0-9]{4}"));
        assert!(!whole(r"\B[0-9]{3}\b"));
        // Forty optional alternations in a row, each followed into all that comes after
        // it, would take 2^40 steps: the budget answers no (the safe answer) at once.
        let hostile = format!("{}[0-9]\\b", "(?:a?|b?)".repeat(40));
        assert!(!whole(&hostile));
    }

    #[test]
    fn run_shapes_list_the_digit_run_lengths_of_every_match() {
        let shapes = |re: &str| run_shapes(&parse(re));
        assert_eq!(
            shapes(r"\b[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}\b"),
            Some(vec![vec![3, 2, 4]])
        );
        // Optional separators join runs; an optional group adds a run or lengthens one.
        assert_eq!(
            shapes(r"[0-9]{2} ?[0-9]{2}(?:-[0-9])?"),
            Some(vec![vec![2, 2], vec![2, 2, 1], vec![4], vec![4, 1]])
        );
        assert_eq!(
            shapes(r"4[0-9]{3}(?:[0-9]{12}|(?: [0-9]{4}){3})"),
            Some(vec![vec![4, 4, 4, 4], vec![16]])
        );
        // Letters count as other bytes; a class of both, unbounded digits, or runs of
        // 64 and more give no list.
        assert_eq!(shapes(r"[A-Z]{2}[0-9]{2}x+"), Some(vec![vec![2]]));
        assert_eq!(shapes(r"[A-Z0-9]{8}"), None);
        assert_eq!(shapes(r"[0-9]+"), None);
        assert_eq!(shapes(r"[0-9]{60}[0-9]{4}"), None);
        // Ten optional spaces make 1,024 shapes: too many to list.
        assert_eq!(shapes(&"[0-9] ?".repeat(10)), None);
    }

    #[test]
    fn digit_gaps_bound_the_cluster_distance() {
        let g = |re: &str| digit_gaps(&parse(re)).gap;
        assert_eq!(g(r"[0-9]{3}-[0-9]{2}-[0-9]{4}"), Some(1));
        assert_eq!(g(r"[0-9]{1,2} (?:May|June) [0-9]{4}"), Some(6));
        assert_eq!(g(r"[0-9]{2}(?:[ -]{0,3}[0-9]{2}){2}"), Some(3));
        assert_eq!(g(r"[A-Z]{4}"), None);
        assert_eq!(g(r"(?:[0-9]|[A-Z]{5})[0-9]"), Some(0));
        assert_eq!(g(r"[0-9](?:[A-Z]{5})?[0-9]"), Some(5));
        // A textual date cannot use the tight digit trigger; with a keyword it uses the
        // loose one, on clusters as long as its year.
        assert_eq!(
            trigger(&parse(r"[0-9]{1,2} (?:May|June) [0-9]{4}"), true, 3),
            Trigger::LooseDigits(4)
        );
        assert_eq!(
            trigger(
                &parse(r"(?:%B[0-9]{13,19}\^[A-Z ]{2,26}\^[0-9]{4}|;[0-9]{13,19}=[0-9]{4})"),
                true,
                3
            ),
            Trigger::LooseDigits(13)
        );
        assert_eq!(
            trigger(&parse(r"[0-9]{2}/[0-9]{2}/[0-9]{4}"), true, 3),
            Trigger::Digits(8)
        );
        assert_eq!(
            trigger(&parse(r"\bGB[0-9]{2}[A-Z]{4}[0-9]{14}\b"), false, 3),
            Trigger::Pair(vec![*b"GB"])
        );
    }

    #[test]
    fn digit_runs_are_lower_bounds() {
        let r = |re: &str| min_digit_run(&parse(re));
        assert_eq!(r(r"[0-9]{3}-[0-9]{2}-[0-9]{4}"), 4);
        assert_eq!(r(r"[0-9]{2}(?:[0-9]{3}|x)"), 2);
        assert_eq!(r(r"a1b2"), 1);
        assert_eq!(r(r"\b1[0-9]{1,2}\b"), 2);
        assert_eq!(r(r"(?:12|3)(?:45|6)"), 2);
        assert_eq!(r(r"[0-9]?[A-Z]"), 0);
        assert_eq!(r(r";[0-9]{13,19}=(?:[0-9]{4}|=)"), 13);
    }

    #[test]
    fn captures_are_found() {
        assert!(has_capture(&parse("a(b)c")));
        assert!(!has_capture(&parse("a(?:b)c")));
    }
}

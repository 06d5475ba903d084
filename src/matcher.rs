//! The matcher: per-thread scratch over a shared [`DetectorSet`] that turns bytes into
//! [`Match`]es (detector + byte span — never the bytes themselves).
//!
//! One scan of a haystack:
//! 1. **Candidates** from cheap passes, never a regex over the whole text (except for a
//!    keyword-triggered detector whose keyword comes from structured context): one
//!    Aho-Corasick pass over the case-folded text (literal prefixes, keywords of
//!    keyword-triggered detectors), memchr for rare bytes (`@`), and a vectorised scan for
//!    digit clusters (digit-triggered detectors with enough digits; IBAN-style letter pairs
//!    at each digit run).
//! 2. **Keywords** only where a candidate needs one: the windows around those candidates
//!    are merged and searched once with the keyword automaton.
//! 3. **Verification** per candidate: keyword presence (before any regex runs), the
//!    detector's regex on a bounded window (anchored for literal and pair triggers), ignore
//!    words, checksum, exact keyword proximity, allow list.
//! 4. Sort, dedup, drop fallback matches superseded by a stronger detector, keep matches
//!    starting in the caller's `own` range.
//!
//! Chunked streams: callers pass each chunk with [`DetectorSet::overlap`] bytes of margin on
//! both sides and the chunk's own range; matches are then identical to a whole-text scan.

use std::fmt;
use std::ops::Range;

use regex_automata::dfa::{dense, Automaton};
use regex_automata::hybrid::LazyStateID;
use regex_automata::util::start;
use regex_automata::{hybrid, meta, Anchored, Input, PatternSet};

use crate::allow::AllowList;
use crate::bytemask::TextMasks;
use crate::detector::compile::{
    AnchorKind, Compiled, DetectorMask, GateMember, KeywordRule, SmallGate, CLUSTER_GAP,
    SMALL_CLUSTER,
};
use crate::detector::keywords::KeywordHit;
use crate::detector::{ContextKeywords, Detector, DetectorId, DetectorSet, RunShapes};

/// One match: which detector, and where (byte offsets into the scanned haystack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Match {
    /// Start offset (inclusive).
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// The detector.
    pub detector: DetectorId,
}

/// Optional inputs of one scan.
#[derive(Default, Clone)]
pub struct ScanOptions<'a> {
    /// Only matches starting in this range are reported (default: the whole haystack).
    pub own: Option<Range<usize>>,
    /// Structured context (column name, JSON path) whose keywords count for every match.
    pub context: Option<&'a ContextKeywords>,
    /// Matches whose text is on this allow list are dropped.
    pub allow: Option<&'a AllowList>,
    /// The haystack is many separate values (CSV cells, Parquet values) joined by
    /// separators: these are the values' spans, sorted. A match must lie inside one value
    /// and only keywords inside that value count, exactly as if each value were scanned
    /// alone. Separators must be at least [`SEGMENT_GAP`] bytes of `\n`, so no digit
    /// cluster spans two values.
    pub segments: Option<&'a [Range<usize>]>,
}

impl ScanOptions<'_> {
    /// Whether a match of detector `id` needs a keyword in the text: its detector requires
    /// one (`keyword_required`) and the structured context does not count as it.
    fn needs_keyword(&self, keyword_required: bool, id: DetectorId) -> bool {
        keyword_required && !self.context.is_some_and(|x| x.contains(id))
    }
}

/// Text longer than two blocks is scanned a block at a time: a block and its lower-cased
/// copy stay in the core's L2 cache through every pass.
const BLOCK: usize = 128 << 10;

/// Fewest new bytes of keyword search that make checking a short cluster against
/// [`Compiled::small_gate`] first worth its cost.
const GATE_WORTH: usize = 64;

/// Digit clusters at most this many bytes apart on average make the keyword search cover
/// the whole text rather than each cluster's keyword region (with separate values, only
/// if there are at least as many clusters as values).
const DENSE_CLUSTERS: usize = 64;

/// Keyword regions at most this many bytes apart are searched as one, so that separate
/// values a newline apart (CSV cells, Parquet values) that each hold a number are one
/// search, not one each. Farther apart, the bytes between are not searched: with values,
/// they are whole values without a number (most free-text notes).
const REGION_JOIN: usize = 8;

/// Shortest separator between segments: one newline, which no digit cluster crosses.
pub const SEGMENT_GAP: usize = 1;

/// The span of the segment holding `at`, or the whole haystack without segments.
/// `cursor` is a segment index at or before the answer; it moves forward to it, so calls
/// in text order walk the segments once instead of searching them each time.
fn segment_bounds(
    segments: Option<&[Range<usize>]>,
    cursor: &mut usize,
    at: usize,
    len: usize,
) -> Range<usize> {
    let Some(segs) = segments else {
        return 0..len;
    };
    if *cursor > segs.len() || (*cursor > 0 && segs[*cursor - 1].end > at) {
        // Out of text order: start over.
        *cursor = 0;
    }
    // A few steps forward, then a binary search over the rest.
    let mut steps = 0;
    while segs.get(*cursor).is_some_and(|r| r.end <= at) {
        if steps == 8 {
            *cursor += segs[*cursor..].partition_point(|r| r.end <= at);
            break;
        }
        *cursor += 1;
        steps += 1;
    }
    let i = *cursor;
    match segs.get(i) {
        Some(seg) if seg.start <= at => seg.clone(),
        _ => at..at,
    }
}

#[derive(Clone, Copy)]
struct Candidate {
    detector: DetectorId,
    from: usize,
    to: usize,
    anchored: bool,
    /// A match must overlap this range (the cluster or byte that triggered it).
    cover: Option<(usize, usize)>,
}

impl Candidate {
    /// Detector `id` (`d`) searched anchored at a digit run starting at `start`.
    fn at_run(id: DetectorId, d: &Detector, start: usize, len: usize) -> Candidate {
        Candidate {
            detector: id,
            from: start,
            to: (start + d.max_len).min(len),
            anchored: true,
            cover: None,
        }
    }

    /// Detector `id` (`d`) searched for a match overlapping the digits `runs` spans.
    fn digit_window(id: DetectorId, d: &Detector, runs: (usize, usize), len: usize) -> Candidate {
        Candidate {
            detector: id,
            from: runs.0.saturating_sub(d.digit_pre),
            to: (runs.1 + d.digit_suf).min(len),
            anchored: false,
            cover: Some(runs),
        }
    }
}

/// Digit runs joined across at most `CLUSTER_GAP` non-digit bytes, never a newline; it
/// starts and ends with a digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cluster {
    start: usize,
    end: usize,
    digits: u32,
    /// No detector the cluster qualifies for can match around it (short clusters only,
    /// see [`Compiled::small_gate`]): it needs no verification.
    quiet: bool,
}

/// Per-thread matching state. Create one per worker (`map_init`), reuse it for every chunk.
pub struct Matcher {
    set: DetectorSet,
    caches: Vec<meta::Cache>,
    gate: GateCaches,
    lower: Vec<u8>,
    /// Class masks of the text per 64 bytes, made along with `lower`.
    masks: TextMasks,
    candidates: Vec<Candidate>,
    clusters: Vec<Cluster>,
    /// Digit runs after two capitals (IBAN-style pair triggers).
    pair_runs: Vec<usize>,
    /// Where the lower-cased text holds the probe byte ([`Compiled::probe`]).
    probes: Vec<usize>,
    /// The digit runs of the cluster being verified.
    runs: Vec<(usize, usize)>,
    /// Their lengths.
    lens: Vec<u32>,
    /// Bit `n`: one of them is `n` digits long.
    present: u64,
    regions: Vec<(usize, usize)>,
    merged: Vec<(usize, usize)>,
    near: DetectorMask,
    /// First keyword hit a later cluster can need (clusters come in text order).
    hit_cursor: usize,
    /// The segment of the last cluster verified (clusters come in text order).
    segment_cursor: usize,
    hits: Vec<KeywordHit>,
    raw: Vec<Match>,
    kept_end: Vec<usize>,
}

impl fmt::Debug for Matcher {
    // The scratch buffers hold scanned bytes: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matcher")
            .field("detectors", &self.set.detectors().len())
            .finish_non_exhaustive()
    }
}

impl Matcher {
    /// Scratch space for scanning with `set`.
    pub fn new(set: &DetectorSet) -> Matcher {
        Matcher {
            caches: set
                .detectors()
                .iter()
                .map(|d| d.regex.create_cache())
                .collect(),
            gate: {
                let g = set.inner.small_gate.as_ref();
                let regex = g.and_then(|g| g.regex.as_ref());
                GateCaches {
                    union: regex.map(meta::Regex::create_cache),
                    dfa: g.and_then(|g| g.dfa.as_ref()).map(hybrid::dfa::Cache::new),
                    idle: None,
                    set: PatternSet::new(regex.map_or(0, meta::Regex::pattern_len)),
                }
            },
            set: set.clone(),
            lower: Vec::new(),
            masks: TextMasks::default(),
            candidates: Vec::new(),
            clusters: Vec::new(),
            pair_runs: Vec::new(),
            probes: Vec::new(),
            runs: Vec::new(),
            lens: Vec::new(),
            present: 0,
            regions: Vec::new(),
            merged: Vec::new(),
            near: DetectorMask::default(),
            hit_cursor: 0,
            segment_cursor: 0,
            hits: Vec::new(),
            raw: Vec::new(),
            kept_end: Vec::new(),
        }
    }

    /// The detector set this matcher scans with.
    pub fn detectors(&self) -> &DetectorSet {
        &self.set
    }

    /// Scans `hay` and returns its matches sorted by (start, end, detector).
    pub fn scan(&mut self, hay: &[u8]) -> Vec<Match> {
        let mut out = Vec::new();
        self.scan_into(hay, ScanOptions::default(), &mut out);
        out
    }

    /// Scans `hay`, appending matches sorted by (start, end, detector) to `out`.
    ///
    /// Long text is scanned in blocks of [`BLOCK`] bytes, each with
    /// [`DetectorSet::overlap`] bytes of margin (as [`scan_parallel`] does across threads),
    /// so each block's passes find it still in the core's cache. The matches are the same.
    pub fn scan_into(&mut self, hay: &[u8], opts: ScanOptions<'_>, out: &mut Vec<Match>) {
        let own = opts.own.clone().unwrap_or(0..hay.len());
        if opts.segments.is_some() || own.len() <= 2 * BLOCK {
            self.scan_block(hay, opts, out);
            return;
        }
        let overlap = self.set.overlap();
        let mut start = own.start;
        while start < own.end {
            let end = (start + BLOCK).min(own.end);
            let (lo, hi) = (
                start.saturating_sub(overlap),
                (end + overlap).min(hay.len()),
            );
            let block = ScanOptions {
                own: Some(start - lo..end - lo),
                ..opts.clone()
            };
            let first = out.len();
            self.scan_block(&hay[lo..hi], block, out);
            for m in &mut out[first..] {
                m.start += lo;
                m.end += lo;
            }
            start = end;
        }
    }

    fn scan_block(&mut self, hay: &[u8], opts: ScanOptions<'_>, out: &mut Vec<Match>) {
        let set = self.set.clone();
        let c: &Compiled = &set.inner;
        crate::bytemask::lowercase_into(
            hay,
            &mut self.lower,
            &mut self.masks,
            c.probe,
            c.separators,
        );
        self.candidates.clear();
        self.clusters.clear();
        self.raw.clear();

        self.anchor_candidates(c, hay);
        self.byte_candidates(c, hay);
        if !c.digits.is_empty() || c.has_pairs || !c.probe_anchors.is_empty() {
            self.find_clusters(c, hay);
        }
        // A keyword-triggered detector named by the structured context (a CSV column, a
        // JSON path) has no keyword in the text to anchor on: search the whole text.
        let from_context = c
            .keyword_triggered
            .iter()
            .filter(|id| opts.context.is_some_and(|x| x.contains(**id)));
        for &id in c.unfiltered.iter().chain(from_context) {
            self.candidates.push(Candidate {
                detector: id,
                from: 0,
                to: hay.len(),
                anchored: false,
                cover: None,
            });
        }
        self.find_keywords(c, hay, opts.context, opts.segments);
        for i in 0..self.candidates.len() {
            let cand = self.candidates[i];
            self.verify(c, hay, cand, &opts, false);
        }
        self.hit_cursor = 0;
        self.segment_cursor = 0;
        // With no keyword anywhere (most logs), only the detectors needing none can match:
        // clusters with fewer digits than any of them wants are passed over here.
        let fewest = match (self.hits.is_empty(), opts.context) {
            (true, None) => c.digits_free.first().map_or(u32::MAX, |&(min, _)| min),
            _ => 0,
        };
        for i in 0..self.clusters.len() {
            let cl = self.clusters[i];
            if cl.digits >= fewest {
                self.verify_cluster(c, hay, cl, &opts);
            }
        }
        self.finish(c, opts.own.unwrap_or(0..hay.len()), out);
    }

    /// One leftmost-longest pass of the literal-prefix automaton, restarted one byte after
    /// each hit so overlapping anchors are all seen; patterns that are prefixes of a hit
    /// count too.
    fn anchor_candidates(&mut self, c: &Compiled, hay: &[u8]) {
        for (finder, k) in &c.short_anchors {
            let len = finder.needle().len();
            let mut at = 0;
            while let Some(p) = finder.find(&self.lower[at..]) {
                let start = at + p;
                self.anchor_hit(c, hay, &c.anchor_kinds[*k], start, start + len);
                at = start + 1;
            }
        }
        let Some(ac) = &c.anchors else { return };
        let mut at = 0;
        while at < hay.len() {
            let Some(m) = ac.find(aho_corasick::Input::new(&self.lower[..]).span(at..hay.len()))
            else {
                break;
            };
            at = m.start() + 1;
            let p = c.anchor_ids[m.pattern().as_usize()];
            for k in std::iter::once(p).chain(c.anchor_prefixes[p].iter().copied()) {
                self.anchor_hit(c, hay, &c.anchor_kinds[k], m.start(), m.end());
            }
        }
    }

    fn anchor_hit(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        kind: &AnchorKind,
        start: usize,
        end: usize,
    ) {
        match kind {
            AnchorKind::Prefix(ids) => {
                for &(id, skip) in ids {
                    let Some(from) = start.checked_sub(skip) else {
                        continue;
                    };
                    let d = &c.detectors[id.index()];
                    self.candidates.push(Candidate {
                        detector: id,
                        from,
                        to: (from + d.max_len).min(hay.len()),
                        anchored: true,
                        cover: None,
                    });
                }
            }
            AnchorKind::Keyword(ids) => {
                for &id in ids {
                    let d = &c.detectors[id.index()];
                    // The hit may be one word of a longer keyword (`fiscale` of `codice
                    // fiscale`): reach past the whole keyword on both sides.
                    let reach = d.max_distance + d.max_len + c.keyword_max_len;
                    self.candidates.push(Candidate {
                        detector: id,
                        from: start.saturating_sub(reach),
                        to: (end + reach).min(hay.len()),
                        anchored: false,
                        cover: None,
                    });
                }
            }
        }
    }

    fn byte_candidates(&mut self, c: &Compiled, hay: &[u8]) {
        for (byte, ids) in &c.bytes {
            for p in memchr::memchr_iter(*byte, hay) {
                for &id in ids {
                    let d = &c.detectors[id.index()];
                    self.candidates.push(Candidate {
                        detector: id,
                        from: p.saturating_sub(d.max_len),
                        to: (p + 1 + d.max_len).min(hay.len()),
                        anchored: false,
                        cover: Some((p, p + 1)),
                    });
                }
            }
        }
    }

    /// Finds digit clusters, IBAN-style pair candidates at the digit runs that follow two
    /// capitals, and the candidates of the anchor patterns found from the probe byte.
    fn find_clusters(&mut self, c: &Compiled, hay: &[u8]) {
        self.pair_runs.clear();
        self.probes.clear();
        digit_clusters(
            hay,
            &self.masks,
            &mut self.clusters,
            c.has_pairs.then_some(&mut self.pair_runs),
            (!c.probe_anchors.is_empty()).then_some(&mut self.probes),
        );
        if c.digits.is_empty() {
            self.clusters.clear();
        }
        for i in 0..self.pair_runs.len() {
            self.pair_candidates(c, hay, self.pair_runs[i]);
        }
        for i in 0..self.probes.len() {
            let p = self.probes[i];
            for &(k, offset) in &c.probe_anchors {
                let pattern = &c.anchor_patterns[k];
                let Some(start) = p.checked_sub(offset) else {
                    continue;
                };
                if self.lower[start..].starts_with(pattern) {
                    let end = start + pattern.len();
                    self.anchor_hit(c, hay, &c.anchor_kinds[k], start, end);
                }
            }
        }
    }

    /// Puts the digit runs of `cl` in `self.runs`, their lengths in `self.lens` and
    /// `self.present`; returns the shortest length.
    fn cluster_runs(&mut self, hay: &[u8], cl: Cluster) -> u32 {
        self.runs.clear();
        self.lens.clear();
        self.present = 0;
        let mut shortest = u32::MAX;
        let (lens, present) = (&mut self.lens, &mut self.present);
        let mut push = |runs: &mut Vec<(usize, usize)>, s: usize, e: usize| {
            runs.push((s, e));
            let len = u32::try_from(e - s).unwrap_or(u32::MAX);
            lens.push(len);
            *present |= 1u64.checked_shl(len).unwrap_or(0);
            shortest = shortest.min(len);
        };
        if let Some(window) = hay
            .get(cl.start..cl.start + 64)
            .and_then(|w| <&[u8; 64]>::try_from(w).ok())
            .filter(|_| cl.end - cl.start < 64)
        {
            // Most clusters fit in one 64-byte mask: runs are its 0→1 and 1→0 edges.
            let d = crate::bytemask::digits(window) & ((1u64 << (cl.end - cl.start)) - 1);
            let edges = d ^ (d << 1);
            let (mut starts, mut ends) = (edges & d, edges & !d);
            while starts != 0 {
                let (s, e) = (starts.trailing_zeros(), ends.trailing_zeros());
                push(&mut self.runs, cl.start + s as usize, cl.start + e as usize);
                starts &= starts - 1;
                ends &= ends - 1;
            }
            return shortest;
        }
        let mut p = cl.start;
        while p < cl.end {
            let s = p;
            while p < cl.end && hay[p].is_ascii_digit() {
                p += 1;
            }
            push(&mut self.runs, s, p);
            while p < cl.end && !hay[p].is_ascii_digit() {
                p += 1;
            }
        }
        shortest
    }

    /// Runs the digit-triggered detectors on one cluster. The keywords near the cluster
    /// are gathered once into a detector bitset; detectors needing an absent keyword cost
    /// one bit test.
    fn verify_cluster(&mut self, c: &Compiled, hay: &[u8], cl: Cluster, opts: &ScanOptions<'_>) {
        if cl.quiet {
            return;
        }
        // Clusters come in text order, so hits before this one's widest possible window
        // are never needed again: the cursor only moves forward.
        let widest = c.digits_kw_reach.last().copied().unwrap_or_default();
        let floor = cl.start.saturating_sub(widest.before);
        while self.hit_cursor < self.hits.len() && self.hits[self.hit_cursor].start < floor {
            self.hit_cursor += 1;
        }
        // The runs of the cluster (and its shortest), found when a detector first needs them.
        let mut runs_found: Option<u32> = None;
        // Most clusters of number-heavy text (logs) have no keyword within the widest
        // reach: only the detectors needing none can match, and most clusters are too
        // short for those.
        if opts.context.is_none()
            && self
                .hits
                .get(self.hit_cursor)
                .is_none_or(|h| h.start > cl.end + widest.after)
        {
            self.verify_keyword_free(c, hay, cl, &mut runs_found, opts);
            return;
        }
        let qualifying = qualifying(c, cl.digits);
        let reach = c.digits_kw_reach[qualifying];
        // Keywords only count inside the cluster's own value (with segments).
        let within = segment_bounds(opts.segments, &mut self.segment_cursor, cl.start, hay.len());
        let (lo, hi) = (
            cl.start.saturating_sub(reach.before).max(within.start),
            (cl.end + reach.after).min(within.end),
        );
        let mut first = self.hit_cursor;
        while first < self.hits.len() && self.hits[first].start < lo {
            first += 1;
        }
        let mut last = first;
        while last < self.hits.len() && self.hits[last].start <= hi {
            last += 1;
        }
        if first == last && opts.context.is_none() {
            self.verify_keyword_free(c, hay, cl, &mut runs_found, opts);
            return;
        }
        if first < last {
            self.near.clear();
            self.near.0.resize(c.detectors.len().div_ceil(64), 0);
            for h in &self.hits[first..last] {
                let mask = &c.keyword_info[h.keyword as usize].mask;
                // A hit counts only for the detectors whose own reach gets that far.
                let reaching = match h.start {
                    s if s < cl.start => c.reach_before.get(cl.start - s),
                    s if s > cl.end => c.reach_after.get(s - cl.end),
                    _ => {
                        self.near.union_with(mask);
                        continue;
                    }
                };
                if let Some(reaching) = reaching {
                    self.near.union_with_both(mask, reaching);
                }
            }
        }
        if opts.context.is_some() {
            // Context keywords count for some detectors: walk the whole list.
            for &(min, id) in &c.digits {
                if min > cl.digits {
                    break;
                }
                let has_keyword = first < last && self.near.contains(id);
                let needs = opts.needs_keyword(c.gates[id.index()].keyword_required, id);
                if !needs || has_keyword {
                    self.verify_cluster_as(c, hay, cl, id, &mut runs_found, opts);
                }
            }
            return;
        }
        // Only the detectors this cluster qualifies for that need no keyword or have one
        // near: a few bits of a bitset, not the whole list.
        let eligible = &c.digits_qualifying_mask[(cl.digits as usize).min(63)];
        for w in 0..eligible.0.len() {
            let mut bits = eligible.0[w] & (self.near.0[w] | c.digits_free_mask.0[w]);
            while bits != 0 {
                let id = DetectorId((w * 64 + bits.trailing_zeros() as usize) as u16);
                bits &= bits - 1;
                self.verify_cluster_as(c, hay, cl, id, &mut runs_found, opts);
            }
        }
    }

    /// Runs the digit detectors that need no keyword and that `cl` has enough digits for.
    fn verify_keyword_free(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        cl: Cluster,
        runs_found: &mut Option<u32>,
        opts: &ScanOptions<'_>,
    ) {
        for &(min, id) in &c.digits_free {
            if min > cl.digits {
                break;
            }
            self.verify_cluster_as(c, hay, cl, id, runs_found, opts);
        }
    }

    /// Runs digit detector `id`, which `cl` qualifies for and whose keyword (if it needs
    /// one) is near, on the parts of `cl` a match can lie in.
    fn verify_cluster_as(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        cl: Cluster,
        id: DetectorId,
        runs_found: &mut Option<u32>,
        opts: &ScanOptions<'_>,
    ) {
        let gate = c.gates[id.index()];
        let (min, max_run) = (gate.min_digits, gate.max_run);
        // A detector needing no keyword comes here for every long enough number (log
        // timestamps, hex ids): rule most of them out with a few masks before walking
        // runs. One needing a keyword comes only with one near, where matches are likely.
        if !gate.keyword_required && gate.separated && !may_hold(&self.masks, cl, min) {
            return;
        }
        let shortest = match *runs_found {
            Some(n) => n,
            None => *runs_found.insert(self.cluster_runs(hay, cl)),
        };
        if shortest > max_run {
            // Every digit run of a match is a whole run of the text: too long here.
            return;
        }
        let d = &c.detectors[id.index()];
        // A run longer than any in a match, or a gap byte no match holds, splits the
        // cluster: search each part with enough digits on its own.
        let count = self.runs.len() as u32;
        let mut r = 0;
        // Digits in the runs short enough for a match not yet walked: once fewer than
        // `min`, no part can match (none at all, often: the row's long cluster, with an
        // IBAN's 20 digits and a card's 16, for a detector taking runs of 15 at most).
        let mut left: u32 = self
            .lens
            .iter()
            .map(|&n| if n <= max_run { n } else { 0 })
            .fold(0, u32::saturating_add);
        if left < min {
            return;
        }
        if let Some(shapes) = &d.run_shapes {
            // Its matches' runs have one of a few sequences of lengths: a cluster without
            // every length of one of them holds none (the SSN's 3, 2 and 4 against the
            // dense row's phone number, IBAN and card number).
            if shapes.may_fit(self.present) {
                self.verify_shapes(c, hay, id, shapes, opts);
            }
            return;
        }
        while r < count && left >= min {
            let from = r;
            let mut digits = 0;
            while let Some(&(s, e)) = self.runs.get(r as usize) {
                if e - s > max_run as usize {
                    break;
                }
                digits += (e - s) as u32;
                r += 1;
                let gap = self.runs.get(r as usize).map_or(e..e, |next| e..next.0);
                if !hay[gap].iter().all(|&b| d.alphabet.contains(b)) {
                    break;
                }
            }
            if r == from {
                // A run too long for a match: not counted in `left`.
                r += 1;
                continue;
            }
            left = left.saturating_sub(digits);
            if digits >= min {
                self.verify_runs(c, hay, id, from..r, opts);
            }
        }
    }

    /// Runs detector `id`, whose matches' digit runs are whole runs of the text with
    /// lengths it lists, where the cluster's runs, one after another, have one of those
    /// sequences of lengths: nowhere, most often (an SSN's 3, 2 and 4 digits against a
    /// row's phone number, IBAN and card number), at no cost but a bit test a run.
    fn verify_shapes(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        id: DetectorId,
        shapes: &RunShapes,
        opts: &ScanOptions<'_>,
    ) {
        let d = &c.detectors[id.index()];
        // As a search of the whole text would, no match starts inside the previous one
        // (accepted or not).
        let mut searched_to = 0;
        for i in 0..self.lens.len() {
            if !shapes.may_start(self.lens[i]) {
                continue;
            }
            let start = self.runs[i].0;
            if start < searched_to {
                continue;
            }
            // The longest sequence starting here: a match can run to its last run.
            let last = match shapes.longest_prefix(&self.lens[i..]) {
                0 => continue,
                k => self.runs[i + k - 1].1,
            };
            let cand = if d.at_run_starts {
                Candidate::at_run(id, d, start, hay.len())
            } else {
                Candidate::digit_window(id, d, (start, last), hay.len())
            };
            searched_to = self.verify(c, hay, cand, opts, d.at_run_starts);
        }
    }

    /// Runs detector `id` on the digit runs `runs` of one cluster.
    fn verify_runs(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        id: DetectorId,
        runs: Range<u32>,
        opts: &ScanOptions<'_>,
    ) {
        let d = &c.detectors[id.index()];
        // Anchored searches pay off for a few runs (IDs, cards); many runs (timestamps,
        // version strings) are cheaper as one window search.
        if !d.at_run_starts || runs.len() > 3 {
            let (start, end) = (
                self.runs[runs.start as usize].0,
                self.runs[runs.end as usize - 1].1,
            );
            let window = Candidate::digit_window(id, d, (start, end), hay.len());
            // The bitset used the widest reach of any detector; check this one's window.
            self.verify(c, hay, window, opts, false);
            return;
        }
        // The cluster's keyword bitset let this detector through, and each match is
        // checked for its keyword exactly: checking the runs' window first as well cost
        // more than the anchored searches it saved (2 % of dense text's instructions).
        // As a search of the whole text would (and `verify_shapes` does), no search
        // starts inside this detector's previous regex match, accepted or not.
        let mut searched_to = 0;
        for r in runs {
            let start = self.runs[r as usize].0;
            if start < searched_to {
                continue;
            }
            let cand = Candidate::at_run(id, d, start, hay.len());
            searched_to = self.verify(c, hay, cand, opts, true);
        }
    }

    /// Candidates of the pair-triggered detectors at the digit run starting at `run`,
    /// right after two capitals.
    fn pair_candidates(&mut self, c: &Compiled, hay: &[u8], run: usize) {
        let (a, b) = (hay[run - 2], hay[run - 1]);
        for &id in &c.pairs[usize::from(a - b'A') * 26 + usize::from(b - b'A')] {
            let d = &c.detectors[id.index()];
            self.candidates.push(Candidate {
                detector: id,
                from: run - 2,
                to: (run - 2 + d.max_len).min(hay.len()),
                anchored: true,
                cover: None,
            });
        }
    }

    /// Finds keyword hits in the merged windows of every candidate and digit cluster that
    /// needs a keyword — never over the whole text.
    fn find_keywords(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        context: Option<&ContextKeywords>,
        segments: Option<&[Range<usize>]>,
    ) {
        self.hits.clear();
        self.regions.clear();
        let dense = self.clusters.len() * DENSE_CLUSTERS >= hay.len()
            && segments.is_none_or(|values| self.clusters.len() >= values.len());
        if dense {
            // Numbers every few bytes (logs): their keyword regions cover about all the
            // text, and working them out costs more than searching it all. With separate
            // values (CSV cells, Parquet values) a region ends with its value, so only if
            // about every value holds a number: in a column mixing numbered values with
            // free-text notes, the notes without a number are never searched.
            c.keywords.scan(&self.lower, 0, hay.len(), &mut self.hits);
            return;
        }
        let pad = c.keyword_max_len;
        for cand in &self.candidates {
            let d = &c.detectors[cand.detector.index()];
            if !d.keyword_required || context.is_some_and(|x| x.contains(cand.detector)) {
                continue;
            }
            // A keyword counts if it ends within the distance before the window or starts
            // within it after.
            self.regions.push((
                cand.from.saturating_sub(d.max_distance + pad),
                (cand.to + d.max_distance).min(hay.len()),
            ));
        }
        // Clusters come in text order; only the few candidate regions need sorting.
        self.regions.sort_unstable();
        let mut merged: Vec<(usize, usize)> = std::mem::take(&mut self.merged);
        merged.clear();
        let mut gate = GateScratch {
            union: self.gate.union.as_mut(),
            dfa: self.gate.dfa.as_mut(),
            idle: &mut self.gate.idle,
            set: &mut self.gate.set,
            caches: &mut self.caches,
        };
        let (mut segment_cursor, mut extra) = (0, 0);
        for cl in &mut self.clusters {
            if cl.digits < c.digits_kw_min {
                continue;
            }
            let reach = c.digits_kw_reach[qualifying(c, cl.digits)];
            let within = segment_bounds(segments, &mut segment_cursor, cl.start, hay.len());
            let r = (
                cl.start.saturating_sub(reach.before).max(within.start),
                (cl.end + reach.after).min(within.end),
            );
            while let Some(&x) = self.regions.get(extra).filter(|x| x.0 <= r.0) {
                push_region(&mut merged, x);
                extra += 1;
            }
            // A short cluster qualifies for only a few detectors. Checking which of them
            // match around it costs about as much as searching [`GATE_WORTH`] bytes for
            // keywords: not worth it where the region adds less to what is already
            // searched (numbers a few bytes apart, as in logs).
            let new_bytes = r.1 - merged.last().map_or(r.0, |l| l.1.max(r.0).min(r.1));
            if let (Some(g), true) = (
                &c.small_gate,
                cl.digits <= SMALL_CLUSTER && new_bytes >= GATE_WORTH,
            ) {
                let text = (hay, &self.lower[..]);
                cl.quiet = gate_short_cluster(c, g, &mut gate, text, cl, within, &mut merged);
                continue;
            }
            push_region(&mut merged, r);
        }
        for &x in &self.regions[extra..] {
            push_region(&mut merged, x);
        }
        for &(s, e) in &merged {
            c.keywords.scan(&self.lower, s, e, &mut self.hits);
        }
        self.merged = merged;
    }

    /// With `window`, `start..end` is a candidate window rather than a match, and any
    /// keyword within reach of it counts (a superset of the exact rule).
    fn keyword_near(
        &self,
        c: &Compiled,
        id: DetectorId,
        start: usize,
        end: usize,
        window: bool,
        segment: Option<Range<usize>>,
    ) -> bool {
        let d = &c.detectors[id.index()];
        let rule = if window {
            KeywordRule::Around
        } else {
            d.keyword_rule
        };
        let lo = start.saturating_sub(d.max_distance + c.keyword_max_len);
        let first = lower_bound_near(&self.hits, self.hit_cursor, lo);
        let within = segment.unwrap_or(0..usize::MAX);
        for h in &self.hits[first..] {
            if h.start > end + d.max_distance {
                break;
            }
            if h.start < within.start || h.end > within.end {
                continue;
            }
            let near = match rule {
                KeywordRule::Around => {
                    let gap = if h.end <= start {
                        start - h.end
                    } else {
                        h.start.saturating_sub(end)
                    };
                    gap <= d.max_distance
                }
                KeywordRule::Before => h.end <= start && end - h.end <= d.max_distance,
            };
            if near && c.keyword_info[h.keyword as usize].mask.contains(id) {
                return true;
            }
        }
        false
    }

    /// Runs a candidate's regex and checks. `keyword_seen`: the caller knows a keyword of
    /// this detector may be within reach, so the window is not checked for one first; each
    /// match still is. Returns the end of the furthest regex match it found, accepted or
    /// not (0 for none): where a search of the whole text would go on.
    fn verify(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        cand: Candidate,
        opts: &ScanOptions<'_>,
        keyword_seen: bool,
    ) -> usize {
        let id = cand.detector;
        let d = &c.detectors[id.index()];
        let need_keyword = opts.needs_keyword(d.keyword_required, id);
        if need_keyword
            && !keyword_seen
            && !self.keyword_near(c, id, cand.from, cand.to, true, None)
        {
            return 0;
        }
        if cand.anchored && cand.cover.is_none() && opts.segments.is_none() {
            // The most common candidate (a digit run, a literal prefix, an IBAN's country
            // code): one anchored search, a match starting at `from` or none.
            if cand.from >= cand.to {
                return 0;
            }
            let input = Input::new(hay)
                .span(cand.from..cand.to)
                .anchored(Anchored::Yes);
            let Some(m) = search_anchored(d, &mut self.caches[id.index()], input) else {
                return 0;
            };
            self.keep(c, hay, id, m.range(), None, opts);
            return m.end();
        }
        let mut searched_to = 0;
        let (mut at, mut stop) = (cand.from, cand.to);
        if let (Some((cs, ce)), false) = (cand.cover, cand.anchored) {
            // A match overlapping the trigger lies in the run of the detector's bytes
            // around it.
            at = d.alphabet_lookup.run_start(hay, cand.from, cs);
            stop = d.alphabet_lookup.run_end(hay, ce.max(at), cand.to);
        }
        // With segments: the end of the one value being searched on its own, after a
        // match ran across its end.
        let mut clip: Option<usize> = None;
        while at < stop {
            let anchored = if cand.anchored {
                Anchored::Yes
            } else {
                Anchored::No
            };
            let to = clip.map_or(stop, |c| c.min(stop));
            let input = Input::new(hay).span(at..to).anchored(anchored);
            let cache = &mut self.caches[id.index()];
            // In the run around a trigger, a match most often starts where the run does.
            // If one starts there it is the leftmost: an anchored search finds it with a
            // forward pass alone, where an unanchored one also runs a reverse pass.
            let found = match (cand.cover, cand.anchored) {
                (Some(_), false) => {
                    search_anchored(d, cache, input.clone().anchored(Anchored::Yes))
                        .or_else(|| d.regex.search_with(cache, &input))
                }
                (_, true) => search_anchored(d, cache, input),
                _ => d.regex.search_with(cache, &input),
            };
            let Some(m) = found else {
                match clip.take() {
                    Some(end) if end < stop && !cand.anchored => {
                        at = end;
                        continue;
                    }
                    _ => break,
                }
            };
            let (s, e) = (m.start(), m.end());
            searched_to = searched_to.max(e);
            let mut segment = None;
            if let Some(segs) = opts.segments {
                let i = segs.partition_point(|r| r.end <= s);
                match segs.get(i) {
                    Some(seg) if seg.start <= s => {
                        if e > seg.end {
                            // Runs into the next value: search this value on its own.
                            clip = Some(seg.end);
                            continue;
                        }
                        segment = Some(seg.clone());
                    }
                    // Starts in a separator: go on at the next value.
                    next => {
                        if cand.anchored {
                            break;
                        }
                        at = next.map_or(stop, |seg| seg.start);
                        continue;
                    }
                }
            }
            at = e.max(s + 1);
            if clip.is_some_and(|c| at >= c) {
                clip = None;
            }
            if let Some((cs, ce)) = cand.cover {
                if e <= cs {
                    continue;
                }
                if s >= ce {
                    break;
                }
            }
            self.keep(c, hay, id, s..e, segment, opts);
            if cand.anchored {
                break;
            }
        }
        searched_to
    }

    /// Keeps the regex match `span` of detector `id` if it passes the checks and, if it
    /// needs one, has a keyword in reach (inside `segment`, with one).
    #[inline(always)]
    fn keep(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        id: DetectorId,
        span: Range<usize>,
        segment: Option<Range<usize>>,
        opts: &ScanOptions<'_>,
    ) {
        let d = &c.detectors[id.index()];
        let need_keyword = opts.needs_keyword(d.keyword_required, id);
        let (start, end) = (span.start, span.end);
        if accept(d, &hay[span], opts.allow)
            && (!need_keyword || self.keyword_near(c, id, start, end, false, segment))
        {
            self.raw.push(Match {
                start,
                end,
                detector: id,
            });
        }
    }

    fn finish(&mut self, c: &Compiled, own: Range<usize>, out: &mut Vec<Match>) {
        if self.raw.is_empty() {
            return;
        }
        // Overlapping matches of one detector (e.g. `cookie:` inside `set-cookie:`) count
        // once: keep the leftmost, longest, as a single regex pass over the text would.
        // `raw` is a few runs already in text order (each trigger's candidates, then the
        // clusters): the stable sort merges runs, in about linear time.
        self.raw
            .sort_by_key(|m| (m.start, std::cmp::Reverse(m.end), m.detector));
        self.kept_end.clear();
        self.kept_end.resize(c.detectors.len(), 0);
        let raw = &mut self.raw;
        let mut kept = 0;
        for i in 0..raw.len() {
            let m = raw[i];
            let end = &mut self.kept_end[m.detector.index()];
            // A match starting inside the detector's last kept one is dropped, and so is
            // a repeat of it (found from two triggers), empty ones included.
            if m.start < *end || kept > 0 && raw[kept - 1] == m {
                continue;
            }
            *end = m.end;
            raw[kept] = m;
            kept += 1;
        }
        raw.truncate(kept);
        // Sorted by start already: only the few matches sharing a start need reordering
        // (by end, then detector), and only there can a fallback share its stronger
        // detector's span.
        for group in raw.chunk_by_mut(|a, b| a.start == b.start) {
            if !own.contains(&group[0].start) {
                continue;
            }
            if let [m] = group {
                out.push(*m);
                continue;
            }
            group.sort_unstable();
            let group = &*group;
            out.extend(group.iter().filter(|m| {
                c.detectors[m.detector.index()]
                    .fallback_for
                    .is_none_or(|strong| {
                        !group.iter().any(|x| x.end == m.end && x.detector == strong)
                    })
            }));
        }
    }
}

/// Scans `hay` on `pool` in chunks of `chunk_len` bytes (each with [`DetectorSet::overlap`]
/// bytes of margin on both sides), one [`Matcher`] per worker. The result is identical to
/// `Matcher::scan(hay)` whatever the chunk length or the number of threads.
pub fn scan_parallel(
    set: &DetectorSet,
    pool: &rayon::ThreadPool,
    hay: &[u8],
    chunk_len: usize,
) -> Vec<Match> {
    use rayon::prelude::*;
    let chunk_len = chunk_len.max(1);
    let overlap = set.overlap();
    let starts: Vec<usize> = (0..hay.len()).step_by(chunk_len).collect();
    let parts: Vec<Vec<Match>> = pool.install(|| {
        starts
            .par_iter()
            .map_init(
                || Matcher::new(set),
                |matcher, &start| {
                    let end = (start + chunk_len).min(hay.len());
                    let lo = start.saturating_sub(overlap);
                    let hi = (end + overlap).min(hay.len());
                    let opts = ScanOptions {
                        own: Some(start - lo..end - lo),
                        ..Default::default()
                    };
                    let mut part = Vec::new();
                    matcher.scan_into(&hay[lo..hi], opts, &mut part);
                    for m in &mut part {
                        m.start += lo;
                        m.end += lo;
                    }
                    part
                },
            )
            .collect()
    });
    parts.concat()
}

/// Checks one regex match of detector `id` at `start..end` the slow, obvious way: ignore
/// words, checksum, and keyword proximity by searching the keyword automaton over the
/// match's whole keyword reach. The matcher gets the same answer from its shared keyword
/// pass; this exists for the baseline engine in the benches and for tests.
pub fn verify_match(
    set: &DetectorSet,
    hay: &[u8],
    id: DetectorId,
    start: usize,
    end: usize,
) -> bool {
    let c: &Compiled = &set.inner;
    let Some(d) = c.detectors.get(id.index()) else {
        return false;
    };
    if !accept(d, &hay[start..end], None) {
        return false;
    }
    if !d.keyword_required {
        return true;
    }
    let reach = d.max_distance + c.keyword_max_len;
    let (lo, hi) = (start.saturating_sub(reach), (end + reach).min(hay.len()));
    // Lower-case one byte more on the left (start boundary) and a keyword more on the
    // right (end boundary) than the keyword reach.
    let (wlo, whi) = (
        lo.saturating_sub(1),
        (hi + c.keyword_max_len + 1).min(hay.len()),
    );
    let lower = hay[wlo..whi].to_ascii_lowercase();
    let mut hits = Vec::new();
    c.keywords.scan(&lower, lo - wlo, hi - wlo, &mut hits);
    hits.iter().any(|h| {
        let info = &c.keyword_info[h.keyword as usize];
        let (ks, ke) = (h.start + wlo, h.end + wlo);
        let near = match d.keyword_rule {
            KeywordRule::Around if ke <= start => start - ke <= d.max_distance,
            KeywordRule::Around => ks.saturating_sub(end) <= d.max_distance,
            KeywordRule::Before => ke <= start && end - ke <= d.max_distance,
        };
        near && info.mask.contains(id)
    })
}

/// A search of `d`'s regex anchored at the start of `input`: its built DFA walks forward
/// from there where it has one (one table lookup a byte, no per-search set-up); otherwise,
/// or if the DFA gives up, the regex runs.
fn search_anchored(
    d: &Detector,
    cache: &mut meta::Cache,
    input: Input<'_>,
) -> Option<regex_automata::Match> {
    if let Some(Ok(end)) = d.anchored_dfa().map(|dfa| dfa.try_search_fwd(&input)) {
        // Detector regexes never match the empty string (the loader rejects them).
        return end.map(|end| regex_automata::Match::must(0, input.start()..end.offset()));
    }
    d.regex.search_with(cache, &input)
}

/// Ignore words, checksum and allow list for one match's bytes.
fn accept(d: &Detector, bytes: &[u8], allow: Option<&AllowList>) -> bool {
    if let Some(ignore) = &d.ignore_words {
        if ignore.found_in(bytes) {
            return false;
        }
        // The same value written with separators (`4111 1111 …`) is ignored too. Matches
        // are short: the letters and digits fit on the stack.
        if !bytes.iter().all(u8::is_ascii_alphanumeric) {
            let alnum = bytes.iter().copied().filter(u8::is_ascii_alphanumeric);
            let mut short = [0u8; 64];
            let long: Vec<u8>;
            let stripped = if bytes.len() <= short.len() {
                let mut n = 0;
                for b in alnum {
                    short[n] = b;
                    n += 1;
                }
                &short[..n]
            } else {
                long = alnum.collect();
                &long[..]
            };
            if ignore.found_in(stripped) {
                return false;
            }
        }
    }
    if let Some(check) = d.check {
        if !check.is_valid(bytes) {
            return false;
        }
    }
    !allow.is_some_and(|a| a.is_allowed(bytes))
}

/// Runs the short-number gate around `cl` (`text`: the haystack and its case-folded
/// copy; `within`: the cluster's segment) and pushes onto `merged` the keyword regions that
/// the detectors matching there need. Returns whether none of them needs verifying.
/// Members searched at the cluster's runs are checked only when the cluster has their
/// fewest digits (the card security code needs three: not for the many 1–2 digit counts).
fn gate_short_cluster(
    c: &Compiled,
    g: &SmallGate,
    scratch: &mut GateScratch<'_>,
    (hay, lower): (&[u8], &[u8]),
    cl: &Cluster,
    within: Range<usize>,
    merged: &mut Vec<(usize, usize)>,
) -> bool {
    let mut quiet = true;
    // Only the detectors that match need verifying, and those needing a keyword only if
    // one can be near: their keyword regions are searched, unless their keyword literals
    // occur nowhere within reach.
    let mut matches = |m: &GateMember| {
        if !m.keyword_required {
            quiet = false;
            return;
        }
        let (s, e) = (
            cl.start
                .saturating_sub(m.keyword_reach.before)
                .max(within.start),
            (cl.end + m.keyword_reach.after).min(within.end),
        );
        let near = s < e
            && m.literals.as_ref().is_none_or(|l| {
                let end = (e + m.literal_len).min(hay.len());
                l.find_in(lower, s..end).is_some_and(|at| at < e)
            });
        if near {
            quiet = false;
            push_region(merged, (s, e));
        }
    };
    // Anchored branches: one DFA walk from each run start of the cluster (a year is a card
    // security code, found in four bytes), which names the members whose branches match.
    let run_starts = || {
        (cl.start..cl.end)
            .filter(|&p| hay[p].is_ascii_digit() && (p == 0 || !hay[p - 1].is_ascii_digit()))
    };
    let mut named = 0u64;
    for p in run_starts() {
        let span = p..(p + g.anchored_len).min(hay.len());
        let found = g
            .anchored
            .as_ref()
            .and_then(|dfa| anchored_matches(dfa, hay, span, &g.anchored_of));
        if let Some(members) = found {
            named |= members;
            continue;
        }
        // No DFA (past its size limit): each such member's own regex, anchored here.
        for m in g.members.iter().filter(|m| m.anchored) {
            let d = &c.detectors[m.detector.index()];
            let input = Input::new(hay)
                .span(p..(p + d.max_len).min(hay.len()))
                .anchored(Anchored::Yes)
                .earliest(true);
            let cache = &mut scratch.caches[m.detector.index()];
            if d.regex.search_half_with(cache, &input).is_some() {
                matches(m);
            }
        }
    }
    while named != 0 {
        matches(&g.members[named.trailing_zeros() as usize]);
        named &= named - 1;
    }
    let (Some(regex), Some(cache)) = (&g.regex, scratch.union.as_deref_mut()) else {
        return quiet;
    };
    // A union match this cluster must find has its first digit here, at a run start, right
    // after one of the lead bytes (see `compile::gate_branches`).
    if let Some(lead) = &g.lead {
        if !run_starts().any(|p| p > 0 && lead.contains(hay[p - 1])) {
            return quiet;
        }
    }
    let (lo, hi) = (
        cl.start.saturating_sub(g.reach.before),
        (cl.end + g.reach.after).min(hay.len()),
    );
    let input = Input::new(hay).span(lo..hi).earliest(true);
    let set = &mut *scratch.set;
    set.clear();
    // Most short numbers match none: finding that out stops at the first match, listing
    // every match does not.
    let found = match (&g.dfa, scratch.dfa.as_deref_mut()) {
        (Some(dfa), Some(dfa_cache)) => {
            overlapping_match(dfa, dfa_cache, hay, lo..hi, cl.end, scratch.idle)
        }
        _ => None,
    };
    if found.unwrap_or_else(|| regex.search_half_with(cache, &input).is_some()) {
        regex.which_overlapping_matches_with(cache, &input.earliest(false), set);
    }
    for p in set.iter() {
        matches(&g.members[g.union[p.as_usize()]]);
    }
    quiet
}

/// The short-number gate's caches (for the parts it has): its union regex's and the union
/// DFA's (the anchored DFA, fully built, needs none), and the set of union patterns that
/// match around the cluster being checked.
struct GateCaches {
    union: Option<meta::Cache>,
    dfa: Option<hybrid::dfa::Cache>,
    /// The union DFA's start states after a word byte and after another byte, with the
    /// cache's clear count when they were looked up (see [`overlapping_match`]).
    idle: Option<(usize, LazyStateID, LazyStateID)>,
    set: PatternSet,
}

/// What the short-number gate searches with: [`GateCaches`], borrowed, and the detectors'
/// own caches.
struct GateScratch<'a> {
    union: Option<&'a mut meta::Cache>,
    dfa: Option<&'a mut hybrid::dfa::Cache>,
    idle: &'a mut Option<(usize, LazyStateID, LazyStateID)>,
    set: &'a mut PatternSet,
    caches: &'a mut [meta::Cache],
}

/// The index of the first hit starting at or after `lo`, galloping from `guess`: calls
/// come in text order, so the answer is usually a few hits away.
fn lower_bound_near(hits: &[KeywordHit], guess: usize, lo: usize) -> usize {
    let guess = guess.min(hits.len());
    let before = |i: usize| hits[i].start < lo;
    if guess < hits.len() && before(guess) {
        // Forward: find a hit at or after `lo`.
        let mut step = 1;
        let mut low = guess + 1;
        while low + step <= hits.len() && before(low + step - 1) {
            low += step;
            step *= 2;
        }
        let high = (low + step).min(hits.len());
        low + hits[low..high].partition_point(|h| h.start < lo)
    } else {
        // Backward: find a hit before `lo`.
        let mut step = 1;
        let mut high = guess;
        while high >= step && !before(high - step) {
            high -= step;
            step *= 2;
        }
        let low = high.saturating_sub(step);
        low + hits[low..high].partition_point(|h| h.start < lo)
    }
}

/// Adds region `s..e` to `merged` (sorted, disjoint), joining every region it reaches or
/// comes within [`REGION_JOIN`] bytes of. Regions come nearly in order, but one with a
/// longer reach can start before the last.
fn push_region(merged: &mut Vec<(usize, usize)>, (mut s, mut e): (usize, usize)) {
    while let Some(&(ls, le)) = merged.last() {
        if s > le + REGION_JOIN {
            break;
        }
        (s, e) = (s.min(ls), e.max(le));
        merged.pop();
    }
    merged.push((s, e));
}

/// How many entries of `c.digits` a cluster with `digits` digits qualifies for.
fn qualifying(c: &Compiled, digits: u32) -> usize {
    match c.digits_qualifying.get(digits as usize) {
        Some(&n) => usize::from(n),
        None => c.digits.len(),
    }
}

/// Whether `dfa` matches in `span` of `hay`, walked byte by byte: `Some(false)` as soon as,
/// past `stop`, the DFA is back in its start state (no match that starts before `stop` is
/// still in progress), so the walk rarely reaches the end of the span. `None` when the
/// lazy DFA gives up (its cache keeps filling): the caller searches another way.
fn overlapping_match(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    hay: &[u8],
    span: Range<usize>,
    stop: usize,
    idle: &mut Option<(usize, LazyStateID, LazyStateID)>,
) -> Option<bool> {
    let span_end = span.end;
    let input = Input::new(hay).span(span.clone());
    let mut sid = dfa.start_state_forward(cache, &input).ok()?;
    // The start states after a word byte and after another byte (not a line end, which
    // line anchors would tell apart).
    let idle_state = |cache: &mut hybrid::dfa::Cache, b: u8| {
        dfa.start_state(cache, &start::Config::new().look_behind(Some(b)))
            .ok()
    };
    // State ids change when the cache is cleared: then they are looked up again, and
    // not compared after a clear during the walk.
    let (after_word, after_other) = match *idle {
        Some((n, word, other)) if n == cache.clear_count() => (word, other),
        _ => {
            let states = (idle_state(cache, b'a')?, idle_state(cache, b' ')?);
            *idle = Some((cache.clear_count(), states.0, states.1));
            states
        }
    };
    let clears = cache.clear_count();
    for at in span {
        let b = hay[at];
        sid = dfa.next_state(cache, sid, b).ok()?;
        if sid.is_tagged() {
            if sid.is_match() {
                return Some(true);
            }
            if sid.is_dead() {
                return Some(false);
            }
            if sid.is_quit() {
                return None;
            }
        }
        if at >= stop && cache.clear_count() == clears {
            // Equal to either start state means the same: nothing in progress.
            let start = if b.is_ascii_alphanumeric() || b == b'_' {
                after_word
            } else if b == b'\n' || b == b'\r' {
                continue;
            } else {
                after_other
            };
            if sid == start {
                return Some(false);
            }
        }
    }
    // The last match can end at the span's end: its look-ahead sees the byte after the
    // span, as a search of the span would.
    let last = match hay.get(span_end) {
        Some(&b) => dfa.next_state(cache, sid, b),
        None => dfa.next_eoi_state(cache, sid),
    };
    Some(last.ok()?.is_match())
}

/// The members (bits; `of[pattern]` is a pattern's member) having a match of `dfa` that
/// starts at `span.start` (anchored) and ends within `span`; `None` if `dfa` has no start
/// state for the byte before (it always has one: its patterns hold no quit bytes).
fn anchored_matches(
    dfa: &dense::DFA<Vec<u32>>,
    hay: &[u8],
    span: Range<usize>,
    of: &[u8],
) -> Option<u64> {
    let before = span.start.checked_sub(1).map(|i| hay[i]);
    let config = start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(before);
    let mut sid = dfa.start_state(&config).ok()?;
    let mut members = 0u64;
    // A match state (one byte late) names every pattern with a match ending there.
    let named = |sid| {
        (0..dfa.match_len(sid))
            .map(|i| 1u64 << of[dfa.match_pattern(sid, i).as_usize()])
            .fold(0, |a, b| a | b)
    };
    for &b in &hay[span.clone()] {
        sid = dfa.next_state(sid, b);
        if dfa.is_special_state(sid) {
            if dfa.is_match_state(sid) {
                members |= named(sid);
            } else if dfa.is_dead_state(sid) {
                return Some(members);
            } else if dfa.is_quit_state(sid) {
                return None;
            }
        }
    }
    // A match can end at the span's end; its look-ahead sees the next byte.
    let last = match hay.get(span.end) {
        Some(&b) => dfa.next_state(sid, b),
        None => dfa.next_eoi_state(sid),
    };
    if dfa.is_match_state(last) {
        members |= named(last);
    }
    Some(members)
}

/// Whether `cl` can hold `min` digits of one match whose only non-digit bytes are the
/// separators marked in `masks`: whether one of its parts made of digits and separators
/// has that many. Read from the masks of the one or two blocks the cluster lies in;
/// clusters of 64 bytes or more may always.
fn may_hold(masks: &TextMasks, cl: Cluster, min: u32) -> bool {
    let len = cl.end - cl.start;
    if len >= 64 {
        return true;
    }
    let (b, off) = (cl.start / 64, (cl.start % 64) as u32);
    let at = |k: usize| masks.blocks.get(k).map_or((0, 0), |m| (m[0], m[0] | m[4]));
    let ((d0, p0), (d1, p1)) = (at(b), at(b + 1));
    // The 64 bits from the cluster's start (two shifts: never one by 64).
    let window = |lo: u64, hi: u64| lo >> off | hi << 1 << (63 - off);
    let span = (1u64 << len) - 1;
    let (digits, parts) = (window(d0, d1) & span, window(p0, p1) & span);
    // A part with `min` digits is at least `min` bytes long: most are shorter.
    let mut long = run_starts(parts, min);
    while long != 0 {
        let start = long.trailing_zeros();
        let len = (!(parts >> start)).trailing_zeros();
        let part = (u64::MAX >> (64 - len)) << start;
        if (digits & part).count_ones() >= min {
            return true;
        }
        long &= !part;
    }
    false
}

/// Bit `p` is set where bits `p..p + len` of `x` all are (`len` at least 1).
fn run_starts(mut x: u64, len: u32) -> u64 {
    let mut have = 1;
    while have * 2 <= len {
        x &= x >> have;
        have *= 2;
    }
    if have < len {
        // Two overlapping runs of `have` make one of `len`.
        x &= x >> (len - have);
    }
    x
}

/// Appends the digit clusters of `hay` (digit runs joined across at most
/// [`CLUSTER_GAP`] non-digit bytes, never a newline) in text order; with `pairs` the
/// start of every digit run right after two ASCII capitals; and with `probes` the
/// positions of the probe byte marked in `masks`. One walk of the active blocks finds all
/// three.
///
/// Works on 64-byte masks: a gap byte belongs to a cluster when a digit lies `a` bytes
/// before it and another `b` bytes after it with `a + b - 1 <= CLUSTER_GAP` and no newline
/// between them, so a block costs a few dozen mask operations plus a few instructions per
/// cluster, whatever its digit runs.
fn digit_clusters(
    hay: &[u8],
    masks: &TextMasks,
    clusters: &mut Vec<Cluster>,
    pairs: Option<&mut Vec<usize>>,
    probes: Option<&mut Vec<usize>>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has POPCNT, checked just now; the code is the same.
        unsafe { digit_clusters_popcnt(hay, masks, clusters, pairs, probes) };
        return;
    }
    digit_clusters_in(hay, masks, clusters, pairs, probes);
}

/// [`digit_clusters`] with the POPCNT instruction for its digit counts (a cluster's,
/// and a block's), which the x86-64 baseline lacks: otherwise each count is a dozen
/// instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn digit_clusters_popcnt(
    hay: &[u8],
    masks: &TextMasks,
    clusters: &mut Vec<Cluster>,
    pairs: Option<&mut Vec<usize>>,
    probes: Option<&mut Vec<usize>>,
) {
    digit_clusters_in(hay, masks, clusters, pairs, probes);
}

#[inline(always)]
fn digit_clusters_in(
    hay: &[u8],
    masks: &TextMasks,
    clusters: &mut Vec<Cluster>,
    mut pairs: Option<&mut Vec<usize>>,
    mut probes: Option<&mut Vec<usize>>,
) {
    const G: u32 = CLUSTER_GAP as u32;
    // Digit, newline and capital masks (and probes) of block `b`, none past the end.
    let masks_of = |b: usize| masks.blocks.get(b).copied().unwrap_or([0; 5]);
    // Bit p of `back(prev, cur, k)` is bit p - k of the text; of `ahead(cur, next, k)`,
    // bit p + k.
    let back = |prev: u64, cur: u64, k: u32| cur << k | prev >> (64 - k);
    let ahead = |cur: u64, next: u64, k: u32| cur >> k | next << (64 - k);
    let mut in_cluster = false;
    let (mut start, mut start_digits, mut digits_before) = (0usize, 0usize, 0usize);
    // The block after the last one with digits.
    let mut after = 0;
    // Only the blocks listed as active can hold digits; the others are never looked at.
    for &b in &masks.active {
        let b = b as usize;
        let [d, nl, up, mut marked, _] = masks_of(b);
        if let Some(probes) = probes.as_deref_mut() {
            while marked != 0 {
                probes.push(b * 64 + marked.trailing_zeros() as usize);
                marked &= marked - 1;
            }
        }
        if in_cluster && after != b {
            // A cluster running to the end of the last block with digits ends there: the
            // next block has none (its first bytes could join it only with a digit after
            // them).
            clusters.push(Cluster {
                start,
                end: after * 64,
                digits: u32::try_from(digits_before - start_digits).unwrap_or(u32::MAX),
                quiet: false,
            });
            in_cluster = false;
        }
        if d == 0 {
            continue;
        }
        after = b + 1;
        let [prev_d, prev_nl, prev_up, _, _] = b.checked_sub(1).map_or([0; 5], masks_of);
        let [next_d, next_nl, _, _, _] = masks_of(b + 1);
        let base = b * 64;
        // left[a]: a digit a bytes back, no newline from it to here (inclusive);
        // right[k]: a digit within k bytes ahead, no newline from here to it.
        let (mut left, mut right) = ([0u64; CLUSTER_GAP + 1], [0u64; CLUSTER_GAP + 1]);
        let (mut clear_back, mut clear_ahead) = (!nl, !nl);
        for k in 1..=G {
            left[k as usize] = back(prev_d, d, k) & clear_back;
            right[k as usize] = right[k as usize - 1] | ahead(d, next_d, k) & clear_ahead;
            clear_back &= !back(prev_nl, nl, k);
            clear_ahead &= !ahead(nl, next_nl, k);
        }
        let mut member = d;
        for a in 1..=G {
            member |= left[a as usize] & right[(G + 1 - a) as usize];
        }
        if let Some(pairs) = pairs.as_deref_mut() {
            let run_starts = d & !back(prev_d, d, 1);
            let mut t = run_starts & back(prev_up, up, 1) & back(prev_up, up, 2);
            while t != 0 {
                pairs.push(base + t.trailing_zeros() as usize);
                t &= t - 1;
            }
        }
        // Cluster edges: starts and ends alternate, an end first if one is open.
        let shifted = member << 1 | u64::from(in_cluster);
        let (mut starts, mut ends) = (member & !shifted, !member & shifted);
        let below = |bit: u32| d & ((1u64 << bit) - 1);
        if in_cluster && ends != 0 {
            let e = ends.trailing_zeros();
            ends &= ends - 1;
            let seen = digits_before + below(e).count_ones() as usize;
            clusters.push(Cluster {
                start,
                end: base + e as usize,
                digits: u32::try_from(seen - start_digits).unwrap_or(u32::MAX),
                quiet: false,
            });
        }
        while starts != 0 {
            let s = starts.trailing_zeros();
            starts &= starts - 1;
            if ends == 0 {
                // Open at the end of the block.
                (start, start_digits) = (
                    base + s as usize,
                    digits_before + below(s).count_ones() as usize,
                );
                break;
            }
            let e = ends.trailing_zeros();
            ends &= ends - 1;
            clusters.push(Cluster {
                start: base + s as usize,
                end: base + e as usize,
                digits: (below(e) ^ below(s)).count_ones(),
                quiet: false,
            });
        }
        in_cluster = member >> 63 == 1;
        digits_before += d.count_ones() as usize;
    }
    if in_cluster {
        clusters.push(Cluster {
            start,
            end: (after * 64).min(hay.len()),
            digits: u32::try_from(digits_before - start_digits).unwrap_or(u32::MAX),
            quiet: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::compile;
    use std::sync::Arc;

    #[test]
    fn a_detector_dfa_finds_what_its_regex_finds_anchored() {
        // Every shipped detector, at every offset of its examples and negatives, with the
        // window ending where its longest match would and at the text's end: the built DFA
        // (where the detector has one) and the regex agree on whether a match starts there
        // and where it ends.
        let set = DetectorSet::builtin().unwrap();
        let mut built = 0;
        for d in set.detectors() {
            if d.built_anchored_dfa().is_none() {
                continue;
            }
            built += 1;
            let spec = d.spec.as_ref().unwrap();
            let texts = spec.examples.iter().map(|e| &e.text);
            let mut cache = d.regex.create_cache();
            for text in texts.chain(spec.negatives.iter().map(|n| &n.text)) {
                let hay = text.as_bytes();
                for at in 0..hay.len() {
                    for to in [at + d.max_len.min(hay.len() - at), hay.len()] {
                        let input = Input::new(hay).span(at..to).anchored(Anchored::Yes);
                        let want = d.regex.search_with(&mut cache, &input);
                        let got = search_anchored(d, &mut cache, input);
                        assert_eq!(got, want, "{} at {at}..{to}", d.id);
                    }
                }
            }
        }
        // The numeric, IBAN and national-id detectors: most of the catalog.
        assert!(built > 100, "only {built} detectors have a DFA");
        let email = set.find("EMAIL_ADDRESS").unwrap();
        assert!(
            set.detectors()[email.index()]
                .built_anchored_dfa()
                .is_none(),
            "the e-mail DFA is over the limit and runs as a regex"
        );
    }

    #[test]
    fn a_detector_builds_its_dfa_only_after_many_anchored_searches() {
        let set = DetectorSet::builtin().unwrap();
        let ssn = &set.detectors()[set.find("USA_SOCIAL_SECURITY_NUMBER").unwrap().index()];
        let hay = b"ssn 123-45-6789";
        let input = Input::new(hay).span(4..hay.len()).anchored(Anchored::Yes);
        let mut cache = ssn.regex.create_cache();
        for _ in 0..crate::detector::DFA_AFTER_SEARCHES {
            assert!(search_anchored(ssn, &mut cache, input.clone()).is_some());
        }
        assert!(ssn.anchored.built.get().is_none(), "built too soon");
        assert!(search_anchored(ssn, &mut cache, input).is_some());
        assert!(
            ssn.anchored.built.get().is_some_and(Option::is_some),
            "never built"
        );
    }

    #[test]
    fn detectors_with_the_same_regex_share_its_build_and_search_count() {
        let set = DetectorSet::builtin().unwrap();
        let card = |id: &str| &set.detectors()[set.find(id).unwrap().index()];
        let (with, without) = (
            card("CREDIT_CARD_NUMBER"),
            card("CREDIT_CARD_NUMBER_(NO_KEYWORD)"),
        );
        assert_eq!(with.regex_source, without.regex_source);
        assert!(Arc::ptr_eq(&with.anchored, &without.anchored));
        // Searches by either count towards the one DFA: half by each builds it.
        let hay = b"4111 1111 1111 1111";
        let input = Input::new(hay).anchored(Anchored::Yes);
        let mut cache = with.regex.create_cache();
        for i in 0..crate::detector::DFA_AFTER_SEARCHES {
            let d = if i % 2 == 0 { with } else { without };
            assert!(search_anchored(d, &mut cache, input.clone()).is_some());
        }
        assert!(with.anchored.built.get().is_none(), "built too soon");
        assert!(search_anchored(without, &mut cache, input).is_some());
        assert!(with.anchored.built.get().is_some_and(Option::is_some));
        // Other detectors keep their own.
        let ssn = card("USA_SOCIAL_SECURITY_NUMBER");
        assert!(!Arc::ptr_eq(&with.anchored, &ssn.anchored));
    }

    /// Keyword hits starting in values without a digit, after scanning `vals` as one
    /// batch of separate values.
    fn hits_in_number_free_values(m: &mut Matcher, vals: &[String]) -> usize {
        let mut hay = Vec::new();
        let mut spans = Vec::new();
        for v in vals {
            if !hay.is_empty() {
                hay.push(b'\n');
            }
            spans.push(hay.len()..hay.len() + v.len());
            hay.extend_from_slice(v.as_bytes());
        }
        let opts = ScanOptions {
            segments: Some(&spans),
            ..ScanOptions::default()
        };
        m.scan_into(&hay, opts, &mut Vec::new());
        m.hits
            .iter()
            .filter(|h| {
                spans
                    .iter()
                    .find(|s| s.contains(&h.start))
                    .is_some_and(|s| !hay[s.clone()].iter().any(u8::is_ascii_digit))
            })
            .count()
    }

    #[test]
    fn values_without_a_number_are_searched_for_keywords_only_in_a_numbered_batch() {
        let set = DetectorSet::builtin().unwrap();
        let mut m = Matcher::new(&set);
        let note = "the credit card is on file".to_string();
        // Numbered names next to notes without a number (fewer clusters than values):
        // the notes' keywords are never looked for.
        let mixed: Vec<String> = (0..300)
            .flat_map(|i| [format!("Name {i}"), note.clone()])
            .collect();
        assert_eq!(hits_in_number_free_values(&mut m, &mixed), 0);
        // Three numbers a value on every other value (more clusters than values, every few
        // bytes): the whole batch is searched, notes too.
        let numbered: Vec<String> = (0..300)
            .flat_map(|i| {
                [
                    format!("id {i}, phone 555{i:04}, zip 9{i:04}"),
                    note.clone(),
                ]
            })
            .collect();
        assert!(hits_in_number_free_values(&mut m, &numbered) >= 300);
    }

    #[test]
    fn without_keywords_a_number_is_verified_when_a_keyword_free_detector_wants_its_digits() {
        let set = DetectorSet::builtin().unwrap();
        let card = set
            .detectors()
            .iter()
            .position(|d| d.id == "CREDIT_CARD_NUMBER_(NO_KEYWORD)")
            .unwrap();
        // The card has the fewest digits of the detectors needing no keyword.
        assert_eq!(set.inner.digits_free[0], (13, DetectorId(card as u16)));
        let mut m = Matcher::new(&set);
        // No keyword anywhere; short numbers around a 13-digit card number, at the end of
        // the text and not.
        for tail in ["", " at 10:45 by 7"] {
            let hay = format!("order 12 of 3 shipped to 4918273654011{tail}");
            let found = m.scan(hay.as_bytes());
            assert!(m.hits.is_empty());
            let at = hay.find('4').unwrap();
            let want = Match {
                start: at,
                end: at + 13,
                detector: DetectorId(card as u16),
            };
            assert_eq!(found, vec![want], "{hay:?}");
            // One digit fewer: too short for a card, nothing else to find.
            let shorter = hay.replacen("4918273654011", "491827365401", 1);
            assert!(m.scan(shorter.as_bytes()).is_empty());
        }
    }

    #[test]
    fn regions_reaching_back_are_merged_whole() {
        let mut merged = Vec::new();
        for r in [
            (100, 160),
            (300, 330),
            (90, 340),
            (500, 510),
            (450, 505),
            (700, 720),
            (728, 730),
            (739, 760),
        ] {
            push_region(&mut merged, r);
        }
        // (90, 340) starts before both earlier regions: none of its bytes is lost. Regions
        // at most REGION_JOIN bytes apart are one search.
        assert_eq!(merged, vec![(90, 340), (450, 510), (700, 730), (739, 760)]);
    }

    #[test]
    fn segment_cursor_agrees_with_binary_search_in_any_order() {
        let segs: Vec<Range<usize>> = (0..40).map(|i| i * 10..i * 10 + 6).collect();
        let plain = |at: usize| match segs.get(segs.partition_point(|r| r.end <= at)) {
            Some(seg) if seg.start <= at => seg.clone(),
            _ => at..at,
        };
        let mut cursor = 0;
        // Forward, with long jumps, then backward.
        let order: Vec<usize> = (0..420)
            .step_by(3)
            .chain((0..420).step_by(97))
            .chain((0..420).rev().step_by(7))
            .collect();
        for at in order {
            assert_eq!(
                segment_bounds(Some(&segs), &mut cursor, at, 500),
                plain(at),
                "at {at}"
            );
        }
        assert_eq!(segment_bounds(None, &mut cursor, 7, 500), 0..500);
    }

    #[test]
    fn galloping_lower_bound_agrees_with_binary_search() {
        let hits: Vec<KeywordHit> = [3usize, 3, 7, 9, 9, 9, 20, 21, 40, 41, 42, 80]
            .iter()
            .map(|&start| KeywordHit {
                start,
                end: start + 3,
                keyword: 0,
            })
            .collect();
        for lo in 0..90 {
            let want = hits.partition_point(|h| h.start < lo);
            for guess in 0..=hits.len() + 2 {
                assert_eq!(
                    lower_bound_near(&hits, guess, lo),
                    want,
                    "lo {lo} guess {guess}"
                );
            }
        }
        assert_eq!(lower_bound_near(&[], 0, 5), 0);
    }

    /// Clusters and pair starts the obvious way: runs first, then joined.
    fn naive_clusters(hay: &[u8]) -> (Vec<Cluster>, Vec<usize>) {
        let mut runs = Vec::new();
        let mut k = 0;
        while k < hay.len() {
            if hay[k].is_ascii_digit() {
                let s = k;
                while k < hay.len() && hay[k].is_ascii_digit() {
                    k += 1;
                }
                runs.push((s, k));
            } else {
                k += 1;
            }
        }
        let pairs = runs
            .iter()
            .map(|r| r.0)
            .filter(|&s| s >= 2 && hay[s - 2..s].iter().all(u8::is_ascii_uppercase))
            .collect();
        let mut clusters: Vec<Cluster> = Vec::new();
        for (s, e) in runs {
            match clusters.last_mut() {
                Some(cl) if s - cl.end <= CLUSTER_GAP && !hay[cl.end..s].contains(&b'\n') => {
                    cl.end = e;
                    cl.digits += (e - s) as u32;
                }
                _ => clusters.push(Cluster {
                    start: s,
                    end: e,
                    digits: (e - s) as u32,
                    quiet: false,
                }),
            }
        }
        (clusters, pairs)
    }

    #[test]
    fn run_starts_marks_where_long_enough_runs_begin() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Denser masks too, for long runs.
            let mask = x | x.rotate_left(11) | x.rotate_left(29);
            for len in 1..=64u32 {
                let naive = (0..64u32)
                    .filter(|&p| p + len <= 64 && (p..p + len).all(|b| mask >> b & 1 == 1))
                    .fold(0u64, |acc, p| acc | 1 << p);
                assert_eq!(run_starts(mask, len), naive, "{mask:#x} {len}");
            }
        }
    }

    #[test]
    fn overlapping_match_sees_matches_that_run_past_the_stop() {
        let dfa = hybrid::dfa::DFA::builder()
            .configure(hybrid::dfa::DFA::config().match_kind(regex_automata::MatchKind::All))
            .syntax(regex_automata::util::syntax::Config::new().unicode(false))
            .build_many(&[r"\b\d{1,2} (?:March|May) \d{4}\b", r"\bx\d{2}\b"])
            .unwrap();
        let mut cache = hybrid::dfa::Cache::new(&dfa);
        // The start states are looked up on the first call, then reused.
        let mut idle = None;
        let mut found = |text: &str, stop: usize| {
            overlapping_match(
                &dfa,
                &mut cache,
                text.as_bytes(),
                0..text.len(),
                stop,
                &mut idle,
            )
        };
        // The number ends at 6; the date runs on to 18.
        assert_eq!(found("born 5 March 1984 in Leeds", 6), Some(true));
        assert_eq!(found("born 5 Marc 1984 in Leeds", 6), Some(false));
        // A match wholly before the stop counts too.
        assert_eq!(found("a x12 then 5 more", 12), Some(true));
        // A match ending at the end of the span (the end-of-input transition).
        assert_eq!(found("on 15 May 2001", 5), Some(true));
        assert_eq!(found("on 15 May 200", 5), Some(false));
        // The byte after the span is the look-ahead of a match ending at its end.
        let dfa = hybrid::dfa::DFA::builder()
            .syntax(regex_automata::util::syntax::Config::new().unicode(false))
            .build(r"\d{3}\B")
            .unwrap();
        let mut cache = hybrid::dfa::Cache::new(&dfa);
        let mut idle = None;
        assert_eq!(
            overlapping_match(&dfa, &mut cache, b"123a", 0..3, 3, &mut idle),
            Some(true)
        );
        assert_eq!(
            overlapping_match(&dfa, &mut cache, b"123 ", 0..3, 3, &mut idle),
            Some(false)
        );
    }

    #[test]
    fn anchored_matches_names_every_member_matching_at_the_start() {
        // Built as the gate builds it, from the regexes parsed as the engine parses them.
        let branches = [r"\b\d{3,4}\b", r"\b\d{1,2} May\b", r"\b\d{4}-\d{2}\b"];
        let hirs: Vec<_> = branches
            .iter()
            .map(|r| compile::parse(r).unwrap())
            .collect();
        let dfa = compile::build_anchored_dfa(&hirs).unwrap();
        // Patterns 1 and 2 are branches of member 1; pattern 0 is member 2's.
        let of = [2, 1, 1];
        let named = |text: &str, at: usize| {
            let hay = text.as_bytes();
            anchored_matches(&dfa, hay, at..hay.len(), &of)
        };
        assert_eq!(named("in 2019 or", 3), Some(1 << 2));
        assert_eq!(named("on 12 May", 3), Some(1 << 1));
        // Matches of different lengths from one start: each is named.
        assert_eq!(named("on 2019-05 x", 3), Some(1 << 2 | 1 << 1));
        // Only matches starting there, and the byte before counts for `\b`.
        assert_eq!(named("on 12 May", 4), Some(0));
        assert_eq!(named("x2019 or", 1), Some(0));
        assert_eq!(named("-2019 or", 1), Some(1 << 2));
        assert_eq!(named("on 12345", 3), Some(0));
        // One ending at the span's end sees the byte after it.
        let hay = b"on 2019x";
        assert_eq!(anchored_matches(&dfa, hay, 3..7, &of), Some(0));
        let hay = b"on 2019 ";
        assert_eq!(anchored_matches(&dfa, hay, 3..7, &of), Some(1 << 2));
    }

    #[test]
    fn may_hold_needs_enough_digits_between_separators() {
        // Each text at every offset in its 64-byte block (the cluster in one block or
        // across two), up against the end of the text or not.
        let holds = |s: &str, seps: [u8; 2], min: u32| {
            let answers: Vec<bool> = (0..64)
                .flat_map(|at| [(at, 0), (at, 70)])
                .map(|(at, after)| {
                    let hay = format!("{}{s}{}", "x".repeat(at), " ".repeat(after));
                    let (mut lower, mut masks) = (Vec::new(), TextMasks::default());
                    let hay = hay.as_bytes();
                    crate::bytemask::lowercase_into(hay, &mut lower, &mut masks, 0, seps);
                    let cl = Cluster {
                        start: at,
                        end: at + s.len(),
                        digits: s.bytes().filter(u8::is_ascii_digit).count() as u32,
                        quiet: false,
                    };
                    may_hold(&masks, cl, min)
                })
                .collect();
            assert!(answers.iter().all(|&a| a == answers[0]), "{s}");
            answers[0]
        };
        let card = "4111-1111 1111 1111";
        assert!(holds(card, *b" -", 13));
        assert!(!holds(card, *b" -", 17));
        assert!(!holds(card, *b"--", 13));
        // A part exactly as long as the fewest digits.
        assert!(holds("4222222222222 x1", *b" -", 13));
        assert!(!holds("422222222222 x1", *b" -", 13));
        // A timestamp's parts made of digits, spaces and hyphens hold at most 8 digits.
        let stamp = "2024-03-15T12:34:56.789";
        assert!(!holds(stamp, *b" -", 13));
        assert!(holds(stamp, *b" -", 8));
        assert!(holds(stamp, *b".:", 9) && !holds(stamp, *b".:", 10));
        assert!(holds(stamp, *b"-T", 10) && !holds(stamp, *b"-T", 11));
        // 64 bytes or longer: it may.
        assert!(holds(&format!("1{}1", "x".repeat(62)), *b"00", 13));
    }

    #[test]
    fn a_cluster_ending_with_its_block_ends_before_a_block_without_digits() {
        // The block after the cluster's has no digit: listed as active only with the
        // probe byte `x`, never looked at with `Q`.
        for (run_end, gap, probe) in [
            (64, 64, b'Q'),
            (64, 64, b'x'),
            (128, 200, b'Q'),
            (192, 1, b'Q'),
        ] {
            let mut hay = vec![b'x'; run_end + gap + 70];
            hay[run_end - 3..run_end].copy_from_slice(b"123");
            hay[run_end + gap..run_end + gap + 2].copy_from_slice(b"45");
            let (mut lower, mut masks) = (Vec::new(), TextMasks::default());
            crate::bytemask::lowercase_into(&hay, &mut lower, &mut masks, probe, *b"00");
            let (mut clusters, mut pairs) = (Vec::new(), Vec::new());
            digit_clusters(&hay, &masks, &mut clusters, Some(&mut pairs), None);
            assert_eq!((clusters, pairs), naive_clusters(&hay), "{run_end} {gap}");
        }
    }

    #[test]
    fn digit_clusters_are_exact_at_every_offset() {
        let mut rng = 12345u64;
        for len in (0usize..200).chain([255, 256, 257, 640, 1000, 4096]) {
            // Density 0: bursts of up to 8 digits about 300 bytes apart, so that most blocks
            // have none (and are not listed as active, unless they hold the probe byte).
            for (density, probe) in [(2u64, b'Q'), (4, b'Q'), (9, b'x'), (0, b'Q'), (0, b'x')] {
                let mut burst = 0;
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        if density == 0 && burst == 0 && (rng >> 40) % 300 == 0 {
                            burst = 1 + (rng >> 20) % 8;
                        }
                        let sparse_digit = burst > 0 && rng % 16 > 0;
                        burst = burst.saturating_sub(1);
                        match rng % 16 {
                            0 => b'\n',
                            1 | 2 => b'A' + (rng >> 8) as u8 % 26,
                            n if n < 3 + density || sparse_digit => b'0' + (rng >> 8) as u8 % 10,
                            _ => b" -.x:"[(rng >> 8) as usize % 5],
                        }
                    })
                    .collect();
                let (mut lower, mut masks) = (Vec::new(), TextMasks::default());
                crate::bytemask::lowercase_into(&hay, &mut lower, &mut masks, probe, *b"00");
                let marked: Vec<usize> = (0..len).filter(|&i| lower[i] == probe).collect();
                let (mut clusters, mut pairs, mut probes) = (Vec::new(), Vec::new(), Vec::new());
                let outs = (Some(&mut pairs), Some(&mut probes));
                digit_clusters(&hay, &masks, &mut clusters, outs.0, outs.1);
                assert_eq!((clusters, pairs), naive_clusters(&hay), "len {len}");
                assert_eq!(probes, marked, "len {len}");
                // Without POPCNT too.
                let (mut clusters, mut pairs, mut probes) = (Vec::new(), Vec::new(), Vec::new());
                let outs = (Some(&mut pairs), Some(&mut probes));
                digit_clusters_in(&hay, &masks, &mut clusters, outs.0, outs.1);
                assert_eq!((clusters, pairs), naive_clusters(&hay), "len {len}");
                assert_eq!(probes, marked, "len {len}");
            }
        }
    }
}

//! The matcher: per-thread scratch over a shared [`DetectorSet`] that turns bytes into
//! [`Match`]es (detector + byte span — never the bytes themselves).
//!
//! One scan of a haystack:
//! 1. **Candidates** from cheap passes, never a regex over the whole text: one
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

use regex_automata::{meta, Anchored, Input};

use crate::allow::AllowList;
use crate::detector::compile::{word_bounded, AnchorKind, Compiled, KeywordRule, CLUSTER_GAP};
use crate::detector::{ContextKeywords, Detector, DetectorId, DetectorSet};

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
}

/// The longest digit cluster considered at once; longer runs are split (windows still
/// extend a full match length past each piece, so nothing is lost).
const MAX_CLUSTER: usize = 256;

#[derive(Clone, Copy)]
struct Candidate {
    detector: DetectorId,
    from: usize,
    to: usize,
    anchored: bool,
    /// A match must overlap this range (the cluster or byte that triggered it).
    cover: Option<(usize, usize)>,
}

#[derive(Clone, Copy)]
struct KeywordHit {
    start: usize,
    end: usize,
    pattern: u32,
}

/// Per-thread matching state. Create one per worker (`map_init`), reuse it for every chunk.
pub struct Matcher {
    set: DetectorSet,
    caches: Vec<meta::Cache>,
    lower: Vec<u8>,
    candidates: Vec<Candidate>,
    regions: Vec<(usize, usize)>,
    hits: Vec<KeywordHit>,
    raw: Vec<Match>,
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
            set: set.clone(),
            lower: Vec::new(),
            candidates: Vec::new(),
            regions: Vec::new(),
            hits: Vec::new(),
            raw: Vec::new(),
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
    pub fn scan_into(&mut self, hay: &[u8], opts: ScanOptions<'_>, out: &mut Vec<Match>) {
        let set = self.set.clone();
        let c: &Compiled = &set.inner;
        self.lower.clear();
        self.lower.extend(hay.iter().map(u8::to_ascii_lowercase));
        self.candidates.clear();
        self.raw.clear();

        self.anchor_candidates(c, hay);
        self.byte_candidates(c, hay);
        if !c.digits.is_empty() || c.has_pairs {
            self.digit_candidates(c, hay);
        }
        for &id in &c.unfiltered {
            self.candidates.push(Candidate {
                detector: id,
                from: 0,
                to: hay.len(),
                anchored: false,
                cover: None,
            });
        }
        self.find_keywords(c, hay, opts.context);
        for i in 0..self.candidates.len() {
            let cand = self.candidates[i];
            self.verify(c, hay, cand, &opts);
        }
        self.finish(c, opts.own.unwrap_or(0..hay.len()), out);
    }

    fn anchor_candidates(&mut self, c: &Compiled, hay: &[u8]) {
        let Some(ac) = &c.anchors else { return };
        for m in ac.find_overlapping_iter(&self.lower[..]) {
            match &c.anchor_kinds[m.pattern().as_usize()] {
                AnchorKind::Prefix(ids) => {
                    for &id in ids {
                        let d = &c.detectors[id.index()];
                        self.candidates.push(Candidate {
                            detector: id,
                            from: m.start(),
                            to: (m.start() + d.max_len).min(hay.len()),
                            anchored: true,
                            cover: None,
                        });
                    }
                }
                AnchorKind::Keyword(ids) => {
                    if !keyword_bounded(hay, m.start(), m.end()) {
                        continue;
                    }
                    for &id in ids {
                        let d = &c.detectors[id.index()];
                        let reach = d.max_distance + d.max_len;
                        self.candidates.push(Candidate {
                            detector: id,
                            from: m.start().saturating_sub(reach),
                            to: (m.end() + reach).min(hay.len()),
                            anchored: false,
                            cover: None,
                        });
                    }
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

    fn digit_candidates(&mut self, c: &Compiled, hay: &[u8]) {
        let mut i = 0;
        while let Some(first) = next_digit(hay, i) {
            let start = first;
            let mut end = digit_run_end(hay, first);
            let mut ndigits = end - first;
            let mut run = first;
            loop {
                self.pair_candidates(c, hay, run);
                if end - start >= MAX_CLUSTER {
                    break;
                }
                let limit = (end + CLUSTER_GAP + 1).min(hay.len());
                match hay[end..limit]
                    .iter()
                    .position(|b| b.is_ascii_digit() || *b == b'\n')
                {
                    Some(k) if hay[end + k] != b'\n' => {
                        run = end + k;
                        end = digit_run_end(hay, run);
                        ndigits += end - run;
                    }
                    _ => break,
                }
            }
            let n = u32::try_from(ndigits).unwrap_or(u32::MAX);
            for &(min, id) in &c.digits {
                if min > n {
                    break;
                }
                let d = &c.detectors[id.index()];
                self.candidates.push(Candidate {
                    detector: id,
                    from: start.saturating_sub(d.max_len),
                    to: (end + d.max_len).min(hay.len()),
                    anchored: false,
                    cover: Some((start, end)),
                });
            }
            i = end;
        }
    }

    fn pair_candidates(&mut self, c: &Compiled, hay: &[u8], run: usize) {
        if !c.has_pairs || run < 2 {
            return;
        }
        let (a, b) = (hay[run - 2], hay[run - 1]);
        if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
            return;
        }
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

    /// Finds keyword hits in the merged windows of every candidate that needs a keyword.
    fn find_keywords(&mut self, c: &Compiled, hay: &[u8], context: Option<&ContextKeywords>) {
        self.hits.clear();
        self.regions.clear();
        let Some(ac) = &c.keywords else { return };
        let pad = c.keyword_max_len;
        for cand in &self.candidates {
            let d = &c.detectors[cand.detector.index()];
            if !d.keyword_required || context.is_some_and(|x| x.contains(cand.detector)) {
                continue;
            }
            let reach = d.max_distance + pad;
            self.regions.push((
                cand.from.saturating_sub(reach),
                (cand.to + reach).min(hay.len()),
            ));
        }
        if self.regions.is_empty() {
            return;
        }
        self.regions.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.regions.len());
        for &(s, e) in &self.regions {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            let input = aho_corasick::Input::new(&self.lower[..]).span(s..e);
            for m in ac.find_overlapping_iter(input) {
                let info = &c.keyword_info[m.pattern().as_usize()];
                if word_bounded(hay, m.start(), m.end(), info) {
                    self.hits.push(KeywordHit {
                        start: m.start(),
                        end: m.end(),
                        pattern: m.pattern().as_u32(),
                    });
                }
            }
        }
        self.hits.sort_unstable_by_key(|h| (h.start, h.end));
    }

    /// Whether a keyword of `id` lies near `start..end` under the detector's rule.
    /// With `window`, `start..end` is a candidate window rather than a match, and any
    /// keyword within reach of it counts (a superset of the exact rule).
    fn keyword_near(
        &self,
        c: &Compiled,
        id: DetectorId,
        start: usize,
        end: usize,
        window: bool,
    ) -> bool {
        let d = &c.detectors[id.index()];
        let rule = if window {
            KeywordRule::Around
        } else {
            d.keyword_rule
        };
        let lo = start.saturating_sub(d.max_distance + c.keyword_max_len);
        let first = self.hits.partition_point(|h| h.start < lo);
        for h in &self.hits[first..] {
            if h.start > end + d.max_distance {
                break;
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
            if near && c.keyword_info[h.pattern as usize].detectors.contains(&id) {
                return true;
            }
        }
        false
    }

    fn verify(&mut self, c: &Compiled, hay: &[u8], cand: Candidate, opts: &ScanOptions<'_>) {
        let id = cand.detector;
        let d = &c.detectors[id.index()];
        let need_keyword = d.keyword_required && !opts.context.is_some_and(|x| x.contains(id));
        if need_keyword && !self.keyword_near(c, id, cand.from, cand.to, true) {
            return;
        }
        let mut at = cand.from;
        while at < cand.to {
            let anchored = if cand.anchored {
                Anchored::Yes
            } else {
                Anchored::No
            };
            let input = Input::new(hay).span(at..cand.to).anchored(anchored);
            let Some(m) = d.regex.search_with(&mut self.caches[id.index()], &input) else {
                break;
            };
            let (s, e) = (m.start(), m.end());
            at = e.max(s + 1);
            if let Some((cs, ce)) = cand.cover {
                if e <= cs {
                    continue;
                }
                if s >= ce {
                    break;
                }
            }
            if accept(d, &hay[s..e], opts.allow)
                && (!need_keyword || self.keyword_near(c, id, s, e, false))
            {
                self.raw.push(Match {
                    start: s,
                    end: e,
                    detector: id,
                });
            }
            if cand.anchored {
                break;
            }
        }
    }

    fn finish(&mut self, c: &Compiled, own: Range<usize>, out: &mut Vec<Match>) {
        self.raw.sort_unstable();
        self.raw.dedup();
        let raw = &self.raw;
        let superseded = |i: usize| {
            let m = raw[i];
            let Some(strong) = c.detectors[m.detector.index()].fallback_for else {
                return false;
            };
            let same_span = |j: &usize| raw[*j].start == m.start && raw[*j].end == m.end;
            (0..i)
                .rev()
                .take_while(same_span)
                .chain((i + 1..raw.len()).take_while(same_span))
                .any(|j| raw[j].detector == strong)
        };
        for (i, m) in raw.iter().enumerate() {
            if own.contains(&m.start) && !superseded(i) {
                out.push(*m);
            }
        }
    }
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
    let Some(ac) = &c.keywords else { return false };
    let reach = d.max_distance + c.keyword_max_len;
    let (lo, hi) = (start.saturating_sub(reach), (end + reach).min(hay.len()));
    let lower = hay[lo..hi].to_ascii_lowercase();
    ac.find_overlapping_iter(&lower[..]).any(|m| {
        let info = &c.keyword_info[m.pattern().as_usize()];
        let (ks, ke) = (m.start() + lo, m.end() + lo);
        let near = match d.keyword_rule {
            KeywordRule::Around if ke <= start => start - ke <= d.max_distance,
            KeywordRule::Around => ks.saturating_sub(end) <= d.max_distance,
            KeywordRule::Before => ke <= start && end - ke <= d.max_distance,
        };
        near && info.detectors.contains(&id) && word_bounded(hay, ks, ke, info)
    })
}

/// Ignore words, checksum and allow list for one match's bytes.
fn accept(d: &Detector, bytes: &[u8], allow: Option<&AllowList>) -> bool {
    if !d.ignore_words.is_empty() {
        let stripped: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        if d.ignore_words
            .iter()
            .any(|w| contains(bytes, w) || contains(&stripped, w))
        {
            return false;
        }
    }
    if let Some(check) = d.check {
        if !check.is_valid(bytes) {
            return false;
        }
    }
    !allow.is_some_and(|a| a.is_allowed(bytes))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(hay, needle).is_some()
}

/// Word-boundary check for keyword anchors (both ends; keywords of keyword-triggered
/// detectors start and end with letters).
fn keyword_bounded(hay: &[u8], start: usize, end: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    (start == 0 || !word(hay[start - 1])) && (end >= hay.len() || !word(hay[end]))
}

/// The next ASCII digit at or after `i`. Tests 32-byte blocks with a branch-free fold the
/// compiler vectorises, so clean text is skipped at several GB/s.
fn next_digit(hay: &[u8], mut i: usize) -> Option<usize> {
    while i + 32 <= hay.len() {
        let block = &hay[i..i + 32];
        let any = block
            .iter()
            .fold(false, |acc, &b| acc | (b.wrapping_sub(b'0') < 10));
        if any {
            return block.iter().position(u8::is_ascii_digit).map(|k| i + k);
        }
        i += 32;
    }
    hay[i..].iter().position(u8::is_ascii_digit).map(|k| i + k)
}

fn digit_run_end(hay: &[u8], i: usize) -> usize {
    hay[i..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(hay.len(), |k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_digit_finds_every_position() {
        let mut hay = vec![b'a'; 100];
        for p in [0usize, 31, 32, 63, 64, 99] {
            hay.iter_mut().for_each(|b| *b = b'a');
            hay[p] = b'7';
            assert_eq!(next_digit(&hay, 0), Some(p));
            assert_eq!(next_digit(&hay, p + 1), None);
        }
    }
}

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
use crate::detector::compile::{Compiled, KeywordRule, CLUSTER_GAP};
use crate::detector::keywords::KeywordHit;
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
struct Cluster {
    start: usize,
    end: usize,
    digits: u32,
}

/// Per-thread matching state. Create one per worker (`map_init`), reuse it for every chunk.
pub struct Matcher {
    set: DetectorSet,
    caches: Vec<meta::Cache>,
    lower: Vec<u8>,
    candidates: Vec<Candidate>,
    clusters: Vec<Cluster>,
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
            set: set.clone(),
            lower: Vec::new(),
            candidates: Vec::new(),
            clusters: Vec::new(),
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
    pub fn scan_into(&mut self, hay: &[u8], opts: ScanOptions<'_>, out: &mut Vec<Match>) {
        let set = self.set.clone();
        let c: &Compiled = &set.inner;
        self.lower.clear();
        self.lower.extend(hay.iter().map(u8::to_ascii_lowercase));
        self.candidates.clear();
        self.raw.clear();

        self.anchor_candidates(c, hay);
        self.byte_candidates(c, hay);
        self.clusters.clear();
        if !c.digits.is_empty() || c.has_pairs {
            self.find_clusters(c, hay);
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
        self.find_keywords(c, hay);
        for i in 0..self.candidates.len() {
            let cand = self.candidates[i];
            self.verify(c, hay, cand, &opts);
        }
        for i in 0..self.clusters.len() {
            let cl = self.clusters[i];
            self.verify_cluster(c, hay, cl, &opts);
        }
        self.finish(c, opts.own.unwrap_or(0..hay.len()), out);
    }

    /// One leftmost-longest pass of the literal-prefix automaton, restarted one byte after
    /// each hit so overlapping anchors are all seen; patterns that are prefixes of a hit
    /// count too.
    fn anchor_candidates(&mut self, c: &Compiled, hay: &[u8]) {
        let Some(ac) = &c.anchors else { return };
        let mut at = 0;
        while at < hay.len() {
            let Some(m) = ac.find(aho_corasick::Input::new(&self.lower[..]).span(at..hay.len()))
            else {
                break;
            };
            at = m.start() + 1;
            let p = m.pattern().as_usize();
            for k in std::iter::once(p).chain(c.anchor_prefixes[p].iter().copied()) {
                self.anchor_hit(c, hay, &c.anchor_detectors[k], m.start());
            }
        }
    }

    fn anchor_hit(&mut self, c: &Compiled, hay: &[u8], ids: &[DetectorId], start: usize) {
        for &id in ids {
            let d = &c.detectors[id.index()];
            self.candidates.push(Candidate {
                detector: id,
                from: start,
                to: (start + d.max_len).min(hay.len()),
                anchored: true,
                cover: None,
            });
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

    /// Finds digit clusters: digits joined across at most `CLUSTER_GAP` non-digit bytes
    /// (never a newline). IBAN-style pairs are checked at every digit run.
    fn find_clusters(&mut self, c: &Compiled, hay: &[u8]) {
        let mut i = 0;
        while let Some(first) = next_digit(hay, i) {
            let mut end = digit_run_end(hay, first);
            let mut digits = end - first;
            let mut run = first;
            loop {
                self.pair_candidates(c, hay, run);
                let limit = (end + CLUSTER_GAP + 1).min(hay.len());
                match hay[end..limit]
                    .iter()
                    .position(|b| b.is_ascii_digit() || *b == b'\n')
                {
                    Some(k) if hay[end + k] != b'\n' => {
                        run = end + k;
                        end = digit_run_end(hay, run);
                        digits += end - run;
                    }
                    _ => break,
                }
            }
            self.clusters.push(Cluster {
                start: first,
                end,
                digits: u32::try_from(digits).unwrap_or(u32::MAX),
            });
            i = end;
        }
    }

    /// Runs the digit-triggered detectors on one cluster. The keyword hits near the
    /// cluster are looked up once; detectors needing an absent keyword cost nothing more.
    fn verify_cluster(&mut self, c: &Compiled, hay: &[u8], cl: Cluster, opts: &ScanOptions<'_>) {
        let (lo, hi) = (
            cl.start.saturating_sub(c.digits_kw_reach),
            cl.end + c.digits_kw_reach,
        );
        let first = self.hits.partition_point(|h| h.start < lo);
        let last = first + self.hits[first..].partition_point(|h| h.start <= hi);
        let list = if first == last && opts.context.is_none() {
            &c.digits_free
        } else {
            &c.digits
        };
        for &(min, id) in list {
            if min > cl.digits {
                break;
            }
            let d = &c.detectors[id.index()];
            if d.keyword_required
                && !opts.context.is_some_and(|x| x.contains(id))
                && !self.hits[first..last]
                    .iter()
                    .any(|h| c.keyword_info[h.keyword as usize].detectors.contains(&id))
            {
                continue;
            }
            let cand = Candidate {
                detector: id,
                from: cl.start.saturating_sub(d.digit_pre),
                to: (cl.end + d.digit_suf).min(hay.len()),
                anchored: false,
                cover: Some((cl.start, cl.end)),
            };
            self.verify(c, hay, cand, opts);
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

    /// Finds every keyword in the text (one pass of the word-start scanner) and turns hits
    /// of keyword-triggered detectors into candidate windows.
    fn find_keywords(&mut self, c: &Compiled, hay: &[u8]) {
        self.hits.clear();
        c.keywords.scan(&self.lower, 0, hay.len(), &mut self.hits);
        for h in &self.hits {
            for &id in &c.keyword_info[h.keyword as usize].triggers {
                let d = &c.detectors[id.index()];
                let reach = d.max_distance + d.max_len;
                self.candidates.push(Candidate {
                    detector: id,
                    from: h.start.saturating_sub(reach),
                    to: (h.end + reach).min(hay.len()),
                    anchored: false,
                    cover: None,
                });
            }
        }
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
            if near && c.keyword_info[h.keyword as usize].detectors.contains(&id) {
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
        // Overlapping matches of one detector (e.g. `cookie:` inside `set-cookie:`) count
        // once: keep the leftmost, longest, as a single regex pass over the text would.
        self.raw
            .sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end), m.detector));
        self.raw.dedup();
        self.kept_end.clear();
        self.kept_end.resize(c.detectors.len(), 0);
        let kept_end = &mut self.kept_end;
        self.raw.retain(|m| {
            let end = &mut kept_end[m.detector.index()];
            let keep = m.start >= *end;
            if keep {
                *end = m.end;
            }
            keep
        });
        self.raw.sort_unstable();
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
        near && info.detectors.contains(&id)
    })
}

/// Ignore words, checksum and allow list for one match's bytes.
fn accept(d: &Detector, bytes: &[u8], allow: Option<&AllowList>) -> bool {
    if let Some(ignore) = &d.ignore_words {
        if ignore.is_match(bytes) {
            return false;
        }
        let stripped: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        if stripped.len() != bytes.len() && ignore.is_match(&stripped[..]) {
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

/// The next ASCII digit at or after `i`, 64 bytes at a time.
fn next_digit(hay: &[u8], mut i: usize) -> Option<usize> {
    while let Some(block) = hay
        .get(i..i + 64)
        .and_then(|b| <&[u8; 64]>::try_from(b).ok())
    {
        let mask = crate::bytemask::digits(block);
        if mask != 0 {
            return Some(i + mask.trailing_zeros() as usize);
        }
        i += 64;
    }
    hay.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|k| i + k)
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

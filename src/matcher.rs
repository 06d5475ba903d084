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

use regex_automata::{meta, Anchored, Input};

use crate::allow::AllowList;
use crate::detector::compile::{AnchorKind, Compiled, DetectorMask, KeywordRule, CLUSTER_GAP};
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
    /// The haystack is many separate values (CSV cells, Parquet values) joined by
    /// separators: these are the values' spans, sorted. A match must lie inside one value
    /// and only keywords inside that value count, exactly as if each value were scanned
    /// alone. Separators must be at least [`SEGMENT_GAP`] bytes of `\n`, so no digit
    /// cluster spans two values.
    pub segments: Option<&'a [Range<usize>]>,
}

/// Text longer than two blocks is scanned a block at a time: a block and its lower-cased
/// copy stay in the core's L2 cache through every pass.
const BLOCK: usize = 128 << 10;

/// Shortest separator between segments (more than the digit-cluster gap).
pub const SEGMENT_GAP: usize = 5;

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

#[derive(Clone, Copy)]
struct Cluster {
    start: usize,
    end: usize,
    digits: u32,
    /// Its shortest digit run.
    shortest: u32,
    /// Its digit runs: `runs[first_run..last_run]`.
    first_run: u32,
    last_run: u32,
}

/// Per-thread matching state. Create one per worker (`map_init`), reuse it for every chunk.
pub struct Matcher {
    set: DetectorSet,
    caches: Vec<meta::Cache>,
    lower: Vec<u8>,
    candidates: Vec<Candidate>,
    clusters: Vec<Cluster>,
    runs: Vec<(usize, usize)>,
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
            set: set.clone(),
            lower: Vec::new(),
            candidates: Vec::new(),
            clusters: Vec::new(),
            runs: Vec::new(),
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
        self.lower.clear();
        self.lower.extend(hay.iter().map(u8::to_ascii_lowercase));
        self.candidates.clear();
        self.clusters.clear();
        self.raw.clear();

        self.anchor_candidates(c, hay);
        self.byte_candidates(c, hay);
        if !c.digits.is_empty() || c.has_pairs {
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
        let (ids, keyword) = match kind {
            AnchorKind::Prefix(ids) => (ids, false),
            AnchorKind::Keyword(ids) => (ids, true),
        };
        for &id in ids {
            let d = &c.detectors[id.index()];
            self.candidates.push(if keyword {
                // The hit may be one word of a longer keyword (`fiscale` of `codice
                // fiscale`): reach past the whole keyword on both sides.
                let reach = d.max_distance + d.max_len + c.keyword_max_len;
                Candidate {
                    detector: id,
                    from: start.saturating_sub(reach),
                    to: (end + reach).min(hay.len()),
                    anchored: false,
                    cover: None,
                }
            } else {
                Candidate {
                    detector: id,
                    from: start,
                    to: (start + d.max_len).min(hay.len()),
                    anchored: true,
                    cover: None,
                }
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

    /// Finds digit clusters: digit runs joined across at most `CLUSTER_GAP` non-digit
    /// bytes (never a newline). IBAN-style pairs are checked at every digit run.
    fn find_clusters(&mut self, c: &Compiled, hay: &[u8]) {
        self.runs.clear();
        digit_runs(hay, &mut self.runs);
        let mut current: Option<Cluster> = None;
        for i in 0..self.runs.len() {
            let (s, e) = self.runs[i];
            self.pair_candidates(c, hay, s);
            let n = (e - s) as u32;
            current = match current {
                // At most CLUSTER_GAP bytes: a plain loop beats a memchr call.
                Some(mut cl)
                    if s - cl.end <= CLUSTER_GAP && hay[cl.end..s].iter().all(|&b| b != b'\n') =>
                {
                    cl.end = e;
                    cl.digits = cl.digits.saturating_add(n);
                    cl.shortest = cl.shortest.min(n);
                    cl.last_run = i as u32 + 1;
                    Some(cl)
                }
                other => {
                    self.clusters.extend(other);
                    Some(Cluster {
                        start: s,
                        end: e,
                        digits: n,
                        shortest: n,
                        first_run: i as u32,
                        last_run: i as u32 + 1,
                    })
                }
            };
        }
        self.clusters.extend(current);
    }

    /// Runs the digit-triggered detectors on one cluster. The keywords near the cluster
    /// are gathered once into a detector bitset; detectors needing an absent keyword cost
    /// one bit test.
    fn verify_cluster(&mut self, c: &Compiled, hay: &[u8], cl: Cluster, opts: &ScanOptions<'_>) {
        let qualifying = qualifying(c, cl.digits);
        let reach = c.digits_kw_reach[qualifying];
        // Keywords only count inside the cluster's own value (with segments).
        let within = segment_bounds(opts.segments, &mut self.segment_cursor, cl.start, hay.len());
        let (lo, hi) = (
            cl.start.saturating_sub(reach).max(within.start),
            (cl.end + reach).min(within.end),
        );
        // Clusters come in text order, so hits before this one's widest possible window
        // are never needed again: the cursor only moves forward.
        let floor = cl
            .start
            .saturating_sub(c.digits_kw_reach.last().copied().unwrap_or(0));
        while self.hit_cursor < self.hits.len() && self.hits[self.hit_cursor].start < floor {
            self.hit_cursor += 1;
        }
        let mut first = self.hit_cursor;
        while first < self.hits.len() && self.hits[first].start < lo {
            first += 1;
        }
        let mut last = first;
        while last < self.hits.len() && self.hits[last].start <= hi {
            last += 1;
        }
        let list = if first == last && opts.context.is_none() {
            &c.digits_free
        } else {
            &c.digits
        };
        if first < last {
            self.near.clear();
            self.near.0.resize(c.detectors.len().div_ceil(64), 0);
            for h in &self.hits[first..last] {
                self.near
                    .union_with(&c.keyword_info[h.keyword as usize].mask);
            }
        }
        for &(min, id) in list {
            if min > cl.digits {
                break;
            }
            let (keyword_required, max_run) = c.gates[id.index()];
            if cl.shortest > max_run {
                // Every digit run of a match is a whole run of the text: too long here.
                continue;
            }
            let has_keyword = first < last && self.near.contains(id);
            if keyword_required && !has_keyword && !opts.context.is_some_and(|x| x.contains(id)) {
                continue;
            }
            let d = &c.detectors[id.index()];
            // A run longer than any in a match, or a gap byte no match holds, splits the
            // cluster: search each part with enough digits on its own.
            let mut r = cl.first_run;
            while r < cl.last_run {
                let from = r;
                let mut digits = 0;
                while let Some(&(s, e)) = self.runs.get(r as usize).filter(|_| r < cl.last_run) {
                    if e - s > max_run as usize {
                        break;
                    }
                    digits += (e - s) as u32;
                    r += 1;
                    let gap = self.runs.get(r as usize).map_or(e..e, |next| e..next.0);
                    if r < cl.last_run && !hay[gap].iter().all(|&b| d.alphabet.contains(b)) {
                        break;
                    }
                }
                if r == from {
                    r += 1;
                } else if digits >= min {
                    self.verify_runs(c, hay, id, from..r, opts);
                }
            }
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
        let (start, end) = (
            self.runs[runs.start as usize].0,
            self.runs[runs.end as usize - 1].1,
        );
        let window = Candidate {
            detector: id,
            from: start.saturating_sub(d.digit_pre),
            to: (end + d.digit_suf).min(hay.len()),
            anchored: false,
            cover: Some((start, end)),
        };
        // Anchored searches pay off for a few runs (IDs, cards); many runs (timestamps,
        // version strings) are cheaper as one window search.
        if !d.at_run_starts || runs.len() > 3 {
            // The bitset used the widest reach of any detector; check this one's window.
            self.verify(c, hay, window, opts, false);
            return;
        }
        let needs = d.keyword_required && !opts.context.is_some_and(|x| x.contains(id));
        if needs && !self.keyword_near(c, id, window.from, window.to, true, None) {
            return;
        }
        for r in runs {
            let start = self.runs[r as usize].0;
            let cand = Candidate {
                detector: id,
                from: start,
                to: (start + d.max_len).min(hay.len()),
                anchored: true,
                cover: None,
            };
            self.verify(c, hay, cand, opts, true);
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
        // Clusters come in text order; only the few candidate regions need sorting.
        self.regions.sort_unstable();
        let mut segment_cursor = 0;
        let cluster_regions = self
            .clusters
            .iter()
            .filter(|cl| cl.digits >= c.digits_kw_min)
            .map(|cl| {
                let reach = c.digits_kw_reach[qualifying(c, cl.digits)];
                let within = segment_bounds(segments, &mut segment_cursor, cl.start, hay.len());
                (
                    cl.start.saturating_sub(reach).max(within.start),
                    (cl.end + reach).min(within.end),
                )
            });
        let mut merged: Vec<(usize, usize)> = std::mem::take(&mut self.merged);
        merged.clear();
        let mut push = |(s, e): (usize, usize)| match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        };
        let mut extra = self.regions.iter().copied().peekable();
        for r in cluster_regions {
            while let Some(x) = extra.next_if(|x| x.0 <= r.0) {
                push(x);
            }
            push(r);
        }
        extra.for_each(&mut push);
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

    /// Runs a candidate's regex and checks. `keyword_seen`: the caller already found a
    /// keyword of this detector within reach of the window.
    fn verify(
        &mut self,
        c: &Compiled,
        hay: &[u8],
        cand: Candidate,
        opts: &ScanOptions<'_>,
        keyword_seen: bool,
    ) {
        let id = cand.detector;
        let d = &c.detectors[id.index()];
        let need_keyword = d.keyword_required && !opts.context.is_some_and(|x| x.contains(id));
        if need_keyword
            && !keyword_seen
            && !self.keyword_near(c, id, cand.from, cand.to, true, None)
        {
            return;
        }
        let (mut at, mut stop) = (cand.from, cand.to);
        if let (Some((cs, ce)), false) = (cand.cover, cand.anchored) {
            // A match overlapping the trigger lies in the run of the detector's bytes
            // around it.
            at = cs;
            while at > cand.from && d.alphabet.contains(hay[at - 1]) {
                at -= 1;
            }
            stop = ce.max(at);
            while stop < cand.to && d.alphabet.contains(hay[stop]) {
                stop += 1;
            }
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
            let Some(m) = d.regex.search_with(&mut self.caches[id.index()], &input) else {
                match clip.take() {
                    Some(end) if end < stop && !cand.anchored => {
                        at = end;
                        continue;
                    }
                    _ => break,
                }
            };
            let (s, e) = (m.start(), m.end());
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
            if accept(d, &hay[s..e], opts.allow)
                && (!need_keyword || self.keyword_near(c, id, s, e, false, segment.clone()))
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
        if self.raw.is_empty() {
            return;
        }
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
        near && info.mask.contains(id)
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

/// How many entries of `c.digits` a cluster with `digits` digits qualifies for.
fn qualifying(c: &Compiled, digits: u32) -> usize {
    match c.digits_qualifying.get(digits as usize) {
        Some(&n) => usize::from(n),
        None => c.digits.len(),
    }
}

/// Appends every maximal run of ASCII digits as `(start, end)`, in order. Works on
/// 64-byte digit masks: run starts and ends are the mask's 0→1 and 1→0 transitions, so a
/// block without digits costs one mask.
fn digit_runs(hay: &[u8], runs: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    let mut in_run = false;
    let mut run_start = 0;
    while i < hay.len() {
        let n = (hay.len() - i).min(64);
        let mask = match hay
            .get(i..i + 64)
            .and_then(|b| <&[u8; 64]>::try_from(b).ok())
        {
            Some(block) => crate::bytemask::digits(block),
            None => hay[i..]
                .iter()
                .enumerate()
                .fold(0u64, |m, (k, b)| m | u64::from(b.is_ascii_digit()) << k),
        };
        if mask == 0 && !in_run {
            i += n;
            continue;
        }
        let valid = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let shifted = (mask << 1) | u64::from(in_run);
        let starts = mask & !shifted;
        let ends = !mask & shifted & valid;
        let mut t = starts | ends;
        while t != 0 {
            let b = t.trailing_zeros();
            t &= t - 1;
            if starts >> b & 1 == 1 {
                run_start = i + b as usize;
            } else {
                runs.push((run_start, i + b as usize));
            }
        }
        in_run = mask >> (n - 1) & 1 == 1;
        i += n;
    }
    if in_run {
        runs.push((run_start, hay.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn digit_runs_are_exact_at_every_offset() {
        for len in [1usize, 63, 64, 65, 127, 128, 200] {
            let mut rng = 12345u64;
            let hay: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    if rng % 3 == 0 {
                        b'a'
                    } else {
                        b'0' + (rng % 10) as u8
                    }
                })
                .collect();
            let mut expected = Vec::new();
            let mut k = 0;
            while k < hay.len() {
                if hay[k].is_ascii_digit() {
                    let s = k;
                    while k < hay.len() && hay[k].is_ascii_digit() {
                        k += 1;
                    }
                    expected.push((s, k));
                } else {
                    k += 1;
                }
            }
            let mut got = Vec::new();
            digit_runs(&hay, &mut got);
            assert_eq!(got, expected, "len {len}");
        }
    }
}

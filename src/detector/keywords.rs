//! The keyword scanner: finds every keyword variant (lower case, at word boundaries) in a
//! case-folded haystack.
//!
//! Keyword lists run to hundreds of literals, past what Aho-Corasick's SIMD searcher takes
//! (peers.md §3.4), and its DFA costs one table transition per byte. Keywords start at word
//! boundaries, so this scanner only looks at word starts: a vectorised mask finds them 64
//! bytes at a time, a 64 Kibit bitmap of hashed 3-byte keyword prefixes (8 KiB, stays in
//! L1) rejects almost all of them, a second one of hashed (prefix, first-word length)
//! pairs most of the rest, and the survivors are compared directly with the few keywords
//! in their hash bucket. A keyword's first word (its leading word bytes) must be a whole
//! word of the text, so the text word's length must equal it: common words that share a
//! keyword's prefix (`contract`, `contact`) stop at the second bitmap.

/// Bits of the prefix hash.
const HASH_BITS: u32 = 16;

/// Hash of a 3-byte prefix and the length of the word starting with it (capped at 255;
/// 0 for the prefix alone).
fn hash(a: u8, b: u8, c: u8, word_len: usize) -> usize {
    let len = u32::from(u8::try_from(word_len).unwrap_or(u8::MAX));
    mix(u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16 | len << 24)
}

/// [`hash`] of the prefix and word length packed as `a | b << 8 | c << 16 | len << 24`.
fn mix(x: u32) -> usize {
    (x.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Whether bit `h` of `bitmap` is set.
fn has(bitmap: &[u64], h: usize) -> bool {
    bitmap[h / 64] & (1 << (h % 64)) != 0
}

/// Leading word bytes of `bytes`, counting at most `limit`.
fn word_len(bytes: &[u8], limit: usize) -> usize {
    bytes
        .iter()
        .take(limit)
        .take_while(|&&b| is_word(b))
        .count()
}

/// Whether `b` continues a word (bytes ≥ 0x80 do, so keywords are not found inside
/// UTF-8 words).
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A keyword hit: byte span and keyword index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeywordHit {
    pub start: usize,
    pub end: usize,
    pub keyword: u32,
}

/// One keyword as a bucket holds it: a test reads this entry alone (and, past 8 bytes,
/// the keyword's tail).
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// First ≤ 8 bytes as a little-endian word, and the mask of its bytes.
    head: u64,
    mask: u64,
    keyword: u32,
    len: u16,
    /// The keyword ends with a word byte: a hit must end at a word boundary.
    end_boundary: bool,
}

impl Entry {
    fn new(k: &[u8], keyword: u32) -> Entry {
        let n = k.len().min(8);
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&k[..n]);
        Entry {
            head: u64::from_le_bytes(word),
            mask: u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0),
            keyword,
            len: u16::try_from(k.len()).unwrap_or(u16::MAX),
            end_boundary: k.last().is_some_and(|&b| is_word(b)),
        }
    }
}

/// Compiled keyword scanner over lower-case keyword variants.
#[derive(Debug)]
pub(crate) struct KeywordScanner {
    keywords: Vec<Vec<u8>>,
    /// Hashed 3-byte prefixes (sized so a hash indexes it without a bounds check).
    prefixes: Box<[u64; 1 << (HASH_BITS - 6)]>,
    /// Hashed (prefix, first-word length) pairs, which also key the buckets.
    bitmap: Box<[u64; 1 << (HASH_BITS - 6)]>,
    /// Set bits of `bitmap` before each of its words: with the bits before `h` in its own
    /// word, the bucket number of hash `h`. Buckets are numbered by set bits only, so the
    /// tables a survivor reads take a few KiB (a table by hash took 256 KiB, past L2).
    rank: Box<[u16; 1 << (HASH_BITS - 6)]>,
    /// `bucket_start[b]..bucket_start[b + 1]` indexes `entries`.
    bucket_start: Vec<u32>,
    entries: Vec<Entry>,
    /// Keywords that do not start with a word byte (checked at every position).
    loose: Vec<Entry>,
    /// Some keyword starts with a digit; if none does, words starting with one are skipped.
    digit_led: bool,
    /// The longest first word of any keyword: longer text words are skipped.
    longest_first_word: usize,
}

impl KeywordScanner {
    /// Builds a scanner; every keyword must be at least 3 bytes (the loader enforces it).
    pub fn new(keywords: Vec<Vec<u8>>) -> KeywordScanner {
        let size = 1usize << HASH_BITS;
        let mut bitmap = Box::new([0u64; 1 << (HASH_BITS - 6)]);
        let mut prefixes = Box::new([0u64; 1 << (HASH_BITS - 6)]);
        let mut per_bucket: Vec<Vec<Entry>> = vec![Vec::new(); size];
        let mut loose = Vec::new();
        let mut longest_first_word = 0;
        for (i, k) in keywords.iter().enumerate() {
            let entry = Entry::new(k, i as u32);
            if k.len() < 3 || !is_word(k[0]) {
                loose.push(entry);
                continue;
            }
            let first_word = word_len(k, usize::MAX);
            longest_first_word = longest_first_word.max(first_word);
            let p = hash(k[0], k[1], k[2], 0);
            prefixes[p / 64] |= 1 << (p % 64);
            let h = hash(k[0], k[1], k[2], first_word);
            bitmap[h / 64] |= 1 << (h % 64);
            per_bucket[h].push(entry);
        }
        let mut rank = Box::new([0u16; 1 << (HASH_BITS - 6)]);
        let mut set = 0u32;
        for (r, w) in rank.iter_mut().zip(bitmap.iter()) {
            *r = set as u16;
            set += w.count_ones();
        }
        let mut bucket_start = Vec::with_capacity(set as usize + 1);
        let mut entries = Vec::new();
        for items in per_bucket.iter().filter(|items| !items.is_empty()) {
            bucket_start.push(entries.len() as u32);
            entries.extend_from_slice(items);
        }
        bucket_start.push(entries.len() as u32);
        KeywordScanner {
            prefixes,
            rank,
            longest_first_word,
            digit_led: keywords
                .iter()
                .any(|k| k.first().is_some_and(u8::is_ascii_digit)),
            keywords,
            bitmap,
            bucket_start,
            entries,
            loose,
        }
    }

    /// Appends the hits starting in `from..to` of `lower` (the case-folded haystack) to
    /// `out`, in start order. A hit must end at a word boundary if its keyword ends with a
    /// word byte.
    pub fn scan(&self, lower: &[u8], from: usize, to: usize, out: &mut Vec<KeywordHit>) {
        let to = to.min(lower.len());
        let mut i = from;
        let mut prev_word = from > 0 && is_word(lower[from - 1]);
        let mut survivors = [0u8; 64];
        while i < to {
            let n = (to - i).min(64);
            let (word, digit) = match lower
                .get(i..i + 64)
                .and_then(|b| <&[u8; 64]>::try_from(b).ok())
            {
                Some(block) => crate::bytemask::words_and_digits(block),
                None => {
                    // The text's last bytes, padded with zero bytes (neither class).
                    let mut padded = [0u8; 64];
                    padded[..n].copy_from_slice(&lower[i..i + n]);
                    crate::bytemask::words_and_digits(&padded)
                }
            };
            let word = word & (u64::MAX >> (64 - n));
            let mut starts = word & !((word << 1) | u64::from(prev_word));
            if !self.digit_led {
                starts &= !digit;
            }
            prev_word = (word >> (n - 1)) & 1 == 1;
            // First the cheap prefix test for every word start, without branches; then
            // the few that pass, one by one.
            let passed = self.known_prefixes(lower, i, starts, &mut survivors);
            for &bit in &survivors[..passed] {
                let bit = usize::from(bit);
                let p = i + bit;
                let mut len = (!(word >> bit)).trailing_zeros() as usize;
                if bit + len >= n {
                    // The word runs past this block's mask: measure it in the text.
                    len = word_len(&lower[p..], self.longest_first_word + 1);
                }
                if len > self.longest_first_word {
                    continue;
                }
                let h = hash(lower[p], lower[p + 1], lower[p + 2], len);
                let pairs = self.bitmap[h / 64];
                if (pairs >> (h % 64)) & 1 == 0 {
                    continue;
                }
                let below = pairs & ((1u64 << (h % 64)) - 1);
                let b = usize::from(self.rank[h / 64]) + below.count_ones() as usize;
                let (Some(&first), Some(&last)) =
                    (self.bucket_start.get(b), self.bucket_start.get(b + 1))
                else {
                    continue;
                };
                // The text's first 8 bytes here, loaded once for the bucket's entries.
                let head = lower
                    .get(p..p + 8)
                    .and_then(|w| <[u8; 8]>::try_from(w).ok())
                    .map(u64::from_le_bytes);
                for e in self
                    .entries
                    .get(first as usize..last as usize)
                    .unwrap_or_default()
                {
                    if head.is_none_or(|w| w & e.mask == e.head) {
                        self.try_at(lower, p, e, out);
                    }
                }
            }
            i += n;
        }
        if !self.loose.is_empty() {
            for p in from..to {
                for e in &self.loose {
                    self.try_at(lower, p, e, out);
                }
            }
            out.sort_unstable_by_key(|h| (h.start, h.end));
        }
    }

    /// Writes to `out` the bits of `starts` (word starts at `block + bit`) whose 3-byte
    /// prefix is some keyword's, in order, and returns how many. Starts too near the end
    /// of the text for a prefix never pass.
    fn known_prefixes(
        &self,
        lower: &[u8],
        block: usize,
        mut starts: u64,
        out: &mut [u8; 64],
    ) -> usize {
        let mut k = 0;
        // 64 start bits, and the 4-byte read below at the last of them.
        let Some(bytes) = lower
            .get(block..block + 67)
            .and_then(|b| <&[u8; 67]>::try_from(b).ok())
        else {
            // The text's last block: the same test, bounds checked.
            while starts != 0 {
                let bit = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                let p = block + bit;
                if p + 3 <= lower.len()
                    && has(
                        &self.prefixes[..],
                        hash(lower[p], lower[p + 1], lower[p + 2], 0),
                    )
                {
                    out[k] = bit as u8;
                    k += 1;
                }
            }
            return k;
        };
        while starts != 0 {
            let bit = (starts.trailing_zeros() & 63) as usize;
            starts &= starts - 1;
            // The 3-byte prefix as a 4-byte read with its fourth byte masked off, which
            // compiles to a byte and a 2-byte load instead of three byte loads and their
            // shifts.
            let four = [bytes[bit], bytes[bit + 1], bytes[bit + 2], bytes[bit + 3]];
            let h = mix(u32::from_le_bytes(four) & 0x00FF_FFFF);
            let pass = (self.prefixes[h / 64] >> (h % 64)) & 1;
            // Always written, kept only when it passed: no branch to mispredict.
            out[k & 63] = bit as u8;
            k += pass as usize;
        }
        k
    }

    fn try_at(&self, lower: &[u8], p: usize, e: &Entry, out: &mut Vec<KeywordHit>) {
        let end = p + usize::from(e.len);
        if end > lower.len() {
            return;
        }
        // Compare the first 8 bytes as one word when the haystack has them.
        if let Some(w) = lower
            .get(p..p + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            if u64::from_le_bytes(w) & e.mask != e.head
                || (e.len > 8 && lower[p + 8..end] != self.keywords[e.keyword as usize][8..])
            {
                return;
            }
        } else if lower[p..end] != self.keywords[e.keyword as usize][..] {
            return;
        }
        if e.end_boundary && end < lower.len() && is_word(lower[end]) {
            return;
        }
        out.push(KeywordHit {
            start: p,
            end,
            keyword: e.keyword,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(kws: &[&str], text: &str) -> Vec<(usize, &'static str)> {
        let s = KeywordScanner::new(kws.iter().map(|k| k.as_bytes().to_vec()).collect());
        let lower = text.as_bytes().to_ascii_lowercase();
        let mut out = Vec::new();
        s.scan(&lower, 0, lower.len(), &mut out);
        out.iter()
            .map(|h| (h.start, kws[h.keyword as usize]))
            .map(|(p, k)| (p, &*Box::leak(k.to_string().into_boxed_str())))
            .collect()
    }

    #[test]
    fn finds_keywords_at_word_boundaries_only() {
        let kws = ["ssn", "social security", "dl#", "#ssn"];
        assert_eq!(hits(&kws, "SSN: x"), vec![(0, "ssn")]);
        assert_eq!(hits(&kws, "classn ssnx xssn"), vec![]);
        assert_eq!(
            hits(&kws, "her Social Security no"),
            vec![(4, "social security")]
        );
        assert_eq!(hits(&kws, "DL#123"), vec![(0, "dl#")]);
        assert_eq!(hits(&kws, "a #ssn"), vec![(2, "#ssn"), (3, "ssn")]);
        assert_eq!(hits(&kws, "numéro ssn"), vec![(8, "ssn")]);
    }

    #[test]
    fn a_word_is_measured_in_the_text_not_the_scanned_range() {
        let s = KeywordScanner::new(vec![b"ssn".to_vec(), b"social security".to_vec()]);
        let text = b"my ssnx, his ssn, her social security".to_vec();
        let mut out = Vec::new();
        // The range ends inside `ssnx` and inside `ssn`: only the whole word counts.
        s.scan(&text, 0, 5, &mut out);
        assert!(out.is_empty());
        s.scan(&text, 9, 14, &mut out);
        assert_eq!(out.iter().map(|h| h.start).collect::<Vec<_>>(), vec![13]);
        out.clear();
        s.scan(&text, 20, 23, &mut out);
        assert_eq!(
            out.iter().map(|h| (h.start, h.end)).collect::<Vec<_>>(),
            vec![(22, 37)]
        );
    }

    #[test]
    fn keywords_are_found_at_every_offset_of_long_text() {
        // Long enough that every block but the last takes the unchecked prefix test.
        for at in 0..200 {
            let text = format!(
                "{}ssn{}",
                "ab ".repeat(at / 3) + &" ".repeat(at % 3),
                " x".repeat(80)
            );
            assert_eq!(
                hits(&["ssn", "social security"], &text),
                vec![(at, "ssn")],
                "at {at}"
            );
        }
    }

    #[test]
    fn every_block_offset_is_covered() {
        for pad in 0..130 {
            let text = format!(
                "{}ssn{}",
                "x ".repeat(pad / 2) + &" ".repeat(pad % 2),
                " tail"
            );
            let found = hits(&["ssn"], &text);
            assert_eq!(found.len(), 1, "pad {pad}");
        }
    }

    #[test]
    fn every_keyword_of_a_large_list_is_found_in_its_own_bucket() {
        // Hundreds of keywords spread over the whole bitmap, so buckets are numbered from
        // set bits in many of its words: each keyword is found where it stands, and its
        // near-misses (one byte longer, or sharing all but its last byte) are not.
        let kws: Vec<String> = (0..600u32)
            .map(|i| {
                let x = i.wrapping_mul(0x9E37_79B9) >> 7;
                let letters: String = (0..3 + i % 9)
                    .map(|j| char::from(b'a' + ((x >> (j * 3)) % 26) as u8))
                    .collect();
                if i % 4 == 0 {
                    format!("{letters} number")
                } else {
                    format!("{letters}{i}")
                }
            })
            .collect();
        let s = KeywordScanner::new(kws.iter().map(|k| k.as_bytes().to_vec()).collect());
        let mut text = String::new();
        let mut want = Vec::new();
        for (i, k) in kws.iter().enumerate() {
            want.push((text.len() + 1, i as u32));
            text.push_str(&format!(" {k} {k}x {}~ ", &k[..k.len() - 1]));
        }
        let mut out = Vec::new();
        s.scan(text.as_bytes(), 0, text.len(), &mut out);
        let mut found: Vec<(usize, u32)> = out.iter().map(|h| (h.start, h.keyword)).collect();
        found.sort_unstable();
        // Two keywords can coincide (same letters and number): either name counts.
        found.dedup_by_key(|h| h.0);
        want.dedup_by_key(|h| h.0);
        assert_eq!(found.len(), want.len());
        for ((at, k), (want_at, want_k)) in found.iter().zip(&want) {
            assert_eq!(at, want_at);
            assert_eq!(kws[*k as usize], kws[*want_k as usize]);
        }
    }

    #[test]
    fn words_running_into_the_next_block_are_measured_whole() {
        // A word running past its 64-byte block is measured in the text: one of exactly a
        // keyword's first-word length matches, a longer one sharing its prefix does not,
        // and a first word longer than a block still matches whole.
        let long = "q".repeat(70);
        let kws = ["passport number", "passport", long.as_str()];
        for at in 0..140 {
            let pad = "ab ".repeat(at / 3) + &" ".repeat(at % 3);
            let text = format!(
                "{pad}passport {long} passportx {long}q passports passport number{}",
                " x".repeat(40)
            );
            let mut found = hits(&kws, &text);
            found.sort_unstable();
            let last = at + 9 + 71 + 10 + 72 + 10;
            let mut want = vec![
                (at, "passport"),
                (at + 9, long.as_str()),
                (last, "passport"),
                (last, "passport number"),
            ];
            want.sort_unstable();
            assert_eq!(found, want, "at {at}");
        }
    }
}

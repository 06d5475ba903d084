//! The keyword scanner: finds every keyword variant (lower case, at word boundaries) in a
//! case-folded haystack.
//!
//! Keyword lists run to hundreds of literals, past what Aho-Corasick's SIMD searcher takes
//! (peers.md §3.4), and its DFA costs one table transition per byte. Keywords start at word
//! boundaries, so this scanner only looks at word starts: a vectorised mask finds them 64
//! bytes at a time, a 64 Kibit bitmap of hashed 3-byte keyword prefixes (8 KiB, stays in L1)
//! rejects almost all of them, and the survivors are compared directly with the few
//! keywords in their hash bucket.

/// Bits of the 3-byte prefix hash.
const HASH_BITS: u32 = 16;

fn hash3(a: u8, b: u8, c: u8) -> usize {
    let x = u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16;
    (x.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
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

/// Compiled keyword scanner over lower-case keyword variants.
#[derive(Debug)]
pub(crate) struct KeywordScanner {
    keywords: Vec<Vec<u8>>,
    /// First ≤ 8 bytes of each keyword as a little-endian word, and the mask of its bytes.
    heads: Vec<(u64, u64)>,
    bitmap: Vec<u64>,
    /// `bucket_start[h]..bucket_start[h + 1]` indexes `bucket_items`.
    bucket_start: Vec<u32>,
    bucket_items: Vec<u32>,
    /// Keywords that do not start with a word byte (checked at every position).
    loose: Vec<u32>,
    /// Some keyword starts with a digit; if none does, words starting with one are skipped.
    digit_led: bool,
}

impl KeywordScanner {
    /// Builds a scanner; every keyword must be at least 3 bytes (the loader enforces it).
    pub fn new(keywords: Vec<Vec<u8>>) -> KeywordScanner {
        let size = 1usize << HASH_BITS;
        let mut bitmap = vec![0u64; size / 64];
        let mut per_bucket: Vec<Vec<u32>> = vec![Vec::new(); size];
        let mut loose = Vec::new();
        for (i, k) in keywords.iter().enumerate() {
            if k.len() < 3 || !is_word(k[0]) {
                loose.push(i as u32);
                continue;
            }
            let h = hash3(k[0], k[1], k[2]);
            bitmap[h / 64] |= 1 << (h % 64);
            per_bucket[h].push(i as u32);
        }
        let mut bucket_start = Vec::with_capacity(size + 1);
        let mut bucket_items = Vec::new();
        for items in &per_bucket {
            bucket_start.push(bucket_items.len() as u32);
            bucket_items.extend_from_slice(items);
        }
        bucket_start.push(bucket_items.len() as u32);
        let heads = keywords
            .iter()
            .map(|k| {
                let n = k.len().min(8);
                let mut word = [0u8; 8];
                word[..n].copy_from_slice(&k[..n]);
                let mask = if n == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * n)) - 1
                };
                (u64::from_le_bytes(word), mask)
            })
            .collect();
        KeywordScanner {
            digit_led: keywords
                .iter()
                .any(|k| k.first().is_some_and(u8::is_ascii_digit)),
            keywords,
            heads,
            bitmap,
            bucket_start,
            bucket_items,
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
        while i < to {
            let n = (to - i).min(64);
            let (word, digit) = match lower
                .get(i..i + 64)
                .and_then(|b| <&[u8; 64]>::try_from(b).ok())
            {
                Some(block) => {
                    let (word, digit) = crate::bytemask::words_and_digits(block);
                    (word & (u64::MAX >> (64 - n)), digit)
                }
                None => lower[i..i + n]
                    .iter()
                    .enumerate()
                    .fold((0u64, 0u64), |(w, d), (k, &b)| {
                        let is_digit = b.is_ascii_digit();
                        (
                            w | u64::from(b.wrapping_sub(b'a') < 26 || is_digit || b >= 0x80) << k,
                            d | u64::from(is_digit) << k,
                        )
                    }),
            };
            let mut starts = word & !((word << 1) | u64::from(prev_word));
            if !self.digit_led {
                starts &= !digit;
            }
            prev_word = (word >> (n - 1)) & 1 == 1;
            while starts != 0 {
                let p = i + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                if p + 3 > lower.len() {
                    continue;
                }
                let h = hash3(lower[p], lower[p + 1], lower[p + 2]);
                if self.bitmap[h / 64] & (1 << (h % 64)) == 0 {
                    continue;
                }
                let (first, last) = (
                    self.bucket_start[h] as usize,
                    self.bucket_start[h + 1] as usize,
                );
                for &k in &self.bucket_items[first..last] {
                    self.try_at(lower, p, k, out);
                }
            }
            i += n;
        }
        if !self.loose.is_empty() {
            for p in from..to {
                for &k in &self.loose {
                    self.try_at(lower, p, k, out);
                }
            }
            out.sort_unstable_by_key(|h| (h.start, h.end));
        }
    }

    fn try_at(&self, lower: &[u8], p: usize, k: u32, out: &mut Vec<KeywordHit>) {
        let kw = &self.keywords[k as usize];
        let end = p + kw.len();
        if end > lower.len() {
            return;
        }
        // Compare the first 8 bytes as one word when the haystack has them.
        if let Some(w) = lower
            .get(p..p + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            let (head, mask) = self.heads[k as usize];
            if u64::from_le_bytes(w) & mask != head
                || (kw.len() > 8 && lower[p + 8..end] != kw[8..])
            {
                return;
            }
        } else if &lower[p..end] != kw.as_slice() {
            return;
        }
        let needs_end_boundary = kw.last().is_some_and(|&b| is_word(b));
        if needs_end_boundary && end < lower.len() && is_word(lower[end]) {
            return;
        }
        out.push(KeywordHit {
            start: p,
            end,
            keyword: k,
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
}

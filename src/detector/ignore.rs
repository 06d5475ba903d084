//! Ignore words: a match containing one of them is dropped (Macie's `ignoreWords`).
//!
//! Every card number is checked against dozens of test numbers. Most matches hold none of
//! them, and a word can only occur where the match holds its first four bytes: a 4 Kibit
//! bitmap of the words' hashed 4-byte heads rules almost every match out with a few loads,
//! before the automaton runs at all.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::LoadError;

/// Bits of the head hash.
const HEAD_BITS: u32 = 12;

/// The compiled ignore words of one detector.
#[derive(Debug)]
pub(crate) struct IgnoreWords {
    words: AhoCorasick,
    /// Hashed 4-byte heads of the words; `None` when some word is shorter than 4 bytes.
    heads: Option<Box<[u64; 1 << (HEAD_BITS - 6)]>>,
    /// Length of the shortest word.
    shortest: usize,
}

/// Hash of a 4-byte head read as a little-endian word.
fn head_hash(head: u32) -> usize {
    (head.wrapping_mul(0x9E37_79B1) >> (32 - HEAD_BITS)) as usize
}

/// The first 4 bytes of `bytes` as a little-endian word, if it has them.
fn head(bytes: &[u8]) -> Option<u32> {
    bytes
        .get(..4)
        .and_then(|h| <[u8; 4]>::try_from(h).ok())
        .map(u32::from_le_bytes)
}

impl IgnoreWords {
    /// Compiles `words`; `None` for no words.
    pub fn new(words: &[String]) -> Result<Option<IgnoreWords>, LoadError> {
        let Some(automaton) = super::compile::build_ac(words, MatchKind::Standard)? else {
            return Ok(None);
        };
        let mut heads = Box::new([0u64; 1 << (HEAD_BITS - 6)]);
        let mut all_long = true;
        for word in words {
            match head(word.as_bytes()) {
                Some(h) => {
                    let h = head_hash(h);
                    heads[h / 64] |= 1 << (h % 64);
                }
                None => all_long = false,
            }
        }
        Ok(Some(IgnoreWords {
            words: automaton,
            heads: all_long.then_some(heads),
            shortest: words.iter().map(String::len).min().unwrap_or(0),
        }))
    }

    /// Whether `text` contains one of the words.
    pub fn found_in(&self, text: &[u8]) -> bool {
        if text.len() < self.shortest {
            return false;
        }
        if let Some(heads) = &self.heads {
            // A word can start only where a match still fits after it.
            let starts = text.len() - self.shortest + 1;
            let possible = text.windows(4).take(starts).any(|w| {
                head(w).is_some_and(|h| {
                    let h = head_hash(h);
                    heads[h / 64] & (1 << (h % 64)) != 0
                })
            });
            if !possible {
                return false;
            }
        }
        self.words.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(words: &[&str], text: &[u8]) -> bool {
        words
            .iter()
            .any(|w| text.windows(w.len()).any(|x| x == w.as_bytes()))
    }

    #[test]
    fn the_head_filter_never_hides_a_word() {
        let words = ["4111111111111111", "4012888888881881", "5555", "42424"];
        let short = ["4111111111111111", "ab"];
        for set in [&words[..], &short[..]] {
            let owned: Vec<String> = set.iter().map(|w| (*w).to_owned()).collect();
            let Ok(Some(ignore)) = IgnoreWords::new(&owned) else {
                panic!("ignore words compile");
            };
            // Every word at every offset of a longer text, and texts holding none.
            let mut texts: Vec<Vec<u8>> = Vec::new();
            for w in set {
                for pad in 0..4 {
                    let mut t = b"0".repeat(pad);
                    t.extend_from_slice(w.as_bytes());
                    t.extend_from_slice(&b"9".repeat(3 - pad));
                    texts.push(t);
                }
            }
            texts.extend([
                b"4111111111111112".to_vec(),
                b"411".to_vec(),
                b"".to_vec(),
                b"a".to_vec(),
                b"xab".to_vec(),
                b"5554 5555".to_vec(),
                b"4242".to_vec(),
            ]);
            for t in &texts {
                assert_eq!(ignore.found_in(t), naive(set, t), "{t:?} with {set:?}");
            }
        }
    }
}

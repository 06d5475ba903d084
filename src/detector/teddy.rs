//! The order in which anchor literals are handed to aho-corasick, chosen so its Teddy
//! searcher raises few false candidates on ordinary text.
//!
//! Teddy puts the literals in 8 buckets and flags a position when, for each of the first
//! `MASK_LEN` bytes, the byte's low nibble and its high nibble each occur at that offset
//! in some literal of one bucket. A bucket holding `cook` and `auth` also flags `aoth`,
//! `cuok` and so on, and every flag costs a verification: on prose the searcher's speed
//! varies about 2× with nothing but the literals' order (3.3 vs 6.0 GB/s measured on the
//! bench's prose with the built-in anchors). Buckets follow the order the crate sees the
//! literals in: each new low-nibble prefix goes to bucket `7 - id % 8` and later literals
//! with the same low-nibble prefix join it. So we choose buckets that keep each bucket's
//! accepted byte sets rare under English-text byte frequencies, then an insertion order
//! that yields them. Should the crate assign buckets differently, only speed changes:
//! the order never affects which matches are found.

/// Teddy's buckets (the "slim" searcher used for up to 64 literals).
const BUCKETS: usize = 8;
/// Bytes of each literal that Teddy's fingerprint covers.
const MASK_LEN: usize = 4;

/// Relative frequency of byte `b` in case-folded English text and logs (letters by
/// their English frequency, space, a little punctuation and digits, the rest rare).
pub(crate) fn frequency(b: u8) -> f64 {
    const LETTERS: [f64; 26] = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0,
        6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
    ];
    match b {
        b'a'..=b'z' => LETTERS[usize::from(b - b'a')] * 0.8,
        b' ' => 16.0,
        b'0'..=b'9' => 0.3,
        b'.' | b',' | b'\n' | b'-' | b'_' | b':' | b'/' | b'=' | b'"' => 0.3,
        _ => 0.01,
    }
}

/// What one literal, or several sharing a bucket, put in Teddy's tables: per fingerprint
/// byte, the set of low nibbles and the set of high nibbles; and how many literals.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Nibbles {
    lo: [u16; MASK_LEN],
    hi: [u16; MASK_LEN],
    literals: usize,
}

impl Nibbles {
    fn of(literal: &[u8]) -> Nibbles {
        let mut n = Nibbles {
            literals: 1,
            ..Nibbles::default()
        };
        for (j, &b) in literal.iter().take(MASK_LEN).enumerate() {
            n.lo[j] = 1 << (b & 0xF);
            n.hi[j] = 1 << (b >> 4);
        }
        n
    }

    fn union(mut self, other: &Nibbles) -> Nibbles {
        for j in 0..MASK_LEN {
            self.lo[j] |= other.lo[j];
            self.hi[j] |= other.hi[j];
        }
        self.literals += other.literals;
        self
    }

    /// Expected verifications per text position: every byte whose low and high nibble
    /// are both in the sets passes (not only the literals' own bytes).
    fn cost(&self, table: &[[f64; 16]; 16]) -> f64 {
        if self.literals == 0 {
            return 0.0;
        }
        let mut p = self.literals as f64;
        for j in 0..MASK_LEN {
            let mut accepted = 0.0;
            for lo in (0..16).filter(|lo| self.lo[j] & (1 << lo) != 0) {
                for hi in (0..16).filter(|hi| self.hi[j] & (1 << hi) != 0) {
                    accepted += table[hi][lo];
                }
            }
            p *= accepted;
        }
        p
    }
}

/// [`frequency`] as shares of 1, by high and low nibble.
fn nibble_table() -> [[f64; 16]; 16] {
    let total: f64 = (0..=255u8).map(frequency).sum();
    let mut t = [[0.0; 16]; 16];
    for b in 0..=255u8 {
        t[usize::from(b >> 4)][usize::from(b & 0xF)] = frequency(b) / total;
    }
    t
}

/// The buckets aho-corasick's Teddy gives `patterns` inserted in this order (bucket of
/// each pattern), for leftmost-longest search: literals are visited longest first, ties
/// in insertion order.
fn crate_buckets(patterns: &[&[u8]]) -> Vec<usize> {
    let mut visit: Vec<usize> = (0..patterns.len()).collect();
    visit.sort_by_key(|&i| std::cmp::Reverse(patterns[i].len()));
    let mut bucket_of_prefix: Vec<([u8; MASK_LEN], usize)> = Vec::new();
    let mut buckets = vec![0; patterns.len()];
    for i in visit {
        let key = low_nibbles(patterns[i]);
        buckets[i] = match bucket_of_prefix.iter().find(|(k, _)| *k == key) {
            Some(&(_, b)) => b,
            None => {
                let b = BUCKETS - 1 - i % BUCKETS;
                bucket_of_prefix.push((key, b));
                b
            }
        };
    }
    buckets
}

fn low_nibbles(p: &[u8]) -> [u8; MASK_LEN] {
    let mut k = [0; MASK_LEN];
    for (o, b) in k.iter_mut().zip(p) {
        *o = b & 0xF;
    }
    k
}

/// The order to insert `patterns` in (a permutation of their indices). Falls back to the
/// given order when a literal is shorter than the fingerprint, or when the chosen
/// buckets cannot be reached by reordering.
pub(crate) fn order(patterns: &[&[u8]]) -> Vec<usize> {
    let given: Vec<usize> = (0..patterns.len()).collect();
    if patterns.len() <= BUCKETS
        || patterns.len() > 64
        || patterns.iter().any(|p| p.len() < MASK_LEN)
    {
        return given;
    }
    // Literals sharing a low-nibble prefix share a bucket: place them as one group, led
    // by the one the crate visits first (longest, then earliest).
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..patterns.len() {
        let key = low_nibbles(patterns[i]);
        match groups
            .iter_mut()
            .find(|g| low_nibbles(patterns[g[0]]) == key)
        {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    for g in &mut groups {
        g.sort_by_key(|&i| (std::cmp::Reverse(patterns[i].len()), i));
    }
    // A group's leader takes an insertion slot `id` with `7 - id % 8` = its bucket.
    let n = patterns.len();
    let capacity: Vec<usize> = (0..BUCKETS)
        .map(|b| (0..n).filter(|id| BUCKETS - 1 - id % BUCKETS == b).count())
        .collect();
    let table = nibble_table();
    let nibbles: Vec<Nibbles> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|&i| Nibbles::of(patterns[i]))
                .fold(Nibbles::default(), |a, b| a.union(&b))
        })
        .collect();
    // Most trials change two buckets of eight: the others' costs are remembered.
    let memo = std::cell::RefCell::new(std::collections::HashMap::new());
    let cost_of = |assign: &[usize]| -> f64 {
        let mut buckets = [Nibbles::default(); BUCKETS];
        for (n, &b) in nibbles.iter().zip(assign) {
            if let Some(x) = buckets.get_mut(b) {
                *x = x.union(n);
            }
        }
        let mut memo = memo.borrow_mut();
        buckets
            .iter()
            .map(|b| *memo.entry(*b).or_insert_with(|| b.cost(&table)))
            .sum()
    };
    // Greedy placement, costliest groups first, then single moves and swaps while they
    // help (a few dozen groups: this is instant).
    let mut by_cost: Vec<usize> = (0..groups.len()).collect();
    let alone: Vec<f64> = nibbles.iter().map(|n| n.cost(&table)).collect();
    by_cost.sort_by(|&a, &b| alone[b].total_cmp(&alone[a]));
    let mut assign = vec![usize::MAX; groups.len()];
    let mut used = [0; BUCKETS];
    for &g in &by_cost {
        let best = (0..BUCKETS)
            .filter(|&b| used[b] < capacity[b])
            .map(|b| {
                let mut x = assign.clone();
                x[g] = b;
                (cost_of(&x), b)
            })
            .min_by(|x, y| x.0.total_cmp(&y.0));
        let Some((_, b)) = best else { return given };
        assign[g] = b;
        used[b] += 1;
    }
    let mut cost = cost_of(&assign);
    let mut improved = true;
    while improved {
        improved = false;
        for g in 0..groups.len() {
            for b in 0..BUCKETS {
                if b == assign[g] {
                    continue;
                }
                // Move `g` to bucket `b` if it has room, else swap it with a group there.
                let moves = used[b] < capacity[b];
                let partners: Vec<Option<usize>> = if moves {
                    vec![None]
                } else {
                    (0..groups.len())
                        .filter(|&h| assign[h] == b)
                        .map(Some)
                        .collect()
                };
                for h in partners {
                    let mut x = assign.clone();
                    match h {
                        Some(h) => x.swap(g, h),
                        None => x[g] = b,
                    }
                    let c = cost_of(&x);
                    if c < cost * (1.0 - 1e-9) {
                        if h.is_none() {
                            used[assign[g]] -= 1;
                            used[b] += 1;
                        }
                        assign = x;
                        cost = c;
                        improved = true;
                        break;
                    }
                }
            }
        }
    }
    // Slots: each leader the lowest free id of its residue; the other literals the
    // remaining ids in order.
    let mut slot = vec![usize::MAX; n];
    let mut taken = vec![false; n];
    for (g, &b) in groups.iter().zip(&assign) {
        let Some(id) = (0..n).find(|&id| !taken[id] && BUCKETS - 1 - id % BUCKETS == b) else {
            return given;
        };
        taken[id] = true;
        slot[g[0]] = id;
    }
    let mut free = (0..n).filter(|&id| !taken[id]);
    for g in &groups {
        for &i in &g[1..] {
            match free.next() {
                Some(id) => slot[i] = id,
                None => return given,
            }
        }
    }
    let mut order = vec![0; n];
    for (i, &id) in slot.iter().enumerate() {
        order[id] = i;
    }
    // Check the crate would form exactly the chosen buckets (a follower inserted before
    // its equally long leader would lead instead).
    let placed: Vec<&[u8]> = order.iter().map(|&i| patterns[i]).collect();
    let got = crate_buckets(&placed);
    let want: Vec<usize> = order
        .iter()
        .map(|&i| {
            let g = groups.iter().position(|g| g.contains(&i)).unwrap_or(0);
            assign[g]
        })
        .collect();
    if got == want {
        order
    } else {
        given
    }
}

/// Expected false candidates per text position when `patterns` (each at least
/// `MASK_LEN` bytes) are handed to the crate in [`order`]: the cost the order minimises,
/// for comparing different literal sets.
pub(crate) fn expected_candidates(patterns: &[&[u8]]) -> f64 {
    let placed: Vec<&[u8]> = order(patterns).into_iter().map(|i| patterns[i]).collect();
    let mut buckets = [Nibbles::default(); BUCKETS];
    for (p, b) in placed.iter().zip(crate_buckets(&placed)) {
        if let Some(x) = buckets.get_mut(b) {
            *x = x.union(&Nibbles::of(p));
        }
    }
    let table = nibble_table();
    buckets.iter().map(|b| b.cost(&table)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors() -> Vec<&'static [u8]> {
        [
            "secret",
            "credentials",
            "awscredential",
            "aiza",
            "auth",
            "prox",
            "-----beg",
            "putty-us",
            "pk_live_",
            "pk_test_",
            "rk_live_",
            "rk_test_",
            "sk_live_",
            "sk_test_",
            "passport",
            "reisepass",
            "geburtsdatum",
            "ausstellungsort",
            "ausstellungsdatum",
            "cook",
            "set-",
            "c.f.",
            "fiscale",
            "sanitaria",
        ]
        .iter()
        .map(|s| s.as_bytes())
        .collect()
    }

    fn total_cost(patterns: &[&[u8]]) -> f64 {
        let buckets = crate_buckets(patterns);
        (0..BUCKETS)
            .map(|b| {
                (0..patterns.len())
                    .filter(|&i| buckets[i] == b)
                    .map(|i| Nibbles::of(patterns[i]))
                    .fold(Nibbles::default(), |a, n| a.union(&n))
                    .cost(&nibble_table())
            })
            .sum()
    }

    #[test]
    fn the_order_is_a_permutation_that_lowers_the_modelled_cost() {
        let pats = anchors();
        let order = order(&pats);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..pats.len()).collect::<Vec<_>>());
        let placed: Vec<&[u8]> = order.iter().map(|&i| pats[i]).collect();
        let (before, after) = (total_cost(&pats), total_cost(&placed));
        assert!(after < before * 0.7, "{before} -> {after}");
    }

    #[test]
    fn literals_sharing_a_prefix_stay_with_their_leader() {
        let pats = anchors();
        let placed: Vec<&[u8]> = order(&pats).iter().map(|&i| pats[i]).collect();
        let buckets = crate_buckets(&placed);
        let at = |s: &str| placed.iter().position(|p| *p == s.as_bytes()).unwrap_or(0);
        assert_eq!(
            buckets[at("ausstellungsort")],
            buckets[at("ausstellungsdatum")]
        );
    }

    #[test]
    fn few_or_short_literals_keep_their_order() {
        assert_eq!(order(&[b"abcd", b"efgh"]), vec![0, 1]);
        let short: Vec<&[u8]> = (0..12).map(|_| &b"abc"[..]).collect();
        assert_eq!(order(&short), (0..12).collect::<Vec<_>>());
    }
}

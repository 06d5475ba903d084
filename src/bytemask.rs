//! Byte-class bitmasks over 64-byte blocks: bit `i` is set when byte `i` is in the class.
//!
//! These feed the two hot scans of the matcher — digits (digit clusters) and word bytes
//! (keyword starts) — so they use SSE2 on x86-64 (always available there) and a portable
//! SWAR fallback elsewhere. Both give identical results (tested on x86-64, where both are
//! built). The matcher's ASCII
//! case-folded copy of the text is made here too, with the same byte-range compare, 32
//! bytes at a time with AVX2 where the CPU has it (checked at run time), and the text's
//! [`TextMasks`] along with it, while the bytes are loaded anyway. [`ByteLookup`] walks a
//! run of any byte set's bytes 32 at a time (a match's extent around its trigger).

/// Bits for ASCII digits.
pub(crate) fn digits(block: &[u8; 64]) -> u64 {
    imp::digits(block)
}

/// Bits for word bytes of case-folded text (`a-z`, `0-9` and bytes ≥ 0x80), and for
/// digits, sharing the block's loads.
pub(crate) fn words_and_digits(block: &[u8; 64]) -> (u64, u64) {
    imp::words_and_digits(block)
}

/// Class masks of a text, per 64-byte block, made along with its lower-cased copy: the
/// digit-cluster pass and the short-anchor search read them instead of loading the text
/// again.
#[derive(Default)]
pub(crate) struct TextMasks {
    /// Per block: its digits, newlines, capitals, the bytes of the lower-cased text
    /// equal to the probe byte, and the separators (bytes equal to one of the two given).
    /// The last block's missing bytes count as none of them.
    pub blocks: Vec<[u64; 5]>,
    /// The blocks holding a digit or the probe byte, in text order. Most blocks of prose
    /// hold neither: passes over this list skip them without looking.
    pub active: Vec<u32>,
}

/// Replaces `dst` with `src`, ASCII capitals lowered, and `masks` with the masks of `src`,
/// marking `probe` (a lower-case byte; a capital marks nothing) and the two `separators`
/// (a digit for none: digits are told apart anyway).
pub(crate) fn lowercase_into(
    src: &[u8],
    dst: &mut Vec<u8>,
    masks: &mut TextMasks,
    probe: u8,
    separators: [u8; 2],
) {
    let blocks = src.len().div_ceil(64);
    masks.blocks.clear();
    masks.blocks.reserve(blocks);
    masks.active.clear();
    masks.active.reserve(blocks);
    imp::lowercase_into(src, dst, masks, probe, separators);
    let whole = masks.blocks.len() * 64;
    if whole < src.len() {
        let mut padded = [0u8; 64];
        padded[..src.len() - whole].copy_from_slice(&src[whole..]);
        let [digits, newlines, capitals] = imp::digits_newlines_capitals(&padded);
        let probes = portable_mask(&padded, |b| b.to_ascii_lowercase() == probe)
            & (u64::MAX >> (64 - (src.len() - whole)));
        let separated = portable_mask(&padded, |b| separators.contains(&b))
            & (u64::MAX >> (64 - (src.len() - whole)));
        masks.push(whole / 64, [digits, newlines, capitals, probes, separated]);
    }
}

impl TextMasks {
    /// Appends the masks of block `b`, the next one.
    fn push(&mut self, b: usize, block: [u64; 5]) {
        if block[0] | block[3] != 0 {
            self.active.push(b as u32);
        }
        self.blocks.push(block);
    }
}

/// A set of bytes laid out for a vector lookup: bit `h` of `rows[h / 8][lo]` says whether
/// byte `h << 4 | lo` is in it (a 16 × 16 bitmap, one 16-byte row table per half).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ByteLookup {
    rows: [[u8; 16]; 2],
}

impl ByteLookup {
    /// The set of bytes `b` for which `contains(b)`.
    pub(crate) fn new(contains: impl Fn(u8) -> bool) -> ByteLookup {
        let mut rows = [[0u8; 16]; 2];
        for b in (0..=u8::MAX).filter(|&b| contains(b)) {
            rows[usize::from(b >> 7)][usize::from(b & 15)] |= 1 << ((b >> 4) & 7);
        }
        ByteLookup { rows }
    }

    /// Whether `b` is in the set.
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.rows[usize::from(b >> 7)][usize::from(b & 15)] >> ((b >> 4) & 7) & 1 != 0
    }

    /// Where the run of the set's bytes ending at `at` (exclusive) starts, looking back
    /// no further than `from`.
    pub(crate) fn run_start(&self, hay: &[u8], from: usize, mut at: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            while let Some(bytes) = at
                .checked_sub(32)
                .filter(|&s| s >= from)
                .and_then(|s| hay.get(s..at))
                .and_then(|w| <&[u8; 32]>::try_from(w).ok())
            {
                // SAFETY: the CPU has AVX2, checked just now.
                let n = unsafe { imp::members32(bytes, self) }.leading_ones() as usize;
                at -= n;
                if n < 32 {
                    return at;
                }
            }
        }
        while at > from && self.contains(hay[at - 1]) {
            at -= 1;
        }
        at
    }

    /// Where the run of the set's bytes starting at `at` ends (exclusive), looking no
    /// further than `to`.
    pub(crate) fn run_end(&self, hay: &[u8], mut at: usize, to: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            while let Some(bytes) = hay
                .get(at..at + 32)
                .filter(|_| at + 32 <= to)
                .and_then(|w| <&[u8; 32]>::try_from(w).ok())
            {
                // SAFETY: the CPU has AVX2, checked just now.
                let n = unsafe { imp::members32(bytes, self) }.trailing_ones() as usize;
                at += n;
                if n < 32 {
                    return at;
                }
            }
        }
        while at < to && self.contains(hay[at]) {
            at += 1;
        }
        at
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::TextMasks;
    use std::arch::x86_64::*;

    /// Unsigned `lo <= b < lo + n` per byte, via the signed compare SSE2 has.
    #[inline(always)]
    fn in_range(x: __m128i, lo: u8, n: u8) -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline; these intrinsics have no other
        // preconditions.
        unsafe {
            let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
            _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8.wrapping_add(n)) as i8))
        }
    }

    #[inline(always)]
    fn lane(block: &[u8; 64], i: usize) -> __m128i {
        // SAFETY: `i` is 0, 16, 32 or 48, so 16 bytes from `i` are inside the block;
        // `loadu` has no alignment requirement.
        unsafe { _mm_loadu_si128(block.as_ptr().add(i).cast()) }
    }

    /// Lowers `src` into `dst` and replaces `masks` with the masks of its whole 64-byte
    /// blocks (the caller adds a last partial block's).
    /// Lowers `src` into `dst` and fills the empty `masks` (with room for every block)
    /// with the masks of its whole 64-byte blocks (the caller adds a last partial block's).
    pub(super) fn lowercase_into(
        src: &[u8],
        dst: &mut Vec<u8>,
        masks: &mut TextMasks,
        probe: u8,
        separators: [u8; 2],
    ) {
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just now.
            unsafe { lowercase_avx2(src, dst, masks, probe, separators) };
        } else {
            lowercase_sse2(src, dst, masks, probe, separators);
        }
    }

    /// Where the lower-casing of `src` writes: the spare room of `dst` (made here) and of
    /// `masks` (made by [`super::lowercase_into`]: empty, with room for every block).
    struct Room {
        /// Bytes covered by the whole 64-byte blocks of `src`.
        whole: usize,
        out: *mut u8,
        blocks: *mut [u64; 5],
        list: *mut u32,
        /// Entries of `list` kept so far.
        active: usize,
    }

    impl Room {
        /// Empties `dst` with room for all of `src`, and points into it and `masks`.
        #[inline(always)]
        fn new(src: &[u8], dst: &mut Vec<u8>, masks: &mut TextMasks) -> Room {
            dst.clear();
            dst.reserve(src.len());
            Room {
                whole: src.len() / 64 * 64,
                out: dst.spare_capacity_mut().as_mut_ptr().cast(),
                blocks: masks.blocks.spare_capacity_mut().as_mut_ptr().cast(),
                list: masks.active.spare_capacity_mut().as_mut_ptr().cast(),
                active: 0,
            }
        }

        /// Writes the masks of block `b` at its index, and `b` at the list's end, kept
        /// only if the block holds a digit or the probe byte. Written unconditionally,
        /// kept by the count: no branch to mispredict.
        ///
        /// # Safety
        /// `b < whole / 64`, and the blocks are written in order.
        #[inline(always)]
        unsafe fn push(&mut self, b: usize, mask: [u64; 5]) {
            // SAFETY: `masks` has room for every block, and the list grows by at most one
            // per block (`Room::new`, the caller's contract).
            unsafe {
                self.blocks.add(b).write(mask);
                self.list.add(self.active).write(b as u32);
            }
            self.active += usize::from(mask[0] | mask[3] != 0);
        }

        /// Lowers the bytes past the whole blocks and sets the lengths.
        ///
        /// # Safety
        /// Every whole block of `src` has been lowered into `out` and pushed.
        #[inline(always)]
        unsafe fn finish(self, src: &[u8], dst: &mut Vec<u8>, masks: &mut TextMasks) {
            // SAFETY: the tail is written inside the reserved `src.len()` bytes; with the
            // caller's contract every byte, mask and list entry below the lengths is set.
            unsafe {
                for (i, b) in src.iter().enumerate().skip(self.whole) {
                    self.out.add(i).write(b.to_ascii_lowercase());
                }
                dst.set_len(src.len());
                masks.blocks.set_len(self.whole / 64);
                masks.active.set_len(self.active);
            }
        }
    }

    /// How far ahead of the block being lowered the next bytes are prefetched. This pass
    /// is the first to touch the text, and it runs far faster than the hardware
    /// prefetcher streams the text in from L3 or memory (it stalled on its loads). A page
    /// ahead measured 10–17 % faster scans on prose and logs than no prefetch, about 5 %
    /// faster than a quarter page, and the same as four pages.
    const PREFETCH_AHEAD: usize = 4096;

    /// Asks for the line [`PREFETCH_AHEAD`] bytes past `src[i]` (past the end of `src`
    /// too: the text usually goes on in the caller's next block, and a prefetch never
    /// faults).
    #[inline(always)]
    fn prefetch_ahead(src: &[u8], i: usize) {
        // SAFETY: SSE (x86-64 baseline); a prefetch reads nothing and cannot fault, and
        // `wrapping_add` makes no claim that the address is inside `src`.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(src.as_ptr().wrapping_add(i + PREFETCH_AHEAD).cast());
        }
    }

    /// Bit `i` set where `bytes[i]` is in `set`: each byte's row of the set's bitmap
    /// (by its low nibble, from the half its top bit picks), masked by its bit in the
    /// row (by its high nibble).
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn members32(bytes: &[u8; 32], set: &super::ByteLookup) -> u32 {
        // SAFETY: 32 bytes are readable at `bytes` and 16 at each row (unaligned loads);
        // AVX2 is the caller's contract.
        unsafe {
            let x = _mm256_loadu_si256(bytes.as_ptr().cast());
            let rows = set
                .rows
                .map(|r| _mm256_broadcastsi128_si256(_mm_loadu_si128(r.as_ptr().cast())));
            let nibble = _mm256_set1_epi8(0x0F);
            let lo = _mm256_and_si256(x, nibble);
            let hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble);
            // The byte's top bit picks the upper half's rows.
            let row = _mm256_blendv_epi8(
                _mm256_shuffle_epi8(rows[0], lo),
                _mm256_shuffle_epi8(rows[1], lo),
                x,
            );
            let bit = _mm256_shuffle_epi8(
                _mm256_setr_epi8(
                    1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32,
                    64, -128, 1, 2, 4, 8, 16, 32, 64, -128,
                ),
                hi,
            );
            let hit = _mm256_cmpeq_epi8(_mm256_and_si256(row, bit), bit);
            _mm256_movemask_epi8(hit) as u32
        }
    }

    /// [`lowercase_sse2`] 32 bytes at a time.
    #[target_feature(enable = "avx2")]
    unsafe fn lowercase_avx2(
        src: &[u8],
        dst: &mut Vec<u8>,
        masks: &mut TextMasks,
        probe: u8,
        separators: [u8; 2],
    ) {
        let mut room = Room::new(src, dst, masks);
        let out = room.out;
        // SAFETY: as in `lowercase_sse2`, with 32-byte loads and stores inside `src` and
        // the reserved bytes; AVX2 is enabled for this function.
        unsafe {
            for i in (0..room.whole).step_by(64) {
                prefetch_ahead(src, i);
                let low = lower32(src.as_ptr().add(i), out.add(i), probe, separators);
                let high = lower32(src.as_ptr().add(i + 32), out.add(i + 32), probe, separators);
                let mask = std::array::from_fn(|k| u64::from(low[k]) | u64::from(high[k]) << 32);
                room.push(i / 64, mask);
            }
            room.finish(src, dst, masks);
        }
    }

    /// Lowers the 32 bytes at `src` into `out`; returns their digit, newline, capital,
    /// (lowered) probe and separator bits. (Separators matter only next to digits, but
    /// marking them only in blocks with digits lets LLVM vectorise the loop across
    /// blocks, inserting the masks byte by byte: half the speed.)
    ///
    /// # Safety
    /// 32 bytes must be readable at `src` and writable at `out`; the CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn lower32(src: *const u8, out: *mut u8, probe: u8, separators: [u8; 2]) -> [u32; 5] {
        // SAFETY: the caller's contract; unaligned loads and stores.
        unsafe {
            // Unsigned `lo <= b < lo + n` per byte via the signed compare, as `in_range`.
            let x = _mm256_loadu_si256(src.cast());
            let upper = _mm256_cmpgt_epi8(
                _mm256_set1_epi8(0x80u8.wrapping_add(26) as i8),
                _mm256_add_epi8(x, _mm256_set1_epi8(0x80u8.wrapping_sub(b'A') as i8)),
            );
            let lower = _mm256_or_si256(x, _mm256_and_si256(upper, _mm256_set1_epi8(0x20)));
            _mm256_storeu_si256(out.cast(), lower);
            let digit = _mm256_cmpgt_epi8(
                _mm256_set1_epi8(0x80u8.wrapping_add(10) as i8),
                _mm256_add_epi8(x, _mm256_set1_epi8(0x80u8.wrapping_sub(b'0') as i8)),
            );
            let newline = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b'\n' as i8));
            let probe = _mm256_cmpeq_epi8(lower, _mm256_set1_epi8(probe as i8));
            let [s, t] = separators.map(|b| _mm256_cmpeq_epi8(x, _mm256_set1_epi8(b as i8)));
            let separated = _mm256_or_si256(s, t);
            [digit, newline, upper, probe, separated].map(|m| _mm256_movemask_epi8(m) as u32)
        }
    }

    pub(super) fn lowercase_sse2(
        src: &[u8],
        dst: &mut Vec<u8>,
        masks: &mut TextMasks,
        probe: u8,
        separators: [u8; 2],
    ) {
        let mut room = Room::new(src, dst, masks);
        let out = room.out;
        // SAFETY: SSE2 baseline; every load reads 16 bytes inside `src` (`i + lane + 16 <=
        // whole <= src.len()`) and every store writes inside the `src.len()` bytes just
        // reserved; `loadu`/`storeu` need no alignment. Every whole block is lowered and
        // pushed, in order, before `finish`. (Pushing onto the vectors instead lets LLVM
        // vectorise the loop across blocks, inserting the masks byte by byte: twice as
        // slow.)
        unsafe {
            let bit = _mm_set1_epi8(0x20);
            let newline = _mm_set1_epi8(b'\n' as i8);
            let probe = _mm_set1_epi8(probe as i8);
            for i in (0..room.whole).step_by(64) {
                prefetch_ahead(src, i);
                let mut mask = [0u64; 5];
                for lane in [0, 16, 32, 48] {
                    let x = _mm_loadu_si128(src.as_ptr().add(i + lane).cast());
                    let upper = in_range(x, b'A', 26);
                    let lower = _mm_or_si128(x, _mm_and_si128(upper, bit));
                    _mm_storeu_si128(out.add(i + lane).cast(), lower);
                    let [s, t] = separators.map(|b| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8)));
                    let separated = _mm_or_si128(s, t);
                    let bits = [
                        in_range(x, b'0', 10),
                        _mm_cmpeq_epi8(x, newline),
                        upper,
                        _mm_cmpeq_epi8(lower, probe),
                        separated,
                    ];
                    for (m, b) in mask.iter_mut().zip(bits) {
                        *m |= u64::from(_mm_movemask_epi8(b) as u32) << lane;
                    }
                }
                room.push(i / 64, mask);
            }
            room.finish(src, dst, masks);
        }
    }

    pub(super) fn digits(block: &[u8; 64]) -> u64 {
        let mut mask = 0u64;
        for i in [0usize, 16, 32, 48] {
            let m = in_range(lane(block, i), b'0', 10);
            // SAFETY: SSE2 baseline.
            let bits = unsafe { _mm_movemask_epi8(m) } as u32 as u64;
            mask |= bits << i;
        }
        mask
    }

    pub(super) fn digits_newlines_capitals(block: &[u8; 64]) -> [u64; 3] {
        let mut out = [0u64; 3];
        for i in [0usize, 16, 32, 48] {
            let x = lane(block, i);
            // SAFETY: SSE2 baseline.
            let bits = unsafe {
                [
                    _mm_movemask_epi8(in_range(x, b'0', 10)),
                    _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'\n' as i8))),
                    _mm_movemask_epi8(in_range(x, b'A', 26)),
                ]
            };
            for (o, b) in out.iter_mut().zip(bits) {
                *o |= (b as u32 as u64) << i;
            }
        }
        out
    }

    pub(super) fn words_and_digits(block: &[u8; 64]) -> (u64, u64) {
        let (mut words, mut digits) = (0u64, 0u64);
        for i in [0usize, 16, 32, 48] {
            let x = lane(block, i);
            let digit = in_range(x, b'0', 10);
            // SAFETY: SSE2 baseline.
            let (w, d) = unsafe {
                let m = _mm_or_si128(in_range(x, b'a', 26), digit);
                (
                    (_mm_movemask_epi8(m) | _mm_movemask_epi8(x)) as u32 as u64,
                    _mm_movemask_epi8(digit) as u32 as u64,
                )
            };
            words |= w << i;
            digits |= d << i;
        }
        (words, digits)
    }
}

#[cfg(not(target_arch = "x86_64"))]
use portable as imp;

/// The implementation for targets without the x86-64 one. Compiled (and, in the tests,
/// compared with the x86-64 one) on every target, so that it cannot go stale unseen.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod portable {
    use super::TextMasks;

    pub(super) fn lowercase_into(
        src: &[u8],
        dst: &mut Vec<u8>,
        masks: &mut TextMasks,
        probe: u8,
        separators: [u8; 2],
    ) {
        dst.clear();
        dst.extend(src.iter().map(u8::to_ascii_lowercase));
        for (b, block) in src.chunks_exact(64).enumerate() {
            if let Ok(block) = <&[u8; 64]>::try_from(block) {
                let [digits, newlines, capitals] = digits_newlines_capitals(block);
                let probes = super::portable_mask(block, |x| x.to_ascii_lowercase() == probe);
                let separated = super::portable_mask(block, |x| separators.contains(&x));
                masks.push(b, [digits, newlines, capitals, probes, separated]);
            }
        }
    }
    pub(super) fn digits(block: &[u8; 64]) -> u64 {
        super::portable_digits(block)
    }
    pub(super) fn words_and_digits(block: &[u8; 64]) -> (u64, u64) {
        (super::portable_words(block), super::portable_digits(block))
    }
    pub(super) fn digits_newlines_capitals(block: &[u8; 64]) -> [u64; 3] {
        [
            super::portable_digits(block),
            super::portable_mask(block, |b| b == b'\n'),
            super::portable_mask(block, |b| b.is_ascii_uppercase()),
        ]
    }
}

/// Packs 8 flag bytes (0 or 1) into 8 bits.
fn pack8(flags: [u8; 8]) -> u64 {
    (u64::from_le_bytes(flags).wrapping_mul(0x0102_0408_1020_4080) >> 56) & 0xFF
}

fn portable_mask(block: &[u8; 64], class: impl Fn(u8) -> bool) -> u64 {
    let mut mask = 0u64;
    for (c, chunk) in block.chunks_exact(8).enumerate() {
        let mut flags = [0u8; 8];
        for (f, &b) in flags.iter_mut().zip(chunk) {
            *f = u8::from(class(b));
        }
        mask |= pack8(flags) << (c * 8);
    }
    mask
}

fn portable_digits(block: &[u8; 64]) -> u64 {
    portable_mask(block, |b| b.is_ascii_digit())
}

fn portable_words(block: &[u8; 64]) -> u64 {
    portable_mask(block, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b >= 0x80
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_runs_are_walked_as_one_byte_at_a_time_would() {
        // Sets of every shape (ASCII classes, bytes >= 0x80, all, none) over text of
        // pseudo-random bytes, from every start and bound, across 32-byte steps.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let sets: Vec<Box<dyn Fn(u8) -> bool>> = vec![
            Box::new(|b: u8| b.is_ascii_alphanumeric() || b"._%+-@".contains(&b)),
            Box::new(|b: u8| b >= 0x80 || b == b' '),
            Box::new(|b: u8| b % 3 != 0),
            Box::new(|_| true),
            Box::new(|_| false),
        ];
        for contains in &sets {
            let set = ByteLookup::new(contains);
            for b in 0..=u8::MAX {
                assert_eq!(set.contains(b), contains(b), "byte {b}");
            }
            // Mostly members, so runs reach past 32 bytes.
            let hay: Vec<u8> = (0..300)
                .map(|_| {
                    let r = next();
                    let b = (r >> 8) as u8;
                    if r % 40 == 0 || contains(b) {
                        b
                    } else {
                        (0..=u8::MAX).find(|&c| contains(c)).unwrap_or(b)
                    }
                })
                .collect();
            for at in 0..=hay.len() {
                for bound in [0, at / 2, at.saturating_sub(40), at.saturating_sub(33), at] {
                    let mut want = at;
                    while want > bound && contains(hay[want - 1]) {
                        want -= 1;
                    }
                    assert_eq!(
                        set.run_start(&hay, bound, at),
                        want,
                        "back from {at} to {bound}"
                    );
                }
                for bound in [hay.len(), at + 33, at + 40, (at + hay.len()) / 2, at] {
                    let bound = bound.min(hay.len());
                    let mut want = at;
                    while want < bound && contains(hay[want]) {
                        want += 1;
                    }
                    assert_eq!(
                        set.run_end(&hay, at, bound),
                        want,
                        "on from {at} to {bound}"
                    );
                }
            }
        }
    }

    use super::*;

    #[test]
    fn simd_and_portable_agree_on_every_byte() {
        let mut block = [0u8; 64];
        for start in (0..=255u16).step_by(64) {
            for (i, b) in block.iter_mut().enumerate() {
                *b = ((start as usize + i) & 0xFF) as u8;
            }
            assert_eq!(digits(&block), portable_digits(&block));
            assert_eq!(portable::digits(&block), digits(&block));
            assert_eq!(portable::words_and_digits(&block), words_and_digits(&block));
            assert_eq!(
                portable::digits_newlines_capitals(&block),
                imp::digits_newlines_capitals(&block)
            );
            assert_eq!(
                imp::digits_newlines_capitals(&block),
                [
                    portable_digits(&block),
                    portable_mask(&block, |b| b == b'\n'),
                    portable_mask(&block, |b| b.is_ascii_uppercase()),
                ]
            );
            assert_eq!(
                words_and_digits(&block),
                (portable_words(&block), portable_digits(&block))
            );
        }
        // Every byte value, at every offset from a 32-byte boundary and every tail length, with
        // AVX2 (where the CPU has it) and SSE2.
        // The masks made along with it: one per 64 bytes, the last padded; and the list of
        // the blocks with a digit or the probe byte (`j` or `J`; or none, for a capital).
        let text: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let mut lower = vec![1, 2, 3];
        let mut masks = TextMasks {
            blocks: vec![[7; 5]],
            active: vec![9],
        };
        let expected = |src: &[u8], probe: u8, seps: [u8; 2]| -> (Vec<[u64; 5]>, Vec<u32>) {
            let blocks: Vec<[u64; 5]> = src
                .chunks(64)
                .map(|c| {
                    let block = std::array::from_fn(|i| c.get(i).copied().unwrap_or(0));
                    let tail = u64::MAX >> (64 - c.len());
                    [
                        portable_digits(&block),
                        portable_mask(&block, |b| b == b'\n'),
                        portable_mask(&block, |b| b.is_ascii_uppercase()),
                        portable_mask(&block, |b| b.to_ascii_lowercase() == probe) & tail,
                        portable_mask(&block, |b| seps.contains(&b)) & tail,
                    ]
                })
                .collect();
            let active = (0..blocks.len() as u32)
                .filter(|&b| blocks[b as usize][0] | blocks[b as usize][3] != 0)
                .collect();
            (blocks, active)
        };
        // Separators: the card's, none (a digit), and bytes the padding or a compare's
        // sign could get wrong.
        for (probe, seps) in [
            (b'j', *b" -"),
            (b'Q', *b"00"),
            (0, [0, 0x80]),
            (b'k', [0xFF, b'.']),
        ] {
            for start in 0..65 {
                for end in (text.len() - 65)..=text.len() {
                    let src = &text[start..end];
                    lowercase_into(src, &mut lower, &mut masks, probe, seps);
                    assert_eq!(lower, src.to_ascii_lowercase());
                    let want = expected(src, probe, seps);
                    assert_eq!((&masks.blocks, &masks.active), (&want.0, &want.1));
                    let whole = src.len() / 64;
                    let listed = || want.1.iter().filter(|&&b| (b as usize) < whole);
                    // The portable build, which other targets use, on every target.
                    let mut portable_masks = TextMasks::default();
                    portable::lowercase_into(src, &mut lower, &mut portable_masks, probe, seps);
                    assert_eq!(lower, src.to_ascii_lowercase());
                    assert_eq!(portable_masks.blocks[..], want.0[..whole]);
                    assert!(portable_masks.active.iter().eq(listed()));
                    #[cfg(target_arch = "x86_64")]
                    {
                        let mut sse2 = TextMasks::default();
                        sse2.blocks.reserve(whole);
                        sse2.active.reserve(whole);
                        imp::lowercase_sse2(src, &mut lower, &mut sse2, probe, seps);
                        assert_eq!(lower, src.to_ascii_lowercase());
                        assert_eq!(sse2.blocks[..], want.0[..whole]);
                        assert!(sse2.active.iter().eq(listed()));
                    }
                }
            }
        }
        lowercase_into(b"", &mut lower, &mut masks, b'j', *b" -");
        assert!(lower.is_empty() && masks.blocks.is_empty() && masks.active.is_empty());
        let mut b = [b'x'; 64];
        b[0] = b'7';
        b[63] = b'0';
        assert_eq!(digits(&b), 1 | 1 << 63);
        assert_eq!(portable_digits(&b), 1 | 1 << 63);
    }
}

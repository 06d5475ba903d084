//! Byte-class bitmasks over 64-byte blocks: bit `i` is set when byte `i` is in the class.
//!
//! These feed the two hot scans of the matcher — digits (digit clusters) and word bytes
//! (keyword starts) — so they use SSE2 on x86-64 (always available there) and a portable
//! SWAR fallback elsewhere. Both give identical results (tested). The matcher's ASCII
//! case-folded copy of the text is made here too, with the same byte-range compare, 32
//! bytes at a time with AVX2 where the CPU has it (checked at run time), and the text's
//! digit, newline and capital masks along with it, while the bytes are loaded anyway.

/// Bits for ASCII digits.
pub(crate) fn digits(block: &[u8; 64]) -> u64 {
    imp::digits(block)
}

/// Bits for word bytes of case-folded text (`a-z`, `0-9` and bytes ≥ 0x80), and for
/// digits, sharing the block's loads.
pub(crate) fn words_and_digits(block: &[u8; 64]) -> (u64, u64) {
    imp::words_and_digits(block)
}

/// Bits for digits, and for digits and the bytes equal to any of `bytes` (a handful: one
/// compare each), sharing the block's loads.
pub(crate) fn digits_and(block: &[u8; 64], bytes: &[u8]) -> (u64, u64) {
    imp::digits_and(block, bytes)
}

/// Replaces `dst` with `src`, ASCII capitals lowered, and `masks` with the
/// [`digits_newlines_capitals`] of each 64 bytes of `src` (the last block's missing bytes
/// count as none of them): the digit-cluster pass reads them instead of loading the text
/// again.
pub(crate) fn lowercase_into(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) {
    imp::lowercase_into(src, dst, masks);
    let whole = masks.len() * 64;
    if whole < src.len() {
        let mut padded = [0u8; 64];
        padded[..src.len() - whole].copy_from_slice(&src[whole..]);
        masks.push(imp::digits_newlines_capitals(&padded));
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
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
    pub(super) fn lowercase_into(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) {
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just now.
            unsafe { lowercase_avx2(src, dst, masks) };
        } else {
            lowercase_sse2(src, dst, masks);
        }
    }

    /// Empties `dst` and `masks`, with room for all of `src` and for the masks of its
    /// whole 64-byte blocks; returns how many bytes those blocks cover.
    fn make_room(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) -> usize {
        let whole = src.len() / 64 * 64;
        dst.clear();
        dst.reserve(src.len());
        masks.clear();
        masks.reserve(whole / 64);
        whole
    }

    /// [`lowercase_sse2`] 32 bytes at a time.
    #[target_feature(enable = "avx2")]
    unsafe fn lowercase_avx2(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) {
        let whole = make_room(src, dst, masks);
        let out = dst.spare_capacity_mut().as_mut_ptr().cast::<u8>();
        // SAFETY: as in `lowercase_sse2`, with 32-byte loads and stores inside `src` and
        // the reserved bytes and masks; AVX2 is enabled for this function.
        unsafe {
            let marks = masks.spare_capacity_mut().as_mut_ptr().cast::<[u64; 3]>();
            for i in (0..whole).step_by(64) {
                let low = lower32(src.as_ptr().add(i), out.add(i));
                let high = lower32(src.as_ptr().add(i + 32), out.add(i + 32));
                marks.add(i / 64).write(std::array::from_fn(|k| {
                    u64::from(low[k]) | u64::from(high[k]) << 32
                }));
            }
            masks.set_len(whole / 64);
            for (i, b) in src.iter().enumerate().skip(whole) {
                out.add(i).write(b.to_ascii_lowercase());
            }
            dst.set_len(src.len());
        }
    }

    /// Lowers the 32 bytes at `src` into `out`; returns their digit, newline and capital
    /// bits.
    ///
    /// # Safety
    /// 32 bytes must be readable at `src` and writable at `out`; the CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn lower32(src: *const u8, out: *mut u8) -> [u32; 3] {
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
            [digit, newline, upper].map(|m| _mm256_movemask_epi8(m) as u32)
        }
    }

    pub(super) fn lowercase_sse2(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) {
        let whole = make_room(src, dst, masks);
        let out = dst.spare_capacity_mut().as_mut_ptr().cast::<u8>();
        // SAFETY: SSE2 baseline; every load reads 16 bytes inside `src` (`i + lane + 16 <=
        // whole <= src.len()`) and every store writes inside the `src.len()` bytes just
        // reserved; `loadu`/`storeu` need no alignment. All `src.len()` bytes are written
        // before the length is set. `masks` is empty (`make_room`) with room for
        // `whole / 64` entries, each written (entry `i / 64` for block `i`) before its
        // length is set. (Pushing instead lets LLVM vectorise the loop across blocks,
        // inserting the masks byte by byte: twice as slow.)
        unsafe {
            let bit = _mm_set1_epi8(0x20);
            let newline = _mm_set1_epi8(b'\n' as i8);
            let marks = masks.spare_capacity_mut().as_mut_ptr().cast::<[u64; 3]>();
            for i in (0..whole).step_by(64) {
                let mut mask = [0u64; 3];
                for lane in [0, 16, 32, 48] {
                    let x = _mm_loadu_si128(src.as_ptr().add(i + lane).cast());
                    let upper = in_range(x, b'A', 26);
                    let lower = _mm_or_si128(x, _mm_and_si128(upper, bit));
                    _mm_storeu_si128(out.add(i + lane).cast(), lower);
                    let bits = [in_range(x, b'0', 10), _mm_cmpeq_epi8(x, newline), upper];
                    for (m, b) in mask.iter_mut().zip(bits) {
                        *m |= u64::from(_mm_movemask_epi8(b) as u32) << lane;
                    }
                }
                marks.add(i / 64).write(mask);
            }
            masks.set_len(whole / 64);
            for (i, b) in src.iter().enumerate().skip(whole) {
                out.add(i).write(b.to_ascii_lowercase());
            }
            dst.set_len(src.len());
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

    pub(super) fn digits_and(block: &[u8; 64], bytes: &[u8]) -> (u64, u64) {
        let (mut digits, mut both) = (0u64, 0u64);
        for i in [0usize, 16, 32, 48] {
            let x = lane(block, i);
            let digit = in_range(x, b'0', 10);
            // SAFETY: SSE2 baseline.
            let (d, m) = unsafe {
                let mut m = digit;
                for &b in bytes {
                    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8)));
                }
                (_mm_movemask_epi8(digit), _mm_movemask_epi8(m))
            };
            digits |= (d as u32 as u64) << i;
            both |= (m as u32 as u64) << i;
        }
        (digits, both)
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
mod imp {
    pub(super) fn lowercase_into(src: &[u8], dst: &mut Vec<u8>, masks: &mut Vec<[u64; 3]>) {
        dst.clear();
        dst.extend(src.iter().map(u8::to_ascii_lowercase));
        masks.clear();
        for block in src.chunks_exact(64) {
            if let Ok(block) = <&[u8; 64]>::try_from(block) {
                masks.push(digits_newlines_capitals(block));
            }
        }
    }
    pub(super) fn digits(block: &[u8; 64]) -> u64 {
        super::portable_digits(block)
    }
    pub(super) fn words_and_digits(block: &[u8; 64]) -> (u64, u64) {
        (super::portable_words(block), super::portable_digits(block))
    }
    pub(super) fn digits_and(block: &[u8; 64], bytes: &[u8]) -> (u64, u64) {
        (
            super::portable_digits(block),
            super::portable_mask(block, |b| b.is_ascii_digit() || bytes.contains(&b)),
        )
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

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_digits(block: &[u8; 64]) -> u64 {
    portable_mask(block, |b| b.is_ascii_digit())
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_words(block: &[u8; 64]) -> u64 {
    portable_mask(block, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b >= 0x80
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_and_portable_agree_on_every_byte() {
        let mut block = [0u8; 64];
        for start in (0..=255u16).step_by(64) {
            for (i, b) in block.iter_mut().enumerate() {
                *b = ((start as usize + i) & 0xFF) as u8;
            }
            assert_eq!(digits(&block), portable_digits(&block));
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
            for bytes in [&b""[..], b" -", b" ()+-./", &[0, 0x80, 0xFF]] {
                assert_eq!(
                    digits_and(&block, bytes),
                    (
                        portable_digits(&block),
                        portable_mask(&block, |b| b.is_ascii_digit() || bytes.contains(&b))
                    )
                );
            }
        }
        // Every byte value, at every offset from a 32-byte boundary and every tail length, with
        // AVX2 (where the CPU has it) and SSE2.
        // The masks made along with it: one per 64 bytes, the last padded.
        let text: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let (mut lower, mut masks) = (vec![1, 2, 3], vec![[7; 3]]);
        let expected_masks = |src: &[u8]| -> Vec<[u64; 3]> {
            src.chunks(64)
                .map(|c| {
                    let block = std::array::from_fn(|i| c.get(i).copied().unwrap_or(0));
                    [
                        portable_digits(&block),
                        portable_mask(&block, |b| b == b'\n'),
                        portable_mask(&block, |b| b.is_ascii_uppercase()),
                    ]
                })
                .collect()
        };
        for start in 0..65 {
            for end in (text.len() - 65)..=text.len() {
                let src = &text[start..end];
                lowercase_into(src, &mut lower, &mut masks);
                assert_eq!(lower, src.to_ascii_lowercase());
                assert_eq!(masks, expected_masks(src), "{start}..{end}");
                #[cfg(target_arch = "x86_64")]
                {
                    let mut whole = vec![[7; 3]; 3];
                    imp::lowercase_sse2(src, &mut lower, &mut whole);
                    assert_eq!(lower, src.to_ascii_lowercase());
                    assert_eq!(whole[..], masks[..src.len() / 64]);
                }
            }
        }
        lowercase_into(b"", &mut lower, &mut masks);
        assert!(lower.is_empty() && masks.is_empty());
        let mut b = [b'x'; 64];
        b[0] = b'7';
        b[63] = b'0';
        assert_eq!(digits(&b), 1 | 1 << 63);
        assert_eq!(portable_digits(&b), 1 | 1 << 63);
    }
}

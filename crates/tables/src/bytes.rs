//! Little-endian field reads that never panic: out-of-range reads yield 0.
//!
//! The reader validates every offset before any accessor can reach it, so the
//! fallback values are never observed; they exist so that no code path of the
//! crate contains an indexing operation that could panic.

#[inline]
pub(crate) fn u8_at(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

#[inline]
pub(crate) fn u16_at(b: &[u8], off: usize) -> u16 {
    match b.get(off..).and_then(|s| s.first_chunk::<2>()) {
        Some(a) => u16::from_le_bytes(*a),
        None => 0,
    }
}

#[inline]
pub(crate) fn u32_at(b: &[u8], off: usize) -> u32 {
    match b.get(off..).and_then(|s| s.first_chunk::<4>()) {
        Some(a) => u32::from_le_bytes(*a),
        None => 0,
    }
}

#[inline]
pub(crate) fn u64_at(b: &[u8], off: usize) -> u64 {
    match b.get(off..).and_then(|s| s.first_chunk::<8>()) {
        Some(a) => u64::from_le_bytes(*a),
        None => 0,
    }
}

#[inline]
pub(crate) fn i64_at(b: &[u8], off: usize) -> i64 {
    match b.get(off..).and_then(|s| s.first_chunk::<8>()) {
        Some(a) => i64::from_le_bytes(*a),
        None => 0,
    }
}

//! Padmé padding: sizes rounded up so a ciphertext's length says little.
//!
//! Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
//! Communication with PURBs", 2019) rounds a length L so that at most
//! O(log log L) bits of it remain, with at most 12 % overhead. Below
//! [`MIN_PADDED`] everything is padded to the same size, so a one-line report
//! and a half-page one look alike.
//!
//! ```
//! use candor::core::padding::padded_len;
//! assert_eq!(padded_len(10), 1024); // short texts all look alike
//! assert_eq!(padded_len(100_000), 100_352);
//! ```
//!
//! # Invariants
//!
//! `padded_len(n) >= n`, it is monotonic, and `padded_len(padded_len(n)) ==
//! padded_len(n)`.

/// The smallest size anything is padded to.
pub const MIN_PADDED: u64 = 1024;

/// Padmé's padded length for `len` bytes (never below [`MIN_PADDED`]).
pub fn padded_len(len: u64) -> u64 {
    let l = len.max(MIN_PADDED);
    let e = 63 - u64::from(l.leading_zeros());
    let s = 64 - u64::from(e.leading_zeros());
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    l.checked_add(mask).map_or(u64::MAX, |v| v & !mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(padded_len(0), 1024);
        assert_eq!(padded_len(1024), 1024);
        assert_eq!(padded_len(1025), 1088);
        assert_eq!(padded_len(9_999), 10_240);
        assert_eq!(padded_len(1_000_000), 1_015_808);
    }

    proptest! {
        #[test]
        fn padmé_properties(n in 0u64..(1 << 40)) {
            let p = padded_len(n);
            prop_assert!(p >= n);
            prop_assert_eq!(padded_len(p), p);
            prop_assert!(padded_len(n + 1) >= p);
            if n > MIN_PADDED {
                prop_assert!((p - n) as f64 <= n as f64 * 0.12 + 1.0);
            }
        }
    }
}

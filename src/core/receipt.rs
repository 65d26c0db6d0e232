//! Receipt codes: the reporter's only key back to their case.
//!
//! A receipt carries 120 bits from the OS CSPRNG (received as bytes; this
//! module reads no randomness itself). It is written in a language-neutral
//! alphabet (Crockford's base 32: digits and Latin capitals without I, L, O,
//! U), in five groups of five symbols, the last symbol a check symbol.
//!
//! From the receipt, HKDF-SHA256 derives, with separate labels:
//! - the **lookup id** the server stores to find the case, and
//! - the reporter's **X25519 (age) identity**; the server stores only its
//!   public recipient and derives the secret for the moment a reporter reads
//!   the office's replies, and
//! - the reporter's **message key**, sealed inside the report to the office;
//!   the server derives it while the reporter is logged in to authenticate
//!   each follow-up message (see [`crate::core::log::message_mac`]).
//!
//! With 120 bits of entropy there is nothing for a slow hash to add.
//!
//! ```
//! use candor::core::receipt::{Receipt, ReceiptError};
//!
//! let receipt = Receipt::from_entropy([7; 15]);
//! let shown = receipt.display();
//! // What a person types back: lower case, spaces instead of dashes.
//! let typed = shown.expose().to_lowercase().replace('-', " ");
//! let again = Receipt::parse(&typed).expect("the same code");
//! assert_eq!(again.lookup_id(), receipt.lookup_id());
//! // One wrong symbol is a typo, not an unknown code.
//! let mut wrong = shown.expose().to_owned();
//! wrong.replace_range(0..1, if wrong.starts_with('A') { "B" } else { "A" });
//! assert_eq!(Receipt::parse(&wrong).err(), Some(ReceiptError::Typo));
//! ```
//!
//! # Wire format
//!
//! `GGGGG-GGGGG-GGGGG-GGGGG-GGGGC`: 24 data symbols (the 15 entropy bytes,
//! big-endian, 5 bits a symbol) and one check symbol `C = Σ vᵢ·α^(i+1)` over
//! GF(32) (polynomial x⁵+x²+1, α = 2), so that any single wrong symbol and any
//! swap of two neighbouring symbols is caught as a typo.
//!
//! # Invariants
//!
//! - Input is normalised before checking: case, spaces and dashes of every
//!   script, full-width forms, and look-alikes (O→0, I/L→1, U→V, Cyrillic and
//!   Greek capitals that look Latin).
//! - A receipt is never stored, logged or put in a URL; the type has no
//!   `Clone`, `Serialize` or readable `Debug`, and is wiped on drop.

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::secret::SecretText;

/// Bytes of entropy in a receipt.
pub const ENTROPY_BYTES: usize = 15;
const DATA_SYMBOLS: usize = ENTROPY_BYTES * 8 / 5;
const SYMBOLS: usize = DATA_SYMBOLS + 1;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const HKDF_SALT: &[u8] = b"candor/receipt/v1";

/// Why a typed receipt was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptError {
    #[error("no receipt code was given")]
    Empty,
    #[error("a receipt code has 25 symbols; this one has {0}")]
    WrongLength(usize),
    #[error("the receipt code contains a character that is never used in codes")]
    InvalidCharacter,
    #[error("the check symbol does not match: there is a typo in the code")]
    Typo,
    #[error("could not derive the reporter key")]
    Derivation,
}

/// A receipt code. Holds its entropy only.
pub struct Receipt {
    entropy: Zeroizing<[u8; ENTROPY_BYTES]>,
}

/// The id under which the server files a case for receipt look-up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LookupId(pub [u8; 32]);

impl fmt::Debug for LookupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LookupId([redacted])")
    }
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt([redacted])")
    }
}

impl Receipt {
    /// A receipt from fresh CSPRNG output.
    pub fn from_entropy(entropy: [u8; ENTROPY_BYTES]) -> Receipt {
        Receipt {
            entropy: Zeroizing::new(entropy),
        }
    }

    /// Reads a receipt as a person typed or pasted it.
    pub fn parse(input: &str) -> Result<Receipt, ReceiptError> {
        let mut values: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(SYMBOLS));
        let mut count = 0usize;
        for c in input.chars() {
            if is_separator(c) {
                continue;
            }
            count += 1;
            if count > SYMBOLS {
                continue;
            }
            values.push(symbol_value(c).ok_or(ReceiptError::InvalidCharacter)?);
        }
        if count == 0 {
            return Err(ReceiptError::Empty);
        }
        if count != SYMBOLS {
            return Err(ReceiptError::WrongLength(count));
        }
        let (data, check) = values.split_at(DATA_SYMBOLS);
        if check.first() != Some(&check_symbol(data)) {
            return Err(ReceiptError::Typo);
        }
        let mut entropy = Zeroizing::new([0u8; ENTROPY_BYTES]);
        let mut acc: u32 = 0;
        let mut bits = 0u32;
        let mut out = 0usize;
        for v in data {
            acc = (acc << 5) | u32::from(*v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                if let Some(slot) = entropy.get_mut(out) {
                    *slot = (acc >> bits) as u8;
                }
                out += 1;
                acc &= (1 << bits) - 1;
            }
        }
        acc.zeroize();
        Ok(Receipt { entropy })
    }

    /// The code as shown to the reporter: five groups of five.
    pub fn display(&self) -> SecretText {
        let values = self.symbols();
        let mut s = String::with_capacity(SYMBOLS + 4);
        for (i, v) in values.iter().enumerate() {
            if i > 0 && i % 5 == 0 {
                s.push('-');
            }
            s.push(ALPHABET.get(usize::from(*v)).map_or('?', |c| char::from(*c)));
        }
        SecretText::new(s)
    }

    fn symbols(&self) -> Zeroizing<Vec<u8>> {
        let mut values = Zeroizing::new(Vec::with_capacity(SYMBOLS));
        let mut acc: u32 = 0;
        let mut bits = 0u32;
        for b in self.entropy.iter() {
            acc = (acc << 8) | u32::from(*b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                values.push(((acc >> bits) & 31) as u8);
            }
            acc &= (1 << bits) - 1;
        }
        let check = check_symbol(&values);
        values.push(check);
        values
    }

    fn derive(&self, label: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), self.entropy.as_slice());
        let mut okm = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 255 * 32.
        if hk.expand(label, okm.as_mut_slice()).is_err() {
            okm.fill(0);
        }
        okm
    }

    /// The id the server files this case under.
    pub fn lookup_id(&self) -> LookupId {
        LookupId(*self.derive(b"lookup-id"))
    }

    /// The reporter's age identity, which decrypts the office's replies.
    pub fn reporter_identity(&self) -> Result<age::x25519::Identity, ReceiptError> {
        let secret = self.derive(b"reporter-x25519");
        identity_from_bytes(&secret).ok_or(ReceiptError::Derivation)
    }

    /// The key that authenticates this reporter's follow-up messages.
    pub fn message_key(&self) -> MessageKey {
        MessageKey(self.derive(b"reporter-message-mac"))
    }

    /// The public half of [`Receipt::reporter_identity`], as an age recipient string.
    pub fn reporter_recipient(&self) -> Result<String, ReceiptError> {
        Ok(self.reporter_identity()?.to_public().to_string())
    }
}

/// The key that authenticates a reporter's follow-up messages (HMAC-SHA256).
/// Only the receipt, and the report sealed to the office, hold it.
pub struct MessageKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageKey([redacted])")
    }
}

impl MessageKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MessageKey {
        MessageKey(Zeroizing::new(bytes))
    }

    /// From the hex the report envelope and the desk's vault hold.
    pub fn from_hex(text: &str) -> Option<MessageKey> {
        let bytes = Zeroizing::new(hex::decode(text).ok()?);
        let array: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(MessageKey::from_bytes(array))
    }

    pub fn to_hex(&self) -> SecretText {
        SecretText::new(hex::encode(self.0.as_slice()))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Builds an age X25519 identity from 32 secret bytes.
pub fn identity_from_bytes(secret: &[u8; 32]) -> Option<age::x25519::Identity> {
    let hrp = bech32::Hrp::parse_unchecked("age-secret-key-");
    let encoded = Zeroizing::new(bech32::encode::<bech32::Bech32>(hrp, secret).ok()?);
    let upper = Zeroizing::new(encoded.to_uppercase());
    upper.parse::<age::x25519::Identity>().ok()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '.'
                | '·'
                | '‐'
                | '‑'
                | '‒'
                | '–'
                | '—'
                | '―'
                | '−'
                | '－'
                | 'ー'
                | '・'
                | '、'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{feff}'
        )
}

fn symbol_value(c: char) -> Option<u8> {
    let c = fold_lookalike(c)?;
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// Maps what a person may type for a symbol to the symbol itself.
fn fold_lookalike(c: char) -> Option<u8> {
    // Full-width forms, as typed with CJK input methods.
    let c = match c {
        '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
            char::from_u32(u32::from(c) - 0xfee0)?
        }
        _ => c,
    };
    let c = c.to_uppercase().next()?;
    let folded = match c {
        'O' | 'О' | 'Ο' | 'Ө' => '0',
        'I' | 'L' | 'І' | 'Ι' | 'Ӏ' | '|' => '1',
        'U' => 'V',
        'З' => '3',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' | 'Ϲ' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' | 'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        c if c.is_ascii() => c,
        _ => return None,
    };
    u8::try_from(folded).ok()
}

fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b10_0000 != 0 {
            a ^= 0b10_0101;
        }
    }
    p
}

fn check_symbol(values: &[u8]) -> u8 {
    let mut power = 1u8;
    let mut sum = 0u8;
    for v in values {
        power = gf32_mul(power, 2);
        sum ^= gf32_mul(*v & 31, power);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Receipt {
        Receipt::from_entropy(*b"0123456789abcde")
    }

    #[test]
    fn grouped_and_checked() {
        let shown = sample().display();
        let s = shown.expose();
        assert_eq!(s.len(), 29);
        assert_eq!(s.split('-').count(), 5);
        assert!(s.split('-').all(|g| g.len() == 5));
        let back = Receipt::parse(s).expect("parses");
        assert_eq!(back.lookup_id(), sample().lookup_id());
    }

    #[test]
    fn normalises_what_people_type() {
        let shown = sample().display();
        let s = shown.expose();
        let messy = format!("  {} ", s.to_lowercase().replace('-', " — "));
        assert_eq!(
            Receipt::parse(&messy).expect("messy parses").lookup_id(),
            sample().lookup_id()
        );
        let fullwidth: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    char::from_u32(u32::from(c) + 0xfee0).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
        assert_eq!(
            Receipt::parse(&fullwidth).expect("full-width parses").lookup_id(),
            sample().lookup_id()
        );
    }

    #[test]
    fn errors_are_named() {
        assert_eq!(Receipt::parse("  - ").err(), Some(ReceiptError::Empty));
        assert_eq!(Receipt::parse("ABCDE").err(), Some(ReceiptError::WrongLength(5)));
        assert_eq!(
            Receipt::parse("ABCDE-ABCDE-ABCDE-ABCDE-ABCD#").err(),
            Some(ReceiptError::InvalidCharacter)
        );
        assert_eq!(
            Receipt::parse("ABCDE-ABCDE-ABCDE-ABCDE-ABCDя").err(),
            Some(ReceiptError::InvalidCharacter)
        );
    }

    #[test]
    fn labels_are_separated() {
        let r = sample();
        assert_ne!(r.lookup_id().0, *r.derive(b"reporter-x25519"));
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(entropy in any::<[u8; ENTROPY_BYTES]>()) {
            let r = Receipt::from_entropy(entropy);
            let back = Receipt::parse(r.display().expose()).expect("round trip");
            prop_assert_eq!(*back.entropy, entropy);
        }

        #[test]
        fn any_single_substitution_is_a_typo(
            entropy in any::<[u8; ENTROPY_BYTES]>(),
            pos in 0usize..SYMBOLS,
            delta in 1u8..32,
        ) {
            let r = Receipt::from_entropy(entropy);
            let mut symbols = r.symbols();
            symbols[pos] = (symbols[pos] + delta) % 32;
            let typed: String = symbols.iter().map(|v| char::from(ALPHABET[usize::from(*v)])).collect();
            prop_assert_eq!(Receipt::parse(&typed).err(), Some(ReceiptError::Typo));
        }

        #[test]
        fn any_neighbour_swap_is_a_typo(entropy in any::<[u8; ENTROPY_BYTES]>(), pos in 0usize..SYMBOLS - 1) {
            let r = Receipt::from_entropy(entropy);
            let mut symbols = r.symbols();
            prop_assume!(symbols[pos] != symbols[pos + 1]);
            symbols.swap(pos, pos + 1);
            let typed: String = symbols.iter().map(|v| char::from(ALPHABET[usize::from(*v)])).collect();
            prop_assert_eq!(Receipt::parse(&typed).err(), Some(ReceiptError::Typo));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,64}") {
            let _ = Receipt::parse(&s);
        }
    }
}

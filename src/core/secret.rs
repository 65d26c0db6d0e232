//! Secret containers: bytes and text that must not be printed, copied or kept.
//!
//! Everything a reporter writes, every receipt code and every private key in
//! candor lives in one of these. They have no `Clone` and no `Serialize`,
//! print as `[redacted]`, are wiped when dropped, and give their content only
//! through an accessor whose name says what it does.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Secret bytes, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop, Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn expose_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes([redacted])")
    }
}

/// Secret text, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop, Default, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: String) -> Self {
        SecretText(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// A second copy, made on purpose (the type has no `Clone` so that this
    /// never happens by accident).
    pub fn duplicate(&self) -> SecretText {
        SecretText(self.0.clone())
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([redacted])")
    }
}

impl From<String> for SecretText {
    fn from(s: String) -> Self {
        SecretText(s)
    }
}

impl<'de> serde::Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretText)
    }
}

/// Serialisation for secret text exists only so that envelopes can put it
/// inside their encrypted payload; see [`crate::core::envelope`].
pub(crate) fn serialize_secret_text<S: serde::Serializer>(t: &SecretText, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.0)
}

pub(crate) fn serialize_opt_secret_text<S: serde::Serializer>(
    t: &Option<SecretText>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&t.0),
        None => s.serialize_none(),
    }
}

/// A fixed-size secret key, wiped on drop.
pub type SecretKey32 = Zeroizing<[u8; 32]>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = SecretText::new("the director took the money".into());
        assert!(!format!("{t:?}").contains("money"));
        let b = SecretBytes::new(b"evidence".to_vec());
        assert!(!format!("{b:?}").contains("evidence"));
    }
}

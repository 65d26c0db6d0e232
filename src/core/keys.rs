//! Key files: how candor writes and reads its keys as text.
//!
//! Parsing and formatting only; reading the files is the shells' business.
//!
//! # Wire format
//!
//! Lines starting with `#` and blank lines are comments everywhere.
//!
//! - `recipients.txt`: one age recipient (`age1…`) a line.
//! - `office.key`: age identities (`AGE-SECRET-KEY-1…`), as `age-keygen` writes them.
//! - `officer.pub`: `candor-ed25519-public <base64 of 32 bytes>`.
//! - `officer.key` and the server's own key: `CANDOR-ED25519-SECRET <base64 of 32 bytes>`.
//! - `officer-token`: the bearer token, one line; `officer-token.sha256`: its
//!   SHA-256 in hex.
//! - `*.asc`: OpenPGP certificates (public) or secret keys, ASCII-armored
//!   (see [`super::openpgp`]); OpenPGP secret keys are protected by their own
//!   S2K passphrase protection.
//!
//! A protected age secret file (`office.key`, `officer.key`, as `keygen`
//! writes them unless told `--no-passphrase`) is the same text, encrypted
//! with age to a passphrase (scrypt recipient, age's default work factor of
//! about one second) and ASCII-armored: it begins with
//! `-----BEGIN AGE ENCRYPTED FILE-----`, the form `age -p -a` writes and
//! `age -d` reads.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const PUBLIC_PREFIX: &str = "candor-ed25519-public ";
const SECRET_PREFIX: &str = "CANDOR-ED25519-SECRET ";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    #[error("line {0} is not an age recipient")]
    BadRecipient(usize),
    #[error("no recipients in the file")]
    NoRecipients,
    #[error("no age identity in the file")]
    NoIdentity,
    #[error("the age identity on line {0} is not valid")]
    BadIdentity(usize),
    #[error("not a candor {0} key file")]
    BadKeyFile(&'static str),
    #[error("the token hash file must hold 64 hex digits")]
    BadTokenHash,
    #[error("the passphrase does not unlock this key file")]
    WrongPassphrase,
    #[error("could not protect the key file with the passphrase")]
    Protect,
}

const PROTECTED_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";

/// Whether a secret key file is passphrase-protected (armored age scrypt file).
pub fn is_protected(text: &str) -> bool {
    text.trim_start().starts_with(PROTECTED_BEGIN)
}

/// Encrypts a secret key file's text to `passphrase` (age scrypt, armored).
pub fn protect(text: &str, passphrase: &str) -> Result<String, KeyError> {
    let recipient = age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    age::encrypt_and_armor(&recipient, text.as_bytes()).map_err(|_| KeyError::Protect)
}

/// Decrypts a protected key file; plain files are returned as they are.
pub fn unprotect(text: &str, passphrase: Option<&str>) -> Result<Zeroizing<String>, KeyError> {
    if !is_protected(text) {
        return Ok(Zeroizing::new(text.to_owned()));
    }
    let pass = passphrase.ok_or(KeyError::WrongPassphrase)?;
    let identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(pass.to_owned()));
    let plain =
        Zeroizing::new(age::decrypt(&identity, text.as_bytes()).map_err(|_| KeyError::WrongPassphrase)?);
    std::str::from_utf8(&plain)
        .map(|s| Zeroizing::new(s.to_owned()))
        .map_err(|_| KeyError::WrongPassphrase)
}

fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

pub fn parse_recipients(text: &str) -> Result<Vec<age::x25519::Recipient>, KeyError> {
    let list = content_lines(text)
        .map(|(n, l)| {
            l.parse::<age::x25519::Recipient>()
                .map_err(|_| KeyError::BadRecipient(n))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err(KeyError::NoRecipients);
    }
    Ok(list)
}

pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>, KeyError> {
    let list = content_lines(text)
        .map(|(n, l)| {
            l.parse::<age::x25519::Identity>()
                .map_err(|_| KeyError::BadIdentity(n))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err(KeyError::NoIdentity);
    }
    Ok(list)
}

pub fn format_identity(id: &age::x25519::Identity, created: &str) -> Zeroizing<String> {
    use age::secrecy::ExposeSecret;
    Zeroizing::new(format!(
        "# candor office key (age identity). SECRET: keep on the air-gapped machine only.\n# created: {created}\n# public key: {}\n{}\n",
        id.to_public(),
        id.to_string().expose_secret()
    ))
}

fn single_line<'a>(text: &'a str, prefix: &str, what: &'static str) -> Result<&'a str, KeyError> {
    let mut lines = content_lines(text);
    let (_, line) = lines.next().ok_or(KeyError::BadKeyFile(what))?;
    if lines.next().is_some() {
        return Err(KeyError::BadKeyFile(what));
    }
    line.strip_prefix(prefix).ok_or(KeyError::BadKeyFile(what))
}

fn decode32(b64: &str, what: &'static str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(b64.trim())
            .map_err(|_| KeyError::BadKeyFile(what))?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(KeyError::BadKeyFile(what));
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

pub fn format_verifying_key(key: &VerifyingKey, comment: &str) -> String {
    format!(
        "# {comment}\n{PUBLIC_PREFIX}{}\n",
        STANDARD.encode(key.as_bytes())
    )
}

pub fn parse_verifying_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = decode32(
        single_line(text, PUBLIC_PREFIX, "public signing")?,
        "public signing",
    )?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::BadKeyFile("public signing"))
}

/// Every verifying key in an `officer.pub` that lists one or more (one an
/// officer, one a line): the office's signing keys.
pub fn parse_verifying_keys(text: &str) -> Result<Vec<VerifyingKey>, KeyError> {
    let what = "public signing";
    let mut keys = Vec::new();
    for (_, line) in content_lines(text) {
        let b64 = line
            .strip_prefix(PUBLIC_PREFIX)
            .ok_or(KeyError::BadKeyFile(what))?;
        let bytes = decode32(b64, what)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::BadKeyFile(what))?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return Err(KeyError::BadKeyFile(what));
    }
    Ok(keys)
}

pub fn format_signing_key(key: &SigningKey, comment: &str) -> Zeroizing<String> {
    let secret = Zeroizing::new(key.to_bytes());
    Zeroizing::new(format!(
        "# {comment}\n{SECRET_PREFIX}{}\n",
        STANDARD.encode(secret.as_slice())
    ))
}

pub fn parse_signing_key(text: &str) -> Result<SigningKey, KeyError> {
    let bytes = decode32(
        single_line(text, SECRET_PREFIX, "secret signing")?,
        "secret signing",
    )?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The SHA-256 of the officer's bearer token, as the server keeps it.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.trim().as_bytes()).into())
    }

    pub fn parse(text: &str) -> Result<TokenHash, KeyError> {
        let (_, line) = content_lines(text).next().ok_or(KeyError::BadTokenHash)?;
        let bytes = hex::decode(line).map_err(|_| KeyError::BadTokenHash)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadTokenHash)?;
        Ok(TokenHash(arr))
    }

    /// A hash no token has (nobody knows a preimage of all zeros): for a
    /// channel that has no token of its own.
    pub fn unmatchable() -> TokenHash {
        TokenHash([0u8; 32])
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Checks a presented token in constant time.
    pub fn matches(&self, token: &str) -> bool {
        TokenHash::of(token).0.ct_eq(&self.0).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_keys_round_trip() {
        let key = SigningKey::from_bytes(&[4u8; 32]);
        let text = format_signing_key(&key, "test");
        assert_eq!(parse_signing_key(&text).map(|k| k.to_bytes()), Ok(key.to_bytes()));
        let public = format_verifying_key(&key.verifying_key(), "test");
        assert_eq!(parse_verifying_key(&public), Ok(key.verifying_key()));
        assert_eq!(
            parse_verifying_key(&text).err(),
            Some(KeyError::BadKeyFile("public signing"))
        );
    }

    #[test]
    fn protected_key_files() {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let text = format_signing_key(&key, "test");
        let sealed = protect(&text, "a long passphrase").expect("protect");
        assert!(is_protected(&sealed));
        assert!(!sealed.contains(text.trim()));
        assert_eq!(
            unprotect(&sealed, Some("wrong")).err(),
            Some(KeyError::WrongPassphrase)
        );
        assert_eq!(unprotect(&sealed, None).err(), Some(KeyError::WrongPassphrase));
        let back = unprotect(&sealed, Some("a long passphrase")).expect("unprotect");
        assert_eq!(back.as_str(), text.as_str());
        assert_eq!(unprotect(&text, None).expect("plain").as_str(), text.as_str());
    }

    #[test]
    fn token_hash() {
        let h = TokenHash::of("s3cret");
        let parsed = TokenHash::parse(&format!("{}\n", h.to_hex())).expect("parses");
        assert!(parsed.matches("s3cret"));
        assert!(parsed.matches("s3cret\n"));
        assert!(!parsed.matches("s3cre"));
        assert!(TokenHash::parse("abc").is_err());
    }

    #[test]
    fn identities_and_recipients() {
        let id = age::x25519::Identity::generate();
        let file = format_identity(&id, "2026-01-01");
        let ids = parse_identities(&file).expect("identity file");
        assert_eq!(ids[0].to_public().to_string(), id.to_public().to_string());
        let recips = parse_recipients(&format!("# office\n{}\n", id.to_public())).expect("recipients");
        assert_eq!(recips.len(), 1);
        assert_eq!(
            parse_recipients("age1nope").err(),
            Some(KeyError::BadRecipient(1))
        );
        assert_eq!(parse_recipients("# nothing").err(), Some(KeyError::NoRecipients));
    }
}

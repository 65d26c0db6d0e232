//! OpenPGP office keys (sequoia), as age recipients and identities.
//!
//! An office that keeps its keys as OpenPGP certificates does not get a
//! second envelope format: each OpenPGP certificate becomes one more age
//! *recipient*. age encrypts every envelope and attachment stream under a
//! random 16-byte file key and writes one header stanza per recipient that
//! wraps that key; for an OpenPGP certificate the stanza carries an OpenPGP
//! message, encrypted to the certificate's encryption subkey(s), whose literal
//! data is the file key. So every envelope (and every attachment stream) can
//! be opened by every configured office key of either kind, the payload is
//! encrypted once, and the streamed attachment format is unchanged.
//!
//! This module also reads the officer's Ed25519 signing subkey out of an
//! OpenPGP key, so an officer whose keys live in OpenPGP can sign outbox
//! bundles with it (see [`signing_key`] and [`verifying_key`]).
//!
//! It does no I/O: certificates and keys come in as bytes. sequoia draws its
//! own randomness for session keys and key generation (as age does for file
//! keys), and checks key validity against the system time.
//!
//! # Wire format
//!
//! An envelope or attachment is an age v1 file. Besides age's own stanzas
//! (`X25519`, grease) its header may hold, once per OpenPGP office key:
//!
//! ```text
//! -> candor-openpgp <fingerprint: 40 or 64 upper-case hex digits>
//! <base64 (no padding, 64 columns) of a binary OpenPGP message>
//! ```
//!
//! The OpenPGP message (RFC 9580: PKESK packets, then SEIPD) decrypts to a
//! literal data packet of exactly 16 bytes: the age file key. The
//! fingerprint names the certificate (not the subkey) and only helps the desk
//! say which key a file was for; decryption does not trust it.
//!
//! # Invariants
//!
//! - The stanza's message holds the file key and nothing else; a literal
//!   body of any other length is refused.
//! - Secret key material is used only in memory, decrypted from its S2K
//!   protection with the officer's passphrase; nothing here writes it out
//!   unprotected except [`armor_secret_key`] when asked for a key without a
//!   passphrase (tests, `--no-passphrase`).
//! - A stanza that is not for one of the identity's keys is passed over (age
//!   then tries the other identities), never an error.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use openpgp::cert::{CertBuilder, CipherSuite};
use openpgp::crypto::{KeyPair, Password, SessionKey};
use openpgp::packet::{PKESK, SKESK};
use openpgp::parse::Parse;
use openpgp::parse::stream::{DecryptionHelper, DecryptorBuilder, MessageStructure, VerificationHelper};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::SerializeInto;
use openpgp::serialize::stream::{Encryptor, LiteralWriter, Message};
use openpgp::types::SymmetricAlgorithm;
use openpgp::{Cert, KeyHandle};
use sequoia_openpgp as openpgp;
use zeroize::Zeroizing;

use super::day::Day;

/// The age stanza tag of an OpenPGP office recipient.
pub const STANZA_TAG: &str = "candor-openpgp";
const FILE_KEY_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenPgpError {
    #[error("not an OpenPGP certificate or key")]
    NotACertificate,
    #[error("the OpenPGP certificate {0} has no valid encryption subkey")]
    NoEncryptionKey(String),
    #[error("the OpenPGP key {0} holds no secret key material")]
    NoSecretKey(String),
    #[error("the passphrase does not unlock the OpenPGP key {0}")]
    WrongPassphrase(String),
    #[error("the OpenPGP key {0} needs a passphrase")]
    NeedsPassphrase(String),
    #[error("the OpenPGP key {0} has no Ed25519 signing key")]
    NoEd25519Signing(String),
    #[error("could not make an OpenPGP key")]
    Generate,
}

fn policy() -> StandardPolicy<'static> {
    StandardPolicy::new()
}

/// The start of `day` as a system time (key creation times are rounded to the day).
fn day_start(day: Day) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::from(day.0) * 86_400)
}

/// Reads a certificate or a secret key (armored or binary).
pub fn parse_cert(bytes: &[u8]) -> Result<Cert, OpenPgpError> {
    Cert::from_bytes(bytes).map_err(|_| OpenPgpError::NotACertificate)
}

/// Whether `text` looks like an OpenPGP armored block.
pub fn is_armored_openpgp(text: &str) -> bool {
    text.trim_start().starts_with("-----BEGIN PGP ")
}

/// The certificate's fingerprint, upper-case hex.
pub fn fingerprint(cert: &Cert) -> String {
    cert.fingerprint().to_hex()
}

/// A new office key: certification primary, Ed25519 signing subkey, X25519
/// encryption subkey, secrets S2K-protected with `passphrase` if given.
pub fn generate(user_id: &str, created: Day, passphrase: Option<&[u8]>) -> Result<Cert, OpenPgpError> {
    let builder = CertBuilder::new()
        .set_cipher_suite(CipherSuite::Cv25519)
        .set_creation_time(day_start(created))
        .add_userid(user_id)
        .add_signing_subkey()
        .add_transport_encryption_subkey()
        .add_storage_encryption_subkey()
        .set_password(passphrase.map(Password::from));
    builder
        .generate()
        .map(|(cert, _rev)| cert)
        .map_err(|_| OpenPgpError::Generate)
}

/// The public certificate, ASCII-armored.
pub fn armor_certificate(cert: &Cert) -> Result<String, OpenPgpError> {
    let bytes = cert.armored().to_vec().map_err(|_| OpenPgpError::Generate)?;
    String::from_utf8(bytes).map_err(|_| OpenPgpError::Generate)
}

/// The secret key (transferable secret key), ASCII-armored.
pub fn armor_secret_key(cert: &Cert) -> Result<Zeroizing<String>, OpenPgpError> {
    let bytes = Zeroizing::new(
        cert.as_tsk()
            .armored()
            .to_vec()
            .map_err(|_| OpenPgpError::Generate)?,
    );
    std::str::from_utf8(&bytes)
        .map(|s| Zeroizing::new(s.to_owned()))
        .map_err(|_| OpenPgpError::Generate)
}

/// An OpenPGP certificate as an age recipient.
#[derive(Clone)]
pub struct OpenPgpRecipient {
    cert: Cert,
    fingerprint: String,
}

impl std::fmt::Debug for OpenPgpRecipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenPgpRecipient({})", self.fingerprint)
    }
}

impl OpenPgpRecipient {
    /// Checks that the certificate can receive encrypted data today.
    pub fn new(cert: Cert) -> Result<OpenPgpRecipient, OpenPgpError> {
        let fingerprint = fingerprint(&cert);
        let p = policy();
        let usable = cert
            .keys()
            .with_policy(&p, None)
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .for_storage_encryption()
            .count();
        if usable == 0 {
            return Err(OpenPgpError::NoEncryptionKey(fingerprint));
        }
        Ok(OpenPgpRecipient { cert, fingerprint })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn encrypt_file_key(&self, key: &[u8]) -> openpgp::Result<Vec<u8>> {
        let p = policy();
        let recipients = self
            .cert
            .keys()
            .with_policy(&p, None)
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .for_storage_encryption();
        let mut sink = Vec::new();
        let message = Message::new(&mut sink);
        let message = Encryptor::for_recipients(message, recipients).build()?;
        let mut literal = LiteralWriter::new(message).build()?;
        literal.write_all(key)?;
        literal.finalize()?;
        Ok(sink)
    }
}

impl age::Recipient for OpenPgpRecipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
        let body = self
            .encrypt_file_key(file_key.expose_secret())
            .map_err(|e| age::EncryptError::Io(std::io::Error::other(format!("OpenPGP: {e}"))))?;
        Ok((
            vec![Stanza {
                tag: STANZA_TAG.to_owned(),
                args: vec![self.fingerprint.clone()],
                body,
            }],
            HashSet::new(),
        ))
    }
}

/// An OpenPGP secret key, unlocked, as an age identity.
pub struct OpenPgpIdentity {
    fingerprint: String,
    cert: Cert,
    keys: Vec<KeyPair>,
}

impl std::fmt::Debug for OpenPgpIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenPgpIdentity({}, [redacted])", self.fingerprint)
    }
}

/// Unlocks `key` with `passphrase` if it is protected.
fn unlock<R: openpgp::packet::key::KeyRole>(
    key: openpgp::packet::Key<openpgp::packet::key::SecretParts, R>,
    passphrase: Option<&[u8]>,
    fpr: &str,
) -> Result<openpgp::packet::Key<openpgp::packet::key::SecretParts, R>, OpenPgpError> {
    if !key.secret().is_encrypted() {
        return Ok(key);
    }
    let pw = passphrase.ok_or_else(|| OpenPgpError::NeedsPassphrase(fpr.to_owned()))?;
    key.decrypt_secret(&Password::from(pw))
        .map_err(|_| OpenPgpError::WrongPassphrase(fpr.to_owned()))
}

impl OpenPgpIdentity {
    /// Unlocks every encryption-capable secret subkey of `tsk`.
    pub fn new(tsk: &Cert, passphrase: Option<&[u8]>) -> Result<OpenPgpIdentity, OpenPgpError> {
        let fpr = fingerprint(tsk);
        let p = policy();
        let mut keys = Vec::new();
        for ka in tsk
            .keys()
            .with_policy(&p, None)
            .supported()
            .for_transport_encryption()
            .for_storage_encryption()
            .secret()
        {
            let key = unlock(ka.key().clone(), passphrase, &fpr)?;
            keys.push(
                key.into_keypair()
                    .map_err(|_| OpenPgpError::NoSecretKey(fpr.clone()))?,
            );
        }
        if keys.is_empty() {
            return Err(OpenPgpError::NoSecretKey(fpr));
        }
        Ok(OpenPgpIdentity {
            fingerprint: fpr,
            cert: tsk.clone().strip_secret_key_material(),
            keys,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The matching recipient (to encrypt the vault and office copies to).
    pub fn to_recipient(&self) -> Result<OpenPgpRecipient, OpenPgpError> {
        OpenPgpRecipient::new(self.cert.clone())
    }

    fn decrypt_file_key(&self, body: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let p = policy();
        let helper = Helper {
            keys: &self.keys,
            matched: false,
        };
        let mut decryptor = DecryptorBuilder::from_bytes(body)
            .ok()?
            .with_policy(&p, None, helper)
            .ok()?;
        let mut out = Zeroizing::new(Vec::new());
        decryptor
            .by_ref()
            .take(FILE_KEY_LEN as u64 + 1)
            .read_to_end(&mut out)
            .ok()?;
        Some(out)
    }
}

struct Helper<'a> {
    keys: &'a [KeyPair],
    matched: bool,
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        Ok(Vec::new())
    }
    fn check(&mut self, _structure: MessageStructure) -> openpgp::Result<()> {
        // The file key is not signed: the age payload's MAC and the envelope's
        // own checks authenticate what it protects.
        Ok(())
    }
}

impl DecryptionHelper for Helper<'_> {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        _skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> openpgp::Result<Option<Cert>> {
        for pkesk in pkesks {
            for pair in self.keys {
                let mut pair = pair.clone();
                if let Some((algo, sk)) = pkesk.decrypt(&mut pair, sym_algo)
                    && decrypt(algo, &sk)
                {
                    self.matched = true;
                    return Ok(None);
                }
            }
        }
        Err(openpgp::Error::MissingSessionKey("not for this key".into()).into())
    }
}

impl age::Identity for OpenPgpIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag != STANZA_TAG {
            return None;
        }
        // Not for one of our keys: let another identity try.
        let plain = self.decrypt_file_key(&stanza.body)?;
        let Ok(bytes) = <[u8; FILE_KEY_LEN]>::try_from(plain.as_slice()) else {
            return Some(Err(age::DecryptError::InvalidHeader));
        };
        Some(Ok(FileKey::new(Box::new(bytes))))
    }
}

/// The officer's Ed25519 signing key held in an OpenPGP key: the newest
/// valid signing-capable (sub)key whose algorithm is Ed25519.
pub fn signing_key(tsk: &Cert, passphrase: Option<&[u8]>) -> Result<ed25519_dalek::SigningKey, OpenPgpError> {
    use openpgp::crypto::mpi;
    use openpgp::packet::key::SecretKeyMaterial;
    let fpr = fingerprint(tsk);
    let p = policy();
    for ka in tsk
        .keys()
        .with_policy(&p, None)
        .supported()
        .alive()
        .revoked(false)
        .for_signing()
        .secret()
    {
        let key = unlock(ka.key().clone(), passphrase, &fpr)?;
        let SecretKeyMaterial::Unencrypted(secret) = key.secret() else {
            continue;
        };
        let seed: Option<Zeroizing<[u8; 32]>> = secret.map(|m| match m {
            mpi::SecretKeyMaterial::EdDSA { scalar } => {
                let v = scalar.value_padded(32);
                <[u8; 32]>::try_from(&v[..]).ok().map(Zeroizing::new)
            }
            mpi::SecretKeyMaterial::Ed25519 { x } => <[u8; 32]>::try_from(&x[..]).ok().map(Zeroizing::new),
            _ => None,
        });
        if let Some(seed) = seed {
            return Ok(ed25519_dalek::SigningKey::from_bytes(&seed));
        }
    }
    Err(OpenPgpError::NoEd25519Signing(fpr))
}

/// The public half of [`signing_key`], read from a certificate.
pub fn verifying_key(cert: &Cert) -> Result<ed25519_dalek::VerifyingKey, OpenPgpError> {
    use openpgp::crypto::mpi;
    let fpr = fingerprint(cert);
    let p = policy();
    for ka in cert
        .keys()
        .with_policy(&p, None)
        .supported()
        .alive()
        .revoked(false)
        .for_signing()
    {
        let point: Option<[u8; 32]> = match ka.key().mpis() {
            mpi::PublicKey::EdDSA { q, .. } => q
                .value()
                .strip_prefix(&[0x40])
                .and_then(|p| <[u8; 32]>::try_from(p).ok()),
            mpi::PublicKey::Ed25519 { a } => Some(*a),
            _ => None,
        };
        if let Some(point) = point
            && let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&point)
        {
            return Ok(key);
        }
    }
    Err(OpenPgpError::NoEd25519Signing(fpr))
}

/// Encodes a stanza body as age would (used by tests and vectors).
pub fn stanza_body_base64(body: &[u8]) -> String {
    STANDARD_NO_PAD.encode(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::envelope::{self, Payload, ReplyBody};
    use crate::core::secret::SecretText;

    fn reply() -> Payload {
        Payload::Reply(ReplyBody {
            text: SecretText::new("we opened a review".into()),
            day: Day(20_000),
        })
    }

    #[test]
    fn mixed_recipients_each_decrypt() {
        let cert = generate("office <office@example.org>", Day(20_000), None).expect("key");
        let pgp_id = OpenPgpIdentity::new(&cert, None).expect("identity");
        let pgp_r = OpenPgpRecipient::new(cert.clone().strip_secret_key_material()).expect("recipient");
        let age_id = age::x25519::Identity::generate();
        let age_r = age_id.to_public();
        let ct =
            envelope::seal(crate::core::case::CaseId([1; 8]), &reply(), &[&pgp_r, &age_r]).expect("seal");
        for id in [&pgp_id as &dyn age::Identity, &age_id] {
            match envelope::open(&ct, &[id]).expect("open") {
                Payload::Reply(r) => assert_eq!(r.text.expose(), "we opened a review"),
                p => panic!("wrong payload {}", p.type_name()),
            }
        }
        let other = generate("other", Day(20_000), None).expect("key");
        let other = OpenPgpIdentity::new(&other, None).expect("identity");
        assert!(envelope::open(&ct, &[&other]).is_err());
    }

    #[test]
    fn passphrase_protects_the_secret_key() {
        let cert = generate("office", Day(20_000), Some(b"correct horse")).expect("key");
        assert_eq!(
            OpenPgpIdentity::new(&cert, None).err(),
            Some(OpenPgpError::NeedsPassphrase(fingerprint(&cert)))
        );
        assert_eq!(
            OpenPgpIdentity::new(&cert, Some(b"wrong")).err(),
            Some(OpenPgpError::WrongPassphrase(fingerprint(&cert)))
        );
        assert!(OpenPgpIdentity::new(&cert, Some(b"correct horse")).is_ok());
        let armored = armor_secret_key(&cert).expect("armor");
        let back = parse_cert(armored.as_bytes()).expect("parse");
        let signing = signing_key(&back, Some(b"correct horse")).expect("signing key");
        let public = parse_cert(armor_certificate(&cert).expect("armor").as_bytes()).expect("cert");
        assert_eq!(
            verifying_key(&public).expect("verifying"),
            signing.verifying_key()
        );
    }
}

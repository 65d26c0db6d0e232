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
//! It does no I/O and reads no clock: certificates and keys come in as bytes,
//! and whether a certificate may be encrypted to is asked for a [`Day`]
//! given by the caller ([`cert_state`], [`OpenPgpRecipient::new`]). sequoia
//! draws its own randomness for session keys and key generation (as age does
//! for file keys).
//!
//! # Keys that expire or are revoked
//!
//! A certificate can receive on a day when, at the last second of that day,
//! it is not revoked, its primary key is alive and at least one encryption
//! subkey is alive. Judging at the day's end makes a key that expires during
//! the day expired for the whole day, so nothing is sealed to it after it has
//! expired, and a key created during the day valid from its start. The server
//! seals to the keys that can receive today ([`cert_state`]); the desk
//! encrypts its own vault to its own key whatever its dates
//! ([`OpenPgpIdentity::to_recipient`]): expiry tells others not to use a key,
//! it does not stop its holder from reading.
//!
//! # Certificates GnuPG can use
//!
//! [`generate`] makes what GnuPG 2.2 (Debian 12) reads and answers: v4 keys
//! (RFC 4880) advertising only SEIPDv1 (the MDC feature), so what is sealed
//! to them is a SEIPDv1 packet. [`KeyProfile::Rfc9580`] makes v6 keys that
//! advertise SEIPDv2 (AEAD) for those who want the new format and read it
//! with sequoia or GnuPG 2.5 and later. Each stanza follows the certificate
//! it is sealed to: SEIPDv2 only when that certificate advertises it.
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
use openpgp::cert::{CertBuilder, CipherSuite, Preferences};
use openpgp::crypto::{KeyPair, Password, SessionKey};
use openpgp::packet::Key;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::packet::{PKESK, SKESK};
use openpgp::parse::Parse;
use openpgp::parse::stream::{DecryptionHelper, DecryptorBuilder, MessageStructure, VerificationHelper};
use openpgp::policy::StandardPolicy;
use openpgp::serialize::SerializeInto;
use openpgp::serialize::stream::Recipient;
use openpgp::serialize::stream::{Encryptor, LiteralWriter, Message};
use openpgp::types::{Features, RevocationStatus, SymmetricAlgorithm};
use openpgp::{Cert, KeyHandle, Profile};
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
    #[error("the OpenPGP certificate {0} cannot be encrypted to: {1}")]
    NotValid(String, CertState),
}

fn policy() -> StandardPolicy<'static> {
    StandardPolicy::new()
}

/// The start of `day` as a system time (key creation times are rounded to the day).
fn day_start(day: Day) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::from(day.0) * 86_400)
}

/// The last second of `day`: when a key's validity for that day is judged.
fn day_end(day: Day) -> SystemTime {
    day_start(Day(day.0.saturating_add(1))) - Duration::from_secs(1)
}

/// The day a point in time falls on.
fn day_of(t: SystemTime) -> Day {
    Day::from_unix_seconds(t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

/// Whether an office certificate can be encrypted to on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertState {
    /// It can; `expires` is the day it stops (the first day it cannot), if any.
    Valid { expires: Option<Day> },
    /// It expired: it cannot from this day on.
    Expired { on: Day },
    /// It, or every encryption subkey it has, was revoked.
    Revoked,
    /// It was created after that day.
    NotYetValid,
    /// No encryption subkey sequoia's standard policy accepts (weak or
    /// unknown algorithms, signing-only keys, broken binding signatures).
    NoEncryptionKey,
}

impl CertState {
    pub fn is_valid(&self) -> bool {
        matches!(self, CertState::Valid { .. })
    }
}

impl std::fmt::Display for CertState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertState::Valid { expires: Some(d) } => write!(f, "valid until {d}"),
            CertState::Valid { expires: None } => f.write_str("valid, does not expire"),
            CertState::Expired { on } => write!(f, "expired on {on}"),
            CertState::Revoked => f.write_str("revoked"),
            CertState::NotYetValid => f.write_str("not valid yet (created later)"),
            CertState::NoEncryptionKey => f.write_str("no usable encryption subkey"),
        }
    }
}

/// How `cert` stands on `day` (judged at the day's last second).
pub fn cert_state(cert: &Cert, day: Day) -> CertState {
    let p = policy();
    let t = day_end(day);
    let Ok(vc) = cert.with_policy(&p, Some(t)) else {
        return if cert.primary_key().key().creation_time() > t {
            CertState::NotYetValid
        } else {
            CertState::NoEncryptionKey
        };
    };
    if let RevocationStatus::Revoked(_) = vc.revocation_status() {
        return CertState::Revoked;
    }
    let primary_expires = vc.primary_key().key_expiration_time();
    if vc.alive().is_err() {
        return match primary_expires {
            Some(at) if at <= t => CertState::Expired { on: day_of(at) },
            _ => CertState::NotYetValid,
        };
    }
    let encryption = || {
        vc.keys()
            .supported()
            .for_transport_encryption()
            .for_storage_encryption()
    };
    let alive: Vec<Option<SystemTime>> = encryption()
        .alive()
        .revoked(false)
        .map(|ka| ka.key_expiration_time())
        .collect();
    if alive.is_empty() {
        let expired = encryption()
            .revoked(false)
            .filter_map(|ka| ka.key_expiration_time())
            .filter(|at| *at <= t)
            .max();
        return match expired {
            Some(at) => CertState::Expired { on: day_of(at) },
            None if encryption().count() > 0 => CertState::Revoked,
            None => CertState::NoEncryptionKey,
        };
    }
    // The certificate receives until its primary key or its last live
    // encryption subkey expires, whichever comes first.
    let subkeys_expire = alive
        .iter()
        .copied()
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max());
    let expires = match (primary_expires, subkeys_expire) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    CertState::Valid {
        expires: expires.map(day_of),
    }
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

/// Which OpenPGP a new key speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyProfile {
    /// v4 keys (RFC 4880) advertising SEIPDv1 only: GnuPG 2.2 and later
    /// read what is sealed to them.
    #[default]
    Rfc4880,
    /// v6 keys (RFC 9580) advertising SEIPDv2 (AEAD): sequoia, GnuPG 2.5+.
    Rfc9580,
}

/// A new office key that GnuPG 2.2 can use ([`KeyProfile::Rfc4880`]); see
/// [`generate_with`].
pub fn generate(user_id: &str, created: Day, passphrase: Option<&[u8]>) -> Result<Cert, OpenPgpError> {
    generate_with(user_id, created, passphrase, KeyProfile::Rfc4880)
}

/// A new office key: certification primary, Ed25519 signing subkey, X25519
/// encryption subkey, secrets S2K-protected with `passphrase` if given, in
/// the format `profile` names. It does not expire.
pub fn generate_with(
    user_id: &str,
    created: Day,
    passphrase: Option<&[u8]>,
    profile: KeyProfile,
) -> Result<Cert, OpenPgpError> {
    let (profile, features) = match profile {
        KeyProfile::Rfc4880 => (Profile::RFC4880, Features::empty().set_seipdv1()),
        KeyProfile::Rfc9580 => (Profile::RFC9580, Features::empty().set_seipdv1().set_seipdv2()),
    };
    let builder = CertBuilder::new()
        .set_profile(profile)
        .and_then(|b| b.set_features(features))
        .map_err(|_| OpenPgpError::Generate)?
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

/// An OpenPGP certificate as an age recipient: the encryption subkeys to
/// seal to, chosen when it is made (for a day, or the desk's own keys).
#[derive(Clone)]
pub struct OpenPgpRecipient {
    fingerprint: String,
    features: Features,
    keys: Vec<Key<PublicParts, UnspecifiedRole>>,
}

impl std::fmt::Debug for OpenPgpRecipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenPgpRecipient({})", self.fingerprint)
    }
}

impl OpenPgpRecipient {
    /// The certificate as a recipient on `day`: refused unless it can
    /// receive on that day ([`cert_state`]); seals to each encryption
    /// subkey alive and not revoked then.
    pub fn new(cert: &Cert, day: Day) -> Result<OpenPgpRecipient, OpenPgpError> {
        let fingerprint = fingerprint(cert);
        let state = cert_state(cert, day);
        if !state.is_valid() {
            return Err(OpenPgpError::NotValid(fingerprint, state));
        }
        let p = policy();
        let vc = cert
            .with_policy(&p, Some(day_end(day)))
            .map_err(|_| OpenPgpError::NoEncryptionKey(fingerprint.clone()))?;
        let keys: Vec<_> = vc
            .keys()
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .for_storage_encryption()
            .map(|ka| ka.key().clone().role_into_unspecified())
            .collect();
        if keys.is_empty() {
            return Err(OpenPgpError::NoEncryptionKey(fingerprint));
        }
        Ok(OpenPgpRecipient {
            features: vc.features().unwrap_or_else(Features::empty),
            fingerprint,
            keys,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn encrypt_file_key(&self, key: &[u8]) -> openpgp::Result<Vec<u8>> {
        let recipients = self.keys.iter().map(|k| {
            let handle: KeyHandle = if self.features.supports_seipdv2() {
                k.fingerprint().into()
            } else {
                k.keyid().into()
            };
            Recipient::new(self.features.clone(), handle, k)
        });
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
    features: Features,
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
        // Expired or revoked subkeys still open what was sealed to them.
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
        let features = tsk
            .with_policy(&p, None)
            .ok()
            .and_then(|vc| vc.features())
            .unwrap_or_else(Features::empty);
        Ok(OpenPgpIdentity {
            fingerprint: fpr,
            features,
            keys,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The matching recipient (to encrypt the vault and office copies to):
    /// every encryption subkey this identity holds the secret of, expired or
    /// not, so a desk still writes its vault after its key has expired.
    pub fn to_recipient(&self) -> OpenPgpRecipient {
        OpenPgpRecipient {
            fingerprint: self.fingerprint.clone(),
            features: self.features.clone(),
            keys: self.keys.iter().map(|k| k.public().clone()).collect(),
        }
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
        let pgp_r =
            OpenPgpRecipient::new(&cert.clone().strip_secret_key_material(), Day(20_000)).expect("recipient");
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

    /// A certificate created on `created` whose primary key lives `days`.
    fn expiring(created: Day, days: u64) -> Cert {
        CertBuilder::new()
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_creation_time(day_start(created) + Duration::from_secs(13 * 3600))
            .set_validity_period(Duration::from_secs(days * 86_400))
            .add_userid("office")
            .add_storage_encryption_subkey()
            .generate()
            .expect("key")
            .0
    }

    #[test]
    fn a_certificate_is_judged_at_the_end_of_each_day() {
        // Created 13:00 on day 20 000, expires 13:00 on day 20 010.
        let cert = expiring(Day(20_000), 10);
        assert_eq!(
            cert_state(&cert, Day(19_999)),
            CertState::NotYetValid,
            "not before it exists"
        );
        let valid = CertState::Valid {
            expires: Some(Day(20_010)),
        };
        assert_eq!(
            cert_state(&cert, Day(20_000)),
            valid,
            "valid on the day it was made"
        );
        assert_eq!(cert_state(&cert, Day(20_009)), valid);
        assert_eq!(
            cert_state(&cert, Day(20_010)),
            CertState::Expired { on: Day(20_010) },
            "expired for the whole day it expires on"
        );
        assert_eq!(
            cert_state(&cert, Day(21_000)),
            CertState::Expired { on: Day(20_010) }
        );
        assert!(OpenPgpRecipient::new(&cert, Day(20_009)).is_ok());
        assert_eq!(
            OpenPgpRecipient::new(&cert, Day(20_010)).err(),
            Some(OpenPgpError::NotValid(
                fingerprint(&cert),
                CertState::Expired { on: Day(20_010) }
            ))
        );
        // No expiry at all.
        let forever = generate("office", Day(20_000), None).expect("key");
        assert_eq!(
            cert_state(&forever, Day(30_000)),
            CertState::Valid { expires: None }
        );
    }

    #[test]
    fn an_expired_subkey_or_a_revoked_certificate_cannot_receive() {
        use openpgp::types::KeyFlags;
        // The primary lives on; the only encryption subkey expires on day 20 005.
        let (cert, _) = CertBuilder::new()
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_creation_time(day_start(Day(20_000)))
            .add_userid("office")
            .add_subkey(
                KeyFlags::empty().set_storage_encryption(),
                Duration::from_secs(5 * 86_400),
                None,
            )
            .generate()
            .expect("key");
        assert_eq!(
            cert_state(&cert, Day(20_004)),
            CertState::Valid {
                expires: Some(Day(20_005))
            }
        );
        assert_eq!(
            cert_state(&cert, Day(20_005)),
            CertState::Expired { on: Day(20_005) }
        );

        // The revocation certificate sequoia makes with every key.
        let (cert, revocation) = CertBuilder::new()
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_creation_time(day_start(Day(20_000)))
            .add_userid("office")
            .add_storage_encryption_subkey()
            .generate()
            .expect("key");
        assert!(cert_state(&cert, Day(20_001)).is_valid());
        let (revoked, _) = cert.insert_packets(revocation).expect("revoke");
        assert_eq!(cert_state(&revoked, Day(20_002)), CertState::Revoked);
        assert!(OpenPgpRecipient::new(&revoked, Day(20_002)).is_err());
    }

    #[test]
    fn the_default_profile_is_what_gnupg_2_2_reads() {
        let p = policy();
        let v4 = generate("office", Day(20_000), None).expect("key");
        assert_eq!(v4.primary_key().key().version(), 4);
        let features = v4
            .with_policy(&p, None)
            .expect("valid")
            .features()
            .expect("features");
        assert!(features.supports_seipdv1() && !features.supports_seipdv2());
        // Sealed to it: a PKESK v3 and a SEIPD v1 packet (tag 18, version 1).
        let stanza = OpenPgpRecipient::new(&v4, Day(20_000))
            .expect("recipient")
            .encrypt_file_key(&[7u8; 16])
            .expect("encrypt");
        let pile = openpgp::PacketPile::from_bytes(&stanza).expect("packets");
        let mut versions: Vec<(openpgp::packet::Tag, u8)> = pile
            .children()
            .map(|p| (p.tag(), p.version().unwrap_or(0)))
            .collect();
        // One PKESK per encryption subkey (generate makes two).
        versions.dedup();
        assert_eq!(
            versions,
            vec![(openpgp::packet::Tag::PKESK, 3), (openpgp::packet::Tag::SEIP, 1)]
        );
        let v6 = generate_with("office", Day(20_000), None, KeyProfile::Rfc9580).expect("key");
        assert_eq!(v6.primary_key().key().version(), 6);
        let stanza = OpenPgpRecipient::new(&v6, Day(20_000))
            .expect("recipient")
            .encrypt_file_key(&[7u8; 16])
            .expect("encrypt");
        let pile = openpgp::PacketPile::from_bytes(&stanza).expect("packets");
        assert!(
            pile.children()
                .any(|p| p.tag() == openpgp::packet::Tag::SEIP && p.version() == Some(2)),
            "rfc9580 seals with SEIPDv2"
        );
    }

    #[test]
    fn the_desk_still_seals_to_its_own_expired_key() {
        let cert = expiring(Day(20_000), 10);
        let id = OpenPgpIdentity::new(&cert, None).expect("identity");
        assert!(OpenPgpRecipient::new(&cert, Day(20_100)).is_err());
        let ct = envelope::seal(
            crate::core::case::CaseId::from_random([1; 8]),
            &reply(),
            &[&id.to_recipient()],
        )
        .expect("seal");
        assert!(envelope::open(&ct, &[&id]).is_ok());
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

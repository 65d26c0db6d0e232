//! The entry log: an append-only, hash-chained record of everything stored.
//!
//! Every item the server keeps (a report, a message, an attachment chunk, an
//! office reply, a status change, a purge) is an [`Entry`]: a small header in
//! the clear and a body that is ciphertext. Each header names the hash of the
//! one before it, and the server signs the newest hash (the head), so the
//! desk can tell if anything was altered, removed, reordered or rolled back.
//!
//! # Wire format
//!
//! An entry header, all integers big-endian:
//!
//! ```text
//! version     u8      2 (1: written before office operations were signed; see below)
//! seq         u64     1, 2, 3, ... without gaps
//! kind        u8      1 report, 2 message, 3 attachment chunk, 4 reply, 5 status, 6 purge
//! case        [u8;8]  case id
//! day         u32     arrival day (days since 1970-01-01)
//! body_len    u64     length of the (padded, encrypted) body
//! body_hash   [u8;32] SHA-256 of the body
//! prev        [u8;32] hash of the previous entry (zeros before the first)
//! flags       u8      bit 0 recipient, bit 1 part, bit 2 op, bit 3 auth, bit 4 channel
//!                     (bits 3 and 4 version 2 only); other bits zero
//! recipient   u16 length + UTF-8   reporter's age recipient    (reports only)
//! part        [u8;16] attachment id + u32 chunk index          (chunks only)
//! op          [u8;16] id of the officer's operation           (reply, status, purge; a report
//!                                                              the officer filed from the desk)
//! auth        u8 1 | signer [u8;32] | day u32 | prev_op [u8;16] | signature [u8;64]
//!                                     the officer's signature   (every office operation, version 2)
//!          or u8 2 | mac [u8;32]      the reporter's message MAC (every message, version 2)
//! channel     u8 length + ASCII   the channel the report is addressed to (reports only, and
//!                                  only where the office has channels; see [`valid_channel_id`])
//! ```
//!
//! The channel field came after the rest of version 2: an entry without
//! bit 4 is byte for byte what the release before it wrote, and belongs to
//! the office's default channel (its `keys/`). A desk of that release refuses
//! an entry with bit 4 (unknown flag) rather than misread it.
//!
//! `hash(entry) = SHA-256("candor/entry/vN\0" || header)` with N the entry's
//! version. The signed head is Ed25519 over `"candor/head/v1\0" || seq || hash`.
//!
//! An office operation's signature ([`OfficeSig`]) is Ed25519 by an officer
//! key over
//! `"candor/op/v2\0" || op || kind u8 || case || day u32 || prev_op || SHA-256(body)`,
//! where `day` is the date the operation carries (the day the officer made
//! it), `prev_op` the operation of the same case the officer's desk knew last
//! (zeros for none) and the body the entry's body (the sealed reply or status,
//! the recorded case's report envelope, nothing for a purge). A message's MAC
//! is HMAC-SHA256 with the reporter's [`MessageKey`] over
//! `"candor/message/v2\0" || case || SHA-256(body)` ([`message_mac`]).
//!
//! # Invariants
//!
//! - The body is not part of the chain directly, only its hash: a purge drops
//!   bodies and keeps headers, so the chain still verifies.
//! - The header holds only what DESIGN.md allows in the clear: ids, sequence
//!   numbers, hashes, the entry's type, the arrival day, padded sizes, the
//!   reporter's public recipient, the channel a report is addressed to (the
//!   server seals to that channel's keys, so it knows it anyway; the report
//!   seals it too, and the desk compares), and the office's signatures and the
//!   reporter's MACs, which reveal nothing of the content.
//! - A version 2 office operation always carries an officer signature, a
//!   version 2 message always a MAC: the shape check refuses one without.
//!   Version 1 entries (the previous release's) carry neither; the desk's
//!   rules for them are in `src/desk/import.rs`.
//! - A signature binds the operation to its id, kind, case, date, the
//!   operation before it and its ciphertext, so it cannot be moved to another
//!   case, redated, reordered before its predecessor or given another body.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use super::case::CaseId;
use super::day::Day;
use super::receipt::MessageKey;

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0u8; 32];
/// The version every new entry is written in.
pub const VERSION: u8 = 2;
/// The previous release's entries: no signatures, no MACs.
pub const LEGACY_VERSION: u8 = 1;
const AUTH_OFFICE: u8 = 1;
const AUTH_REPORTER: u8 = 2;
const MAX_RECIPIENT_LEN: usize = 512;
/// Longest channel id.
pub const MAX_CHANNEL_LEN: usize = 32;
const FLAG_CHANNEL: u8 = 1 << 4;

/// A channel id: 1 to [`MAX_CHANNEL_LEN`] of `a-z`, `0-9` and `-`, not
/// starting with `-`. It names a channel in the configuration, the entry
/// header, the sealed report and the desk; it is never shown as markup.
pub fn valid_channel_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CHANNEL_LEN
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogError {
    #[error("entry header is malformed: {0}")]
    Malformed(&'static str),
    #[error("entry {seq} is out of sequence (expected {expected})")]
    OutOfSequence { seq: u64, expected: u64 },
    #[error("entry {0} does not follow the entry before it: the log was altered")]
    BrokenChain(u64),
    #[error("the body of entry {0} does not match its hash: it was altered")]
    BodyMismatch(u64),
    #[error("the signed head does not match the entries")]
    HeadMismatch,
    #[error("the server's signature on the head is not valid")]
    BadSignature,
}

/// Why an office signature or a reporter MAC was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    #[error("it is not signed by an officer key")]
    Unsigned,
    #[error("it is signed by a key that is not one of the office's signing keys")]
    UnknownSigner,
    #[error("its officer signature does not match its id, kind, case, date, predecessor or content")]
    BadSignature,
    #[error("it carries no reporter MAC")]
    NoMac,
    #[error("its MAC does not match: it was not written with the reporter's receipt, or not for this case")]
    BadMac,
}

/// The officer's signature on one operation, as it travels from the outbox
/// through the store into every export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfficeSig {
    pub signer: [u8; 32],
    /// The date the operation carries.
    pub day: Day,
    /// The operation of the same case the signer's desk knew last; zeros for none.
    pub prev: [u8; 16],
    pub signature: [u8; 64],
}

/// What an entry carries to prove who wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Office(OfficeSig),
    Reporter([u8; 32]),
}

/// What an officer signs for one operation.
#[derive(Clone, Copy, Debug)]
pub struct OpClaim<'a> {
    pub op: &'a [u8; 16],
    pub kind: EntryKind,
    pub case: CaseId,
    pub day: Day,
    pub prev: &'a [u8; 16],
    pub body_hash: &'a Hash,
}

impl OpClaim<'_> {
    fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(13 + 16 + 1 + 8 + 4 + 16 + 32);
        m.extend_from_slice(b"candor/op/v2\0");
        m.extend_from_slice(self.op);
        m.push(self.kind as u8);
        m.extend_from_slice(&self.case.0);
        m.extend_from_slice(&self.day.0.to_be_bytes());
        m.extend_from_slice(self.prev);
        m.extend_from_slice(self.body_hash);
        m
    }

    pub fn sign(&self, key: &SigningKey) -> OfficeSig {
        OfficeSig {
            signer: key.verifying_key().to_bytes(),
            day: self.day,
            prev: *self.prev,
            signature: key.sign(&self.message()).to_bytes(),
        }
    }
}

impl OfficeSig {
    /// Checks the signature over `claim` (whose day and prev must be the
    /// signature's) against the office's signing keys `trusted`.
    pub fn verify(&self, claim: &OpClaim<'_>, trusted: &[VerifyingKey]) -> Result<(), AuthError> {
        let key = trusted
            .iter()
            .find(|k| k.as_bytes() == &self.signer)
            .ok_or(AuthError::UnknownSigner)?;
        if claim.day != self.day || claim.prev != &self.prev {
            return Err(AuthError::BadSignature);
        }
        key.verify_strict(&claim.message(), &Signature::from_bytes(&self.signature))
            .map_err(|_| AuthError::BadSignature)
    }
}

/// The MAC of a reporter's message: HMAC-SHA256 with the message key over
/// the case and the hash of the sealed message.
pub fn message_mac(key: &MessageKey, case: CaseId, body_hash: &Hash) -> [u8; 32] {
    // HMAC takes a key of any length; 32 bytes cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key.expose()) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(b"candor/message/v2\0");
    mac.update(&case.0);
    mac.update(body_hash);
    mac.finalize().into_bytes().into()
}

/// Checks a message's MAC in constant time.
pub fn verify_message_mac(
    key: &MessageKey,
    case: CaseId,
    body_hash: &Hash,
    mac: &[u8; 32],
) -> Result<(), AuthError> {
    if bool::from(message_mac(key, case, body_hash).ct_eq(mac)) {
        Ok(())
    } else {
        Err(AuthError::BadMac)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryKind {
    Report = 1,
    Message = 2,
    AttachmentChunk = 3,
    Reply = 4,
    Status = 5,
    Purge = 6,
}

impl EntryKind {
    pub fn from_u8(v: u8) -> Option<EntryKind> {
        Some(match v {
            1 => EntryKind::Report,
            2 => EntryKind::Message,
            3 => EntryKind::AttachmentChunk,
            4 => EntryKind::Reply,
            5 => EntryKind::Status,
            6 => EntryKind::Purge,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Report => "report",
            EntryKind::Message => "message",
            EntryKind::AttachmentChunk => "attachment-chunk",
            EntryKind::Reply => "reply",
            EntryKind::Status => "status",
            EntryKind::Purge => "purge",
        }
    }
}

/// Which attachment a chunk belongs to, and where in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartRef {
    pub attachment: [u8; 16],
    pub index: u32,
}

/// One entry's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// [`VERSION`], or [`LEGACY_VERSION`] for what the previous release wrote.
    pub version: u8,
    pub seq: u64,
    pub kind: EntryKind,
    pub case: CaseId,
    pub day: Day,
    pub body_len: u64,
    pub body_hash: Hash,
    pub prev: Hash,
    pub recipient: Option<String>,
    pub part: Option<PartRef>,
    pub op: Option<[u8; 16]>,
    /// The officer's signature (office operations) or the reporter's MAC
    /// (messages); always `None` in version 1.
    pub auth: Option<Auth>,
    /// The channel a report is addressed to; `None`: the office's default
    /// channel (and every entry of an office without channels).
    pub channel: Option<String>,
}

pub fn body_hash(body: &[u8]) -> Hash {
    Sha256::digest(body).into()
}

impl Entry {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.push(self.version);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.push(self.kind as u8);
        out.extend_from_slice(&self.case.0);
        out.extend_from_slice(&self.day.0.to_be_bytes());
        out.extend_from_slice(&self.body_len.to_be_bytes());
        out.extend_from_slice(&self.body_hash);
        out.extend_from_slice(&self.prev);
        let flags = u8::from(self.recipient.is_some())
            | (u8::from(self.part.is_some()) << 1)
            | (u8::from(self.op.is_some()) << 2)
            | (u8::from(self.auth.is_some()) << 3)
            | if self.channel.is_some() { FLAG_CHANNEL } else { 0 };
        out.push(flags);
        if let Some(r) = &self.recipient {
            let bytes = r.as_bytes();
            let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(bytes.get(..usize::from(len)).unwrap_or(bytes));
        }
        if let Some(p) = &self.part {
            out.extend_from_slice(&p.attachment);
            out.extend_from_slice(&p.index.to_be_bytes());
        }
        if let Some(op) = &self.op {
            out.extend_from_slice(op);
        }
        match &self.auth {
            Some(Auth::Office(sig)) => {
                out.push(AUTH_OFFICE);
                out.extend_from_slice(&sig.signer);
                out.extend_from_slice(&sig.day.0.to_be_bytes());
                out.extend_from_slice(&sig.prev);
                out.extend_from_slice(&sig.signature);
            }
            Some(Auth::Reporter(mac)) => {
                out.push(AUTH_REPORTER);
                out.extend_from_slice(mac);
            }
            None => {}
        }
        if let Some(c) = &self.channel {
            let bytes = c.as_bytes();
            let bytes = bytes.get(..MAX_CHANNEL_LEN).unwrap_or(bytes);
            out.push(bytes.len() as u8);
            out.extend_from_slice(bytes);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, LogError> {
        let mut r = Cursor(bytes);
        let version = r.u8()?;
        if version != VERSION && version != LEGACY_VERSION {
            return Err(LogError::Malformed("unknown entry version"));
        }
        let seq = r.u64()?;
        let kind = EntryKind::from_u8(r.u8()?).ok_or(LogError::Malformed("unknown entry kind"))?;
        let case = CaseId::from_bytes(r.array()?).map_err(|_| LogError::Malformed("case id out of range"))?;
        let day = Day(r.u32()?);
        let body_len = r.u64()?;
        let body_hash = r.array()?;
        let prev = r.array()?;
        let flags = r.u8()?;
        let known = if version == VERSION { 0b1_1111 } else { 0b111 };
        if flags & !known != 0 {
            return Err(LogError::Malformed("unknown flags"));
        }
        let recipient = if flags & 1 != 0 {
            let len = usize::from(r.u16()?);
            if len > MAX_RECIPIENT_LEN {
                return Err(LogError::Malformed("recipient too long"));
            }
            let s = std::str::from_utf8(r.take(len)?)
                .map_err(|_| LogError::Malformed("recipient is not UTF-8"))?;
            if s.parse::<age::x25519::Recipient>().is_err() {
                return Err(LogError::Malformed("recipient is not an age recipient"));
            }
            Some(s.to_owned())
        } else {
            None
        };
        let part = if flags & 2 != 0 {
            Some(PartRef {
                attachment: r.array()?,
                index: r.u32()?,
            })
        } else {
            None
        };
        let op = if flags & 4 != 0 { Some(r.array()?) } else { None };
        let auth = if flags & 8 != 0 {
            Some(match r.u8()? {
                AUTH_OFFICE => Auth::Office(OfficeSig {
                    signer: r.array()?,
                    day: Day(r.u32()?),
                    prev: r.array()?,
                    signature: r.array()?,
                }),
                AUTH_REPORTER => Auth::Reporter(r.array()?),
                _ => return Err(LogError::Malformed("unknown kind of authentication")),
            })
        } else {
            None
        };
        let channel = if flags & FLAG_CHANNEL != 0 {
            let len = usize::from(r.u8()?);
            let s =
                std::str::from_utf8(r.take(len)?).map_err(|_| LogError::Malformed("channel is not UTF-8"))?;
            if !valid_channel_id(s) {
                return Err(LogError::Malformed("channel is not a channel id"));
            }
            Some(s.to_owned())
        } else {
            None
        };
        if !r.0.is_empty() {
            return Err(LogError::Malformed("trailing bytes"));
        }
        let entry = Entry {
            version,
            seq,
            kind,
            case,
            day,
            body_len,
            body_hash,
            prev,
            recipient,
            part,
            op,
            auth,
            channel,
        };
        entry.check_shape()?;
        Ok(entry)
    }

    /// Which optional fields an entry of each kind must carry.
    fn check_shape(&self) -> Result<(), LogError> {
        let ok = match self.kind {
            // A report the officer recorded at the desk and filed through an
            // outbox carries the op id of that outbox operation.
            EntryKind::Report => self.recipient.is_some() && self.part.is_none(),
            EntryKind::Message => self.recipient.is_none() && self.part.is_none() && self.op.is_none(),
            EntryKind::AttachmentChunk => {
                self.recipient.is_none() && self.part.is_some() && self.op.is_none()
            }
            EntryKind::Reply | EntryKind::Status | EntryKind::Purge => {
                self.recipient.is_none() && self.part.is_none() && self.op.is_some()
            }
        };
        // Version 2: every office operation signed, every message MAC'd,
        // nothing else authenticated by either.
        let auth_ok = match (self.version, self.kind, &self.auth) {
            (LEGACY_VERSION, _, None) => true,
            (LEGACY_VERSION, _, Some(_)) => false,
            (_, EntryKind::Reply | EntryKind::Status | EntryKind::Purge, Some(Auth::Office(_))) => true,
            (_, EntryKind::Report, Some(Auth::Office(_))) => self.op.is_some(),
            (_, EntryKind::Report, None) => self.op.is_none(),
            (_, EntryKind::Message, Some(Auth::Reporter(_))) => true,
            (_, EntryKind::AttachmentChunk, None) => true,
            _ => false,
        };
        // Only a report names a channel; the rest of its case follows it.
        let channel_ok = self.channel.is_none() || self.kind == EntryKind::Report;
        if ok && auth_ok && channel_ok {
            Ok(())
        } else {
            Err(LogError::Malformed("fields do not fit the entry kind"))
        }
    }

    /// The officer's signature, for an office operation.
    pub fn office_sig(&self) -> Option<&OfficeSig> {
        match &self.auth {
            Some(Auth::Office(sig)) => Some(sig),
            _ => None,
        }
    }

    pub fn hash(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(if self.version == LEGACY_VERSION {
            b"candor/entry/v1\0"
        } else {
            b"candor/entry/v2\0"
        });
        h.update(self.encode());
        h.finalize().into()
    }
}

/// The newest entry's sequence number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: Hash,
}

impl Head {
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: GENESIS,
    };

    fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(15 + 8 + 32);
        m.extend_from_slice(b"candor/head/v1\0");
        m.extend_from_slice(&self.seq.to_be_bytes());
        m.extend_from_slice(&self.hash);
        m
    }

    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.sign(&self.message()).to_bytes()
    }

    pub fn verify(&self, key: &VerifyingKey, sig: &[u8; 64]) -> Result<(), LogError> {
        key.verify(&self.message(), &Signature::from_bytes(sig))
            .map_err(|_| LogError::BadSignature)
    }
}

/// Checks entries one by one as they arrive.
#[derive(Clone, Debug)]
pub struct Chain {
    head: Head,
}

impl Chain {
    /// Continues from a head already verified (or [`Head::EMPTY`]).
    pub fn from(head: Head) -> Chain {
        Chain { head }
    }

    pub fn head(&self) -> Head {
        self.head
    }

    /// Accepts the next entry if it extends the chain; `body`, when present,
    /// must match the header's hash (absent means purged).
    pub fn push(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), LogError> {
        let expected = self.head.seq + 1;
        if entry.seq != expected {
            return Err(LogError::OutOfSequence {
                seq: entry.seq,
                expected,
            });
        }
        if entry.prev != self.head.hash {
            return Err(LogError::BrokenChain(entry.seq));
        }
        if let Some(body) = body
            && (body.len() as u64 != entry.body_len || body_hash(body) != entry.body_hash)
        {
            return Err(LogError::BodyMismatch(entry.seq));
        }
        self.head = Head {
            seq: entry.seq,
            hash: entry.hash(),
        };
        Ok(())
    }
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LogError> {
        let (a, b) = self
            .0
            .split_at_checked(n)
            .ok_or(LogError::Malformed("too short"))?;
        self.0 = b;
        Ok(a)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], LogError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, LogError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, LogError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, LogError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, LogError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn sample_recipient() -> String {
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p".to_owned()
    }

    pub fn entry_strategy() -> impl Strategy<Value = Entry> {
        (
            any::<u64>(),
            1u8..=6,
            any::<[u8; 8]>(),
            any::<u32>(),
            any::<u64>(),
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
            any::<[u8; 16]>(),
            any::<u32>(),
            (any::<bool>(), any::<[u8; 32]>(), any::<[u8; 64]>()),
        )
            .prop_map(
                |(seq, k, case, day, body_len, body_hash, prev, id, index, (legacy, signer, signature))| {
                    let kind = EntryKind::from_u8(k).unwrap_or(EntryKind::Report);
                    let auth = match kind {
                        _ if legacy => None,
                        EntryKind::Reply | EntryKind::Status | EntryKind::Purge => {
                            Some(Auth::Office(OfficeSig {
                                signer,
                                day: Day(day),
                                prev: id,
                                signature,
                            }))
                        }
                        EntryKind::Message => Some(Auth::Reporter(signer)),
                        _ => None,
                    };
                    Entry {
                        version: if legacy { LEGACY_VERSION } else { VERSION },
                        auth,
                        seq,
                        kind,
                        case: CaseId::from_random(case),
                        day: Day(day),
                        body_len,
                        body_hash,
                        prev,
                        recipient: (kind == EntryKind::Report).then(sample_recipient),
                        part: (kind == EntryKind::AttachmentChunk).then_some(PartRef {
                            attachment: id,
                            index,
                        }),
                        op: matches!(kind, EntryKind::Reply | EntryKind::Status | EntryKind::Purge)
                            .then_some(id),
                        channel: (kind == EntryKind::Report && !legacy && index % 2 == 0)
                            .then(|| "audit-committee".to_owned()),
                    }
                },
            )
    }

    #[test]
    fn chain_detects_changes() {
        let body = b"ciphertext".to_vec();
        let mut chain = Chain::from(Head::EMPTY);
        let mut e = Entry {
            version: VERSION,
            auth: Some(Auth::Reporter([5; 32])),
            seq: 1,
            kind: EntryKind::Message,
            case: CaseId([0; 8]),
            day: Day(1),
            body_len: body.len() as u64,
            body_hash: body_hash(&body),
            prev: GENESIS,
            recipient: None,
            part: None,
            op: None,
            channel: None,
        };
        chain.push(&e, Some(&body)).expect("first entry");
        let mut second = e.clone();
        second.seq = 2;
        second.prev = GENESIS;
        assert_eq!(chain.clone().push(&second, None), Err(LogError::BrokenChain(2)));
        second.prev = e.hash();
        assert_eq!(
            chain.clone().push(&second, Some(b"other")),
            Err(LogError::BodyMismatch(2))
        );
        chain.push(&second, None).expect("purged body is fine");
        e.seq = 5;
        assert!(matches!(
            chain.push(&e, None),
            Err(LogError::OutOfSequence { .. })
        ));
    }

    #[test]
    fn head_signature() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let head = Head {
            seq: 3,
            hash: [1; 32],
        };
        let sig = head.sign(&key);
        head.verify(&key.verifying_key(), &sig).expect("verifies");
        let other = Head { seq: 4, ..head };
        assert_eq!(
            other.verify(&key.verifying_key(), &sig),
            Err(LogError::BadSignature)
        );
    }

    fn claim_parts() -> ([u8; 16], [u8; 16], Hash) {
        ([1; 16], [2; 16], [3; 32])
    }

    #[test]
    fn an_op_signature_binds_every_field() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let (op, prev, hash) = claim_parts();
        let claim = OpClaim {
            op: &op,
            kind: EntryKind::Status,
            case: CaseId([4; 8]),
            day: Day(20_000),
            prev: &prev,
            body_hash: &hash,
        };
        let sig = claim.sign(&key);
        let trusted = [key.verifying_key()];
        assert_eq!(sig.verify(&claim, &trusted), Ok(()));
        let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert_eq!(sig.verify(&claim, &[other]), Err(AuthError::UnknownSigner));
        let (op2, prev2, hash2) = ([9; 16], [9; 16], [9; 32]);
        let changed = [
            OpClaim { op: &op2, ..claim },
            OpClaim {
                kind: EntryKind::Reply,
                ..claim
            },
            OpClaim {
                case: CaseId([5; 8]),
                ..claim
            },
            OpClaim {
                prev: &prev2,
                ..claim
            },
            OpClaim {
                body_hash: &hash2,
                ..claim
            },
        ];
        for c in &changed {
            assert_eq!(sig.verify(c, &trusted), Err(AuthError::BadSignature));
        }
        let redated = OfficeSig { day: Day(1), ..sig };
        assert_eq!(
            redated.verify(&OpClaim { day: Day(1), ..claim }, &trusted),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn a_message_mac_binds_key_case_and_body() {
        let key = MessageKey::from_bytes([6; 32]);
        let mac = message_mac(&key, CaseId([1; 8]), &[2; 32]);
        assert_eq!(verify_message_mac(&key, CaseId([1; 8]), &[2; 32], &mac), Ok(()));
        assert!(verify_message_mac(&key, CaseId([2; 8]), &[2; 32], &mac).is_err());
        assert!(verify_message_mac(&key, CaseId([1; 8]), &[3; 32], &mac).is_err());
        let other = MessageKey::from_bytes([7; 32]);
        assert!(verify_message_mac(&other, CaseId([1; 8]), &[2; 32], &mac).is_err());
    }

    #[test]
    fn version_2_office_ops_and_messages_must_carry_their_proof() {
        let e = Entry {
            version: VERSION,
            seq: 1,
            kind: EntryKind::Status,
            case: CaseId([0; 8]),
            day: Day(1),
            body_len: 0,
            body_hash: [0; 32],
            prev: GENESIS,
            recipient: None,
            part: None,
            op: Some([1; 16]),
            channel: None,
            auth: None,
        };
        assert!(Entry::decode(&e.encode()).is_err());
        let legacy = Entry {
            version: LEGACY_VERSION,
            ..e.clone()
        };
        assert_eq!(Entry::decode(&legacy.encode()), Ok(legacy.clone()));
        let message = Entry {
            kind: EntryKind::Message,
            op: None,
            ..e
        };
        assert!(Entry::decode(&message.encode()).is_err());
    }

    proptest! {
        #[test]
        fn signed_ops_verify_only_as_signed(op in any::<[u8; 16]>(), prev in any::<[u8; 16]>(), case in any::<[u8; 8]>(), day in any::<u32>(), hash in any::<[u8; 32]>(), flip in 0usize..(16 + 16 + 8 + 4 + 32)) {
            let key = SigningKey::from_bytes(&[7u8; 32]);
            let claim = OpClaim { op: &op, kind: EntryKind::Reply, case: CaseId(case), day: Day(day), prev: &prev, body_hash: &hash };
            let sig = claim.sign(&key);
            let trusted = [key.verifying_key()];
            prop_assert_eq!(sig.verify(&claim, &trusted), Ok(()));
            let mut bytes: Vec<u8> = [&op[..], &prev[..], &case[..], &day.to_be_bytes()[..], &hash[..]].concat();
            bytes[flip] ^= 1;
            let op2: [u8; 16] = bytes[0..16].try_into().expect("16");
            let prev2: [u8; 16] = bytes[16..32].try_into().expect("16");
            let case2: [u8; 8] = bytes[32..40].try_into().expect("8");
            let day2 = u32::from_be_bytes(bytes[40..44].try_into().expect("4"));
            let hash2: [u8; 32] = bytes[44..76].try_into().expect("32");
            let changed = OpClaim { op: &op2, kind: EntryKind::Reply, case: CaseId(case2), day: Day(day2), prev: &prev2, body_hash: &hash2 };
            let sig2 = OfficeSig { day: Day(day2), prev: prev2, ..sig };
            prop_assert!(sig2.verify(&changed, &trusted).is_err());
        }

        #[test]
        fn encode_decode_round_trip(e in entry_strategy()) {
            let bytes = e.encode();
            prop_assert_eq!(Entry::decode(&bytes), Ok(e));
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Entry::decode(&bytes);
        }
    }
}

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
//! version     u8      1
//! seq         u64     1, 2, 3, ... without gaps
//! kind        u8      1 report, 2 message, 3 attachment chunk, 4 reply, 5 status, 6 purge
//! case        [u8;8]  case id
//! day         u32     arrival day (days since 1970-01-01)
//! body_len    u64     length of the (padded, encrypted) body
//! body_hash   [u8;32] SHA-256 of the body
//! prev        [u8;32] hash of the previous entry (zeros before the first)
//! flags       u8      bit 0 recipient, bit 1 part, bit 2 op; other bits zero
//! recipient   u16 length + UTF-8   reporter's age recipient    (reports only)
//! part        [u8;16] attachment id + u32 chunk index          (chunks only)
//! op          [u8;16] id of the officer's operation           (reply, status, purge; a report
//!                                                              the officer filed from the desk)
//! ```
//!
//! `hash(entry) = SHA-256("candor/entry/v1\0" || header)`. The signed head is
//! Ed25519 over `"candor/head/v1\0" || seq || hash`.
//!
//! # Invariants
//!
//! - The body is not part of the chain directly, only its hash: a purge drops
//!   bodies and keeps headers, so the chain still verifies.
//! - The header holds only what DESIGN.md allows in the clear: ids, sequence
//!   numbers, hashes, the entry's type, the arrival day, padded sizes and the
//!   reporter's public recipient.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::case::CaseId;
use super::day::Day;

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0u8; 32];
const VERSION: u8 = 1;
const MAX_RECIPIENT_LEN: usize = 512;

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
}

pub fn body_hash(body: &[u8]) -> Hash {
    Sha256::digest(body).into()
}

impl Entry {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.push(VERSION);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.push(self.kind as u8);
        out.extend_from_slice(&self.case.0);
        out.extend_from_slice(&self.day.0.to_be_bytes());
        out.extend_from_slice(&self.body_len.to_be_bytes());
        out.extend_from_slice(&self.body_hash);
        out.extend_from_slice(&self.prev);
        let flags = u8::from(self.recipient.is_some())
            | (u8::from(self.part.is_some()) << 1)
            | (u8::from(self.op.is_some()) << 2);
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
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, LogError> {
        let mut r = Cursor(bytes);
        if r.u8()? != VERSION {
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
        if flags & !0b111 != 0 {
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
        if !r.0.is_empty() {
            return Err(LogError::Malformed("trailing bytes"));
        }
        let entry = Entry {
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
        if ok {
            Ok(())
        } else {
            Err(LogError::Malformed("fields do not fit the entry kind"))
        }
    }

    pub fn hash(&self) -> Hash {
        let mut h = Sha256::new();
        h.update(b"candor/entry/v1\0");
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
        )
            .prop_map(|(seq, k, case, day, body_len, body_hash, prev, id, index)| {
                let kind = EntryKind::from_u8(k).unwrap_or(EntryKind::Report);
                Entry {
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
                    op: matches!(kind, EntryKind::Reply | EntryKind::Status | EntryKind::Purge).then_some(id),
                }
            })
    }

    #[test]
    fn chain_detects_changes() {
        let body = b"ciphertext".to_vec();
        let mut chain = Chain::from(Head::EMPTY);
        let mut e = Entry {
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

    proptest! {
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

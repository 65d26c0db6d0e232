//! Bundles: what crosses the air gap.
//!
//! An **export bundle** carries entries from the server to the desk, with the
//! server's signature on the head. An **outbox bundle** carries the officer's
//! replies, status changes and purges back, signed with the officer's key.
//! Both are read as streams: [`ExportReader`] checks the chain entry by entry
//! and the signature at the end, so the caller must keep what it reads
//! provisional until [`ExportItem::End`] arrives.
//!
//! # Wire format
//!
//! Both start with a 16-byte magic and continue with records
//! `tag u8 | len u32 big-endian | payload`, no record over [`MAX_RECORD`].
//!
//! Export (`"CANDOR-EXPORT/2\n"`; `"CANDOR-EXPORT/1\n"`, the previous
//! release's, has the same records and is still read: what tells old from new
//! is each entry header's version, see [`super::log`]):
//!
//! ```text
//! tag 1 start   server_key [u8;32] | after u64 | prev_hash [u8;32]     (exactly once, first)
//! tag 2 entry   header_len u16 | entry header (see log) | has_body u8 | body
//! tag 3 end     head_seq u64 | head_hash [u8;32] | signature [u8;64]  (exactly once, last)
//! ```
//!
//! Outbox (`"CANDOR-OUTBOX/2\n"`):
//!
//! ```text
//! tag 1 start   bundle_id [u8;16] | officer_key [u8;32] | day u32
//! tag 2 op      op_id [u8;16] | kind u8 (1 recorded case, 4 reply, 5 status, 6 purge) | case [u8;8]
//!               | day u32 | prev_op [u8;16] | op_signature [u8;64] | body
//! tag 3 end     op_count u32 | signature [u8;64]
//! ```
//!
//! The outbox signature is Ed25519 over
//! `SHA-256("candor/outbox/v1\0" || every byte before the end record)`.
//! Each op's own signature is the officer key's over the operation (see
//! [`super::log::OpClaim`]; for a recorded case the signed body is its report
//! envelope): the server stores it with the entry and every export carries
//! it, so the desk can check each operation apart from the bundle.
//! `"CANDOR-OUTBOX/1\n"` (no op signatures) is refused as
//! [`BundleError::OldOutbox`]: the desk keeps every operation pending until
//! an export shows it back, so the officer writes the outbox again.
//!
//! # Invariants
//!
//! - An export is accepted only whole: a missing end record is "truncated",
//!   bytes after it are refused, and the head must match the last entry and
//!   carry a valid signature from the key in the start record.
//! - An export must continue from the head the reader was given
//!   (`after`/`prev_hash`); one that does not is refused, never merged.
//! - An outbox is accepted only if signed by one of the office's signing
//!   keys, and each of its operations only if signed by that same key.

use std::io::{self, Read, Write};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::case::CaseId;
use super::day::Day;
use super::log::{Chain, Entry, EntryKind, Hash, Head, LogError, OfficeSig, OpClaim, body_hash};

pub const EXPORT_MAGIC: &[u8; 16] = b"CANDOR-EXPORT/2\n";
/// The previous release's exports, still read (bundles in flight).
pub const LEGACY_EXPORT_MAGIC: &[u8; 16] = b"CANDOR-EXPORT/1\n";
pub const OUTBOX_MAGIC: &[u8; 16] = b"CANDOR-OUTBOX/2\n";
/// The previous release's outboxes: refused, see [`BundleError::OldOutbox`].
pub const LEGACY_OUTBOX_MAGIC: &[u8; 16] = b"CANDOR-OUTBOX/1\n";
/// Largest record accepted (bounds memory on both sides).
pub const MAX_RECORD: u32 = 32 * 1024 * 1024;

const TAG_START: u8 = 1;
const TAG_ITEM: u8 = 2;
const TAG_END: u8 = 3;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("this is not a candor {0} bundle")]
    BadMagic(&'static str),
    #[error("the bundle is truncated")]
    Truncated,
    #[error("the bundle is malformed: {0}")]
    Malformed(&'static str),
    #[error("a record is larger than allowed")]
    RecordTooLarge,
    #[error("bytes follow the end of the bundle")]
    TrailingData,
    #[error("the bundle was signed by another key than the one expected")]
    WrongSigner,
    #[error(
        "this outbox was written by a previous release, without a signature on each operation; write it again with `candor-desk outbox` (every operation is still pending there)"
    )]
    OldOutbox,
    #[error("operation {op} is not validly signed: {reason}")]
    BadOpSignature {
        op: String,
        reason: super::log::AuthError,
    },
    #[error("the bundle's signature is not valid: it was altered")]
    BadSignature,
    #[error(
        "this export does not continue from the last one seen (it starts after entry {after}, the last seen is {seen})"
    )]
    DoesNotExtend { after: u64, seen: u64 },
    #[error("the server key is not the one pinned at first open")]
    ServerKeyChanged,
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("could not read the bundle: {0}")]
    Io(#[from] io::Error),
}

fn write_record<W: Write>(w: &mut W, tag: u8, parts: &[&[u8]]) -> io::Result<()> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let len = u32::try_from(len)
        .ok()
        .filter(|l| *l <= MAX_RECORD)
        .ok_or_else(|| io::Error::other("record too large"))?;
    w.write_all(&[tag])?;
    w.write_all(&len.to_be_bytes())?;
    for p in parts {
        w.write_all(p)?;
    }
    Ok(())
}

/// Reads one record; `Ok(None)` at a clean end of input.
fn read_record<R: Read>(r: &mut R) -> Result<Option<(u8, Vec<u8>)>, BundleError> {
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        let n = r.read(head.get_mut(got..).unwrap_or(&mut []))?;
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(BundleError::Truncated)
            };
        }
        got += n;
    }
    let [tag, l0, l1, l2, l3] = head;
    let len = u32::from_be_bytes([l0, l1, l2, l3]);
    if len > MAX_RECORD {
        return Err(BundleError::RecordTooLarge);
    }
    let mut payload = Vec::new();
    let read = r.take(u64::from(len)).read_to_end(&mut payload)?;
    if read != len as usize {
        return Err(BundleError::Truncated);
    }
    Ok(Some((tag, payload)))
}

/// Reads the 16-byte magic; which of `magics` it is.
fn read_magic<R: Read>(r: &mut R, magics: &[&[u8; 16]], what: &'static str) -> Result<usize, BundleError> {
    let mut m = [0u8; 16];
    let mut got = 0;
    while got < m.len() {
        let n = r.read(m.get_mut(got..).unwrap_or(&mut []))?;
        if n == 0 {
            return Err(if got == 0 {
                BundleError::Truncated
            } else {
                BundleError::BadMagic(what)
            });
        }
        got += n;
    }
    magics
        .iter()
        .position(|magic| *magic == &m)
        .ok_or(BundleError::BadMagic(what))
}

struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BundleError> {
        let (a, b) = self
            .0
            .split_at_checked(n)
            .ok_or(BundleError::Malformed("record too short"))?;
        self.0 = b;
        Ok(a)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], BundleError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u64(&mut self) -> Result<u64, BundleError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, BundleError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u16(&mut self) -> Result<u16, BundleError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn rest(self) -> &'a [u8] {
        self.0
    }
    fn done(self) -> Result<(), BundleError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(BundleError::Malformed("record too long"))
        }
    }
}

fn verifying_key(bytes: &[u8; 32]) -> Result<VerifyingKey, BundleError> {
    VerifyingKey::from_bytes(bytes).map_err(|_| BundleError::Malformed("not an Ed25519 key"))
}

// ---------------------------------------------------------------- export

/// Writes an export bundle.
pub struct ExportWriter<W: Write> {
    w: W,
}

impl<W: Write> ExportWriter<W> {
    /// Starts a bundle that continues after `from` (the desk's last head).
    pub fn start(mut w: W, server_key: &VerifyingKey, from: Head) -> io::Result<Self> {
        w.write_all(EXPORT_MAGIC)?;
        write_record(
            &mut w,
            TAG_START,
            &[server_key.as_bytes(), &from.seq.to_be_bytes(), &from.hash],
        )?;
        Ok(ExportWriter { w })
    }

    pub fn entry(&mut self, entry: &Entry, body: Option<&[u8]>) -> io::Result<()> {
        let header = entry.encode();
        let hlen = u16::try_from(header.len()).map_err(|_| io::Error::other("header too long"))?;
        write_record(
            &mut self.w,
            TAG_ITEM,
            &[
                &hlen.to_be_bytes(),
                &header,
                &[u8::from(body.is_some())],
                body.unwrap_or(&[]),
            ],
        )
    }

    pub fn end(mut self, head: Head, key: &SigningKey) -> io::Result<W> {
        let sig = head.sign(key);
        write_record(&mut self.w, TAG_END, &[&head.seq.to_be_bytes(), &head.hash, &sig])?;
        Ok(self.w)
    }
}

/// What an export bundle says about itself before its entries.
#[derive(Debug, Clone, Copy)]
pub struct ExportStart {
    pub server_key: VerifyingKey,
    pub from: Head,
    /// A `CANDOR-EXPORT/1` bundle, written by the previous release.
    pub legacy: bool,
}

#[derive(Debug)]
pub enum ExportItem {
    /// A verified link of the chain; provisional until `End`.
    Entry {
        entry: Box<Entry>,
        body: Option<Vec<u8>>,
    },
    /// The signed head, verified: everything before it may now be kept.
    End(Head),
}

/// Reads and verifies an export bundle as a stream.
pub struct ExportReader<R: Read> {
    r: R,
    start: ExportStart,
    chain: Chain,
    ended: bool,
}

impl<R: Read> ExportReader<R> {
    /// Reads the start of a bundle and checks that it continues from `seen`
    /// and, if `pinned` is given, that the server key is that one.
    pub fn open(mut r: R, seen: Head, pinned: Option<&VerifyingKey>) -> Result<Self, BundleError> {
        let legacy = read_magic(&mut r, &[EXPORT_MAGIC, LEGACY_EXPORT_MAGIC], "export")? == 1;
        let (tag, payload) = read_record(&mut r)?.ok_or(BundleError::Truncated)?;
        if tag != TAG_START {
            return Err(BundleError::Malformed(
                "the bundle does not begin with its start record",
            ));
        }
        let mut f = Fields(&payload);
        let server_key = verifying_key(&f.array()?)?;
        let from = Head {
            seq: f.u64()?,
            hash: f.array()?,
        };
        f.done()?;
        if let Some(pinned) = pinned
            && pinned != &server_key
        {
            return Err(BundleError::ServerKeyChanged);
        }
        if from != seen {
            return Err(BundleError::DoesNotExtend {
                after: from.seq,
                seen: seen.seq,
            });
        }
        Ok(ExportReader {
            r,
            start: ExportStart {
                server_key,
                from,
                legacy,
            },
            chain: Chain::from(from),
            ended: false,
        })
    }

    pub fn start(&self) -> ExportStart {
        self.start
    }

    /// The next verified item; `None` only after `End` was returned.
    pub fn next_item(&mut self) -> Result<Option<ExportItem>, BundleError> {
        if self.ended {
            return match read_record(&mut self.r)? {
                None => Ok(None),
                Some(_) => Err(BundleError::TrailingData),
            };
        }
        let (tag, payload) = read_record(&mut self.r)?.ok_or(BundleError::Truncated)?;
        match tag {
            TAG_ITEM => {
                let mut f = Fields(&payload);
                let hlen = usize::from(f.u16()?);
                let entry = Entry::decode(f.take(hlen)?)?;
                let has_body = f.array::<1>()?[0];
                let rest = f.rest();
                let body = match has_body {
                    0 if rest.is_empty() => None,
                    1 => Some(rest.to_vec()),
                    _ => return Err(BundleError::Malformed("bad body flag")),
                };
                self.chain.push(&entry, body.as_deref())?;
                Ok(Some(ExportItem::Entry {
                    entry: Box::new(entry),
                    body,
                }))
            }
            TAG_END => {
                let mut f = Fields(&payload);
                let head = Head {
                    seq: f.u64()?,
                    hash: f.array()?,
                };
                let sig: [u8; 64] = f.array()?;
                f.done()?;
                if head != self.chain.head() {
                    return Err(LogError::HeadMismatch.into());
                }
                head.verify(&self.start.server_key, &sig)?;
                self.ended = true;
                Ok(Some(ExportItem::End(head)))
            }
            TAG_START => Err(BundleError::Malformed("a second start record")),
            _ => Err(BundleError::Malformed("unknown record")),
        }
    }
}

// ---------------------------------------------------------------- outbox

/// One thing the officer did, ready for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub id: [u8; 16],
    /// `Report` for a case recorded at the desk ([`NewCase`]), `Reply`,
    /// `Status` or `Purge`.
    pub kind: EntryKind,
    pub case: CaseId,
    /// The date the operation carries (the day the officer made it).
    pub day: Day,
    /// The operation of the same case the desk knew last; zeros for none.
    pub prev: [u8; 16],
    /// Ciphertext for replies and statuses; a [`NewCase`] for cases; empty for purges.
    pub body: Vec<u8>,
}

impl Op {
    /// The hash of the body the server will store: a recorded case's report
    /// envelope, else the body itself.
    pub fn stored_body_hash(&self) -> Result<Hash, BundleError> {
        Ok(if self.kind == EntryKind::Report {
            body_hash(&NewCase::decode(&self.body)?.envelope)
        } else {
            body_hash(&self.body)
        })
    }

    fn claim<'a>(&'a self, hash: &'a Hash) -> OpClaim<'a> {
        OpClaim {
            op: &self.id,
            kind: self.kind,
            case: self.case,
            day: self.day,
            prev: &self.prev,
            body_hash: hash,
        }
    }

    /// The officer's signature on this operation.
    pub fn sign(&self, key: &SigningKey) -> Result<OfficeSig, BundleError> {
        let hash = self.stored_body_hash()?;
        Ok(self.claim(&hash).sign(key))
    }
}

/// An operation read from an outbox, with its verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOp {
    pub op: Op,
    pub sig: OfficeSig,
}

/// The body of a case op: a case recorded at the desk, with a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// The receipt's look-up id.
    pub lookup: [u8; 32],
    /// The reporter's age recipient derived from the receipt.
    pub recipient: String,
    /// The report envelope, sealed to the office keys.
    pub envelope: Vec<u8>,
}

impl NewCase {
    pub fn encode(&self) -> Vec<u8> {
        let r = self.recipient.as_bytes();
        let len = u16::try_from(r.len()).unwrap_or(u16::MAX);
        let mut out = Vec::with_capacity(34 + r.len() + self.envelope.len());
        out.extend_from_slice(&self.lookup);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(r.get(..usize::from(len)).unwrap_or(r));
        out.extend_from_slice(&self.envelope);
        out
    }

    pub fn decode(body: &[u8]) -> Result<NewCase, BundleError> {
        let mut f = Fields(body);
        let lookup = f.array()?;
        let len = usize::from(f.u16()?);
        let recipient = std::str::from_utf8(f.take(len)?)
            .map_err(|_| BundleError::Malformed("the reporter's recipient is not UTF-8"))?;
        if recipient.parse::<age::x25519::Recipient>().is_err() {
            return Err(BundleError::Malformed(
                "the reporter's recipient is not an age recipient",
            ));
        }
        let envelope = f.rest().to_vec();
        if envelope.is_empty() {
            return Err(BundleError::Malformed("a recorded case without its report"));
        }
        Ok(NewCase {
            lookup,
            recipient: recipient.to_owned(),
            envelope,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    pub id: [u8; 16],
    pub day: Day,
    pub ops: Vec<Op>,
}

/// A verified outbox: every operation with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedOutbox {
    pub id: [u8; 16],
    pub day: Day,
    pub signer: VerifyingKey,
    pub ops: Vec<SignedOp>,
}

struct HashingWriter<W: Write> {
    w: W,
    h: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.h.update(buf.get(..n).unwrap_or(buf));
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

fn outbox_digest(h: Sha256) -> Hash {
    h.finalize().into()
}

fn new_outbox_hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update(b"candor/outbox/v1\0");
    h
}

impl Outbox {
    /// Writes the bundle, signed with the officer's key.
    pub fn write<W: Write>(&self, w: W, key: &SigningKey) -> io::Result<W> {
        let mut hw = HashingWriter {
            w,
            h: new_outbox_hasher(),
        };
        hw.write_all(OUTBOX_MAGIC)?;
        write_record(
            &mut hw,
            TAG_START,
            &[
                &self.id,
                key.verifying_key().as_bytes(),
                &self.day.0.to_be_bytes(),
            ],
        )?;
        for op in &self.ops {
            let sig = op.sign(key).map_err(|e| io::Error::other(e.to_string()))?;
            write_record(
                &mut hw,
                TAG_ITEM,
                &[
                    &op.id,
                    &[op.kind as u8],
                    &op.case.0,
                    &op.day.0.to_be_bytes(),
                    &op.prev,
                    &sig.signature,
                    &op.body,
                ],
            )?;
        }
        let HashingWriter { mut w, h } = hw;
        let sig = key.sign(&outbox_digest(h)).to_bytes();
        let count = u32::try_from(self.ops.len()).map_err(|_| io::Error::other("too many ops"))?;
        write_record(&mut w, TAG_END, &[&count.to_be_bytes(), &sig])?;
        Ok(w)
    }

    pub fn to_bytes(&self, key: &SigningKey) -> Vec<u8> {
        // Writing to a Vec cannot fail but for a record over MAX_RECORD,
        // which the desk never builds.
        self.write(Vec::new(), key).unwrap_or_default()
    }

    /// Reads and verifies a bundle signed by one of the office's signing
    /// keys `officers`, and each operation's own signature by that key.
    pub fn read(bytes: &[u8], officers: &[VerifyingKey]) -> Result<VerifiedOutbox, BundleError> {
        let mut r = bytes;
        if read_magic(&mut r, &[OUTBOX_MAGIC, LEGACY_OUTBOX_MAGIC], "outbox")? == 1 {
            return Err(BundleError::OldOutbox);
        }
        let mut h = new_outbox_hasher();
        h.update(OUTBOX_MAGIC);
        let mut consumed = OUTBOX_MAGIC.len();
        let mut start: Option<([u8; 16], Day, VerifyingKey)> = None;
        let mut ops = Vec::new();
        loop {
            let (tag, payload) = read_record(&mut r)?.ok_or(BundleError::Truncated)?;
            let record_len = 5 + payload.len();
            match (tag, &start) {
                (TAG_START, None) => {
                    let mut f = Fields(&payload);
                    let id = f.array()?;
                    let key: [u8; 32] = f.array()?;
                    let day = Day(f.u32()?);
                    f.done()?;
                    let officer = officers
                        .iter()
                        .find(|k| k.as_bytes() == &key)
                        .ok_or(BundleError::WrongSigner)?;
                    start = Some((id, day, *officer));
                }
                (TAG_ITEM, Some(_)) => {
                    let mut f = Fields(&payload);
                    let id = f.array()?;
                    let kind = EntryKind::from_u8(f.array::<1>()?[0])
                        .filter(|k| {
                            matches!(
                                k,
                                EntryKind::Report | EntryKind::Reply | EntryKind::Status | EntryKind::Purge
                            )
                        })
                        .ok_or(BundleError::Malformed("unknown operation"))?;
                    let case = CaseId::from_bytes(f.array()?)
                        .map_err(|_| BundleError::Malformed("case id out of range"))?;
                    let op_day = Day(f.u32()?);
                    let prev = f.array()?;
                    let signature = f.array()?;
                    let body = f.rest().to_vec();
                    if (kind == EntryKind::Purge) != body.is_empty() {
                        return Err(BundleError::Malformed("operation body does not fit its kind"));
                    }
                    let op = Op {
                        id,
                        kind,
                        case,
                        day: op_day,
                        prev,
                        body,
                    };
                    let Some((_, _, signer)) = &start else {
                        return Err(BundleError::Malformed("an operation before the start record"));
                    };
                    let sig = OfficeSig {
                        signer: signer.to_bytes(),
                        day: op_day,
                        prev,
                        signature,
                    };
                    let hash = op.stored_body_hash()?;
                    sig.verify(&op.claim(&hash), std::slice::from_ref(signer))
                        .map_err(|reason| BundleError::BadOpSignature {
                            op: hex::encode(id),
                            reason,
                        })?;
                    ops.push(SignedOp { op, sig });
                }
                (TAG_END, Some((id, day, signer))) => {
                    let mut f = Fields(&payload);
                    let count = f.u32()?;
                    let sig: [u8; 64] = f.array()?;
                    f.done()?;
                    let signed = bytes
                        .get(OUTBOX_MAGIC.len()..consumed)
                        .ok_or(BundleError::Truncated)?;
                    h.update(signed);
                    signer
                        .verify(&outbox_digest(h), &Signature::from_bytes(&sig))
                        .map_err(|_| BundleError::BadSignature)?;
                    if count as usize != ops.len() {
                        return Err(BundleError::Malformed("operation count"));
                    }
                    if !r.is_empty() {
                        return Err(BundleError::TrailingData);
                    }
                    return Ok(VerifiedOutbox {
                        id: *id,
                        day: *day,
                        signer: *signer,
                        ops,
                    });
                }
                (TAG_START, Some(_)) => return Err(BundleError::Malformed("a second start record")),
                (_, None) => {
                    return Err(BundleError::Malformed(
                        "the bundle does not begin with its start record",
                    ));
                }
                _ => return Err(BundleError::Malformed("unknown record")),
            }
            consumed += record_len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::log::{GENESIS, body_hash};
    use proptest::prelude::*;

    fn server_key() -> SigningKey {
        SigningKey::from_bytes(&[3u8; 32])
    }

    fn entries(n: u64) -> Vec<(Entry, Vec<u8>)> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let body = format!("body {seq}").into_bytes();
                let e = Entry {
                    version: crate::core::log::VERSION,
                    auth: Some(crate::core::log::Auth::Reporter([1; 32])),
                    seq,
                    kind: EntryKind::Message,
                    case: CaseId([0, 0, 1, 1, 1, 1, 1, 1]),
                    day: Day(20_000),
                    body_len: body.len() as u64,
                    body_hash: body_hash(&body),
                    prev,
                    recipient: None,
                    part: None,
                    op: None,
                    channel: None,
                };
                prev = e.hash();
                (e, body)
            })
            .collect()
    }

    fn export(list: &[(Entry, Vec<u8>)], from: Head) -> Vec<u8> {
        let key = server_key();
        let mut w = ExportWriter::start(Vec::new(), &key.verifying_key(), from).expect("start");
        let mut head = from;
        for (e, b) in list.iter().filter(|(e, _)| e.seq > from.seq) {
            w.entry(e, Some(b)).expect("entry");
            head = Head {
                seq: e.seq,
                hash: e.hash(),
            };
        }
        w.end(head, &key).expect("end")
    }

    fn read_all(bytes: &[u8], seen: Head) -> Result<(usize, Head), BundleError> {
        let mut r = ExportReader::open(bytes, seen, None)?;
        let mut n = 0;
        let mut head = seen;
        while let Some(item) = r.next_item()? {
            match item {
                ExportItem::Entry { .. } => n += 1,
                ExportItem::End(h) => head = h,
            }
        }
        Ok((n, head))
    }

    #[test]
    fn export_round_trip_and_continuation() {
        let list = entries(5);
        let bytes = export(&list, Head::EMPTY);
        let (n, head) = read_all(&bytes, Head::EMPTY).expect("reads");
        assert_eq!((n, head.seq), (5, 5));
        let more = entries(7);
        let next = export(&more, head);
        assert_eq!(read_all(&next, head).expect("continues").0, 2);
        assert!(matches!(
            read_all(&next, Head::EMPTY),
            Err(BundleError::DoesNotExtend { after: 5, seen: 0 })
        ));
    }

    #[test]
    fn truncation_and_tampering_are_refused() {
        let bytes = export(&entries(3), Head::EMPTY);
        for cut in [0, 10, 20, bytes.len() - 1] {
            assert!(read_all(&bytes[..cut], Head::EMPTY).is_err(), "cut at {cut}");
        }
        for i in 16..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x01;
            assert!(read_all(&t, Head::EMPTY).is_err(), "flip at {i} accepted");
        }
        let mut extra = bytes.clone();
        extra.extend_from_slice(&[2, 0, 0, 0, 0]);
        assert!(matches!(
            read_all(&extra, Head::EMPTY),
            Err(BundleError::TrailingData)
        ));
    }

    fn outbox() -> Outbox {
        Outbox {
            id: [9; 16],
            day: Day(20_001),
            ops: vec![
                Op {
                    id: [1; 16],
                    kind: EntryKind::Reply,
                    case: CaseId([0, 0, 1, 1, 1, 1, 1, 1]),
                    day: Day(20_000),
                    prev: [0; 16],
                    body: b"ct".to_vec(),
                },
                Op {
                    id: [2; 16],
                    kind: EntryKind::Purge,
                    case: CaseId([0, 0, 1, 1, 1, 1, 1, 1]),
                    day: Day(20_001),
                    prev: [1; 16],
                    body: vec![],
                },
            ],
        }
    }

    #[test]
    fn outbox_signature_and_signer() {
        let officer = SigningKey::from_bytes(&[5u8; 32]);
        let bytes = outbox().to_bytes(&officer);
        let trusted = [officer.verifying_key()];
        let read = Outbox::read(&bytes, &trusted).expect("verifies");
        assert_eq!(
            read.ops.iter().map(|s| s.op.clone()).collect::<Vec<_>>(),
            outbox().ops
        );
        for s in &read.ops {
            assert_eq!(s.sig.signer, officer.verifying_key().to_bytes());
            assert_eq!((s.sig.day, s.sig.prev), (s.op.day, s.op.prev));
        }
        let other = SigningKey::from_bytes(&[6u8; 32]);
        assert!(matches!(
            Outbox::read(&outbox().to_bytes(&other), &trusted),
            Err(BundleError::WrongSigner)
        ));
        // Several officers: the second key's outbox verifies too.
        assert!(
            Outbox::read(
                &outbox().to_bytes(&other),
                &[officer.verifying_key(), other.verifying_key()]
            )
            .is_ok()
        );
        for i in 16..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x80;
            assert!(Outbox::read(&t, &trusted).is_err(), "flip at {i} accepted");
        }
        assert!(matches!(
            Outbox::read(&bytes[..bytes.len() - 3], &trusted),
            Err(BundleError::Truncated)
        ));
        let mut old = bytes.clone();
        old[..16].copy_from_slice(LEGACY_OUTBOX_MAGIC);
        assert!(matches!(
            Outbox::read(&old, &trusted),
            Err(BundleError::OldOutbox)
        ));
    }

    proptest! {
        #[test]
        fn outbox_round_trip(bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..300), 0..6), id in any::<[u8; 16]>()) {
            let officer = SigningKey::from_bytes(&[5u8; 32]);
            let ob = Outbox {
                id,
                day: Day(1),
                ops: bodies.into_iter().enumerate().map(|(i, body)| Op { id: [i as u8; 16], kind: EntryKind::Reply, case: CaseId([0, 0, 2, 2, 2, 2, 2, 2]), day: Day(i as u32), prev: [i as u8 ^ 0xff; 16], body }).collect(),
            };
            let bytes = ob.to_bytes(&officer);
            let read = Outbox::read(&bytes, &[officer.verifying_key()]).expect("reads");
            prop_assert_eq!(read.ops.into_iter().map(|s| s.op).collect::<Vec<_>>(), ob.ops);
        }

        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let officer = SigningKey::from_bytes(&[5u8; 32]);
            let _ = Outbox::read(&bytes, &[officer.verifying_key()]);
            let _ = read_all(&bytes, Head::EMPTY);
        }
    }
}

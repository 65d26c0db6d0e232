//! Envelopes: what a reporter or the office says, padded and encrypted.
//!
//! A report, a follow-up message, an office reply and a status change each
//! become one envelope: a small framed plaintext, zero-padded to a Padmé
//! bucket, encrypted with age to a set of recipients (every office key; for
//! replies and statuses also the reporter's derived key). Attachments are
//! not envelopes: they are age streams of their own ([`AttachmentSealer`]),
//! cut into chunks by the caller, and described inside the report or message
//! envelope that carries them.
//!
//! # Wire format
//!
//! The envelope is an age v1 file (binary). Its plaintext is:
//!
//! ```text
//! "CNDRENV2"            8 bytes, magic and version
//! case                  [u8;8]: the case the envelope belongs to
//! len                   u32 big-endian: length of the JSON body
//! body                  len bytes, UTF-8 JSON, {"type": "report" | "message" | "reply" | "status", ...}
//! zero padding          up to padding::padded_len(20 + len) bytes in all
//! ```
//!
//! The JSON `type` is the envelope's kind; with the case id it is inside
//! what age authenticates, so the desk refuses an entry whose clear header
//! names another case or kind. A version 2 report also carries
//! `"recipient"` (the reporter's age recipient, the only key replies are
//! sealed to) and `"message_key"` (hex of the key that authenticates the
//! reporter's follow-up messages, see [`crate::core::log::message_mac`]).
//! A report filed to an office with channels also carries `"channel"`:
//! `{"id": "audit", "name": "Chair of the Audit Committee"}`, the channel the
//! reporter chose and whose keys alone it is sealed to; the desk compares the
//! id with the one in the entry's clear header. Without it the report
//! belongs to the office's default channel, as every report before channels
//! did (the field is simply absent, so those envelopes are unchanged).
//!
//! Version 1 (`"CNDRENV1"`, the previous release): no case, the frame is
//! 12 bytes, the report has neither field. It is still read
//! ([`Opened::case`] is `None`), never written.
//!
//! An attachment's plaintext is its bytes followed by zeros up to
//! `padded_len(size)`; its name, type, real size and the SHA-256 of its
//! ciphertext (`"sha256"`: hex, over its chunks' bodies in order) travel in
//! the envelope that lists it. Envelopes of earlier releases lack `"sha256"`
//! and are still read; the desk refuses an attachment whose chunks do not
//! hash to what its envelope sealed.
//!
//! # Invariants
//!
//! - Nothing is written anywhere before it is encrypted.
//! - Padding is checked on opening: every padding byte must be zero and the
//!   total must be exactly the bucket size, so an envelope has one encoding.
//! - A failure to decrypt reports "could not decrypt" and nothing more.
//! - Every envelope written names its case and kind inside the ciphertext;
//!   every report names its reply recipient and message key; every
//!   attachment it lists, the hash of that attachment's ciphertext.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use super::case::{CaseId, Kind, Status};
use super::day::Day;
use super::padding::padded_len;
use super::secret::{SecretBytes, SecretText, serialize_opt_secret_text, serialize_secret_text};

const MAGIC: &[u8; 8] = b"CNDRENV2";
const FRAME: usize = 20;
const LEGACY_MAGIC: &[u8; 8] = b"CNDRENV1";
const LEGACY_FRAME: usize = 12;
/// Largest envelope plaintext accepted when opening (bounds memory).
pub const MAX_ENVELOPE_PLAINTEXT: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    #[error("no recipients to encrypt to")]
    NoRecipients,
    #[error("could not encrypt")]
    Encrypt,
    #[error("could not decrypt")]
    Decrypt,
    #[error("the envelope is larger than allowed")]
    TooLarge,
    #[error("the decrypted envelope is malformed: {0}")]
    Malformed(&'static str),
    #[error("the envelope holds a {found}, not a {expected}")]
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
}

/// An attachment, as described inside the envelope that carries it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Hex of the 16-byte id that the attachment's chunk entries carry.
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the attachment's ciphertext (its chunks' bodies in
    /// order), sealed here so that whoever holds the server cannot put other
    /// content, even content sealed to the office, in its place. Absent in
    /// envelopes of earlier releases, which the desk still reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A report or a request for advice, as the reporter filed it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportBody {
    pub kind: Kind,
    pub categories: Vec<String>,
    #[serde(serialize_with = "serialize_secret_text")]
    pub description: SecretText,
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub when: Option<SecretText>,
    #[serde(rename = "where", serialize_with = "serialize_opt_secret_text", default)]
    pub where_: Option<SecretText>,
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub people: Option<SecretText>,
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub contact: Option<SecretText>,
    pub attachments: Vec<AttachmentMeta>,
    pub day: Day,
    /// The reporter's age recipient: replies are sealed to it and no other
    /// reporter key. Absent only in version 1 envelopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Hex of the reporter's message key. Absent only in version 1 envelopes.
    #[serde(
        serialize_with = "serialize_opt_secret_text",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub message_key: Option<SecretText>,
    /// The channel the reporter addressed the report to, where the office
    /// has channels; absent: the office's default channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Box<SealedChannel>>,
}

/// A channel of the office, as a report seals it: its id and its name in
/// the office's first language (English), for the desk to show.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SealedChannel {
    pub id: String,
    pub name: String,
}

/// A follow-up message from the reporter.
#[derive(Debug, Serialize, Deserialize)]
pub struct MessageBody {
    #[serde(serialize_with = "serialize_secret_text")]
    pub text: SecretText,
    pub attachments: Vec<AttachmentMeta>,
    pub day: Day,
}

/// A reply from the office to the reporter.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReplyBody {
    #[serde(serialize_with = "serialize_secret_text")]
    pub text: SecretText,
    pub day: Day,
}

/// A status change, as the reporter will see it.
#[derive(Debug, Serialize, Deserialize)]
pub struct StatusBody {
    pub status: Status,
    pub day: Day,
}

/// Anything an envelope can hold.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Payload {
    Report(ReportBody),
    Message(MessageBody),
    Reply(ReplyBody),
    Status(StatusBody),
}

impl Payload {
    pub fn type_name(&self) -> &'static str {
        match self {
            Payload::Report(_) => "report",
            Payload::Message(_) => "message",
            Payload::Reply(_) => "reply",
            Payload::Status(_) => "status",
        }
    }
}

/// An opened envelope: what it holds and the case it was sealed for.
#[derive(Debug)]
pub struct Opened {
    /// `None` for a version 1 envelope, which named no case.
    pub case: Option<CaseId>,
    pub payload: Payload,
}

/// Encrypts `payload`, bound to `case`, to every recipient, padded.
pub fn seal(
    case: CaseId,
    payload: &Payload,
    recipients: &[&dyn age::Recipient],
) -> Result<Vec<u8>, EnvelopeError> {
    if recipients.is_empty() {
        return Err(EnvelopeError::NoRecipients);
    }
    let plain = frame(case, payload)?;
    encrypt_bytes(plain.expose(), recipients)
}

/// The padded plaintext of an envelope.
fn frame(case: CaseId, payload: &Payload) -> Result<SecretBytes, EnvelopeError> {
    let json = SecretBytes::new(serde_json::to_vec(payload).map_err(|_| EnvelopeError::Encrypt)?);
    let body_len = u32::try_from(json.len()).map_err(|_| EnvelopeError::TooLarge)?;
    let total = padded_len((FRAME + json.len()) as u64);
    if total > MAX_ENVELOPE_PLAINTEXT {
        return Err(EnvelopeError::TooLarge);
    }
    let total = usize::try_from(total).map_err(|_| EnvelopeError::TooLarge)?;
    let mut plain = SecretBytes::new(Vec::with_capacity(total));
    let buf = plain.expose_mut();
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&case.0);
    buf.extend_from_slice(&body_len.to_be_bytes());
    buf.extend_from_slice(json.expose());
    buf.resize(total, 0);
    Ok(plain)
}

/// Encrypts `plain` with age to `recipients`, whole, in memory.
pub fn encrypt_bytes(plain: &[u8], recipients: &[&dyn age::Recipient]) -> Result<Vec<u8>, EnvelopeError> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().copied()).map_err(|_| EnvelopeError::Encrypt)?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|_| EnvelopeError::Encrypt)?;
    w.write_all(plain).map_err(|_| EnvelopeError::Encrypt)?;
    w.finish().map_err(|_| EnvelopeError::Encrypt)?;
    Ok(out)
}

/// Decrypts and checks an envelope; what it holds, whatever case it names.
pub fn open(ciphertext: &[u8], identities: &[&dyn age::Identity]) -> Result<Payload, EnvelopeError> {
    open_bound(ciphertext, identities).map(|o| o.payload)
}

/// Decrypts and checks an envelope, with the case it was sealed for.
pub fn open_bound(ciphertext: &[u8], identities: &[&dyn age::Identity]) -> Result<Opened, EnvelopeError> {
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| EnvelopeError::Decrypt)?;
    let reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(|_| EnvelopeError::Decrypt)?;
    let mut plain = SecretBytes::default();
    reader
        .take(MAX_ENVELOPE_PLAINTEXT + 1)
        .read_to_end(plain.expose_mut())
        .map_err(|_| EnvelopeError::Decrypt)?;
    if plain.len() as u64 > MAX_ENVELOPE_PLAINTEXT {
        return Err(EnvelopeError::TooLarge);
    }
    decode_plaintext(plain.expose())
}

/// Reads a decrypted envelope plaintext (exposed for fuzzing and vectors).
pub fn decode_plaintext(plain: &[u8]) -> Result<Opened, EnvelopeError> {
    let (magic, rest) = plain
        .split_at_checked(MAGIC.len())
        .ok_or(EnvelopeError::Malformed("too short"))?;
    let (case, frame, rest) = if magic == MAGIC {
        let (case, rest) = rest
            .split_first_chunk::<8>()
            .ok_or(EnvelopeError::Malformed("too short"))?;
        (Some(CaseId(*case)), FRAME, rest)
    } else if magic == LEGACY_MAGIC {
        (None, LEGACY_FRAME, rest)
    } else {
        return Err(EnvelopeError::Malformed("unknown magic"));
    };
    let (len, rest) = rest
        .split_first_chunk::<4>()
        .ok_or(EnvelopeError::Malformed("too short"))?;
    let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| EnvelopeError::TooLarge)?;
    let (json, padding) = rest
        .split_at_checked(len)
        .ok_or(EnvelopeError::Malformed("length beyond the end"))?;
    if padded_len((frame + len) as u64) != plain.len() as u64 {
        return Err(EnvelopeError::Malformed("wrong padded size"));
    }
    if padding.iter().any(|b| *b != 0) {
        return Err(EnvelopeError::Malformed("non-zero padding"));
    }
    let payload: Payload =
        serde_json::from_slice(json).map_err(|_| EnvelopeError::Malformed("body is not a valid payload"))?;
    if case.is_some()
        && let Payload::Report(r) = &payload
        && (r.recipient.is_none() || r.message_key.is_none())
    {
        return Err(EnvelopeError::Malformed(
            "a report without its reply recipient or message key",
        ));
    }
    if let Payload::Report(r) = &payload
        && let Some(c) = &r.channel
        && (!super::log::valid_channel_id(&c.id) || c.name.len() > 1000)
    {
        return Err(EnvelopeError::Malformed(
            "a report whose channel is not a channel id",
        ));
    }
    Ok(Opened { case, payload })
}

/// Streams an attachment into an age file, padded on finish.
///
/// Write plaintext in; ciphertext collects in the inner buffer, which the
/// caller drains with [`AttachmentSealer::take_ready`] to store chunk by chunk.
pub struct AttachmentSealer {
    writer: age::stream::StreamWriter<SharedBuf>,
    out: SharedBuf,
    size: u64,
}

/// A byte buffer shared between the age writer and its owner.
#[derive(Clone, Default)]
struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut buf = self.0.lock().map_err(|_| io::Error::other("buffer poisoned"))?;
        buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    fn take(&self, at_least: usize) -> Vec<u8> {
        match self.0.lock() {
            Ok(mut buf) if buf.len() >= at_least && !buf.is_empty() => std::mem::take(&mut *buf),
            _ => Vec::new(),
        }
    }
}

impl AttachmentSealer {
    pub fn new(recipients: &[&dyn age::Recipient]) -> Result<Self, EnvelopeError> {
        if recipients.is_empty() {
            return Err(EnvelopeError::NoRecipients);
        }
        let out = SharedBuf::default();
        let writer = age::Encryptor::with_recipients(recipients.iter().copied())
            .map_err(|_| EnvelopeError::Encrypt)?
            .wrap_output(out.clone())
            .map_err(|_| EnvelopeError::Encrypt)?;
        Ok(AttachmentSealer { writer, out, size: 0 })
    }

    pub fn write(&mut self, plain: &[u8]) -> Result<(), EnvelopeError> {
        self.writer.write_all(plain).map_err(|_| EnvelopeError::Encrypt)?;
        self.size += plain.len() as u64;
        Ok(())
    }

    /// Bytes written so far (plaintext).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Ciphertext ready to store, once at least `chunk` bytes have collected.
    pub fn take_ready(&mut self, chunk: usize) -> Vec<u8> {
        self.out.take(chunk)
    }

    /// Pads, finishes the stream and returns the last ciphertext and the real size.
    pub fn finish(mut self) -> Result<(Vec<u8>, u64), EnvelopeError> {
        let size = self.size;
        let mut pad = padded_len(size) - size;
        let zeros = [0u8; 8192];
        while pad > 0 {
            let n = usize::try_from(pad.min(zeros.len() as u64)).unwrap_or(zeros.len());
            self.writer
                .write_all(zeros.get(..n).unwrap_or(&zeros))
                .map_err(|_| EnvelopeError::Encrypt)?;
            pad -= n as u64;
        }
        self.writer.finish().map_err(|_| EnvelopeError::Encrypt)?;
        Ok((self.out.take(0), size))
    }
}

/// Decrypts an attachment stream, writing its `size` real bytes to `out` and
/// checking that the rest is the zero padding.
pub fn open_attachment<R: Read, W: Write>(
    ciphertext: R,
    identities: &[&dyn age::Identity],
    size: u64,
    mut out: W,
) -> Result<(), EnvelopeError> {
    let decryptor = age::Decryptor::new(ciphertext).map_err(|_| EnvelopeError::Decrypt)?;
    let mut reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(|_| EnvelopeError::Decrypt)?;
    let copied = io::copy(&mut (&mut reader).take(size), &mut out).map_err(|_| EnvelopeError::Decrypt)?;
    if copied != size {
        return Err(EnvelopeError::Malformed("attachment shorter than its size"));
    }
    let mut rest = [0u8; 8192];
    let mut padding = 0u64;
    loop {
        let n = reader.read(&mut rest).map_err(|_| EnvelopeError::Decrypt)?;
        if n == 0 {
            break;
        }
        if rest.get(..n).is_some_and(|r| r.iter().any(|b| *b != 0)) {
            return Err(EnvelopeError::Malformed("non-zero attachment padding"));
        }
        padding += n as u64;
    }
    if size + padding != padded_len(size) {
        return Err(EnvelopeError::Malformed("wrong attachment padding"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys() -> (age::x25519::Identity, age::x25519::Recipient) {
        let id = age::x25519::Identity::generate();
        let r = id.to_public();
        (id, r)
    }

    fn report(text: &str) -> Payload {
        Payload::Report(ReportBody {
            kind: Kind::Misconduct,
            categories: vec!["fraud".into()],
            description: SecretText::new(text.into()),
            when: Some(SecretText::new("last spring".into())),
            where_: None,
            people: None,
            contact: None,
            attachments: vec![],
            day: Day(20_000),
            recipient: Some(keys().1.to_string()),
            message_key: Some(SecretText::new(hex::encode([4u8; 32]))),
            channel: None,
        })
    }

    #[test]
    fn wrong_key_says_could_not_decrypt() {
        let (_, r) = keys();
        let (other, _) = keys();
        let ct = seal(CaseId([1; 8]), &report("x"), &[&r]).expect("seal");
        let err = open(&ct, &[&other]).expect_err("must fail");
        assert_eq!(err.to_string(), "could not decrypt");
    }

    #[test]
    fn padding_hides_small_lengths() {
        let a = frame(CaseId([1; 8]), &report("a")).expect("frame");
        let b = frame(CaseId([1; 8]), &report(&"b".repeat(500))).expect("frame");
        assert_eq!(a.len(), b.len());
        let c = frame(CaseId([1; 8]), &report(&"c".repeat(1500))).expect("frame");
        let d = frame(CaseId([1; 8]), &report(&"d".repeat(1502))).expect("frame");
        assert_eq!(c.len(), d.len());
        assert_eq!(
            decode_plaintext(c.expose()).map(|o| o.payload.type_name()).ok(),
            Some("report")
        );
    }

    #[test]
    fn attachment_round_trip_and_padding() {
        let (id, r) = keys();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut sealer = AttachmentSealer::new(&[&r]).expect("sealer");
        let mut chunks = Vec::new();
        for part in data.chunks(10_000) {
            sealer.write(part).expect("write");
            let ready = sealer.take_ready(65_536);
            if !ready.is_empty() {
                chunks.push(ready);
            }
        }
        let (last, size) = sealer.finish().expect("finish");
        chunks.push(last);
        assert!(chunks.len() > 2);
        let ct: Vec<u8> = chunks.concat();
        let mut out = Vec::new();
        open_attachment(&ct[..], &[&id], size, &mut out).expect("open");
        assert_eq!(out, data);
        assert!(open_attachment(&ct[..], &[&id], size - 1, Vec::new()).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn seal_open_round_trip(text in "\\PC{0,3000}", cats in proptest::collection::vec("[a-z-]{1,20}", 0..4), case in any::<[u8; 8]>()) {
            let (id, r) = keys();
            let p = Payload::Message(MessageBody {
                text: SecretText::new(text.clone()),
                attachments: cats.iter().map(|c| AttachmentMeta { id: "00".into(), name: c.clone(), content_type: "text/plain".into(), size: 3, sha256: None }).collect(),
                day: Day(1),
            });
            let case = CaseId(case);
            let ct = seal(case, &p, &[&r]).expect("seal");
            let opened = open_bound(&ct, &[&id]).expect("open");
            prop_assert_eq!(opened.case, Some(case));
            match opened.payload {
                Payload::Message(m) => {
                    prop_assert_eq!(m.text.expose(), text.as_str());
                    prop_assert_eq!(m.attachments.len(), cats.len());
                }
                other => prop_assert!(false, "wrong type {}", other.type_name()),
            }
        }

        #[test]
        fn decode_plaintext_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = decode_plaintext(&bytes);
        }
    }
}

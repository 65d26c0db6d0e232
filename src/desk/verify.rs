//! Who wrote an entry: the rules by which `open` attributes each entry of an
//! export to the office or to the reporter, or refuses it.
//!
//! The server, and whoever controls it, holds the key that signs the log
//! head, so a verified chain proves only that the server wrote an entry.
//! What the desk applies must be proven otherwise:
//!
//! - **Office operations** (reply, status, purge, a case recorded at a desk)
//!   carry an officer's signature over their id, kind, case, date, the
//!   operation before them and their ciphertext ([`OfficeSig`]). The signer
//!   must be one of the office's signing keys the desk knows
//!   ([`trusted_officers`]).
//! - **Messages** carry a MAC by the reporter's message key, which only the
//!   receipt and the report sealed to the office hold; the desk keeps that
//!   key with the case.
//! - **Every envelope** names its case and kind inside the ciphertext, and a
//!   report its reply recipient and message key: a clear header that
//!   disagrees is refused.
//!
//! Anything that fails is refused with the entry's number and the reason,
//! and the whole bundle with it: the vault is unchanged.
//!
//! # Invariants
//!
//! - Order: a case's operations are applied in the order of the chain, and an
//!   operation is applied only after the operation it names as its
//!   predecessor (signed); so the server can neither move an operation to
//!   another case, nor replay one (its id is already in the case), nor put
//!   one of a desk's operations before an earlier one of the same case.
//!   Operations from two desks that did not know of each other keep the
//!   chain's order.
//! - A message is accepted once: a second entry with the same sealed
//!   message in its case is a replay and is refused.
//! - Version 1 entries (written by the previous release, before the server
//!   was upgraded) carry no signature and no MAC. They are accepted only
//!   before the first version 2 entry the vault accepts (the upgraded server
//!   never writes one after), and then: reports and messages as before;
//!   office operations only if this vault made them (a delivery
//!   confirmation, the vault's own content is kept), never another desk's.
//! - A version 2 message for a case whose report carried no message key
//!   (filed before this release) cannot be authenticated: it is not applied,
//!   and the officer is told.
//! - A signed purge the desk did not make is reported, never applied.

use std::collections::BTreeSet;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};

use super::DeskError;
use super::vault::{CaseRecord, ThreadItem};
use crate::core::envelope::{Opened, Payload, ReportBody};
use crate::core::log::{
    Auth, AuthError, Entry, EntryKind, LEGACY_VERSION, OfficeSig, OpClaim, verify_message_mac,
};
use crate::core::receipt::MessageKey;
use crate::core::secret::SecretText;
use crate::core::{keys, openpgp};

/// The office's signing keys the desk trusts: the officer's own (from the
/// secret key folder), every key in the `officer.pub` of the office's public
/// folder (one officer a line) and the signing key of its `officer.asc`, if
/// there are.
pub fn trusted_officers(
    own: Option<&SigningKey>,
    public_dir: Option<&Path>,
) -> Result<Vec<VerifyingKey>, DeskError> {
    let mut trusted: Vec<VerifyingKey> = own.map(|k| k.verifying_key()).into_iter().collect();
    if let Some(dir) = public_dir {
        let path = dir.join(super::keyfiles::OFFICER_PUB);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for k in keys::parse_verifying_keys(&text).map_err(|source| DeskError::KeyFile {
                    path: path.clone(),
                    source,
                })? {
                    if !trusted.contains(&k) {
                        trusted.push(k);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DeskError::io("read", &path)(e)),
        }
        let asc = dir.join(super::keyfiles::OFFICER_ASC);
        match std::fs::read(&asc) {
            Ok(bytes) => {
                let key = openpgp::parse_cert(&bytes)
                    .and_then(|cert| openpgp::verifying_key(&cert))
                    .map_err(|source| DeskError::OpenPgpFile {
                        path: asc.clone(),
                        source,
                    })?;
                if !trusted.contains(&key) {
                    trusted.push(key);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DeskError::io("read", &asc)(e)),
        }
    }
    Ok(trusted)
}

pub(crate) fn refused(seq: u64, reason: impl Into<String>) -> DeskError {
    DeskError::Refused {
        what: format!("entry {seq}"),
        reason: reason.into(),
    }
}

fn what_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Report => "recorded case",
        other => other.as_str(),
    }
}

/// Refuses a version 1 entry once a version 2 entry was accepted.
pub fn entry_version(entry: &Entry, v2_seen: &mut bool) -> Result<(), DeskError> {
    if entry.version == LEGACY_VERSION {
        if *v2_seen {
            return Err(refused(
                entry.seq,
                format!(
                    "a {} in the previous release's format (unsigned) after entries of this release's: the upgraded server writes none",
                    entry.kind.as_str()
                ),
            ));
        }
    } else {
        *v2_seen = true;
    }
    Ok(())
}

/// Checks the officer's signature on an office operation; `None` for a
/// version 1 entry, which has none (see the module's rules).
pub fn office_signature<'e>(
    entry: &'e Entry,
    trusted: &[VerifyingKey],
) -> Result<Option<&'e OfficeSig>, DeskError> {
    if entry.version == LEGACY_VERSION {
        return Ok(None);
    }
    let refuse = |reason: AuthError| {
        refused(
            entry.seq,
            format!("a {} for case {}: {reason}", what_kind(entry.kind), entry.case),
        )
    };
    let (Some(op), Some(sig)) = (entry.op.as_ref(), entry.office_sig()) else {
        return Err(refuse(AuthError::Unsigned));
    };
    sig.verify(
        &OpClaim {
            op,
            kind: entry.kind,
            case: entry.case,
            day: sig.day,
            prev: &sig.prev,
            body_hash: &entry.body_hash,
        },
        trusted,
    )
    .map_err(refuse)?;
    Ok(Some(sig))
}

/// The envelope was sealed for the case and kind its header names.
pub fn sealed_matches(entry: &Entry, opened: &Opened) -> Result<(), DeskError> {
    match opened.case {
        Some(case) if case != entry.case => {
            return Err(refused(
                entry.seq,
                format!(
                    "its header names case {}, but its envelope was sealed for case {case}",
                    entry.case
                ),
            ));
        }
        Some(_) => {}
        None if entry.version != LEGACY_VERSION => {
            return Err(refused(
                entry.seq,
                "its envelope names no case (the previous release's format) in an entry of this release's",
            ));
        }
        None => {}
    }
    let sealed = match &opened.payload {
        Payload::Report(_) => EntryKind::Report,
        Payload::Message(_) => EntryKind::Message,
        Payload::Reply(_) => EntryKind::Reply,
        Payload::Status(_) => EntryKind::Status,
    };
    if sealed != entry.kind {
        return Err(refused(
            entry.seq,
            format!(
                "its header says {}, but its envelope holds a {}",
                entry.kind.as_str(),
                opened.payload.type_name()
            ),
        ));
    }
    // The channel in the clear header decides where the server seals the
    // case's later messages and whose officers may act on it: it must be
    // the one the reporter chose. A case recorded at a desk seals none: the
    // server files it to the channel of the officer who signed it.
    if let Payload::Report(r) = &opened.payload
        && entry.op.is_none()
    {
        let sealed = r.channel.as_ref().map(|c| c.id.as_str());
        if sealed != entry.channel.as_deref() {
            return Err(refused(
                entry.seq,
                format!(
                    "its header addresses it to {}, but the reporter addressed it to {}: relabelled on the server",
                    channel_words(entry.channel.as_deref()),
                    channel_words(sealed)
                ),
            ));
        }
    }
    Ok(())
}

fn channel_words(channel: Option<&str>) -> String {
    match channel {
        Some(id) => format!("channel `{id}`"),
        None => "the office's default channel".to_owned(),
    }
}

/// The reply recipient and message key sealed in a report; the clear
/// header's recipient must be the sealed one. A version 1 report sealed
/// neither: its header's recipient is all there is, and no message key.
pub fn report_keys(entry: &Entry, report: &ReportBody) -> Result<(String, Option<SecretText>), DeskError> {
    let header = entry.recipient.as_deref();
    match (&report.recipient, &report.message_key) {
        (Some(sealed), Some(key)) => {
            if header != Some(sealed.as_str()) {
                return Err(refused(
                    entry.seq,
                    format!(
                        "the reporter's reply recipient in its header is not the one sealed in the report of case {}",
                        entry.case
                    ),
                ));
            }
            if MessageKey::from_hex(key.expose()).is_none() {
                return Err(refused(
                    entry.seq,
                    "the sealed message key is not 32 bytes of hex",
                ));
            }
            Ok((sealed.clone(), Some(key.duplicate())))
        }
        _ => {
            let recipient =
                header.ok_or_else(|| refused(entry.seq, "a report without the reporter's recipient"))?;
            Ok((recipient.to_owned(), None))
        }
    }
}

/// How a message stands.
#[derive(Debug)]
pub enum MessageVerdict {
    /// Its MAC is the reporter's; `digest` is kept to refuse a replay.
    Authentic { digest: String },
    /// A version 1 message, before any version 2 entry.
    Legacy,
    /// The case has no message key (filed before this release).
    Unverifiable,
}

/// Checks a message against its case's message key.
pub fn message(entry: &Entry, case: &CaseRecord) -> Result<MessageVerdict, DeskError> {
    if entry.version == LEGACY_VERSION {
        if case.message_key.is_some() {
            return Err(refused(
                entry.seq,
                format!(
                    "an unauthenticated message (the previous release's format) for case {}, whose reporter authenticates every message",
                    entry.case
                ),
            ));
        }
        return Ok(MessageVerdict::Legacy);
    }
    let Some(key) = case.message_key.as_ref() else {
        return Ok(MessageVerdict::Unverifiable);
    };
    let key = MessageKey::from_hex(key.expose()).ok_or_else(|| {
        refused(
            entry.seq,
            format!("case {} holds no usable message key", entry.case),
        )
    })?;
    let Some(Auth::Reporter(mac)) = &entry.auth else {
        return Err(refused(
            entry.seq,
            format!("a message for case {}: {}", entry.case, AuthError::NoMac),
        ));
    };
    verify_message_mac(&key, entry.case, &entry.body_hash, mac)
        .map_err(|e| refused(entry.seq, format!("a message for case {}: {e}", entry.case)))?;
    let digest = hex::encode(entry.body_hash);
    let replayed = case.thread.iter().any(|t| match t {
        ThreadItem::Message { digest: Some(d), .. } => *d == digest,
        _ => false,
    });
    if replayed {
        return Err(refused(
            entry.seq,
            format!("a message case {} already holds, sent again", entry.case),
        ));
    }
    Ok(MessageVerdict::Authentic { digest })
}

/// The operation the signature names as its predecessor was applied to the
/// case before it (zeros: the signer knew of none), or came earlier in this
/// bundle with its content purged on the server (`bodiless`).
pub fn op_order(
    entry: &Entry,
    sig: &OfficeSig,
    case: &CaseRecord,
    bodiless: &BTreeSet<String>,
) -> Result<(), DeskError> {
    if sig.prev == [0; 16] {
        return Ok(());
    }
    let prev = hex::encode(sig.prev);
    let applied = bodiless.contains(&prev)
        || case
            .thread
            .iter()
            .any(|t| t.op() == Some(prev.as_str()) && t.delivered() == Some(true));
    if applied {
        Ok(())
    } else {
        Err(refused(
            entry.seq,
            format!(
                "a {} for case {} that the officer made after operation {prev}, which has not come before it: the operations were reordered",
                entry.kind.as_str(),
                entry.case
            ),
        ))
    }
}

/// An operation id the case already holds, from the office, coming again.
pub fn replayed_op(entry: &Entry) -> DeskError {
    refused(
        entry.seq,
        format!(
            "a {} for case {} that was already applied, sent again",
            what_kind(entry.kind),
            entry.case
        ),
    )
}

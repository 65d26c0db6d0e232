//! `reply`, `status`, `record`, `purge` and `outbox`: what the officer does
//! and sends back.
//!
//! A reply or status change is recorded in the case's thread as a pending
//! operation with a random 16-byte id; so is a purge (in the vault's list of
//! pending purges) and a case recorded with a receipt (its `upload`).
//! `outbox` seals every pending reply and status to the reporter's recipient
//! and to every office key the desk knows (its own, and the other desks'
//! public keys), adds the recorded cases (their report sealed to the
//! office) and the purges, and writes them into an outbox bundle signed with
//! the officer's key; each operation is also signed on its own, over its id,
//! kind, case, date, the case's previous operation and its ciphertext (see
//! [`crate::core::log::OpClaim`]), so that the desk can check it again when
//! an export brings it back. Operations stay pending until an export shows them back
//! from the server; the server ignores an op id it has already applied, so
//! writing the same outbox twice is harmless.

use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};

use super::keyfiles::{self, OtherOfficeKeys, PassphraseSource};
use super::vault::{
    CaseRecord, OfficeMarks, PurgedUpload, StatusChange, ThreadItem, Upload, Vault, WaitingPart,
};
use super::{DeskError, fsx, verify};
use crate::core::bundle::{NewCase, Op, Outbox};
use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::core::envelope::{self, Payload, ReplyBody, ReportBody, StatusBody};
use crate::core::log::EntryKind;
use crate::core::receipt::{ENTROPY_BYTES, Receipt};
use crate::core::secret::SecretText;

/// The channels a report may come by besides the website.
pub const CHANNELS: &[&str] = &["phone", "post", "meeting", "email", "other"];

/// Records a reply to the reporter; returns its op id (hex).
pub fn reply(vault: &Vault, case: CaseId, text: SecretText, today: Day) -> Result<String, DeskError> {
    let mut change = vault.begin()?;
    let mut record = change.case(case)?.ok_or(DeskError::CaseNotFound(case))?;
    if !record.has_online_reporter() && record.upload.is_none() {
        return Err(DeskError::NoOnlineReporter(case));
    }
    let op = hex::encode(fsx::random::<16>()?);
    record.thread.push(ThreadItem::Reply {
        op: op.clone(),
        day: today,
        text,
        delivered: false,
    });
    change.put_case(&record)?;
    change.commit()?;
    Ok(op)
}

/// Records a status change; returns its op id (hex). For a case with no
/// online reporter the change is kept in the history only.
pub fn set_status(vault: &Vault, case: CaseId, status: Status, today: Day) -> Result<String, DeskError> {
    let mut change = vault.begin()?;
    let mut record = change.case(case)?.ok_or(DeskError::CaseNotFound(case))?;
    let op = hex::encode(fsx::random::<16>()?);
    let online = record.has_online_reporter() || record.upload.is_some();
    record.thread.push(ThreadItem::Status {
        op: op.clone(),
        day: today,
        status,
        // Nobody online to tell: nothing to send.
        delivered: !online,
    });
    record.status_history.push(StatusChange { status, day: today });
    change.put_case(&record)?;
    change.commit()?;
    Ok(op)
}

/// A report received by another channel.
#[derive(Debug)]
pub struct Recorded {
    pub kind: Kind,
    pub categories: Vec<String>,
    pub description: SecretText,
    pub received: Day,
    pub channel: String,
}

/// What `record` did.
#[derive(Debug)]
pub struct RecordOutcome {
    pub case: CaseId,
    /// The receipt to hand to the reporter (shown once, never stored).
    pub receipt: Option<Receipt>,
}

/// Adds a case received by phone, post, meeting, email or otherwise. With
/// `issue_receipt` it also makes a receipt and queues the case for the
/// server, so that the reporter can follow up online.
pub fn record(vault: &Vault, r: Recorded, issue_receipt: bool) -> Result<RecordOutcome, DeskError> {
    let allowed = r.kind.allowed_categories();
    if let Some(bad) = r.categories.iter().find(|c| !allowed.contains(&c.as_str())) {
        return Err(DeskError::BadInput(format!(
            "`{bad}` is not a {} {}; use one of: {}",
            r.kind.as_str(),
            if r.kind == Kind::Advice {
                "topic"
            } else {
                "category"
            },
            allowed.join(", ")
        )));
    }
    if r.categories.is_empty() {
        return Err(DeskError::BadInput("give at least one --category".into()));
    }
    if !CHANNELS.contains(&r.channel.as_str()) {
        return Err(DeskError::BadInput(format!(
            "`{}` is not a channel; use one of: {}",
            r.channel,
            CHANNELS.join(", ")
        )));
    }
    if r.description.is_empty() {
        return Err(DeskError::BadInput("the description is empty".into()));
    }
    let mut change = vault.begin()?;
    let case = loop {
        let id = CaseId::from_random(fsx::random::<8>()?);
        if change.case(id)?.is_none() {
            break id;
        }
    };
    let (receipt, recipient, upload, message_key) = if issue_receipt {
        let receipt = Receipt::from_entropy(fsx::random::<ENTROPY_BYTES>()?);
        let recipient = receipt.reporter_recipient().map_err(|_| DeskError::Random)?;
        let upload = Upload {
            op: hex::encode(fsx::random::<16>()?),
            lookup: hex::encode(receipt.lookup_id().0),
            delivered: false,
            sent: false,
        };
        let message_key = Some(receipt.message_key().to_hex());
        (Some(receipt), recipient, Some(upload), message_key)
    } else {
        (None, String::new(), None, None)
    };
    let mut categories = r.categories;
    categories.dedup();
    change.put_case(&CaseRecord {
        id: case,
        received: r.received,
        recipient,
        kind: r.kind,
        categories,
        description: r.description,
        when: None,
        where_: None,
        people: None,
        contact: None,
        attachments: Vec::new(),
        thread: Vec::new(),
        status_history: vec![StatusChange {
            status: Status::Received,
            day: r.received,
        }],
        channel: Some(r.channel),
        addressed_to: None,
        upload,
        message_key,
        office: Default::default(),
    })?;
    change.commit()?;
    Ok(RecordOutcome { case, receipt })
}

/// Removes cases from the vault (and their files); those the server has
/// get a purge operation in the next outbox. Returns the cases removed.
pub fn purge(vault: &Vault, cases: &[CaseId]) -> Result<Vec<CaseId>, DeskError> {
    let mut change = vault.begin()?;
    let mut removed = Vec::new();
    for case in cases {
        // The index's summary says all a purge needs: the case file is not read.
        let record = change
            .index
            .summary(*case)
            .ok_or(DeskError::CaseNotFound(*case))?;
        // A recorded case written into an outbox may be on the server
        // although no export has shown it back yet: it is filed again with
        // its purge, so that the purge finds it (see `PurgedUpload`).
        let on_server = record
            .upload
            .as_ref()
            .map_or(record.has_online_reporter(), |u| u.delivered || u.sent);
        let unconfirmed = record
            .upload
            .as_ref()
            .filter(|u| u.sent && !u.delivered)
            .map(|u| PurgedUpload {
                upload: u.clone(),
                recipient: record.recipient.clone(),
                kind: record.kind,
                received: record.received,
            });
        change.remove_case(*case)?;
        if let Some(p) = unconfirmed {
            change.index.purged_uploads.insert(*case, p);
        }
        if on_server {
            change
                .index
                .pending_purges
                .insert(*case, hex::encode(fsx::random::<16>()?));
        }
        removed.push(*case);
    }
    change.commit()?;
    Ok(removed)
}

/// The cases whose last status is closed and was set before `day` (from
/// the index's summaries: no case file is read).
pub fn closed_before(vault: &Vault, day: Day) -> Result<Vec<CaseId>, DeskError> {
    Ok(vault
        .index()?
        .summaries()
        .filter(|c| {
            c.status_history
                .last()
                .is_some_and(|s| s.status.is_closed() && s.day < day)
        })
        .map(|c| c.id)
        .collect())
}

/// The attachment parts waiting for their envelope, by attachment id.
pub fn waiting_parts(vault: &Vault) -> Result<Vec<(String, WaitingPart)>, DeskError> {
    Ok(vault.index()?.parts.into_iter().collect())
}

/// Drops waiting attachment parts (`all`, or those in `ids`); returns the ids dropped.
pub fn drop_parts(vault: &Vault, ids: &[String], all: bool) -> Result<Vec<String>, DeskError> {
    let mut change = vault.begin()?;
    let chosen: Vec<String> = if all {
        change.index.parts.keys().cloned().collect()
    } else {
        ids.iter().map(|i| i.trim().to_ascii_lowercase()).collect()
    };
    for id in &chosen {
        if !change.index.parts.contains_key(id) {
            return Err(DeskError::BadInput(format!(
                "no attachment part {id} is waiting; `candor-desk parts` lists them"
            )));
        }
        change.remove_part(id);
    }
    change.commit()?;
    Ok(chosen)
}

/// Changes the office's own marks on a case (star, notes, draft, what was
/// seen); they stay in the vault and never go out.
pub fn mark(vault: &Vault, case: CaseId, f: impl FnOnce(&mut OfficeMarks)) -> Result<(), DeskError> {
    let mut change = vault.begin()?;
    let mut record = change.case(case)?.ok_or(DeskError::CaseNotFound(case))?;
    f(&mut record.office);
    change.put_case(&record)?;
    change.commit()?;
    Ok(())
}

/// Stars or unstars a case.
pub fn star(vault: &Vault, case: CaseId, star: bool) -> Result<(), DeskError> {
    mark(vault, case, |m| m.star = star)
}

/// Keeps the office's notes on a case (empty text removes them).
pub fn save_notes(vault: &Vault, case: CaseId, notes: SecretText) -> Result<(), DeskError> {
    mark(vault, case, |m| m.notes = (!notes.is_empty()).then_some(notes))
}

/// Keeps a reply being written (empty text removes the draft).
pub fn save_draft(vault: &Vault, case: CaseId, draft: SecretText) -> Result<(), DeskError> {
    mark(vault, case, |m| m.draft = (!draft.is_empty()).then_some(draft))
}

/// Records that an officer has seen every item the reporter sent so far.
pub fn mark_seen(vault: &Vault, case: CaseId) -> Result<(), DeskError> {
    let mut change = vault.begin()?;
    let mut record = change.case(case)?.ok_or(DeskError::CaseNotFound(case))?;
    if record.unread() == 0 {
        return Ok(());
    }
    record.office.seen += record.unread();
    change.put_case(&record)?;
    change.commit()?;
    Ok(())
}

/// The officer keys whose signatures `open` accepts on office operations:
/// this desk's own signing key in `secret_dir` (if it has one) and those
/// the office's public folder beside it lists.
pub fn trusted_officers_in(
    secret_dir: &Path,
    pass: &mut dyn PassphraseSource,
) -> Result<Vec<VerifyingKey>, DeskError> {
    // A desk that cannot sign (no officer.key, an OpenPGP key without an
    // Ed25519 signing key) still reads what the office signed.
    let own = keyfiles::officer_signing_key(secret_dir, pass).ok();
    verify::trusted_officers(own.as_ref(), keyfiles::public_dir_beside(secret_dir).as_deref())
}

/// What signs an outbox and whom it is sealed to besides the vault's keys.
pub struct OutboxKeys {
    pub officer: SigningKey,
    pub others: OtherOfficeKeys,
    /// The public folder the other keys came from, if any.
    pub public_dir: Option<PathBuf>,
}

impl std::fmt::Debug for OutboxKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutboxKeys([redacted], {:?})", self.others)
    }
}

/// The officer's signing key from `signer_dir` and the office's other
/// public keys from `office_keys` (default: the public folder beside the
/// vault's keys).
pub fn outbox_keys(
    vault: &Vault,
    signer_dir: &Path,
    office_keys: Option<PathBuf>,
    pass: &mut dyn PassphraseSource,
    today: Day,
) -> Result<OutboxKeys, DeskError> {
    let officer = keyfiles::officer_signing_key(signer_dir, pass)?;
    let public_dir = office_keys.or_else(|| keyfiles::public_dir_beside(&vault.keys().dir));
    let others = match &public_dir {
        Some(dir) => OtherOfficeKeys::read(vault.keys(), dir, today)?,
        None => OtherOfficeKeys::default(),
    };
    Ok(OutboxKeys {
        officer,
        others,
        public_dir,
    })
}

/// What an outbox holds.
#[derive(Debug, Default)]
pub struct OutboxSummary {
    pub replies: usize,
    pub statuses: usize,
    pub new_cases: usize,
    pub purges: usize,
    pub cases: usize,
}

fn op_id(op: &str, case: CaseId) -> Result<[u8; 16], DeskError> {
    hex::decode(op)
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .ok_or_else(|| DeskError::BadEntry {
            what: format!("operation {op} of case {case}"),
            reason: "its id is not 16 bytes of hex".into(),
        })
}

/// Writes every pending operation into a signed outbox bundle at `out`.
/// Everything is sealed to the desk's own office keys and to `others` (the
/// office's other keys, so that every desk of the office can read it), and
/// replies and statuses also to the reporter. `progress` is told the number
/// of cases done and the total.
pub fn write_outbox(
    vault: &Vault,
    others: &[&dyn age::Recipient],
    officer: &SigningKey,
    out: &Path,
    today: Day,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<OutboxSummary, DeskError> {
    let mut office_recipients = vault.keys().recipient_refs();
    office_recipients.extend(others.iter().copied());
    let mut ops = Vec::new();
    let mut summary = OutboxSummary::default();
    // Only the cases with something pending are read.
    let index = vault.index()?;
    let pending_cases: Vec<CaseId> = index
        .summaries()
        .filter(|c| c.pending() > 0)
        .map(|c| c.id)
        .collect();
    let total = pending_cases.len() as u64;
    let mut n = 0;
    for id in pending_cases {
        let case = &vault.case(id)?.ok_or(DeskError::CaseNotFound(id))?;
        n += 1;
        progress(n, total);
        let seal_err = |source| DeskError::Seal {
            case: case.id,
            source,
        };
        let mut touched = false;
        if let Some(upload) = case.upload.as_ref().filter(|u| !u.delivered) {
            let lookup = hex::decode(&upload.lookup)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| DeskError::BadEntry {
                    what: format!("case {}", case.id),
                    reason: "its receipt look-up is not 32 bytes of hex".into(),
                })?;
            let report = Payload::Report(ReportBody {
                kind: case.kind,
                categories: case.categories.clone(),
                description: case.description.duplicate(),
                when: None,
                where_: None,
                people: None,
                contact: None,
                attachments: Vec::new(),
                day: case.received,
                recipient: Some(case.recipient.clone()),
                message_key: case.message_key.as_ref().map(|k| k.duplicate()),
                // The server files it to the channel of the officer who signed it.
                channel: None,
            });
            let sealed = envelope::seal(case.id, &report, &office_recipients).map_err(seal_err)?;
            let body = NewCase {
                lookup,
                recipient: case.recipient.clone(),
                envelope: sealed,
            }
            .encode();
            ops.push(Op {
                id: op_id(&upload.op, case.id)?,
                kind: EntryKind::Report,
                case: case.id,
                day: case.received,
                prev: [0; 16],
                body,
            });
            summary.new_cases += 1;
            touched = true;
        }
        // Each pending operation with the office operation before it in the
        // thread, which its signature names, so that the desk that reads it
        // back can tell if the server reordered them.
        let mut before = [0u8; 16];
        let mut pending: Vec<(&ThreadItem, [u8; 16])> = Vec::new();
        for item in &case.thread {
            let Some(op) = item.op() else { continue };
            if item.delivered() == Some(false) {
                pending.push((item, before));
            }
            before = op_id(op, case.id)?;
        }
        if !pending.is_empty() {
            let reporter: age::x25519::Recipient = case.recipient.parse().map_err(|_| DeskError::Seal {
                case: case.id,
                source: envelope::EnvelopeError::NoRecipients,
            })?;
            let mut recipients: Vec<&dyn age::Recipient> = vec![&reporter];
            recipients.extend(office_recipients.iter().copied());
            for (item, prev) in pending {
                let (kind, payload, op) = match item {
                    ThreadItem::Reply { op, day, text, .. } => {
                        summary.replies += 1;
                        let body = ReplyBody {
                            text: text.duplicate(),
                            day: *day,
                        };
                        (EntryKind::Reply, Payload::Reply(body), op)
                    }
                    ThreadItem::Status { op, day, status, .. } => {
                        summary.statuses += 1;
                        let body = StatusBody {
                            status: *status,
                            day: *day,
                        };
                        (EntryKind::Status, Payload::Status(body), op)
                    }
                    _ => continue,
                };
                let body = envelope::seal(case.id, &payload, &recipients).map_err(seal_err)?;
                ops.push(Op {
                    id: op_id(op, case.id)?,
                    kind,
                    case: case.id,
                    day: item.day(),
                    prev,
                    body,
                });
            }
            touched = true;
        }
        summary.cases += usize::from(touched);
    }
    for (case, p) in &index.purged_uploads {
        let lookup = hex::decode(&p.upload.lookup)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| DeskError::BadEntry {
                what: format!("case {case}"),
                reason: "its receipt look-up is not 32 bytes of hex".into(),
            })?;
        // Sealed empty: the case's content was purged here; the server
        // drops this body with the purge that follows.
        let report = Payload::Report(ReportBody {
            kind: p.kind,
            categories: Vec::new(),
            description: SecretText::new(String::new()),
            when: None,
            where_: None,
            people: None,
            contact: None,
            attachments: Vec::new(),
            day: p.received,
            recipient: Some(p.recipient.clone()),
            message_key: None,
            channel: None,
        });
        let sealed = envelope::seal(*case, &report, &office_recipients)
            .map_err(|source| DeskError::Seal { case: *case, source })?;
        ops.push(Op {
            id: op_id(&p.upload.op, *case)?,
            kind: EntryKind::Report,
            case: *case,
            day: p.received,
            prev: [0; 16],
            body: NewCase {
                lookup,
                recipient: p.recipient.clone(),
                envelope: sealed,
            }
            .encode(),
        });
    }
    for (case, op) in &index.pending_purges {
        ops.push(Op {
            id: op_id(op, *case)?,
            kind: EntryKind::Purge,
            case: *case,
            day: today,
            prev: [0; 16],
            body: Vec::new(),
        });
        summary.purges += 1;
    }
    if ops.is_empty() {
        return Err(DeskError::NothingPending);
    }
    let outbox = Outbox {
        id: fsx::random::<16>()?,
        day: today,
        ops,
    };
    let bytes = outbox
        .write(Vec::new(), officer)
        .map_err(DeskError::io("build the outbox for", out))?;
    fsx::write_atomic(out, &bytes, 0o600).map_err(DeskError::io("write", out))?;
    // Recorded cases now written into an outbox may reach the server: a
    // purge from here on must reach it too.
    let unsent: Vec<CaseId> = index
        .summaries()
        .filter(|c| c.upload.as_ref().is_some_and(|u| !u.delivered && !u.sent))
        .map(|c| c.id)
        .collect();
    if !unsent.is_empty() {
        let mut change = vault.begin()?;
        for id in unsent {
            if let Some(mut case) = change.case(id)? {
                if let Some(u) = case.upload.as_mut() {
                    u.sent = true;
                }
                change.put_case(&case)?;
            }
        }
        change.commit()?;
    }
    Ok(summary)
}

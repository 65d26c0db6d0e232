//! `reply`, `status` and `outbox`: what the officer sends back.
//!
//! A reply or status change is recorded in the case's thread as a pending
//! operation with a random 16-byte id. `outbox` seals every pending one to
//! the reporter's recipient and the office's own, and writes them into an
//! outbox bundle signed with the officer's key. Operations stay pending until
//! an export shows them back from the server; the server ignores an op id it
//! has already applied, so writing the same outbox twice is harmless.

use std::path::Path;

use ed25519_dalek::SigningKey;

use super::vault::{StatusChange, ThreadItem, Vault};
use super::{DeskError, fsx};
use crate::core::bundle::{Op, Outbox};
use crate::core::case::{CaseId, Status};
use crate::core::day::Day;
use crate::core::envelope::{self, Payload, ReplyBody, StatusBody};
use crate::core::log::EntryKind;
use crate::core::secret::SecretText;

/// Records a reply to the reporter; returns its op id (hex).
pub fn reply(vault: &Vault, case: CaseId, text: SecretText, today: Day) -> Result<String, DeskError> {
    let mut state = vault.load()?;
    let record = state.case_mut(case).ok_or(DeskError::CaseNotFound(case))?;
    let op = hex::encode(fsx::random::<16>()?);
    record.thread.push(ThreadItem::Reply {
        op: op.clone(),
        day: today,
        text,
        delivered: false,
    });
    vault.save(&state)?;
    Ok(op)
}

/// Records a status change; returns its op id (hex).
pub fn set_status(vault: &Vault, case: CaseId, status: Status, today: Day) -> Result<String, DeskError> {
    let mut state = vault.load()?;
    let record = state.case_mut(case).ok_or(DeskError::CaseNotFound(case))?;
    let op = hex::encode(fsx::random::<16>()?);
    record.thread.push(ThreadItem::Status {
        op: op.clone(),
        day: today,
        status,
        delivered: false,
    });
    record.status_history.push(StatusChange { status, day: today });
    vault.save(&state)?;
    Ok(op)
}

/// What an outbox holds.
#[derive(Debug)]
pub struct OutboxSummary {
    pub replies: usize,
    pub statuses: usize,
    pub cases: usize,
}

/// Writes every pending operation into a signed outbox bundle at `out`.
pub fn write_outbox(
    vault: &Vault,
    office: &[age::x25519::Identity],
    officer: &SigningKey,
    out: &Path,
    today: Day,
) -> Result<OutboxSummary, DeskError> {
    let state = vault.load()?;
    let office_recipients: Vec<age::x25519::Recipient> = office.iter().map(|i| i.to_public()).collect();
    let mut ops = Vec::new();
    let mut summary = OutboxSummary {
        replies: 0,
        statuses: 0,
        cases: 0,
    };
    for case in state.cases.values() {
        let pending: Vec<&ThreadItem> = case
            .thread
            .iter()
            .filter(|t| t.delivered() == Some(false))
            .collect();
        if pending.is_empty() {
            continue;
        }
        summary.cases += 1;
        let seal_err = |source| DeskError::Seal {
            case: case.id,
            source,
        };
        let reporter: age::x25519::Recipient = case.recipient.parse().map_err(|_| DeskError::Seal {
            case: case.id,
            source: envelope::EnvelopeError::NoRecipients,
        })?;
        let mut recipients: Vec<&dyn age::Recipient> = vec![&reporter];
        recipients.extend(office_recipients.iter().map(|r| r as &dyn age::Recipient));
        for item in pending {
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
            let id = hex::decode(op)
                .ok()
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .ok_or_else(|| DeskError::BadEntry {
                    what: format!("operation {op} of case {}", case.id),
                    reason: "its id is not 16 bytes of hex".into(),
                })?;
            let body = envelope::seal(&payload, &recipients).map_err(seal_err)?;
            ops.push(Op {
                id,
                kind,
                case: case.id,
                body,
            });
        }
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
    Ok(summary)
}

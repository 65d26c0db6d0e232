//! The officer API: export bundles out, outbox bundles in.
//!
//! Also a count of what is new since a cursor ([`status`]), so a scheduled job
//! can tell the officer when to fetch.
//!
//! Served on its own listener, meant for a separate onion service with client
//! authorisation. Every request needs the bearer token (checked in constant
//! time against its SHA-256); an outbox must also carry the officer's
//! signature, and is applied atomically and at most once.

use std::io::{self, Write};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::App;
use super::keys::KeyReport;
use super::store::{CommitExtras, NewBody, NewEntry, StoreError};
use crate::core::bundle::{BundleError, ExportWriter, NewCase, Outbox, SignedOp};
use crate::core::log::{Auth, EntryKind, Head};
use crate::core::receipt::LookupId;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfficerError {
    #[error("missing or wrong bearer token")]
    Unauthorized,
    #[error("`after` must be a whole number")]
    BadCursor,
    #[error("the server has only {0} entries")]
    CursorBeyondHead(u64),
    #[error("outbox refused: {0}")]
    Bundle(#[from] BundleError),
    #[error("outbox names a case this server does not have")]
    UnknownCase,
    #[error("outbox refused: an operation on a case of another channel than its signer's")]
    WrongChannel,
    #[error("this outbox was already imported")]
    Replayed,
    #[error("another import applied some of this outbox's operations meanwhile; send it again")]
    AppliedMeanwhile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn authorise(app: &App, header: Option<&str>) -> Result<(), OfficerError> {
    let token = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(OfficerError::Unauthorized)?;
    // A channel may have a token of its own, so that its officers fetch
    // exports without the office's transfer machine (see `channels`).
    if app.keys.token.matches(token) | app.channels.token_matches(token) {
        Ok(())
    } else {
        Err(OfficerError::Unauthorized)
    }
}

pub fn parse_cursor(raw: Option<&str>) -> Result<u64, OfficerError> {
    match raw {
        None => Ok(0),
        Some(s) if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map_err(|_| OfficerError::BadCursor)
        }
        Some(_) => Err(OfficerError::BadCursor),
    }
}

/// Sends what it is given to the HTTP body in pieces of about 64 KiB.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| io::Error::other("client went away"))
    }
}

/// Starts an export of everything after `after`; the receiver yields the bundle.
pub fn export(
    app: &Arc<App>,
    after: u64,
) -> Result<(mpsc::Receiver<Result<Bytes, io::Error>>, Head), OfficerError> {
    let head = app.store.head()?;
    if after > head.seq {
        return Err(OfficerError::CursorBeyondHead(head.seq));
    }
    let from = if after == 0 {
        Head::EMPTY
    } else {
        let entry = app
            .store
            .entry(after)?
            .ok_or(StoreError::Corrupt("entry missing below head"))?;
        Head {
            seq: after,
            hash: entry.hash(),
        }
    };
    let (tx, rx) = mpsc::channel(4);
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || {
        let err_tx = tx.clone();
        let result = (|| -> io::Result<()> {
            let w = ChannelWriter { tx, buf: Vec::new() };
            let mut export = ExportWriter::start(w, &app.server_key.verifying_key(), from)?;
            app.store
                .entries_between(from.seq, head.seq, &mut |entry, body| {
                    Ok(export.entry(&entry, body.as_deref())?)
                })
                .map_err(|e| match e {
                    StoreError::Io(e) => e,
                    e => io::Error::other(e),
                })?;
            let mut w = export.end(head, &app.server_key)?;
            w.flush()
        })();
        if let Err(e) = result {
            tracing::warn!("export stopped before its end: {e}");
            let _ = err_tx.blocking_send(Err(e));
        }
    });
    Ok((rx, head))
}

/// What arrived after a cursor: counts only, never content. Cheap enough for
/// a transfer machine to ask every few minutes. With it, how each office key
/// stands today, so the transfer machine can warn of one that expires.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The last entry's sequence number.
    pub head: u64,
    /// Entries after the cursor, of any kind.
    pub new_entries: u64,
    /// New reports among them.
    pub new_reports: u64,
    /// New follow-up messages from reporters among them.
    pub new_messages: u64,
    /// Every office key: its name, file, state and expiry day.
    pub office_keys: Vec<KeyReport>,
    /// One line for each key that has expired, expires within 60 days, is
    /// revoked or unusable (what the server's log warns of).
    pub office_key_warnings: Vec<String>,
    /// What the log takes and its quota, when the office has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<super::quota::Usage>,
}

/// Counts what follows `after` (the last entry the desk verified).
pub fn status(app: &App, after: u64) -> Result<Status, OfficerError> {
    let head = app.store.head()?;
    if after > head.seq {
        return Err(OfficerError::CursorBeyondHead(head.seq));
    }
    let (mut new_reports, mut new_messages) = (0, 0);
    for seq in after + 1..=head.seq {
        let entry = app
            .store
            .entry(seq)?
            .ok_or(StoreError::Corrupt("entry missing below head"))?;
        match entry.kind {
            EntryKind::Report => new_reports += 1,
            EntryKind::Message => new_messages += 1,
            _ => {}
        }
    }
    let today = crate::clock::today();
    let mut office_keys = app.keys.report(today);
    // Each channel's own keys, named by their folder (`audit/recipients.txt`).
    for c in app.channels.list.iter().filter(|c| c.keys.dir != app.keys.dir) {
        office_keys.extend(c.keys.report(today).into_iter().map(|mut k| {
            k.file = format!("{}/{}", c.config.keys.display(), k.file);
            k
        }));
    }
    let office_key_warnings = office_keys
        .iter()
        .filter(|k| k.needs_attention())
        .map(|k| k.describe(today))
        .collect();
    Ok(Status {
        head: head.seq,
        new_entries: head.seq - after,
        new_reports,
        new_messages,
        office_keys,
        office_key_warnings,
        storage: app.quota.usage(app.store.as_ref()),
    })
}

/// What an import did.
#[derive(Debug, Clone, Copy)]
pub struct Imported {
    pub applied: usize,
    pub already: usize,
    pub head: Head,
}

/// Verifies and applies an outbox bundle, atomically and at most once.
pub async fn import(app: &App, bytes: &[u8]) -> Result<Imported, OfficerError> {
    let officers = app.channels.all_officers(&app.keys);
    let outbox = Outbox::read(bytes, &officers)?;
    let store = &app.store;
    if store.bundle_imported(&outbox.id)? {
        return Err(OfficerError::Replayed);
    }
    let mut entries = Vec::new();
    let mut purge = Vec::new();
    let mut new_cases = Vec::new();
    let mut already = 0;
    // The channel of each case this outbox acts on (recorded here or read from the store).
    let mut case_channels: Vec<(crate::core::case::CaseId, Option<String>)> = Vec::new();
    let today = crate::clock::today();
    for SignedOp { op, sig } in outbox.ops {
        let auth = Some(Auth::Office(sig));
        if store.op_applied(&op.id)? {
            already += 1;
            continue;
        }
        // A case recorded at the desk with a receipt: filed as a report.
        if op.kind == EntryKind::Report {
            let case = NewCase::decode(&op.body)?;
            let lookup = LookupId(case.lookup);
            if store.case_exists(op.case)? || store.lookup(&lookup)?.is_some() {
                return Err(BundleError::Malformed("a recorded case the server already has").into());
            }
            new_cases.push((lookup, op.case));
            // Filed to the channel of the officer who recorded it.
            let channel = app.channels.of_officer(&sig.signer);
            case_channels.push((op.case, channel.clone()));
            entries.push(NewEntry {
                kind: EntryKind::Report,
                case: op.case,
                day: today,
                recipient: Some(case.recipient),
                part: None,
                op: Some(op.id),
                auth,
                channel,
                body: NewBody::Inline(case.envelope),
            });
            continue;
        }
        let channel = match case_channels.iter().find(|(c, _)| *c == op.case) {
            Some((_, channel)) => channel.clone(),
            None if store.case_exists(op.case)? => {
                let found = super::channels::of_case(store.as_ref(), &app.channels, op.case)?;
                // Read once per case: an outbox may carry many operations on one.
                case_channels.push((op.case, found.clone()));
                found
            }
            None => return Err(OfficerError::UnknownCase),
        };
        // Only the case's channel's officers act on it: the ethics office
        // cannot reply on, set the status of or purge an audit-committee case.
        let allowed = app
            .channels
            .keys_for(&app.keys, channel.as_deref())
            .is_some_and(|k| k.officers.iter().any(|o| o.as_bytes() == &sig.signer));
        if !allowed {
            return Err(OfficerError::WrongChannel);
        }
        if op.kind == EntryKind::Purge {
            purge.push(op.case);
        }
        entries.push(NewEntry {
            kind: op.kind,
            case: op.case,
            day: today,
            recipient: None,
            part: None,
            op: Some(op.id),
            auth,
            channel: None,
            body: NewBody::Inline(op.body),
        });
    }
    let applied = entries.len();
    let extras = CommitExtras {
        bundle: Some(outbox.id),
        purge,
        recorded: new_cases,
        ..Default::default()
    };
    let head = match app.durable.commit(entries, extras).await {
        Ok(head) => head,
        Err(StoreError::AlreadyImported) => return Err(OfficerError::Replayed),
        Err(StoreError::AppliedMeanwhile) => return Err(OfficerError::AppliedMeanwhile),
        Err(e) => return Err(e.into()),
    };
    Ok(Imported {
        applied,
        already,
        head,
    })
}

//! The returning reporter: receipt log-in, short sessions, and the thread.
//!
//! A log-in derives the lookup id and the reporter's age identity from the
//! receipt; the receipt itself is dropped (and wiped) at once. A session keeps
//! the case id and the derived identity in memory only, under a random token
//! sent as a session-only, HttpOnly, SameSite=Strict cookie and as a hidden
//! form field, and ends after a few idle minutes or on log-out.
//!
//! The thread shows the office's replies and status changes, decrypted with
//! the reporter's identity; the reporter's own report and messages are
//! encrypted to the office only, so they appear as "sent on <day>" and a
//! receipt taken from a reporter reveals nothing they wrote.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::App;
use super::store::StoreError;
use crate::core::case::{CaseId, Status};
use crate::core::day::Day;
use crate::core::envelope::{self, Payload};
use crate::core::log::{Auth, EntryKind};
use crate::core::receipt::{MessageKey, Receipt, ReceiptError};
use crate::core::secret::SecretText;

const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowupError {
    #[error("receipt not accepted: {0}")]
    Receipt(ReceiptError),
    #[error("no case has this receipt")]
    Unknown,
    #[error("the session has ended")]
    NoSession,
    #[error("too many log-ins right now")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not derive keys")]
    Crypto,
}

struct Session {
    case: CaseId,
    identity: age::x25519::Identity,
    /// Authenticates the reporter's messages; gone when the session ends.
    message_key: MessageKey,
    last_used: Instant,
}

/// Live follow-up sessions, in memory only.
pub struct Sessions {
    idle: Duration,
    map: Mutex<HashMap<[u8; 32], Session>>,
}

/// A session token as the browser holds it (hex).
pub struct SessionToken(Zeroizing<String>);

impl SessionToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

fn parse_token(s: &str) -> Option<[u8; 32]> {
    let bytes = Zeroizing::new(hex::decode(s.trim()).ok()?);
    bytes.as_slice().try_into().ok()
}

impl Sessions {
    pub fn new(idle: Duration) -> Sessions {
        Sessions {
            idle,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn start(
        &self,
        case: CaseId,
        identity: age::x25519::Identity,
        message_key: MessageKey,
    ) -> Result<SessionToken, FollowupError> {
        let mut token = Zeroizing::new([0u8; 32]);
        getrandom::fill(token.as_mut_slice()).map_err(|_| FollowupError::Crypto)?;
        let mut map = self.map.lock().map_err(|_| FollowupError::Crypto)?;
        let now = Instant::now();
        map.retain(|_, s| now.duration_since(s.last_used) < self.idle);
        if map.len() >= MAX_SESSIONS {
            // Evict the longest idle session rather than refuse a reporter.
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.last_used).map(|(k, _)| *k) {
                map.remove(&oldest);
            }
        }
        map.insert(
            *token,
            Session {
                case,
                identity,
                message_key,
                last_used: now,
            },
        );
        Ok(SessionToken(Zeroizing::new(hex::encode(token.as_slice()))))
    }

    /// The case and a copy of the identity for a live session; refreshes it.
    fn touch(&self, token: &str) -> Result<(CaseId, age::x25519::Identity), FollowupError> {
        self.with(token, |s| (s.case, s.identity.clone()))
    }

    /// What `f` takes from a live session; refreshes it.
    fn with<T>(&self, token: &str, f: impl FnOnce(&Session) -> T) -> Result<T, FollowupError> {
        let key = parse_token(token).ok_or(FollowupError::NoSession)?;
        let mut map = self.map.lock().map_err(|_| FollowupError::Crypto)?;
        let now = Instant::now();
        let expired = map
            .get(&key)
            .is_some_and(|s| now.duration_since(s.last_used) >= self.idle);
        if expired {
            map.remove(&key);
        }
        let s = map.get_mut(&key).ok_or(FollowupError::NoSession)?;
        s.last_used = now;
        Ok(f(s))
    }

    pub fn end(&self, token: &str) {
        if let (Some(key), Ok(mut map)) = (parse_token(token), self.map.lock()) {
            map.remove(&key);
        }
    }
}

/// One line of the thread as the reporter sees it.
#[derive(Debug)]
pub struct ThreadItem {
    pub from_office: bool,
    pub kind: EntryKind,
    pub day: Day,
    pub text: Option<SecretText>,
    /// For status changes: the new status.
    pub status: Option<Status>,
    /// A report the office recorded (taken by phone, post, at a meeting):
    /// `day` is the day the office signed for it, not its import.
    pub recorded: bool,
}

#[derive(Debug)]
pub struct Thread {
    pub status: Status,
    pub items: Vec<ThreadItem>,
}

/// Logs in with a typed receipt.
pub fn login(app: &App, typed: &str) -> Result<(SessionToken, CaseId), FollowupError> {
    app.limits
        .login_global()
        .map_err(|_| FollowupError::RateLimited)?;
    let receipt = Receipt::parse(typed).map_err(FollowupError::Receipt)?;
    let lookup = receipt.lookup_id();
    app.limits
        .login_for(&lookup)
        .map_err(|_| FollowupError::RateLimited)?;
    let case = app.store.lookup(&lookup)?.ok_or(FollowupError::Unknown)?;
    let identity = receipt.reporter_identity().map_err(|_| FollowupError::Crypto)?;
    let message_key = receipt.message_key();
    drop(receipt);
    let token = app.sessions.start(case, identity, message_key)?;
    Ok((token, case))
}

/// The case behind a session token.
pub fn session_case(app: &App, token: &str) -> Result<CaseId, FollowupError> {
    app.sessions.touch(token).map(|(case, _)| case)
}

/// The case behind a session token and the reporter's message key.
pub fn session_message_key(app: &App, token: &str) -> Result<(CaseId, MessageKey), FollowupError> {
    app.sessions.with(token, |s| {
        (s.case, MessageKey::from_bytes(*s.message_key.expose()))
    })
}

/// The thread for a session.
pub fn thread(app: &App, token: &str) -> Result<Thread, FollowupError> {
    let (case, identity) = app.sessions.touch(token)?;
    let mut status = Status::Received;
    let mut items = Vec::new();
    for (entry, body) in app.store.case_entries(case)? {
        match entry.kind {
            EntryKind::Report | EntryKind::Message => {
                // A case recorded at the desk carries the office's signature,
                // and in it the day the office recorded the report.
                let recorded = match (entry.kind, entry.auth) {
                    (EntryKind::Report, Some(Auth::Office(sig))) => Some(sig.day),
                    _ => None,
                };
                items.push(ThreadItem {
                    from_office: false,
                    kind: entry.kind,
                    day: recorded.unwrap_or(entry.day),
                    text: None,
                    status: None,
                    recorded: recorded.is_some(),
                });
            }
            EntryKind::Reply | EntryKind::Status => {
                // A body that does not open with the reporter's key is not for them.
                let Some(payload) = body.and_then(|b| envelope::open(&b, &[&identity]).ok()) else {
                    continue;
                };
                match payload {
                    Payload::Reply(r) => items.push(ThreadItem {
                        from_office: true,
                        kind: EntryKind::Reply,
                        day: r.day,
                        text: Some(r.text),
                        status: None,
                        recorded: false,
                    }),
                    Payload::Status(s) => {
                        status = s.status;
                        items.push(ThreadItem {
                            from_office: true,
                            kind: EntryKind::Status,
                            day: s.day,
                            text: None,
                            status: Some(s.status),
                            recorded: false,
                        });
                    }
                    Payload::Report(_) | Payload::Message(_) => {}
                }
            }
            EntryKind::AttachmentChunk | EntryKind::Purge => {}
        }
    }
    Ok(Thread { status, items })
}

//! Intake: turning a multipart form into encrypted, durable entries.
//!
//! Text fields are read with a size limit and must be UTF-8; files are
//! streamed through [`AttachmentSealer`] and stored chunk by chunk as they
//! arrive, never whole in memory. Only when the whole form has been read and
//! validated are the entries committed, and only when that commit is durable
//! does the caller get a receipt. A failed submission leaves no trace: its
//! pending chunks are removed, at once when the commit is known not to be in
//! the store, or at the next start when that is not known (a failed sync).
//!
//! Counts are refused as they arrive: the form part past [`MAX_PARTS`] and
//! the attachment past [`MAX_ATTACHMENTS`] end the request at once, before
//! anything more is read. Small attachments (their ciphertext up to
//! [`STAGED_BYTES`] a request) wait in memory until the form is complete, so
//! a request refused for its counts, its size or its pace has written nothing
//! to the store; only larger ones are written as they stream in (and removed
//! when the request fails).
//!
//! In an office with channels ([`super::channels`]) the form names the
//! channel before any file: every attachment is sealed as it arrives, to the
//! chosen channel's keys only, so a file before the choice, no choice or an
//! unknown one is refused. A follow-up message and its files are sealed to
//! the channel of the case's report.

use std::time::Duration;

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::App;
use super::channels::Channel;
use super::keys::ServerKeys;
use super::store::{BlobId, CommitExtras, NewBody, NewEntry, StoreError};
use crate::core::case::{CaseId, Kind};
use crate::core::envelope::{AttachmentMeta, MessageBody, Payload, ReportBody};
use crate::core::log::{Auth, EntryKind, PartRef, body_hash, message_mac};
use crate::core::receipt::{ENTROPY_BYTES, MessageKey, Receipt};
use crate::core::secret::SecretText;

/// The categories (misconduct) or topics (advice) this office, or the
/// channel chosen, offers; a subset of the known ones, checked when the
/// configuration is loaded.
fn offered<'a>(app: &'a App, channel: Option<&'a Channel>, kind: Kind) -> &'a [String] {
    match (channel, kind) {
        (Some(c), kind) => c.offered(&app.config, kind),
        (None, Kind::Misconduct) => &app.config.categories,
        (None, Kind::Advice) => &app.config.advice_topics,
    }
}

/// Ciphertext bytes per stored attachment chunk.
pub const CHUNK_BYTES: usize = 1024 * 1024;
const SHORT_FIELD_BYTES: usize = 2_000;
const MAX_CATEGORIES: usize = 16;
pub const MAX_ATTACHMENTS: usize = 100;
/// Parts a form may have. A browser sends one part per control: the report
/// form has at most 100 files, 16 categories and 7 text fields (123), the
/// message form fewer; 128 leaves a little room and no more, so a request of
/// tens of thousands of empty parts ends at the 129th.
pub const MAX_PARTS: usize = 128;
/// Ciphertext of small attachments a request keeps in memory until its form
/// is complete (32 submissions at once: 8 MiB at most).
pub const STAGED_BYTES: usize = 256 * 1024;
/// How often (in bytes received) an upload checks the free-disk reserve again.
const DISK_CHECK_EVERY: usize = 16 * 1024 * 1024;

/// What a reporter typed, to show the form again after a mistake.
#[derive(Debug, Default)]
pub struct FormEcho {
    /// The channel chosen (its id), where the office has channels.
    pub channel: Option<String>,
    pub kind: Option<Kind>,
    pub categories: Vec<String>,
    pub description: SecretText,
    pub when: SecretText,
    pub where_: SecretText,
    pub people: SecretText,
    pub contact: SecretText,
    pub had_files: bool,
}

/// A problem with one field, in the reporter's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    /// The office has channels and none was chosen (or a file came first).
    ChannelMissing,
    UnknownChannel,
    KindMissing,
    UnknownKind,
    UnknownCategory,
    DescriptionEmpty,
    MessageEmpty,
    TooManyFiles,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    #[error("the form has mistakes")]
    Invalid {
        form: Box<FormEcho>,
        problems: Vec<FieldProblem>,
    },
    #[error("the request is not a well-formed multipart form")]
    BrokenMultipart,
    #[error("the request is larger than allowed")]
    TooLarge,
    #[error("a text field is longer than allowed")]
    FieldTooLong,
    #[error("a text field is not valid UTF-8")]
    NotUtf8,
    #[error("too many submissions right now")]
    RateLimited,
    #[error("too many submissions being received at once")]
    Busy,
    #[error("the upload stalled")]
    Stalled,
    #[error("the form has more parts than allowed")]
    TooManyParts,
    #[error("the form has more attachments than allowed")]
    TooManyFiles,
    #[error("free disk space is below the reserve")]
    DiskFull,
    #[error("the office's storage quota is used up")]
    OverQuota,
    #[error("could not encrypt")]
    Encrypt,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<axum::extract::multipart::MultipartError> for IntakeError {
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            IntakeError::TooLarge
        } else {
            IntakeError::BrokenMultipart
        }
    }
}

fn random<const N: usize>() -> Result<[u8; N], IntakeError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| IntakeError::Encrypt)?;
    Ok(b)
}

/// Entries and pending bodies gathered while a form streams in.
struct Gathered<'a> {
    app: &'a App,
    case: CaseId,
    /// The keys everything of this submission is sealed to: the case's
    /// channel's, or the office's.
    keys: &'a ServerKeys,
    entries: Vec<NewEntry>,
    pending: Vec<BlobId>,
    /// Chunks of small attachments not yet written (see [`STAGED_BYTES`]).
    staged: Vec<(BlobId, Vec<u8>)>,
    staged_bytes: usize,
    attachments: Vec<AttachmentMeta>,
    /// Attachments begun, including empty ones later dropped.
    files: usize,
    /// Whether the body's declared length was checked against the quota.
    quota_taken: bool,
}

impl<'a> Gathered<'a> {
    fn new(app: &'a App, case: CaseId, keys: &'a ServerKeys, quota_taken: bool) -> Gathered<'a> {
        Gathered {
            app,
            case,
            keys,
            entries: Vec::new(),
            pending: Vec::new(),
            staged: Vec::new(),
            staged_bytes: 0,
            attachments: Vec::new(),
            files: 0,
            quota_taken,
        }
    }

    fn store_chunk(&mut self, attachment: [u8; 16], index: u32, ct: &[u8]) -> Result<(), IntakeError> {
        let blob: BlobId = random()?;
        if self.staged_bytes + ct.len() <= STAGED_BYTES {
            self.staged_bytes += ct.len();
            self.staged.push((blob, ct.to_vec()));
        } else {
            let store = &self.app.store;
            tokio::task::block_in_place(|| store.put_pending(blob, ct))?;
            self.pending.push(blob);
        }
        self.entries.push(NewEntry {
            kind: EntryKind::AttachmentChunk,
            case: self.case,
            day: crate::clock::today(),
            recipient: None,
            part: Some(PartRef { attachment, index }),
            op: None,
            auth: None,
            channel: None,
            body: NewBody::Pending {
                blob,
                len: ct.len() as u64,
                hash: body_hash(ct),
            },
        });
        Ok(())
    }

    async fn attachment(&mut self, mut field: Field<'_>) -> Result<(), IntakeError> {
        // Counted as it arrives, before anything of it is read or stored.
        self.files += 1;
        if self.files > MAX_ATTACHMENTS {
            return Err(IntakeError::TooManyFiles);
        }
        let name = clean_file_name(field.file_name().unwrap_or_default());
        let content_type = field
            .content_type()
            .filter(|t| t.len() < 200 && t.is_ascii())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let id: [u8; 16] = random()?;
        let mut sealer = self
            .keys
            .attachment_sealer(crate::clock::today())
            .map_err(|_| IntakeError::Encrypt)?;
        let mut index = 0u32;
        let first_entry = self.entries.len();
        let first_pending = self.pending.len();
        let first_staged = self.staged.len();
        let mut since_check = 0usize;
        let mut received = 0u64;
        let mut digest = Sha256::new();
        while let Some(bytes) = next_chunk(&mut field, self.app.idle()).await? {
            since_check += bytes.len();
            received += bytes.len() as u64;
            if since_check >= DISK_CHECK_EVERY {
                since_check = 0;
                self.app
                    .disk
                    .check(DISK_CHECK_EVERY as u64)
                    .map_err(|_| IntakeError::DiskFull)?;
                if !self.quota_taken && self.app.quota.is_set() {
                    let app = self.app;
                    tokio::task::block_in_place(|| app.quota.check(app.store.as_ref(), received))
                        .map_err(|_| IntakeError::OverQuota)?;
                }
            }
            sealer.write(&bytes).map_err(|_| IntakeError::Encrypt)?;
            let ready = sealer.take_ready(CHUNK_BYTES);
            if !ready.is_empty() {
                digest.update(&ready);
                self.store_chunk(id, index, &ready)?;
                index += 1;
            }
        }
        // A file input left empty still sends an empty part with no name.
        if sealer.size() == 0 && name.is_empty() {
            let dropped: Vec<BlobId> = self.pending.drain(first_pending..).collect();
            for (_, ct) in self.staged.drain(first_staged..) {
                self.staged_bytes -= ct.len();
            }
            self.entries.truncate(first_entry);
            let store = &self.app.store;
            if !dropped.is_empty() {
                tokio::task::block_in_place(|| store.discard_pending(&dropped))?;
            }
            return Ok(());
        }
        let (last, size) = sealer.finish().map_err(|_| IntakeError::Encrypt)?;
        digest.update(&last);
        self.store_chunk(id, index, &last)?;
        self.attachments.push(AttachmentMeta {
            id: hex::encode(id),
            name: if name.is_empty() {
                "attachment".into()
            } else {
                name
            },
            content_type,
            size,
            sha256: Some(hex::encode(digest.finalize())),
        });
        Ok(())
    }

    /// Seals the report or message that carries the attachments, appends it
    /// after their chunks, commits everything at once and waits until it is
    /// durable. On any failure nothing of the submission remains.
    /// Seals `body` to the office, bound to the case; a message is
    /// authenticated with the reporter's `message_key`.
    async fn finish(
        mut self,
        kind: EntryKind,
        body: Payload,
        recipient: Option<String>,
        message_key: Option<MessageKey>,
        channel: Option<String>,
        extras: CommitExtras,
    ) -> Result<(), IntakeError> {
        let sealed = self.keys.seal(self.case, &body, crate::clock::today());
        drop(body);
        let Ok(sealed) = sealed else {
            self.abandon().await;
            return Err(IntakeError::Encrypt);
        };
        let auth = message_key.map(|key| Auth::Reporter(message_mac(&key, self.case, &body_hash(&sealed))));
        self.entries.push(NewEntry {
            kind,
            case: self.case,
            day: crate::clock::today(),
            recipient,
            part: None,
            op: None,
            auth,
            channel,
            body: NewBody::Inline(sealed),
        });
        // The form is complete and valid: the staged chunks go to the store now.
        let staged = std::mem::take(&mut self.staged);
        let app = self.app;
        let store = &app.store;
        for (blob, ct) in staged {
            if let Err(e) = tokio::task::block_in_place(|| store.put_pending(blob, &ct)) {
                self.abandon().await;
                return Err(e.into());
            }
            self.pending.push(blob);
        }
        let Gathered { entries, pending, .. } = self;
        let stored: u64 = entries
            .iter()
            .map(|e| match &e.body {
                NewBody::Inline(bytes) => bytes.len() as u64,
                NewBody::Pending { len, .. } => *len,
            })
            .sum();
        match app.durable.commit(entries, extras).await {
            Ok(_) => {
                app.quota.add(stored);
                Ok(())
            }
            // Known not to be in the store: its bodies go now.
            Err(e @ StoreError::NotWritten(_)) => {
                let store = &app.store;
                let _ = tokio::task::block_in_place(|| store.discard_pending(&pending));
                Err(e.into())
            }
            // Perhaps applied (a failed sync, a lost answer): its bodies stay;
            // if it was not applied, the next start removes them as pending.
            Err(e) => Err(e.into()),
        }
    }

    async fn abandon(self) {
        // Nothing written, nothing to remove: even an empty batch would grow sled's log.
        if self.pending.is_empty() {
            return;
        }
        let store = &self.app.store;
        // Best effort: a failure here leaves pending bodies that the next start removes.
        let _ = tokio::task::block_in_place(|| store.discard_pending(&self.pending));
    }
}

/// The last path component, without control characters, at most 200 characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The next piece of a field, or `Stalled` if the client sends nothing for `idle`.
async fn next_chunk(field: &mut Field<'_>, idle: Duration) -> Result<Option<Bytes>, IntakeError> {
    match tokio::time::timeout(idle, field.chunk()).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(IntakeError::Stalled),
    }
}

/// The next field of a form, or `Stalled` if the client sends nothing for
/// `idle`; `TooManyParts` past [`MAX_PARTS`], counted in `parts`.
async fn next_field<'a>(
    form: &'a mut Multipart,
    idle: Duration,
    parts: &mut usize,
) -> Result<Option<Field<'a>>, IntakeError> {
    let field = match tokio::time::timeout(idle, form.next_field()).await {
        Ok(r) => r?,
        Err(_) => return Err(IntakeError::Stalled),
    };
    if field.is_some() {
        *parts += 1;
        if *parts > MAX_PARTS {
            return Err(IntakeError::TooManyParts);
        }
    }
    Ok(field)
}

/// What the handler knows of a submission's body before reading it.
#[derive(Debug, Default)]
pub struct BodyInfo {
    /// Its declared length (`Content-Length`).
    pub declared: Option<u64>,
    /// Its pace so far (see [`super::limits::Pace`]).
    pub meter: Option<std::sync::Arc<super::limits::BodyMeter>>,
}

impl BodyInfo {
    /// The handler has read the whole form: from now on the body cannot be
    /// cut off for its pace. False if it was cut off first.
    fn form_read(&self) -> bool {
        self.meter.as_ref().is_none_or(|m| m.finished())
    }
}

/// Refuses a request whose declared length (or the files it could need) does
/// not fit above the disk reserves, before a byte of its body is read.
pub fn check_room(app: &App, declared: Option<u64>) -> Result<(), IntakeError> {
    let bytes = declared.unwrap_or(0);
    // Ciphertext is a little larger than what was sent (age's tags, padding).
    let stored = bytes.saturating_add(bytes / 16);
    let files = bytes / CHUNK_BYTES as u64 + MAX_ATTACHMENTS as u64 + 1;
    app.disk
        .check_request(stored, files)
        .map_err(|_| IntakeError::DiskFull)
}

/// Refuses a request whose declared length would take the office past its
/// quota (`quota_bytes`), before a byte of its body is read. What a
/// submission stores is counted once committed, so a request that declares
/// much and sends nothing holds none of the quota.
pub fn check_quota(app: &App, declared: Option<u64>) -> Result<(), IntakeError> {
    if !app.quota.is_set() {
        return Ok(());
    }
    let bytes = declared.unwrap_or(0);
    if bytes <= super::quota::FREE_BYTES {
        return Ok(());
    }
    let stored = bytes.saturating_add(bytes / 16);
    tokio::task::block_in_place(|| app.quota.check(app.store.as_ref(), stored))
        .map_err(|_| IntakeError::OverQuota)
}

async fn read_text(field: &mut Field<'_>, limit: usize, idle: Duration) -> Result<SecretText, IntakeError> {
    let mut buf = crate::core::secret::SecretBytes::default();
    while let Some(bytes) = next_chunk(field, idle).await? {
        if buf.len() + bytes.len() > limit {
            return Err(IntakeError::FieldTooLong);
        }
        buf.expose_mut().extend_from_slice(&bytes);
    }
    let text = std::str::from_utf8(buf.expose()).map_err(|_| IntakeError::NotUtf8)?;
    // Browsers send CRLF in textareas; keep one line ending.
    Ok(SecretText::new(text.replace("\r\n", "\n")))
}

fn optional(t: SecretText) -> Option<SecretText> {
    if t.is_empty() { None } else { Some(t) }
}

/// Receives a new report; returns its receipt once the report is durable.
pub async fn receive_report(app: &App, mut form: Multipart, body: &BodyInfo) -> Result<Receipt, IntakeError> {
    let _slot = app.limits.submission(body.meter.as_ref()).await?;
    let declared = body.declared;
    check_room(app, declared)?;
    let case = CaseId::from_random(random()?);
    let mut g = Gathered::new(app, case, &app.keys, declared.is_some());
    let result = read_report_form(app, &mut form, &mut g).await;
    let echo = match result {
        Ok(echo) if body.form_read() => echo,
        Ok(_) => {
            // Cut off for its pace just as the form ended: the slot went to
            // another submission, and so nothing of this one is kept.
            g.abandon().await;
            return Err(IntakeError::Stalled);
        }
        Err(e) => {
            g.abandon().await;
            return Err(e);
        }
    };
    let mut problems = Vec::new();
    let channel = echo.channel.as_deref().and_then(|id| app.channels.get(id));
    if !app.channels.is_empty() && channel.is_none() {
        problems.push(FieldProblem::ChannelMissing);
    }
    let kind = match echo.kind {
        Some(k) => Some(k),
        None => {
            problems.push(FieldProblem::KindMissing);
            None
        }
    };
    if let Some(kind) = kind
        && echo
            .categories
            .iter()
            .any(|c| !offered(app, channel, kind).contains(c))
    {
        problems.push(FieldProblem::UnknownCategory);
    }
    if echo.description.is_empty() {
        problems.push(FieldProblem::DescriptionEmpty);
    }
    let Some(kind) = kind.filter(|_| problems.is_empty()) else {
        let mut form = Box::new(echo);
        form.had_files = !g.attachments.is_empty();
        g.abandon().await;
        return Err(IntakeError::Invalid { form, problems });
    };

    let receipt = Receipt::from_entropy(random::<ENTROPY_BYTES>()?);
    let recipient = receipt.reporter_recipient().map_err(|_| IntakeError::Encrypt)?;
    let mut echo = echo;
    let body = Payload::Report(ReportBody {
        kind,
        categories: std::mem::take(&mut echo.categories),
        description: std::mem::take(&mut echo.description),
        when: optional(std::mem::take(&mut echo.when)),
        where_: optional(std::mem::take(&mut echo.where_)),
        people: optional(std::mem::take(&mut echo.people)),
        contact: optional(std::mem::take(&mut echo.contact)),
        attachments: std::mem::take(&mut g.attachments),
        day: crate::clock::today(),
        recipient: Some(recipient.clone()),
        message_key: Some(receipt.message_key().to_hex()),
        channel: channel.map(Channel::sealed),
    });
    let extras = CommitExtras {
        new_case: Some((receipt.lookup_id(), case)),
        ..Default::default()
    };
    let channel = channel.map(|c| c.config.id.clone());
    g.finish(EntryKind::Report, body, Some(recipient), None, channel, extras)
        .await?;
    Ok(receipt)
}

async fn read_report_form<'a>(
    app: &'a App,
    form: &mut Multipart,
    g: &mut Gathered<'a>,
) -> Result<FormEcho, IntakeError> {
    let mut echo = FormEcho::default();
    let mut bad_kind = false;
    let mut parts = 0;
    while let Some(mut field) = next_field(form, app.idle(), &mut parts).await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            // With channels, the form asks for the channel before any file:
            // a file is sealed as it streams in, to the chosen channel only.
            "attachment" if !app.channels.is_empty() && echo.channel.is_none() => {
                return Err(IntakeError::Invalid {
                    form: Box::new(echo),
                    problems: vec![FieldProblem::ChannelMissing],
                });
            }
            "attachment" => g.attachment(field).await?,
            "channel" if !app.channels.is_empty() => {
                let v = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?;
                let Some(chosen) = app.channels.get(v.expose()) else {
                    return Err(IntakeError::Invalid {
                        form: Box::new(echo),
                        problems: vec![FieldProblem::UnknownChannel],
                    });
                };
                // Files already sealed to one channel cannot go to another.
                if echo.channel.as_ref().is_some_and(|c| *c != chosen.config.id) {
                    return Err(IntakeError::Invalid {
                        form: Box::new(echo),
                        problems: vec![FieldProblem::UnknownChannel],
                    });
                }
                echo.channel = Some(chosen.config.id.clone());
                g.keys = &chosen.keys;
            }
            "kind" => {
                let v = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?;
                match v.expose().parse::<Kind>() {
                    Ok(k) => echo.kind = Some(k),
                    Err(_) => bad_kind = true,
                }
            }
            "category" => {
                let v = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?;
                if echo.categories.len() >= MAX_CATEGORIES {
                    return Err(IntakeError::FieldTooLong);
                }
                if !echo.categories.iter().any(|c| c == v.expose()) {
                    echo.categories.push(v.expose().to_owned());
                }
            }
            "description" => {
                echo.description = read_text(&mut field, app.config.max_text_bytes, app.idle()).await?
            }
            "when" => echo.when = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?,
            "where" => echo.where_ = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?,
            "people" => echo.people = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?,
            "contact" => echo.contact = read_text(&mut field, SHORT_FIELD_BYTES, app.idle()).await?,
            // Anything else a browser would not send from our form is skipped unread.
            _ => {}
        }
    }
    if bad_kind {
        return Err(IntakeError::Invalid {
            form: Box::new(echo),
            problems: vec![FieldProblem::UnknownKind],
        });
    }
    // The form offers misconduct categories and advice topics side by side;
    // keep only those that belong to the chosen kind, but refuse names that
    // the office does not offer at all.
    if let Some(kind) = echo.kind {
        let channel = echo.channel.as_deref().and_then(|id| app.channels.get(id));
        let known = |c: &String| {
            offered(app, channel, Kind::Misconduct).contains(c)
                || offered(app, channel, Kind::Advice).contains(c)
        };
        if echo.categories.iter().all(known) {
            echo.categories
                .retain(|c| offered(app, channel, kind).contains(c));
        }
    }
    Ok(echo)
}

/// Why a follow-up message was not taken.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Session(#[from] super::followup::FollowupError),
}

impl From<axum::extract::multipart::MultipartError> for MessageError {
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        MessageError::Intake(e.into())
    }
}

/// The keys a case's messages are sealed to: its channel's (read from its
/// report's entry header), or the office's.
fn case_keys(app: &App, case: CaseId) -> Result<&ServerKeys, IntakeError> {
    let store = &app.store;
    let channel =
        tokio::task::block_in_place(|| super::channels::of_case(store.as_ref(), &app.channels, case))?;
    // Not logged at the default level: a line per refused message would date
    // a reporter's visit. docs/channels.md says what removing a channel does.
    app.channels
        .keys_for(&app.keys, channel.as_deref())
        .ok_or_else(|| {
            tracing::debug!(
                "a follow-up message for a case of a channel the configuration no longer names was refused"
            );
            IntakeError::Encrypt
        })
}

/// Receives a follow-up message. The session comes from the hidden form
/// field (first in the form) or the cookie; files are streamed like a
/// report's. Returns the session token the message was sent under.
pub async fn receive_message(
    app: &App,
    mut form: Multipart,
    cookie: Option<String>,
    body: &BodyInfo,
) -> Result<String, MessageError> {
    let _slot = app.limits.submission(body.meter.as_ref()).await?;
    let declared = body.declared;
    check_room(app, declared)?;
    let mut token = cookie;
    let mut text = SecretText::default();
    let mut gathered: Option<Gathered<'_>> = None;
    let mut parts = 0;
    let result: Result<(), MessageError> = async {
        while let Some(mut field) = next_field(&mut form, app.idle(), &mut parts).await? {
            match field.name().unwrap_or_default() {
                "session" => {
                    token = Some(
                        read_text(&mut field, SHORT_FIELD_BYTES, app.idle())
                            .await?
                            .expose()
                            .to_owned(),
                    )
                }
                "message" => text = read_text(&mut field, app.config.max_text_bytes, app.idle()).await?,
                "attachment" => {
                    if gathered.is_none() {
                        let t = token
                            .as_deref()
                            .ok_or(super::followup::FollowupError::NoSession)?;
                        let case = super::followup::session_case(app, t)?;
                        gathered = Some(Gathered::new(
                            app,
                            case,
                            case_keys(app, case)?,
                            declared.is_some(),
                        ));
                    }
                    if let Some(g) = gathered.as_mut() {
                        g.attachment(field).await?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let result = result.and_then(|()| {
        if body.form_read() {
            Ok(())
        } else {
            Err(IntakeError::Stalled.into())
        }
    });
    if let Err(e) = result {
        if let Some(g) = gathered {
            g.abandon().await;
        }
        return Err(e);
    }
    let token = token.ok_or(super::followup::FollowupError::NoSession)?;
    let (case, message_key) = match super::followup::session_message_key(app, &token) {
        Ok(found) => found,
        Err(e) => {
            if let Some(g) = gathered {
                g.abandon().await;
            }
            return Err(e.into());
        }
    };
    let mut g = match gathered {
        Some(g) if g.case == case => g,
        Some(g) => {
            g.abandon().await;
            return Err(super::followup::FollowupError::NoSession.into());
        }
        None => Gathered::new(app, case, case_keys(app, case)?, declared.is_some()),
    };
    if text.is_empty() && g.attachments.is_empty() {
        g.abandon().await;
        return Err(IntakeError::Invalid {
            form: Box::default(),
            problems: vec![FieldProblem::MessageEmpty],
        }
        .into());
    }
    let body = Payload::Message(MessageBody {
        text,
        attachments: std::mem::take(&mut g.attachments),
        day: crate::clock::today(),
    });
    g.finish(
        EntryKind::Message,
        body,
        None,
        Some(message_key),
        None,
        CommitExtras::default(),
    )
    .await?;
    Ok(token)
}

//! `open`: verifies an export bundle and commits it to the vault whole, or
//! not at all.
//!
//! An open takes two passes, so that it is linear in the bundle whatever
//! the order of its entries:
//!
//! 1. The bundle is read as a stream and verified (chain, signature, end
//!    record, nothing after it); each entry (header and ciphertext body) is
//!    copied into a spill file in the change's staging folder, and only its
//!    offset is kept in memory, grouped by case (and chunks by attachment).
//!    Limits that need no decryption (bytes per message, messages per case)
//!    are checked here.
//! 2. Case by case, each case is read from the vault once, its entries are
//!    applied in log order ([`Import::entry`]), its attachments are assembled
//!    from their chunks and checked (decrypted to nowhere: key, MAC and
//!    padding), and it is written into the change once. Chunks no envelope
//!    claimed wait in the vault for a later export, within the limits.
//!
//! Memory holds one case, the offsets and the index, never the bundle or the
//! vault; nothing is on disk in the clear. Any failure drops the change, and
//! the vault is as it was (see [`super::vault`]).
//!
//! Each entry is attributed before it is applied, by the rules of
//! [`super::verify`]: office operations by an officer's signature, messages
//! by the reporter's MAC, every envelope by the case and kind sealed in it.
//! The entry versions are checked in pass 1, in log order; a case's
//! operations are checked in pass 2, in their log order within the case.
//!
//! In an office with channels (an entry of the log names one) an export
//! holds every channel's entries, so that every desk verifies the whole
//! chain. A report none of this desk's keys opens (unless its header names a
//! channel this vault holds cases of: then it is refused, "could not
//! decrypt", as before channels), or a case recorded at a
//! desk whose officer this desk does not trust, is another channel's: it is
//! remembered in the index ([`super::vault::Index::other_channel_cases`]),
//! and it and every later entry of its case (chunks, messages, operations)
//! are counted ([`OpenSummary::other_channels`]) and skipped, never applied
//! nor kept. A report this desk opens must seal the channel its header names.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use super::vault::{
    CaseRecord, Change, StatusChange, StoredAttachment, ThreadItem, Vault, VaultError, WaitingPart,
};
use super::verify::{self, MessageVerdict};
use super::{DeskError, fsx};
use crate::core::bundle::{BundleError, ExportItem, ExportReader};
use crate::core::case::{CaseId, Status};
use crate::core::envelope::{self, AttachmentMeta, EnvelopeError, Opened, Payload};
use crate::core::log::{Entry, EntryKind, Head, OfficeSig};

/// What the desk accepts from one export; what exceeds a limit is refused,
/// naming the case, and the vault is left unchanged.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes one case may hold (its record: fields, thread, history; not its attachments).
    pub case_bytes: u64,
    /// Bytes of one report's or message's envelope (padded ciphertext).
    pub message_bytes: u64,
    /// Messages one case may receive in one export.
    pub messages_per_case: u32,
    /// Attachments whose chunks may wait for their envelope.
    pub waiting_parts: usize,
    /// Bytes all waiting attachment parts may hold together.
    pub waiting_bytes: u64,
    /// Exports a part may wait through before it is dropped.
    pub waiting_exports: u32,
}

impl Default for Limits {
    /// Room for years of an ordinary case (a report and its follow-ups are
    /// text: a long one is tens of KiB), far below what makes a vault
    /// unusable on a desk with a few GiB of memory.
    fn default() -> Limits {
        Limits {
            case_bytes: 32 << 20,
            message_bytes: 2 << 20,
            messages_per_case: 200,
            waiting_parts: 500,
            waiting_bytes: 2 << 30,
            waiting_exports: 3,
        }
    }
}

/// What an `open` did.
#[derive(Debug, Default)]
pub struct OpenSummary {
    pub new_cases: Vec<CaseId>,
    pub new_messages: usize,
    pub attachments: usize,
    pub delivered_ops: usize,
    pub purged: Vec<CaseId>,
    /// Purges signed at another desk: reported, not applied.
    pub unexpected_purges: Vec<CaseId>,
    pub head: Option<Head>,
    pub pinned_now: bool,
    pub entries: usize,
    /// Things that did not stop the import but the officer should know.
    pub warnings: Vec<String>,
    /// Entries addressed to another channel of the office, by channel id
    /// (`None`: the office's default channel), skipped: they are sealed to
    /// keys this desk does not hold. The chain was verified whole.
    pub other_channels: BTreeMap<Option<String>, usize>,
}

impl OpenSummary {
    /// "3 entries addressed to channel `audit` (1 case)", one line per channel.
    pub fn other_channel_lines(&self) -> Vec<String> {
        self.other_channels
            .iter()
            .map(|(channel, n)| {
                let whom = match channel {
                    Some(id) => format!("channel `{id}`"),
                    None => "the office's default channel".to_owned(),
                };
                format!(
                    "{n} entr{} addressed to {whom} skipped: sealed to that channel's keys, not this desk's",
                    if *n == 1 { "y" } else { "ies" }
                )
            })
            .collect()
    }
}

/// An attachment an envelope listed, to assemble when its case is written.
struct Wanted {
    case: CaseId,
    id: String,
    size: u64,
    /// The entry whose envelope listed it, and the SHA-256 it sealed.
    listed_by: u64,
    sha256: Option<String>,
}

/// The bundle's entries, copied to a file in the staging folder; see
/// [`spill_entry`] for the record.
struct Spill {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: Option<BufReader<File>>,
    len: u64,
}

impl Spill {
    fn create(path: PathBuf) -> Result<Spill, DeskError> {
        let file = fsx::create_private_file(&path).map_err(DeskError::io("write", &path))?;
        Ok(Spill {
            path,
            writer: Some(BufWriter::new(file)),
            reader: None,
            len: 0,
        })
    }

    /// Appends an entry; returns its offset.
    fn push(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<u64, DeskError> {
        let at = self.len;
        let record = spill_entry(entry, body);
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| DeskError::io("write", &self.path)(std::io::ErrorKind::Other.into()))?;
        w.write_all(&record).map_err(DeskError::io("write", &self.path))?;
        self.len += record.len() as u64;
        Ok(at)
    }

    /// Reads the entry at `offset`.
    fn read(&mut self, offset: u64) -> Result<(Entry, Option<Vec<u8>>), DeskError> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(DeskError::io("write", &self.path))?;
            let file = File::open(&self.path).map_err(DeskError::io("read", &self.path))?;
            self.reader = Some(BufReader::new(file));
        }
        let path = self.path.clone();
        let r = self
            .reader
            .as_mut()
            .ok_or_else(|| DeskError::io("read", &path)(std::io::ErrorKind::Other.into()))?;
        r.seek(SeekFrom::Start(offset))
            .map_err(DeskError::io("read", &path))?;
        unspill_entry(r).map_err(DeskError::io("read", &path))
    }
}

/// One spilled entry: `u32` header length, the header as the log encodes it
/// ([`Entry::encode`]), `u8` 1 if a body follows, `u64` body length, body
/// (integers big-endian).
fn spill_entry(entry: &Entry, body: Option<&[u8]>) -> Vec<u8> {
    let header = entry.encode();
    let mut out = Vec::with_capacity(header.len() + 13 + body.map_or(0, <[u8]>::len));
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    match body {
        Some(b) => {
            out.push(1);
            out.extend_from_slice(&(b.len() as u64).to_be_bytes());
            out.extend_from_slice(b);
        }
        None => out.push(0),
    }
    out
}

fn unspill_entry(r: &mut impl Read) -> std::io::Result<(Entry, Option<Vec<u8>>)> {
    fn bad<E>(_: E) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "the spilled entry is damaged")
    }
    let mut n = [0u8; 4];
    r.read_exact(&mut n)?;
    let mut header = vec![0u8; u32::from_be_bytes(n) as usize];
    r.read_exact(&mut header)?;
    let entry = Entry::decode(&header).map_err(bad)?;
    let mut flag = [0u8; 1];
    r.read_exact(&mut flag)?;
    if flag[0] == 0 {
        return Ok((entry, None));
    }
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let len = usize::try_from(u64::from_be_bytes(len)).map_err(bad)?;
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok((entry, Some(body)))
}

struct Import<'a, 'v> {
    change: Change<'v>,
    identities: &'a [&'a dyn age::Identity],
    progress: &'a mut dyn FnMut(u64),
    limits: Limits,
    spill: Spill,
    /// Cases in the order the bundle first names them, and their entries' offsets.
    order: Vec<CaseId>,
    by_case: BTreeMap<CaseId, Vec<u64>>,
    /// Messages per case in this bundle.
    messages: BTreeMap<CaseId, u32>,
    /// Envelope bytes per case in this bundle: a case cannot take in more
    /// than its limit in one open, checked before anything is decrypted.
    case_bytes: BTreeMap<CaseId, u64>,
    /// Chunk offsets by attachment id (hex).
    chunks: BTreeMap<String, Vec<u64>>,
    /// The case the entries being applied are about, and whether it changed.
    current: Option<CaseRecord>,
    dirty: bool,
    /// Attachments the current case's envelopes listed.
    wanted: Vec<Wanted>,
    claimed: BTreeSet<String>,
    summary: OpenSummary,
    /// The office's signing keys.
    trusted: &'a [VerifyingKey],
    /// A version 2 entry was accepted (in this bundle or before).
    v2_seen: bool,
    /// Cases a message was skipped for, not being in the vault: their
    /// report must not come after.
    skipped_messages: BTreeSet<CaseId>,
    /// Signed operations of other desks whose content the server purged:
    /// they count as applied for the order of the case's next operations.
    bodiless_ops: BTreeSet<String>,
    /// An entry of this bundle named a channel: the office has channels,
    /// and a report this desk cannot open may be another channel's.
    channels_seen: bool,
    /// The channels this vault holds cases of: a report addressed to one of
    /// them that this desk cannot open is not another channel's, it is a
    /// key missing here or a forgery, and is refused as before channels.
    own_channels: BTreeSet<String>,
}

/// Opens the export bundle read from `bundle` into `vault`, with the vault's
/// office keys and the default [`Limits`]; office operations must be
/// signed by one of `trusted`. `progress` is told how many entries were
/// read so far.
pub fn open_bundle<R: Read>(
    vault: &Vault,
    bundle: R,
    trusted: &[VerifyingKey],
    progress: &mut dyn FnMut(u64),
) -> Result<OpenSummary, DeskError> {
    open_bundle_with(vault, bundle, trusted, Limits::default(), progress)
}

/// [`open_bundle`] with the office's own limits.
pub fn open_bundle_with<R: Read>(
    vault: &Vault,
    bundle: R,
    trusted: &[VerifyingKey],
    limits: Limits,
    progress: &mut dyn FnMut(u64),
) -> Result<OpenSummary, DeskError> {
    let mut change = vault.begin()?;
    change.limit_case_bytes(limits.case_bytes);
    let unreadable = |reason: String| {
        DeskError::Vault(VaultError::Unreadable {
            path: vault.root().to_path_buf(),
            reason,
        })
    };
    let seen = change.index.head().map_err(unreadable)?;
    let pinned = change.index.pinned_key().map_err(unreadable)?;
    let ids: Vec<&dyn age::Identity> = vault.keys().identity_refs();
    let spill = Spill::create(change.staging().join("spill"))?;

    let mut reader = ExportReader::open(BufReader::new(bundle), seen, pinned.as_ref())?;
    let v2_seen = change.index.entries_v2;
    let mut import = Import {
        trusted,
        v2_seen,
        skipped_messages: BTreeSet::new(),
        bodiless_ops: BTreeSet::new(),
        channels_seen: false,
        own_channels: change
            .index
            .summaries()
            .filter_map(|c| c.addressed_to.as_ref().map(|a| a.id.clone()))
            .collect(),
        change,
        identities: &ids,
        progress,
        limits,
        spill,
        order: Vec::new(),
        by_case: BTreeMap::new(),
        messages: BTreeMap::new(),
        case_bytes: BTreeMap::new(),
        chunks: BTreeMap::new(),
        current: None,
        dirty: false,
        wanted: Vec::new(),
        claimed: BTreeSet::new(),
        summary: OpenSummary::default(),
    };
    let head = loop {
        match reader.next_item()? {
            Some(ExportItem::Entry { entry, body }) => import.collect(&entry, body.as_deref())?,
            Some(ExportItem::End(head)) => break head,
            None => return Err(BundleError::Truncated.into()),
        }
    };
    // The end record must be the last thing in the file.
    if reader.next_item()?.is_some() {
        return Err(BundleError::TrailingData.into());
    }
    import.apply()?;
    import.summary.pinned_now = import.change.index.pin(&reader.start().server_key);
    import.change.index.set_head(head);
    import.change.index.entries_v2 = import.v2_seen;
    import.summary.head = Some(head);
    import.commit()
    // A change dropped before its commit removes its staging folder.
}

fn hex_id(id: &[u8; 16]) -> String {
    hex::encode(id)
}

fn stored(meta: &AttachmentMeta) -> StoredAttachment {
    StoredAttachment {
        id: meta.id.to_ascii_lowercase(),
        name: meta.name.clone(),
        content_type: meta.content_type.clone(),
        size: meta.size,
        stored: false,
        encrypted: true,
    }
}

fn bad(seq: u64, reason: impl Into<String>) -> DeskError {
    DeskError::BadEntry {
        what: format!("entry {seq}"),
        reason: reason.into(),
    }
}

/// Appends `from` to `out`.
fn append_file(from: &Path, out: &mut impl Write) -> Result<(), DeskError> {
    let mut input = File::open(from).map_err(DeskError::io("read", from))?;
    std::io::copy(&mut input, out).map_err(DeskError::io("copy", from))?;
    Ok(())
}

impl Import<'_, '_> {
    /// Pass 1: keeps an entry's place, checking the limits that need no decryption.
    fn collect(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        self.summary.entries += 1;
        (self.progress)(self.summary.entries as u64);
        verify::entry_version(entry, &mut self.v2_seen)?;
        self.channels_seen |= entry.channel.is_some();
        let (seq, case) = (entry.seq, entry.case);
        if matches!(entry.kind, EntryKind::Report | EntryKind::Message) {
            let len = body.map_or(0, <[u8]>::len) as u64;
            if len > self.limits.message_bytes {
                return Err(DeskError::OverLimit(format!(
                    "entry {seq}: a {} of {len} bytes for case {case} is over the limit of {} bytes per message \
                     (--max-message-bytes)",
                    entry.kind.as_str(),
                    self.limits.message_bytes
                )));
            }
        }
        if entry.kind != EntryKind::AttachmentChunk {
            let len = body.map_or(0, <[u8]>::len) as u64;
            let total = self.case_bytes.entry(case).or_insert(0);
            *total = total.saturating_add(len);
            if *total > self.limits.case_bytes {
                return Err(DeskError::OverLimit(format!(
                    "case {case} receives more than {} bytes in this export, over the limit per case \
                     (--max-case-bytes)",
                    self.limits.case_bytes
                )));
            }
        }
        if entry.kind == EntryKind::Message {
            let n = self.messages.entry(case).or_insert(0);
            *n += 1;
            if *n > self.limits.messages_per_case {
                return Err(DeskError::OverLimit(format!(
                    "case {case} receives more than {} messages in this export (--max-messages-per-case)",
                    self.limits.messages_per_case
                )));
            }
        }
        let offset = self.spill.push(entry, body)?;
        if entry.kind == EntryKind::AttachmentChunk {
            let Some(part) = entry.part else {
                return Err(bad(seq, "a chunk without its attachment id"));
            };
            self.chunks
                .entry(hex_id(&part.attachment))
                .or_default()
                .push(offset);
            return Ok(());
        }
        let offsets = self.by_case.entry(case).or_default();
        if offsets.is_empty() {
            self.order.push(case);
        }
        offsets.push(offset);
        Ok(())
    }

    /// Pass 2: each case read once, its entries applied in order, written once.
    fn apply(&mut self) -> Result<(), DeskError> {
        for case in std::mem::take(&mut self.order) {
            for offset in self.by_case.remove(&case).unwrap_or_default() {
                let (entry, body) = self.spill.read(offset)?;
                self.entry(&entry, body)?;
            }
            self.flush()?;
        }
        self.wait_for_envelopes()
    }

    /// Opens an entry's envelope and checks that it was sealed for the case
    /// and kind its header names.
    fn open_envelope(&self, entry: &Entry, body: &[u8]) -> Result<Payload, DeskError> {
        let seq = entry.seq;
        let opened: Opened = envelope::open_bound(body, self.identities).map_err(|e| match e {
            EnvelopeError::Decrypt => DeskError::Decrypt {
                what: format!("entry {seq}"),
            },
            other => bad(seq, other.to_string()),
        })?;
        verify::sealed_matches(entry, &opened)?;
        Ok(opened.payload)
    }

    /// Writes the case in hand into the change, with the attachments its
    /// envelopes listed, if it changed.
    fn flush(&mut self) -> Result<(), DeskError> {
        let wanted = std::mem::take(&mut self.wanted);
        if let Some(mut case) = self.current.take() {
            for w in &wanted {
                if self.claim(w)? {
                    if let Some(a) = case.attachment_mut(&w.id) {
                        a.stored = true;
                    }
                    self.dirty = true;
                }
            }
            if std::mem::take(&mut self.dirty) {
                self.change.put_case(&case)?;
            }
        }
        self.dirty = false;
        Ok(())
    }

    /// Makes `id` the case in hand (writing the previous one); false if the
    /// vault has no such case.
    fn focus(&mut self, id: CaseId) -> Result<bool, DeskError> {
        if self.current.as_ref().is_some_and(|c| c.id == id) {
            return Ok(true);
        }
        self.flush()?;
        self.current = self.change.case(id)?;
        Ok(self.current.is_some())
    }

    /// The case in hand, to change.
    fn case_mut(&mut self) -> Option<&mut CaseRecord> {
        self.dirty = true;
        self.current.as_mut()
    }

    /// Whether the office has channels, as far as this desk has seen.
    fn has_channels(&self) -> bool {
        self.channels_seen || !self.change.index.other_channel_cases.is_empty()
    }

    /// Counts an entry of a case addressed to another channel; false if
    /// the case is not one.
    fn other_channel(&mut self, entry: &Entry) -> bool {
        let Some(channel) = self.change.index.other_channel_cases.get(&entry.case) else {
            return false;
        };
        *self.summary.other_channels.entry(channel.clone()).or_insert(0) += 1;
        true
    }

    /// Marks the case of `entry` (a report) as another channel's.
    fn mark_other_channel(&mut self, entry: &Entry) {
        self.change
            .index
            .other_channel_cases
            .insert(entry.case, entry.channel.clone());
        self.other_channel(entry);
    }

    fn entry(&mut self, entry: &Entry, body: Option<Vec<u8>>) -> Result<(), DeskError> {
        // Another channel's case: its messages, replies, statuses and purges
        // are sealed and signed for that channel's desk, not this one.
        if entry.kind != EntryKind::AttachmentChunk && self.other_channel(entry) {
            return Ok(());
        }
        match entry.kind {
            // Kept by attachment id in pass 1.
            EntryKind::AttachmentChunk => Ok(()),
            // A case recorded at a desk and filed through an outbox.
            EntryKind::Report if entry.op.is_some() => self.recorded_case(entry, body.as_deref()),
            // Purged on the server before this desk saw it, in an office with
            // channels: this desk cannot tell whose it was; its later
            // operations are another desk's.
            EntryKind::Report if body.is_none() && self.has_channels() && !self.focus(entry.case)? => {
                self.mark_other_channel(entry);
                Ok(())
            }
            // Purged on the server: the header keeps the chain, the content is gone.
            EntryKind::Report | EntryKind::Message if body.is_none() => Ok(()),
            EntryKind::Report => self.report(entry, body.as_deref().unwrap_or_default(), None),
            EntryKind::Message => self.message(entry, body.as_deref().unwrap_or_default()),
            EntryKind::Reply | EntryKind::Status => self.office_op(entry, body.as_deref()),
            EntryKind::Purge => self.purge(entry),
        }
    }

    /// A report filed by a reporter (`sig` None) or recorded at another desk.
    fn report(&mut self, entry: &Entry, body: &[u8], sig: Option<&OfficeSig>) -> Result<(), DeskError> {
        let seq = entry.seq;
        let payload = match self.open_envelope(entry, body) {
            // In an office with channels, a report none of this desk's keys
            // opens is addressed to another channel: counted, not applied.
            // (The server could do no more by this than by never filing it.)
            Err(DeskError::Decrypt { .. })
                if sig.is_none()
                    && self.has_channels()
                    && !entry
                        .channel
                        .as_ref()
                        .is_some_and(|c| self.own_channels.contains(c)) =>
            {
                self.mark_other_channel(entry);
                return Ok(());
            }
            other => other?,
        };
        let Payload::Report(r) = payload else {
            return Err(bad(
                seq,
                format!("a report entry holds a {}", payload.type_name()),
            ));
        };
        if let Some(c) = &r.channel {
            self.own_channels.insert(c.id.clone());
        }
        if let Some(sig) = sig
            && r.day != sig.day
        {
            return Err(verify::refused(
                seq,
                "the recorded case's sealed day is not the day its officer signed",
            ));
        }
        if self.focus(entry.case)? {
            // Every case has one report; the server never files a second.
            return Err(verify::refused(
                seq,
                format!("a second report for case {}, which this vault holds", entry.case),
            ));
        }
        if self.skipped_messages.contains(&entry.case) {
            return Err(verify::refused(
                seq,
                format!(
                    "the report of case {} came after a message of that case: the entries were reordered",
                    entry.case
                ),
            ));
        }
        let (recipient, message_key) = verify::report_keys(entry, &r)?;
        if message_key.is_none() {
            self.summary.warnings.push(format!(
                "entry {seq}: case {} was filed before messages were authenticated: its reply recipient comes from the server's header, and later messages from its reporter cannot be verified",
                entry.case
            ));
        }
        for meta in &r.attachments {
            self.want(entry, meta);
        }
        // The day sealed in the report, not the header's, which the server
        // could change after the fact.
        let record = CaseRecord {
            id: entry.case,
            received: r.day,
            recipient,
            kind: r.kind,
            categories: r.categories.clone(),
            description: r.description.duplicate(),
            when: r.when.as_ref().map(|t| t.duplicate()),
            where_: r.where_.as_ref().map(|t| t.duplicate()),
            people: r.people.as_ref().map(|t| t.duplicate()),
            contact: r.contact.as_ref().map(|t| t.duplicate()),
            attachments: r.attachments.iter().map(stored).collect(),
            thread: vec![ThreadItem::Report { seq, day: r.day }],
            status_history: vec![StatusChange {
                status: Status::Received,
                day: r.day,
            }],
            channel: Some(if sig.is_some() { "recorded" } else { "online" }.to_owned()),
            addressed_to: r.channel.as_deref().cloned(),
            upload: None,
            message_key,
            office: Default::default(),
        };
        self.current = Some(record);
        self.dirty = true;
        self.summary.new_cases.push(entry.case);
        Ok(())
    }

    /// A case recorded at a desk with a receipt: this desk's own, now filed
    /// on the server, or another desk's (signed).
    fn recorded_case(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        let sig = match verify::office_signature(entry, self.trusted) {
            // Recorded at the desk of another channel, signed by its officer.
            Err(_) if entry.channel.is_some() && !self.focus(entry.case)? => {
                self.mark_other_channel(entry);
                return Ok(());
            }
            other => other?,
        };
        let op = entry.op.map(|o| hex_id(&o)).unwrap_or_default();
        if self.focus(entry.case)? {
            let mut delivered = false;
            let mut replayed = true;
            if let Some(case) = self.current.as_mut()
                && let Some(upload) = case.upload.as_mut().filter(|u| u.op == op)
            {
                replayed = upload.delivered;
                if !upload.delivered {
                    upload.delivered = true;
                    if case.recipient.is_empty() {
                        case.recipient = entry.recipient.clone().unwrap_or_default();
                    }
                    delivered = true;
                }
            }
            if replayed {
                return Err(verify::replayed_op(entry));
            }
            if delivered {
                self.dirty = true;
                self.summary.delivered_ops += 1;
            }
            return Ok(());
        }
        // A case this desk recorded and then purged, before its purge has
        // reached the server: it stays purged.
        if self.change.index.pending_purges.contains_key(&entry.case) {
            return Ok(());
        }
        match (sig, body) {
            (Some(sig), Some(body)) => self.report(entry, body, Some(sig)),
            (Some(_), None) => Ok(()),
            (None, _) => Err(verify::refused(
                entry.seq,
                format!(
                    "an unsigned recorded case {} (the previous release's format) that this desk did not record",
                    entry.case
                ),
            )),
        }
    }

    fn message(&mut self, entry: &Entry, body: &[u8]) -> Result<(), DeskError> {
        let seq = entry.seq;
        if !self.focus(entry.case)? {
            self.skipped_messages.insert(entry.case);
            self.summary.warnings.push(format!(
                "entry {seq}: a message for case {}, which is not in this vault, was skipped",
                entry.case
            ));
            return Ok(());
        }
        let verdict = match self.current.as_ref() {
            Some(case) => verify::message(entry, case)?,
            None => return Ok(()),
        };
        let digest = match verdict {
            MessageVerdict::Authentic { digest } => Some(digest),
            MessageVerdict::Legacy => None,
            MessageVerdict::Unverifiable => {
                self.summary.warnings.push(format!(
                    "entry {seq}: a message for case {}, filed before messages were authenticated, cannot be verified and was not applied",
                    entry.case
                ));
                return Ok(());
            }
        };
        let payload = self.open_envelope(entry, body)?;
        let Payload::Message(m) = payload else {
            return Err(bad(
                seq,
                format!("a message entry holds a {}", payload.type_name()),
            ));
        };
        for meta in &m.attachments {
            self.want(entry, meta);
        }
        if let Some(case) = self.case_mut() {
            case.thread.push(ThreadItem::Message {
                seq,
                day: m.day,
                text: m.text.duplicate(),
                attachments: m.attachments.iter().map(stored).collect(),
                digest,
            });
        }
        self.summary.new_messages += 1;
        Ok(())
    }

    /// A purge is honoured only as this desk's own, seen back; one signed
    /// elsewhere is reported, never applied.
    fn purge(&mut self, entry: &Entry) -> Result<(), DeskError> {
        let sig = verify::office_signature(entry, self.trusted)?;
        let op = entry.op.map(|o| hex_id(&o)).unwrap_or_default();
        let mine = self
            .change
            .index
            .pending_purges
            .get(&entry.case)
            .is_some_and(|pending| *pending == op);
        if mine {
            self.change.index.pending_purges.remove(&entry.case);
            self.change.index.purged_uploads.remove(&entry.case);
            self.summary.delivered_ops += 1;
            return Ok(());
        }
        let Some(sig) = sig else {
            return Err(verify::refused(
                entry.seq,
                format!(
                    "an unsigned purge of case {} (the previous release's format) that this desk did not make",
                    entry.case
                ),
            ));
        };
        if self.focus(entry.case)? {
            self.summary.warnings.push(format!(
                "entry {}: a purge of case {} signed by officer key {} at another desk; this desk kept the case (to remove it here: candor-desk purge {})",
                entry.seq,
                entry.case,
                hex::encode(sig.signer),
                entry.case
            ));
            self.summary.unexpected_purges.push(entry.case);
        }
        Ok(())
    }

    fn want(&mut self, entry: &Entry, meta: &AttachmentMeta) {
        self.wanted.push(Wanted {
            case: entry.case,
            id: meta.id.to_ascii_lowercase(),
            size: meta.size,
            listed_by: entry.seq,
            sha256: meta.sha256.as_ref().map(|h| h.to_ascii_lowercase()),
        });
    }

    /// A reply or status change: this desk's own, now on the server, or
    /// another desk's (signed), added to the thread.
    fn office_op(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        let sig = verify::office_signature(entry, self.trusted)?;
        let Some(op) = entry.op else {
            return Err(bad(entry.seq, "an office operation without its id"));
        };
        let op = hex_id(&op);
        if !self.focus(entry.case)? {
            return Ok(());
        }
        let Some(case) = self.current.as_ref() else {
            return Ok(());
        };
        if let Some(sig) = sig {
            verify::op_order(entry, sig, case, &self.bodiless_ops)?;
        }
        let mine = case
            .thread
            .iter()
            .find(|t| t.op() == Some(op.as_str()))
            .map(ThreadItem::delivered);
        if let Some(delivered) = mine {
            if delivered != Some(false) {
                return Err(verify::replayed_op(entry));
            }
            if let Some(item) = self
                .case_mut()
                .and_then(|c| c.thread.iter_mut().find(|t| t.op() == Some(op.as_str())))
            {
                item.mark_delivered();
            }
            self.summary.delivered_ops += 1;
            return Ok(());
        }
        let Some(sig) = sig else {
            return Err(verify::refused(
                entry.seq,
                format!(
                    "an unsigned {} for case {} (the previous release's format) that this desk did not make",
                    entry.kind.as_str(),
                    entry.case
                ),
            ));
        };
        // Another desk of the office: it was sealed to the office too.
        let Some(body) = body else {
            self.bodiless_ops.insert(op);
            return Ok(());
        };
        let seq = entry.seq;
        let payload = self.open_envelope(entry, body)?;
        let day = match &payload {
            Payload::Reply(r) => r.day,
            Payload::Status(s) => s.day,
            _ => sig.day,
        };
        if day != sig.day {
            return Err(verify::refused(
                seq,
                format!(
                    "its sealed day {day} is not the day {} its officer signed",
                    sig.day
                ),
            ));
        }
        let Some(case) = self.case_mut() else {
            return Ok(());
        };
        match (entry.kind, payload) {
            (EntryKind::Reply, Payload::Reply(r)) => case.thread.push(ThreadItem::Reply {
                op,
                day: r.day,
                text: r.text.duplicate(),
                delivered: true,
            }),
            (EntryKind::Status, Payload::Status(s)) => {
                case.thread.push(ThreadItem::Status {
                    op,
                    day: s.day,
                    status: s.status,
                    delivered: true,
                });
                case.status_history.push(StatusChange {
                    status: s.status,
                    day: s.day,
                });
            }
            (kind, p) => {
                return Err(bad(
                    seq,
                    format!("a {} entry holds a {}", kind.as_str(), p.type_name()),
                ));
            }
        }
        self.summary.delivered_ops += 1;
        Ok(())
    }

    /// Appends an attachment's chunks from this export to `out`, from chunk
    /// `next` on; returns the next chunk index and whether they were whole.
    fn append_chunks(
        &mut self,
        id: &str,
        offsets: &[u64],
        mut next: u32,
        out: &mut impl Write,
        path: &Path,
    ) -> Result<(u32, bool), DeskError> {
        for offset in offsets {
            let (entry, body) = self.spill.read(*offset)?;
            let index = entry.part.map_or(u32::MAX, |p| p.index);
            match body {
                None => return Ok((next, false)),
                Some(_) if index != next => {
                    self.summary.warnings.push(format!(
                        "entry {}: chunk {index} of attachment {id} came where chunk {next} was expected; the attachment is incomplete",
                        entry.seq
                    ));
                    return Ok((next, false));
                }
                Some(bytes) => {
                    out.write_all(&bytes).map_err(DeskError::io("write", path))?;
                    next += 1;
                }
            }
        }
        Ok((next, true))
    }

    /// Assembles an attachment the current case listed from what waited in
    /// the vault and this export's chunks, checks it and stages it; false
    /// (with a warning) if it is missing or incomplete.
    fn claim(&mut self, w: &Wanted) -> Result<bool, DeskError> {
        let offsets = if self.claimed.contains(&w.id) {
            None
        } else {
            self.chunks.remove(&w.id)
        };
        let kept = self
            .change
            .index
            .parts
            .get(&w.id)
            .copied()
            .filter(|_| !self.claimed.contains(&w.id));
        if offsets.is_none() && kept.is_none() {
            self.summary.warnings.push(format!(
                "case {}: attachment {} is missing or incomplete in this export",
                w.case, w.id
            ));
            return Ok(false);
        }
        let dest = self.change.attachment_path(w.case, &w.id);
        let mut out = BufWriter::new(fsx::create_private_file(&dest).map_err(DeskError::io("write", &dest))?);
        let mut next = 0;
        if let Some(k) = kept {
            append_file(&self.change.kept_part_path(&w.id), &mut out)?;
            next = k.next;
        }
        let (_, whole) = self.append_chunks(
            &w.id,
            offsets.as_deref().unwrap_or_default(),
            next,
            &mut out,
            &dest,
        )?;
        out.flush().map_err(DeskError::io("write", &dest))?;
        drop(out);
        if kept.is_some() {
            self.change.remove_part(&w.id);
        }
        if !whole {
            fs::remove_file(&dest).map_err(DeskError::io("remove", &dest))?;
            self.summary.warnings.push(format!(
                "case {}: attachment {} is missing or incomplete in this export",
                w.case, w.id
            ));
            return Ok(false);
        }
        // The content must be the one its envelope sealed: the chunks' bodies
        // are the server's to replace, the envelope is not.
        if let Some(sealed) = &w.sha256 {
            let mut input = File::open(&dest).map_err(DeskError::io("read", &dest))?;
            let mut digest = Sha256::new();
            std::io::copy(&mut input, &mut digest).map_err(DeskError::io("read", &dest))?;
            if hex::encode(digest.finalize()) != *sealed {
                return Err(verify::refused(
                    w.listed_by,
                    format!(
                        "attachment {} of case {} is not the content its envelope sealed (SHA-256 differs): replaced on the server",
                        w.id, w.case
                    ),
                ));
            }
        }
        // Check key, MAC and padding now; keep only the ciphertext.
        let input = File::open(&dest).map_err(DeskError::io("read", &dest))?;
        envelope::open_attachment(BufReader::new(input), self.identities, w.size, std::io::sink()).map_err(
            |e| match e {
                EnvelopeError::Decrypt => DeskError::Decrypt {
                    what: format!("attachment {} of case {}", w.id, w.case),
                },
                other => DeskError::BadEntry {
                    what: format!("attachment {} of case {}", w.id, w.case),
                    reason: other.to_string(),
                },
            },
        )?;
        self.claimed.insert(w.id.clone());
        self.summary.attachments += 1;
        Ok(true)
    }

    /// Chunks no envelope claimed wait in the vault for a later export,
    /// within the limits; parts that waited too long are dropped.
    fn wait_for_envelopes(&mut self) -> Result<(), DeskError> {
        for (id, offsets) in std::mem::take(&mut self.chunks) {
            // Another channel's attachment: sealed to its keys; not kept.
            if let Some(first) = offsets.first() {
                let (entry, _) = self.spill.read(*first)?;
                if self.change.index.other_channel_cases.contains_key(&entry.case) {
                    for _ in &offsets {
                        self.other_channel(&entry);
                    }
                    continue;
                }
            }
            let kept = self.change.index.parts.get(&id).copied();
            let dest = self.change.part_path(&id);
            let mut out =
                BufWriter::new(fsx::create_private_file(&dest).map_err(DeskError::io("write", &dest))?);
            let part = kept.unwrap_or_default();
            if kept.is_some() {
                append_file(&self.change.kept_part_path(&id), &mut out)?;
            }
            let (next, whole) = self.append_chunks(&id, &offsets, part.next, &mut out, &dest)?;
            out.flush().map_err(DeskError::io("write", &dest))?;
            drop(out);
            if !whole {
                self.change.remove_part(&id);
                continue;
            }
            let bytes = fs::metadata(&dest).map_err(DeskError::io("read", &dest))?.len();
            self.change
                .index
                .parts
                .insert(id, WaitingPart { next, bytes, ..part });
        }
        let mut expired = Vec::new();
        for (id, part) in self.change.index.parts.iter_mut() {
            part.exports += 1;
            if part.exports > self.limits.waiting_exports {
                expired.push(id.clone());
            }
        }
        for id in expired {
            self.summary.warnings.push(format!(
                "attachment {id} waited through {} exports without the message or report that lists it; its chunks were dropped",
                self.limits.waiting_exports
            ));
            self.change.remove_part(&id);
        }
        let parts = &self.change.index.parts;
        let bytes: u64 = parts.values().map(|p| p.bytes).sum();
        if parts.len() > self.limits.waiting_parts || bytes > self.limits.waiting_bytes {
            return Err(DeskError::OverLimit(format!(
                "this export would leave {} attachment part(s), {bytes} bytes, waiting for their envelope; the limits \
                 are {} parts (--max-waiting-parts) and {} bytes (--max-waiting-bytes)",
                parts.len(),
                self.limits.waiting_parts,
                self.limits.waiting_bytes
            )));
        }
        Ok(())
    }

    /// Commits the change. From here on the bundle is accepted; only the disk can fail.
    fn commit(self) -> Result<OpenSummary, DeskError> {
        let Import {
            change,
            spill,
            summary,
            ..
        } = self;
        drop(spill);
        change.commit()?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bundle::ExportWriter;
    use crate::core::case::Kind;
    use crate::core::day::Day;
    use crate::core::envelope::{AttachmentSealer, ReportBody};
    use crate::core::log::{GENESIS, PartRef, body_hash};
    use crate::core::secret::SecretText;
    use ed25519_dalek::SigningKey;

    struct Log {
        entries: Vec<(Entry, Vec<u8>)>,
    }

    impl Log {
        fn push(&mut self, kind: EntryKind, body: Vec<u8>, f: impl FnOnce(&mut Entry)) {
            let prev = self.entries.last().map_or(GENESIS, |(e, _)| e.hash());
            let mut e = Entry {
                version: crate::core::log::VERSION,
                auth: None,
                seq: self.entries.len() as u64 + 1,
                kind,
                case: CaseId([0, 0, 0, 0, 0, 0, 0, 9]),
                day: Day(20_000),
                body_len: body.len() as u64,
                body_hash: body_hash(&body),
                prev,
                recipient: None,
                part: None,
                op: None,
                channel: None,
            };
            f(&mut e);
            self.entries.push((e, body));
        }

        fn head(&self, seq: u64) -> Head {
            match seq {
                0 => Head::EMPTY,
                n => Head {
                    seq: n,
                    hash: self.entries[n as usize - 1].0.hash(),
                },
            }
        }

        fn export(&self, after: u64) -> Vec<u8> {
            let key = SigningKey::from_bytes(&[1; 32]);
            let mut w =
                ExportWriter::start(Vec::new(), &key.verifying_key(), self.head(after)).expect("start");
            for (e, b) in self.entries.iter().skip(after as usize) {
                w.entry(e, Some(b)).expect("entry");
            }
            w.end(self.head(self.entries.len() as u64), &key).expect("end")
        }
    }

    /// Chunks in one export, the envelope listing them in the next: the
    /// ciphertext waits in parts/ and the attachment is whole in the end.
    #[test]
    fn attachment_chunks_may_precede_their_envelope_by_an_export() {
        let dir = tempfile::tempdir().expect("tempdir");
        let office = age::x25519::Identity::generate();
        let office_public = office.to_public();
        let vault = Vault::create_if_absent(
            &dir.path().join("v"),
            crate::desk::keyfiles::OfficeKeys::from_age(vec![office], dir.path().to_path_buf()),
        )
        .expect("vault");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        let mut sealer = AttachmentSealer::new(&[&office_public]).expect("sealer");
        let mut chunks = Vec::new();
        for part in data.chunks(7_000) {
            sealer.write(part).expect("write");
            let ready = sealer.take_ready(30_000);
            if !ready.is_empty() {
                chunks.push(ready);
            }
        }
        let (last, size) = sealer.finish().expect("finish");
        chunks.push(last);
        let att = [5u8; 16];
        let mut log = Log { entries: Vec::new() };
        let split = chunks.len() - 1;
        for (i, c) in chunks.into_iter().enumerate() {
            log.push(EntryKind::AttachmentChunk, c, |e| {
                e.part = Some(PartRef {
                    attachment: att,
                    index: i as u32,
                })
            });
        }
        // First export: all chunks but the last.
        let first = {
            let partial = Log {
                entries: log.entries[..split].to_vec(),
            };
            partial.export(0)
        };
        let s = open_bundle(&vault, &first[..], &[], &mut |_| {}).expect("first export");
        assert!(s.new_cases.is_empty());
        let state = vault.load().expect("state");
        assert_eq!(
            state.index.parts.get(&hex::encode(att)).map(|p| p.next),
            Some(split as u32)
        );
        let part = vault.part_path(&state.index, &hex::encode(att));
        assert!(part.is_file());

        let recipient = age::x25519::Identity::generate().to_public().to_string();
        let report = Payload::Report(ReportBody {
            kind: Kind::Advice,
            categories: vec!["gifts".into()],
            description: SecretText::new("May I accept a watch?".into()),
            when: None,
            where_: None,
            people: None,
            contact: None,
            attachments: vec![AttachmentMeta {
                id: hex::encode(att),
                name: "photo.jpg".into(),
                content_type: "image/jpeg".into(),
                size,
                sha256: None,
            }],
            day: Day(20_000),
            recipient: Some(recipient.clone()),
            message_key: Some(SecretText::new(hex::encode([3u8; 32]))),
            channel: None,
        });
        let case_id = CaseId([0, 0, 0, 0, 0, 0, 0, 9]);
        let body = envelope::seal(case_id, &report, &[&office_public]).expect("seal");
        log.push(EntryKind::Report, body, |e| e.recipient = Some(recipient));
        let s = open_bundle(&vault, &log.export(split as u64)[..], &[], &mut |_| {}).expect("second export");
        assert_eq!(s.new_cases.len(), 1);
        assert_eq!(s.attachments, 1);
        let state = vault.load().expect("state");
        assert!(state.index.parts.is_empty());
        assert!(!part.exists());
        let case = state.cases.values().next().expect("case");
        assert!(case.attachments.first().is_some_and(|a| a.stored));
        let stored_at = vault.attachment_path(case.id, &hex::encode(att)).expect("path");
        let stored = std::fs::read(&stored_at).expect("attachment");
        assert!(
            !stored.windows(64).any(|w| w == &data[..64]),
            "attachment kept in the clear"
        );
        let mut plain = Vec::new();
        envelope::open_attachment(&stored[..], &vault.keys().identity_refs(), size, &mut plain)
            .expect("decrypts");
        assert_eq!(plain, data);

        // A purge signed at another desk of the office is reported, and the
        // case and its files stay.
        let officer = SigningKey::from_bytes(&[4; 32]);
        let op = [8u8; 16];
        let sig = crate::core::log::OpClaim {
            op: &op,
            kind: EntryKind::Purge,
            case: case_id,
            day: Day(20_001),
            prev: &[0; 16],
            body_hash: &body_hash(&[]),
        }
        .sign(&officer);
        log.push(EntryKind::Purge, Vec::new(), |e| {
            e.op = Some(op);
            e.auth = Some(crate::core::log::Auth::Office(sig));
        });
        let before = log.entries.len() as u64 - 1;
        let s = open_bundle(
            &vault,
            &log.export(before)[..],
            &[officer.verifying_key()],
            &mut |_| {},
        )
        .expect("purge export");
        assert_eq!(s.unexpected_purges, vec![case_id]);
        assert_eq!(vault.load().expect("state").cases.len(), 1);
        assert!(stored_at.exists());
    }
}

//! `open`: verifies an export bundle and commits it to the vault whole, or
//! not at all.
//!
//! The bundle is read as a stream, and so is the vault: each case an entry
//! touches is read from the vault, changed, and written into the change's
//! staging folder (encrypted) when the next entry is about another case, so
//! memory holds one case at a time, never the bundle or the vault.
//! Attachment chunk ciphertexts are appended to files in the staging folder
//! (never whole in memory, never on disk in the clear). Only after
//! [`ExportItem::End`] (and no trailing bytes) are attachments checked
//! (decrypted to nowhere: key, MAC and padding) and the change committed
//! (see [`super::vault`]). Any failure before that drops the change, and
//! the vault is as it was.
//!
//! Each entry is attributed before it is applied, by the rules of
//! [`super::verify`]: office operations by an officer's signature, messages
//! by the reporter's MAC, every envelope by the case and kind sealed in it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;

use super::DeskError;
use super::vault::{CaseRecord, Change, StatusChange, StoredAttachment, ThreadItem, Vault, VaultError};
use super::verify::{self, MessageVerdict};
use crate::core::bundle::{BundleError, ExportItem, ExportReader};
use crate::core::case::{CaseId, Status};
use crate::core::envelope::{self, AttachmentMeta, EnvelopeError, Opened, Payload};
use crate::core::log::{Entry, EntryKind, Head, OfficeSig};

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
}

/// An attachment being assembled from its chunks.
struct Assembly {
    file: PathBuf,
    next: u32,
    broken: bool,
}

/// An attachment an envelope listed, to decrypt at commit.
struct Wanted {
    case: CaseId,
    id: String,
    size: u64,
}

struct Import<'a, 'v> {
    change: Change<'v>,
    identities: &'a [&'a dyn age::Identity],
    progress: &'a mut dyn FnMut(u64),
    /// The case the last entries were about, and whether it changed.
    current: Option<CaseRecord>,
    dirty: bool,
    assemblies: BTreeMap<String, Assembly>,
    wanted: Vec<Wanted>,
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
}

/// Opens the export bundle read from `bundle` into `vault`, with the vault's
/// office keys; office operations must be signed by one of `trusted`.
/// `progress` is told how many entries were read so far.
pub fn open_bundle<R: Read>(
    vault: &Vault,
    bundle: R,
    trusted: &[VerifyingKey],
    progress: &mut dyn FnMut(u64),
) -> Result<OpenSummary, DeskError> {
    let change = vault.begin()?;
    let unreadable = |reason: String| {
        DeskError::Vault(VaultError::Unreadable {
            path: vault.root().to_path_buf(),
            reason,
        })
    };
    let seen = change.index.head().map_err(unreadable)?;
    let pinned = change.index.pinned_key().map_err(unreadable)?;
    let ids: Vec<&dyn age::Identity> = vault.keys().identity_refs();

    let mut reader = ExportReader::open(BufReader::new(bundle), seen, pinned.as_ref())?;
    let v2_seen = change.index.entries_v2;
    let mut import = Import {
        trusted,
        v2_seen,
        skipped_messages: BTreeSet::new(),
        bodiless_ops: BTreeSet::new(),
        change,
        identities: &ids,
        progress,
        current: None,
        dirty: false,
        assemblies: BTreeMap::new(),
        wanted: Vec::new(),
        summary: OpenSummary::default(),
    };
    let head = loop {
        match reader.next_item()? {
            Some(ExportItem::Entry { entry, body }) => import.entry(&entry, body)?,
            Some(ExportItem::End(head)) => break head,
            None => return Err(BundleError::Truncated.into()),
        }
    };
    // The end record must be the last thing in the file.
    if reader.next_item()?.is_some() {
        return Err(BundleError::TrailingData.into());
    }
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

impl Import<'_, '_> {
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

    /// Writes the case in hand into the change, if it changed.
    fn flush(&mut self) -> Result<(), DeskError> {
        if let Some(case) = self.current.take()
            && std::mem::take(&mut self.dirty)
        {
            self.change.put_case(&case)?;
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

    fn entry(&mut self, entry: &Entry, body: Option<Vec<u8>>) -> Result<(), DeskError> {
        self.summary.entries += 1;
        (self.progress)(self.summary.entries as u64);
        verify::entry_version(entry, &mut self.v2_seen)?;
        match entry.kind {
            EntryKind::AttachmentChunk => self.chunk(entry, body.as_deref()),
            // A case recorded at a desk and filed through an outbox.
            EntryKind::Report if entry.op.is_some() => self.recorded_case(entry, body.as_deref()),
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
        let payload = self.open_envelope(entry, body)?;
        let Payload::Report(r) = payload else {
            return Err(bad(
                seq,
                format!("a report entry holds a {}", payload.type_name()),
            ));
        };
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
            self.want(entry.case, meta);
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
            upload: None,
            message_key,
        };
        self.current = Some(record);
        self.dirty = true;
        self.summary.new_cases.push(entry.case);
        Ok(())
    }

    /// A case recorded at a desk with a receipt: this desk's own, now filed
    /// on the server, or another desk's (signed).
    fn recorded_case(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        let sig = verify::office_signature(entry, self.trusted)?;
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
            self.want(entry.case, meta);
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

    fn want(&mut self, case: CaseId, meta: &AttachmentMeta) {
        self.wanted.push(Wanted {
            case,
            id: meta.id.to_ascii_lowercase(),
            size: meta.size,
        });
    }

    fn chunk(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        let Some(part) = entry.part else {
            return Err(bad(entry.seq, "a chunk without its attachment id"));
        };
        let id = hex_id(&part.attachment);
        if !self.assemblies.contains_key(&id) {
            let file = self.change.staging().join(format!("chunks-{id}"));
            // Chunks that came in an earlier export continue here.
            let next = match self.change.index.parts.get(&id) {
                Some(next) => {
                    let kept = self.change.vault().part_path(&id);
                    fs::copy(&kept, &file).map_err(DeskError::io("copy", &kept))?;
                    *next
                }
                None => 0,
            };
            self.assemblies.insert(
                id.clone(),
                Assembly {
                    file,
                    next,
                    broken: false,
                },
            );
        }
        let Some(asm) = self.assemblies.get_mut(&id) else {
            return Ok(());
        };
        match body {
            _ if asm.broken => {}
            None => asm.broken = true,
            Some(_) if part.index != asm.next => {
                asm.broken = true;
                self.summary.warnings.push(format!(
                    "entry {}: attachment chunk {} came where chunk {} was expected; the attachment is incomplete",
                    entry.seq, part.index, asm.next
                ));
            }
            Some(bytes) => {
                let mut f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&asm.file)
                    .map_err(DeskError::io("write", &asm.file))?;
                f.write_all(bytes).map_err(DeskError::io("write", &asm.file))?;
                asm.next += 1;
            }
        }
        Ok(())
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

    /// Checks the attachments and places them in the change, then commits
    /// it. Nothing in the vault changes before the decryptions succeed.
    fn commit(mut self) -> Result<OpenSummary, DeskError> {
        let mut claimed: BTreeSet<String> = BTreeSet::new();
        let wanted = std::mem::take(&mut self.wanted);
        for w in &wanted {
            if !self.focus(w.case)? {
                continue; // purged later in the same export
            }
            let source = match self.assemblies.get(&w.id) {
                Some(a) if !a.broken && !claimed.contains(&w.id) => Some((a.file.clone(), true)),
                Some(_) => None,
                None if self.change.index.parts.contains_key(&w.id) && !claimed.contains(&w.id) => {
                    Some((self.change.vault().part_path(&w.id), false))
                }
                None => None,
            };
            let Some((source, staged)) = source else {
                self.summary.warnings.push(format!(
                    "case {}: attachment {} is missing or incomplete in this export",
                    w.case, w.id
                ));
                continue;
            };
            // Check key, MAC and padding now; keep only the ciphertext.
            let input = File::open(&source).map_err(DeskError::io("read", &source))?;
            envelope::open_attachment(BufReader::new(input), self.identities, w.size, std::io::sink())
                .map_err(|e| match e {
                    EnvelopeError::Decrypt => DeskError::Decrypt {
                        what: format!("attachment {} of case {}", w.id, w.case),
                    },
                    other => DeskError::BadEntry {
                        what: format!("attachment {} of case {}", w.id, w.case),
                        reason: other.to_string(),
                    },
                })?;
            let dest = self.change.attachment_path(w.case, &w.id)?;
            if staged {
                fs::rename(&source, &dest).map_err(DeskError::io("move", &source))?;
            } else {
                let mut out = BufWriter::new(File::create(&dest).map_err(DeskError::io("write", &dest))?);
                let mut input = File::open(&source).map_err(DeskError::io("read", &source))?;
                std::io::copy(&mut input, &mut out).map_err(DeskError::io("copy", &source))?;
                out.flush().map_err(DeskError::io("write", &dest))?;
            }
            claimed.insert(w.id.clone());
            if let Some(a) = self.case_mut().and_then(|c| c.attachment_mut(&w.id)) {
                a.stored = true;
            }
            self.summary.attachments += 1;
        }
        self.flush()?;
        // Chunks no envelope claimed yet wait in parts/ for a later export.
        let assemblies = std::mem::take(&mut self.assemblies);
        for (id, asm) in assemblies {
            if claimed.contains(&id) || asm.broken {
                self.change.index.parts.remove(&id);
                self.change.remove_part(&id);
            } else {
                self.change.index.parts.insert(id.clone(), asm.next);
                let dest = self.change.part_path(&id);
                fs::rename(&asm.file, &dest).map_err(DeskError::io("move", &asm.file))?;
            }
        }
        for id in &claimed {
            self.change.index.parts.remove(id);
            self.change.remove_part(id);
        }
        // From here on the bundle is accepted; only the disk can fail.
        self.change.commit()?;
        Ok(self.summary)
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
        assert_eq!(state.index.parts.get(&hex::encode(att)), Some(&(split as u32)));
        assert!(vault.part_path(&hex::encode(att)).is_file());

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
            }],
            day: Day(20_000),
            recipient: Some(recipient.clone()),
            message_key: Some(SecretText::new(hex::encode([3u8; 32]))),
        });
        let case_id = CaseId([0, 0, 0, 0, 0, 0, 0, 9]);
        let body = envelope::seal(case_id, &report, &[&office_public]).expect("seal");
        log.push(EntryKind::Report, body, |e| e.recipient = Some(recipient));
        let s = open_bundle(&vault, &log.export(split as u64)[..], &[], &mut |_| {}).expect("second export");
        assert_eq!(s.new_cases.len(), 1);
        assert_eq!(s.attachments, 1);
        let state = vault.load().expect("state");
        assert!(state.index.parts.is_empty());
        assert!(!vault.part_path(&hex::encode(att)).exists());
        let case = state.cases.values().next().expect("case");
        assert!(case.attachments.first().is_some_and(|a| a.stored));
        let stored = std::fs::read(vault.attachment_path(case.id, &hex::encode(att))).expect("attachment");
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
        assert!(vault.attachment_path(case.id, &hex::encode(att)).exists());
    }
}

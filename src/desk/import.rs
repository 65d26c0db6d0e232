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

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use super::DeskError;
use super::vault::{CaseRecord, Change, StatusChange, StoredAttachment, ThreadItem, Vault, VaultError};
use crate::core::bundle::{BundleError, ExportItem, ExportReader};
use crate::core::case::{CaseId, Status};
use crate::core::envelope::{self, AttachmentMeta, EnvelopeError, Payload};
use crate::core::log::{Entry, EntryKind, Head};

/// What an `open` did.
#[derive(Debug, Default)]
pub struct OpenSummary {
    pub new_cases: Vec<CaseId>,
    pub new_messages: usize,
    pub attachments: usize,
    pub delivered_ops: usize,
    pub purged: Vec<CaseId>,
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
}

/// Opens the export bundle read from `bundle` into `vault`, with the vault's
/// office keys. `progress` is told how many entries were read so far.
pub fn open_bundle<R: Read>(
    vault: &Vault,
    bundle: R,
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
    let mut import = Import {
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
    fn open_envelope(&self, seq: u64, body: &[u8]) -> Result<Payload, DeskError> {
        envelope::open(body, self.identities).map_err(|e| match e {
            EnvelopeError::Decrypt => DeskError::Decrypt {
                what: format!("entry {seq}"),
            },
            other => bad(seq, other.to_string()),
        })
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
        let seq = entry.seq;
        match entry.kind {
            EntryKind::AttachmentChunk => self.chunk(entry, body.as_deref()),
            // Purged on the server: the header keeps the chain, the content is gone.
            EntryKind::Report | EntryKind::Message if body.is_none() => Ok(()),
            EntryKind::Report => {
                let payload = self.open_envelope(seq, body.as_deref().unwrap_or_default())?;
                let Payload::Report(r) = payload else {
                    return Err(bad(
                        seq,
                        format!("a report entry holds a {}", payload.type_name()),
                    ));
                };
                if self.focus(entry.case)? {
                    let mut delivered = false;
                    if let Some(case) = self.case_mut() {
                        // A case recorded at this desk, now filed on the server.
                        if let Some(upload) = case.upload.as_mut().filter(|u| !u.delivered) {
                            upload.delivered = true;
                            if case.recipient.is_empty() {
                                case.recipient = entry.recipient.clone().unwrap_or_default();
                            }
                            delivered = true;
                        }
                    }
                    if delivered {
                        self.summary.delivered_ops += 1;
                    } else {
                        self.dirty = false;
                        self.summary.warnings.push(format!(
                            "entry {seq}: a second report for case {} was ignored",
                            entry.case
                        ));
                    }
                    return Ok(());
                }
                let recipient = entry
                    .recipient
                    .clone()
                    .ok_or_else(|| bad(seq, "a report without the reporter's recipient"))?;
                for meta in &r.attachments {
                    self.want(entry.case, meta);
                }
                let record = CaseRecord {
                    id: entry.case,
                    received: entry.day,
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
                        day: entry.day,
                    }],
                    channel: Some("online".to_owned()),
                    upload: None,
                };
                self.current = Some(record);
                self.dirty = true;
                self.summary.new_cases.push(entry.case);
                Ok(())
            }
            EntryKind::Message => {
                let payload = self.open_envelope(seq, body.as_deref().unwrap_or_default())?;
                let Payload::Message(m) = payload else {
                    return Err(bad(
                        seq,
                        format!("a message entry holds a {}", payload.type_name()),
                    ));
                };
                if !self.focus(entry.case)? {
                    self.summary.warnings.push(format!(
                        "entry {seq}: a message for case {}, which is not in this vault, was skipped",
                        entry.case
                    ));
                    return Ok(());
                }
                for meta in &m.attachments {
                    self.want(entry.case, meta);
                }
                if let Some(case) = self.case_mut() {
                    case.thread.push(ThreadItem::Message {
                        seq,
                        day: m.day,
                        text: m.text.duplicate(),
                        attachments: m.attachments.iter().map(stored).collect(),
                    });
                }
                self.summary.new_messages += 1;
                Ok(())
            }
            EntryKind::Reply | EntryKind::Status => self.office_op(entry, body.as_deref()),
            EntryKind::Purge => {
                if self.change.index.pending_purges.remove(&entry.case).is_some() {
                    self.summary.delivered_ops += 1;
                }
                if self.focus(entry.case)? {
                    self.current = None;
                    self.dirty = false;
                    self.change.remove_case(entry.case)?;
                    self.summary.purged.push(entry.case);
                }
                Ok(())
            }
        }
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

    /// A reply or status change the desk sent earlier, now on the server.
    fn office_op(&mut self, entry: &Entry, body: Option<&[u8]>) -> Result<(), DeskError> {
        let Some(op) = entry.op else {
            return Err(bad(entry.seq, "an office operation without its id"));
        };
        let op = hex_id(&op);
        if !self.focus(entry.case)? {
            return Ok(());
        }
        let mine = self
            .current
            .as_ref()
            .and_then(|c| c.thread.iter().find(|t| t.op() == Some(op.as_str())))
            .map(ThreadItem::delivered);
        if let Some(delivered) = mine {
            if delivered == Some(false) {
                if let Some(item) = self
                    .case_mut()
                    .and_then(|c| c.thread.iter_mut().find(|t| t.op() == Some(op.as_str())))
                {
                    item.mark_delivered();
                }
                self.summary.delivered_ops += 1;
            }
            return Ok(());
        }
        // Not made at this desk (another desk of the office, or the vault was
        // restored from a backup): it was sealed to the office too, so it can be read.
        let Some(body) = body else {
            return Ok(());
        };
        let seq = entry.seq;
        let payload = self.open_envelope(seq, body)?;
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
        let s = open_bundle(&vault, &first[..], &mut |_| {}).expect("first export");
        assert!(s.new_cases.is_empty());
        let state = vault.load().expect("state");
        assert_eq!(state.index.parts.get(&hex::encode(att)), Some(&(split as u32)));
        assert!(vault.part_path(&hex::encode(att)).is_file());

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
        });
        let body = envelope::seal(&report, &[&office_public]).expect("seal");
        let recipient = age::x25519::Identity::generate().to_public().to_string();
        log.push(EntryKind::Report, body, |e| e.recipient = Some(recipient));
        let s = open_bundle(&vault, &log.export(split as u64)[..], &mut |_| {}).expect("second export");
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

        // A purge from the server removes the case and its files.
        log.push(EntryKind::Purge, Vec::new(), |e| e.op = Some([8; 16]));
        let before = log.entries.len() as u64 - 1;
        let s = open_bundle(&vault, &log.export(before)[..], &mut |_| {}).expect("purge export");
        assert_eq!(s.purged.len(), 1);
        assert!(vault.load().expect("state").cases.is_empty());
        assert!(!vault.attachment_path(case.id, &hex::encode(att)).exists());
    }
}

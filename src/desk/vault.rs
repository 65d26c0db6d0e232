//! The vault: the desk's store of cases, on the air-gapped machine's disk.
//!
//! This module is the only one that knows how a vault is laid out.
//!
//! # Layout
//!
//! ```text
//! VAULT/                       0700
//!   .lock                      0600  empty; every command holds an exclusive lock on it
//!   index.age                  0600  the index, encrypted with age to every office key
//!                                    (age and/or OpenPGP): pinned server key, last
//!                                    verified head, waiting attachment parts, pending
//!                                    purges, the vault key, and for every case its
//!                                    file's version and digest and a summary
//!   cases/<NAME>               0600  one case (fields, thread, status history, pending
//!                                    operations), encrypted with the vault key
//!   files/<NAME>               0600  attachments, as the server's ciphertext (an
//!                                    age stream to the office keys, padded);
//!                                    decrypted only by `show --extract`
//!   parts/<NAME>               0600  ciphertext of attachments whose chunks came
//!                                    in an export before the envelope that lists them
//!   .staging-<random>/         0700  a change being prepared (ciphertext only)
//!   .commit/                   0700  a committed change being moved into place
//! ```
//!
//! A NAME is 32 hex digits of HKDF-SHA256 under the vault key, of the case
//! id (cases), case and attachment id (files) or attachment id (parts): the
//! names say nothing without the office key. Every file and folder the
//! vault writes carries the same fixed modification and access time
//! ([`FIXED_TIME`], and reads do not update access times), so they show no
//! timeline; the change time (ctime), which no program can set, still shows
//! when each file was last written.
//!
//! # Wire format
//!
//! `index.age` is an age file (to the office recipients) holding JSON,
//! padded with spaces to a Padmé length ([`crate::core::padding`]); the
//! vault key in it is 32 random bytes. A case file is an age file holding
//! the case as JSON, padded the same way, whose one stanza is
//!
//! ```text
//! -> candor-vault <base64 salt, 16 bytes>
//! <ChaCha20-Poly1305 of the 16-byte file key, under
//!  HKDF-SHA256(salt, "candor-vault/case/3" || case id (8 bytes) || version (u64 BE), vault key)>
//! ```
//!
//! built from age's own primitives (the same wrap age's X25519 stanza uses).
//! The case id and the file's version are thus bound to the file (a file
//! moved to another case's name, or an older version put back, does not
//! decrypt), and the index also keeps the SHA-256 of each case file's bytes.
//! Format 2 (the previous release) named files by case and attachment id,
//! did not pad, and wrapped with `HKDF(salt, "candor-vault", vault key)`.
//!
//! # Changes and the commit point
//!
//! Every change (an `open`, a reply, a purge…) is prepared in a staging
//! folder: new case files, new attachment files, the new index, and a
//! `journal` naming what to delete. It is committed by renaming the staging
//! folder to `.commit` after one `syncfs`; that rename is the commit point.
//! Then its files are moved into place and `.commit` removed; any later use
//! of the vault first finishes a `.commit` left by an interruption (moving
//! and deleting again is harmless). A change that is dropped before its
//! commit leaves every vault file as it was. Staging folders left by a
//! killed command are removed only under the lock.
//!
//! Older vaults (format 2: an index and `cases/<CASE>.age`; format 1:
//! `vault.json` or `vault.age`, one file with every case) are migrated to
//! this layout, in one change, when the vault is first opened with the keys.
//! Attachments of a `vault.json` vault stay in the clear until the case is
//! purged.
//!
//! # Invariants
//!
//! - Nothing from a case reaches the disk in the clear: the index and the
//!   cases only encrypted and padded, attachments only as ciphertext.
//!   Plaintext appears where the officer asks for it (`show` prints, `show
//!   --extract DIR` writes DIR).
//! - A case file is read only if its digest is the one the index holds and
//!   it decrypts under its own case id and version.
//! - `cases`, `stats` and `purge` read the index only (its summaries), never
//!   a case file; a change holds the index and the cases it is working on,
//!   never the whole vault.
//! - One command at a time: a second one waits for the lock.
//! - The index is encrypted to the keys the desk was given, so a vault
//!   opened with an age key and an OpenPGP key can afterwards be read with
//!   either; the vault key stays the same.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, FileTimes, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::fsx;
use super::keyfiles::OfficeKeys;
use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::core::envelope::SealedChannel;
use crate::core::log::Head;
use crate::core::padding::padded_len;
use crate::core::secret::{SecretBytes, SecretText, serialize_opt_secret_text, serialize_secret_text};

const INDEX_FILE: &str = "index.age";
const CASES_DIR: &str = "cases";
const FILES_DIR: &str = "files";
const PARTS_DIR: &str = "parts";
const JOURNAL: &str = "journal";
const COMMIT_DIR: &str = ".commit";
const LOCK_FILE: &str = ".lock";
const LEGACY_AGE: &str = "vault.age";
const LEGACY_JSON: &str = "vault.json";
const KEYS_PATH_FILE: &str = "keys.path";
const STAGING_PREFIX: &str = ".staging-";
const V2_CASE_SUFFIX: &str = ".age";
/// The index's format; 2 named files by ids, 1 was the single-file vault.
const FORMAT: u32 = 3;
const V2_FORMAT: u32 = 2;
const LEGACY_FORMAT: u32 = 1;
const VAULT_STANZA: &str = "candor-vault";
const CASE_LABEL: &[u8] = b"candor-vault/case/3";
const NAME_LABEL: &[u8] = b"candor-vault/name/3/";

/// The modification and access time of every vault file: 2000-01-01 00:00 UTC.
pub const FIXED_TIME: Duration = Duration::from_secs(946_684_800);

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("there is no vault at {}", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a vault this version of candor-desk can read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("could not decrypt the vault at {}: is this the office key it was made with?", .0.display())]
    Decrypt(PathBuf),
    #[error(
        "the file of case {case} is not the one the vault's index names (swapped, rolled back or damaged); \
         restore the vault from a backup"
    )]
    CaseFileMismatch { case: CaseId },
    #[error("case {case} would hold {bytes} bytes, over the limit of {limit}; the vault was not changed")]
    CaseTooLarge { case: CaseId, bytes: u64, limit: u64 },
    #[error("could not encrypt the vault")]
    Encrypt,
    #[error("could not {what} in the vault at {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

/// A vault folder, the office keys that open it, and the lock that makes
/// this command the only one using it.
#[derive(Debug)]
pub struct Vault {
    root: PathBuf,
    keys: OfficeKeys,
    /// Held (exclusively) as long as the vault is.
    _lock: File,
}

/// The last head the desk verified, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct HeadRecord {
    seq: u64,
    hash: String,
}

impl Default for HeadRecord {
    fn default() -> Self {
        HeadRecord {
            seq: 0,
            hash: hex::encode(Head::EMPTY.hash),
        }
    }
}

/// The symmetric key the case files are encrypted with; it lives only in
/// the index, which is encrypted to the office keys.
struct VaultKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey([redacted])")
    }
}

impl Serialize for VaultKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(hex::encode(*self.0)))
    }
}

impl<'de> Deserialize<'de> for VaultKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<VaultKey, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.as_bytes(), key.as_mut_slice())
            .map_err(|_| serde::de::Error::custom("the vault key is not 32 bytes of hex"))?;
        Ok(VaultKey(key))
    }
}

impl VaultKey {
    fn generate() -> Result<VaultKey, VaultError> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| VaultError::Encrypt)?;
        Ok(VaultKey(key))
    }

    /// The age wrap of one case file, bound to its id and version.
    fn for_case(&self, id: CaseId, version: u64) -> StanzaKey<'_> {
        let mut label = CASE_LABEL.to_vec();
        label.extend_from_slice(&id.0);
        label.extend_from_slice(&version.to_be_bytes());
        StanzaKey { key: self, label }
    }

    /// The wrap format 2 used for every case file.
    fn format2(&self) -> StanzaKey<'_> {
        StanzaKey {
            key: self,
            label: VAULT_STANZA.as_bytes().to_vec(),
        }
    }

    /// A file name that says nothing without the vault key.
    fn name(&self, what: &str, ids: &[&[u8]]) -> String {
        let mut label = NAME_LABEL.to_vec();
        label.extend_from_slice(what.as_bytes());
        for id in ids {
            label.push(b'/');
            label.extend_from_slice(id);
        }
        let mac = age_core::primitives::hkdf(&[], &label, self.0.as_slice());
        hex::encode(mac.get(..16).unwrap_or_default())
    }

    fn case_name(&self, id: CaseId) -> String {
        self.name("case", &[&id.0])
    }

    fn file_name(&self, case: CaseId, attachment: &str) -> String {
        self.name("file", &[&case.0, attachment.as_bytes()])
    }

    fn part_name(&self, attachment: &str) -> String {
        self.name("part", &[attachment.as_bytes()])
    }
}

/// The vault key with the label of one wrap (see the module docs).
struct StanzaKey<'k> {
    key: &'k VaultKey,
    label: Vec<u8>,
}

impl StanzaKey<'_> {
    fn wrapping_key(&self, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(age_core::primitives::hkdf(
            salt,
            &self.label,
            self.key.0.as_slice(),
        ))
    }
}

impl age::Recipient for StanzaKey<'_> {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, std::collections::HashSet<String>), age::EncryptError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| age::EncryptError::Io(io::Error::other(e.to_string())))?;
        let key = self.wrapping_key(&salt);
        let body = age_core::primitives::aead_encrypt(&key, file_key.expose_secret());
        Ok((
            vec![Stanza {
                tag: VAULT_STANZA.to_owned(),
                args: vec![STANDARD_NO_PAD.encode(salt)],
                body,
            }],
            std::collections::HashSet::new(),
        ))
    }
}

impl age::Identity for StanzaKey<'_> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag != VAULT_STANZA {
            return None;
        }
        let salt = match stanza.args.as_slice() {
            [salt] => STANDARD_NO_PAD.decode(salt).ok(),
            _ => None,
        };
        let Some(salt) = salt.filter(|s| s.len() == 16) else {
            return Some(Err(age::DecryptError::InvalidHeader));
        };
        let key = self.wrapping_key(&salt);
        Some(
            age_core::primitives::aead_decrypt(&key, 16, &stanza.body)
                .ok()
                .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
                .map(|b| FileKey::new(Box::new(b)))
                .ok_or(age::DecryptError::DecryptionFailed),
        )
    }
}

/// An attachment whose chunks came before the envelope that lists it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct WaitingPart {
    /// The index of the next chunk expected.
    pub next: u32,
    /// The bytes of ciphertext kept so far.
    pub bytes: u64,
    /// How many exports it has waited through.
    pub exports: u32,
}

/// What the index knows of one case.
#[derive(Debug, Serialize, Deserialize)]
struct CaseEntry {
    /// Counts the case file's versions; bound to the file's encryption.
    version: u64,
    /// Hex SHA-256 of the case file's bytes.
    digest: String,
    /// The case without its texts: what `cases`, `stats` and `purge` need.
    summary: CaseRecord,
}

/// What `index.age` holds: everything but the case files.
#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    format: u32,
    /// Hex of the server's Ed25519 key, pinned at the first open.
    server_key: Option<String>,
    head: HeadRecord,
    /// Attachments still waiting for their envelope, by hex id.
    #[serde(default)]
    pub parts: BTreeMap<String, WaitingPart>,
    /// Purges not yet seen back from the server: case -> op id (hex).
    #[serde(default)]
    pub pending_purges: BTreeMap<CaseId, String>,
    /// Recorded cases purged before the server was seen to have them.
    #[serde(default)]
    pub purged_uploads: BTreeMap<CaseId, PurgedUpload>,
    /// An entry of version 2 was accepted: from here on the server writes
    /// no version 1 entry, so one is refused (see `desk::verify`).
    #[serde(default)]
    pub entries_v2: bool,
    /// Cases addressed to another channel of the office, sealed to keys
    /// this desk does not hold: case -> channel id (from the entry header).
    /// Their later entries are counted and skipped, never applied.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_channel_cases: BTreeMap<CaseId, Option<String>>,
    key: VaultKey,
    #[serde(default)]
    cases: BTreeMap<CaseId, CaseEntry>,
}

/// The index of a format-2 vault.
#[derive(Debug, Deserialize)]
struct IndexV2 {
    format: u32,
    server_key: Option<String>,
    head: HeadRecord,
    #[serde(default)]
    parts: BTreeMap<String, u32>,
    #[serde(default)]
    pending_purges: BTreeMap<CaseId, String>,
    key: VaultKey,
}

/// A vault written before the index and case files (format 1).
#[derive(Debug, Deserialize)]
struct LegacyState {
    format: u32,
    server_key: Option<String>,
    head: HeadRecord,
    cases: BTreeMap<CaseId, CaseRecord>,
    #[serde(default)]
    parts: BTreeMap<String, u32>,
    #[serde(default)]
    pending_purges: BTreeMap<CaseId, String>,
}

/// The vault's index and every case's summary (the case without its texts:
/// no description, message or reply text), for the commands that show all
/// of it (`cases`, `stats`, `purge --closed-before`).
#[derive(Debug)]
pub struct VaultState {
    pub index: Index,
    pub cases: BTreeMap<CaseId, CaseRecord>,
}

impl VaultState {
    pub fn case(&self, id: CaseId) -> Option<&CaseRecord> {
        self.cases.get(&id)
    }
}

/// An attachment as the desk keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAttachment {
    /// Hex of the 16-byte id its chunks carried.
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Whether the attachment is in the vault (false if the chunks were
    /// purged, incomplete, or have not arrived yet).
    pub stored: bool,
    /// Stored as ciphertext to the office keys (false only in vaults written
    /// before encryption at rest).
    #[serde(default)]
    pub encrypted: bool,
}

/// One item of a case's thread, in the order the desk learnt of it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ThreadItem {
    /// The report itself (its content is in the case record).
    Report { seq: u64, day: Day },
    /// A follow-up message from the reporter.
    Message {
        seq: u64,
        day: Day,
        #[serde(serialize_with = "serialize_secret_text")]
        text: SecretText,
        attachments: Vec<StoredAttachment>,
        /// Hex SHA-256 of the sealed message: a replay of it is refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        digest: Option<String>,
    },
    /// A reply from the office; `op` is its operation id (hex).
    Reply {
        op: String,
        day: Day,
        #[serde(serialize_with = "serialize_secret_text")]
        text: SecretText,
        delivered: bool,
    },
    /// A status change by the office.
    Status {
        op: String,
        day: Day,
        status: Status,
        delivered: bool,
    },
}

impl ThreadItem {
    pub fn type_name(&self) -> &'static str {
        match self {
            ThreadItem::Report { .. } => "report",
            ThreadItem::Message { .. } => "message",
            ThreadItem::Reply { .. } => "reply",
            ThreadItem::Status { .. } => "status",
        }
    }

    pub fn day(&self) -> Day {
        match self {
            ThreadItem::Report { day, .. }
            | ThreadItem::Message { day, .. }
            | ThreadItem::Reply { day, .. }
            | ThreadItem::Status { day, .. } => *day,
        }
    }

    /// The office operation this item is, if it is one.
    pub fn op(&self) -> Option<&str> {
        match self {
            ThreadItem::Reply { op, .. } | ThreadItem::Status { op, .. } => Some(op),
            _ => None,
        }
    }

    /// `Some(delivered)` for the office's own items.
    pub fn delivered(&self) -> Option<bool> {
        match self {
            ThreadItem::Reply { delivered, .. } | ThreadItem::Status { delivered, .. } => Some(*delivered),
            _ => None,
        }
    }

    pub(crate) fn mark_delivered(&mut self) {
        if let ThreadItem::Reply { delivered, .. } | ThreadItem::Status { delivered, .. } = self {
            *delivered = true;
        }
    }
}

/// A status and the day it was set.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: Status,
    pub day: Day,
}

/// One case, decrypted.
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: CaseId,
    /// The day the server received the report.
    pub received: Day,
    /// The reporter's age recipient: replies and statuses are encrypted to it.
    pub recipient: String,
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
    pub attachments: Vec<StoredAttachment>,
    pub thread: Vec<ThreadItem>,
    pub status_history: Vec<StatusChange>,
    /// How the report came: `online`, or for `record`: phone, post, meeting, email, other.
    #[serde(default)]
    pub channel: Option<String>,
    /// Who in the office the reporter addressed it to, as sealed in the
    /// report, where the office has channels (not how it came: that is
    /// `channel`). `None`: the office's default channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressed_to: Option<SealedChannel>,
    /// A case recorded here with a receipt, to be filed on the server.
    #[serde(default)]
    pub upload: Option<Upload>,
    /// Hex of the reporter's message key, sealed in the report: every
    /// follow-up message must carry its MAC. `None` for a case filed before
    /// messages were authenticated, or recorded without a receipt.
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub message_key: Option<SecretText>,
    /// What the office keeps for itself about the case; never sent.
    #[serde(default)]
    pub office: OfficeMarks,
}

/// The office's own marks on a case: kept in the vault, never in an outbox.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OfficeMarks {
    /// Starred (flagged) by an officer.
    #[serde(default)]
    pub star: bool,
    /// How many of the reporter's items (the report and messages) an
    /// officer has seen in the case view; more than that is unread.
    #[serde(default)]
    pub seen: usize,
    /// Notes the office keeps on the case.
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub notes: Option<SecretText>,
    /// A reply being written, not yet recorded.
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub draft: Option<SecretText>,
}

impl OfficeMarks {
    /// The marks without their texts, for the index's summary.
    fn summary(&self) -> OfficeMarks {
        OfficeMarks {
            star: self.star,
            seen: self.seen,
            notes: None,
            draft: None,
        }
    }
}

/// A recorded case on its way to the server (see `record --issue-receipt`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    /// The outbox op id (hex).
    pub op: String,
    /// The receipt's look-up id (hex); the receipt itself is never kept.
    pub lookup: String,
    pub delivered: bool,
    /// Written into an outbox at least once: the server may have it even
    /// though no export has shown it back yet.
    #[serde(default)]
    pub sent: bool,
}

/// A recorded case purged here before an export showed the server had
/// filed it: the next outbox files it again (the server ignores an
/// operation it has applied) just before its purge, so the purge reaches a
/// case the server knows, whether or not the earlier outbox was imported.
/// Its report is sealed empty: only the ids and day travel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgedUpload {
    pub upload: Upload,
    pub recipient: String,
    pub kind: Kind,
    pub received: Day,
}

impl CaseRecord {
    /// Whether replies can reach a reporter online.
    pub fn has_online_reporter(&self) -> bool {
        !self.recipient.is_empty()
    }

    pub fn status(&self) -> Status {
        self.status_history.last().map_or(Status::Received, |c| c.status)
    }

    pub fn pending(&self) -> usize {
        let upload = usize::from(self.upload.as_ref().is_some_and(|u| !u.delivered));
        upload
            + self
                .thread
                .iter()
                .filter(|t| t.delivered() == Some(false))
                .count()
    }

    pub fn messages(&self) -> usize {
        self.thread
            .iter()
            .filter(|t| matches!(t, ThreadItem::Message { .. }))
            .count()
    }

    /// The reporter's items (the report and each message) an officer has
    /// not seen yet.
    pub fn unread(&self) -> usize {
        let from_reporter = self
            .thread
            .iter()
            .filter(|t| matches!(t, ThreadItem::Report { .. } | ThreadItem::Message { .. }))
            .count();
        from_reporter.saturating_sub(self.office.seen)
    }

    /// Every attachment of the case, the report's first, then each message's.
    pub fn all_attachments(&self) -> impl Iterator<Item = &StoredAttachment> {
        self.attachments
            .iter()
            .chain(self.thread.iter().flat_map(|t| match t {
                ThreadItem::Message { attachments, .. } => attachments.as_slice(),
                _ => &[],
            }))
    }

    pub(crate) fn attachment_mut(&mut self, id: &str) -> Option<&mut StoredAttachment> {
        let in_thread = self.thread.iter_mut().flat_map(|t| match t {
            ThreadItem::Message { attachments, .. } => attachments.as_mut_slice(),
            _ => &mut [],
        });
        self.attachments.iter_mut().chain(in_thread).find(|a| a.id == id)
    }
}

impl CaseRecord {
    /// The case without its texts (description, fields, message and reply
    /// texts), kept in the index.
    pub fn summary(&self) -> CaseRecord {
        let blank = || SecretText::new(String::new());
        CaseRecord {
            id: self.id,
            received: self.received,
            recipient: self.recipient.clone(),
            kind: self.kind,
            categories: self.categories.clone(),
            description: blank(),
            when: None,
            where_: None,
            people: None,
            contact: None,
            attachments: self.attachments.clone(),
            thread: self
                .thread
                .iter()
                .map(|t| match t {
                    ThreadItem::Report { seq, day } => ThreadItem::Report { seq: *seq, day: *day },
                    ThreadItem::Message {
                        seq,
                        day,
                        attachments,
                        digest,
                        ..
                    } => ThreadItem::Message {
                        seq: *seq,
                        day: *day,
                        text: blank(),
                        attachments: attachments.clone(),
                        digest: digest.clone(),
                    },
                    ThreadItem::Reply {
                        op, day, delivered, ..
                    } => ThreadItem::Reply {
                        op: op.clone(),
                        day: *day,
                        text: blank(),
                        delivered: *delivered,
                    },
                    ThreadItem::Status {
                        op,
                        day,
                        status,
                        delivered,
                    } => ThreadItem::Status {
                        op: op.clone(),
                        day: *day,
                        status: *status,
                        delivered: *delivered,
                    },
                })
                .collect(),
            status_history: self.status_history.clone(),
            channel: self.channel.clone(),
            addressed_to: self.addressed_to.clone(),
            upload: self.upload.clone(),
            message_key: None,
            office: self.office.summary(),
        }
    }
}

impl Index {
    fn new() -> Result<Index, VaultError> {
        Ok(Index {
            format: FORMAT,
            server_key: None,
            head: HeadRecord::default(),
            parts: BTreeMap::new(),
            pending_purges: BTreeMap::new(),
            purged_uploads: BTreeMap::new(),
            entries_v2: false,
            other_channel_cases: BTreeMap::new(),
            key: VaultKey::generate()?,
            cases: BTreeMap::new(),
        })
    }

    /// A fresh index, for tests elsewhere in the crate.
    #[cfg(test)]
    pub(crate) fn new_for_tests() -> Option<Index> {
        Index::new().ok()
    }

    pub fn head(&self) -> Result<Head, String> {
        let hash = hex::decode(&self.head.hash)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or("the stored head hash is not 32 bytes of hex")?;
        Ok(Head {
            seq: self.head.seq,
            hash,
        })
    }

    pub fn set_head(&mut self, head: Head) {
        self.head = HeadRecord {
            seq: head.seq,
            hash: hex::encode(head.hash),
        };
    }

    pub fn pinned_key(&self) -> Result<Option<VerifyingKey>, String> {
        let Some(hex_key) = &self.server_key else {
            return Ok(None);
        };
        let bytes = hex::decode(hex_key)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or("the pinned server key is not 32 bytes of hex")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Some)
            .map_err(|_| "the pinned server key is not an Ed25519 key".to_owned())
    }

    /// Pins `key` if no key is pinned yet; returns whether it did.
    pub fn pin(&mut self, key: &VerifyingKey) -> bool {
        if self.server_key.is_some() {
            return false;
        }
        self.server_key = Some(hex::encode(key.as_bytes()));
        true
    }

    /// Whether the vault holds case `id`.
    pub fn has_case(&self, id: CaseId) -> bool {
        self.cases.contains_key(&id)
    }

    /// The summary of case `id` (see [`CaseRecord::summary`]).
    pub fn summary(&self, id: CaseId) -> Option<&CaseRecord> {
        self.cases.get(&id).map(|e| &e.summary)
    }

    /// Every case's summary, in id order.
    pub fn summaries(&self) -> impl Iterator<Item = &CaseRecord> {
        self.cases.values().map(|e| &e.summary)
    }
}

/// A temporary folder inside the vault, removed when dropped.
#[derive(Debug)]
struct Staging {
    path: PathBuf,
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// What the vault holds on disk, before any case is read.
enum Stored {
    Empty,
    Current(Index),
    /// The previous release's index and `cases/<CASE>.age` files.
    Format2(IndexV2),
    /// A format-1 vault: every case in one file, read whole.
    Legacy(LegacyState),
}

/// Opens `path` for reading without updating its access time.
fn open_noatime(path: &Path) -> io::Result<File> {
    let noatime = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOATIME.bits() as i32)
        .open(path);
    match noatime {
        // O_NOATIME is refused for files the process does not own.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => File::open(path),
        other => other,
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, VaultError> {
    let result = open_noatime(path).and_then(|mut f| {
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map(|_| bytes)
    });
    match result {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VaultError::Io {
            what: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Gives `path` the vault's fixed times, so it shows no timeline.
fn fix_times(path: &Path) -> io::Result<()> {
    let t = SystemTime::UNIX_EPOCH + FIXED_TIME;
    open_noatime(path)?.set_times(FileTimes::new().set_accessed(t).set_modified(t))
}

/// Decrypts an age file with `identities`.
fn decrypt_with(
    path: &Path,
    ciphertext: &[u8],
    identities: &[&dyn age::Identity],
) -> Result<SecretBytes, VaultError> {
    let fail = || VaultError::Decrypt(path.to_path_buf());
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| fail())?;
    let mut reader = decryptor
        .decrypt(identities.iter().copied())
        .map_err(|_| fail())?;
    let mut plain = SecretBytes::default();
    reader.read_to_end(plain.expose_mut()).map_err(|_| fail())?;
    Ok(plain)
}

/// Serialises `value` as JSON padded with spaces (which JSON ignores) to a
/// Padmé length, and encrypts it with age to `recipients`.
fn seal_padded<T: Serialize>(
    value: &T,
    recipients: &[&dyn age::Recipient],
) -> Result<(Vec<u8>, u64), VaultError> {
    let mut json = SecretBytes::new(serde_json::to_vec(value).map_err(|_| VaultError::Encrypt)?);
    let len = json.len() as u64;
    let padded = usize::try_from(padded_len(len)).map_err(|_| VaultError::Encrypt)?;
    json.expose_mut().resize(padded, b' ');
    let sealed =
        crate::core::envelope::encrypt_bytes(json.expose(), recipients).map_err(|_| VaultError::Encrypt)?;
    Ok((sealed, len))
}

fn unreadable(path: &Path, reason: impl ToString) -> VaultError {
    VaultError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Moves `from` to `to` (same file system), creating `to`'s folder; a
/// missing `from` was moved by an earlier, interrupted run.
fn move_into_place(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(dir) = to.parent() {
        fsx::create_private_dir(dir)?;
    }
    match fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound && !from.exists() => Ok(()),
        other => other,
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    let result = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Flushes everything written to the vault's file system: one call
/// for a whole change instead of one fsync per file.
fn sync_all_files(root: &Path) -> io::Result<()> {
    let dir = File::open(root)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

/// A path the journal may name: `cases/`, `files/` or `parts/` and then one
/// or two plain names (two for the previous release's `files/<CASE>/<ATT>`).
fn journal_path(line: &str) -> Option<&str> {
    let mut parts = line.split('/');
    let top = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let plain = |n: &&str| {
        !n.is_empty()
            && !n.starts_with('.')
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    ([CASES_DIR, FILES_DIR, PARTS_DIR].contains(&top)
        && (1..=2).contains(&rest.len())
        && rest.iter().all(plain))
    .then_some(line)
}

/// Takes the vault's lock, waiting for it (after calling `waiting`) if
/// another command holds it.
fn lock(root: &Path, waiting: &mut dyn FnMut()) -> Result<File, VaultError> {
    let path = root.join(LOCK_FILE);
    let io_err = |what| {
        let path = path.clone();
        move |source| VaultError::Io { what, path, source }
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(io_err("open the lock"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock().map_err(io_err("lock"))?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_err("lock")(e)),
    }
    let _ = fix_times(&path);
    Ok(file)
}

impl Vault {
    /// A vault that must already exist; waits while another command uses it.
    pub fn existing(root: &Path, keys: OfficeKeys) -> Result<Vault, VaultError> {
        Self::existing_or_wait(root, keys, &mut || {})
    }

    /// As [`Vault::existing`]; `waiting` is called if another command holds the vault.
    pub fn existing_or_wait(
        root: &Path,
        keys: OfficeKeys,
        waiting: &mut dyn FnMut(),
    ) -> Result<Vault, VaultError> {
        if !root.is_dir() {
            return Err(VaultError::NotFound(root.to_path_buf()));
        }
        Self::locked(root, keys, waiting)
    }

    /// A vault, created (0700) if it is not there yet.
    pub fn create_if_absent(root: &Path, keys: OfficeKeys) -> Result<Vault, VaultError> {
        Self::create_or_wait(root, keys, &mut || {})
    }

    /// As [`Vault::create_if_absent`]; `waiting` is called if another command holds the vault.
    pub fn create_or_wait(
        root: &Path,
        keys: OfficeKeys,
        waiting: &mut dyn FnMut(),
    ) -> Result<Vault, VaultError> {
        fsx::create_private_dir(root).map_err(|source| VaultError::Io {
            what: "create the vault folder",
            path: root.to_path_buf(),
            source,
        })?;
        Self::locked(root, keys, waiting)
    }

    fn locked(root: &Path, keys: OfficeKeys, waiting: &mut dyn FnMut()) -> Result<Vault, VaultError> {
        let lock = lock(root, waiting)?;
        let vault = Vault {
            root: root.to_path_buf(),
            keys,
            _lock: lock,
        };
        // Under the lock: no other command can be writing these.
        if let Ok(list) = fs::read_dir(&vault.root) {
            for entry in list.flatten() {
                if entry.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        vault.recover()?;
        Ok(vault)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn keys(&self) -> &OfficeKeys {
        &self.keys
    }

    /// Where the SECRETDIR used with the vault at `root` is remembered:
    /// in the officer's own state folder, not in the vault, so a vault
    /// folder (copied, backed up or taken) does not say where the keys are.
    fn remembered_keys_file(root: &Path) -> Option<PathBuf> {
        let state = match std::env::var_os("XDG_STATE_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(std::env::var_os("HOME")?).join(".local/state"),
        };
        let root = fs::canonicalize(root).ok()?;
        let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
        Some(
            state
                .join("candor-desk")
                .join(format!("keys-for-{}", hex::encode(digest.get(..16)?))),
        )
    }

    /// The SECRETDIR last used with the vault at `root`, if one was remembered.
    pub fn remembered_keys(root: &Path) -> Option<PathBuf> {
        let text = fs::read_to_string(Self::remembered_keys_file(root)?).ok()?;
        let line = text.lines().next()?.trim();
        (!line.is_empty()).then(|| PathBuf::from(line))
    }

    /// Remembers the keys' folder (as an absolute path) for later commands,
    /// outside the vault; removes what the previous release kept in it.
    pub fn remember_keys(&self) -> Result<(), VaultError> {
        let old = self.root.join(KEYS_PATH_FILE);
        remove_if_present(&old).map_err(self.io("remove", &old))?;
        let Some(path) = Self::remembered_keys_file(&self.root) else {
            return Ok(());
        };
        let dir = fs::canonicalize(&self.keys.dir).unwrap_or_else(|_| self.keys.dir.clone());
        let text = format!("{}\n", dir.display());
        if fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            fsx::create_private_dir(parent).map_err(self.io("create", parent))?;
        }
        fsx::write_atomic(&path, text.as_bytes(), 0o600).map_err(self.io("write", &path))
    }

    fn io(&self, what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> VaultError {
        let path = path.to_path_buf();
        move |source| VaultError::Io { what, path, source }
    }

    /// Finishes a change committed by an interrupted run.
    fn recover(&self) -> Result<(), VaultError> {
        let commit = self.root.join(COMMIT_DIR);
        if commit.is_dir() {
            self.roll_forward(&commit)?;
        }
        Ok(())
    }

    /// Moves a committed change into place and removes its folder.
    fn roll_forward(&self, commit: &Path) -> Result<(), VaultError> {
        let journal = commit.join(JOURNAL);
        let text = match fs::read_to_string(&journal) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(self.io("read", &journal)(e)),
        };
        for line in text.lines() {
            let bad = || unreadable(&journal, format!("unknown line `{line}`"));
            let (what, arg) = line.split_once(' ').ok_or_else(bad)?;
            match what {
                "remove" => {
                    let file = self.root.join(journal_path(arg).ok_or_else(bad)?);
                    remove_if_present(&file).map_err(self.io("remove", &file))?;
                }
                // Written by the previous release (format 2).
                "remove-case" => {
                    let id: CaseId = arg.parse().map_err(|_| bad())?;
                    let file = self.root.join(CASES_DIR).join(format!("{id}{V2_CASE_SUFFIX}"));
                    remove_if_present(&file).map_err(self.io("remove", &file))?;
                    let dir = self.root.join(FILES_DIR).join(id.to_string());
                    remove_if_present(&dir).map_err(self.io("remove", &dir))?;
                }
                "remove-part" => {
                    let mut id = [0u8; 16];
                    hex::decode_to_slice(arg, &mut id).map_err(|_| bad())?;
                    let file = self.root.join(PARTS_DIR).join(hex::encode(id));
                    remove_if_present(&file).map_err(self.io("remove", &file))?;
                }
                _ => return Err(bad()),
            }
        }
        let mut moved = Vec::new();
        for sub in [CASES_DIR, PARTS_DIR, FILES_DIR] {
            self.move_children(&commit.join(sub), &self.root.join(sub), &mut moved)?;
        }
        let index = self.root.join(INDEX_FILE);
        move_into_place(&commit.join(INDEX_FILE), &index).map_err(self.io("move into place", &index))?;
        moved.push(index.clone());
        if index.exists() {
            for old in [LEGACY_AGE, LEGACY_JSON] {
                let path = self.root.join(old);
                remove_if_present(&path).map_err(self.io("remove", &path))?;
            }
        }
        sync_all_files(&self.root).map_err(self.io("sync", &self.root))?;
        fs::remove_dir_all(commit).map_err(self.io("remove", commit))?;
        for path in moved
            .iter()
            .chain(&[CASES_DIR, FILES_DIR, PARTS_DIR].map(|d| self.root.join(d)))
            .chain(std::iter::once(&self.root))
        {
            match fix_times(path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                other => other.map_err(self.io("set the times of", path))?,
            }
        }
        fsx::sync_dir(&self.root);
        Ok(())
    }

    /// Moves what `from` holds into `to` (a folder's files too, as the
    /// previous release's `files/<CASE>/` folders).
    fn move_children(&self, from: &Path, to: &Path, moved: &mut Vec<PathBuf>) -> Result<(), VaultError> {
        let Ok(list) = fs::read_dir(from) else {
            return Ok(());
        };
        for entry in list {
            let entry = entry.map_err(self.io("list", from))?;
            let dest = to.join(entry.file_name());
            if entry.path().is_dir() {
                self.move_children(&entry.path(), &dest, moved)?;
                moved.push(dest);
            } else {
                move_into_place(&entry.path(), &dest).map_err(self.io("move into place", &dest))?;
                moved.push(dest);
            }
        }
        Ok(())
    }

    /// Reads the index (or an older vault's); no case file is read.
    fn stored(&self) -> Result<Stored, VaultError> {
        let ids = self.keys.identity_refs();
        let path = self.root.join(INDEX_FILE);
        if let Some(ciphertext) = read_optional(&path)? {
            let plain = decrypt_with(&path, &ciphertext, &ids)?;
            #[derive(Deserialize)]
            struct Format {
                format: u32,
            }
            let format: Format = serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?;
            return match format.format {
                FORMAT => Ok(Stored::Current(
                    serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?,
                )),
                V2_FORMAT => {
                    let index: IndexV2 =
                        serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?;
                    debug_assert_eq!(index.format, V2_FORMAT);
                    Ok(Stored::Format2(index))
                }
                other => Err(unreadable(&path, format!("unknown vault format {other}"))),
            };
        }
        let legacy_age = self.root.join(LEGACY_AGE);
        let legacy_json = self.root.join(LEGACY_JSON);
        let (path, plain) = match read_optional(&legacy_age)? {
            Some(c) => (legacy_age.clone(), decrypt_with(&legacy_age, &c, &ids)?),
            None => match read_optional(&legacy_json)? {
                Some(b) => (legacy_json, SecretBytes::new(b)),
                None => return Ok(Stored::Empty),
            },
        };
        let old: LegacyState = serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?;
        if old.format != LEGACY_FORMAT {
            return Err(unreadable(&path, format!("unknown vault format {}", old.format)));
        }
        Ok(Stored::Legacy(old))
    }

    /// Checks that the keys open the vault, migrates a vault written by an
    /// earlier release, and returns the index (a fresh one if nothing was
    /// ever committed).
    pub fn index(&self) -> Result<Index, VaultError> {
        match self.stored()? {
            Stored::Empty => Index::new(),
            Stored::Current(index) => Ok(index),
            Stored::Format2(old) => {
                self.migrate_format2(old)?;
                self.current_index()
            }
            Stored::Legacy(old) => {
                self.migrate_legacy(old)?;
                self.current_index()
            }
        }
    }

    fn current_index(&self) -> Result<Index, VaultError> {
        match self.stored()? {
            Stored::Current(index) => Ok(index),
            Stored::Empty => Index::new(),
            _ => Err(unreadable(&self.root, "the vault could not be migrated")),
        }
    }

    /// Rewrites a format-2 vault in this format, in one change.
    fn migrate_format2(&self, old: IndexV2) -> Result<(), VaultError> {
        let mut change = self.begin_with(Index {
            format: FORMAT,
            server_key: old.server_key,
            head: old.head,
            parts: BTreeMap::new(),
            pending_purges: old.pending_purges,
            purged_uploads: BTreeMap::new(),
            entries_v2: false,
            other_channel_cases: BTreeMap::new(),
            key: old.key,
            cases: BTreeMap::new(),
        })?;
        let cases_dir = self.root.join(CASES_DIR);
        let mut names = Vec::new();
        if let Ok(list) = fs::read_dir(&cases_dir) {
            for entry in list {
                let entry = entry.map_err(self.io("list", &cases_dir))?;
                if let Some(name) = entry.file_name().to_str().map(str::to_owned) {
                    names.push(name);
                }
            }
        }
        for name in names {
            let Some(id) = name
                .strip_suffix(V2_CASE_SUFFIX)
                .and_then(|n| n.parse::<CaseId>().ok())
            else {
                continue;
            };
            let path = cases_dir.join(&name);
            let Some(ciphertext) = read_optional(&path)? else {
                continue;
            };
            let plain = decrypt_with(
                &path,
                &ciphertext,
                &[&change.index.key.format2() as &dyn age::Identity],
            )?;
            let case: CaseRecord =
                serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?;
            if case.id != id {
                return Err(VaultError::CaseFileMismatch { case: id });
            }
            change.migrate_case(&case, &format!("{CASES_DIR}/{name}"))?;
        }
        for (id, next) in old.parts {
            change.migrate_part(&id, next)?;
        }
        change.commit()
    }

    /// Rewrites a format-1 vault (one file) in this format, in one change.
    fn migrate_legacy(&self, old: LegacyState) -> Result<(), VaultError> {
        let mut change = self.begin_with(Index {
            format: FORMAT,
            server_key: old.server_key,
            head: old.head,
            parts: BTreeMap::new(),
            pending_purges: old.pending_purges,
            purged_uploads: BTreeMap::new(),
            entries_v2: false,
            other_channel_cases: BTreeMap::new(),
            key: VaultKey::generate()?,
            cases: BTreeMap::new(),
        })?;
        for case in old.cases.values() {
            change.migrate_case(case, "")?;
        }
        for (id, next) in old.parts {
            change.migrate_part(&id, next)?;
        }
        change.commit()
    }

    fn case_path(&self, name: &str) -> PathBuf {
        self.root.join(CASES_DIR).join(name)
    }

    /// Reads a case file, checking it against the index and its binding.
    fn read_case_file(path: &Path, index: &Index, id: CaseId) -> Result<Option<CaseRecord>, VaultError> {
        let Some(entry) = index.cases.get(&id) else {
            return Ok(None);
        };
        let Some(ciphertext) = read_optional(path)? else {
            return Err(VaultError::CaseFileMismatch { case: id });
        };
        if hex::encode(Sha256::digest(&ciphertext)) != entry.digest {
            return Err(VaultError::CaseFileMismatch { case: id });
        }
        let key = index.key.for_case(id, entry.version);
        let plain = decrypt_with(path, &ciphertext, &[&key as &dyn age::Identity])
            .map_err(|_| VaultError::CaseFileMismatch { case: id })?;
        let case: CaseRecord = serde_json::from_slice(plain.expose()).map_err(|e| unreadable(path, e))?;
        if case.id != id {
            return Err(VaultError::CaseFileMismatch { case: id });
        }
        Ok(Some(case))
    }

    /// The index and every case's summary; no case file is read.
    pub fn load(&self) -> Result<VaultState, VaultError> {
        let mut index = self.index()?;
        let cases = std::mem::take(&mut index.cases)
            .into_iter()
            .map(|(id, e)| (id, e.summary))
            .collect();
        Ok(VaultState { index, cases })
    }

    /// One case, decrypted.
    pub fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, VaultError> {
        let index = self.index()?;
        let Some(entry) = index.cases.get(&id) else {
            return Ok(None);
        };
        let path = self.case_path(&index.key.case_name(id));
        let _ = entry;
        Self::read_case_file(&path, &index, id)
    }

    /// Every case, decrypted, with the index read once (the desktop
    /// application holds them in memory for its search).
    pub fn all_cases(&self) -> Result<Vec<CaseRecord>, VaultError> {
        let index = self.index()?;
        let mut cases = Vec::with_capacity(index.cases.len());
        for id in index.cases.keys() {
            let path = self.case_path(&index.key.case_name(*id));
            if let Some(case) = Self::read_case_file(&path, &index, *id)? {
                cases.push(case);
            }
        }
        Ok(cases)
    }

    /// Where an attachment (its ciphertext) is kept.
    pub fn attachment_path(&self, case: CaseId, attachment: &str) -> Result<PathBuf, VaultError> {
        let index = self.index()?;
        Ok(self
            .root
            .join(FILES_DIR)
            .join(index.key.file_name(case, attachment)))
    }

    /// Where the ciphertext of a not yet claimed attachment is kept.
    pub fn part_path(&self, index: &Index, attachment: &str) -> PathBuf {
        self.root.join(PARTS_DIR).join(index.key.part_name(attachment))
    }

    /// Starts a change: nothing in the vault changes until [`Change::commit`].
    pub fn begin(&self) -> Result<Change<'_>, VaultError> {
        let index = self.index()?;
        self.begin_with(index)
    }

    fn begin_with(&self, index: Index) -> Result<Change<'_>, VaultError> {
        let name = fsx::random::<8>().map_err(|e| VaultError::Io {
            what: "name a staging folder",
            path: self.root.clone(),
            source: io::Error::other(e.to_string()),
        })?;
        let path = self.root.join(format!("{STAGING_PREFIX}{}", hex::encode(name)));
        for sub in [CASES_DIR, FILES_DIR, PARTS_DIR] {
            let dir = path.join(sub);
            fsx::create_private_dir(&dir).map_err(self.io("create", &dir))?;
        }
        Ok(Change {
            vault: self,
            staging: Staging { path },
            index,
            staged: BTreeSet::new(),
            remove: BTreeSet::new(),
            case_limit: u64::MAX,
        })
    }
}

/// A change to the vault, prepared in a staging folder; see the module docs.
#[derive(Debug)]
pub struct Change<'v> {
    vault: &'v Vault,
    staging: Staging,
    pub index: Index,
    /// Cases whose file this change wrote.
    staged: BTreeSet<CaseId>,
    /// Files (relative to the vault) to delete at the commit.
    remove: BTreeSet<String>,
    /// The most bytes a case may hold (its JSON, before padding).
    case_limit: u64,
}

impl Change<'_> {
    pub fn vault(&self) -> &Vault {
        self.vault
    }

    /// The staging folder (for files on their way in, e.g. chunks).
    pub fn staging(&self) -> &Path {
        &self.staging.path
    }

    /// Refuses any case written by this change that is larger than `bytes`.
    pub fn limit_case_bytes(&mut self, bytes: u64) {
        self.case_limit = bytes;
    }

    fn case_rel(&self, id: CaseId) -> String {
        format!("{CASES_DIR}/{}", self.index.key.case_name(id))
    }

    /// A case as this change sees it.
    pub fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, VaultError> {
        let rel = self.case_rel(id);
        let path = if self.staged.contains(&id) {
            self.staging.path.join(rel)
        } else {
            self.vault.root.join(rel)
        };
        Vault::read_case_file(&path, &self.index, id)
    }

    /// Writes (or rewrites) a case into the change.
    pub fn put_case(&mut self, case: &CaseRecord) -> Result<(), VaultError> {
        let version = self.index.cases.get(&case.id).map_or(1, |e| e.version + 1);
        let key = self.index.key.for_case(case.id, version);
        let (ciphertext, len) = seal_padded(case, &[&key as &dyn age::Recipient])?;
        if len > self.case_limit {
            return Err(VaultError::CaseTooLarge {
                case: case.id,
                bytes: len,
                limit: self.case_limit,
            });
        }
        let rel = self.case_rel(case.id);
        let path = self.staging.path.join(&rel);
        let mut f = fsx::create_private_file(&path).map_err(self.vault.io("write", &path))?;
        f.write_all(&ciphertext).map_err(self.vault.io("write", &path))?;
        self.index.cases.insert(
            case.id,
            CaseEntry {
                version,
                digest: hex::encode(Sha256::digest(&ciphertext)),
                summary: case.summary(),
            },
        );
        self.staged.insert(case.id);
        self.remove.remove(&rel);
        Ok(())
    }

    /// Removes a case and its files, without reading the case file.
    pub fn remove_case(&mut self, id: CaseId) -> Result<(), VaultError> {
        let Some(entry) = self.index.cases.remove(&id) else {
            return Ok(());
        };
        let mut rels = vec![self.case_rel(id)];
        for a in entry.summary.all_attachments() {
            rels.push(format!("{FILES_DIR}/{}", self.index.key.file_name(id, &a.id)));
        }
        for rel in rels {
            let staged = self.staging.path.join(&rel);
            remove_if_present(&staged).map_err(self.vault.io("remove", &staged))?;
            self.remove.insert(rel);
        }
        self.staged.remove(&id);
        Ok(())
    }

    /// Where to stage an attachment's ciphertext for `case`.
    pub fn attachment_path(&self, case: CaseId, attachment: &str) -> PathBuf {
        self.staging
            .path
            .join(FILES_DIR)
            .join(self.index.key.file_name(case, attachment))
    }

    /// Where the vault keeps an attachment of `case` now (before this change).
    pub fn kept_attachment_path(&self, case: CaseId, attachment: &str) -> PathBuf {
        self.vault
            .root
            .join(FILES_DIR)
            .join(self.index.key.file_name(case, attachment))
    }

    /// Where to stage the ciphertext of an attachment still waiting for its envelope.
    pub fn part_path(&mut self, attachment: &str) -> PathBuf {
        let rel = format!("{PARTS_DIR}/{}", self.index.key.part_name(attachment));
        self.remove.remove(&rel);
        self.staging.path.join(rel)
    }

    /// Where the vault keeps a waiting attachment's ciphertext now.
    pub fn kept_part_path(&self, attachment: &str) -> PathBuf {
        self.vault.part_path(&self.index, attachment)
    }

    /// Deletes a waiting attachment's ciphertext at the commit.
    pub fn remove_part(&mut self, attachment: &str) {
        self.index.parts.remove(attachment);
        let rel = format!("{PARTS_DIR}/{}", self.index.key.part_name(attachment));
        let staged = self.staging.path.join(&rel);
        let _ = remove_if_present(&staged);
        self.remove.insert(rel);
    }

    /// Moves a case of an older vault into this change, with its attachment
    /// files (linked, so the old ones stay until the commit); `old` names the
    /// old case file to remove ("" if there is none).
    fn migrate_case(&mut self, case: &CaseRecord, old: &str) -> Result<(), VaultError> {
        self.put_case(case)?;
        if !old.is_empty() {
            self.remove.insert(old.to_owned());
        }
        let folder = format!("{FILES_DIR}/{}", case.id);
        for a in case.all_attachments() {
            let from = self.vault.root.join(&folder).join(&a.id);
            if from.is_file() {
                let to = self.attachment_path(case.id, &a.id);
                fs::hard_link(&from, &to).map_err(self.vault.io("link", &to))?;
                fs::set_permissions(&to, fs::Permissions::from_mode(0o600))
                    .map_err(self.vault.io("protect", &to))?;
                self.remove.insert(format!("{folder}/{}", a.id));
            }
        }
        self.remove.insert(folder);
        Ok(())
    }

    /// Moves a waiting part of an older vault (kept as `parts/<ATT>`) into this change.
    fn migrate_part(&mut self, id: &str, next: u32) -> Result<(), VaultError> {
        let rel = format!("{PARTS_DIR}/{id}");
        let from = self.vault.root.join(&rel);
        if journal_path(&rel).is_none() || !from.is_file() {
            return Ok(());
        }
        let to = self.part_path(id);
        fs::hard_link(&from, &to).map_err(self.vault.io("link", &to))?;
        fs::set_permissions(&to, fs::Permissions::from_mode(0o600)).map_err(self.vault.io("protect", &to))?;
        let bytes = fs::metadata(&to).map_err(self.vault.io("read", &to))?.len();
        self.index.parts.insert(
            id.to_owned(),
            WaitingPart {
                next,
                bytes,
                exports: 0,
            },
        );
        self.remove.insert(rel);
        Ok(())
    }

    /// Commits the change; see the module docs.
    pub fn commit(self) -> Result<(), VaultError> {
        let vault = self.vault;
        let stage = self.staging.path.clone();
        let mut journal = String::new();
        for rel in &self.remove {
            if !stage.join(rel).exists() {
                journal.push_str(&format!("remove {rel}\n"));
            }
        }
        let journal_file = stage.join(JOURNAL);
        let mut f = fsx::create_private_file(&journal_file).map_err(vault.io("write", &journal_file))?;
        f.write_all(journal.as_bytes())
            .map_err(vault.io("write", &journal_file))?;
        drop(f);
        let (ciphertext, _) = seal_padded(&self.index, &vault.keys.recipient_refs())?;
        let index_path = stage.join(INDEX_FILE);
        let mut f = fsx::create_private_file(&index_path).map_err(vault.io("write", &index_path))?;
        f.write_all(&ciphertext).map_err(vault.io("write", &index_path))?;
        drop(f);
        sync_all_files(&stage).map_err(vault.io("sync", &stage))?;
        let commit = vault.root.join(COMMIT_DIR);
        fs::rename(&stage, &commit).map_err(vault.io("commit", &commit))?;
        fsx::sync_dir(&vault.root);
        vault.roll_forward(&commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::keyfiles::OfficeKeys;

    fn vault(dir: &Path) -> (Vault, age::x25519::Recipient) {
        let office = age::x25519::Identity::generate();
        let public = office.to_public();
        let keys = OfficeKeys::from_age(vec![office], dir.to_path_buf());
        (
            Vault::create_if_absent(&dir.join("v"), keys).expect("vault"),
            public,
        )
    }

    const LEGACY: &str = r#"{"format":1,"server_key":null,
        "head":{"seq":3,"hash":"0303030303030303030303030303030303030303030303030303030303030303"},
        "cases":{"00000-0000A":{"id":"00000-0000A","received":"2026-02-16","recipient":"","kind":"advice",
          "categories":["gifts"],"description":"May I keep the watch?","attachments":[],"thread":[],
          "status_history":[{"status":"received","day":"2026-02-16"}],"channel":"phone","upload":null}},
        "parts":{},"pending_purges":{}}"#;

    fn legacy_case() -> CaseRecord {
        let legacy: LegacyState = serde_json::from_str(LEGACY).expect("json");
        legacy.cases.into_values().next().expect("case")
    }

    fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).expect("list").flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    all.push((e.path(), fs::read(e.path()).expect("read")));
                }
            }
        }
        all.sort();
        all
    }

    /// A format-1 vault (`vault.age`, every case in one file) is migrated
    /// when first opened with the keys.
    #[test]
    fn single_file_vaults_are_migrated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, public) = vault(dir.path());
        let sealed =
            crate::core::envelope::encrypt_bytes(LEGACY.as_bytes(), &[&public as &dyn age::Recipient])
                .expect("seal");
        fs::write(v.root().join(LEGACY_AGE), sealed).expect("write");
        let id: CaseId = "00000-0000A".parse().expect("id");

        let state = v.load().expect("load");
        assert_eq!(state.index.head().expect("head").seq, 3);
        assert!(!v.root().join(LEGACY_AGE).exists());
        assert!(v.root().join(INDEX_FILE).is_file());
        let case = v.case(id).expect("read").expect("case");
        assert_eq!(case.description.expose(), "May I keep the watch?");
        assert_eq!(
            state.cases.get(&id).map(|c| c.categories.clone()),
            Some(vec!["gifts".to_owned()])
        );
    }

    /// A change dropped before its commit leaves every file as it was; a
    /// committed change interrupted while moving into place is finished by
    /// the next use of the vault.
    #[test]
    fn changes_are_all_or_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let case = legacy_case();
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        let before = snapshot(v.root());

        let mut change = v.begin().expect("begin");
        change.remove_case(case.id).expect("remove");
        change.index.set_head(Head {
            seq: 9,
            hash: [9; 32],
        });
        drop(change);
        assert_eq!(snapshot(v.root()), before, "a dropped change leaves no trace");

        // Commit by hand up to the commit point, as if the power went then.
        let mut change = v.begin().expect("begin");
        let rel = change.case_rel(case.id);
        change.remove_case(case.id).expect("remove");
        change.index.set_head(Head {
            seq: 9,
            hash: [9; 32],
        });
        let stage = change.staging().to_path_buf();
        fs::write(stage.join(JOURNAL), format!("remove {rel}\n")).expect("journal");
        let (sealed, _) = seal_padded(&change.index, &v.keys().recipient_refs()).expect("seal");
        fs::write(stage.join(INDEX_FILE), sealed).expect("index");
        fs::rename(&stage, v.root().join(COMMIT_DIR)).expect("rename");
        drop(change);
        assert!(v.root().join(COMMIT_DIR).is_dir());
        // The next use finishes it.
        v.recover().expect("recover");
        assert!(v.case(case.id).expect("read").is_none());
        assert_eq!(v.index().expect("index").head().expect("head").seq, 9);
        assert!(!v.root().join(COMMIT_DIR).exists());
        assert!(!v.root().join(rel).exists());
    }

    /// Case files are encrypted with the vault key, which only the index
    /// (encrypted to the office keys) holds: another office key opens
    /// neither; their names and times say nothing.
    #[test]
    fn case_files_need_the_office_key_and_show_no_ids_or_times() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let case = legacy_case();
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        for e in fs::read_dir(v.root().join(CASES_DIR)).expect("list").flatten() {
            let bytes = fs::read(e.path()).expect("read");
            assert!(!bytes.windows(9).any(|w| w == b"the watch"));
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(!name.contains("0000A") && name.len() == 32, "{name}");
            let modified = e.metadata().expect("meta").modified().expect("mtime");
            assert_eq!(modified, SystemTime::UNIX_EPOCH + FIXED_TIME);
        }
        drop(v);
        let other = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], dir.path().to_path_buf());
        let stranger = Vault::existing(&dir.path().join("v"), other).expect("vault");
        assert!(matches!(stranger.case(case.id), Err(VaultError::Decrypt(_))));
    }

    /// A case file put back from an earlier version, or another case's file
    /// under its name, is refused.
    #[test]
    fn swapped_or_rolled_back_case_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let mut case = legacy_case();
        let mut other = legacy_case();
        other.id = "00000-0000B".parse().expect("id");
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.put_case(&other).expect("put");
        change.commit().expect("commit");
        let index = v.index().expect("index");
        let path = v.case_path(&index.key.case_name(case.id));
        let other_path = v.case_path(&index.key.case_name(other.id));
        let old = fs::read(&path).expect("read");

        case.categories.push("other".into());
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        let new = fs::read(&path).expect("read");
        assert!(v.case(case.id).expect("reads").is_some());

        fs::write(&path, &old).expect("roll back");
        assert!(matches!(
            v.case(case.id),
            Err(VaultError::CaseFileMismatch { .. })
        ));
        fs::write(&path, fs::read(&other_path).expect("other")).expect("swap");
        assert!(matches!(
            v.case(case.id),
            Err(VaultError::CaseFileMismatch { .. })
        ));
        fs::write(&path, &new).expect("restore");
        assert_eq!(v.case(case.id).expect("reads").expect("case").categories.len(), 2);
    }

    /// A second command waits for the first one's lock.
    #[test]
    fn a_second_user_of_the_vault_waits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let root = v.root().to_path_buf();
        let keys_dir = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        let second = std::thread::spawn(move || {
            let keys = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], keys_dir);
            let mut waited = false;
            let _v = Vault::existing_or_wait(&root, keys, &mut || waited = true).expect("vault");
            tx.send(waited).expect("send");
        });
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            rx.try_recv().is_err(),
            "the second got the vault while the first held it"
        );
        drop(v);
        assert_eq!(rx.recv().ok(), Some(true));
        second.join().expect("thread");
    }
}

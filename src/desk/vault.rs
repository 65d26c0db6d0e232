//! The vault: the desk's store of cases, on the air-gapped machine's disk.
//!
//! This module is the only one that knows how a vault is laid out.
//!
//! # Layout
//!
//! ```text
//! VAULT/                       0700
//!   index.age                  0600  the index, encrypted with age to every office key
//!                                    (age and/or OpenPGP): pinned server key, last
//!                                    verified head, attachment parts waiting for their
//!                                    envelope, pending purges, and the vault key
//!   cases/<CASE>.age           0600  one case (fields, thread, status history, pending
//!                                    operations), encrypted with the vault key
//!   keys.path                  0600  the SECRETDIR last used with this vault (a
//!                                    path, no key), so `--keys` may be left out
//!   files/<CASE>/<ATT>         0600  attachments, as the server's ciphertext (an
//!                                    age stream to the office keys, padded);
//!                                    decrypted only by `show --extract`
//!   parts/<ATT>                0600  ciphertext of attachments whose chunks came
//!                                    in an export before the envelope that lists them
//!   .staging-<random>/               a change being prepared (ciphertext only)
//!   .commit/                         a committed change being moved into place
//! ```
//!
//! # Wire format
//!
//! `index.age` is an age file (to the office recipients) holding JSON; the
//! vault key in it is 32 random bytes. A case file is an age file holding
//! the case as JSON, whose one stanza is
//!
//! ```text
//! -> candor-vault <base64 salt, 16 bytes>
//! <ChaCha20-Poly1305 of the 16-byte file key, under HKDF-SHA256(salt, "candor-vault", vault key)>
//! ```
//!
//! built from age's own primitives (the same wrap age's X25519 stanza uses).
//! So every case is encrypted at rest to the office keys through the index,
//! and a case costs a symmetric wrap, not one public-key operation per office
//! key (an OpenPGP key costs about 0.6 ms per encryption).
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
//! commit leaves every vault file as it was.
//!
//! Older vaults (`vault.json`, then `vault.age`: one file with every case)
//! are still read; the first change writes them in this layout and removes
//! the old file. Attachments of a `vault.json` vault stay in the clear until
//! the case is purged.
//!
//! # Invariants
//!
//! - Nothing from a case reaches the disk in the clear: the index and the
//!   cases only encrypted, attachments only as ciphertext. Plaintext appears
//!   where the officer asks for it (`show` prints, `show --extract DIR`
//!   writes DIR). What the names show: case ids and how many cases there
//!   are, which the server knows too.
//! - Memory: a change holds the index and the cases it is working on, never
//!   the whole vault, so `open` works case by case however large the bundle.
//! - The index is encrypted to the keys the desk was given, so a vault
//!   opened with an age key and an OpenPGP key can afterwards be read with
//!   either; the vault key stays the same.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use age_core::format::{FileKey, Stanza};
use age_core::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::fsx;
use super::keyfiles::OfficeKeys;
use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::core::log::Head;
use crate::core::secret::{SecretBytes, SecretText, serialize_opt_secret_text, serialize_secret_text};

const INDEX_FILE: &str = "index.age";
const CASES_DIR: &str = "cases";
const FILES_DIR: &str = "files";
const PARTS_DIR: &str = "parts";
const JOURNAL: &str = "journal";
const COMMIT_DIR: &str = ".commit";
const LEGACY_AGE: &str = "vault.age";
const LEGACY_JSON: &str = "vault.json";
const KEYS_PATH_FILE: &str = "keys.path";
const STAGING_PREFIX: &str = ".staging-";
const CASE_SUFFIX: &str = ".age";
/// The index's format; 1 was the single-file vault.
const FORMAT: u32 = 2;
const LEGACY_FORMAT: u32 = 1;
const VAULT_STANZA: &str = "candor-vault";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("there is no vault at {}", .0.display())]
    NotFound(PathBuf),
    #[error("{} is not a vault this version of candor-desk can read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("could not decrypt the vault at {}: is this the office key it was made with?", .0.display())]
    Decrypt(PathBuf),
    #[error("could not encrypt the vault")]
    Encrypt,
    #[error("could not {what} in the vault at {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

/// A vault folder and the office keys that open it.
#[derive(Debug)]
pub struct Vault {
    root: PathBuf,
    keys: OfficeKeys,
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

    fn wrapping_key(&self, salt: &[u8]) -> [u8; 32] {
        age_core::primitives::hkdf(salt, VAULT_STANZA.as_bytes(), self.0.as_slice())
    }
}

impl age::Recipient for VaultKey {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, std::collections::HashSet<String>), age::EncryptError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| age::EncryptError::Io(io::Error::other(e.to_string())))?;
        let key = Zeroizing::new(self.wrapping_key(&salt));
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

impl age::Identity for VaultKey {
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
        let key = Zeroizing::new(self.wrapping_key(&salt));
        Some(
            age_core::primitives::aead_decrypt(&key, 16, &stanza.body)
                .ok()
                .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
                .map(|b| FileKey::new(Box::new(b)))
                .ok_or(age::DecryptError::DecryptionFailed),
        )
    }
}

/// What `index.age` holds: everything but the cases.
#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    format: u32,
    /// Hex of the server's Ed25519 key, pinned at the first open.
    server_key: Option<String>,
    head: HeadRecord,
    /// Attachments still waiting for their envelope: hex id -> next chunk index.
    #[serde(default)]
    pub parts: BTreeMap<String, u32>,
    /// Purges not yet seen back from the server: case -> op id (hex).
    #[serde(default)]
    pub pending_purges: BTreeMap<CaseId, String>,
    /// An entry of version 2 was accepted: from here on the server writes
    /// no version 1 entry, so one is refused (see `desk::verify`).
    #[serde(default)]
    pub entries_v2: bool,
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

/// The whole vault, read for the commands that show all of it (`cases`,
/// `stats`, `purge --closed-before`).
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
    /// A case recorded here with a receipt, to be filed on the server.
    #[serde(default)]
    pub upload: Option<Upload>,
    /// Hex of the reporter's message key, sealed in the report: every
    /// follow-up message must carry its MAC. `None` for a case filed before
    /// messages were authenticated, or recorded without a receipt.
    #[serde(serialize_with = "serialize_opt_secret_text", default)]
    pub message_key: Option<SecretText>,
}

/// A recorded case on its way to the server (see `record --issue-receipt`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    /// The outbox op id (hex).
    pub op: String,
    /// The receipt's look-up id (hex); the receipt itself is never kept.
    pub lookup: String,
    pub delivered: bool,
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

impl Index {
    fn new() -> Result<Index, VaultError> {
        Ok(Index {
            format: FORMAT,
            server_key: None,
            head: HeadRecord::default(),
            parts: BTreeMap::new(),
            pending_purges: BTreeMap::new(),
            entries_v2: false,
            key: VaultKey::generate()?,
        })
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
    /// A format-1 vault: every case in one file, read whole.
    Legacy(Index, BTreeMap<CaseId, CaseRecord>),
}

fn case_file_name(id: CaseId) -> String {
    format!("{id}{CASE_SUFFIX}")
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

/// Encrypts `plain` with age to `recipients`.
fn encrypt_to(plain: &[u8], recipients: &[&dyn age::Recipient]) -> Result<Vec<u8>, VaultError> {
    crate::core::envelope::encrypt_bytes(plain, recipients).map_err(|_| VaultError::Encrypt)
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, VaultError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VaultError::Io {
            what: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
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

impl Vault {
    /// A vault that must already exist.
    pub fn existing(root: &Path, keys: OfficeKeys) -> Result<Vault, VaultError> {
        if !root.is_dir() {
            return Err(VaultError::NotFound(root.to_path_buf()));
        }
        Ok(Vault {
            root: root.to_path_buf(),
            keys,
        })
    }

    /// A vault, created (0700) if it is not there yet.
    pub fn create_if_absent(root: &Path, keys: OfficeKeys) -> Result<Vault, VaultError> {
        fsx::create_private_dir(root).map_err(|source| VaultError::Io {
            what: "create the vault folder",
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Vault {
            root: root.to_path_buf(),
            keys,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn keys(&self) -> &OfficeKeys {
        &self.keys
    }

    /// The SECRETDIR last used with the vault at `root`, if one was remembered.
    pub fn remembered_keys(root: &Path) -> Option<PathBuf> {
        let text = fs::read_to_string(root.join(KEYS_PATH_FILE)).ok()?;
        let line = text.lines().next()?.trim();
        (!line.is_empty()).then(|| PathBuf::from(line))
    }

    /// Remembers the keys' folder (as an absolute path) for later commands.
    pub fn remember_keys(&self) -> Result<(), VaultError> {
        let dir = fs::canonicalize(&self.keys.dir).unwrap_or_else(|_| self.keys.dir.clone());
        let path = self.root.join(KEYS_PATH_FILE);
        let text = format!("{}\n", dir.display());
        if fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            return Ok(());
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
                "remove-case" => {
                    let id: CaseId = arg.parse().map_err(|_| bad())?;
                    let file = self.case_path(id);
                    remove_if_present(&file).map_err(self.io("remove", &file))?;
                    let dir = self.root.join(FILES_DIR).join(id.to_string());
                    remove_if_present(&dir).map_err(self.io("remove", &dir))?;
                }
                "remove-part" => {
                    let mut id = [0u8; 16];
                    hex::decode_to_slice(arg, &mut id).map_err(|_| bad())?;
                    let file = self.part_path(&hex::encode(id));
                    remove_if_present(&file).map_err(self.io("remove", &file))?;
                }
                _ => return Err(bad()),
            }
        }
        for sub in [CASES_DIR, PARTS_DIR] {
            self.move_children(&commit.join(sub), &self.root.join(sub))?;
        }
        let files = commit.join(FILES_DIR);
        if let Ok(list) = fs::read_dir(&files) {
            for case in list.flatten() {
                self.move_children(&case.path(), &self.root.join(FILES_DIR).join(case.file_name()))?;
            }
        }
        let index = self.root.join(INDEX_FILE);
        move_into_place(&commit.join(INDEX_FILE), &index).map_err(self.io("move into place", &index))?;
        if index.exists() {
            for old in [LEGACY_AGE, LEGACY_JSON] {
                let path = self.root.join(old);
                remove_if_present(&path).map_err(self.io("remove", &path))?;
            }
        }
        sync_all_files(&self.root).map_err(self.io("sync", &self.root))?;
        fs::remove_dir_all(commit).map_err(self.io("remove", commit))?;
        fsx::sync_dir(&self.root);
        Ok(())
    }

    fn move_children(&self, from: &Path, to: &Path) -> Result<(), VaultError> {
        let Ok(list) = fs::read_dir(from) else {
            return Ok(());
        };
        for entry in list {
            let entry = entry.map_err(self.io("list", from))?;
            let dest = to.join(entry.file_name());
            move_into_place(&entry.path(), &dest).map_err(self.io("move into place", &dest))?;
        }
        Ok(())
    }

    /// Reads the index (or an older vault whole); nothing is decrypted but that.
    fn stored(&self) -> Result<Stored, VaultError> {
        self.recover()?;
        let ids = self.keys.identity_refs();
        let path = self.root.join(INDEX_FILE);
        if let Some(ciphertext) = read_optional(&path)? {
            let plain = decrypt_with(&path, &ciphertext, &ids)?;
            let index: Index = serde_json::from_slice(plain.expose()).map_err(|e| unreadable(&path, e))?;
            if index.format != FORMAT {
                return Err(unreadable(
                    &path,
                    format!("unknown vault format {}", index.format),
                ));
            }
            return Ok(Stored::Current(index));
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
        let index = Index {
            format: FORMAT,
            server_key: old.server_key,
            head: old.head,
            parts: old.parts,
            pending_purges: old.pending_purges,
            entries_v2: false,
            key: VaultKey::generate()?,
        };
        Ok(Stored::Legacy(index, old.cases))
    }

    /// Checks that the keys open the vault, and returns its index (a fresh
    /// one if nothing was ever committed).
    pub fn index(&self) -> Result<Index, VaultError> {
        Ok(match self.stored()? {
            Stored::Empty => Index::new()?,
            Stored::Current(index) | Stored::Legacy(index, _) => index,
        })
    }

    fn case_path(&self, id: CaseId) -> PathBuf {
        self.root.join(CASES_DIR).join(case_file_name(id))
    }

    fn read_case_file(path: &Path, key: &VaultKey) -> Result<Option<CaseRecord>, VaultError> {
        let Some(ciphertext) = read_optional(path)? else {
            return Ok(None);
        };
        let plain = decrypt_with(path, &ciphertext, &[key as &dyn age::Identity])?;
        serde_json::from_slice(plain.expose())
            .map(Some)
            .map_err(|e| unreadable(path, e))
    }

    /// Every case id in the vault, in order.
    fn case_ids_on_disk(&self) -> Result<Vec<CaseId>, VaultError> {
        let dir = self.root.join(CASES_DIR);
        let list = match fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("list", &dir)(e)),
        };
        let mut ids = Vec::new();
        for entry in list {
            let entry = entry.map_err(self.io("list", &dir))?;
            let name = entry.file_name();
            if let Some(id) = name
                .to_str()
                .and_then(|n| n.strip_suffix(CASE_SUFFIX))
                .and_then(|n| n.parse::<CaseId>().ok())
            {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// The whole vault, decrypted: for the commands that show all of it.
    pub fn load(&self) -> Result<VaultState, VaultError> {
        match self.stored()? {
            Stored::Empty => Ok(VaultState {
                index: Index::new()?,
                cases: BTreeMap::new(),
            }),
            Stored::Legacy(index, cases) => Ok(VaultState { index, cases }),
            Stored::Current(index) => {
                let mut cases = BTreeMap::new();
                for id in self.case_ids_on_disk()? {
                    if let Some(case) = Self::read_case_file(&self.case_path(id), &index.key)? {
                        cases.insert(id, case);
                    }
                }
                Ok(VaultState { index, cases })
            }
        }
    }

    /// The vault one case at a time: `f` sees each case in turn.
    pub fn for_each_case(
        &self,
        mut f: impl FnMut(&Index, CaseRecord) -> Result<(), super::DeskError>,
    ) -> Result<(), super::DeskError> {
        match self.stored()? {
            Stored::Empty => Ok(()),
            Stored::Legacy(index, cases) => cases.into_values().try_for_each(|c| f(&index, c)),
            Stored::Current(index) => {
                for id in self.case_ids_on_disk()? {
                    if let Some(case) = Self::read_case_file(&self.case_path(id), &index.key)? {
                        f(&index, case)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// How many cases the vault holds (for progress bars).
    pub fn case_count(&self) -> Result<usize, VaultError> {
        match self.stored()? {
            Stored::Empty => Ok(0),
            Stored::Legacy(_, cases) => Ok(cases.len()),
            Stored::Current(_) => Ok(self.case_ids_on_disk()?.len()),
        }
    }

    /// One case, decrypted.
    pub fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, VaultError> {
        match self.stored()? {
            Stored::Empty => Ok(None),
            Stored::Legacy(_, mut cases) => Ok(cases.remove(&id)),
            Stored::Current(index) => Self::read_case_file(&self.case_path(id), &index.key),
        }
    }

    /// Where an attachment (its ciphertext) is kept.
    pub fn attachment_path(&self, case: CaseId, attachment: &str) -> PathBuf {
        self.root.join(FILES_DIR).join(case.to_string()).join(attachment)
    }

    /// Where the ciphertext of a not yet claimed attachment is kept.
    pub fn part_path(&self, attachment: &str) -> PathBuf {
        self.root.join(PARTS_DIR).join(attachment)
    }

    /// Starts a change: nothing in the vault changes until [`Change::commit`].
    pub fn begin(&self) -> Result<Change<'_>, VaultError> {
        let (index, legacy) = match self.stored()? {
            Stored::Empty => (Index::new()?, None),
            Stored::Current(index) => (index, None),
            Stored::Legacy(index, cases) => (index, Some(cases)),
        };
        if let Ok(list) = fs::read_dir(&self.root) {
            for entry in list.flatten() {
                if entry.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
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
            legacy,
            removed: BTreeSet::new(),
            removed_parts: BTreeSet::new(),
        })
    }
}

/// A change to the vault, prepared in a staging folder; see the module docs.
#[derive(Debug)]
pub struct Change<'v> {
    vault: &'v Vault,
    staging: Staging,
    pub index: Index,
    /// The cases of a format-1 vault, written out at the commit.
    legacy: Option<BTreeMap<CaseId, CaseRecord>>,
    removed: BTreeSet<CaseId>,
    removed_parts: BTreeSet<String>,
}

impl Change<'_> {
    pub fn vault(&self) -> &Vault {
        self.vault
    }

    /// The staging folder (for files on their way in, e.g. chunks).
    pub fn staging(&self) -> &Path {
        &self.staging.path
    }

    fn staged_case_path(&self, id: CaseId) -> PathBuf {
        self.staging.path.join(CASES_DIR).join(case_file_name(id))
    }

    /// A case as this change sees it.
    pub fn case(&self, id: CaseId) -> Result<Option<CaseRecord>, VaultError> {
        if self.removed.contains(&id) {
            return Ok(None);
        }
        if let Some(case) = Vault::read_case_file(&self.staged_case_path(id), &self.index.key)? {
            return Ok(Some(case));
        }
        match &self.legacy {
            Some(cases) => match cases.get(&id) {
                // A copy through its own serialisation (case content has no Clone).
                Some(c) => {
                    let json = SecretBytes::new(serde_json::to_vec(c).map_err(|_| VaultError::Encrypt)?);
                    serde_json::from_slice(json.expose())
                        .map(Some)
                        .map_err(|e| unreadable(self.vault.root(), e))
                }
                None => Ok(None),
            },
            None => Vault::read_case_file(&self.vault.case_path(id), &self.index.key),
        }
    }

    /// Writes (or rewrites) a case into the change.
    pub fn put_case(&mut self, case: &CaseRecord) -> Result<(), VaultError> {
        let json = SecretBytes::new(serde_json::to_vec(case).map_err(|_| VaultError::Encrypt)?);
        let ciphertext = encrypt_to(json.expose(), &[&self.index.key as &dyn age::Recipient])?;
        let path = self.staged_case_path(case.id);
        let mut f = fsx::create_private_file(&path).map_err(self.vault.io("write", &path))?;
        f.write_all(&ciphertext).map_err(self.vault.io("write", &path))?;
        self.removed.remove(&case.id);
        Ok(())
    }

    /// Removes a case and its files.
    pub fn remove_case(&mut self, id: CaseId) -> Result<(), VaultError> {
        let staged = self.staged_case_path(id);
        remove_if_present(&staged).map_err(self.vault.io("remove", &staged))?;
        let files = self.staging.path.join(FILES_DIR).join(id.to_string());
        remove_if_present(&files).map_err(self.vault.io("remove", &files))?;
        if let Some(cases) = self.legacy.as_mut() {
            cases.remove(&id);
        }
        self.removed.insert(id);
        Ok(())
    }

    /// Where to stage an attachment's ciphertext for `case`.
    pub fn attachment_path(&self, case: CaseId, attachment: &str) -> Result<PathBuf, VaultError> {
        let dir = self.staging.path.join(FILES_DIR).join(case.to_string());
        fsx::create_private_dir(&dir).map_err(self.vault.io("create", &dir))?;
        Ok(dir.join(attachment))
    }

    /// Where to stage the ciphertext of an attachment still waiting for its envelope.
    pub fn part_path(&self, attachment: &str) -> PathBuf {
        self.staging.path.join(PARTS_DIR).join(attachment)
    }

    /// Deletes a waiting attachment's ciphertext at the commit.
    pub fn remove_part(&mut self, attachment: &str) {
        self.removed_parts.insert(attachment.to_owned());
    }

    /// Commits the change; see the module docs.
    pub fn commit(mut self) -> Result<(), VaultError> {
        let vault = self.vault;
        if let Some(cases) = self.legacy.take() {
            for (id, case) in &cases {
                if !self.staged_case_path(*id).exists() {
                    self.put_case(case)?;
                }
            }
        }
        let mut journal = String::new();
        for id in &self.removed {
            journal.push_str(&format!("remove-case {id}\n"));
        }
        for id in &self.removed_parts {
            if !self.part_path(id).exists() {
                journal.push_str(&format!("remove-part {id}\n"));
            }
        }
        let stage = self.staging.path.clone();
        let journal_path = stage.join(JOURNAL);
        fs::write(&journal_path, journal).map_err(vault.io("write", &journal_path))?;
        let json = SecretBytes::new(serde_json::to_vec(&self.index).map_err(|_| VaultError::Encrypt)?);
        let ciphertext = encrypt_to(json.expose(), &vault.keys.recipient_refs())?;
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

    /// A format-1 vault (`vault.age`, every case in one file) is read as it
    /// is, and the first change writes it as an index and case files.
    #[test]
    fn single_file_vaults_are_read_and_migrated_by_the_first_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, public) = vault(dir.path());
        let sealed = encrypt_to(LEGACY.as_bytes(), &[&public as &dyn age::Recipient]).expect("seal");
        fs::write(v.root().join(LEGACY_AGE), sealed).expect("write");
        let id: CaseId = "00000-0000A".parse().expect("id");

        let state = v.load().expect("load");
        assert_eq!(state.index.head().expect("head").seq, 3);
        assert_eq!(
            state.case(id).map(|c| c.description.expose()),
            Some("May I keep the watch?")
        );
        assert!(v.root().join(LEGACY_AGE).exists(), "reading changes nothing");

        let mut change = v.begin().expect("begin");
        let mut case = change.case(id).expect("read").expect("case");
        case.categories.push("other".into());
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        assert!(!v.root().join(LEGACY_AGE).exists());
        assert!(v.root().join(INDEX_FILE).is_file());
        assert!(v.root().join(CASES_DIR).join(case_file_name(id)).is_file());
        let case = v.case(id).expect("read").expect("case");
        assert_eq!(case.categories, ["gifts", "other"]);
        assert_eq!(v.index().expect("index").head().expect("head").seq, 3);
    }

    /// A change dropped before its commit leaves every file as it was; a
    /// committed change interrupted while moving into place is finished by
    /// the next use of the vault.
    #[test]
    fn changes_are_all_or_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let legacy: LegacyState = serde_json::from_str(LEGACY).expect("json");
        let case = legacy.cases.into_values().next().expect("case");
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        let snapshot = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
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
        };
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
        change.remove_case(case.id).expect("remove");
        change.index.set_head(Head {
            seq: 9,
            hash: [9; 32],
        });
        let stage = change.staging().to_path_buf();
        fs::write(stage.join(JOURNAL), format!("remove-case {}\n", case.id)).expect("journal");
        let json = serde_json::to_vec(&change.index).expect("json");
        let sealed = encrypt_to(&json, &v.keys().recipient_refs()).expect("seal");
        fs::write(stage.join(INDEX_FILE), sealed).expect("index");
        fs::rename(&stage, v.root().join(COMMIT_DIR)).expect("rename");
        drop(change);
        assert!(v.root().join(COMMIT_DIR).is_dir());
        // The next reader finishes it.
        assert!(v.case(case.id).expect("read").is_none());
        assert_eq!(v.index().expect("index").head().expect("head").seq, 9);
        assert!(!v.root().join(COMMIT_DIR).exists());
    }

    /// Case files are encrypted with the vault key, which only the index
    /// (encrypted to the office keys) holds: another office key opens neither.
    #[test]
    fn case_files_need_the_office_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (v, _) = vault(dir.path());
        let legacy: LegacyState = serde_json::from_str(LEGACY).expect("json");
        let case = legacy.cases.into_values().next().expect("case");
        let mut change = v.begin().expect("begin");
        change.put_case(&case).expect("put");
        change.commit().expect("commit");
        for (_, bytes) in fs::read_dir(v.root().join(CASES_DIR))
            .expect("list")
            .flatten()
            .map(|e| (e.path(), fs::read(e.path()).expect("read")))
        {
            assert!(!bytes.windows(9).any(|w| w == b"the watch"));
        }
        let other = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], dir.path().to_path_buf());
        let stranger = Vault::existing(v.root(), other).expect("vault");
        assert!(matches!(stranger.case(case.id), Err(VaultError::Decrypt(_))));
    }
}

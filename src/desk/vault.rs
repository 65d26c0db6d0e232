//! The vault: the desk's store of cases, on the air-gapped machine's disk.
//!
//! This module is the only one that knows how a vault is laid out.
//!
//! # Layout
//!
//! ```text
//! VAULT/                       0700
//!   vault.age                  0600  the state, encrypted with age to every office
//!                                    key (age and/or OpenPGP): pinned server key,
//!                                    last verified head, every case with its
//!                                    thread, status history and pending operations
//!   keys.path                  0600  the SECRETDIR last used with this vault (a
//!                                    path, no key), so `--keys` may be left out
//!   files/<CASE>/<ATT>         0600  attachments, as the server's ciphertext (an
//!                                    age stream to the office keys, padded);
//!                                    decrypted only by `show --extract`
//!   parts/<ATT>                0600  ciphertext of attachments whose chunks came
//!                                    in an export before the envelope that lists them
//!   .staging-<random>/               only while `open` runs; ciphertext only
//! ```
//!
//! A vault written before encryption at rest (`vault.json`, attachments in
//! the clear) is still read; its state is encrypted at the next save and
//! `vault.json` removed; its old attachments stay as they were until the case
//! is purged.
//!
//! # Invariants
//!
//! - Nothing from a case reaches the disk in the clear: the state is written
//!   only encrypted, attachments only as ciphertext. Plaintext appears where
//!   the officer asks for it (`show` prints, `show --extract DIR` writes DIR).
//! - `vault.age` is replaced atomically (temporary file, fsync, rename), and
//!   it is the commit point: files under `files/` and `parts/` that it does
//!   not name are leftovers of an interrupted commit and harmless.
//! - The state is encrypted to the keys the desk was given, so a vault opened
//!   with an age key and an OpenPGP key can afterwards be read with either.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::fsx;
use super::keyfiles::OfficeKeys;
use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::core::log::Head;
use crate::core::secret::{SecretBytes, SecretText, serialize_opt_secret_text, serialize_secret_text};

const STATE_FILE: &str = "vault.age";
const LEGACY_STATE_FILE: &str = "vault.json";
const KEYS_PATH_FILE: &str = "keys.path";
const FORMAT: u32 = 1;
const STAGING_PREFIX: &str = ".staging-";

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

/// Everything in `vault.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct VaultState {
    format: u32,
    /// Hex of the server's Ed25519 key, pinned at the first open.
    server_key: Option<String>,
    head: HeadRecord,
    pub cases: BTreeMap<CaseId, CaseRecord>,
    /// Attachments still waiting for their envelope: hex id -> next chunk index.
    #[serde(default)]
    pub parts: BTreeMap<String, u32>,
    /// Purges not yet seen back from the server: case -> op id (hex).
    #[serde(default)]
    pub pending_purges: BTreeMap<CaseId, String>,
}

impl Default for VaultState {
    fn default() -> Self {
        VaultState {
            format: FORMAT,
            server_key: None,
            head: HeadRecord {
                seq: 0,
                hash: hex::encode(Head::EMPTY.hash),
            },
            cases: BTreeMap::new(),
            parts: BTreeMap::new(),
            pending_purges: BTreeMap::new(),
        }
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

impl VaultState {
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

    pub fn case(&self, id: CaseId) -> Option<&CaseRecord> {
        self.cases.get(&id)
    }

    pub fn case_mut(&mut self, id: CaseId) -> Option<&mut CaseRecord> {
        self.cases.get_mut(&id)
    }
}

/// A temporary folder inside the vault, removed when dropped.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
}

impl Staging {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
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

    /// The vault's state; an empty one if nothing was ever committed.
    pub fn load(&self) -> Result<VaultState, VaultError> {
        let path = self.root.join(STATE_FILE);
        let bytes = match fs::read(&path) {
            Ok(ciphertext) => self.decrypt(&path, &ciphertext)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let legacy = self.root.join(LEGACY_STATE_FILE);
                match fs::read(&legacy) {
                    Ok(b) => SecretBytes::new(b),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(VaultState::default()),
                    Err(e) => return Err(self.io("read", &legacy)(e)),
                }
            }
            Err(e) => return Err(self.io("read", &path)(e)),
        };
        let state: VaultState =
            serde_json::from_slice(bytes.expose()).map_err(|e| VaultError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if state.format != FORMAT {
            return Err(VaultError::Unreadable {
                path,
                reason: format!("unknown vault format {}", state.format),
            });
        }
        Ok(state)
    }

    fn decrypt(&self, path: &Path, ciphertext: &[u8]) -> Result<SecretBytes, VaultError> {
        let decryptor =
            age::Decryptor::new_buffered(ciphertext).map_err(|_| VaultError::Decrypt(path.to_path_buf()))?;
        let mut reader = decryptor
            .decrypt(self.keys.identity_refs().into_iter())
            .map_err(|_| VaultError::Decrypt(path.to_path_buf()))?;
        let mut plain = SecretBytes::default();
        io::Read::read_to_end(&mut reader, plain.expose_mut())
            .map_err(|_| VaultError::Decrypt(path.to_path_buf()))?;
        Ok(plain)
    }

    /// Replaces the state, atomically: the commit point of every change.
    pub fn save(&self, state: &VaultState) -> Result<(), VaultError> {
        let path = self.root.join(STATE_FILE);
        let json = SecretBytes::new(serde_json::to_vec(state).map_err(|e| VaultError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        })?);
        let encryptor = age::Encryptor::with_recipients(self.keys.recipient_refs().into_iter())
            .map_err(|_| VaultError::Encrypt)?;
        let mut ciphertext = Vec::with_capacity(json.len() + 512);
        let mut w = encryptor
            .wrap_output(&mut ciphertext)
            .map_err(|_| VaultError::Encrypt)?;
        io::Write::write_all(&mut w, json.expose()).map_err(|_| VaultError::Encrypt)?;
        w.finish().map_err(|_| VaultError::Encrypt)?;
        fsx::write_atomic(&path, &ciphertext, 0o600).map_err(self.io("write", &path))?;
        let legacy = self.root.join(LEGACY_STATE_FILE);
        if legacy.exists() {
            fs::remove_file(&legacy).map_err(self.io("remove", &legacy))?;
            fsx::sync_dir(&self.root);
        }
        Ok(())
    }

    /// Where an attachment (its ciphertext) is kept.
    pub fn attachment_path(&self, case: CaseId, attachment: &str) -> PathBuf {
        self.root.join("files").join(case.to_string()).join(attachment)
    }

    /// Where the ciphertext of a not yet claimed attachment is kept.
    pub fn part_path(&self, attachment: &str) -> PathBuf {
        self.root.join("parts").join(attachment)
    }

    /// Moves a staged file into the vault at `dest` (same file system).
    pub fn place(&self, staged: &Path, dest: &Path) -> Result<(), VaultError> {
        if let Some(dir) = dest.parent() {
            fsx::create_private_dir(dir).map_err(self.io("create", dir))?;
        }
        fs::rename(staged, dest).map_err(self.io("move a file to", dest))?;
        if let Some(dir) = dest.parent() {
            fsx::sync_dir(dir);
        }
        Ok(())
    }

    pub fn remove_part(&self, attachment: &str) {
        let _ = fs::remove_file(self.part_path(attachment));
    }

    /// Deletes a purged case's files.
    pub fn remove_case_files(&self, case: CaseId) -> Result<(), VaultError> {
        let dir = self.root.join("files").join(case.to_string());
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(self.io("remove", &dir)(e)),
            _ => Ok(()),
        }
    }

    /// A fresh staging folder; stale ones from an interrupted run are removed first.
    pub fn staging(&self) -> Result<Staging, VaultError> {
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
        fsx::create_private_dir(&path).map_err(self.io("create", &path))?;
        Ok(Staging { path })
    }
}

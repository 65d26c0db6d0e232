//! The store: the entry log and its indexes, behind a small trait.
//!
//! [`Store`] is what the rest of the server sees. Two back ends implement it,
//! each in a file of its own: [`SledStore`] (`sled.rs`), the embedded default,
//! and [`PgStore`] (`postgres.rs`), which several `candor`
//! processes may share. Nothing above the trait knows which one runs.
//! Everything either keeps is ciphertext or one of the clear fields
//! DESIGN.md allows (ids, sequence numbers, hashes, entry types, arrival
//! days, padded sizes, the reporter's public recipient, lookup ids).
//!
//! # Records (the backup format)
//!
//! [`Store::dump`] hands out a store as keys and values in one layout, which
//! every back end maps to its own (it is sled's layout, see `sled.rs`):
//!
//! ```text
//! B seq            -> blob id of the entry's body (absent once purged)
//! C case seq       -> ()            entries of a case
//! K case           -> lookup id     a case's receipt look-up
//! L seq            -> entry header (core::log wire format)
//! M "head"         -> seq | hash
//! M "version"      -> u32           format version ([`FORMAT_VERSION`])
//! O op             -> seq           officer operations applied
//! R lookup         -> case          receipt look-up
//! U bundle         -> ()            outbox bundles imported
//! X blob           -> ciphertext    every committed body
//! ```
//!
//! # Invariants (every back end; the shared tests in [`suite`] check them)
//!
//! - A commit lands whole or not at all; a refused commit leaves no trace and
//!   does not stop the others given with it.
//! - After [`Store::sync`] returns, every commit applied before it survives
//!   a crash of the process or the machine.
//! - Sequence numbers run 1, 2, 3... without gaps, each entry chained to the
//!   one before; a purge drops bodies and the look-up, never an entry.

pub mod postgres;
pub mod sled;

use std::path::PathBuf;

use crate::core::case::CaseId;
use crate::core::day::Day;
use crate::core::log::{Auth, Entry, EntryKind, Hash, Head, PartRef};
use crate::core::receipt::LookupId;

pub use self::postgres::{PgPool, PgStore};
pub use self::sled::{INLINE_MAX, PACK_FILE, SledStore};

pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("storage failure: {0}")]
    Sled(#[from] ::sled::Error),
    /// A PostgreSQL failure: its message and SQLSTATE, never the values it quotes.
    #[error("database failure: {0}")]
    Postgres(String),
    #[error(
        "the database has schema version {0}, newer than this candor understands (version {1}); it was not changed: run the newer candor"
    )]
    NewerSchema(u32, u32),
    #[error("the log `{0}` in the database is not empty; restore only into a new log")]
    LogNotEmpty(String),
    #[error(
        "the backup holds store format {0}; restore it into the embedded store, which migrates it, or use the candor that made it"
    )]
    DumpFormat(u32),
    #[error("storage I/O failure: {0}")]
    Io(#[from] std::io::Error),
    #[error("the store is corrupt: {0}")]
    Corrupt(&'static str),
    #[error(
        "the store has format {0}, newer than this candor understands (format {FORMAT_VERSION}); it was not changed: run the newer candor, or restore a backup made for this one"
    )]
    NewerFormat(u32),
    #[error(
        "the store has format {0} but its log does not verify ({1}); it was not migrated and not changed: restore a backup"
    )]
    Unmigratable(u32, crate::core::log::LogError),
    #[error("the store's log does not verify: {0}")]
    Unverified(crate::core::log::LogError),
    #[error("{0} is not empty; restore only into a new data directory")]
    NotEmpty(PathBuf),
    #[error("unknown case")]
    UnknownCase,
    /// The batch carrying this commit failed (the commit is not in the store).
    #[error("the commit was not written: {0}")]
    NotWritten(String),
    /// The commit was applied but the sync after it failed.
    #[error("the commit was applied but could not be made durable: {0}")]
    NotDurable(String),
    #[error("this bundle was already imported")]
    AlreadyImported,
    #[error("another import applied some of these operations meanwhile; send the outbox again")]
    AppliedMeanwhile,
    #[error("the export cursor is beyond the last entry ({0})")]
    CursorBeyondHead(u64),
}

pub type BlobId = [u8; 16];

/// One key and its value, as [`Store::dump`] gives them and [`SledStore::restore`] takes them.
pub type Record = (Vec<u8>, Vec<u8>);

/// Receives a dump's keys and values.
pub type DumpSink<'a> = dyn FnMut(&[u8], &[u8]) -> std::io::Result<()> + 'a;

/// An entry's header and its body (`None` once purged, or not loaded).
pub type EntryWithBody = (Entry, Option<Vec<u8>>);

/// An entry to append; the store assigns its sequence number and chain link.
#[derive(Debug)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub case: CaseId,
    pub day: Day,
    pub recipient: Option<String>,
    pub part: Option<PartRef>,
    pub op: Option<[u8; 16]>,
    /// The officer's signature (office operations) or the reporter's MAC
    /// (messages), stored in the entry header and exported with it.
    pub auth: Option<Auth>,
    /// The channel a report is addressed to (reports of an office with channels).
    pub channel: Option<String>,
    pub body: NewBody,
}

#[derive(Debug)]
pub enum NewBody {
    /// Written earlier with [`Store::put_pending`]; its length and hash.
    Pending { blob: BlobId, len: u64, hash: Hash },
    /// Small body written with the commit.
    Inline(Vec<u8>),
}

/// What a commit does besides appending.
#[derive(Debug, Default)]
pub struct CommitExtras {
    /// A new case's receipt look-up.
    pub new_case: Option<(LookupId, CaseId)>,
    /// The outbox bundle this commit imports.
    pub bundle: Option<[u8; 16]>,
    /// Cases whose bodies and look-up are dropped.
    pub purge: Vec<CaseId>,
    /// Receipt look-ups of cases the officer recorded at the desk (outbox case ops).
    pub recorded: Vec<(LookupId, CaseId)>,
}

/// Entries to append together, and what else changes with them.
#[derive(Debug)]
pub struct Commit {
    pub entries: Vec<NewEntry>,
    pub extras: CommitExtras,
}

pub(crate) fn group_failed(reason: &str) -> StoreError {
    StoreError::NotWritten(reason.to_owned())
}

/// The storage interface the server uses.
pub trait Store: Send + Sync + 'static {
    /// Stores a body before its entry exists (attachment chunks as they stream in).
    fn put_pending(&self, blob: BlobId, bytes: &[u8]) -> Result<(), StoreError>;
    /// Drops pending bodies of a submission that failed.
    fn discard_pending(&self, blobs: &[BlobId]) -> Result<(), StoreError>;
    /// Applies commits in order, each atomically (its entries and index
    /// changes land together or not at all); returns each one's new head or
    /// why it was refused. A commit refused leaves no trace and does not stop
    /// the others. Commits given together cost one write to the disk's log.
    fn commit_all(&self, commits: Vec<Commit>) -> Vec<Result<Head, StoreError>>;
    /// Applies one commit: [`Store::commit_all`] of one.
    fn commit(&self, entries: Vec<NewEntry>, extras: CommitExtras) -> Result<Head, StoreError> {
        self.commit_all(vec![Commit { entries, extras }])
            .pop()
            .unwrap_or(Err(StoreError::Corrupt("no result for a commit")))
    }
    /// Makes everything committed so far durable (flush and fsync).
    fn sync(&self) -> Result<(), StoreError>;
    fn head(&self) -> Result<Head, StoreError>;
    fn lookup(&self, id: &LookupId) -> Result<Option<CaseId>, StoreError>;
    fn case_exists(&self, case: CaseId) -> Result<bool, StoreError>;
    fn op_applied(&self, op: &[u8; 16]) -> Result<bool, StoreError>;
    fn bundle_imported(&self, bundle: &[u8; 16]) -> Result<bool, StoreError>;
    /// A case's entries with bodies, in order (for the reporter's page).
    fn case_entries(&self, case: CaseId) -> Result<Vec<EntryWithBody>, StoreError>;
    /// The entry at `seq` (header only).
    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError>;
    /// The body of entry `seq`, if not purged.
    fn body(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Hands every committed key and value, in key order, to `sink`, as one
    /// consistent cut (no commit runs meanwhile); returns how many. Bodies of
    /// uploads still in flight are left out.
    fn dump(&self, sink: &mut DumpSink<'_>) -> Result<u64, StoreError>;
    /// Hands entries `after + 1 ..= to` and their bodies (`None` once
    /// purged) to `f`, in order: what an export reads.
    fn entries_between(
        &self,
        after: u64,
        to: u64,
        f: &mut dyn FnMut(Entry, Option<Vec<u8>>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for seq in after + 1..=to {
            let entry = self
                .entry(seq)?
                .ok_or(StoreError::Corrupt("entry missing below head"))?;
            let body = self.body(seq)?;
            f(entry, body)?;
        }
        Ok(())
    }
    /// Bytes this log takes in its store (bodies and entries, uploads in
    /// flight included): what a tenant's `quota_bytes` is measured against.
    fn stored_bytes(&self) -> Result<u64, StoreError>;
}

pub(crate) fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

pub(crate) fn decode_head(v: &[u8]) -> Result<Head, StoreError> {
    let (seq, hash) = v.split_first_chunk::<8>().ok_or(StoreError::Corrupt("head"))?;
    let hash: Hash = hash.try_into().map_err(|_| StoreError::Corrupt("head"))?;
    Ok(Head {
        seq: u64::from_be_bytes(*seq),
        hash,
    })
}

/// The first half of the blob id of a body stored with its commit (the
/// second half is the entry's sequence number); attachment chunks have
/// random blob ids.
pub(crate) const INLINE_BLOB: &[u8; 8] = b"inline\0\0";

/// The blob id of entry `seq`'s body written with its commit: [`INLINE_BLOB`]
/// then the sequence number.
pub(crate) fn inline_blob(seq: u64) -> BlobId {
    let mut blob = [0u8; 16];
    blob[..8].copy_from_slice(INLINE_BLOB);
    blob[8..].copy_from_slice(&seq.to_be_bytes());
    blob
}

impl NewEntry {
    /// The entry this becomes as number `seq` after the entry hashed
    /// `prev`, its body `len` bytes hashing to `hash`.
    pub(crate) fn at(&self, seq: u64, prev: Hash, len: u64, hash: Hash) -> Entry {
        Entry {
            version: crate::core::log::VERSION,
            seq,
            kind: self.kind,
            case: self.case,
            day: self.day,
            body_len: len,
            body_hash: hash,
            prev,
            recipient: self.recipient.clone(),
            part: self.part,
            op: self.op,
            auth: self.auth,
            channel: self.channel.clone(),
        }
    }

    /// Its body's length and hash.
    pub(crate) fn body_len_hash(&self) -> (u64, Hash) {
        match &self.body {
            NewBody::Pending { len, hash, .. } => (*len, *hash),
            NewBody::Inline(bytes) => (bytes.len() as u64, crate::core::log::body_hash(bytes)),
        }
    }
}

/// The head of entries 1..=last as the chain verifies them (for tests).
#[cfg(test)]
pub(crate) fn chain_head(store: &dyn Store, last: u64) -> Head {
    let mut chain = crate::core::log::Chain::from(Head::EMPTY);
    for seq in 1..=last {
        let e = store.entry(seq).expect("entry").expect("present");
        chain
            .push(&e, store.body(seq).expect("body").as_deref())
            .expect("chain");
    }
    chain.head()
}

/// The tests every back end must pass: each back end's own tests call
/// [`suite::run`] with a function that opens a new, empty store.
#[cfg(test)]
pub(crate) mod suite {
    use super::*;
    use crate::core::log::{OfficeSig, body_hash};

    pub(crate) fn new_entry(kind: EntryKind, case: CaseId, body: &[u8]) -> NewEntry {
        let auth = match kind {
            EntryKind::Message => Some(Auth::Reporter([1; 32])),
            EntryKind::Reply | EntryKind::Status | EntryKind::Purge => Some(Auth::Office(OfficeSig {
                signer: [2; 32],
                day: Day(20_000),
                prev: [0; 16],
                signature: [3; 64],
            })),
            _ => None,
        };
        NewEntry {
            kind,
            case,
            day: Day(20_000),
            recipient: None,
            part: None,
            op: None,
            auth,
            channel: None,
            body: NewBody::Inline(body.to_vec()),
        }
    }

    fn case(n: u8) -> CaseId {
        CaseId([0, 0, 0, 0, 0, 0, 0, n])
    }

    fn chunk(blob: u8, bytes: &[u8]) -> NewEntry {
        NewEntry {
            part: Some(PartRef {
                attachment: [2; 16],
                index: 0,
            }),
            body: NewBody::Pending {
                blob: [blob; 16],
                len: bytes.len() as u64,
                hash: body_hash(bytes),
            },
            ..new_entry(EntryKind::AttachmentChunk, case(9), b"")
        }
    }

    /// Every committed record of `store`, as [`Store::dump`] gives them.
    pub(crate) fn dump(store: &dyn Store) -> Vec<Record> {
        let mut out = Vec::new();
        store
            .dump(&mut |k: &[u8], v: &[u8]| {
                out.push((k.to_vec(), v.to_vec()));
                Ok(())
            })
            .expect("dump");
        out
    }

    /// Writes the same history into any store (for comparing back ends).
    pub(crate) fn history(store: &dyn Store) {
        let big: Vec<u8> = (0..700_000u32).map(|i| (i * 7) as u8).collect();
        store.put_pending([1; 16], &big).expect("pending");
        store.put_pending([3; 16], b"never committed").expect("pending");
        store
            .commit(
                vec![
                    new_entry(EntryKind::Message, case(9), b"report ct"),
                    chunk(1, &big),
                    new_entry(EntryKind::Message, case(9), &[5; 9000]),
                ],
                CommitExtras {
                    new_case: Some((LookupId([7; 32]), case(9))),
                    ..Default::default()
                },
            )
            .expect("commit");
        store
            .commit(
                vec![NewEntry {
                    op: Some([42; 16]),
                    ..new_entry(EntryKind::Reply, case(9), b"reply ct")
                }],
                CommitExtras {
                    bundle: Some([8; 16]),
                    ..Default::default()
                },
            )
            .expect("import");
        store
            .commit(
                vec![new_entry(EntryKind::Message, case(10), b"second report")],
                CommitExtras {
                    new_case: Some((LookupId([6; 32]), case(10))),
                    ..Default::default()
                },
            )
            .expect("commit");
        store
            .commit(
                vec![],
                CommitExtras {
                    purge: vec![case(10)],
                    bundle: Some([9; 16]),
                    ..Default::default()
                },
            )
            .expect("purge");
        store.sync().expect("sync");
    }

    /// Runs every shared test, each on a new store from `open`.
    pub(crate) fn run(open: &mut dyn FnMut() -> Box<dyn Store>) {
        commits_chain_and_purge(open().as_ref());
        a_group_chains_in_order_and_refuses_one_without_the_others(open().as_ref());
        an_operation_applied_by_one_import_is_refused_in_the_next(open().as_ref());
        bodies_of_any_size_read_back(open().as_ref());
        dump_holds_committed_records_only(open().as_ref());
        purged_bodies_leave_the_dump(open().as_ref());
    }

    fn commits_chain_and_purge(store: &dyn Store) {
        assert_eq!(store.head().expect("head"), Head::EMPTY);
        store.put_pending([1; 16], b"chunk").expect("pending");
        let head = store
            .commit(
                vec![
                    chunk(1, b"chunk"),
                    new_entry(EntryKind::Message, case(9), b"message ct"),
                ],
                CommitExtras {
                    new_case: Some((LookupId([7; 32]), case(9))),
                    ..Default::default()
                },
            )
            .expect("commit");
        store.sync().expect("sync");
        assert_eq!(head.seq, 2);
        assert_eq!(store.head().expect("head"), head);
        assert_eq!(store.lookup(&LookupId([7; 32])).expect("lookup"), Some(case(9)));
        assert_eq!(store.lookup(&LookupId([8; 32])).expect("lookup"), None);
        assert!(store.case_exists(case(9)).expect("exists"));
        assert!(!store.case_exists(case(1)).expect("exists"));
        assert_eq!(chain_head(store, 2), head);
        assert_eq!(store.body(1).expect("body").as_deref(), Some(&b"chunk"[..]));
        let entries = store.case_entries(case(9)).expect("entries");
        assert_eq!(entries.len(), 2);
        // Chunks are never shown to the reporter: no body loaded.
        assert_eq!(entries[0].1, None);
        assert_eq!(entries[1].1.as_deref(), Some(&b"message ct"[..]));
        assert_eq!(store.entry(3).expect("entry"), None);
        store
            .commit(
                vec![],
                CommitExtras {
                    purge: vec![case(9)],
                    ..Default::default()
                },
            )
            .expect("purge");
        store.sync().expect("sync");
        assert_eq!(store.body(1).expect("body"), None);
        assert_eq!(store.body(2).expect("body"), None);
        assert_eq!(store.lookup(&LookupId([7; 32])).expect("lookup"), None);
        assert!(store.entry(2).expect("entry").is_some());
        assert_eq!(chain_head(store, 2), store.head().expect("head"));
    }

    fn a_group_chains_in_order_and_refuses_one_without_the_others(store: &dyn Store) {
        let (a, b) = (case(1), case(2));
        let import = |bundle: u8, purge: Vec<CaseId>| Commit {
            entries: vec![new_entry(EntryKind::Message, a, b"message ct")],
            extras: CommitExtras {
                bundle: Some([bundle; 16]),
                purge,
                ..Default::default()
            },
        };
        let report = |case: CaseId, lookup: u8| Commit {
            entries: vec![new_entry(EntryKind::Message, case, b"first message ct")],
            extras: CommitExtras {
                new_case: Some((LookupId([lookup; 32]), case)),
                ..Default::default()
            },
        };
        let results = store.commit_all(vec![
            report(a, 1),
            import(9, vec![]),
            report(b, 2),
            // Refused: the same bundle, two commits earlier in this group.
            import(9, vec![]),
            // Purges case b, whose report is in this group.
            import(10, vec![b]),
            report(a, 3),
        ]);
        let seqs: Vec<Option<u64>> = results.iter().map(|r| r.as_ref().ok().map(|h| h.seq)).collect();
        assert_eq!(seqs, vec![Some(1), Some(2), Some(3), None, Some(4), Some(5)]);
        assert!(matches!(results[3], Err(StoreError::AlreadyImported)));
        store.sync().expect("sync");
        assert_eq!(store.head().expect("head"), *results[5].as_ref().expect("last"));
        // The purge saw the report written before it in the same group.
        assert_eq!(store.body(3).expect("body"), None);
        assert_eq!(store.lookup(&LookupId([2; 32])).expect("lookup"), None);
        assert_eq!(store.lookup(&LookupId([3; 32])).expect("lookup"), Some(a));
        assert!(store.bundle_imported(&[9; 16]).expect("bundle"));
        assert!(!store.bundle_imported(&[11; 16]).expect("bundle"));
        assert_eq!(chain_head(store, 5), store.head().expect("head"));
    }

    fn an_operation_applied_by_one_import_is_refused_in_the_next(store: &dyn Store) {
        store
            .commit(
                vec![new_entry(EntryKind::Message, case(3), b"first")],
                CommitExtras::default(),
            )
            .expect("case");
        // Two outboxes (two bundle ids) carrying the same operation, as when
        // the desk writes a new outbox before the first one's import answered.
        let import = |bundle: u8| Commit {
            entries: vec![NewEntry {
                op: Some([42; 16]),
                ..new_entry(EntryKind::Reply, case(3), b"reply ct")
            }],
            extras: CommitExtras {
                bundle: Some([bundle; 16]),
                ..Default::default()
            },
        };
        let results = store.commit_all(vec![import(1), import(2)]);
        assert!(results[0].is_ok(), "{:?}", results[0]);
        assert!(
            matches!(results[1], Err(StoreError::AppliedMeanwhile)),
            "{:?}",
            results[1]
        );
        assert!(store.op_applied(&[42; 16]).expect("op"));
        assert_eq!(store.head().expect("head").seq, 2);
        assert!(!store.bundle_imported(&[2; 16]).expect("bundle"));
        // A case recorded at the desk whose look-up exists already is refused.
        let recorded = store.commit(
            vec![new_entry(EntryKind::Message, case(4), b"recorded")],
            CommitExtras {
                recorded: vec![(LookupId([1; 32]), case(3))],
                ..Default::default()
            },
        );
        assert!(
            matches!(recorded, Err(StoreError::AppliedMeanwhile)),
            "{recorded:?}"
        );
        assert_eq!(store.head().expect("head").seq, 2);
    }

    fn bodies_of_any_size_read_back(store: &dyn Store) {
        for (i, size) in [0usize, 100, 4096, 4097, 200_000, 1_100_000]
            .into_iter()
            .enumerate()
        {
            let body: Vec<u8> = (0..size).map(|j| (j * 31 + i) as u8).collect();
            store
                .commit(
                    vec![new_entry(EntryKind::Message, case(5), &body)],
                    CommitExtras::default(),
                )
                .expect("commit");
            store.sync().expect("sync");
            assert!(
                store.body(i as u64 + 1).expect("body") == Some(body),
                "body of {size} bytes reads back"
            );
        }
        let head = store.head().expect("head");
        assert_eq!(chain_head(store, head.seq), head);
    }

    fn dump_holds_committed_records_only(store: &dyn Store) {
        history(store);
        let records = dump(store);
        let keys: Vec<&[u8]> = records.iter().map(|(k, _)| k.as_slice()).collect();
        // The body never committed is left out; the committed chunk is in.
        assert!(!keys.contains(&key(b'X', &[&[3u8; 16]]).as_slice()));
        assert!(keys.contains(&key(b'X', &[&[1u8; 16]]).as_slice()));
        assert!(keys.contains(&b"Mhead".as_slice()));
        assert!(keys.contains(&key(b'U', &[&[9u8; 16]]).as_slice()));
        // The purged case keeps its entry, not its look-up.
        assert!(!keys.contains(&key(b'R', &[&[6u8; 32]]).as_slice()));
        assert!(keys.contains(&key(b'L', &[&5u64.to_be_bytes()]).as_slice()));
        let mut version = None;
        for (k, v) in &records {
            if k == b"Mversion" {
                version = Some(v.clone());
            }
        }
        assert_eq!(version, Some(FORMAT_VERSION.to_be_bytes().to_vec()));
    }

    fn purged_bodies_leave_the_dump(from: &dyn Store) {
        history(from);
        let head = from.head().expect("head");
        assert_eq!(chain_head(from, head.seq), head);
        // Bodies of a purge are gone from the dump too.
        let records = dump(from);
        let purged_body = records
            .iter()
            .any(|(k, v)| k.first() == Some(&b'X') && v.as_slice() == b"second report");
        assert!(!purged_body, "a purged body is not in the dump");
    }

    /// Everything committed and synced is there after the store is closed
    /// and opened again; bodies never committed are not.
    pub(crate) fn survives_reopen(open: &mut dyn FnMut() -> Box<dyn Store>) {
        let before = {
            let store = open();
            history(store.as_ref());
            dump(store.as_ref())
        };
        let store = open();
        assert_eq!(dump(store.as_ref()), before);
        let head = store.head().expect("head");
        assert_eq!(head.seq, 5);
        assert_eq!(chain_head(store.as_ref(), head.seq), head);
        // The look-up of the case that was not purged still works.
        assert_eq!(store.lookup(&LookupId([7; 32])).expect("lookup"), Some(case(9)));
    }
}

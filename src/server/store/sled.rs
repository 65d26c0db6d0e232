//! The embedded back end: one sled tree and a pack file of large bodies.
//!
//! # Layout (one sled tree, one-byte key prefixes, so a commit is one atomic batch)
//!
//! ```text
//! L seq            -> entry header (core::log wire format)
//! B seq            -> blob id of the entry's body (absent once purged)
//! X blob           -> ciphertext (reports, messages, replies, statuses of up to INLINE_MAX bytes)
//! F blob           -> offset | len  ciphertext kept in bodies.pack (attachment chunks, larger bodies)
//! P blob           -> ()            blob written but not yet committed
//! C case seq       -> ()            entries of a case
//! K case           -> lookup id     a case's receipt look-up (absent once purged)
//! R lookup         -> case          receipt look-up
//! O op             -> seq           officer operations applied
//! U bundle         -> ()            outbox bundles imported
//! M "head"         -> seq | hash
//! M "version"      -> u32           store format version
//! ```
//!
//! # Format versions and upgrades
//!
//! `M "version"` says which layout a store has. [`SledStore::open`] accepts
//! [`FORMAT_VERSION`], migrates an older layout in one atomic batch after
//! verifying its whole hash chain (so a store it does not understand is
//! refused, never misread), and refuses a newer one with
//! [`StoreError::NewerFormat`] without touching it.
//!
//! - Format 0, the layout before the version was recorded: no `M "version"`
//!   key and no `K` index, so a purge could not find a case's receipt
//!   look-up. Migration rebuilds `K` from `R`.
//! - Format 1: `F blob -> ()`, the chunk kept in a file of its own,
//!   `chunks/<hex blob>`, created when the chunk arrived (so its birth and
//!   change times dated every upload), and every body of any size in `X`
//!   (sled writes a value or page over a quarter of its segment, 128 KiB, to a
//!   file of its own in `blobs/`, which dated large reports the same way).
//!   Migration copies every chunk file and every `X` value over
//!   [`INLINE_MAX`] into `bodies.pack`, makes the pack durable, records the
//!   new locations and the version in one batch, then deletes `chunks/`.
//! - Format 2: the layout above.
//!
//! # Backups
//!
//! [`Store::dump`] writes every committed key and value under the commit lock
//! (a consistent cut: no commit lands half-way through), leaving out bodies of
//! uploads still in flight. [`SledStore::restore`] loads such a dump into an
//! empty directory, migrates it if it is older, and verifies the chain before
//! the store is used. Everything in a dump is as encrypted as the store.
//!
//! # Durability
//!
//! sled 0.34's `flush` ends in `sync_file_range`, which persists neither file
//! sizes nor the disk's cache, and sled never syncs its blob files. After every
//! flush [`SledStore::sync`] therefore `fsync`s sled's files and directories
//! itself. [`Durability`](crate::server::durable::Durability) groups concurrent
//! commits so one flush serves them all; no receipt is sent before it.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::core::case::CaseId;
use crate::core::log::{Entry, EntryKind, Head};
use crate::core::receipt::LookupId;

use super::super::pack::{Loc, Pack};
use super::{
    BlobId, Commit, DumpSink, EntryWithBody, FORMAT_VERSION, INLINE_BLOB, NewBody, Record, Store, StoreError,
    decode_head, group_failed, inline_blob, key,
};

/// sled's page cache. Its default (1 GiB) would let a server with many
/// attachments grow to that size and into the systemd unit's `MemoryMax`;
/// reads are sequential exports and small case look-ups, which need little.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// A commit checked and turned into sled writes (`None`: remove the key).
struct Staged {
    writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    head: Head,
    purged_chunks: Vec<Loc>,
}

/// Commits staged for one sled batch.
struct Group {
    writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// The head after the last staged commit.
    head: Head,
    purged_chunks: Vec<Loc>,
    /// How many commits are staged, and the result index of the first.
    staged: usize,
    first: usize,
    /// Why a batch of this call failed; the call's later commits are refused.
    broken: Option<String>,
}

impl Group {
    fn new(head: Head) -> Group {
        Group {
            writes: Vec::new(),
            head,
            purged_chunks: Vec::new(),
            staged: 0,
            first: 0,
            broken: None,
        }
    }

    fn add(&mut self, staged: Staged, result_index: usize) {
        if self.staged == 0 {
            self.first = result_index;
        }
        self.staged += 1;
        self.writes.extend(staged.writes);
        self.purged_chunks.extend(staged.purged_chunks);
        self.head = staged.head;
    }
}

/// sled back end.
pub struct SledStore {
    db: sled::Db,
    tree: sled::Tree,
    dir: PathBuf,
    /// Serialises sequence assignment.
    commit_lock: Mutex<()>,
    /// One sync at a time: a sync takes the list of unsynced chunk files, so
    /// a second one running beside it could finish before those files are
    /// on disk and report them durable.
    sync_lock: Mutex<()>,
    /// Blob files already fsynced (sled never rewrites one).
    synced_blobs: Mutex<HashSet<std::ffi::OsString>>,
    /// Attachment chunks and large bodies, outside sled (see [`PACK_FILE`]).
    pack: Pack,
}

/// Attachment chunks, and every other body over [`INLINE_MAX`], live in this
/// one file of the store, not in sled: sled 0.34 keeps every large value it
/// has stored in memory, so a server taking attachments grew without bound
/// (measured with benches/load.py: about 17 MiB/s under a mixed load with
/// 20 % attachments), and it writes large values to files of their own that
/// date their arrival. Key `F blob` holds a body's place in it (see
/// [`super::pack`]); the file is fsynced with the group's sync.
pub const PACK_FILE: &str = "bodies.pack";

/// Format 1's folder of chunk files, one per chunk (removed by the migration).
const CHUNK_DIR_V1: &str = "chunks";

/// The largest body kept in sled itself. sled writes a page over a quarter of
/// its 512 KiB segment to a file of its own, and a leaf holds up to 17 values,
/// so values of this size never make one.
pub const INLINE_MAX: usize = 4096;

impl SledStore {
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        std::fs::create_dir_all(dir)?;
        let store = SledStore::open_as_is(dir)?;
        store.prepare()?;
        Ok(store)
    }

    /// What every start does on an open store: check (and migrate) the
    /// format, drop what failed uploads left, make everything durable.
    fn prepare(&self) -> Result<(), StoreError> {
        self.check_version()?;
        self.drop_leftover_pending()?;
        self.sync()
    }

    /// Opens a store exactly as it is, for a backup: no version check, no
    /// migration, nothing written (an older store gets an empty pack file).
    /// Only [`Store::dump`] is meant to be used.
    pub fn open_as_is(dir: &Path) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .cache_capacity(CACHE_BYTES)
            // Durability is ours: flush + fsync after each group of commits.
            .flush_every_ms(None)
            .open()?;
        let tree = db.open_tree("candor")?;
        let pack = Pack::open(&dir.join(PACK_FILE))?;
        Ok(SledStore {
            db,
            tree,
            dir: dir.to_owned(),
            commit_lock: Mutex::new(()),
            sync_lock: Mutex::new(()),
            synced_blobs: Mutex::new(HashSet::new()),
            pack,
        })
    }

    /// Where the body `blob` lies in the pack, if it is kept there.
    fn pack_loc(&self, blob: &[u8]) -> Result<Option<Loc>, StoreError> {
        match self.tree.get(key(b'F', &[blob]))? {
            None => Ok(None),
            Some(v) => Loc::decode(&v)
                .map(Some)
                .ok_or(StoreError::Corrupt("body location")),
        }
    }

    /// What `commit` would write, checked against the store and `head`
    /// (the head after the commits staged before it), without writing it.
    fn stage(&self, head: &Head, commit: Commit) -> Result<Staged, StoreError> {
        let Commit { entries, extras } = commit;
        if let Some(bundle) = &extras.bundle
            && self.bundle_imported(bundle)?
        {
            return Err(StoreError::AlreadyImported);
        }
        // The officer API checked these when the outbox came in; another
        // import may have applied some since. (An import is staged after
        // every earlier commit is applied, so the tree is current here.)
        for op in entries.iter().filter_map(|e| e.op.as_ref()) {
            if self.op_applied(op)? {
                return Err(StoreError::AppliedMeanwhile);
            }
        }
        for (lookup, case) in &extras.recorded {
            if self.lookup(lookup)?.is_some() || self.case_exists(*case)? {
                return Err(StoreError::AppliedMeanwhile);
            }
        }
        let mut head = *head;
        let mut writes = Vec::new();
        let mut purged_chunks = Vec::new();
        for case in &extras.purge {
            for item in self.tree.scan_prefix(key(b'C', &[&case.0])) {
                let (k, _) = item?;
                let seq = k.get(9..).ok_or(StoreError::Corrupt("case index"))?;
                if let Some(blob) = self.tree.get(key(b'B', &[seq]))? {
                    writes.push((key(b'X', &[&blob]), None));
                    if let Some(loc) = self.pack_loc(&blob)? {
                        writes.push((key(b'F', &[&blob]), None));
                        purged_chunks.push(loc);
                    }
                    writes.push((key(b'B', &[seq]), None));
                }
            }
            if let Some(lookup) = self.tree.get(key(b'K', &[&case.0]))? {
                writes.push((key(b'R', &[&lookup]), None));
                writes.push((key(b'K', &[&case.0]), None));
            }
        }
        for new in entries {
            let seq = head.seq + 1;
            let (len, hash) = new.body_len_hash();
            let entry = new.at(seq, head.hash, len, hash);
            let blob = match new.body {
                NewBody::Pending { blob, .. } => {
                    writes.push((key(b'P', &[&blob]), None));
                    blob
                }
                NewBody::Inline(bytes) => {
                    let blob = inline_blob(seq);
                    if bytes.len() > INLINE_MAX {
                        // Should this commit not land, the next start
                        // removes the bytes no key names.
                        let loc = self.pack.append(&bytes)?;
                        writes.push((key(b'F', &[&blob]), Some(loc.encode().to_vec())));
                    } else {
                        writes.push((key(b'X', &[&blob]), Some(bytes)));
                    }
                    blob
                }
            };
            let seq_b = seq.to_be_bytes();
            writes.push((key(b'L', &[&seq_b]), Some(entry.encode())));
            writes.push((key(b'B', &[&seq_b]), Some(blob.to_vec())));
            writes.push((key(b'C', &[&entry.case.0, &seq_b]), Some(Vec::new())));
            if let Some(op) = &entry.op {
                writes.push((key(b'O', &[op]), Some(seq_b.to_vec())));
            }
            head = Head {
                seq,
                hash: entry.hash(),
            };
        }
        for (lookup, case) in extras.new_case.into_iter().chain(extras.recorded) {
            writes.push((key(b'R', &[&lookup.0]), Some(case.0.to_vec())));
            writes.push((key(b'K', &[&case.0]), Some(lookup.0.to_vec())));
        }
        if let Some(bundle) = extras.bundle {
            writes.push((key(b'U', &[&bundle]), Some(Vec::new())));
        }
        Ok(Staged {
            writes,
            head,
            purged_chunks,
        })
    }

    /// Writes the staged commits of `group` in one sled batch (so they land
    /// together or not at all) and starts the next group from its head. If the
    /// batch fails, each of its commits gets the error and the head is read again.
    fn apply_group(&self, group: &mut Group, results: &mut [Result<Head, StoreError>]) {
        if group.staged == 0 {
            return;
        }
        let mut batch = sled::Batch::default();
        for (k, v) in group.writes.drain(..) {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        batch.insert(
            key(b'M', &[b"head"]),
            [&group.head.seq.to_be_bytes()[..], &group.head.hash].concat(),
        );
        group.staged = 0;
        let first = group.first;
        let purged = std::mem::take(&mut group.purged_chunks);
        // Purged bodies go from the pack too, once the purge is durable (the
        // next sync): a crash before then keeps the entry naming them, and the
        // desk sends the purge again.
        match self.tree.apply_batch(batch) {
            Ok(()) => self.pack.purge_later(purged),
            Err(e) => {
                let reason = e.to_string();
                for r in results.iter_mut().skip(first).filter(|r| r.is_ok()) {
                    *r = Err(group_failed(&reason));
                }
                // The rest of this call is refused too: sled may hold part of
                // the failed batch in memory, so nothing more is chained on it.
                group.broken = Some(reason);
            }
        }
    }

    fn check_version(&self) -> Result<(), StoreError> {
        let k = key(b'M', &[b"version"]);
        let version = match self.tree.get(&k)? {
            None if self.tree.scan_prefix([b'L']).next().is_none() => {
                // A new store.
                self.tree.insert(k, &FORMAT_VERSION.to_be_bytes())?;
                return Ok(());
            }
            None => 0,
            Some(v) => {
                let v: [u8; 4] = v
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("version"))?;
                u32::from_be_bytes(v)
            }
        };
        match version {
            FORMAT_VERSION => Ok(()),
            0 => {
                self.migrate_from_0()?;
                self.migrate_from_1()
            }
            1 => self.migrate_from_1(),
            n if n > FORMAT_VERSION => Err(StoreError::NewerFormat(n)),
            _ => Err(StoreError::Corrupt("unknown older format version")),
        }
    }

    /// Format 1 -> 2: chunk files and large `X` values into the pack.
    fn migrate_from_1(&self) -> Result<(), StoreError> {
        let old = self.dir.join(CHUNK_DIR_V1);
        let mut batch = sled::Batch::default();
        let mut moved = 0u64;
        for item in self.tree.scan_prefix([b'F']) {
            let (k, v) = item?;
            if !v.is_empty() {
                // Already in the pack (a format 1 backup restored by this release).
                continue;
            }
            let blob = k.get(1..).ok_or(StoreError::Corrupt("chunk key"))?;
            match std::fs::read(old.join(hex::encode(blob))) {
                Ok(bytes) => {
                    let loc = self.pack.append(&bytes)?;
                    batch.insert(k, &loc.encode());
                    moved += 1;
                }
                // Format 1 removed a purged chunk's file before the purge was
                // durable, and read a missing file as purged: so does this.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => batch.remove(k),
                Err(e) => return Err(e.into()),
            }
        }
        for item in self.tree.scan_prefix([b'X']) {
            let (k, v) = item?;
            if v.len() > INLINE_MAX {
                let blob = k.get(1..).ok_or(StoreError::Corrupt("body key"))?;
                let loc = self.pack.append(&v)?;
                batch.insert(key(b'F', &[blob]), &loc.encode());
                batch.remove(k);
                moved += 1;
            }
        }
        batch.insert(key(b'M', &[b"version"]), &2u32.to_be_bytes());
        // The bodies are durable in the pack before any key names them there.
        self.pack.sync()?;
        self.tree.apply_batch(batch)?;
        self.sync()?;
        match std::fs::remove_dir_all(&old) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        Self::fsync_path(&self.dir)?;
        tracing::info!("store migrated from format 1 to format 2 ({moved} bodies moved into {PACK_FILE})");
        Ok(())
    }

    /// Format 0 -> 1: verify the chain, rebuild the `K` index, record the version.
    fn migrate_from_0(&self) -> Result<(), StoreError> {
        self.verify_chain().map_err(|e| match e {
            StoreError::Unverified(e) => StoreError::Unmigratable(0, e),
            e => e,
        })?;
        let mut batch = sled::Batch::default();
        for item in self.tree.scan_prefix([b'R']) {
            let (k, case) = item?;
            let lookup = k.get(1..).ok_or(StoreError::Corrupt("receipt index"))?;
            batch.insert(key(b'K', &[&case]), lookup);
        }
        batch.insert(key(b'M', &[b"version"]), &1u32.to_be_bytes());
        self.tree.apply_batch(batch)?;
        tracing::info!("store migrated from format 0 to format 1");
        Ok(())
    }

    /// Walks the whole log from the first entry, checking every link and every
    /// body still present, and that it ends at the recorded head.
    pub fn verify_chain(&self) -> Result<Head, StoreError> {
        let mut chain = crate::core::log::Chain::from(Head::EMPTY);
        for item in self.tree.scan_prefix([b'L']) {
            let (_, v) = item?;
            let entry = Entry::decode(&v).map_err(StoreError::Unverified)?;
            let body = self.body(entry.seq)?;
            chain
                .push(&entry, body.as_deref())
                .map_err(StoreError::Unverified)?;
        }
        if chain.head() != self.head()? {
            return Err(StoreError::Unverified(crate::core::log::LogError::HeadMismatch));
        }
        Ok(chain.head())
    }

    /// Loads a dump (see [`Store::dump`]) into `dir`, which must be missing or
    /// empty, then opens it as usual (migrating an older format) and verifies
    /// the whole chain. `next` yields the dump's keys and values, then `None`.
    pub fn restore(
        dir: &Path,
        next: &mut dyn FnMut() -> Result<Option<Record>, StoreError>,
    ) -> Result<(SledStore, Head), StoreError> {
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
            return Err(StoreError::NotEmpty(dir.to_owned()));
        }
        // One handle throughout: sled releases its directory lock only after
        // its own threads let go, so closing and reopening here could race.
        let raw = SledStore::open_as_is(dir)?;
        {
            let mut batch = sled::Batch::default();
            let mut in_batch = 0usize;
            while let Some((k, v)) = next()? {
                match (k.first(), k.get(1..)) {
                    // Attachment chunks and large bodies go back into the pack.
                    (Some(b'X'), Some(blob)) if !blob.starts_with(INLINE_BLOB) || v.len() > INLINE_MAX => {
                        let loc = raw.pack.append(&v)?;
                        batch.insert(key(b'F', &[blob]), &loc.encode());
                    }
                    _ => batch.insert(k, v),
                }
                in_batch += 1;
                if in_batch >= 1024 {
                    raw.tree.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
            }
            raw.tree.apply_batch(batch)?;
            raw.sync()?;
        }
        raw.prepare()?;
        let head = raw.verify_chain()?;
        Ok((raw, head))
    }

    /// Bodies of submissions that never committed (the server stopped
    /// mid-upload), and pack bytes no key names (a crash mid-write, a purge
    /// not yet punched): removed, so the pack holds committed bodies only.
    fn drop_leftover_pending(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut pending = HashSet::new();
        for item in self.tree.scan_prefix([b'P']) {
            let (k, _) = item?;
            let blob = k.get(1..).ok_or(StoreError::Corrupt("pending key"))?;
            batch.remove(key(b'X', &[blob]));
            batch.remove(key(b'F', &[blob]));
            pending.insert(blob.to_vec());
            batch.remove(k);
        }
        self.tree.apply_batch(batch)?;
        let mut live = Vec::new();
        for item in self.tree.scan_prefix([b'F']) {
            let (k, v) = item?;
            if k.get(1..).is_some_and(|blob| pending.contains(blob)) {
                continue;
            }
            live.push(Loc::decode(&v).ok_or(StoreError::Corrupt("body location"))?);
        }
        // The keys go first: a crash now leaves bytes no key names, which
        // the next start removes again.
        self.db.flush()?;
        self.pack.keep_only(live)?;
        Ok(())
    }

    fn fsync_path(path: &Path) -> Result<(), StoreError> {
        File::open(path)?.sync_all()?;
        Ok(())
    }
}

/// How many blob files are fsynced at once. A large attachment leaves a new
/// sled blob file per chunk or so (about 1,200 for 512 MiB); one after the
/// other at 2.5-4 ms each they took longer than receiving the upload. Issued
/// together, the file system commits them in shared journal transactions.
const FSYNC_THREADS: usize = 8;

/// fsyncs every file in `files`, several at a time; returns the names of
/// those synced (a blob sled removed meanwhile is skipped: it is no loss).
fn fsync_all(files: &[std::fs::DirEntry]) -> Result<Vec<std::ffi::OsString>, StoreError> {
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path()).collect();
    fsync_paths(&paths)?;
    Ok(files.iter().map(|f| f.file_name()).collect())
}

/// fsyncs files a few at a time (the disk takes several syncs at once far
/// faster than one after another). A file already gone is skipped: sled
/// removes blob files it no longer needs, and a failed upload its chunks.
fn fsync_paths(paths: &[PathBuf]) -> Result<(), StoreError> {
    let per_thread = paths.len().div_ceil(FSYNC_THREADS).max(1);
    let sync_part = |part: &[PathBuf]| -> Result<(), std::io::Error> {
        for path in part {
            match File::open(path) {
                Ok(f) => f.sync_all()?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let mut workers = Vec::new();
        for part in paths.chunks(per_thread) {
            // A thread that cannot be had (a task limit) syncs its share here.
            match std::thread::Builder::new().spawn_scoped(scope, move || sync_part(part)) {
                Ok(worker) => workers.push(worker),
                Err(_) => sync_part(part)?,
            }
        }
        for worker in workers {
            worker
                .join()
                .map_err(|_| StoreError::Corrupt("fsync thread failed"))??;
        }
        Ok(())
    })
}

impl Store for SledStore {
    /// The store directory's blocks on disk (holes punched by purges are not counted).
    fn stored_bytes(&self) -> Result<u64, StoreError> {
        fn walk(dir: &Path) -> std::io::Result<u64> {
            use std::os::unix::fs::MetadataExt;
            let mut total = 0u64;
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let meta = entry.metadata()?;
                total = total.saturating_add(if meta.is_dir() {
                    walk(&entry.path())?
                } else {
                    meta.blocks().saturating_mul(512)
                });
            }
            Ok(total)
        }
        Ok(walk(&self.dir)?)
    }

    fn put_pending(&self, blob: BlobId, bytes: &[u8]) -> Result<(), StoreError> {
        let loc = self.pack.append(bytes)?;
        // Two plain inserts, not a batch (each sled batch writes its log
        // buffer out twice). sled recovers its log up to the first gap (a
        // prefix), so after a crash `F` is never there without `P`, and the
        // next start removes a `P` with whatever of it exists.
        self.tree.insert(key(b'P', &[&blob]), &[])?;
        self.tree.insert(key(b'F', &[&blob]), &loc.encode())?;
        Ok(())
    }

    fn discard_pending(&self, blobs: &[BlobId]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut locs = Vec::new();
        for blob in blobs {
            if let Some(loc) = self.pack_loc(blob)? {
                locs.push(loc);
            }
            batch.remove(key(b'P', &[blob]));
            batch.remove(key(b'X', &[blob]));
            batch.remove(key(b'F', &[blob]));
        }
        self.tree.apply_batch(batch)?;
        // Never committed, so nothing names them: gone at once.
        for loc in locs {
            self.pack.punch(loc)?;
        }
        Ok(())
    }

    fn commit_all(&self, commits: Vec<Commit>) -> Vec<Result<Head, StoreError>> {
        let Ok(_guard) = self.commit_lock.lock() else {
            return commits
                .iter()
                .map(|_| Err(StoreError::Corrupt("commit lock poisoned")))
                .collect();
        };
        let mut results = Vec::with_capacity(commits.len());
        let mut group = match self.head() {
            Ok(head) => Group::new(head),
            Err(e) => {
                let reason = e.to_string();
                return commits.iter().map(|_| Err(group_failed(&reason))).collect();
            }
        };
        for commit in commits {
            // Imports and purges read what earlier commits wrote (bundle marks,
            // a case's entries): they go in a batch of their own, after them.
            let alone = commit.extras.bundle.is_some() || !commit.extras.purge.is_empty();
            if alone {
                self.apply_group(&mut group, &mut results);
            }
            if let Some(reason) = &group.broken {
                results.push(Err(group_failed(reason)));
                continue;
            }
            match self.stage(&group.head, commit) {
                Ok(staged) => {
                    group.add(staged, results.len());
                    results.push(Ok(group.head));
                }
                Err(e) => results.push(Err(e)),
            }
            if alone {
                self.apply_group(&mut group, &mut results);
            }
        }
        self.apply_group(&mut group, &mut results);
        results
    }

    fn sync(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self
            .sync_lock
            .lock()
            .map_err(|_| StoreError::Corrupt("sync lock poisoned"))?;
        // The pack first, then sled's keys that name its bodies.
        self.pack.sync()?;
        self.db.flush()?;
        let mut synced = self
            .synced_blobs
            .lock()
            .map_err(|_| StoreError::Corrupt("sync lock poisoned"))?;
        let blob_dir = self.dir.join("blobs");
        if blob_dir.is_dir() {
            let mut new_blobs = Vec::new();
            for item in std::fs::read_dir(&blob_dir)? {
                let item = item?;
                if !synced.contains(&item.file_name()) {
                    new_blobs.push(item);
                }
            }
            if !new_blobs.is_empty() {
                for name in fsync_all(&new_blobs)? {
                    synced.insert(name);
                }
                Self::fsync_path(&blob_dir)?;
            }
        }
        for item in std::fs::read_dir(&self.dir)? {
            let item = item?;
            if item.file_type()?.is_file() && item.file_name() != PACK_FILE {
                File::open(item.path())?.sync_all()?;
            }
        }
        Self::fsync_path(&self.dir)?;
        // Purges are durable now: their bodies can go.
        self.pack.punch_purged()?;
        Ok(())
    }

    fn head(&self) -> Result<Head, StoreError> {
        match self.tree.get(key(b'M', &[b"head"]))? {
            None => Ok(Head::EMPTY),
            Some(v) => decode_head(&v),
        }
    }

    fn lookup(&self, id: &LookupId) -> Result<Option<CaseId>, StoreError> {
        match self.tree.get(key(b'R', &[&id.0]))? {
            None => Ok(None),
            Some(v) => Ok(Some(
                CaseId::from_bytes(
                    v.as_ref()
                        .try_into()
                        .map_err(|_| StoreError::Corrupt("receipt index"))?,
                )
                .map_err(|_| StoreError::Corrupt("receipt index"))?,
            )),
        }
    }

    fn case_exists(&self, case: CaseId) -> Result<bool, StoreError> {
        Ok(self.tree.scan_prefix(key(b'C', &[&case.0])).next().is_some())
    }

    fn op_applied(&self, op: &[u8; 16]) -> Result<bool, StoreError> {
        Ok(self.tree.contains_key(key(b'O', &[op]))?)
    }

    fn bundle_imported(&self, bundle: &[u8; 16]) -> Result<bool, StoreError> {
        Ok(self.tree.contains_key(key(b'U', &[bundle]))?)
    }

    fn case_entries(&self, case: CaseId) -> Result<Vec<EntryWithBody>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(key(b'C', &[&case.0])) {
            let (k, _) = item?;
            let seq: [u8; 8] = k
                .get(9..)
                .and_then(|s| s.try_into().ok())
                .ok_or(StoreError::Corrupt("case index"))?;
            let seq = u64::from_be_bytes(seq);
            let entry = self
                .entry(seq)?
                .ok_or(StoreError::Corrupt("indexed entry missing"))?;
            // Attachment chunks are never shown to the reporter; skip their bodies.
            let body = if entry.kind == EntryKind::AttachmentChunk {
                None
            } else {
                self.body(seq)?
            };
            out.push((entry, body));
        }
        Ok(out)
    }

    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        match self.tree.get(key(b'L', &[&seq.to_be_bytes()]))? {
            None => Ok(None),
            Some(v) => Entry::decode(&v)
                .map(Some)
                .map_err(|_| StoreError::Corrupt("entry header")),
        }
    }

    fn body(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(blob) = self.tree.get(key(b'B', &[&seq.to_be_bytes()]))? else {
            return Ok(None);
        };
        if let Some(v) = self.tree.get(key(b'X', &[&blob]))? {
            return Ok(Some(v.to_vec()));
        }
        match self.pack_loc(&blob)? {
            Some(loc) => Ok(self.pack.read(loc)?),
            None => Ok(None),
        }
    }

    fn dump(&self, sink: &mut DumpSink<'_>) -> Result<u64, StoreError> {
        // Holding the commit lock keeps every index and the head still; only
        // pending bodies (`P`, and their `X`) change meanwhile, and those are
        // left out: a body belongs in the dump only if a `B` entry names it.
        let _guard = self
            .commit_lock
            .lock()
            .map_err(|_| StoreError::Corrupt("commit lock poisoned"))?;
        let mut committed: HashSet<Vec<u8>> = HashSet::new();
        let mut count = 0u64;
        for item in self.tree.iter() {
            let (k, v) = item?;
            match k.first() {
                Some(b'P') => continue,
                Some(b'B') => {
                    committed.insert(v.to_vec());
                }
                Some(b'X') if !k.get(1..).is_some_and(|blob| committed.contains(blob)) => continue,
                // A body kept in the pack goes into the dump as the plain `X`
                // entry it stands for, so a restore needs no files beside it.
                Some(b'F') => {
                    let Some(blob) = k.get(1..) else { continue };
                    if committed.contains(blob) {
                        let bytes = if v.is_empty() {
                            // A format 1 store (a backup of a stopped, older server).
                            std::fs::read(self.dir.join(CHUNK_DIR_V1).join(hex::encode(blob)))?
                        } else {
                            let loc = Loc::decode(&v).ok_or(StoreError::Corrupt("body location"))?;
                            self.pack
                                .read(loc)?
                                .ok_or(StoreError::Corrupt("body missing from the pack"))?
                        };
                        sink(&key(b'X', &[blob]), &bytes)?;
                        count += 1;
                    }
                    continue;
                }
                _ => {}
            }
            sink(&k, &v)?;
            count += 1;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::super::suite::{self, new_entry};
    use super::super::{CommitExtras, NewEntry, chain_head};
    use super::*;
    use crate::core::log::{PartRef, body_hash};

    /// Opens a store this process has just closed: sled lets go of its
    /// directory lock only once its own threads have, so wait for that.
    fn reopen(dir: &Path) -> Result<SledStore, StoreError> {
        let mut tries = 0;
        loop {
            match SledStore::open(dir) {
                Err(StoreError::Sled(sled::Error::Io(e)))
                    if tries < 100 && e.to_string().contains("lock") =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    #[test]
    fn commits_chain_and_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = CaseId([0, 0, 0, 0, 0, 0, 0, 9]);
        let head = {
            let store = SledStore::open(dir.path()).expect("open");
            store.put_pending([1; 16], b"chunk").expect("pending");
            let entries = vec![
                NewEntry {
                    part: Some(PartRef {
                        attachment: [2; 16],
                        index: 0,
                    }),
                    body: NewBody::Pending {
                        blob: [1; 16],
                        len: 5,
                        hash: body_hash(b"chunk"),
                    },
                    ..new_entry(EntryKind::AttachmentChunk, case, b"")
                },
                new_entry(EntryKind::Message, case, b"message ct"),
            ];
            store.put_pending([3; 16], b"orphan").expect("pending");
            let head = store
                .commit(
                    entries,
                    CommitExtras {
                        new_case: Some((LookupId([7; 32]), case)),
                        ..Default::default()
                    },
                )
                .expect("commit");
            store.sync().expect("sync");
            head
        };
        let store = reopen(dir.path()).expect("reopen");
        assert_eq!(store.head().expect("head"), head);
        assert_eq!(head.seq, 2);
        assert_eq!(store.lookup(&LookupId([7; 32])).expect("lookup"), Some(case));
        assert_eq!(chain_head(&store, 2), head);
        // The orphaned pending body is gone after reopening.
        assert!(store.tree.get(key(b'X', &[&[3u8; 16]])).expect("get").is_none());
        // A purge drops bodies and the look-up but keeps the chain.
        store
            .commit(
                vec![],
                CommitExtras {
                    purge: vec![case],
                    ..Default::default()
                },
            )
            .expect("purge");
        assert_eq!(store.body(2).expect("body"), None);
        assert_eq!(store.lookup(&LookupId([7; 32])).expect("lookup"), None);
        assert!(store.entry(2).expect("entry").is_some());
    }

    #[test]
    fn chunks_live_in_files_and_survive_dump_and_restore() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = CaseId([0, 0, 0, 0, 0, 0, 0, 7]);
        let store = SledStore::open(&dir.path().join("a")).expect("open");
        let chunk = vec![0x5a; 300_000];
        store.put_pending([4; 16], &chunk).expect("pending");
        let entries = vec![NewEntry {
            part: Some(PartRef {
                attachment: [2; 16],
                index: 0,
            }),
            body: NewBody::Pending {
                blob: [4; 16],
                len: chunk.len() as u64,
                hash: body_hash(&chunk),
            },
            ..new_entry(EntryKind::AttachmentChunk, case, b"")
        }];
        store.commit(entries, CommitExtras::default()).expect("commit");
        store.sync().expect("sync");
        assert!(
            store.tree.get(key(b'X', &[&[4u8; 16]])).expect("get").is_none(),
            "not in sled"
        );
        let pack = std::fs::read(dir.path().join("a").join(PACK_FILE)).expect("pack");
        assert!(pack.windows(64).any(|w| w == &chunk[..64]), "in the pack");
        assert_eq!(store.body(1).expect("body"), Some(chunk.clone()));

        let mut dump = Vec::new();
        store
            .dump(&mut |k: &[u8], v: &[u8]| {
                dump.push((k.to_vec(), v.to_vec()));
                Ok(())
            })
            .expect("dump");
        let mut records = dump.into_iter();
        let (restored, head) =
            SledStore::restore(&dir.path().join("b"), &mut || Ok(records.next())).expect("restore");
        assert_eq!(head, store.head().expect("head"));
        assert_eq!(restored.body(1).expect("body"), Some(chunk));
        assert!(
            restored.pack_loc(&[4; 16]).expect("loc").is_some(),
            "restored into the pack"
        );

        // A purge removes the file.
        restored
            .commit(
                vec![],
                CommitExtras {
                    purge: vec![case],
                    ..Default::default()
                },
            )
            .expect("purge");
        restored.sync().expect("sync");
        let pack = std::fs::read(dir.path().join("b").join(PACK_FILE)).expect("pack");
        assert!(pack.iter().all(|&b| b == 0), "the purged chunk's bytes are gone");
        assert_eq!(restored.body(1).expect("body"), None);
    }

    /// Every file and folder of the store after several commits (and a
    /// restart) was made when the store was, except what a start rewrites:
    /// no body gets a file of its own.
    #[test]
    fn bodies_of_any_size_make_no_file_of_their_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let names = |d: &Path| -> Vec<String> {
            let mut out = Vec::new();
            for e in walk(d) {
                out.push(e.strip_prefix(d).expect("prefix").display().to_string());
            }
            out.sort();
            out
        };
        let case = CaseId([0, 0, 0, 0, 0, 0, 0, 5]);
        let store = SledStore::open(dir.path()).expect("open");
        let before = names(dir.path());
        for (i, size) in [100usize, 5_000, 200_000, 600_000].into_iter().enumerate() {
            let body: Vec<u8> = (0..size).map(|j| (j * 31 + i) as u8).collect();
            store
                .commit(
                    vec![new_entry(EntryKind::Message, case, &body)],
                    CommitExtras::default(),
                )
                .expect("commit");
            store.put_pending([i as u8; 16], &body).expect("pending");
            store.sync().expect("sync");
            assert!(
                store.body(i as u64 + 1).expect("body") == Some(body),
                "body {i} reads back"
            );
        }
        // Sixteen large bodies more, so sled's leaves would hold several.
        for _ in 0..16 {
            store
                .commit(
                    vec![new_entry(EntryKind::Message, case, &[7u8; 60_000])],
                    CommitExtras::default(),
                )
                .expect("commit");
        }
        store.sync().expect("sync");
        assert_eq!(names(dir.path()), before);
        assert_eq!(
            chain_head(&store, store.head().expect("head").seq),
            store.head().expect("head")
        );
    }

    fn walk(d: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
        out
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("dir") {
            let p = e.expect("entry").path();
            let dest = to.join(p.file_name().expect("name"));
            if p.is_dir() {
                copy_dir(&p, &dest);
            } else {
                std::fs::copy(&p, &dest).expect("copy");
            }
        }
    }

    /// A store written by format 1's `candor serve` (tests/vectors/store-format-1):
    /// its chunk files move into the pack, the chain still verifies, and
    /// `chunks/` is gone; a second open changes nothing.
    #[test]
    fn a_format_1_store_is_migrated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vector = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/store-format-1/data/store");
        copy_dir(&vector, dir.path());
        assert!(dir.path().join(CHUNK_DIR_V1).is_dir());
        let head = {
            let store = SledStore::open(dir.path()).expect("open");
            assert_eq!(
                store.tree.get(key(b'M', &[b"version"])).expect("get").as_deref(),
                Some(&FORMAT_VERSION.to_be_bytes()[..])
            );
            let head = store.verify_chain().expect("chain");
            let chunks: usize = (1..=head.seq)
                .filter(|&s| {
                    store.entry(s).expect("entry").expect("present").kind == EntryKind::AttachmentChunk
                })
                .map(|s| store.body(s).expect("body").expect("present").len())
                .sum();
            assert!(chunks > 1_500_000, "the attachment's chunks are all there");
            head
        };
        assert!(!dir.path().join(CHUNK_DIR_V1).exists());
        let store = reopen(dir.path()).expect("reopen");
        assert_eq!(store.verify_chain().expect("chain"), head);
    }

    #[test]
    fn refuses_a_newer_format() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = SledStore::open(dir.path()).expect("open");
            store
                .tree
                .insert(key(b'M', &[b"version"]), &99u32.to_be_bytes())
                .expect("insert");
            store.sync().expect("sync");
        }
        assert!(matches!(reopen(dir.path()), Err(StoreError::NewerFormat(99))));
    }

    /// The shared suite (store/mod.rs) on sled.
    #[test]
    fn shared_suite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut n = 0;
        suite::run(&mut || {
            n += 1;
            let path = dir.path().join(n.to_string());
            Box::new(SledStore::open(&path).expect("open")) as Box<dyn Store>
        });
    }

    #[test]
    fn shared_suite_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        suite::survives_reopen(&mut || Box::new(reopen(dir.path()).expect("open")) as Box<dyn Store>);
    }
}

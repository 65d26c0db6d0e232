//! The PostgreSQL back end: several `candor` processes may share one database.
//!
//! Selected by `candor serve --store postgres://...` (or `store = "..."` in
//! the configuration, or `CANDOR_STORE`). One database holds any number of
//! logs (one per tenant), each a row of `candor_logs`; the tables are in
//! `postgres/0001-initial.sql`.
//!
//! # One linear chain per log, across processes
//!
//! Every commit runs in one transaction that starts with `SELECT ... FOR
//! UPDATE` on its log's row in `candor_logs`: a second process committing to
//! the same log waits for the first to commit, then reads the head it wrote
//! (READ COMMITTED reads every statement after the lock afresh), so sequence
//! numbers never fork. Plain submissions of a group (new entries and a new
//! case's look-up, nothing that can be refused) are written together, one
//! statement per table; an import, a purge or a commit with uploaded bodies
//! runs alone under a savepoint after them, so a refused one leaves no trace
//! and the others land. (Should a group's plain statements fail, a database
//! error, each of their commits gets that error.)
//!
//! # Durability
//!
//! Every connection sets `synchronous_commit = on`: `COMMIT` returns once the
//! commit is in the write-ahead log on disk (and on a synchronous standby, if
//! the provider configures one), so [`Store::sync`] has nothing left to do.
//! [`Durability`](crate::server::durable::Durability) hands a whole group of
//! waiting submissions to one [`Store::commit_all`], one transaction: one WAL
//! flush for all of them. Bodies of uploads still arriving are written with
//! `synchronous_commit = off`: the commit that names them comes later in the
//! WAL, and its flush covers them.
//!
//! # Uploads in flight
//!
//! A body written before its entry (an attachment chunk) carries its process's
//! owner number, which that process holds as a session advisory lock for as
//! long as it runs. A start removes such bodies only when their owner's lock
//! is free (the process died), never those of a process still receiving.
//!
//! # Schema versions
//!
//! `candor_schema` lists the migrations applied. A start applies the missing
//! ones in one transaction (under an advisory lock, so two processes starting
//! together apply them once) and refuses a database with a migration it does
//! not know ([`StoreError::NewerSchema`]) without changing it.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::Type;
use ::postgres::{Client, NoTls, Transaction};
use zeroize::Zeroizing;

use crate::core::case::CaseId;
use crate::core::log::{Chain, Entry, EntryKind, Head, body_hash};
use crate::core::receipt::LookupId;

use super::{
    BlobId, Commit, DumpSink, EntryWithBody, FORMAT_VERSION, NewBody, Record, Store, StoreError, decode_head,
    inline_blob, key,
};

/// The schema migrations, in order; `candor_schema` records each one applied.
const MIGRATIONS: &[&str] = &[include_str!("postgres/0001-initial.sql")];

/// The first key of candor's advisory locks (`pg_advisory_lock(int, int)`): "cand".
const LOCK_CLASS: i32 = 0x6361_6e64;

/// The second key of the lock that serialises migrations.
const MIGRATION_LOCK: i32 = 0;

/// Entries an export reads per query.
const EXPORT_PAGE: i64 = 1000;

/// The most body bytes an export page holds before its last entry.
const EXPORT_PAGE_BYTES: i64 = 16 << 20;

/// Connections per process for commits and reads (more requests wait for one).
const POOL_SIZE: usize = 8;

/// What a database error says, without the values it may quote (a key's
/// value in a constraint violation's detail): its message and SQLSTATE.
impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> StoreError {
        match e.as_db_error() {
            Some(db) => StoreError::Postgres(format!("{} (SQLSTATE {})", db.message(), db.code().code())),
            None if e.is_closed() => StoreError::Postgres("the connection to the database is closed".into()),
            None => StoreError::Postgres(e.to_string()),
        }
    }
}

/// Whether a statement that failed with `e` may have committed before it
/// failed: the server ended the session (SQLSTATE class 57, e.g. a backend
/// terminated while it waited for a synchronous standby, "already committed
/// locally") or the connection broke (class 08).
fn may_have_committed(e: &StoreError) -> bool {
    match e {
        StoreError::Postgres(m) => {
            m.contains("(SQLSTATE 57")
                || m.contains("(SQLSTATE 08")
                || m.contains("connection to the database is closed")
        }
        _ => false,
    }
}

/// Runs a call into the synchronous client, which drives its connection on
/// a runtime of its own and so must not run on a tokio worker as it is.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The connections of one process to one database, shared by every log
/// (tenant) it serves.
pub struct PgPool {
    config: ::postgres::Config,
    conns: Vec<Mutex<Option<Client>>>,
    next: AtomicUsize,
    /// Holds this process's owner lock for as long as it runs.
    lock_conn: Mutex<Option<Client>>,
    owner: i32,
}

fn connect(config: &::postgres::Config) -> Result<Client, StoreError> {
    let mut client = config.connect(NoTls)?;
    // Read committed whatever the database's default: the one-statement
    // group write relies on it (under repeatable read a head moved by
    // another process is an error, not a statement that writes nothing).
    client
        .batch_execute("SET synchronous_commit = on; SET default_transaction_isolation = 'read committed'")?;
    Ok(client)
}

impl PgPool {
    /// Connects to `url` (`postgres://user@host/db`, or with
    /// `?host=/run/postgresql` for a Unix socket), applies missing schema
    /// migrations, and takes this process's owner lock.
    pub fn connect(url: &str) -> Result<Arc<PgPool>, StoreError> {
        blocking(|| {
            let config = ::postgres::Config::from_str(url)
                .map_err(|e| StoreError::Postgres(format!("the store's address is not valid: {e}")))?;
            let mut lock_conn = connect(&config)?;
            migrate(&mut lock_conn)?;
            let owner = loop {
                let mut seed = [0u8; 4];
                getrandom::fill(&mut seed).map_err(|_| StoreError::Corrupt("no randomness"))?;
                let owner = i32::from_be_bytes(seed);
                if owner == MIGRATION_LOCK {
                    continue;
                }
                let row =
                    lock_conn.query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_CLASS, &owner])?;
                if row.get::<_, bool>(0) {
                    break owner;
                }
            };
            Ok(Arc::new(PgPool {
                config,
                conns: (0..POOL_SIZE).map(|_| Mutex::new(None)).collect(),
                next: AtomicUsize::new(0),
                lock_conn: Mutex::new(Some(lock_conn)),
                owner,
            }))
        })
    }

    /// A connection: a free one if any, else waits for the next in turn. A
    /// connection found closed is replaced.
    fn get(&self) -> Result<MutexGuard<'_, Option<Client>>, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        let mut guard = None;
        for i in 0..n {
            if let Some(slot) = self.conns.get((start + i) % n)
                && let Ok(g) = slot.try_lock()
            {
                guard = Some(g);
                break;
            }
        }
        let mut guard = match guard {
            Some(g) => g,
            None => self
                .conns
                .get(start % n)
                .ok_or(StoreError::Corrupt("empty pool"))?
                .lock()
                .map_err(|_| StoreError::Corrupt("connection lock poisoned"))?,
        };
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(connect(&self.config)?);
        }
        Ok(guard)
    }

    /// Runs `f` on a connection.
    fn with<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        blocking(|| {
            let mut guard = self.get()?;
            let client = guard.as_mut().ok_or(StoreError::Corrupt("no connection"))?;
            f(client)
        })
    }
}

/// A client closes its connection on a runtime of its own, which cannot
/// start on a thread already driving tokio (the server drops its state there
/// at shutdown, and on a failed start): the pool's clients are dropped on a
/// thread of their own.
impl Drop for PgPool {
    fn drop(&mut self) {
        let mut clients: Vec<Client> = std::mem::take(&mut self.conns)
            .into_iter()
            .filter_map(|m| m.into_inner().ok().flatten())
            .collect();
        if let Ok(lock) = self.lock_conn.get_mut()
            && let Some(c) = lock.take()
        {
            clients.push(c);
        }
        if let Ok(closing) = std::thread::Builder::new().spawn(move || drop(clients)) {
            let _ = closing.join();
        }
    }
}

/// Applies the migrations the database lacks; refuses one newer than this candor.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&LOCK_CLASS, &MIGRATION_LOCK],
    )?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS candor_schema (version integer PRIMARY KEY)")?;
    let applied: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM candor_schema", &[])?
        .get(0);
    let known = i32::try_from(MIGRATIONS.len()).map_err(|_| StoreError::Corrupt("too many migrations"))?;
    if applied > known {
        return Err(StoreError::NewerSchema(
            applied.unsigned_abs(),
            known.unsigned_abs(),
        ));
    }
    for (version, sql) in (1..).zip(MIGRATIONS.iter()).skip(applied.unsigned_abs() as usize) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO candor_schema (version) VALUES ($1)", &[&version])?;
        tracing::info!("database schema migrated to version {version}");
    }
    tx.commit()?;
    Ok(())
}

/// Whether a commit can neither be refused nor depend on what the commits
/// before it in its group wrote: new entries with bodies sent along, and a
/// new case's look-up. Such commits of a group are written together.
fn is_plain(commit: &Commit) -> bool {
    let x = &commit.extras;
    x.bundle.is_none()
        && x.purge.is_empty()
        && x.recorded.is_empty()
        && commit
            .entries
            .iter()
            .all(|e| e.op.is_none() && matches!(e.body, NewBody::Inline(_)))
}

/// The rows of a group's plain commits, as arrays for `unnest`.
struct Batch {
    blobs: Vec<Vec<u8>>,
    bodies: Vec<Vec<u8>>,
    seqs: Vec<i64>,
    kinds: Vec<i16>,
    cases: Vec<Vec<u8>>,
    headers: Vec<Vec<u8>>,
    lookups: Vec<Vec<u8>>,
    lookup_cases: Vec<Vec<u8>>,
    /// The commits in it (their places in the group's results).
    members: Vec<usize>,
    /// The head before its first commit.
    before: Head,
}

impl Batch {
    fn new(before: Head) -> Batch {
        Batch {
            blobs: Vec::new(),
            bodies: Vec::new(),
            seqs: Vec::new(),
            kinds: Vec::new(),
            cases: Vec::new(),
            headers: Vec::new(),
            lookups: Vec::new(),
            lookup_cases: Vec::new(),
            members: Vec::new(),
            before,
        }
    }

    /// Adds a plain commit's rows, chained onto `head`; returns the new head.
    fn add(&mut self, head: Head, commit: Commit) -> Head {
        self.add_ref(head, &commit)
    }

    /// [`Batch::add`] from a borrowed commit (its bodies copied), so that the
    /// commit can still be written another way.
    fn add_ref(&mut self, mut head: Head, commit: &Commit) -> Head {
        for new in &commit.entries {
            let seq = head.seq + 1;
            let bytes = match &new.body {
                NewBody::Inline(bytes) => bytes.clone(),
                // Not plain; `is_plain` keeps these out.
                NewBody::Pending { .. } => continue,
            };
            let entry = new.at(seq, head.hash, bytes.len() as u64, body_hash(&bytes));
            self.blobs.push(inline_blob(seq).to_vec());
            self.bodies.push(bytes);
            self.seqs.push(i64::try_from(seq).unwrap_or(i64::MAX));
            self.kinds.push(i16::from(entry.kind as u8));
            self.cases.push(entry.case.0.to_vec());
            self.headers.push(entry.encode());
            head = Head {
                seq,
                hash: entry.hash(),
            };
        }
        if let Some((lookup, case)) = &commit.extras.new_case {
            self.lookups.push(lookup.0.to_vec());
            self.lookup_cases.push(case.0.to_vec());
        }
        head
    }
}

/// One log (one tenant's) in a shared database.
pub struct PgStore {
    pool: Arc<PgPool>,
    log: String,
    /// The head this process last wrote or read: a group of plain commits is
    /// written as one statement conditioned on it (see [`PgStore::write_plain`]).
    known_head: Mutex<Option<Head>>,
    /// Groups left to write the locked way straight away: set when another
    /// process moved the head, since a first try would then wait for its
    /// lock only to find the head moved, and wait again under the lock.
    contended: AtomicUsize,
}

/// Groups written the locked way after the head was found moved.
const CONTENDED_GROUPS: usize = 64;

/// A group of plain commits in one statement, its own transaction: the log's
/// row moves from the head the rows were chained onto ($2, $3) to the new
/// one ($4, $5) only if it still holds the former, and every row is written
/// only if it moved. The `UPDATE` locks the row (another process's commit to
/// the same log waits, then finds the head changed and writes nothing).
const WRITE_PLAIN: &str = "\
WITH h AS (UPDATE candor_logs SET head_seq = $4, head_hash = $5 \
           WHERE log = $1 AND head_seq = $2 AND head_hash = $3 RETURNING log), \
b AS (INSERT INTO candor_bodies (log, blob, body) \
      SELECT h.log, u.blob, u.body FROM h, unnest($6::bytea[], $7::bytea[]) AS u(blob, body)), \
e AS (INSERT INTO candor_entries (log, seq, kind, case_id, header, blob) \
      SELECT h.log, u.seq, u.kind, u.case_id, u.header, u.blob FROM h, \
      unnest($8::bigint[], $9::smallint[], $10::bytea[], $11::bytea[], $6::bytea[]) AS u(seq, kind, case_id, header, blob)), \
r AS (INSERT INTO candor_receipts (log, lookup, case_id) \
      SELECT h.log, u.lookup, u.case_id FROM h, unnest($12::bytea[], $13::bytea[]) AS u(lookup, case_id)) \
SELECT count(*) FROM h";

fn seq_i64(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt("sequence number out of range"))
}

fn seq_u64(seq: i64) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt("sequence number out of range"))
}

fn case_id(bytes: &[u8]) -> Result<CaseId, StoreError> {
    let bytes: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt("case id"))?;
    CaseId::from_bytes(bytes).map_err(|_| StoreError::Corrupt("case id"))
}

fn read_head(tx: &mut Transaction<'_>, log: &str, lock: bool) -> Result<Head, StoreError> {
    let sql = if lock {
        "SELECT head_seq, head_hash FROM candor_logs WHERE log = $1 FOR UPDATE"
    } else {
        "SELECT head_seq, head_hash FROM candor_logs WHERE log = $1"
    };
    match tx.query_typed_opt(sql, &[(&log, Type::TEXT)])? {
        None => Ok(Head::EMPTY),
        Some(row) => {
            let hash: Vec<u8> = row.get(1);
            Ok(Head {
                seq: seq_u64(row.get(0))?,
                hash: hash.try_into().map_err(|_| StoreError::Corrupt("head"))?,
            })
        }
    }
}

/// [`WRITE_PLAIN`] for `commits` chained onto `before`: each commit's new
/// head, or `None` if the log's head was no longer `before` (nothing written).
/// Remembers nothing; the caller does.
fn run_plain(
    client: &mut impl ::postgres::GenericClient,
    log: &str,
    before: Head,
    commits: &[Commit],
) -> Result<Option<Vec<Result<Head, StoreError>>>, StoreError> {
    use ::postgres::types::ToSql;
    let mut batch = Batch::new(before);
    let mut head = before;
    let mut results = Vec::with_capacity(commits.len());
    for commit in commits {
        head = batch.add_ref(head, commit);
        results.push(Ok(head));
    }
    let (old_seq, new_seq) = (seq_i64(before.seq)?, seq_i64(head.seq)?);
    let (old_hash, new_hash) = (before.hash.as_slice(), head.hash.as_slice());
    let params: [(&(dyn ToSql + Sync), Type); 13] = [
        (&log, Type::TEXT),
        (&old_seq, Type::INT8),
        (&old_hash, Type::BYTEA),
        (&new_seq, Type::INT8),
        (&new_hash, Type::BYTEA),
        (&batch.blobs, Type::BYTEA_ARRAY),
        (&batch.bodies, Type::BYTEA_ARRAY),
        (&batch.seqs, Type::INT8_ARRAY),
        (&batch.kinds, Type::INT2_ARRAY),
        (&batch.cases, Type::BYTEA_ARRAY),
        (&batch.headers, Type::BYTEA_ARRAY),
        (&batch.lookups, Type::BYTEA_ARRAY),
        (&batch.lookup_cases, Type::BYTEA_ARRAY),
    ];
    let moved: i64 = client.query_typed_one(WRITE_PLAIN, &params)?.get(0);
    Ok((moved == 1).then_some(results))
}

impl PgStore {
    /// Opens the log `log` in the pool's database (creating it when new):
    /// removes bodies of uploads whose process died, and verifies the whole
    /// chain against the recorded head.
    pub fn open(pool: Arc<PgPool>, log: &str) -> Result<PgStore, StoreError> {
        let store = PgStore {
            pool,
            log: log.to_owned(),
            known_head: Mutex::new(None),
            contended: AtomicUsize::new(0),
        };
        // Statements of the start are sent with their types (one round trip
        // each, nothing prepared): a thousand tenants start in one go.
        store.pool.with(|c| {
            c.execute_typed(
                "INSERT INTO candor_logs (log, head_seq, head_hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
                &[(&store.log, Type::TEXT), (&Head::EMPTY.hash.as_slice(), Type::BYTEA)],
            )?;
            Ok(())
        })?;
        store.drop_leftover_pending()?;
        store.verify_chain()?;
        Ok(store)
    }

    /// The server's log-signing key for this log, made with `random` by the
    /// first process to start on it; every process serving the log signs
    /// with the same key, so the desk sees one server.
    pub fn server_key(
        &self,
        random: impl FnOnce() -> Option<Zeroizing<String>>,
    ) -> Result<Zeroizing<String>, StoreError> {
        self.pool.with(|c| {
            // Made once: read without a lock first.
            let row = c.query_typed_one(
                "SELECT server_key FROM candor_logs WHERE log = $1",
                &[(&self.log, Type::TEXT)],
            )?;
            if let Some(key) = row.get::<_, Option<String>>(0) {
                return Ok(Zeroizing::new(key));
            }
            let mut tx = c.transaction()?;
            let row = tx.query_one(
                "SELECT server_key FROM candor_logs WHERE log = $1 FOR UPDATE",
                &[&self.log],
            )?;
            if let Some(key) = row.get::<_, Option<String>>(0) {
                return Ok(Zeroizing::new(key));
            }
            let key = random().ok_or(StoreError::Corrupt("no randomness"))?;
            tx.execute(
                "UPDATE candor_logs SET server_key = $2 WHERE log = $1",
                &[&self.log, &key.as_str()],
            )?;
            tx.commit()?;
            Ok(key)
        })
    }

    /// Replaces the log's server key (a restore brings the key its log was signed with).
    pub fn set_server_key(&self, key: &str) -> Result<(), StoreError> {
        self.pool.with(|c| {
            c.execute(
                "UPDATE candor_logs SET server_key = $2 WHERE log = $1",
                &[&self.log, &key],
            )?;
            Ok(())
        })
    }

    /// Bodies whose process is gone (its owner lock is free): an upload that
    /// never committed.
    fn drop_leftover_pending(&self) -> Result<(), StoreError> {
        let owners: Vec<i32> = self.pool.with(|c| {
            Ok(c.query_typed(
                "SELECT DISTINCT owner FROM candor_bodies WHERE log = $1 AND owner IS NOT NULL",
                &[(&self.log, Type::TEXT)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })?;
        for owner in owners {
            if owner == self.pool.owner {
                continue;
            }
            blocking(|| {
                let mut guard = self
                    .pool
                    .lock_conn
                    .lock()
                    .map_err(|_| StoreError::Corrupt("lock connection poisoned"))?;
                let lock = guard.as_mut().ok_or(StoreError::Corrupt("no lock connection"))?;
                let free: bool = lock
                    .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_CLASS, &owner])?
                    .get(0);
                if free {
                    let deleted = lock.execute(
                        "DELETE FROM candor_bodies WHERE log = $1 AND owner = $2",
                        &[&self.log, &owner],
                    );
                    lock.execute("SELECT pg_advisory_unlock($1, $2)", &[&LOCK_CLASS, &owner])?;
                    deleted?;
                }
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(())
    }

    /// Walks the whole log from the first entry, checking every link and
    /// every body still present, and that it ends at the recorded head.
    pub fn verify_chain(&self) -> Result<Head, StoreError> {
        self.pool.with(|c| {
            let mut tx = c
                .build_transaction()
                .read_only(true)
                .isolation_level(::postgres::IsolationLevel::RepeatableRead)
                .start()?;
            let head = match tx.query_typed_opt(
                "SELECT head_seq, head_hash FROM candor_logs WHERE log = $1",
                &[(&self.log, Type::TEXT)],
            )? {
                None => Head::EMPTY,
                Some(row) => {
                    let hash: Vec<u8> = row.get(1);
                    Head {
                        seq: seq_u64(row.get(0))?,
                        hash: hash.try_into().map_err(|_| StoreError::Corrupt("head"))?,
                    }
                }
            };
            let mut chain = Chain::from(Head::EMPTY);
            {
                let mut rows = tx.query_typed_raw(
                    "SELECT e.header, b.body FROM candor_entries e LEFT JOIN candor_bodies b \
                     ON b.log = e.log AND b.blob = e.blob WHERE e.log = $1 ORDER BY e.seq",
                    [(&self.log as &(dyn ::postgres::types::ToSql + Sync), Type::TEXT)],
                )?;
                while let Some(row) = rows.next()? {
                    let entry = Entry::decode(row.get::<_, &[u8]>(0)).map_err(StoreError::Unverified)?;
                    chain
                        .push(&entry, row.get::<_, Option<&[u8]>>(1))
                        .map_err(StoreError::Unverified)?;
                }
            }
            tx.commit()?;
            if chain.head() != head {
                return Err(StoreError::Unverified(crate::core::log::LogError::HeadMismatch));
            }
            Ok(head)
        })
    }

    /// Loads a dump (see [`Store::dump`]) into the log `log`, which must have
    /// no entries, in one transaction, then verifies the whole chain.
    pub fn restore(
        pool: Arc<PgPool>,
        log: &str,
        next: &mut dyn FnMut() -> Result<Option<Record>, StoreError>,
    ) -> Result<(PgStore, Head), StoreError> {
        let store = PgStore::open(pool, log)?;
        store.pool.with(|c| {
            let mut tx = c.transaction()?;
            if read_head(&mut tx, log, true)? != Head::EMPTY {
                return Err(StoreError::LogNotEmpty(log.to_owned()));
            }
            // Entries name their bodies; bodies may come before or after.
            let mut blobs: Vec<(u64, Vec<u8>)> = Vec::new();
            while let Some((k, v)) = next()? {
                let (prefix, rest) = k.split_first().ok_or(StoreError::Corrupt("empty key"))?;
                match prefix {
                    b'L' => {
                        let entry = Entry::decode(&v).map_err(StoreError::Unverified)?;
                        tx.execute(
                            "INSERT INTO candor_entries (log, seq, kind, case_id, header) VALUES ($1, $2, $3, $4, $5)",
                            &[&log, &seq_i64(entry.seq)?, &i16::from(entry.kind as u8), &entry.case.0.as_slice(), &v],
                        )?;
                    }
                    b'B' => {
                        let seq: [u8; 8] = rest.try_into().map_err(|_| StoreError::Corrupt("body key"))?;
                        blobs.push((u64::from_be_bytes(seq), v));
                    }
                    b'X' => {
                        tx.execute(
                            "INSERT INTO candor_bodies (log, blob, body) VALUES ($1, $2, $3)",
                            &[&log, &rest, &v],
                        )?;
                    }
                    b'R' => {
                        tx.execute(
                            "INSERT INTO candor_receipts (log, lookup, case_id) VALUES ($1, $2, $3)",
                            &[&log, &rest, &v],
                        )?;
                    }
                    b'O' => {
                        let seq: [u8; 8] = v.as_slice().try_into().map_err(|_| StoreError::Corrupt("op"))?;
                        tx.execute(
                            "INSERT INTO candor_ops (log, op, seq) VALUES ($1, $2, $3)",
                            &[&log, &rest, &seq_i64(u64::from_be_bytes(seq))?],
                        )?;
                    }
                    b'U' => {
                        tx.execute(
                            "INSERT INTO candor_bundles (log, bundle) VALUES ($1, $2)",
                            &[&log, &rest],
                        )?;
                    }
                    b'M' if rest == b"head" => {
                        let head = decode_head(&v)?;
                        tx.execute(
                            "UPDATE candor_logs SET head_seq = $2, head_hash = $3 WHERE log = $1",
                            &[&log, &seq_i64(head.seq)?, &head.hash.as_slice()],
                        )?;
                    }
                    b'M' if rest == b"version" => {
                        let version: [u8; 4] =
                            v.as_slice().try_into().map_err(|_| StoreError::Corrupt("version"))?;
                        let version = u32::from_be_bytes(version);
                        if version != FORMAT_VERSION {
                            return Err(StoreError::DumpFormat(version));
                        }
                    }
                    // The case index (C, K) is the entries' and receipts' own columns.
                    b'C' | b'K' => {}
                    _ => return Err(StoreError::Corrupt("unknown record in the dump")),
                }
            }
            for (seq, blob) in blobs {
                tx.execute(
                    "UPDATE candor_entries SET blob = $3 WHERE log = $1 AND seq = $2",
                    &[&log, &seq_i64(seq)?, &blob],
                )?;
            }
            tx.commit()?;
            Ok(())
        })?;
        let head = store.verify_chain()?;
        Ok((store, head))
    }

    /// Checks and writes one commit inside the group's transaction (under a
    /// savepoint the caller releases or rolls back); returns the new head.
    fn stage(&self, tx: &mut Transaction<'_>, head: Head, commit: Commit) -> Result<Head, StoreError> {
        let log = &self.log;
        let Commit { entries, extras } = commit;
        if let Some(bundle) = &extras.bundle
            && tx
                .query_opt(
                    "SELECT 1 FROM candor_bundles WHERE log = $1 AND bundle = $2",
                    &[log, &bundle.as_slice()],
                )?
                .is_some()
        {
            return Err(StoreError::AlreadyImported);
        }
        for op in entries.iter().filter_map(|e| e.op.as_ref()) {
            if tx
                .query_opt(
                    "SELECT 1 FROM candor_ops WHERE log = $1 AND op = $2",
                    &[log, &op.as_slice()],
                )?
                .is_some()
            {
                return Err(StoreError::AppliedMeanwhile);
            }
        }
        for (lookup, case) in &extras.recorded {
            let taken: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM candor_receipts WHERE log = $1 AND lookup = $2) \
                     OR EXISTS (SELECT 1 FROM candor_entries WHERE log = $1 AND case_id = $3)",
                    &[log, &lookup.0.as_slice(), &case.0.as_slice()],
                )?
                .get(0);
            if taken {
                return Err(StoreError::AppliedMeanwhile);
            }
        }
        for case in &extras.purge {
            let case = case.0.as_slice();
            tx.execute(
                "DELETE FROM candor_bodies b USING candor_entries e \
                 WHERE e.log = $1 AND e.case_id = $2 AND b.log = e.log AND b.blob = e.blob",
                &[log, &case],
            )?;
            tx.execute(
                "UPDATE candor_entries SET blob = NULL WHERE log = $1 AND case_id = $2",
                &[log, &case],
            )?;
            tx.execute(
                "DELETE FROM candor_receipts WHERE log = $1 AND case_id = $2",
                &[log, &case],
            )?;
        }
        let mut head = head;
        for new in entries {
            let seq = head.seq + 1;
            let (len, hash) = new.body_len_hash();
            let entry = new.at(seq, head.hash, len, hash);
            let blob = match new.body {
                NewBody::Pending { blob, .. } => {
                    let row = tx.query_opt(
                        "UPDATE candor_bodies SET owner = NULL WHERE log = $1 AND blob = $2 \
                         AND owner IS NOT NULL RETURNING length(body)",
                        &[log, &blob.as_slice()],
                    )?;
                    let stored = row.map(|r| r.get::<_, i32>(0));
                    if stored.and_then(|n| u64::try_from(n).ok()) != Some(len) {
                        return Err(StoreError::NotWritten("an uploaded body is missing".into()));
                    }
                    blob
                }
                NewBody::Inline(bytes) => {
                    let blob = inline_blob(seq);
                    tx.execute(
                        "INSERT INTO candor_bodies (log, blob, body) VALUES ($1, $2, $3)",
                        &[log, &blob.as_slice(), &bytes],
                    )?;
                    blob
                }
            };
            tx.execute(
                "INSERT INTO candor_entries (log, seq, kind, case_id, header, blob) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    log,
                    &seq_i64(seq)?,
                    &i16::from(entry.kind as u8),
                    &entry.case.0.as_slice(),
                    &entry.encode(),
                    &blob.as_slice(),
                ],
            )?;
            if let Some(op) = &entry.op {
                tx.execute(
                    "INSERT INTO candor_ops (log, op, seq) VALUES ($1, $2, $3)",
                    &[log, &op.as_slice(), &seq_i64(seq)?],
                )?;
            }
            head = Head {
                seq,
                hash: entry.hash(),
            };
        }
        for (lookup, case) in extras.new_case.into_iter().chain(extras.recorded) {
            tx.execute(
                "INSERT INTO candor_receipts (log, lookup, case_id) VALUES ($1, $2, $3)",
                &[log, &lookup.0.as_slice(), &case.0.as_slice()],
            )?;
        }
        if let Some(bundle) = extras.bundle {
            tx.execute(
                "INSERT INTO candor_bundles (log, bundle) VALUES ($1, $2)",
                &[log, &bundle.as_slice()],
            )?;
        }
        Ok(head)
    }

    /// Writes the plain commits gathered in `batch` (one statement per
    /// table, under one savepoint); returns the head after them, or the head
    /// before them if they could not be written (each then gets the error).
    fn flush(
        &self,
        tx: &mut Transaction<'_>,
        batch: &mut Batch,
        results: &mut [Result<Head, StoreError>],
        head: Head,
    ) -> Head {
        if batch.members.is_empty() {
            batch.before = head;
            return head;
        }
        let done = std::mem::replace(batch, Batch::new(head));
        let written = (|| -> Result<(), StoreError> {
            let mut sp = tx.savepoint("batch")?;
            sp.execute(
                "INSERT INTO candor_bodies (log, blob, body) SELECT $1, * FROM unnest($2::bytea[], $3::bytea[])",
                &[&self.log, &done.blobs, &done.bodies],
            )?;
            sp.execute(
                "INSERT INTO candor_entries (log, seq, kind, case_id, header, blob) \
                 SELECT $1, * FROM unnest($2::bigint[], $3::smallint[], $4::bytea[], $5::bytea[], $6::bytea[])",
                &[&self.log, &done.seqs, &done.kinds, &done.cases, &done.headers, &done.blobs],
            )?;
            if !done.lookups.is_empty() {
                sp.execute(
                    "INSERT INTO candor_receipts (log, lookup, case_id) SELECT $1, * FROM unnest($2::bytea[], $3::bytea[])",
                    &[&self.log, &done.lookups, &done.lookup_cases],
                )?;
            }
            sp.commit()?;
            Ok(())
        })();
        match written {
            Ok(()) => head,
            Err(e) => {
                let reason = match e {
                    StoreError::Postgres(r) => r,
                    e => e.to_string(),
                };
                for i in &done.members {
                    if let Some(r) = results.get_mut(*i) {
                        *r = Err(StoreError::NotWritten(reason.clone()));
                    }
                }
                batch.before = done.before;
                done.before
            }
        }
    }

    /// The head this process last saw, or read now (without a lock).
    fn known_head(&self, client: &mut Client) -> Result<Head, StoreError> {
        if let Some(head) = *self
            .known_head
            .lock()
            .map_err(|_| StoreError::Corrupt("head lock poisoned"))?
        {
            return Ok(head);
        }
        let mut tx = client.transaction()?;
        let head = read_head(&mut tx, &self.log, false)?;
        tx.commit()?;
        Ok(head)
    }

    fn remember(&self, head: Option<Head>) {
        if let Ok(mut known) = self.known_head.lock() {
            *known = head;
        }
    }

    /// Writes a group of plain commits in one round trip and one WAL flush:
    /// [`WRITE_PLAIN`], chained onto the head this process knows. If the
    /// head had moved (another process wrote meanwhile), nothing was written
    /// and the group is written again under the row's lock, chained onto the
    /// head read under it (four round trips), as are the next
    /// [`CONTENDED_GROUPS`] groups.
    fn write_plain(&self, client: &mut Client, commits: &[Commit]) -> Vec<Result<Head, StoreError>> {
        let fail = |e: StoreError, maybe_applied: bool| -> Vec<Result<Head, StoreError>> {
            self.remember(None);
            let reason = e.to_string();
            commits
                .iter()
                .map(|_| {
                    Err(if maybe_applied {
                        StoreError::NotDurable(reason.clone())
                    } else {
                        StoreError::NotWritten(reason.clone())
                    })
                })
                .collect()
        };
        let contended = self
            .contended
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if !contended {
            let before = match self.known_head(client) {
                Ok(h) => h,
                Err(e) => return fail(e, false),
            };
            match run_plain(client, &self.log, before, commits) {
                Ok(Some(results)) => {
                    self.remember(results.last().and_then(|r| r.as_ref().ok().copied()));
                    return results;
                }
                Ok(None) => self.contended.store(CONTENDED_GROUPS, Ordering::Relaxed),
                // A statement is its own transaction: an error is an error of
                // the whole, but a lost connection may have come after the commit.
                Err(e) => {
                    let lost = client.is_closed() || may_have_committed(&e);
                    return fail(e, lost);
                }
            }
        }
        let mut tx = match client.transaction() {
            Ok(tx) => tx,
            Err(e) => return fail(e.into(), false),
        };
        let locked =
            read_head(&mut tx, &self.log, true).and_then(|head| run_plain(&mut tx, &self.log, head, commits));
        match locked {
            Ok(Some(results)) => match tx.commit() {
                Ok(()) => {
                    self.remember(results.last().and_then(|r| r.as_ref().ok().copied()));
                    results
                }
                Err(e) => fail(e.into(), true),
            },
            Ok(None) => fail(StoreError::Corrupt("the log's head moved under its lock"), false),
            Err(e) => fail(e, false),
        }
    }

    fn commit_group(&self, client: &mut Client, commits: Vec<Commit>) -> Vec<Result<Head, StoreError>> {
        let failed_all = |n: usize, e: &StoreError| -> Vec<Result<Head, StoreError>> {
            (0..n)
                .map(|_| Err(StoreError::NotWritten(e.to_string())))
                .collect()
        };
        let n = commits.len();
        let mut tx = match client.transaction() {
            Ok(tx) => tx,
            Err(e) => return failed_all(n, &e.into()),
        };
        let mut head = match read_head(&mut tx, &self.log, true) {
            Ok(h) => h,
            Err(e) => return failed_all(n, &e),
        };
        let mut results = Vec::with_capacity(n);
        let mut batch = Batch::new(head);
        for commit in commits {
            if is_plain(&commit) {
                head = batch.add(head, commit);
                batch.members.push(results.len());
                results.push(Ok(head));
                continue;
            }
            // What may be refused, or reads what came before it, goes alone
            // after the plain ones before it.
            head = self.flush(&mut tx, &mut batch, &mut results, head);
            let mut sp = match tx.savepoint("commit") {
                Ok(sp) => sp,
                Err(e) => {
                    results.push(Err(StoreError::from(e)));
                    continue;
                }
            };
            match self.stage(&mut sp, head, commit) {
                Ok(new_head) => match sp.commit() {
                    Ok(()) => {
                        head = new_head;
                        results.push(Ok(new_head));
                    }
                    Err(e) => results.push(Err(StoreError::NotWritten(StoreError::from(e).to_string()))),
                },
                Err(e) => {
                    let _ = sp.rollback();
                    let e = match e {
                        StoreError::Postgres(reason) => StoreError::NotWritten(reason),
                        e => e,
                    };
                    results.push(Err(e));
                }
            }
        }
        head = self.flush(&mut tx, &mut batch, &mut results, head);
        if !results.iter().any(Result::is_ok) {
            let _ = tx.rollback();
            return results;
        }
        let end = tx
            .execute(
                "UPDATE candor_logs SET head_seq = $2, head_hash = $3 WHERE log = $1",
                &[
                    &self.log,
                    &seq_i64(head.seq).unwrap_or(i64::MAX),
                    &head.hash.as_slice(),
                ],
            )
            .map_err(StoreError::from)
            .and_then(|_| tx.commit().map_err(StoreError::from));
        if let Err(e) = end {
            // The commit may or may not have reached the disk.
            let reason = e.to_string();
            for r in results.iter_mut().filter(|r| r.is_ok()) {
                *r = Err(StoreError::NotDurable(reason.clone()));
            }
        }
        results
    }
}

impl Store for PgStore {
    fn put_pending(&self, blob: BlobId, bytes: &[u8]) -> Result<(), StoreError> {
        self.pool.with(|c| {
            let mut tx = c.transaction()?;
            // Durable with the commit that names it (see the module's doc).
            tx.batch_execute("SET LOCAL synchronous_commit = off")?;
            tx.execute(
                "INSERT INTO candor_bodies (log, blob, body, owner) VALUES ($1, $2, $3, $4)",
                &[&self.log, &blob.as_slice(), &bytes, &self.pool.owner],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn discard_pending(&self, blobs: &[BlobId]) -> Result<(), StoreError> {
        let blobs: Vec<&[u8]> = blobs.iter().map(|b| b.as_slice()).collect();
        self.pool.with(|c| {
            c.execute(
                "DELETE FROM candor_bodies WHERE log = $1 AND blob = ANY($2) AND owner IS NOT NULL",
                &[&self.log, &blobs],
            )?;
            Ok(())
        })
    }

    fn commit_all(&self, commits: Vec<Commit>) -> Vec<Result<Head, StoreError>> {
        let n = commits.len();
        let written = self.pool.with(|c| {
            if !commits.is_empty() && commits.iter().all(is_plain) {
                return Ok(self.write_plain(c, &commits));
            }
            let results = self.commit_group(c, commits);
            // The head is read afresh by the next group.
            self.remember(None);
            Ok(results)
        });
        match written {
            Ok(results) => results,
            Err(e) => (0..n)
                .map(|_| Err(StoreError::NotWritten(e.to_string())))
                .collect(),
        }
    }

    /// In pages of [`EXPORT_PAGE`] entries, one query each; the connection
    /// goes back to the pool between pages, so a slow reader holds none.
    fn entries_between(
        &self,
        after: u64,
        to: u64,
        f: &mut dyn FnMut(Entry, Option<Vec<u8>>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut next = after;
        while next < to {
            let (from, until) = (seq_i64(next)?, seq_i64(to)?);
            // At most EXPORT_PAGE entries, and bodies of at most
            // EXPORT_PAGE_BYTES before the last one: a page of attachment
            // chunks (1 MiB each) must not take a gigabyte of memory.
            let page: Vec<(Vec<u8>, Option<Vec<u8>>)> = self.pool.with(|c| {
                Ok(c.query_typed(
                    "SELECT header, body FROM ( \
                       SELECT e.seq, e.header, b.body, \
                         sum(coalesce(octet_length(b.body), 0)) OVER (ORDER BY e.seq) \
                           - coalesce(octet_length(b.body), 0) AS before \
                       FROM candor_entries e LEFT JOIN candor_bodies b \
                       ON b.log = e.log AND b.blob = e.blob \
                       WHERE e.log = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq LIMIT $4 \
                     ) p WHERE p.before < $5 ORDER BY p.seq",
                    &[
                        (&self.log, Type::TEXT),
                        (&from, Type::INT8),
                        (&until, Type::INT8),
                        (&EXPORT_PAGE, Type::INT8),
                        (&EXPORT_PAGE_BYTES, Type::INT8),
                    ],
                )?
                .into_iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect())
            })?;
            if page.is_empty() {
                return Err(StoreError::Corrupt("entry missing below head"));
            }
            for (header, body) in page {
                let entry = Entry::decode(&header).map_err(|_| StoreError::Corrupt("entry header"))?;
                if entry.seq != next + 1 {
                    return Err(StoreError::Corrupt("entry missing below head"));
                }
                next = entry.seq;
                f(entry, body)?;
            }
        }
        Ok(())
    }

    fn stored_bytes(&self) -> Result<u64, StoreError> {
        self.pool.with(|c| {
            let bytes: i64 = c
                .query_one(
                    "SELECT (SELECT coalesce(sum(length(body)), 0) FROM candor_bodies WHERE log = $1)::bigint \
                     + (SELECT coalesce(sum(length(header)), 0) FROM candor_entries WHERE log = $1)::bigint",
                    &[&self.log],
                )?
                .get(0);
            Ok(u64::try_from(bytes).unwrap_or(0))
        })
    }

    /// Nothing to do: every commit was durable when `COMMIT` returned.
    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn head(&self) -> Result<Head, StoreError> {
        self.pool.with(|c| {
            let mut tx = c.transaction()?;
            let head = read_head(&mut tx, &self.log, false)?;
            tx.commit()?;
            Ok(head)
        })
    }

    fn lookup(&self, id: &LookupId) -> Result<Option<CaseId>, StoreError> {
        self.pool.with(|c| {
            match c.query_opt(
                "SELECT case_id FROM candor_receipts WHERE log = $1 AND lookup = $2",
                &[&self.log, &id.0.as_slice()],
            )? {
                None => Ok(None),
                Some(row) => case_id(row.get(0)).map(Some),
            }
        })
    }

    fn case_exists(&self, case: CaseId) -> Result<bool, StoreError> {
        self.pool.with(|c| {
            Ok(c.query_opt(
                "SELECT 1 FROM candor_entries WHERE log = $1 AND case_id = $2 LIMIT 1",
                &[&self.log, &case.0.as_slice()],
            )?
            .is_some())
        })
    }

    fn op_applied(&self, op: &[u8; 16]) -> Result<bool, StoreError> {
        self.pool.with(|c| {
            Ok(c.query_opt(
                "SELECT 1 FROM candor_ops WHERE log = $1 AND op = $2",
                &[&self.log, &op.as_slice()],
            )?
            .is_some())
        })
    }

    fn bundle_imported(&self, bundle: &[u8; 16]) -> Result<bool, StoreError> {
        self.pool.with(|c| {
            Ok(c.query_opt(
                "SELECT 1 FROM candor_bundles WHERE log = $1 AND bundle = $2",
                &[&self.log, &bundle.as_slice()],
            )?
            .is_some())
        })
    }

    fn case_entries(&self, case: CaseId) -> Result<Vec<EntryWithBody>, StoreError> {
        let chunk = i16::from(EntryKind::AttachmentChunk as u8);
        self.pool.with(|c| {
            let rows = c.query(
                // Attachment chunks are never shown to the reporter: no body.
                "SELECT e.header, CASE WHEN e.kind = $3 THEN NULL ELSE b.body END \
                 FROM candor_entries e LEFT JOIN candor_bodies b ON b.log = e.log AND b.blob = e.blob \
                 WHERE e.log = $1 AND e.case_id = $2 ORDER BY e.seq",
                &[&self.log, &case.0.as_slice(), &chunk],
            )?;
            rows.iter()
                .map(|row| {
                    let entry = Entry::decode(row.get::<_, &[u8]>(0))
                        .map_err(|_| StoreError::Corrupt("entry header"))?;
                    Ok((entry, row.get::<_, Option<Vec<u8>>>(1)))
                })
                .collect()
        })
    }

    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        self.pool.with(|c| {
            match c.query_opt(
                "SELECT header FROM candor_entries WHERE log = $1 AND seq = $2",
                &[&self.log, &seq_i64(seq)?],
            )? {
                None => Ok(None),
                Some(row) => Entry::decode(row.get::<_, &[u8]>(0))
                    .map(Some)
                    .map_err(|_| StoreError::Corrupt("entry header")),
            }
        })
    }

    fn body(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.pool.with(|c| {
            Ok(c.query_opt(
                "SELECT b.body FROM candor_entries e JOIN candor_bodies b ON b.log = e.log AND b.blob = e.blob \
                 WHERE e.log = $1 AND e.seq = $2",
                &[&self.log, &seq_i64(seq)?],
            )?
            .map(|row| row.get(0)))
        })
    }

    fn dump(&self, sink: &mut DumpSink<'_>) -> Result<u64, StoreError> {
        self.pool.with(|c| {
            // One snapshot for every table: a consistent cut.
            let mut tx = c.build_transaction().read_only(true).start()?;
            tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
            let head = read_head(&mut tx, &self.log, false)?;
            let log = &self.log;
            let mut count = 0u64;
            let mut emit = |k: Vec<u8>, v: &[u8]| -> Result<(), StoreError> {
                sink(&k, v)?;
                count += 1;
                Ok(())
            };
            // In the records' key order: B, C, K, L, M, O, R, U, X.
            for row in tx.query(
                "SELECT seq, blob FROM candor_entries WHERE log = $1 AND blob IS NOT NULL ORDER BY seq",
                &[log],
            )? {
                emit(key(b'B', &[&seq_u64(row.get(0))?.to_be_bytes()]), row.get(1))?;
            }
            for row in tx.query(
                "SELECT case_id, seq FROM candor_entries WHERE log = $1 ORDER BY case_id, seq",
                &[log],
            )? {
                emit(key(b'C', &[row.get(0), &seq_u64(row.get(1))?.to_be_bytes()]), &[])?;
            }
            for row in tx.query(
                "SELECT case_id, lookup FROM candor_receipts WHERE log = $1 ORDER BY case_id",
                &[log],
            )? {
                emit(key(b'K', &[row.get(0)]), row.get(1))?;
            }
            {
                let mut rows = tx.query_raw(
                    "SELECT seq, header FROM candor_entries WHERE log = $1 ORDER BY seq",
                    [log],
                )?;
                while let Some(row) = rows.next()? {
                    emit(key(b'L', &[&seq_u64(row.get(0))?.to_be_bytes()]), row.get(1))?;
                }
            }
            emit(
                b"Mhead".to_vec(),
                &[&head.seq.to_be_bytes()[..], &head.hash].concat(),
            )?;
            emit(b"Mversion".to_vec(), &FORMAT_VERSION.to_be_bytes())?;
            for row in tx.query(
                "SELECT op, seq FROM candor_ops WHERE log = $1 ORDER BY op",
                &[log],
            )? {
                emit(key(b'O', &[row.get(0)]), &seq_u64(row.get(1))?.to_be_bytes())?;
            }
            for row in tx.query(
                "SELECT lookup, case_id FROM candor_receipts WHERE log = $1 ORDER BY lookup",
                &[log],
            )? {
                emit(key(b'R', &[row.get(0)]), row.get(1))?;
            }
            for row in tx.query(
                "SELECT bundle FROM candor_bundles WHERE log = $1 ORDER BY bundle",
                &[log],
            )? {
                emit(key(b'U', &[row.get(0)]), &[])?;
            }
            {
                let mut rows = tx.query_raw(
                    "SELECT blob, body FROM candor_bodies WHERE log = $1 AND owner IS NULL ORDER BY blob",
                    [log],
                )?;
                while let Some(row) = rows.next()? {
                    emit(key(b'X', &[row.get(0)]), row.get(1))?;
                }
            }
            tx.commit()?;
            Ok(count)
        })
    }
}

/// The tests' own PostgreSQL (one file, shared with the integration tests).
#[cfg(test)]
#[path = "../../../tests/pg/cluster.rs"]
mod test_cluster;

#[cfg(test)]
mod tests {
    use super::super::sled::SledStore;
    use super::super::suite::{self, new_entry};
    use super::super::{CommitExtras, NewEntry, chain_head};
    use super::test_cluster as cluster;
    use super::*;

    /// A new database and a pool on it, or `None` (SKIPPED) without PostgreSQL.
    fn database() -> Option<(&'static cluster::Cluster, String, Arc<PgPool>)> {
        let cluster = cluster::cluster()?;
        let name = cluster.database();
        let pool = PgPool::connect(&cluster.url(&name)).expect("connect");
        Some((cluster, name, pool))
    }

    /// The shared suite (store/mod.rs) on PostgreSQL: every store a log of
    /// its own in one database, as tenants are.
    #[test]
    fn shared_suite() {
        let Some((_, _, pool)) = database() else { return };
        let mut n = 0;
        suite::run(&mut || {
            n += 1;
            Box::new(PgStore::open(Arc::clone(&pool), &format!("log{n}")).expect("open")) as Box<dyn Store>
        });
    }

    #[test]
    fn shared_suite_reopen() {
        let Some((cluster, name, _)) = database() else {
            return;
        };
        let url = cluster.url(&name);
        suite::survives_reopen(&mut || {
            let pool = PgPool::connect(&url).expect("connect");
            Box::new(PgStore::open(pool, "office").expect("open")) as Box<dyn Store>
        });
    }

    /// The same history gives the same records on both back ends, and a
    /// dump of either restores into the other.
    #[test]
    fn same_records_as_sled_and_restores_across() {
        let Some((_, _, pool)) = database() else { return };
        let dir = tempfile::tempdir().expect("tempdir");
        let sled = SledStore::open(&dir.path().join("a")).expect("sled");
        let pg = PgStore::open(Arc::clone(&pool), "office").expect("open");
        suite::history(&sled);
        suite::history(&pg);
        let mut from_sled = suite::dump(&sled);
        let mut from_pg = suite::dump(&pg);
        from_sled.sort();
        from_pg.sort();
        assert_eq!(from_pg, from_sled);

        let mut records = suite::dump(&sled).into_iter();
        let (restored, head) =
            PgStore::restore(Arc::clone(&pool), "restored", &mut || Ok(records.next())).expect("restore");
        assert_eq!(head, sled.head().expect("head"));
        let mut again = suite::dump(&restored);
        again.sort();
        assert_eq!(again, from_sled);
        // Not into a log that has entries.
        let mut records = suite::dump(&sled).into_iter();
        assert!(matches!(
            PgStore::restore(Arc::clone(&pool), "office", &mut || Ok(records.next())),
            Err(StoreError::LogNotEmpty(_))
        ));
        let mut records = suite::dump(&pg).into_iter();
        let (back, head) =
            SledStore::restore(&dir.path().join("b"), &mut || Ok(records.next())).expect("restore into sled");
        assert_eq!(head, pg.head().expect("head"));
        assert_eq!(chain_head(&back, head.seq), head);
    }

    /// Two pools (as two processes) committing to one log at once: one
    /// linear chain, every answered head in it.
    #[test]
    fn two_processes_keep_one_linear_chain() {
        let Some((cluster, name, first)) = database() else {
            return;
        };
        let second = PgPool::connect(&cluster.url(&name)).expect("connect");
        let stores = [
            Arc::new(PgStore::open(first, "office").expect("open")),
            Arc::new(PgStore::open(second, "office").expect("open")),
        ];
        let mut threads = Vec::new();
        for (t, store) in stores.iter().cycle().take(6).enumerate() {
            let store = Arc::clone(store);
            threads.push(std::thread::spawn(move || {
                let mut heads = Vec::new();
                for i in 0..20u8 {
                    let case = CaseId([0, 0, 0, 0, 0, 0, t as u8, i]);
                    let results = store.commit_all(vec![
                        Commit {
                            entries: vec![new_entry(EntryKind::Message, case, &[i; 100])],
                            extras: CommitExtras::default(),
                        },
                        Commit {
                            entries: vec![new_entry(EntryKind::Message, case, &[i; 10])],
                            extras: CommitExtras::default(),
                        },
                    ]);
                    for r in results {
                        heads.push(r.expect("commit"));
                    }
                }
                heads
            }));
        }
        let mut answered: Vec<Head> = threads
            .into_iter()
            .flat_map(|t| t.join().expect("thread"))
            .collect();
        answered.sort_by_key(|h| h.seq);
        let seqs: Vec<u64> = answered.iter().map(|h| h.seq).collect();
        assert_eq!(seqs, (1..=240).collect::<Vec<u64>>());
        let head = stores[1].verify_chain().expect("verifies");
        assert_eq!(head.seq, 240);
        for h in answered {
            let e = stores[0].entry(h.seq).expect("entry").expect("present");
            assert_eq!(e.hash(), h.hash, "the answered head is the entry in the chain");
        }
    }

    /// Pages are bounded by bytes too, and still give every body whole.
    #[test]
    fn entries_between_pages_large_bodies_by_bytes() {
        let Some((_, _, pool)) = database() else { return };
        let store = PgStore::open(pool, "office").expect("open");
        // 3 MiB bodies: a page ends once 16 MiB came before its last entry,
        // so 12 of them take three pages.
        let bodies: Vec<Vec<u8>> = (0..12u8).map(|i| vec![i; 3 << 20]).collect();
        for (i, body) in bodies.iter().enumerate() {
            let case = CaseId([0, 0, 0, 0, 0, 0, i as u8, 2]);
            store
                .commit(
                    vec![new_entry(EntryKind::Message, case, body)],
                    CommitExtras::default(),
                )
                .expect("commit");
        }
        let head = store.head().expect("head").seq;
        let mut read = Vec::new();
        store
            .entries_between(0, head, &mut |entry, body| {
                read.push((entry.seq, body.expect("body")));
                Ok(())
            })
            .expect("read");
        assert_eq!(read.len(), bodies.len());
        for (i, (seq, body)) in read.iter().enumerate() {
            assert_eq!(*seq, i as u64 + 1);
            assert!(body == &bodies[i], "body {i}");
        }
    }

    /// An export's read, a page at a time, gives every entry and body in
    /// order, as one entry at a time would, from any cursor and across pages.
    #[test]
    fn entries_between_reads_every_entry_in_pages() {
        let Some((_, _, pool)) = database() else { return };
        let store = PgStore::open(pool, "office").expect("open");
        let n = EXPORT_PAGE as u64 * 2 + 17;
        for i in 0..n {
            let case = CaseId([0, 0, 0, 0, 0, 0, (i % 7) as u8, 1]);
            let body = i.to_be_bytes();
            store
                .commit(
                    vec![new_entry(EntryKind::Message, case, &body)],
                    CommitExtras::default(),
                )
                .expect("commit");
        }
        store
            .commit(
                vec![],
                CommitExtras {
                    purge: vec![CaseId([0, 0, 0, 0, 0, 0, 3, 1])],
                    ..Default::default()
                },
            )
            .expect("purge");
        let head = store.head().expect("head").seq;
        for after in [0, 1, EXPORT_PAGE as u64 - 1, EXPORT_PAGE as u64, head - 1, head] {
            let mut read = Vec::new();
            store
                .entries_between(after, head, &mut |entry, body| {
                    read.push((entry, body));
                    Ok(())
                })
                .expect("read");
            let one_by_one: Vec<(Entry, Option<Vec<u8>>)> = (after + 1..=head)
                .map(|seq| {
                    (
                        store.entry(seq).expect("entry").expect("present"),
                        store.body(seq).expect("body"),
                    )
                })
                .collect();
            assert_eq!(read.len() as u64, head - after, "after {after}");
            assert!(
                read == one_by_one,
                "after {after}: not the same entries and bodies"
            );
        }
        assert!(
            (1..=head).any(|seq| store.body(seq).expect("body").is_none()),
            "the purge left no entry without its body"
        );
    }

    /// A body still uploading by a live process stays when another starts;
    /// one whose process is gone is removed.
    #[test]
    fn pending_bodies_of_a_dead_process_go_those_of_a_live_one_stay() {
        let Some((cluster, name, live)) = database() else {
            return;
        };
        let url = cluster.url(&name);
        let a = PgStore::open(Arc::clone(&live), "office").expect("open");
        a.put_pending([1; 16], b"live upload").expect("pending");
        {
            let dead = PgPool::connect(&url).expect("connect");
            let b = PgStore::open(dead, "office").expect("open");
            b.put_pending([2; 16], b"dead upload").expect("pending");
        }
        // Its connections close when the pool goes; the server notices soon after.
        let mut left = String::new();
        for _ in 0..50 {
            let _restarted = PgStore::open(PgPool::connect(&url).expect("connect"), "office").expect("open");
            left = cluster.psql(
                &name,
                "SELECT encode(body, 'escape') FROM candor_bodies ORDER BY 1",
            );
            if !left.contains("dead") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(left.trim(), "live upload");
        // The live one still commits.
        let committed = a.commit(
            vec![NewEntry {
                part: Some(crate::core::log::PartRef {
                    attachment: [2; 16],
                    index: 0,
                }),
                body: NewBody::Pending {
                    blob: [1; 16],
                    len: 11,
                    hash: body_hash(b"live upload"),
                },
                ..new_entry(EntryKind::AttachmentChunk, CaseId([0; 8]), b"")
            }],
            CommitExtras::default(),
        );
        assert_eq!(committed.expect("commit").seq, 1);
        // A commit naming a body that is not there is refused, and leaves nothing.
        let missing = a.commit(
            vec![NewEntry {
                part: Some(crate::core::log::PartRef {
                    attachment: [2; 16],
                    index: 0,
                }),
                body: NewBody::Pending {
                    blob: [2; 16],
                    len: 11,
                    hash: body_hash(b"dead upload"),
                },
                ..new_entry(EntryKind::AttachmentChunk, CaseId([0; 8]), b"")
            }],
            CommitExtras::default(),
        );
        assert!(matches!(missing, Err(StoreError::NotWritten(_))), "{missing:?}");
        assert_eq!(a.head().expect("head").seq, 1);
    }

    #[test]
    fn a_tampered_log_is_refused_at_start() {
        let Some((cluster, name, pool)) = database() else {
            return;
        };
        let store = PgStore::open(Arc::clone(&pool), "office").expect("open");
        suite::history(&store);
        drop(store);
        cluster.psql(
            &name,
            "UPDATE candor_bodies SET body = 'changed' WHERE blob = decode('696e6c696e650000' || '0000000000000001', 'hex')",
        );
        assert!(matches!(
            PgStore::open(Arc::clone(&pool), "office"),
            Err(StoreError::Unverified(_))
        ));
        // Another log in the same database is not affected.
        PgStore::open(pool, "other").expect("another log opens");
    }

    #[test]
    fn a_newer_schema_is_refused_unchanged() {
        let Some((cluster, name, _)) = database() else {
            return;
        };
        cluster.psql(&name, "INSERT INTO candor_schema (version) VALUES (99)");
        assert!(matches!(
            PgPool::connect(&cluster.url(&name)),
            Err(StoreError::NewerSchema(99, 1))
        ));
        assert_eq!(
            cluster
                .psql(&name, "SELECT max(version) FROM candor_schema")
                .trim(),
            "99"
        );
    }

    #[test]
    fn every_process_signs_with_the_same_server_key() {
        let Some((cluster, name, first)) = database() else {
            return;
        };
        let a = PgStore::open(first, "office").expect("open");
        let key = a
            .server_key(|| Some(Zeroizing::new("key one".into())))
            .expect("key");
        let second = PgPool::connect(&cluster.url(&name)).expect("connect");
        let b = PgStore::open(second, "office").expect("open");
        assert_eq!(
            b.server_key(|| Some(Zeroizing::new("key two".into())))
                .expect("key")
                .as_str(),
            key.as_str()
        );
        assert_eq!(key.as_str(), "key one");
    }
}

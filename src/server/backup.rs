//! Backup files: the whole store and the server's signing key, in one file.
//!
//! A backup is written from [`Store::dump`], a consistent cut of the store
//! taken under the commit lock, so it can be made while the server runs (the
//! running server writes it to `candor backup` through its control socket,
//! see [`super::control`]). It holds exactly what the data directory holds:
//! ciphertexts, the clear fields the store allows, and `server.key`, the
//! server's log-signing key. Nothing in it can read a report. Whoever holds it
//! can sign log heads as this server, so keep it as private as the server.
//!
//! This module owns the file format and restoring; it does not know sled.
//!
//! # Wire format
//!
//! ```text
//! "candor-backup\n"                 magic
//! u32 BE  backup format (1)
//! u32 BE  store format of the dump (informational; the dump carries M "version")
//! u32 BE  length, then server.key's bytes
//! repeated:  0x01, u32 BE key length, key, u32 BE value length, value
//! end:       0x00, u64 BE number of records, SHA-256 of every byte before it
//! ```
//!
//! # Invariants
//!
//! - A backup is restored only if its end record is present and its SHA-256
//!   matches: a truncated or altered file is refused before anything is written.
//! - Restoring writes only into a data directory without a store or key, and
//!   the restored store's hash chain is verified end to end before use.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::store::{FORMAT_VERSION, PgPool, PgStore, Record, SledStore, Store, StoreError};
use crate::core::log::Head;

const MAGIC: &[u8] = b"candor-backup\n";
const BACKUP_FORMAT: u32 = 1;
const RECORD: u8 = 1;
const END: u8 = 0;
/// Largest key or value accepted when reading; a larger length means damage.
const MAX_FIELD: u32 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    #[error("backup I/O failure: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("this is not a candor backup")]
    NotABackup,
    #[error("the backup has format {0}; this candor reads format {BACKUP_FORMAT}: use a newer candor")]
    NewerBackup(u32),
    #[error("the backup is damaged or incomplete ({0}); nothing was restored")]
    Damaged(&'static str),
    #[error("{0} already exists; restore only into a new data directory")]
    Exists(PathBuf),
    #[error("the backup's server key is not valid: {0}")]
    BadKey(String),
}

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub records: u64,
    /// The last entry in the backup (0 for an empty store).
    pub head_seq: u64,
}

/// Hashes what passes through.
struct Hashing<T> {
    inner: T,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

fn len32(n: usize) -> io::Result<[u8; 4]> {
    u32::try_from(n)
        .map(u32::to_be_bytes)
        .map_err(|_| io::Error::other("field too large for a backup"))
}

/// Writes a backup of `store` and the key file's bytes to `out`.
pub fn write(out: impl Write, server_key: &[u8], store: &dyn Store) -> Result<Summary, BackupError> {
    let mut w = Hashing {
        inner: BufWriter::new(out),
        hash: Sha256::new(),
    };
    w.write_all(MAGIC)?;
    w.write_all(&BACKUP_FORMAT.to_be_bytes())?;
    w.write_all(&FORMAT_VERSION.to_be_bytes())?;
    w.write_all(&len32(server_key.len())?)?;
    w.write_all(server_key)?;
    let mut head_seq = 0;
    let records = store.dump(&mut |k, v| {
        if k == b"Mhead" {
            head_seq = v
                .first_chunk::<8>()
                .map(|b| u64::from_be_bytes(*b))
                .unwrap_or_default();
        }
        w.write_all(&[RECORD])?;
        w.write_all(&len32(k.len())?)?;
        w.write_all(k)?;
        w.write_all(&len32(v.len())?)?;
        w.write_all(v)
    })?;
    w.write_all(&[END])?;
    w.write_all(&records.to_be_bytes())?;
    let digest = w.hash.clone().finalize();
    w.inner.write_all(&digest)?;
    w.inner.flush()?;
    Ok(Summary { records, head_seq })
}

/// Reads a backup record by record.
struct Reader<R> {
    r: Hashing<R>,
    records: u64,
    done: bool,
}

fn read_array<const N: usize>(r: &mut impl Read) -> Result<[u8; N], BackupError> {
    let mut b = [0u8; N];
    r.read_exact(&mut b).map_err(eof)?;
    Ok(b)
}

fn eof(e: io::Error) -> BackupError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        BackupError::Damaged("it ends too early")
    } else {
        BackupError::Io(e)
    }
}

fn read_field(r: &mut impl Read) -> Result<Vec<u8>, BackupError> {
    let len = u32::from_be_bytes(read_array(r)?);
    if len > MAX_FIELD {
        return Err(BackupError::Damaged("a field is impossibly long"));
    }
    let mut v = Vec::new();
    r.take(u64::from(len)).read_to_end(&mut v)?;
    if v.len() as u64 != u64::from(len) {
        return Err(BackupError::Damaged("it ends too early"));
    }
    Ok(v)
}

impl<R: Read> Reader<R> {
    /// Reads the header; returns the reader and the server key's bytes.
    fn open(inner: R) -> Result<(Reader<R>, Vec<u8>), BackupError> {
        let mut r = Hashing {
            inner,
            hash: Sha256::new(),
        };
        let mut magic = [0u8; MAGIC.len()];
        r.read_exact(&mut magic).map_err(|_| BackupError::NotABackup)?;
        if magic != MAGIC {
            return Err(BackupError::NotABackup);
        }
        let format = u32::from_be_bytes(read_array(&mut r)?);
        if format != BACKUP_FORMAT {
            return Err(BackupError::NewerBackup(format));
        }
        let _store_format: [u8; 4] = read_array(&mut r)?;
        let key = read_field(&mut r)?;
        Ok((
            Reader {
                r,
                records: 0,
                done: false,
            },
            key,
        ))
    }

    /// The next record, or `None` after a valid end record.
    fn next(&mut self) -> Result<Option<Record>, BackupError> {
        if self.done {
            return Ok(None);
        }
        let [tag] = read_array(&mut self.r)?;
        match tag {
            RECORD => {
                let k = read_field(&mut self.r)?;
                let v = read_field(&mut self.r)?;
                self.records += 1;
                Ok(Some((k, v)))
            }
            END => {
                let count = u64::from_be_bytes(read_array(&mut self.r)?);
                let expected = self.r.hash.clone().finalize();
                let digest: [u8; 32] = read_array(&mut self.r.inner)?;
                if count != self.records {
                    return Err(BackupError::Damaged("wrong number of records"));
                }
                if expected.as_slice() != digest {
                    return Err(BackupError::Damaged("checksum mismatch"));
                }
                let mut rest = [0u8; 1];
                if self.r.inner.read(&mut rest)? != 0 {
                    return Err(BackupError::Damaged("bytes after the end"));
                }
                self.done = true;
                Ok(None)
            }
            _ => Err(BackupError::Damaged("unknown record")),
        }
    }
}

/// Reads a whole backup file and checks it; returns what it holds.
pub fn verify(path: &Path) -> Result<Summary, BackupError> {
    let (mut reader, _key) = Reader::open(BufReader::new(File::open(path)?))?;
    let mut head_seq = 0;
    while let Some((k, v)) = reader.next()? {
        if k == b"Mhead" {
            head_seq = v
                .first_chunk::<8>()
                .map(|b| u64::from_be_bytes(*b))
                .ok_or(BackupError::Damaged("head record"))?;
        }
    }
    Ok(Summary {
        records: reader.records,
        head_seq,
    })
}

/// Restores the backup at `from` into the data directory `data`: checks the
/// whole file first, then writes `data/store` and `data/server.key`, then
/// verifies the restored log. Returns the restored head.
pub fn restore(from: &Path, data: &Path) -> Result<Head, BackupError> {
    verify(from)?;
    let store_dir = data.join("store");
    let key_path = data.join("server.key");
    for p in [&store_dir, &key_path] {
        if p.exists() {
            return Err(BackupError::Exists(p.clone()));
        }
    }
    let (mut reader, key) = Reader::open(BufReader::new(File::open(from)?))?;
    server_key_text(&key)?;
    std::fs::create_dir_all(data)?;
    let (store, head) = feed(&mut reader, |next| SledStore::restore(&store_dir, next))?;
    drop(store);
    write_private(&key_path, &key)?;
    Ok(head)
}

/// Restores the backup at `from` into the single-office log of the
/// PostgreSQL database `url` ([`super::DEFAULT_LOG`]), which must have no
/// entries: checks the whole file first, loads it in one transaction, sets
/// the server key, verifies the restored log.
pub fn restore_postgres(from: &Path, url: &str) -> Result<Head, BackupError> {
    verify(from)?;
    let (mut reader, key) = Reader::open(BufReader::new(File::open(from)?))?;
    let text = server_key_text(&key)?;
    let pool = PgPool::connect(url)?;
    let (store, head) = feed(&mut reader, |next| {
        PgStore::restore(pool, super::DEFAULT_LOG, next)
    })?;
    store.set_server_key(text)?;
    Ok(head)
}

/// The backup's server key as text, checked to be a signing key.
fn server_key_text(key: &[u8]) -> Result<&str, BackupError> {
    let text = std::str::from_utf8(key).map_err(|_| BackupError::BadKey("not text".into()))?;
    crate::core::keys::parse_signing_key(text).map_err(|e| BackupError::BadKey(e.to_string()))?;
    Ok(text)
}

/// Hands `reader`'s records to a store's `restore`; a record the reader
/// could not read is the error returned, not the store's view of it.
fn feed<R: Read, S>(
    reader: &mut Reader<R>,
    restore: impl FnOnce(&mut dyn FnMut() -> Result<Option<Record>, StoreError>) -> Result<S, StoreError>,
) -> Result<S, BackupError> {
    let mut failure = None;
    let restored = restore(&mut || match reader.next() {
        Ok(r) => Ok(r),
        Err(e) => {
            let msg = e.to_string();
            failure = Some(e);
            Err(StoreError::Io(io::Error::other(msg)))
        }
    });
    match (restored, failure) {
        (_, Some(e)) => Err(e),
        (r, None) => Ok(r?),
    }
}

/// Creates `path` with mode 0600 (it must not exist) and syncs it and its directory.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SledStore::open(&dir.path().join("a")).expect("open");
        let path = dir.path().join("b.backup");
        let key =
            crate::core::keys::format_signing_key(&ed25519_dalek::SigningKey::from_bytes(&[5; 32]), "test");
        let summary = write(File::create(&path).expect("create"), key.as_bytes(), &store).expect("write");
        assert_eq!(verify(&path).expect("verify"), summary);
        let bytes = std::fs::read(&path).expect("read");
        for cut in [bytes.len() - 1, bytes.len() / 2, 10] {
            std::fs::write(&path, bytes.get(..cut).expect("cut")).expect("write");
            assert!(verify(&path).is_err(), "cut at {cut} accepted");
        }
        let mut altered = bytes.clone();
        if let Some(b) = altered.get_mut(MAGIC.len() + 20) {
            *b ^= 1;
        }
        std::fs::write(&path, &altered).expect("write");
        assert!(matches!(verify(&path), Err(BackupError::Damaged(_))));
        std::fs::write(&path, &bytes).expect("write");
        let head = restore(&path, &dir.path().join("c")).expect("restore");
        assert_eq!(head, Head::EMPTY);
        assert!(matches!(
            restore(&path, &dir.path().join("c")),
            Err(BackupError::Exists(_))
        ));
    }
}

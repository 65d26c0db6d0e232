//! The store's body file: every attachment chunk (and any other body too
//! large for sled's pages) is written into one file, `bodies.pack`, at an
//! offset of its own.
//!
//! Why one file and not a file per chunk: a file made per upload carries that
//! upload's instant in its birth and change times, and the store's index
//! links it to its case, so a seized disk would date every attachment. One
//! file created with the store (or its migration) and written in place shows
//! only its creation and its last write. (It is also cheaper: one `fsync` per
//! group of commits instead of one per chunk file.)
//!
//! # Wire format
//!
//! A body's location, as the store keeps it beside the body's blob id:
//!
//! ```text
//! u64 BE  offset in bodies.pack
//! u64 BE  length
//! ```
//!
//! The file itself is the bodies' bytes one after the other, with no framing;
//! a range no location names is garbage (a failed upload, a crash mid-write)
//! or a hole (a purge).
//!
//! # Invariants
//!
//! - Space is handed out once, from the end: concurrent writers never share
//!   a byte, and nothing already written is rewritten except by a purge.
//! - A purge punches a hole over the body (`fallocate(PUNCH_HOLE)`: the
//!   blocks go back to the file system and read as zeros; where the file
//!   system cannot punch, zeros are written over the range), only after the
//!   store has made the purge itself durable.
//! - [`Pack::sync`] makes every write that returned before it durable.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Where a body lies in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    pub offset: u64,
    pub len: u64,
}

impl Loc {
    pub const ENCODED_LEN: usize = 16;

    pub fn encode(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.offset.to_be_bytes());
        out[8..].copy_from_slice(&self.len.to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Loc> {
        let (offset, len) = bytes.split_first_chunk::<8>()?;
        let len: [u8; 8] = len.try_into().ok()?;
        Some(Loc {
            offset: u64::from_be_bytes(*offset),
            len: u64::from_be_bytes(len),
        })
    }

    fn end(&self) -> u64 {
        self.offset.saturating_add(self.len)
    }
}

/// The open body file.
pub struct Pack {
    file: File,
    /// Where the next body goes.
    end: AtomicU64,
    /// Something was written since the last sync.
    dirty: AtomicBool,
    /// Purged ranges to punch once the purge is durable.
    to_punch: Mutex<Vec<Loc>>,
}

impl Pack {
    /// Opens (or creates, owner-only) the pack at `path`; new bodies go after its end.
    pub fn open(path: &Path) -> std::io::Result<Pack> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        let end = file.metadata()?.len();
        Ok(Pack {
            file,
            end: AtomicU64::new(end),
            dirty: AtomicBool::new(false),
            to_punch: Mutex::new(Vec::new()),
        })
    }

    /// Writes `bytes` at a place of their own; the next [`Pack::sync`] makes them durable.
    pub fn append(&self, bytes: &[u8]) -> std::io::Result<Loc> {
        let len = bytes.len() as u64;
        let offset = self.end.fetch_add(len, Ordering::SeqCst);
        self.file.write_all_at(bytes, offset)?;
        self.dirty.store(true, Ordering::SeqCst);
        Ok(Loc { offset, len })
    }

    /// The body at `loc`; `None` if the file ends before it.
    pub fn read(&self, loc: Loc) -> std::io::Result<Option<Vec<u8>>> {
        let len = usize::try_from(loc.len).map_err(|_| std::io::Error::other("body too large"))?;
        let mut buf = vec![0u8; len];
        match self.file.read_exact_at(&mut buf, loc.offset) {
            Ok(()) => Ok(Some(buf)),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// fsyncs the file if anything was written since the last sync.
    pub fn sync(&self) -> std::io::Result<()> {
        if self.dirty.swap(false, Ordering::SeqCst)
            && let Err(e) = self.file.sync_data()
        {
            self.dirty.store(true, Ordering::SeqCst);
            return Err(e);
        }
        Ok(())
    }

    /// Remembers purged ranges; [`Pack::punch_purged`] removes them.
    pub fn purge_later(&self, locs: Vec<Loc>) {
        if let Ok(mut list) = self.to_punch.lock() {
            list.extend(locs);
        }
    }

    /// Punches the ranges of purges the store has since made durable.
    pub fn punch_purged(&self) -> std::io::Result<()> {
        let locs = match self.to_punch.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(_) => return Err(std::io::Error::other("purge list poisoned")),
        };
        for loc in &locs {
            self.punch(*loc)?;
        }
        Ok(())
    }

    /// Removes a body's bytes from the disk.
    pub fn punch(&self, loc: Loc) -> std::io::Result<()> {
        use rustix::fs::{FallocateFlags, fallocate};
        if loc.len == 0 {
            return Ok(());
        }
        let flags = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
        match fallocate(&self.file, flags, loc.offset, loc.len) {
            Ok(()) => {}
            Err(rustix::io::Errno::OPNOTSUPP) => self.zero(loc)?,
            Err(e) => return Err(e.into()),
        }
        self.dirty.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn zero(&self, loc: Loc) -> std::io::Result<()> {
        let zeros = vec![0u8; 64 * 1024];
        let mut at = loc.offset;
        while at < loc.end() {
            let n = (loc.end() - at).min(zeros.len() as u64);
            let piece = zeros.get(..n as usize).unwrap_or(&zeros);
            self.file.write_all_at(piece, at)?;
            at += n;
        }
        Ok(())
    }

    /// At start: keeps exactly the ranges in `live` (every body the store
    /// names), cuts the file after the last of them and punches every gap
    /// (bodies of uploads that never committed, writes a crash interrupted).
    pub fn keep_only(&self, mut live: Vec<Loc>) -> std::io::Result<()> {
        live.sort_unstable();
        let last = live.iter().map(Loc::end).max().unwrap_or(0);
        if self.file.metadata()?.len() > last {
            self.file.set_len(last)?;
            self.dirty.store(true, Ordering::SeqCst);
        }
        let mut at = 0u64;
        for loc in &live {
            if loc.offset > at {
                self.punch(Loc {
                    offset: at,
                    len: loc.offset - at,
                })?;
            }
            at = at.max(loc.end());
        }
        self.end.store(last, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_round_trip() {
        let loc = Loc {
            offset: 0x0102_0304_0506_0708,
            len: 42,
        };
        assert_eq!(Loc::decode(&loc.encode()), Some(loc));
        assert_eq!(Loc::decode(&[0; 15]), None);
    }

    #[test]
    fn bodies_are_kept_apart_and_purged_ranges_read_as_zeros() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pack = Pack::open(&dir.path().join("p")).expect("open");
        let a = pack.append(&[0xaa; 5000]).expect("a");
        let b = pack.append(&[0xbb; 3000]).expect("b");
        pack.sync().expect("sync");
        assert_eq!(pack.read(a).expect("read"), Some(vec![0xaa; 5000]));
        pack.purge_later(vec![a]);
        assert_eq!(
            pack.read(a).expect("read"),
            Some(vec![0xaa; 5000]),
            "not before the purge is durable"
        );
        pack.punch_purged().expect("punch");
        assert_eq!(pack.read(a).expect("read"), Some(vec![0; 5000]));
        assert_eq!(pack.read(b).expect("read"), Some(vec![0xbb; 3000]));
        // A garbage range and a tail are removed at start.
        let c = pack.append(&[0xcc; 100]).expect("c");
        pack.append(&[0xdd; 100]).expect("d");
        pack.keep_only(vec![c]).expect("keep");
        let bytes = std::fs::read(dir.path().join("p")).expect("file");
        assert_eq!(bytes.len() as u64, c.offset + c.len);
        assert!(!bytes.iter().any(|&x| x == 0xaa || x == 0xbb || x == 0xdd));
        assert_eq!(pack.read(c).expect("read"), Some(vec![0xcc; 100]));
    }
}

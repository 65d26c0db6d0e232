//! Free space on the data volume, so uploads stop before the disk is full.
//!
//! The store must never fill the disk: a full disk can corrupt what is
//! already stored, and what is stored is what the office promised to keep.
//! Submissions are refused, with a clear page, while free space is below the
//! configured reserve; the check repeats as an upload streams in.
//!
//! A request is checked for its whole declared length, and for the files its
//! attachments could need (free inodes), before a byte of its body is read:
//! a volume can run out of inodes long before bytes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone)]
pub struct DiskGuard {
    path: PathBuf,
    reserve: u64,
    inode_reserve: u64,
    /// Whether the refusal was logged since space was last found: one line
    /// when uploads start being refused and one when they are taken again,
    /// never one per request (which would date each reporter's attempt).
    refusing: Arc<AtomicBool>,
}

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("free disk space is below the reserve")]
pub struct DiskFull;

impl DiskGuard {
    pub fn new(path: PathBuf, reserve: u64) -> DiskGuard {
        DiskGuard {
            path,
            reserve,
            inode_reserve: 0,
            refusing: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Also keeps `inodes` free inodes.
    pub fn with_inode_reserve(mut self, inodes: u64) -> DiskGuard {
        self.inode_reserve = inodes;
        self
    }

    /// Bytes available to the server on the data volume.
    pub fn available(&self) -> std::io::Result<u64> {
        let s = rustix::fs::statvfs(&self.path).map_err(std::io::Error::from)?;
        Ok(s.f_bavail.saturating_mul(s.f_frsize))
    }

    /// Logs the change between taking and refusing uploads, once each way.
    fn noted(&self, result: Result<(), DiskFull>) -> Result<(), DiskFull> {
        let was = self.refusing.swap(result.is_err(), Ordering::Relaxed);
        match (was, result.is_err()) {
            (false, true) => {
                tracing::error!("uploads refused: free disk space is below the configured reserve")
            }
            (true, false) => tracing::warn!("uploads taken again: free disk space is above the reserve"),
            _ => {}
        }
        result
    }

    /// Whether `more` bytes may still be written without eating into the reserve.
    pub fn check(&self, more: u64) -> Result<(), DiskFull> {
        self.noted(match self.available() {
            Ok(free) if free >= self.reserve.saturating_add(more) => Ok(()),
            Ok(_) => Err(DiskFull),
            // If the volume cannot be asked, do not guess: refuse.
            Err(_) => Err(DiskFull),
        })
    }

    /// Whether a request of `bytes` bytes that may create `files` files fits
    /// above both reserves. A volume that reports no inode count (some
    /// file systems allocate them as needed) is checked for bytes only.
    pub fn check_request(&self, bytes: u64, files: u64) -> Result<(), DiskFull> {
        let Ok(s) = rustix::fs::statvfs(&self.path) else {
            return self.noted(Err(DiskFull));
        };
        let free = s.f_bavail.saturating_mul(s.f_frsize);
        if free < self.reserve.saturating_add(bytes) {
            return self.noted(Err(DiskFull));
        }
        if s.f_files > 0 && s.f_favail < self.inode_reserve.saturating_add(files) {
            return self.noted(Err(DiskFull));
        }
        self.noted(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_is_enforced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let free = DiskGuard::new(dir.path().to_owned(), 0)
            .available()
            .expect("statvfs");
        assert!(free > 0);
        assert!(DiskGuard::new(dir.path().to_owned(), 0).check(0).is_ok());
        assert!(
            DiskGuard::new(dir.path().to_owned(), free.saturating_add(1 << 40))
                .check(0)
                .is_err()
        );
        assert!(DiskGuard::new(dir.path().join("missing"), 0).check(0).is_err());
        let guard = DiskGuard::new(dir.path().to_owned(), 0);
        assert!(guard.check_request(0, 1).is_ok());
        assert!(guard.check_request(free.saturating_add(1 << 40), 1).is_err());
        let s = rustix::fs::statvfs(dir.path()).expect("statvfs");
        if s.f_files > 0 {
            let guard = guard.with_inode_reserve(s.f_favail);
            assert!(guard.check_request(0, 1_000_000).is_err(), "inodes are counted");
        }
    }
}

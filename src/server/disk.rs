//! Free space on the data volume, so uploads stop before the disk is full.
//!
//! The store must never fill the disk: a full disk can corrupt what is
//! already stored, and what is stored is what the office promised to keep.
//! Submissions are refused, with a clear page, while free space is below the
//! configured reserve; the check repeats as an upload streams in.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct DiskGuard {
    path: PathBuf,
    reserve: u64,
}

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("free disk space is below the reserve")]
pub struct DiskFull;

impl DiskGuard {
    pub fn new(path: PathBuf, reserve: u64) -> DiskGuard {
        DiskGuard { path, reserve }
    }

    /// Bytes available to the server on the data volume.
    pub fn available(&self) -> std::io::Result<u64> {
        let s = rustix::fs::statvfs(&self.path).map_err(std::io::Error::from)?;
        Ok(s.f_bavail.saturating_mul(s.f_frsize))
    }

    /// Whether `more` bytes may still be written without eating into the reserve.
    pub fn check(&self, more: u64) -> Result<(), DiskFull> {
        match self.available() {
            Ok(free) if free >= self.reserve.saturating_add(more) => Ok(()),
            Ok(_) => Err(DiskFull),
            // If the volume cannot be asked, do not guess: refuse.
            Err(_) => Err(DiskFull),
        }
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
    }
}

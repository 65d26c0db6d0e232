//! A tenant's disk quota (`quota_bytes` in its `candor.toml`).
//!
//! What the tenant's log takes is measured in its store
//! ([`Store::stored_bytes`]) at most every [`REMEASURE`], and in between each
//! submission committed adds its bodies' length; the next measure corrects
//! the figure (also for what other processes on the same database stored
//! meanwhile). Only what was committed counts, so requests that declare a
//! large body and never send it hold none of the quota. A submission that
//! would take the log past its quota is refused before its body is read when
//! its length is declared, and as its bytes arrive otherwise; nothing stored
//! is touched. Submissions received at the same moment may together pass the
//! quota by what they carry.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::store::Store;

/// How long a measure of the store is trusted.
pub const REMEASURE: Duration = Duration::from_secs(30);

/// The log would pass its quota.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the office's storage quota is used up")]
pub struct OverQuota;

/// What the officer's `/status` shows when a quota is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Bytes the log takes in the store, as last measured.
    pub used_bytes: u64,
    pub quota_bytes: u64,
}

pub struct Quota {
    /// 0: no quota.
    limit: u64,
    used: AtomicU64,
    measured: Mutex<Option<Instant>>,
    /// Whether the last check refused: logged once when refusing begins and
    /// once when it ends, never per request.
    refusing: AtomicBool,
}

/// Submissions whose declared body is at most this long (a report or a
/// message without large files) are never refused by the quota: a flood of
/// junk, or uploads held open, can use up an office's quota for files, not
/// lock its reporters out of writing, nor those with a receipt out of
/// their case. The rate limits bound them.
pub const FREE_BYTES: u64 = 64 * 1024;

impl Quota {
    pub fn new(limit: u64) -> Quota {
        Quota {
            limit,
            used: AtomicU64::new(0),
            measured: Mutex::new(None),
            refusing: AtomicBool::new(false),
        }
    }

    pub fn is_set(&self) -> bool {
        self.limit > 0
    }

    /// Bytes used: measured again if the last measure is older than [`REMEASURE`].
    fn current(&self, store: &dyn Store) -> u64 {
        let Ok(mut measured) = self.measured.lock() else {
            return self.used.load(Ordering::Relaxed);
        };
        if measured.is_none_or(|t| t.elapsed() >= REMEASURE) {
            match store.stored_bytes() {
                Ok(bytes) => {
                    self.used.store(bytes, Ordering::Relaxed);
                    *measured = Some(Instant::now());
                }
                // Keep the last figure; try again after the same wait.
                Err(e) => {
                    *measured = Some(Instant::now());
                    tracing::warn!("could not measure the store's size for the quota: {e}")
                }
            }
        }
        self.used.load(Ordering::Relaxed)
    }

    /// Whether `more` bytes fit within the quota.
    pub fn check(&self, store: &dyn Store, more: u64) -> Result<(), OverQuota> {
        if !self.is_set() {
            return Ok(());
        }
        let over = self.current(store).saturating_add(more) > self.limit;
        match (self.refusing.swap(over, Ordering::Relaxed), over) {
            (false, true) => tracing::warn!(
                "submissions with files refused: the office's storage quota is used up (quota_bytes)"
            ),
            (true, false) => {
                tracing::warn!("submissions with files taken again: the office is within its quota")
            }
            _ => {}
        }
        if over {
            return Err(OverQuota);
        }
        Ok(())
    }

    /// Counts `bytes` just committed, until the next measure.
    pub fn add(&self, bytes: u64) {
        if self.is_set() {
            self.used.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// The figures for `/status`, measured now; `None` without a quota.
    pub fn usage(&self, store: &dyn Store) -> Option<Usage> {
        if !self.is_set() {
            return None;
        }
        if let Ok(mut measured) = self.measured.lock() {
            *measured = None;
        }
        Some(Usage {
            used_bytes: self.current(store),
            quota_bytes: self.limit,
        })
    }
}

//! Group commit: no receipt before its data is on disk, one flush for many.
//!
//! Each commit takes a ticket. [`Durability::wait`] returns once a sync that
//! started after the ticket's commit has finished. While one sync runs, the
//! commits arriving meanwhile queue behind it and the next sync covers them
//! all, so concurrent submissions share the cost of a flush and its fsyncs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::store::{Store, StoreError};

pub struct Durability {
    store: Arc<dyn Store>,
    /// Tickets handed out; a ticket is taken after its commit is applied.
    committed: AtomicU64,
    /// The highest ticket known to be durable.
    synced: tokio::sync::Mutex<u64>,
}

impl Durability {
    pub fn new(store: Arc<dyn Store>) -> Durability {
        Durability {
            store,
            committed: AtomicU64::new(0),
            synced: tokio::sync::Mutex::new(0),
        }
    }

    /// Call right after a commit returned; the ticket covers that commit.
    pub fn ticket(&self) -> u64 {
        self.committed.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Waits until the commit behind `ticket` is durable.
    pub async fn wait(&self, ticket: u64) -> Result<(), StoreError> {
        let mut synced = self.synced.lock().await;
        if *synced >= ticket {
            return Ok(());
        }
        // Everything committed up to now is covered by this sync.
        let target = self.committed.load(Ordering::SeqCst);
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || store.sync())
            .await
            .map_err(|_| StoreError::Corrupt("sync task failed"))??;
        *synced = target;
        Ok(())
    }
}

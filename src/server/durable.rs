//! Group commit: no receipt before its data is on disk, one write for many.
//!
//! A submission hands its commit to [`Durability::commit`] and waits. Commits
//! queue while a group is being written; whoever takes the leader's lock next
//! writes everything queued as one group: [`Store::commit_all`] (one sled
//! batch for all of them) and then [`Store::sync`] (one flush and its
//! fsyncs), on a blocking thread, and hands each waiter its own result. So
//! concurrent submissions share the cost of the log write and of the flush,
//! and a commit's answer never comes before the sync that covers it.
//!
//! A leader whose request goes away (the client hung up) leaves its group to
//! finish on the blocking thread: every commit in it still gets its answer,
//! and a later group may start meanwhile (the store serialises commits and
//! each group's sync covers everything committed before it).

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::store::{Commit, CommitExtras, NewEntry, Store, StoreError};
use crate::core::log::Head;

type Answer = oneshot::Sender<Result<Head, StoreError>>;

pub struct Durability {
    store: Arc<dyn Store>,
    /// Commits waiting for the next group, with where to send each answer.
    queue: Mutex<Vec<(Commit, Answer)>>,
    /// Held by the request that writes the current group.
    leader: tokio::sync::Mutex<()>,
}

impl Durability {
    pub fn new(store: Arc<dyn Store>) -> Durability {
        Durability {
            store,
            queue: Mutex::new(Vec::new()),
            leader: tokio::sync::Mutex::new(()),
        }
    }

    /// Commits `entries` and returns the new head once they are durable.
    ///
    /// [`StoreError::NotDurable`] means the commit was applied but its sync
    /// failed: it may or may not survive a crash, and its bodies must stay.
    /// Any other error means nothing of it was applied.
    pub async fn commit(&self, entries: Vec<NewEntry>, extras: CommitExtras) -> Result<Head, StoreError> {
        let (answer, mut result) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| StoreError::Corrupt("commit queue poisoned"))?
            .push((Commit { entries, extras }, answer));
        // Either an earlier leader writes our commit and answers, or we
        // become the leader.
        let _leader = tokio::select! {
            biased;
            r = &mut result => return r.map_err(|_| StoreError::Corrupt("commit lost"))?,
            leader = self.leader.lock() => leader,
        };
        // An earlier leader may have written our commit just now; it answers
        // before it lets go of the lock, so the answer is here if so.
        match result.try_recv() {
            Ok(r) => return r,
            Err(oneshot::error::TryRecvError::Closed) => return Err(StoreError::Corrupt("commit lost")),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let group = std::mem::take(
            &mut *self
                .queue
                .lock()
                .map_err(|_| StoreError::Corrupt("commit queue poisoned"))?,
        );
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || write_group(store.as_ref(), group))
            .await
            .map_err(|_| StoreError::Corrupt("commit task failed"))?;
        result.await.map_err(|_| StoreError::Corrupt("commit lost"))?
    }
}

/// Commits a group, syncs it, answers each commit.
fn write_group(store: &dyn Store, group: Vec<(Commit, Answer)>) {
    let (commits, answers): (Vec<Commit>, Vec<Answer>) = group.into_iter().unzip();
    let mut results = store.commit_all(commits);
    if results.iter().any(Result::is_ok)
        && let Err(e) = store.sync()
    {
        let reason = e.to_string();
        for r in results.iter_mut().filter(|r| r.is_ok()) {
            *r = Err(StoreError::NotDurable(reason.clone()));
        }
    }
    for (answer, result) in answers.into_iter().zip(results) {
        // The waiter may have gone (its client hung up); the commit stands.
        let _ = answer.send(result);
    }
}

//! Group commit: no receipt before its data is on disk, one write for many.
//!
//! A submission hands its commit to [`Durability::commit`] and waits. Commits
//! queue while a group is being written. Whoever takes the writer's lock
//! writes everything queued as one group: [`Store::commit_all`] (one sled
//! batch for all of them) and then [`Store::sync`] (one flush and its
//! fsyncs), on a blocking thread, and hands each commit its own answer; then
//! it writes what queued meanwhile, and so on until the queue is empty. So
//! concurrent submissions share the cost of the log write and of the flush,
//! and a commit's answer never comes before the sync that covers it.
//!
//! The lock belongs to the blocking thread, not to the request that started
//! it: a request that goes away (its client hung up) leaves the writing to
//! finish, and no second writer starts meanwhile, so no sync can report a
//! chunk file durable while another sync is still writing it.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::store::{Commit, CommitExtras, NewEntry, Store, StoreError};
use crate::core::log::Head;

type Answer = oneshot::Sender<Result<Head, StoreError>>;

pub struct Durability {
    store: Arc<dyn Store>,
    /// Commits waiting for the next group, with where to send each answer.
    queue: Arc<Mutex<Vec<(Commit, Answer)>>>,
    /// Held by the thread writing groups.
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl Durability {
    pub fn new(store: Arc<dyn Store>) -> Durability {
        Durability {
            store,
            queue: Arc::new(Mutex::new(Vec::new())),
            writer: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Commits `entries` and returns the new head once they are durable.
    ///
    /// [`StoreError::NotDurable`] means the commit may have been applied (its
    /// sync failed, or its answer was lost): it may or may not survive a
    /// crash, and its bodies must stay. Any other error means nothing of it
    /// was applied.
    pub async fn commit(&self, entries: Vec<NewEntry>, extras: CommitExtras) -> Result<Head, StoreError> {
        let lost = || StoreError::NotDurable("the commit's answer was lost".into());
        let (answer, mut result) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| StoreError::Corrupt("commit queue poisoned"))?
            .push((Commit { entries, extras }, answer));
        // Either a writer already at work writes our commit and answers, or
        // we start one.
        let writer = tokio::select! {
            biased;
            r = &mut result => return r.map_err(|_| lost())?,
            writer = Arc::clone(&self.writer).lock_owned() => writer,
        };
        // The last writer may have written our commit just now; it answers
        // before it lets go of the lock, so the answer is here if so.
        match result.try_recv() {
            Ok(r) => return r,
            Err(oneshot::error::TryRecvError::Closed) => return Err(lost()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let (store, queue) = (Arc::clone(&self.store), Arc::clone(&self.queue));
        // Not awaited as a whole: if this request goes away, the writing
        // goes on, lock and all.
        let writing = tokio::task::spawn_blocking(move || {
            let _writer = writer;
            loop {
                let group = match queue.lock() {
                    Ok(mut q) => std::mem::take(&mut *q),
                    // Answers dropped: their waiters see the commit as lost.
                    Err(_) => return,
                };
                if group.is_empty() {
                    return;
                }
                write_group(store.as_ref(), group);
            }
        });
        drop(writing);
        result.await.map_err(|_| lost())?
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::case::CaseId;
    use crate::core::day::Day;
    use crate::core::log::EntryKind;
    use crate::server::store::{NewBody, SledStore};

    fn message(case: u8) -> Vec<NewEntry> {
        vec![NewEntry {
            kind: EntryKind::Message,
            case: CaseId([0, 0, 0, 0, 0, 0, 0, case]),
            day: Day(20_000),
            recipient: None,
            part: None,
            op: None,
            auth: Some(crate::core::log::Auth::Reporter([case; 32])),
            channel: None,
            body: NewBody::Inline(vec![case; 64]),
        }]
    }

    /// Many concurrent commits, a third of them abandoned at once (clients
    /// hanging up, writers among them): every other one gets its own head,
    /// nobody waits forever, and each commit is in the store at most once.
    #[test]
    fn abandoned_commits_neither_stall_nor_duplicate_the_others() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).expect("open"));
        let durable = Arc::new(Durability::new(Arc::clone(&store)));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut abandoned = 0;
        let answered = runtime.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..300u16 {
                let durable = Arc::clone(&durable);
                let task = tokio::spawn(async move {
                    durable
                        .commit(message((i % 250) as u8), CommitExtras::default())
                        .await
                });
                if i % 3 == 0 {
                    task.abort();
                    abandoned += 1;
                } else {
                    tasks.push(task);
                }
            }
            let mut heads = Vec::new();
            for task in tasks {
                let head = tokio::time::timeout(std::time::Duration::from_secs(60), task)
                    .await
                    .expect("a commit waited forever")
                    .expect("task")
                    .expect("commit");
                heads.push(head.seq);
            }
            heads
        });
        let mut seqs = answered.clone();
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(
            seqs.len(),
            answered.len(),
            "two commits were given the same entry"
        );
        // An abandoned commit may or may not have been written; none twice.
        let head = store.head().expect("head").seq;
        assert!(
            head >= answered.len() as u64 && head <= (answered.len() + abandoned) as u64,
            "head {head}"
        );
        runtime.block_on(async {
            // Commits left queued by abandoned writers are written by the next one.
            durable
                .commit(message(1), CommitExtras::default())
                .await
                .expect("last commit");
        });
        let head = store.head().expect("head");
        assert_eq!(crate::server::store::chain_head(store.as_ref(), head.seq), head);
    }
}

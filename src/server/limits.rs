//! Rate limits that work behind Tor: global, or keyed by receipt, never by IP.
//!
//! Behind an onion service every client is 127.0.0.1, so a per-address limit
//! would be one global bucket shared by every reporter and attacker alike,
//! and trusting forwarded-for headers would let anyone pick their own key.
//! candor limits submissions and log-ins globally, and log-ins also per
//! receipt lookup id, which slows guessing at any one case without letting one
//! reporter lock out another. `CANDOR_RATE_LIMITS=off` turns all of them off,
//! for benchmarks and load tests only.
//!
//! Also here: the pace every request body must keep ([`Pace`]), so that a
//! client sending a few bytes now and then cannot hold a submission slot or
//! a connection for as long as it likes.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::config::Config;
use crate::core::receipt::LookupId;

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("rate limited")]
pub struct Limited;

/// How long a body may run before a submission that is still streaming its
/// own body can cut it off (a real upload's bytes follow its headers at
/// once). A submission whose body has arrived whole ([`PREREAD_BYTES`]) is
/// not held to it. A body already received whole is never cut off, however
/// long its commit takes.
pub const PREEMPT_GRACE: Duration = Duration::from_secs(2);

/// How long a submission waits for the slot of the upload it cut off.
const PREEMPT_WAIT: Duration = Duration::from_secs(2);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A submission slot, held until dropped.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    id: u64,
    holders: Arc<Mutex<HashMap<u64, Arc<BodyMeter>>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.holders).remove(&self.id);
    }
}

pub struct Limits {
    on: bool,
    /// Submissions being received at once (always bounded, even with rate limits off).
    busy: Arc<Semaphore>,
    /// The bodies of the submissions holding those slots, by slot number.
    holders: Arc<Mutex<HashMap<u64, Arc<BodyMeter>>>>,
    next_holder: AtomicU64,
    min_bytes_per_second: u64,
    submissions: DefaultDirectRateLimiter,
    logins: DefaultDirectRateLimiter,
    per_receipt: DefaultKeyedRateLimiter<[u8; 32]>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(config: &Config) -> Limits {
        Limits {
            on: config.rate_limits,
            busy: Arc::new(Semaphore::new(config.max_concurrent_submissions)),
            holders: Arc::new(Mutex::new(HashMap::new())),
            next_holder: AtomicU64::new(0),
            min_bytes_per_second: config.upload_min_bytes_per_second.max(1),
            submissions: RateLimiter::direct(per_minute(config.submissions_per_minute)),
            logins: RateLimiter::direct(per_minute(config.logins_per_minute)),
            per_receipt: RateLimiter::keyed(per_minute(config.logins_per_receipt_per_minute)),
        }
    }

    /// Admits one submission: within the rate, and a slot among those being
    /// received at once. The slot is held until the returned [`Slot`] drops.
    ///
    /// When every slot is taken, the holder furthest behind the minimum pace
    /// since its body began (after [`PREEMPT_GRACE`]) is cut off and its slot
    /// given to this submission: a crowd of trickling uploads holds no slot
    /// that a reporter needs. Holders keeping the pace are never cut off; then
    /// the answer is "busy".
    pub async fn submission(
        &self,
        body: Option<&Arc<BodyMeter>>,
    ) -> Result<Slot, super::intake::IntakeError> {
        if self.on && self.submissions.check().is_err() {
            return Err(super::intake::IntakeError::RateLimited);
        }
        let permit = match Arc::clone(&self.busy).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let arrived = body.is_some_and(|m| m.done.load(Ordering::Relaxed));
                if !self.preempt_one(arrived) {
                    return Err(super::intake::IntakeError::Busy);
                }
                // Permits go to waiters in order: the freed slot is ours.
                match tokio::time::timeout(PREEMPT_WAIT, Arc::clone(&self.busy).acquire_owned()).await {
                    Ok(Ok(p)) => p,
                    _ => return Err(super::intake::IntakeError::Busy),
                }
            }
        };
        let id = self.next_holder.fetch_add(1, Ordering::Relaxed);
        if let Some(meter) = body {
            lock(&self.holders).insert(id, Arc::clone(meter));
        }
        Ok(Slot {
            _permit: permit,
            id,
            holders: Arc::clone(&self.holders),
        })
    }

    /// Cuts off the slot holder furthest behind the pace, if one is behind.
    /// A newcomer whose whole body has `arrived` may cut off any holder
    /// behind the pace; one still streaming, only a holder past
    /// [`PREEMPT_GRACE`] (so that a crowd reconnecting at once cannot keep
    /// every holder young enough to be safe from a reporter).
    fn preempt_one(&self, arrived: bool) -> bool {
        let now = Instant::now();
        let grace = if arrived { Duration::ZERO } else { PREEMPT_GRACE };
        let holders = lock(&self.holders);
        // A holder already cut off is on its way out and frees one slot, for
        // the submission that cut it: never count it twice.
        let worst = holders
            .values()
            .filter(|m| !m.is_slow() && m.behind(self.min_bytes_per_second, now, grace))
            .min_by_key(|m| m.bytes.load(Ordering::Relaxed));
        match worst {
            Some(m) => {
                m.cut_off();
                true
            }
            None => false,
        }
    }

    pub fn login_global(&self) -> Result<(), Limited> {
        if self.on && self.logins.check().is_err() {
            return Err(Limited);
        }
        Ok(())
    }

    pub fn login_for(&self, id: &LookupId) -> Result<(), Limited> {
        if !self.on {
            return Ok(());
        }
        self.per_receipt.retain_recent();
        self.per_receipt.check_key(&id.0).map_err(|_| Limited)
    }
}

/// How fast a request body must arrive: the minimum rate, the window it is
/// averaged over, and the longest silence.
///
/// The rate is a bucket of `min_bytes_per_second × window` bytes that starts
/// full, drains at `min_bytes_per_second` and is refilled by every byte
/// received (never above full): a body fails the moment the bucket is empty.
/// A client that keeps to the rate never fails; one that bursts may then pause
/// for at most the window; one that trickles fails within one window. Because
/// the bucket never holds more than one window, a body also has a deadline of
/// `window + declared length / rate`, checked on its own.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub min_bytes_per_second: u64,
    pub window: Duration,
    pub idle: Duration,
}

impl Pace {
    pub fn new(config: &Config) -> Pace {
        Pace {
            min_bytes_per_second: config.upload_min_bytes_per_second.max(1),
            window: Duration::from_secs(config.upload_rate_window_seconds.max(1)),
            idle: Duration::from_secs(config.upload_idle_timeout_seconds.max(1)),
        }
    }

    /// The longest a body of `len` bytes may take at the minimum rate, plus one window.
    pub fn deadline_for(&self, len: u64) -> Duration {
        self.window
            .saturating_add(Duration::from_secs(len / self.min_bytes_per_second))
    }

    /// Wraps `body` (declared `len` bytes) so that it fails, and marks
    /// `meter` slow, the moment it falls below the pace or is cut off.
    pub fn wrap(&self, body: axum::body::Body, len: u64, meter: Arc<BodyMeter>) -> axum::body::Body {
        let now = Instant::now();
        let full = self.bucket_bytes();
        let deadline = now + self.deadline_for(len);
        let mut paced = PacedBody {
            inner: body,
            pace: *self,
            credit: full,
            at: now,
            last_byte: now,
            deadline,
            timer: Box::pin(tokio::time::sleep_until(now.into())),
            meter,
        };
        let first = paced.next_check();
        paced.timer.as_mut().reset(first.into());
        axum::body::Body::new(paced)
    }

    fn bucket_bytes(&self) -> u64 {
        let secs = self.window.as_secs().max(1);
        self.min_bytes_per_second.saturating_mul(secs)
    }
}

/// What a request's body has done so far, shared between the paced body,
/// the submission slots (to find uploads behind the pace) and the handler
/// (to answer 408 rather than "broken form" for a body cut off).
#[derive(Debug)]
pub struct BodyMeter {
    started: Instant,
    bytes: AtomicU64,
    slow: AtomicBool,
    /// The whole body has been received.
    done: AtomicBool,
    /// The body's task, woken when its slot is taken away.
    waker: Mutex<Option<Waker>>,
}

impl BodyMeter {
    fn new() -> BodyMeter {
        BodyMeter {
            started: Instant::now(),
            bytes: AtomicU64::new(0),
            slow: AtomicBool::new(false),
            done: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// Whether the body was cut off for its pace.
    pub fn is_slow(&self) -> bool {
        self.slow.load(Ordering::Relaxed)
    }

    /// Behind the minimum rate on average since it began, past the grace.
    fn behind(&self, min_bytes_per_second: u64, now: Instant, grace: Duration) -> bool {
        let ran = now.saturating_duration_since(self.started);
        if ran < grace || self.done.load(Ordering::Relaxed) {
            return false;
        }
        let owed = u128::from(min_bytes_per_second) * ran.as_millis() / 1000;
        u128::from(self.bytes.load(Ordering::Relaxed)) < owed
    }

    /// Makes the body fail at its next poll, and wakes it for that poll.
    fn cut_off(&self) {
        self.slow.store(true, Ordering::Relaxed);
        if let Some(w) = lock(&self.waker).take() {
            w.wake();
        }
    }
}

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the request body arrived too slowly")]
pub struct TooSlow;

/// A request body held to a [`Pace`]; see there.
struct PacedBody {
    inner: axum::body::Body,
    pace: Pace,
    /// Bytes left in the bucket at `at`.
    credit: u64,
    at: Instant,
    last_byte: Instant,
    deadline: Instant,
    timer: Pin<Box<tokio::time::Sleep>>,
    meter: Arc<BodyMeter>,
}

impl PacedBody {
    /// Drains the bucket up to `now`.
    fn drain(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at);
        let used = u64::try_from(elapsed.as_millis())
            .unwrap_or(u64::MAX)
            .saturating_mul(self.pace.min_bytes_per_second)
            / 1000;
        self.credit = self.credit.saturating_sub(used);
        self.at = now;
    }

    /// When the body fails if nothing more arrives.
    fn next_check(&self) -> Instant {
        let empty_in_ms = self.credit.saturating_mul(1000) / self.pace.min_bytes_per_second;
        let empty = self.at + Duration::from_millis(empty_in_ms);
        empty.min(self.last_byte + self.pace.idle).min(self.deadline)
    }
}

impl axum::body::HttpBody for PacedBody {
    type Data = bytes::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        let this = &mut *self;
        {
            let mut waker = lock(&this.meter.waker);
            if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
        }
        loop {
            if this.meter.is_slow() {
                return Poll::Ready(Some(Err(Box::new(TooSlow))));
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        this.meter.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                        let now = Instant::now();
                        this.drain(now);
                        let full = this.pace.bucket_bytes();
                        this.credit = this.credit.saturating_add(data.len() as u64).min(full);
                        if !data.is_empty() {
                            this.last_byte = now;
                        }
                        if this.inner.is_end_stream() {
                            this.meter.done.store(true, Ordering::Relaxed);
                        }
                        let next = this.next_check();
                        this.timer.as_mut().reset(next.into());
                    }
                    return Poll::Ready(Some(Ok(frame)));
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(None) => {
                    this.meter.done.store(true, Ordering::Relaxed);
                    return Poll::Ready(None);
                }
                Poll::Pending => {}
            }
            if this.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = Instant::now();
            this.drain(now);
            if this.next_check() <= now {
                this.meter.slow.store(true, Ordering::Relaxed);
                return Poll::Ready(Some(Err(Box::new(TooSlow))));
            }
            let next = this.next_check();
            this.timer.as_mut().reset(next.into());
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A body declared at most this long (a report or message without large
/// attachments) is read whole, at the pace, before its handler asks for a
/// submission slot: a trickling crowd then holds no slot with it, and a
/// reporter whose body has arrived may take the slot of any holder behind
/// the pace ([`Limits::submission`]). Bounded in memory by the connection
/// cap (16 KiB each at most).
pub const PREREAD_BYTES: u64 = 16 * 1024;

/// Reads `req`'s body whole when it is declared at most [`PREREAD_BYTES`]
/// (the paced body marks its meter done); other requests pass unchanged.
/// `Err` when the body broke or fell behind the pace while being read.
pub async fn preread(req: axum::extract::Request) -> Result<axum::extract::Request, ()> {
    match declared_length(req.headers()) {
        Some(len) if len > 0 && len <= PREREAD_BYTES => {
            let (parts, body) = req.into_parts();
            let limit = usize::try_from(len).unwrap_or(0);
            let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ())?;
            Ok(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
        }
        _ => Ok(req),
    }
}

/// A request's declared body length (`Content-Length`), if any.
pub fn declared_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// `req` with its body held to `app`'s pace; its declared length (at most
/// `limit`, the most the route reads) sets the deadline, and `limit` itself
/// when there is none. The meter is also in the request's extensions, for
/// the handler to hand to [`Limits::submission`].
pub fn pace_request(
    app: &super::App,
    req: axum::extract::Request,
    limit: u64,
) -> (axum::extract::Request, Arc<BodyMeter>) {
    let len = declared_length(req.headers()).unwrap_or(limit).min(limit);
    let meter = Arc::new(BodyMeter::new());
    let pace = Pace::new(&app.config);
    let mut req = req.map(|body| pace.wrap(body, len, Arc::clone(&meter)));
    req.extensions_mut().insert(Arc::clone(&meter));
    (req, meter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_one_window_plus_the_declared_length_at_the_minimum_rate() {
        let pace = Pace {
            min_bytes_per_second: 4096,
            window: Duration::from_secs(30),
            idle: Duration::from_secs(120),
        };
        assert_eq!(pace.deadline_for(0), Duration::from_secs(30));
        assert_eq!(pace.deadline_for(4096 * 100), Duration::from_secs(130));
        // 1 GiB: about 73 hours, as the example configuration says.
        assert_eq!(pace.deadline_for(1 << 30).as_secs() / 3600, 72);
    }

    #[tokio::test]
    async fn a_body_that_keeps_the_pace_is_still_cut_off_at_its_deadline() {
        let pace = Pace {
            min_bytes_per_second: 1000,
            window: Duration::from_secs(1),
            idle: Duration::from_secs(60),
        };
        // 500 bytes every 100 ms, five times the pace, for 10 s: the bucket
        // never empties, so only the deadline (declared 1,000 bytes: 2 s)
        // can end it.
        let chunks = futures_util::stream::unfold(0u32, |n| async move {
            if n >= 100 {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            Some((Ok::<_, std::io::Error>(bytes::Bytes::from(vec![0u8; 500])), n + 1))
        });
        let meter = Arc::new(BodyMeter::new());
        let body = pace.wrap(axum::body::Body::from_stream(chunks), 1000, Arc::clone(&meter));
        let read = axum::body::to_bytes(body, usize::MAX).await;
        assert!(read.is_err(), "a body past its deadline was read to the end");
        assert!(meter.is_slow(), "cut off, but not marked as too slow");
        let sent = meter.bytes.load(Ordering::Relaxed);
        assert!(sent < 50_000, "cut off only after {sent} bytes");
    }
}

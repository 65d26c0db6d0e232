//! Rate limits that work behind Tor: global, or keyed by receipt, never by IP.
//!
//! Behind an onion service every client is 127.0.0.1, so a per-address limit
//! would be one global bucket shared by every reporter and attacker alike,
//! and trusting forwarded-for headers would let anyone pick their own key.
//! candor limits submissions and log-ins globally, and log-ins also per
//! receipt lookup id, which slows guessing at any one case without letting one
//! reporter lock out another. `CANDOR_RATE_LIMITS=off` turns all of them off,
//! for benchmarks and load tests only.

use std::num::NonZeroU32;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::config::Config;
use crate::core::receipt::LookupId;

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("rate limited")]
pub struct Limited;

pub struct Limits {
    on: bool,
    /// Submissions being received at once (always bounded, even with rate limits off).
    busy: Arc<Semaphore>,
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
            submissions: RateLimiter::direct(per_minute(config.submissions_per_minute)),
            logins: RateLimiter::direct(per_minute(config.logins_per_minute)),
            per_receipt: RateLimiter::keyed(per_minute(config.logins_per_receipt_per_minute)),
        }
    }

    /// Admits one submission: within the rate, and a slot among those being
    /// received at once. The slot is held until the returned permit drops.
    pub fn submission(&self) -> Result<OwnedSemaphorePermit, super::intake::IntakeError> {
        if self.on && self.submissions.check().is_err() {
            return Err(super::intake::IntakeError::RateLimited);
        }
        Arc::clone(&self.busy)
            .try_acquire_owned()
            .map_err(|_| super::intake::IntakeError::Busy)
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

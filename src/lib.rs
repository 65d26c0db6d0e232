//! candor: an anonymous whistleblower reporting service for an ethics office.
//!
//! - [`core`]: formats and cryptography, no I/O (shared by both binaries);
//! - [`clock`]: the one place that reads the time, rounded to the day;
//! - `server` (feature `server`): the reporter site, the officer API and the store;
//! - `desk` (feature `desk`): the air-gapped officer's tool.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod clock;
pub mod core;
#[cfg(feature = "desk")]
pub mod desk;
#[cfg(feature = "server")]
pub mod server;

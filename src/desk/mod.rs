//! The air-gapped officer's desk: export bundles in, decrypted cases in a
//! local vault, signed outbox bundles out.
//!
//! This module owns the desk's files (key files written by `keygen`, the
//! vault, extracted case files, outbox bundles) and the commands that work
//! on them. It does not own any format or any cryptography: bundles,
//! envelopes, entries and key files are [`crate::core`]'s, and the desk only
//! calls them. It does no networking and reads the clock nowhere: commands
//! receive today's [`Day`](crate::core::day::Day) from the binary, which asks
//! [`crate::clock`].
//!
//! - [`keyfiles`]: `keygen`, and reading the secret key folder;
//! - [`vault`]: the vault on disk (the one place that knows its layout);
//! - [`import`]: `open`, verifying an export bundle and committing it whole;
//! - [`verify`]: the rules by which `open` attributes each entry to the
//!   office (officer signatures) or the reporter (message MACs);
//! - [`ops`]: `reply`, `status`, `record`, `purge` and `outbox`;
//! - [`view`]: `cases`, `show` and `--extract`, with deadlines ([`deadlines`]);
//! - [`stats`]: the annual report's figures, table and chart;
//! - `gui` (feature `gui`): the desktop application over the same operations.

use std::io;
use std::path::PathBuf;

use crate::core::bundle::BundleError;
use crate::core::case::CaseId;
use crate::core::envelope::EnvelopeError;
use crate::core::keys::KeyError;
use crate::core::openpgp::OpenPgpError;

pub mod deadlines;
mod fsx;
#[cfg(feature = "gui")]
pub mod gui;
pub mod import;
pub mod keyfiles;
pub mod ops;
pub mod stats;
pub mod terminal;
pub mod vault;
pub mod verify;
pub mod view;

pub use vault::{Vault, VaultError};

/// What a desk command can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// The export bundle did not verify; nothing was kept.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// An entry's envelope or attachment did not decrypt with the office key.
    #[error("could not decrypt {what}")]
    Decrypt { what: String },
    /// An entry decrypted but does not hold what its kind promises.
    #[error("{what} could not be read: {reason}")]
    BadEntry { what: String, reason: String },
    /// An entry the desk cannot attribute to the office or the reporter, or
    /// that contradicts what was sealed: the whole bundle is refused.
    #[error("{what} was refused: {reason}")]
    Refused { what: String, reason: String },
    /// An export exceeds one of the desk's limits; nothing was kept.
    #[error("{0}; the export was refused and the vault was not changed")]
    OverLimit(String),
    #[error("there is no case {0} in this vault")]
    CaseNotFound(CaseId),
    #[error("nothing is waiting to go out: no reply, status change, recorded case or purge is pending")]
    NothingPending,
    #[error("case {0} came by another channel without a receipt: there is no one online to reply to")]
    NoOnlineReporter(CaseId),
    #[error("{0}")]
    BadInput(String),
    #[error("a secret key is protected by a passphrase, and none was given")]
    PassphraseNeeded,
    #[error("{0}")]
    OpenPgp(OpenPgpError),
    #[error("the OpenPGP key file {} cannot be used: {source}", path.display())]
    OpenPgpFile { path: PathBuf, source: OpenPgpError },
    #[error("no office keys given: use --keys SECRETDIR (or CANDOR_DESK_KEYS)")]
    NoKeys,
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    AlreadyExists(PathBuf),
    #[error("there is no key file at {}", .0.display())]
    MissingKeyFile(PathBuf),
    #[error("the key file {} is not valid: {source}", path.display())]
    KeyFile { path: PathBuf, source: KeyError },
    #[error("could not {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("could not encrypt for case {case}: {source}")]
    Seal { case: CaseId, source: EnvelopeError },
}

/// How a caller (a script) should react to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// An export bundle was refused (altered, truncated, wrong key, replayed,
    /// out of order, or not readable with this office key).
    BundleRefused,
    /// A vault or a case that does not exist.
    NotFound,
    /// Nothing to do (e.g. an outbox with no pending operation).
    NothingToDo,
    General,
}

impl DeskError {
    pub fn class(&self) -> ErrorClass {
        match self {
            DeskError::Bundle(_)
            | DeskError::Decrypt { .. }
            | DeskError::BadEntry { .. }
            | DeskError::Refused { .. }
            | DeskError::OverLimit(_)
            | DeskError::Vault(VaultError::CaseTooLarge { .. }) => ErrorClass::BundleRefused,
            DeskError::CaseNotFound(_) | DeskError::Vault(VaultError::NotFound(_)) => ErrorClass::NotFound,
            DeskError::NothingPending => ErrorClass::NothingToDo,
            _ => ErrorClass::General,
        }
    }

    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> DeskError {
        let path = path.into();
        move |source| DeskError::Io { what, path, source }
    }
}

/// Creates a new file with `mode`; one already there is
/// [`DeskError::AlreadyExists`], never overwritten.
pub(crate) fn create_new_file(path: &std::path::Path, mode: u32) -> Result<std::fs::File, DeskError> {
    fsx::create_new(path, mode).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => DeskError::AlreadyExists(path.to_path_buf()),
        _ => DeskError::io("create", path)(e),
    })
}

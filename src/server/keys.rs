//! Loading the server's keys: the office's public keys and its own signing key.
//!
//! The server holds no key that can read a report: only recipients (public),
//! the officer's verifying key, the hash of the officer's API token, and the
//! server's own Ed25519 key, which signs the log head and nothing else.
//!
//! Office keys may be age recipients (`keys/recipients.txt`) and/or OpenPGP
//! certificates (every `keys/*.asc` but `officer.asc`); every report and
//! attachment is encrypted to all of them at once (an OpenPGP certificate is
//! one more age recipient, see [`crate::core::openpgp`]), so any one office
//! key opens it. The office's signing keys are those in `keys/officer.pub`
//! (Ed25519, one officer a line), or else the Ed25519 signing subkey of
//! `keys/officer.asc`.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::core::case::CaseId;
use crate::core::envelope::{self, AttachmentSealer, EnvelopeError, Payload};
use crate::core::keys::{self, KeyError, TokenHash};
use crate::core::openpgp::{self, OpenPgpError, OpenPgpRecipient};

/// The age recipient of the DEMO office key shipped in `keys/demo/`.
pub const DEMO_RECIPIENT: &str = "age1vwv6fuzsu8maau5znud4syyr8md60njf4uswjnvyzmk6d3n9n3uqnllnzf";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeysError {
    #[error("could not read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Bad(PathBuf, KeyError),
    #[error("{0}: {1}")]
    BadOpenPgp(PathBuf, OpenPgpError),
    #[error(
        "no office key in {0}: put age recipients in recipients.txt and/or OpenPGP certificates in *.asc"
    )]
    NoOfficeKeys(PathBuf),
    #[error("no officer signing key in {0}: put officer.pub or officer.asc there")]
    NoOfficerKey(PathBuf),
    #[error("could not create the server key {0}: {1}")]
    Create(PathBuf, std::io::Error),
    #[error("the operating system's random number generator failed")]
    NoRandomness,
}

pub struct ServerKeys {
    /// age office recipients (recipients.txt).
    pub recipients: Vec<age::x25519::Recipient>,
    /// OpenPGP office certificates (*.asc).
    pub openpgp: Vec<OpenPgpRecipient>,
    /// The office's signing keys: an outbox and each of its operations
    /// must be signed by one of them.
    pub officers: Vec<VerifyingKey>,
    pub token: TokenHash,
    /// The demo office key is among the recipients.
    pub demo: bool,
}

fn read(path: &Path) -> Result<String, KeysError> {
    std::fs::read_to_string(path).map_err(|e| KeysError::Read(path.to_owned(), e))
}

impl ServerKeys {
    pub fn load(dir: &Path) -> Result<ServerKeys, KeysError> {
        let rpath = dir.join("recipients.txt");
        let recipients = if rpath.exists() {
            keys::parse_recipients(&read(&rpath)?).map_err(|e| KeysError::Bad(rpath, e))?
        } else {
            Vec::new()
        };
        let mut certs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| KeysError::Read(dir.to_owned(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "asc") && p.file_name().is_some_and(|n| n != "officer.asc")
            })
            .collect();
        certs.sort();
        let mut openpgp_recipients = Vec::new();
        for path in certs {
            let text = read(&path)?;
            let cert =
                openpgp::parse_cert(text.as_bytes()).map_err(|e| KeysError::BadOpenPgp(path.clone(), e))?;
            openpgp_recipients.push(OpenPgpRecipient::new(cert).map_err(|e| KeysError::BadOpenPgp(path, e))?);
        }
        if recipients.is_empty() && openpgp_recipients.is_empty() {
            return Err(KeysError::NoOfficeKeys(dir.to_owned()));
        }
        let opath = dir.join("officer.pub");
        let apath = dir.join("officer.asc");
        let officers = if opath.exists() {
            keys::parse_verifying_keys(&read(&opath)?).map_err(|e| KeysError::Bad(opath, e))?
        } else if apath.exists() {
            let cert = openpgp::parse_cert(read(&apath)?.as_bytes())
                .map_err(|e| KeysError::BadOpenPgp(apath.clone(), e))?;
            vec![openpgp::verifying_key(&cert).map_err(|e| KeysError::BadOpenPgp(apath, e))?]
        } else {
            return Err(KeysError::NoOfficerKey(dir.to_owned()));
        };
        let tpath = dir.join("officer-token.sha256");
        let token = TokenHash::parse(&read(&tpath)?).map_err(|e| KeysError::Bad(tpath, e))?;
        let demo = recipients.iter().any(|r| r.to_string() == DEMO_RECIPIENT);
        Ok(ServerKeys {
            recipients,
            openpgp: openpgp_recipients,
            officers,
            token,
            demo,
        })
    }

    fn recipient_refs(&self) -> Vec<&dyn age::Recipient> {
        self.recipients
            .iter()
            .map(|r| r as &dyn age::Recipient)
            .chain(self.openpgp.iter().map(|r| r as &dyn age::Recipient))
            .collect()
    }

    /// Encrypts an envelope, bound to `case`, to every office recipient.
    pub fn seal(&self, case: CaseId, payload: &Payload) -> Result<Vec<u8>, EnvelopeError> {
        envelope::seal(case, payload, &self.recipient_refs())
    }

    /// Starts an attachment stream to every office recipient.
    pub fn attachment_sealer(&self) -> Result<AttachmentSealer, EnvelopeError> {
        AttachmentSealer::new(&self.recipient_refs())
    }
}

/// The server's own signing key, made at first start in the data dir.
pub fn server_signing_key(
    data: &Path,
    random: impl FnOnce() -> Option<[u8; 32]>,
) -> Result<SigningKey, KeysError> {
    let path = data.join("server.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => keys::parse_signing_key(&text).map_err(|e| KeysError::Bad(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data).map_err(|e| KeysError::Create(path.clone(), e))?;
            let key = SigningKey::from_bytes(&random().ok_or(KeysError::NoRandomness)?);
            let text =
                keys::format_signing_key(&key, "candor server log-head signing key; made at first start");
            let mut f = open_private(&path).map_err(|e| KeysError::Create(path.clone(), e))?;
            f.write_all(text.as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(|e| KeysError::Create(path.clone(), e))?;
            Ok(key)
        }
        Err(e) => Err(KeysError::Read(path, e)),
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

//! The office's key folder: `keygen` writes it, `open` and `outbox` read its
//! secret half.
//!
//! ```text
//! DIR/public/               copy these into the server's keys/
//!   recipients.txt          the office age recipient
//!   officer.pub             the officer's Ed25519 verifying key
//!   officer-token.sha256    hex SHA-256 of the officer API token
//! DIR/secret/     0700      keep these on the air-gapped machine
//!   office.key      0600    the office age identity
//!   officer.key     0600    the officer's Ed25519 signing key
//!   officer-token   0600    the officer API token (for the transfer machine)
//! ```
//!
//! The formats are [`crate::core::keys`]'; this module reads and writes the files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use super::{DeskError, fsx};
use crate::core::day::Day;
use crate::core::keys::{self, TokenHash};

pub const RECIPIENTS: &str = "recipients.txt";
pub const OFFICER_PUB: &str = "officer.pub";
pub const TOKEN_HASH: &str = "officer-token.sha256";
pub const OFFICE_KEY: &str = "office.key";
pub const OFFICER_KEY: &str = "officer.key";
pub const TOKEN: &str = "officer-token";

/// What `keygen` wrote.
#[derive(Debug)]
pub struct Generated {
    pub public_dir: PathBuf,
    pub secret_dir: PathBuf,
    pub public_files: Vec<PathBuf>,
    pub secret_files: Vec<PathBuf>,
    /// The office's age recipient, to show.
    pub office_recipient: String,
}

/// Writes a new set of office keys under `out`; refuses if any file exists.
pub fn keygen(out: &Path, created: Day) -> Result<Generated, DeskError> {
    let public_dir = out.join("public");
    let secret_dir = out.join("secret");
    let public_files: Vec<PathBuf> = [RECIPIENTS, OFFICER_PUB, TOKEN_HASH]
        .iter()
        .map(|n| public_dir.join(n))
        .collect();
    let secret_files: Vec<PathBuf> = [OFFICE_KEY, OFFICER_KEY, TOKEN]
        .iter()
        .map(|n| secret_dir.join(n))
        .collect();
    if let Some(existing) = public_files
        .iter()
        .chain(&secret_files)
        .find(|p| p.symlink_metadata().is_ok())
    {
        return Err(DeskError::AlreadyExists(existing.clone()));
    }

    let office = age::x25519::Identity::generate();
    let office_recipient = office.to_public().to_string();
    let seed = Zeroizing::new(fsx::random::<32>()?);
    let officer = SigningKey::from_bytes(&seed);
    let token = Zeroizing::new(hex::encode(*Zeroizing::new(fsx::random::<32>()?)));
    let created = created.to_string();

    fs::create_dir_all(&public_dir).map_err(DeskError::io("create", &public_dir))?;
    fsx::create_private_dir(&secret_dir).map_err(DeskError::io("create", &secret_dir))?;
    let office_key = keys::format_identity(&office, &created);
    let officer_key = keys::format_signing_key(
        &officer,
        &format!("candor officer signing key. SECRET. created: {created}"),
    );
    let token_file = Zeroizing::new(format!("{}\n", token.as_str()));
    let secrets: [(&str, &str); 3] = [
        (OFFICE_KEY, office_key.as_str()),
        (OFFICER_KEY, officer_key.as_str()),
        (TOKEN, token_file.as_str()),
    ];
    for (name, text) in secrets {
        write_new(&secret_dir.join(name), text, 0o600)?;
    }
    let recipients = format!("# candor office recipient, created {created}\n{office_recipient}\n");
    let officer_pub = keys::format_verifying_key(
        &officer.verifying_key(),
        &format!("candor officer verifying key, created {created}"),
    );
    let token_hash = format!("{}\n", TokenHash::of(&token).to_hex());
    for (name, text) in [
        (RECIPIENTS, recipients.as_str()),
        (OFFICER_PUB, officer_pub.as_str()),
        (TOKEN_HASH, token_hash.as_str()),
    ] {
        write_new(&public_dir.join(name), text, 0o644)?;
    }
    Ok(Generated {
        public_dir,
        secret_dir,
        public_files,
        secret_files,
        office_recipient,
    })
}

fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), DeskError> {
    let mut f = fsx::create_new(path, mode).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            DeskError::AlreadyExists(path.to_path_buf())
        } else {
            DeskError::Io {
                what: "create",
                path: path.to_path_buf(),
                source: e,
            }
        }
    })?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(DeskError::io("write", path))
}

fn read_secret(path: &Path) -> Result<Zeroizing<String>, DeskError> {
    fs::read_to_string(path).map(Zeroizing::new).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            DeskError::MissingKeyFile(path.to_path_buf())
        } else {
            DeskError::Io {
                what: "read",
                path: path.to_path_buf(),
                source: e,
            }
        }
    })
}

/// The office identities in `SECRETDIR/office.key`.
pub fn office_identities(secret_dir: &Path) -> Result<Vec<age::x25519::Identity>, DeskError> {
    let path = secret_dir.join(OFFICE_KEY);
    let text = read_secret(&path)?;
    keys::parse_identities(&text).map_err(|source| DeskError::KeyFile { path, source })
}

/// The officer's signing key in `SECRETDIR/officer.key`.
pub fn officer_signing_key(secret_dir: &Path) -> Result<SigningKey, DeskError> {
    let path = secret_dir.join(OFFICER_KEY);
    let text = read_secret(&path)?;
    keys::parse_signing_key(&text).map_err(|source| DeskError::KeyFile { path, source })
}

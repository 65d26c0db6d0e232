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
//!
//! # Invariants
//!
//! - OpenPGP certificates expire and are revoked; age recipients do not. Each
//!   seal takes the day as a parameter and goes to every office key that can
//!   receive on that day ([`ServerKeys::seal`]), so a key that expires while
//!   the server runs drops out of new reports and the others carry on.
//! - Sealing fails only when no office key can receive; the server refuses
//!   to start in that state ([`KeysError::NoValidOfficeKey`] names each key
//!   and why), and warns, at start-up and once a day, of each key that has
//!   expired or expires within [`EXPIRY_WARNING_DAYS`] ([`warnings`]).
//! - A file in `keys/` that is not a key at all still stops the start: that
//!   is a mistake to fix, not a key to pass over.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use sequoia_openpgp::Cert;

use crate::core::case::CaseId;
use crate::core::day::Day;
use crate::core::envelope::{self, AttachmentSealer, EnvelopeError, Payload};
use crate::core::keys::{self, KeyError, TokenHash};
use crate::core::openpgp::{self, CertState, OpenPgpError, OpenPgpRecipient};

/// The age recipient of the DEMO office key shipped in `keys/demo/`.
pub const DEMO_RECIPIENT: &str = "age1vwv6fuzsu8maau5znud4syyr8md60njf4uswjnvyzmk6d3n9n3uqnllnzf";

/// A key that expires within this many days is warned of.
pub const EXPIRY_WARNING_DAYS: u32 = 60;

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
    #[error(
        "no office key in {} can receive reports on {day}: {}; put a valid key there (an age recipient in recipients.txt or a new OpenPGP certificate)",
        dir.display(), why.join("; ")
    )]
    NoValidOfficeKey {
        dir: PathBuf,
        day: Day,
        why: Vec<String>,
    },
    #[error("no officer signing key in {0}: put officer.pub or officer.asc there")]
    NoOfficerKey(PathBuf),
    #[error("could not create the server key {0}: {1}")]
    Create(PathBuf, std::io::Error),
    #[error("the operating system's random number generator failed")]
    NoRandomness,
}

/// Why a report could not be sealed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    #[error("no office key can receive reports on {day}: {}", why.join("; "))]
    NoValidKey { day: Day, why: Vec<String> },
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// An OpenPGP office certificate and the file it came from.
pub struct OfficeCert {
    /// The file name in `keys/` (e.g. `office.asc`).
    pub file: String,
    pub fingerprint: String,
    pub cert: Cert,
}

/// How one office key stands on a day: for the logs and `/status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyReport {
    /// The age recipient, or the OpenPGP certificate's fingerprint.
    pub key: String,
    /// The file in `keys/` it is in.
    pub file: String,
    /// `valid`, `expiring` (within [`EXPIRY_WARNING_DAYS`]), `expired`,
    /// `revoked`, `not-yet-valid` or `unusable`.
    pub state: &'static str,
    /// The first day the key cannot receive (YYYY-MM-DD), if it expires.
    pub expires: Option<Day>,
    /// Whether reports are sealed to it on that day.
    pub receives: bool,
}

impl KeyReport {
    fn openpgp(c: &OfficeCert, day: Day) -> KeyReport {
        let cert_state = openpgp::cert_state(&c.cert, day);
        let (state, expires) = match cert_state {
            CertState::Valid { expires: Some(on) } if on.0 <= day.0.saturating_add(EXPIRY_WARNING_DAYS) => {
                ("expiring", Some(on))
            }
            CertState::Valid { expires } => ("valid", expires),
            CertState::Expired { on } => ("expired", Some(on)),
            CertState::Revoked => ("revoked", None),
            CertState::NotYetValid => ("not-yet-valid", None),
            CertState::NoEncryptionKey => ("unusable", None),
        };
        KeyReport {
            key: c.fingerprint.clone(),
            file: c.file.clone(),
            state,
            expires,
            receives: cert_state.is_valid(),
        }
    }

    /// "office.asc (FINGERPRINT) expired on 2026-11-30", and the like.
    pub fn describe(&self, day: Day) -> String {
        let why = match (self.state, &self.expires) {
            ("expiring", Some(on)) => format!("expires on {on}, in {} day(s)", on.0.saturating_sub(day.0)),
            ("expired", Some(on)) => format!("expired on {on}"),
            ("valid", Some(on)) => format!("valid until {on}"),
            ("valid", None) => "valid, does not expire".to_owned(),
            ("not-yet-valid", _) => "not valid yet (created later)".to_owned(),
            ("unusable", _) => "has no encryption subkey the server can use".to_owned(),
            (other, _) => other.to_owned(),
        };
        format!("{} ({}) {why}", self.file, self.key)
    }

    /// Whether the officer should hear of it: expired, expiring, revoked, unusable.
    pub fn needs_attention(&self) -> bool {
        self.state != "valid"
    }
}

pub struct ServerKeys {
    /// age office recipients (recipients.txt); they do not expire.
    pub recipients: Vec<age::x25519::Recipient>,
    /// OpenPGP office certificates (*.asc), whatever their state.
    pub openpgp: Vec<OfficeCert>,
    /// The office's signing keys: an outbox and each of its operations
    /// must be signed by one of them.
    pub officers: Vec<VerifyingKey>,
    pub token: TokenHash,
    /// The demo office key is among the recipients.
    pub demo: bool,
    /// The folder they came from, for messages.
    pub dir: PathBuf,
}

fn read(path: &Path) -> Result<String, KeysError> {
    std::fs::read_to_string(path).map_err(|e| KeysError::Read(path.to_owned(), e))
}

impl ServerKeys {
    /// Loads `dir`; refuses when no office key can receive on `today`.
    pub fn load(dir: &Path, today: Day) -> Result<ServerKeys, KeysError> {
        ServerKeys::read(dir)?.can_receive(today)
    }

    /// Loads a channel's folder: as [`ServerKeys::load`], but the officer API
    /// token is its own only if the folder has `officer-token.sha256`.
    pub fn load_channel(dir: &Path, today: Day) -> Result<ServerKeys, KeysError> {
        ServerKeys::read_with(dir, false)?.can_receive(today)
    }

    /// Refuses keys of which none can receive on `today`.
    fn can_receive(self, today: Day) -> Result<ServerKeys, KeysError> {
        if self.recipients.is_empty() && self.openpgp.is_empty() {
            return Err(KeysError::NoOfficeKeys(self.dir));
        }
        if let Err(SealError::NoValidKey { day, why }) = self.recipients_on(today) {
            return Err(KeysError::NoValidOfficeKey {
                dir: self.dir,
                day,
                why,
            });
        }
        Ok(self)
    }

    /// Reads `dir` without judging the office keys' dates.
    fn read(dir: &Path) -> Result<ServerKeys, KeysError> {
        ServerKeys::read_with(dir, true)
    }

    fn read_with(dir: &Path, token_required: bool) -> Result<ServerKeys, KeysError> {
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
        let mut openpgp_certs = Vec::new();
        for path in certs {
            let text = read(&path)?;
            let cert =
                openpgp::parse_cert(text.as_bytes()).map_err(|e| KeysError::BadOpenPgp(path.clone(), e))?;
            openpgp_certs.push(OfficeCert {
                file: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                fingerprint: openpgp::fingerprint(&cert),
                cert: cert.strip_secret_key_material(),
            });
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
        let token = if token_required || tpath.exists() {
            TokenHash::parse(&read(&tpath)?).map_err(|e| KeysError::Bad(tpath, e))?
        } else {
            TokenHash::unmatchable()
        };
        let demo = recipients.iter().any(|r| r.to_string() == DEMO_RECIPIENT);
        Ok(ServerKeys {
            recipients,
            openpgp: openpgp_certs,
            officers,
            token,
            demo,
            dir: dir.to_owned(),
        })
    }

    /// Every office key and how it stands on `day`.
    pub fn report(&self, day: Day) -> Vec<KeyReport> {
        self.recipients
            .iter()
            .map(|r| KeyReport {
                key: r.to_string(),
                file: "recipients.txt".to_owned(),
                state: "valid",
                expires: None,
                receives: true,
            })
            .chain(self.openpgp.iter().map(|c| KeyReport::openpgp(c, day)))
            .collect()
    }

    /// The recipients that can receive on `day`: every age recipient and
    /// every OpenPGP certificate valid then.
    fn recipients_on(&self, day: Day) -> Result<Vec<Box<dyn age::Recipient>>, SealError> {
        let mut list: Vec<Box<dyn age::Recipient>> = self
            .recipients
            .iter()
            .map(|r| Box::new(r.clone()) as Box<dyn age::Recipient>)
            .collect();
        let mut refused = Vec::new();
        for c in &self.openpgp {
            match OpenPgpRecipient::new(&c.cert, day) {
                Ok(r) => list.push(Box::new(r)),
                Err(e) => refused.push(format!("{}: {e}", c.file)),
            }
        }
        if list.is_empty() {
            return Err(SealError::NoValidKey { day, why: refused });
        }
        Ok(list)
    }

    /// Encrypts an envelope to every office key that can receive on `day`.
    pub fn seal(&self, case: CaseId, payload: &Payload, day: Day) -> Result<Vec<u8>, SealError> {
        let list = self.recipients_on(day)?;
        let refs: Vec<&dyn age::Recipient> = list.iter().map(|r| r.as_ref()).collect();
        Ok(envelope::seal(case, payload, &refs)?)
    }

    /// Starts an attachment stream to every office key that can receive on `day`.
    pub fn attachment_sealer(&self, day: Day) -> Result<AttachmentSealer, SealError> {
        let list = self.recipients_on(day)?;
        let refs: Vec<&dyn age::Recipient> = list.iter().map(|r| r.as_ref()).collect();
        Ok(AttachmentSealer::new(&refs)?)
    }
}

/// The log lines about office keys on `day`: a warning for each key that
/// has expired, expires within [`EXPIRY_WARNING_DAYS`], is revoked or
/// unusable, and an error when none can receive. Empty when all is well.
pub fn warnings(keys: &ServerKeys, day: Day) -> Vec<(tracing::Level, String)> {
    let report = keys.report(day);
    let mut out: Vec<(tracing::Level, String)> = report
        .iter()
        .filter(|k| k.needs_attention())
        .map(|k| {
            let what = if k.receives {
                "still receives reports; make its successor and put it in keys/ before then"
            } else {
                "reports are no longer sealed to it"
            };
            (
                tracing::Level::WARN,
                format!("office key {}: {what}", k.describe(day)),
            )
        })
        .collect();
    if !report.iter().any(|k| k.receives) {
        out.push((
            tracing::Level::ERROR,
            format!(
                "no office key in {} can receive reports: every report is refused until a valid key is put there and the server restarted",
                keys.dir.display()
            ),
        ));
    }
    out
}

/// Logs [`warnings`] for `day`.
pub fn log_warnings(keys: &ServerKeys, day: Day) {
    for (level, line) in warnings(keys, day) {
        if level == tracing::Level::ERROR {
            tracing::error!("{line}");
        } else {
            tracing::warn!("{line}");
        }
    }
}

/// Logs [`warnings`] for `day` of the office's keys and of each channel's
/// own folder (see [`super::channels`]).
pub fn log_app_warnings(app: &super::App, day: Day) {
    log_warnings(&app.keys, day);
    for c in &app.channels.list {
        if c.keys.dir != app.keys.dir {
            for (level, line) in warnings(&c.keys, day) {
                let line = format!("channel `{}`: {line}", c.config.id);
                if level == tracing::Level::ERROR {
                    tracing::error!("{line}");
                } else {
                    tracing::warn!("{line}");
                }
            }
        }
    }
}

/// Logs the key warnings once a day, just after the date changes, for as
/// long as the server runs (the start-up's are logged by the caller). The
/// line's time says when the day turned, nothing about any report.
pub async fn warn_daily(app: std::sync::Arc<super::App>) {
    let mut last = crate::clock::today();
    loop {
        tokio::time::sleep(crate::clock::until_next_day()).await;
        let today = crate::clock::today();
        if today != last {
            last = today;
            log_app_warnings(&app, today);
        }
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

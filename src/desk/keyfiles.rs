//! The office's key folder: `keygen` writes it, the other commands read its
//! secret half.
//!
//! ```text
//! DIR/public/               copy these into the server's keys/
//!   recipients.txt          the office age recipient               (age keys)
//!   office.asc              the office OpenPGP certificate         (--openpgp)
//!   officer.pub             the officer's Ed25519 verifying key    (age keys)
//!   officer.asc             the officer's signing certificate      (--openpgp; same key as office.asc)
//!   officer-token.sha256    hex SHA-256 of the officer API token
//! DIR/secret/     0700      keep these on the air-gapped machine
//!   office.key      0600    the office age identity                (age keys)
//!   officer.key     0600    the officer's Ed25519 signing key      (age keys)
//!   office.asc      0600    the office OpenPGP secret key          (--openpgp; also signs outboxes)
//!   officer-token   0600    the officer API token (for the transfer machine)
//! ```
//!
//! Unless `--no-passphrase` is given, `office.key`, `officer.key` and
//! `officer-token` are encrypted to the officer's passphrase (age scrypt, see
//! [`crate::core::keys`]) and `office.asc` carries OpenPGP's own S2K
//! protection with the same passphrase. A secret folder may hold both kinds
//! of office key (e.g. after a move from age to OpenPGP): the desk then
//! decrypts with either and encrypts its vault to both.
//!
//! The formats are [`crate::core::keys`]' and [`crate::core::openpgp`]'; this
//! module reads and writes the files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use super::{DeskError, fsx};
use crate::core::day::Day;
use crate::core::keys::{self, KeyError, TokenHash};
use crate::core::openpgp::{self, OpenPgpIdentity};
use crate::core::secret::SecretText;

pub const RECIPIENTS: &str = "recipients.txt";
pub const OFFICER_PUB: &str = "officer.pub";
pub const TOKEN_HASH: &str = "officer-token.sha256";
pub const OFFICE_KEY: &str = "office.key";
pub const OFFICER_KEY: &str = "officer.key";
pub const TOKEN: &str = "officer-token";
pub const OFFICE_ASC: &str = "office.asc";
pub const OFFICER_ASC: &str = "officer.asc";

/// The officer's passphrase, wiped on drop, never printed.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(text: String) -> Passphrase {
        Passphrase(Zeroizing::new(text))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

/// Asks for the passphrase when (and only when) a protected key needs it.
pub trait PassphraseSource {
    fn passphrase(&mut self) -> Result<&Passphrase, DeskError>;
}

/// A fixed answer (tests, or a passphrase already read).
pub struct Given(pub Option<Passphrase>);

impl PassphraseSource for Given {
    fn passphrase(&mut self) -> Result<&Passphrase, DeskError> {
        self.0.as_ref().ok_or(DeskError::PassphraseNeeded)
    }
}

/// Files to write: (name, text).
type Secrets<'a> = Vec<(&'a str, Zeroizing<String>)>;
type Publics<'a> = Vec<(&'a str, String)>;
/// An OpenPGP secret key and the passphrase that unlocks it, if it needs one.
type LockedCert = (sequoia_openpgp::Cert, Option<Zeroizing<String>>);

/// What `keygen` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Age,
    /// An OpenPGP key in the given format (v4 for GnuPG 2.2 unless told).
    OpenPgp(openpgp::KeyProfile),
}

/// What `keygen` wrote.
#[derive(Debug)]
pub struct Generated {
    pub public_dir: PathBuf,
    pub secret_dir: PathBuf,
    pub public_files: Vec<PathBuf>,
    pub secret_files: Vec<PathBuf>,
    /// The officer API token, to show once (its file is protected like the keys).
    pub officer_token: SecretText,
    /// The office's age recipient or OpenPGP fingerprint, to show.
    pub office_recipient: String,
}

/// Writes a new set of office keys under `out`; refuses if any file exists.
/// With a passphrase, the secret keys are protected by it.
pub fn keygen(
    out: &Path,
    created: Day,
    kind: KeyKind,
    passphrase: Option<&Passphrase>,
) -> Result<Generated, DeskError> {
    let public_dir = out.join("public");
    let secret_dir = out.join("secret");
    let (public_names, secret_names): (&[&str], &[&str]) = match kind {
        KeyKind::Age => (
            &[RECIPIENTS, OFFICER_PUB, TOKEN_HASH],
            &[OFFICE_KEY, OFFICER_KEY, TOKEN],
        ),
        KeyKind::OpenPgp(_) => (&[OFFICE_ASC, OFFICER_ASC, TOKEN_HASH], &[OFFICE_ASC, TOKEN]),
    };
    let public_files: Vec<PathBuf> = public_names.iter().map(|n| public_dir.join(n)).collect();
    let secret_files: Vec<PathBuf> = secret_names.iter().map(|n| secret_dir.join(n)).collect();
    if let Some(existing) = public_files
        .iter()
        .chain(&secret_files)
        .find(|p| p.symlink_metadata().is_ok())
    {
        return Err(DeskError::AlreadyExists(existing.clone()));
    }
    let token = Zeroizing::new(hex::encode(*Zeroizing::new(fsx::random::<32>()?)));
    let created_text = created.to_string();
    let token_hash = format!("{}\n", TokenHash::of(&token).to_hex());
    let protect = |text: &str| -> Result<Zeroizing<String>, DeskError> {
        match passphrase {
            Some(p) => keys::protect(text, p.expose())
                .map(Zeroizing::new)
                .map_err(|source| DeskError::KeyFile {
                    path: secret_dir.clone(),
                    source,
                }),
            None => Ok(Zeroizing::new(text.to_owned())),
        }
    };
    // The desk never needs the token: kept like the keys, not in the clear.
    let token_file = protect(&format!("{}\n", token.as_str()))?;

    let (secrets, publics, office_recipient): (Secrets, Publics, String) = match kind {
        KeyKind::Age => {
            let office = age::x25519::Identity::generate();
            let office_recipient = office.to_public().to_string();
            let seed = Zeroizing::new(fsx::random::<32>()?);
            let officer = SigningKey::from_bytes(&seed);
            let office_key = protect(&keys::format_identity(&office, &created_text))?;
            let officer_key = protect(&keys::format_signing_key(
                &officer,
                &format!("candor officer signing key. SECRET. created: {created_text}"),
            ))?;
            let recipients =
                format!("# candor office recipient, created {created_text}\n{office_recipient}\n");
            let officer_pub = keys::format_verifying_key(
                &officer.verifying_key(),
                &format!("candor officer verifying key, created {created_text}"),
            );
            (
                vec![
                    (OFFICE_KEY, office_key),
                    (OFFICER_KEY, officer_key),
                    (TOKEN, token_file),
                ],
                vec![
                    (RECIPIENTS, recipients),
                    (OFFICER_PUB, officer_pub),
                    (TOKEN_HASH, token_hash),
                ],
                office_recipient,
            )
        }
        KeyKind::OpenPgp(profile) => {
            let cert = openpgp::generate_with(
                &format!("candor office key, created {created_text}"),
                created,
                passphrase.map(|p| p.expose().as_bytes()),
                profile,
            )
            .map_err(DeskError::OpenPgp)?;
            let secret = openpgp::armor_secret_key(&cert).map_err(DeskError::OpenPgp)?;
            let public = openpgp::armor_certificate(&cert).map_err(DeskError::OpenPgp)?;
            (
                vec![(OFFICE_ASC, secret), (TOKEN, token_file)],
                vec![
                    (OFFICE_ASC, public.clone()),
                    (OFFICER_ASC, public),
                    (TOKEN_HASH, token_hash),
                ],
                openpgp::fingerprint(&cert),
            )
        }
    };

    fs::create_dir_all(&public_dir).map_err(DeskError::io("create", &public_dir))?;
    fsx::create_private_dir(&secret_dir).map_err(DeskError::io("create", &secret_dir))?;
    for (name, text) in &secrets {
        write_new(&secret_dir.join(name), text, 0o600)?;
    }
    for (name, text) in &publics {
        write_new(&public_dir.join(name), text, 0o644)?;
    }
    Ok(Generated {
        public_dir,
        secret_dir,
        public_files,
        secret_files,
        officer_token: SecretText::new(token.as_str().to_owned()),
        office_recipient,
    })
}

/// The officer API token kept in `secret_dir` (unlocked with the passphrase
/// if keygen protected it), to carry to the transfer machine.
pub fn officer_token(secret_dir: &Path, pass: &mut dyn PassphraseSource) -> Result<SecretText, DeskError> {
    let path = secret_dir.join(TOKEN);
    let text = read_secret(&path)?.ok_or_else(|| DeskError::MissingKeyFile(path.clone()))?;
    let text = unlock_text(&path, &text, pass)?;
    let token = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    Ok(SecretText::new(token.to_owned()))
}

fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), DeskError> {
    let mut f = super::create_new_file(path, mode)?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(DeskError::io("write", path))
}

fn read_secret(path: &Path) -> Result<Option<Zeroizing<String>>, DeskError> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(Zeroizing::new(t))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DeskError::Io {
            what: "read",
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Decrypts a protected age key file, asking for the passphrase if needed.
fn unlock_text(
    path: &Path,
    text: &str,
    pass: &mut dyn PassphraseSource,
) -> Result<Zeroizing<String>, DeskError> {
    let passphrase = if keys::is_protected(text) {
        Some(pass.passphrase()?.expose().to_owned())
    } else {
        None
    };
    let passphrase = passphrase.map(Zeroizing::new);
    keys::unprotect(text, passphrase.as_deref().map(String::as_str)).map_err(|source| DeskError::KeyFile {
        path: path.to_path_buf(),
        source,
    })
}

fn openpgp_key(secret_dir: &Path, pass: &mut dyn PassphraseSource) -> Result<Option<LockedCert>, DeskError> {
    let path = secret_dir.join(OFFICE_ASC);
    let Some(text) = read_secret(&path)? else {
        return Ok(None);
    };
    let cert = openpgp::parse_cert(text.as_bytes()).map_err(|source| DeskError::OpenPgpFile {
        path: path.clone(),
        source,
    })?;
    let encrypted = cert.keys().secret().any(|k| k.key().secret().is_encrypted());
    let passphrase = if encrypted {
        Some(Zeroizing::new(pass.passphrase()?.expose().to_owned()))
    } else {
        None
    };
    Ok(Some((cert, passphrase)))
}

/// The office's secret keys: every identity to decrypt with, and every
/// matching recipient to encrypt the vault and the office's copies to.
///
/// `Send + Sync`: the desktop application opens an export or writes an
/// outbox on a worker thread with the vault (and these keys) it holds.
pub struct OfficeKeys {
    pub identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    pub recipients: Vec<Box<dyn age::Recipient + Send + Sync>>,
    /// Each recipient's name: the age recipient string or the OpenPGP fingerprint.
    pub names: Vec<String>,
    /// The folder they came from.
    pub dir: PathBuf,
    /// The secret key files read (`office.key`, `office.asc`), for messages.
    pub files: Vec<&'static str>,
}

impl std::fmt::Debug for OfficeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OfficeKeys({}, [redacted])", self.dir.display())
    }
}

impl OfficeKeys {
    pub fn identity_refs(&self) -> Vec<&dyn age::Identity> {
        self.identities
            .iter()
            .map(|i| i.as_ref() as &dyn age::Identity)
            .collect()
    }

    pub fn recipient_refs(&self) -> Vec<&dyn age::Recipient> {
        self.recipients
            .iter()
            .map(|r| r.as_ref() as &dyn age::Recipient)
            .collect()
    }

    /// Keys from age identities (tests, and callers that already hold them).
    pub fn from_age(identities: Vec<age::x25519::Identity>, dir: PathBuf) -> OfficeKeys {
        let names = identities.iter().map(|i| i.to_public().to_string()).collect();
        let recipients = identities
            .iter()
            .map(|i| Box::new(i.to_public()) as Box<dyn age::Recipient + Send + Sync>)
            .collect();
        let identities = identities
            .into_iter()
            .map(|i| Box::new(i) as Box<dyn age::Identity + Send + Sync>)
            .collect();
        OfficeKeys {
            identities,
            recipients,
            names,
            dir,
            files: vec![OFFICE_KEY],
        }
    }

    /// The key files read, as a message names them: "office.key",
    /// "office.asc" or "office.key or office.asc".
    pub fn files_named(&self) -> String {
        self.files.join(" or ")
    }
}

/// The office's other keys, public halves only: what a reply is sealed to
/// besides this desk's own keys.
#[derive(Default)]
pub struct OtherOfficeKeys {
    pub names: Vec<String>,
    pub recipients: Vec<Box<dyn age::Recipient>>,
    /// OpenPGP certificates left out because they cannot receive today
    /// (expired, revoked): "FILE (FINGERPRINT): why", to show the officer.
    pub skipped: Vec<String>,
}

impl std::fmt::Debug for OtherOfficeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OtherOfficeKeys({:?})", self.names)
    }
}

impl OtherOfficeKeys {
    pub fn recipient_refs(&self) -> Vec<&dyn age::Recipient> {
        self.recipients.iter().map(|r| r.as_ref()).collect()
    }

    fn add(&mut self, own: &OfficeKeys, name: String, recipient: Box<dyn age::Recipient>) {
        if !own.names.contains(&name) && !self.names.contains(&name) {
            self.names.push(name);
            self.recipients.push(recipient);
        }
    }

    /// The office keys in `dir` that are not `own`: `dir` is laid out like
    /// the server's `keys/`, with the age recipients in `recipients.txt` and
    /// the OpenPGP certificates in `*.asc` (except `officer.asc`, the signing
    /// certificate). Replies and statuses are sealed to all of them, so any
    /// desk of the office can read what another desk sent; a certificate
    /// that cannot receive on `today` is left out and named in `skipped`,
    /// as the server leaves it out of reports.
    pub fn read(own: &OfficeKeys, dir: &Path, today: Day) -> Result<OtherOfficeKeys, DeskError> {
        let mut found = OtherOfficeKeys::default();
        let recipients_file = dir.join(RECIPIENTS);
        match fs::read_to_string(&recipients_file) {
            Ok(text) => {
                for r in keys::parse_recipients(&text).map_err(|source| DeskError::KeyFile {
                    path: recipients_file.clone(),
                    source,
                })? {
                    found.add(own, r.to_string(), Box::new(r));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DeskError::io("read", &recipients_file)(e)),
        }
        let list = fs::read_dir(dir).map_err(DeskError::io("read", dir))?;
        let mut certs: Vec<PathBuf> = list
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "asc") && p.file_name().is_some_and(|n| n != OFFICER_ASC)
            })
            .collect();
        certs.sort();
        for path in certs {
            let bytes = fs::read(&path).map_err(DeskError::io("read", &path))?;
            let cert = openpgp::parse_cert(&bytes).map_err(|source| DeskError::OpenPgpFile {
                path: path.clone(),
                source,
            })?;
            let fpr = openpgp::fingerprint(&cert);
            if own.names.contains(&fpr) {
                continue;
            }
            match openpgp::OpenPgpRecipient::new(&cert, today) {
                Ok(recipient) => found.add(own, fpr, Box::new(recipient)),
                Err(openpgp::OpenPgpError::NotValid(_, state)) => {
                    found.skipped.push(format!("{} ({fpr}): {state}", path.display()));
                }
                Err(source) => return Err(DeskError::OpenPgpFile { path, source }),
            }
        }
        Ok(found)
    }
}

/// The office's public folder beside `SECRETDIR` (`SECRETDIR/../public`, as
/// `keygen` lays it out), if there is one.
pub fn public_dir_beside(secret_dir: &Path) -> Option<PathBuf> {
    let dir = secret_dir.parent()?.join("public");
    dir.is_dir().then_some(dir)
}

/// The office keys in `SECRETDIR` (`office.key` and/or `office.asc`).
pub fn office_keys(secret_dir: &Path, pass: &mut dyn PassphraseSource) -> Result<OfficeKeys, DeskError> {
    let mut keys = OfficeKeys {
        identities: Vec::new(),
        recipients: Vec::new(),
        names: Vec::new(),
        dir: secret_dir.to_path_buf(),
        files: Vec::new(),
    };
    let age_path = secret_dir.join(OFFICE_KEY);
    if let Some(text) = read_secret(&age_path)? {
        let text = unlock_text(&age_path, &text, pass)?;
        let ids = keys::parse_identities(&text).map_err(|source| DeskError::KeyFile {
            path: age_path.clone(),
            source,
        })?;
        let more = OfficeKeys::from_age(ids, secret_dir.to_path_buf());
        keys.identities.extend(more.identities);
        keys.recipients.extend(more.recipients);
        keys.names.extend(more.names);
        keys.files.push(OFFICE_KEY);
    }
    if let Some((cert, passphrase)) = openpgp_key(secret_dir, pass)? {
        let path = secret_dir.join(OFFICE_ASC);
        let id =
            OpenPgpIdentity::new(&cert, passphrase.as_ref().map(|p| p.as_bytes())).map_err(|source| {
                DeskError::OpenPgpFile {
                    path: path.clone(),
                    source,
                }
            })?;
        let recipient = id.to_recipient();
        keys.files.push(OFFICE_ASC);
        keys.names.push(id.fingerprint().to_owned());
        keys.identities.push(Box::new(id));
        keys.recipients.push(Box::new(recipient));
    }
    if keys.identities.is_empty() {
        return Err(DeskError::MissingKeyFile(age_path));
    }
    Ok(keys)
}

/// The officer's signing key: `SECRETDIR/officer.key`, or else the Ed25519
/// signing subkey of `SECRETDIR/office.asc`.
pub fn officer_signing_key(
    secret_dir: &Path,
    pass: &mut dyn PassphraseSource,
) -> Result<SigningKey, DeskError> {
    let path = secret_dir.join(OFFICER_KEY);
    if let Some(text) = read_secret(&path)? {
        let text = unlock_text(&path, &text, pass)?;
        return keys::parse_signing_key(&text).map_err(|source| DeskError::KeyFile { path, source });
    }
    match openpgp_key(secret_dir, pass)? {
        Some((cert, passphrase)) => openpgp::signing_key(&cert, passphrase.as_ref().map(|p| p.as_bytes()))
            .map_err(|source| DeskError::OpenPgpFile {
                path: secret_dir.join(OFFICE_ASC),
                source,
            }),
        None => Err(DeskError::MissingKeyFile(path)),
    }
}

/// Whether a key error means the passphrase was wrong.
pub fn is_wrong_passphrase(e: &DeskError) -> bool {
    matches!(
        e,
        DeskError::KeyFile {
            source: KeyError::WrongPassphrase,
            ..
        } | DeskError::OpenPgpFile {
            source: openpgp::OpenPgpError::WrongPassphrase(_),
            ..
        }
    )
}

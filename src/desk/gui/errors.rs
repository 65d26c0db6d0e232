//! Errors from the desk library in the window's language.
//!
//! Every [`DeskError`] the window can meet maps to catalogue keys
//! (`err-…`), with what it carries (entry numbers, case ids, paths) as
//! arguments. Free text inside an error (a path, the verification rule an
//! entry broke, a print system's message) is shown after the words as
//! data, through [`plain`]; Fluent never interprets it.
//! The matches name every variant: a new error does not compile until it
//! has words.

use std::io;

use super::i18n::Words;
use super::plain;
use crate::core::bundle::BundleError;
use crate::core::keys::KeyError;
use crate::core::log::{AuthError, LogError};
use crate::core::openpgp::OpenPgpError;
use crate::desk::{DeskError, VaultError, keyfiles};

/// The sentence(s) the window shows for `err`.
pub(super) fn describe(w: &Words, err: &DeskError) -> String {
    let path = |p: &std::path::Path| plain(&p.display().to_string()).into_owned();
    let case = |c: &crate::core::case::CaseId| c.to_string();
    if keyfiles::is_wrong_passphrase(err) {
        return w.t("err-wrong-passphrase");
    }
    match err {
        DeskError::PassphraseNeeded
        | DeskError::OpenPgpFile {
            source: OpenPgpError::NeedsPassphrase(_),
            ..
        } => w.t("err-passphrase-needed"),
        DeskError::NoKeys => w.t("err-no-keys"),
        // The window's own checks are in its words already; the library's
        // few (in English) are shown as they are.
        DeskError::BadInput(text) => plain(text).into_owned(),
        DeskError::NothingPending => w.t("err-nothing-pending"),
        DeskError::Bundle(_)
        | DeskError::Decrypt { .. }
        | DeskError::BadEntry { .. }
        | DeskError::Refused { .. }
        | DeskError::OverLimit(_)
        | DeskError::Vault(VaultError::CaseTooLarge { .. }) => {
            w.join(&[&w.t("err-bundle-refused"), &refusal(w, err)])
        }
        DeskError::CaseNotFound(c) => w.ta("err-case-not-found", &[("case", case(c).as_str().into())]),
        DeskError::NoOnlineReporter(c) => {
            w.ta("err-no-online-reporter", &[("case", case(c).as_str().into())])
        }
        DeskError::AlreadyExists(p) => w.join(&[&w.t("err-exists"), &path(p)]),
        DeskError::MissingKeyFile(p) => w.ta("err-missing-key-file", &[("path", path(p).as_str().into())]),
        DeskError::KeyFile { path: p, source } => w.join(&[
            &w.ta("err-key-file", &[("path", path(p).as_str().into())]),
            &key_reason(w, source),
        ]),
        DeskError::OpenPgpFile { path: p, source } => w.join(&[
            &w.ta("err-openpgp-file", &[("path", path(p).as_str().into())]),
            &w.t("err-detail"),
            &plain(&source.to_string()),
        ]),
        DeskError::OpenPgp(source) => w.join(&[
            &w.t("err-openpgp"),
            &w.t("err-detail"),
            &plain(&source.to_string()),
        ]),
        DeskError::Io { path: p, source, .. } => io_words(w, p, source),
        DeskError::Vault(v) => vault_words(w, v),
        DeskError::Random => w.t("err-random"),
        DeskError::Seal { case: c, .. } => w.ta("err-seal", &[("case", case(c).as_str().into())]),
    }
}

/// Why an export was refused.
fn refusal(w: &Words, err: &DeskError) -> String {
    match err {
        DeskError::Bundle(b) => bundle_reason(w, b),
        DeskError::Decrypt { what } => w.ta("err-decrypt", &[("what", what_words(w, what).as_str().into())]),
        DeskError::BadEntry { what, reason } => w.join(&[
            &w.ta("err-bad-entry", &[("what", what_words(w, what).as_str().into())]),
            &w.t("err-detail"),
            &plain(reason),
        ]),
        DeskError::Refused { what, reason } => w.join(&[
            &w.ta(
                "err-entry-refused",
                &[("what", what_words(w, what).as_str().into())],
            ),
            &w.t("err-detail"),
            &plain(reason),
        ]),
        DeskError::OverLimit(text) => w.join(&[&w.t("err-over-limit"), &w.t("err-detail"), &plain(text)]),
        DeskError::Vault(VaultError::CaseTooLarge { case, bytes, limit }) => w.ta(
            "err-case-too-large",
            &[
                ("case", case.to_string().as_str().into()),
                ("bytes", (*bytes as usize).into()),
                ("limit", (*limit as usize).into()),
            ],
        ),
        other => plain(&other.to_string()).into_owned(),
    }
}

/// "entry 12" and "attachment A of case C", as the import names them, in words.
fn what_words(w: &Words, what: &str) -> String {
    if let Some(seq) = what.strip_prefix("entry ").and_then(|n| n.parse::<usize>().ok()) {
        return w.ta("err-what-entry", &[("seq", seq.into())]);
    }
    if let Some((att, case)) = what
        .strip_prefix("attachment ")
        .and_then(|rest| rest.split_once(" of case "))
    {
        return w.ta(
            "err-what-attachment",
            &[
                ("attachment", plain(att).as_ref().into()),
                ("case", plain(case).as_ref().into()),
            ],
        );
    }
    plain(what).into_owned()
}

fn bundle_reason(w: &Words, b: &BundleError) -> String {
    match b {
        BundleError::BadMagic(_) => w.t("err-b-not-a-bundle"),
        BundleError::Truncated => w.t("err-b-truncated"),
        BundleError::Malformed(_) | BundleError::RecordTooLarge | BundleError::TrailingData => {
            w.t("err-b-malformed")
        }
        BundleError::WrongSigner => w.t("err-b-wrong-signer"),
        BundleError::OldOutbox => w.t("err-b-old-outbox"),
        BundleError::BadOpSignature { op, reason } => w.join(&[
            &w.ta("err-b-op-signature", &[("op", plain(op).as_ref().into())]),
            &auth_reason(w, reason),
        ]),
        BundleError::BadSignature => w.t("err-b-bad-signature"),
        BundleError::DoesNotExtend { after, seen } => w.ta(
            "err-b-does-not-extend",
            &[
                ("after", (*after as usize).into()),
                ("seen", (*seen as usize).into()),
            ],
        ),
        BundleError::ServerKeyChanged => w.t("err-b-server-key-changed"),
        BundleError::Log(l) => log_reason(w, l),
        BundleError::Io(e) => w.join(&[&w.t("err-b-unreadable"), &io_reason(w, e)]),
    }
}

fn log_reason(w: &Words, l: &LogError) -> String {
    let n = |x: u64| x as usize;
    match l {
        LogError::Malformed(_) => w.t("err-b-malformed"),
        LogError::OutOfSequence { seq, expected } => w.ta(
            "err-log-out-of-sequence",
            &[("seq", n(*seq).into()), ("expected", n(*expected).into())],
        ),
        LogError::BrokenChain(seq) => w.ta("err-log-broken-chain", &[("seq", n(*seq).into())]),
        LogError::BodyMismatch(seq) => w.ta("err-log-body-mismatch", &[("seq", n(*seq).into())]),
        LogError::HeadMismatch => w.t("err-log-head-mismatch"),
        LogError::BadSignature => w.t("err-b-bad-signature"),
    }
}

fn auth_reason(w: &Words, a: &AuthError) -> String {
    w.t(match a {
        AuthError::Unsigned => "err-auth-unsigned",
        AuthError::UnknownSigner => "err-auth-unknown-signer",
        AuthError::BadSignature => "err-auth-bad-signature",
        AuthError::NoMac => "err-auth-no-mac",
        AuthError::BadMac => "err-auth-bad-mac",
    })
}

fn key_reason(w: &Words, k: &KeyError) -> String {
    match k {
        KeyError::WrongPassphrase => w.t("err-wrong-passphrase"),
        KeyError::BadRecipient(line) | KeyError::BadIdentity(line) => {
            w.ta("err-key-bad-line", &[("line", (*line).into())])
        }
        KeyError::NoRecipients | KeyError::NoIdentity | KeyError::BadKeyFile(_) => {
            w.t("err-key-not-a-key-file")
        }
        other => w.join(&[&w.t("err-detail"), &plain(&other.to_string())]),
    }
}

fn vault_words(w: &Words, v: &VaultError) -> String {
    let path = |p: &std::path::Path| plain(&p.display().to_string()).into_owned();
    match v {
        VaultError::NotFound(p) => w.ta("err-vault-not-found", &[("path", path(p).as_str().into())]),
        VaultError::Unreadable { path: p, reason } => w.join(&[
            &w.ta("err-vault-unreadable", &[("path", path(p).as_str().into())]),
            &w.t("err-detail"),
            &plain(reason),
        ]),
        VaultError::Decrypt(p) => w.ta("err-vault-decrypt", &[("path", path(p).as_str().into())]),
        VaultError::CaseFileMismatch { case } => w.ta(
            "err-case-file-mismatch",
            &[("case", case.to_string().as_str().into())],
        ),
        VaultError::CaseTooLarge { case, bytes, limit } => w.ta(
            "err-case-too-large",
            &[
                ("case", case.to_string().as_str().into()),
                ("bytes", (*bytes as usize).into()),
                ("limit", (*limit as usize).into()),
            ],
        ),
        VaultError::Encrypt => w.t("err-random"),
        VaultError::Io { path: p, source, .. } => io_words(w, p, source),
    }
}

fn io_words(w: &Words, p: &std::path::Path, e: &io::Error) -> String {
    w.ta(
        "err-io",
        &[
            ("path", plain(&p.display().to_string()).as_ref().into()),
            ("reason", io_reason(w, e).as_str().into()),
        ],
    )
}

fn io_reason(w: &Words, e: &io::Error) -> String {
    w.t(match e.kind() {
        io::ErrorKind::NotFound => "err-io-not-found",
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => "err-io-permission",
        io::ErrorKind::AlreadyExists => "err-io-exists",
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => "err-io-full",
        io::ErrorKind::IsADirectory => "err-io-is-folder",
        io::ErrorKind::NotADirectory => "err-io-not-folder",
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => "err-io-damaged",
        _ => "err-io-other",
    })
}

#[cfg(test)]
mod tests {
    use super::super::i18n::Lang;
    use super::*;

    /// Every error kind the window can meet has French words (no key shows
    /// as itself, none falls back to English).
    #[test]
    fn errors_are_said_in_french() {
        let en = Words::new(Lang::En);
        let fr = Words::new(Lang::Fr);
        let case: crate::core::case::CaseId = crate::core::case::CaseId::from_random([1; 8]);
        let errors = [
            DeskError::Bundle(BundleError::BadSignature),
            DeskError::Bundle(BundleError::Truncated),
            DeskError::Bundle(BundleError::DoesNotExtend { after: 3, seen: 7 }),
            DeskError::Bundle(BundleError::ServerKeyChanged),
            DeskError::Bundle(BundleError::Log(LogError::BodyMismatch(4))),
            DeskError::Bundle(BundleError::Log(LogError::BrokenChain(4))),
            DeskError::Bundle(BundleError::BadOpSignature {
                op: "ab".into(),
                reason: AuthError::UnknownSigner,
            }),
            DeskError::Decrypt {
                what: "entry 12".into(),
            },
            DeskError::Refused {
                what: "attachment 0a1b of case ABCDE-FGHJK".into(),
                reason: "x".into(),
            },
            DeskError::CaseNotFound(case),
            DeskError::NoOnlineReporter(case),
            DeskError::NothingPending,
            DeskError::Vault(VaultError::NotFound("/v".into())),
            DeskError::Vault(VaultError::Decrypt("/v".into())),
            DeskError::Vault(VaultError::CaseFileMismatch { case }),
            DeskError::Io {
                what: "open",
                path: "/x".into(),
                source: io::Error::from(io::ErrorKind::NotFound),
            },
        ];
        for e in &errors {
            let (english, french) = (describe(&en, e), describe(&fr, e));
            assert_ne!(english, french, "{e:?}");
            assert!(!french.contains("err-"), "{french}");
            assert!(!english.contains("err-"), "{english}");
        }
        assert_eq!(
            describe(&fr, &errors[7]),
            "L'export a été refusé et le coffre n'a pas changé. Gardez le fichier comme preuve et prévenez \
             l'administrateur du serveur. L'entrée 12 ne se déchiffre pas avec les clés du bureau."
        );
    }
}

//! Turning errors into a message that says what to do next, and an exit code.

use std::process::ExitCode;

use candor::core::bundle::BundleError;
use candor::core::log::LogError;
use candor::desk::{DeskError, ErrorClass, VaultError};

const NO_VAULT: &str = "Check the --vault path; a vault is made by the first `candor-desk open`.";

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_BUNDLE_REFUSED: u8 = 3;
pub const EXIT_NOT_FOUND: u8 = 4;
pub const EXIT_NOTHING_TO_DO: u8 = 5;

/// The exit code for an error.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    let class = match (err.downcast_ref::<DeskError>(), err.downcast_ref::<VaultError>()) {
        (Some(e), _) => Some(e.class()),
        (None, Some(VaultError::NotFound(_))) => Some(ErrorClass::NotFound),
        _ => None,
    };
    let code = match class {
        Some(ErrorClass::BundleRefused) => EXIT_BUNDLE_REFUSED,
        Some(ErrorClass::NotFound) => EXIT_NOT_FOUND,
        Some(ErrorClass::NothingToDo) => EXIT_NOTHING_TO_DO,
        _ => EXIT_ERROR,
    };
    ExitCode::from(code)
}

/// The message for an error, with advice where there is some. `key_files`
/// names the office key files the command decrypted with, if it knows them.
pub fn message(err: &anyhow::Error, seen: Option<u64>, key_files: Option<&str>) -> String {
    // Typed errors name their cause in their message; anyhow's chain would repeat it.
    if let Some(v) = err.downcast_ref::<VaultError>() {
        return match v {
            VaultError::NotFound(_) => format!("{v}\n{NO_VAULT}"),
            VaultError::Decrypt(_) => {
                format!("{v}\nGive --keys the secret folder this vault was opened with.")
            }
            _ => v.to_string(),
        };
    }
    let Some(desk) = err.downcast_ref::<DeskError>() else {
        return format!("{err:#}");
    };
    let advice = match desk {
        DeskError::Bundle(b) => bundle_advice(b, seen),
        DeskError::Decrypt { .. } => format!(
            "could not decrypt: is this the right {}? The vault was not changed.",
            key_files.unwrap_or("office key (office.key or office.asc)")
        ),
        DeskError::BadEntry { .. } => "An entry in the bundle is not what candor writes; \
             the vault was not changed. Report this to the server's administrator."
            .to_owned(),
        DeskError::Refused { .. } => "The bundle was refused and the vault was not changed: the entry is \
             not what the office or the reporter wrote, so whoever controls the server (or its disk or \
             backups) may have forged or altered it. Keep the bundle as evidence and do not open later \
             exports of this server until the administrator has examined it."
            .to_owned(),
        DeskError::CaseNotFound(_) => "Run `candor-desk cases --vault VAULT` to list the cases.".to_owned(),
        DeskError::Vault(VaultError::NotFound(_)) => NO_VAULT.to_owned(),
        DeskError::NothingPending => {
            "Record one with `candor-desk reply`, `status`, `record --issue-receipt` or `purge` first.".to_owned()
        }
        DeskError::AlreadyExists(_) => {
            "Choose another place, or move the existing file away first.".to_owned()
        }
        e if candor::desk::keyfiles::is_wrong_passphrase(e) => {
            "Check the passphrase (CANDOR_DESK_PASSPHRASE or the prompt); it is the one given to `candor-desk keygen`."
                .to_owned()
        }
        DeskError::PassphraseNeeded => "Run the command in a terminal to be asked for it, or set \
             CANDOR_DESK_PASSPHRASE."
            .to_owned(),
        DeskError::NoKeys => "The first `candor-desk open` with --keys makes the vault remember the folder.".to_owned(),
        DeskError::NoOnlineReporter(_) => "Contact the reporter by the channel the report came by.".to_owned(),
        DeskError::KeyFile { .. } | DeskError::MissingKeyFile(_) | DeskError::OpenPgpFile { .. } => {
            "Point --keys at the secret/ folder that `candor-desk keygen` wrote.".to_owned()
        }
        _ => String::new(),
    };
    match desk {
        DeskError::Bundle(_) | DeskError::Decrypt { .. } => advice,
        // The desk's messages already name their cause.
        _ if advice.is_empty() => desk.to_string(),
        _ => format!("{desk}\n{advice}"),
    }
}

fn bundle_advice(b: &BundleError, seen: Option<u64>) -> String {
    let unchanged = "The bundle was refused and the vault was not changed.";
    match b {
        BundleError::DoesNotExtend { after, seen } => format!(
            "{unchanged} This export does not continue from the last one opened: it starts after entry {after}, \
             and this vault has verified up to entry {seen}. Ask the transfer machine for `/export?after={seen}`."
        ),
        BundleError::ServerKeyChanged => format!(
            "{unchanged} The export is signed by a different server key than the one this vault pinned at its \
             first open. Either the server was reinstalled and lost its key, or the bundle does not come from your \
             server. Do not trust it until the server's administrator has explained the change."
        ),
        BundleError::BadSignature
        | BundleError::Log(LogError::BadSignature)
        | BundleError::Log(LogError::BrokenChain(_))
        | BundleError::Log(LogError::BodyMismatch(_))
        | BundleError::Log(LogError::HeadMismatch) => format!(
            "{unchanged} Its content does not match the server's signature: it was altered or damaged ({b}). \
             Fetch a fresh export{}.",
            after_hint(seen)
        ),
        BundleError::Truncated => format!(
            "{unchanged} The bundle is truncated (incomplete copy or download). Copy or fetch it again{}.",
            after_hint(seen)
        ),
        other => format!("{unchanged} {other}. Fetch a fresh export{}.", after_hint(seen)),
    }
}

fn after_hint(seen: Option<u64>) -> String {
    seen.map(|s| format!(" (`/export?after={s}`)"))
        .unwrap_or_default()
}

/// Starts each sentence and each line of a message with a capital letter.
/// Messages are put together from several modules' errors, many of which
/// begin in lower case so that they read well after a colon.
pub fn sentences(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    let mut prev = None;
    for c in text.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            if !c.is_whitespace() {
                start = false;
            }
            out.push(c);
        }
        if c == '\n' || (c == ' ' && matches!(prev, Some('.' | '?' | '!'))) {
            start = true;
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sentences;

    #[test]
    fn each_sentence_and_line_starts_with_a_capital() {
        assert_eq!(
            sentences("could not decrypt: is this the right key? the vault was not changed.\nrun `cases`."),
            "Could not decrypt: is this the right key? The vault was not changed.\nRun `cases`."
        );
        assert_eq!(
            sentences("/tmp/x is not empty. choose"),
            "/tmp/x is not empty. Choose"
        );
        assert_eq!(sentences("  case 12"), "  Case 12");
    }
}

//! `candor-desk`: the ethics officer's air-gapped tool. See `cli.rs` for the
//! command line; the work is done in [`candor::desk`].

mod cli;
mod error;

use std::fs::File;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use candor::clock;
use candor::core::openpgp::KeyProfile;
use candor::core::secret::SecretText;
use candor::desk::deadlines::Periods;
use candor::desk::keyfiles::{self, KeyKind, Passphrase, PassphraseSource};
use candor::desk::view::AsOf;
use candor::desk::{self, DeskError, Vault, import, ops, stats, terminal, view};
use cli::{Cli, Command, PeriodArgs, VaultArgs};

/// Prints a line to stdout as text, never as terminal instructions: every
/// line the desk prints may quote what a reporter or the server wrote.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", terminal::escape(&format!($($arg)*)))
    };
}

/// [`say!`] for stderr.
macro_rules! say_err {
    ($($arg:tt)*) => {
        eprintln!("{}", terminal::escape(&format!($($arg)*)))
    };
}

const PASSPHRASE_ENV: &str = "CANDOR_DESK_PASSPHRASE";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut seen = None;
    let mut key_files = None;
    match run(cli, &mut seen, &mut key_files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            say_err!(
                "candor-desk: {}",
                error::sentences(&error::message(&err, seen, key_files.as_deref()))
            );
            error::exit_code(&err)
        }
    }
}

/// The passphrase from the environment, or asked for on the terminal, once.
struct Prompt(Option<Passphrase>);

impl PassphraseSource for Prompt {
    fn passphrase(&mut self) -> Result<&Passphrase, DeskError> {
        if self.0.is_none() {
            let text = match std::env::var(PASSPHRASE_ENV) {
                Ok(p) => p,
                Err(_) if std::io::stdin().is_terminal() => {
                    rpassword::prompt_password("Passphrase for the office keys: ")
                        .map_err(|_| DeskError::PassphraseNeeded)?
                }
                Err(_) => return Err(DeskError::PassphraseNeeded),
            };
            self.0 = Some(Passphrase::new(text));
        }
        self.0.as_ref().ok_or(DeskError::PassphraseNeeded)
    }
}

/// A new passphrase for keygen: from the environment, or asked for twice.
fn new_passphrase() -> anyhow::Result<Passphrase> {
    let text = match std::env::var(PASSPHRASE_ENV) {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let a = rpassword::prompt_password("New passphrase for the office keys: ")?;
            let b = rpassword::prompt_password("The same passphrase again: ")?;
            if a != b {
                anyhow::bail!("the two passphrases differ; nothing was written. Run keygen again.");
            }
            a
        }
        Err(_) => anyhow::bail!(
            "keygen protects the secret keys with a passphrase: set {PASSPHRASE_ENV}, run it in a terminal, \
             or give --no-passphrase (tests and demos only)"
        ),
    };
    if text.chars().count() < 8 {
        anyhow::bail!("the passphrase is shorter than 8 characters; choose a longer one");
    }
    Ok(Passphrase::new(text))
}

/// Where the secret keys are: --keys / CANDOR_DESK_KEYS, else what the vault remembers.
fn keys_dir(at: &VaultArgs) -> Result<PathBuf, DeskError> {
    at.keys
        .clone()
        .or_else(|| Vault::remembered_keys(&at.vault))
        .ok_or(DeskError::NoKeys)
}

/// Said when another command holds the vault's lock.
fn waiting_notice(vault: &Path) -> impl FnMut() {
    let vault = vault.to_path_buf();
    move || {
        say_err!(
            "candor-desk: the vault {} is in use by another candor-desk command or an unlocked candor-desk window; \
             waiting for it to finish (lock or close the window to let this command go on)…",
            vault.display()
        );
    }
}

/// Opens an existing vault with its keys.
fn open_vault(at: &VaultArgs, pass: &mut Prompt) -> Result<Vault, DeskError> {
    if !at.vault.is_dir() {
        return Err(desk::VaultError::NotFound(at.vault.clone()).into());
    }
    let keys = keyfiles::office_keys(&keys_dir(at)?, pass)?;
    let vault = Vault::existing_or_wait(&at.vault, keys, &mut waiting_notice(&at.vault))?;
    // Remember the keys only once they have opened the vault.
    vault.index()?;
    vault.remember_keys()?;
    Ok(vault)
}

fn as_of(p: PeriodArgs) -> AsOf {
    AsOf {
        today: clock::today(),
        periods: Periods {
            acknowledge_days: p.ack_days,
            feedback_months: p.feedback_months,
            soon_days: p.soon_days,
            advice_days: p.advice_days,
        },
    }
}

/// A progress bar on stderr; indicatif hides it when stderr is not a terminal.
fn bar(len: u64, template: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style);
    }
    pb
}

fn read_description(description: Option<String>, file: Option<&Path>) -> anyhow::Result<SecretText> {
    let text = match (description, file) {
        (Some(d), _) => d,
        (None, Some(f)) => std::fs::read_to_string(f)
            .with_context(|| format!("could not read the description from {}", f.display()))?,
        (None, None) => anyhow::bail!("give --description TEXT or --description-file FILE"),
    };
    Ok(SecretText::new(text))
}

/// Runs a command; `seen` receives the vault's last verified entry and
/// `key_files` the office key files `open` decrypts with, for advice.
fn run(cli: Cli, seen: &mut Option<u64>, key_files: &mut Option<String>) -> anyhow::Result<()> {
    let mut pass = Prompt(None);
    match cli.command {
        Command::Keygen {
            out,
            openpgp,
            profile,
            no_passphrase,
        } => {
            let passphrase = if no_passphrase {
                None
            } else {
                Some(new_passphrase()?)
            };
            let kind = match (openpgp, profile) {
                (false, _) => KeyKind::Age,
                (true, cli::OpenPgpProfile::Rfc4880) => KeyKind::OpenPgp(KeyProfile::Rfc4880),
                (true, cli::OpenPgpProfile::Rfc9580) => KeyKind::OpenPgp(KeyProfile::Rfc9580),
            };
            let g = keyfiles::keygen(&out, clock::today(), kind, passphrase.as_ref())?;
            say!("Wrote the office keys under {}.", out.display());
            say!("\nPublic (copy these into the server's keys/ folder):");
            for p in &g.public_files {
                say!("  {}", p.display());
            }
            say!("\nSecret (keep on this air-gapped machine only; back them up offline):");
            for p in &g.secret_files {
                say!("  {}", p.display());
            }
            match kind {
                KeyKind::Age => say!("\nOffice recipient: {}", g.office_recipient),
                KeyKind::OpenPgp(_) => say!("\nOffice OpenPGP key: {}", g.office_recipient),
            }
            if passphrase.is_some() {
                say!("The secret keys are protected by your passphrase: without it they cannot be used.");
            } else {
                say!("The secret keys are NOT protected by a passphrase (--no-passphrase).");
            }
            if passphrase.is_some() {
                say!(
                    "\nOfficer API token for the transfer machine (it authorises /export and /import; shown now, \
                     kept in {} protected by your passphrase; `candor-desk token` shows it again):\n{}",
                    g.secret_dir.join(keyfiles::TOKEN).display(),
                    g.officer_token.expose()
                );
            } else {
                say!(
                    "The officer token in {} goes to the transfer machine (it authorises /export and /import).",
                    g.secret_dir.join(keyfiles::TOKEN).display()
                );
            }
        }
        Command::Open { bundle, at, limits } => {
            let dir = keys_dir(&at)?;
            let keys = keyfiles::office_keys(&dir, &mut pass)?;
            *key_files = Some(keys.files_named());
            let file = File::open(&bundle)
                .with_context(|| format!("could not open the bundle {}", bundle.display()))?;
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            // The office's signing keys: this officer's own and those the
            // office's public folder lists.
            let trusted = ops::trusted_officers_in(&dir, &mut pass)?;
            let vault = Vault::create_or_wait(&at.vault, keys, &mut waiting_notice(&at.vault))?;
            *seen = vault.index().ok().and_then(|s| s.head().ok()).map(|h| h.seq);
            let pb = bar(len, "{spinner} opening {bytes}/{total_bytes} [{wide_bar}] {eta}");
            let s =
                import::open_bundle_with(&vault, pb.wrap_read(file), &trusted, limits.into(), &mut |_| {})?;
            pb.finish_and_clear();
            vault.remember_keys()?;
            let head = s.head.map_or(0, |h| h.seq);
            if s.pinned_now {
                say!("Pinned the server's signing key: later exports must be signed by it.");
            }
            say!(
                "Opened {}: {} new case(s), {} new message(s), {} attachment(s), {} operation(s) delivered, {} case(s) purged.",
                bundle.display(),
                s.new_cases.len(),
                s.new_messages,
                s.attachments,
                s.delivered_ops,
                s.purged.len()
            );
            for c in &s.new_cases {
                say!("  new case {c}");
            }
            for w in &s.warnings {
                say!("warning: {w}");
            }
            for line in s.other_channel_lines() {
                say!("{line}");
            }
            say!(
                "The vault has verified the server's log up to entry {head}; next time ask for /export?after={head}."
            );
        }
        Command::Cases { at, periods, json } => {
            let state = open_vault(&at, &mut pass)?.load()?;
            if json {
                println!(
                    "{}",
                    terminal::json(&serde_json::to_string_pretty(&view::cases_json(
                        &state,
                        as_of(periods)
                    ))?)
                );
            } else {
                say!("{}", view::cases_table(&state, as_of(periods)));
            }
        }
        Command::Show {
            case,
            at,
            periods,
            json,
            extract,
        } => {
            if let Some(dir) = &extract {
                view::check_extract_target(dir)?;
            }
            let vault = open_vault(&at, &mut pass)?;
            let record = vault.case(case)?.ok_or(DeskError::CaseNotFound(case))?;
            let record = &record;
            // Extract before printing: a target that cannot take the files
            // stops the command before the case is on the screen.
            let written = match &extract {
                Some(dir) => view::extract(&vault, record, dir)?,
                None => Vec::new(),
            };
            if json {
                println!(
                    "{}",
                    terminal::json(&serde_json::to_string_pretty(&view::case_json(
                        record,
                        as_of(periods)
                    ))?)
                );
            } else {
                say!("{}", view::case_text(record, as_of(periods)));
            }
            // Keep stdout pure JSON when --json is given.
            for p in &written {
                say_err!("wrote {}", p.display());
            }
        }
        Command::Reply { case, at, message } => {
            let text = SecretText::new(message);
            if text.is_empty() {
                anyhow::bail!("the reply is empty; write it with --message TEXT");
            }
            let vault = open_vault(&at, &mut pass)?;
            ops::reply(&vault, case, text, clock::today())?;
            say!("Reply to case {case} recorded; it goes out with the next `candor-desk outbox`.");
        }
        Command::Status { case, at, set } => {
            let vault = open_vault(&at, &mut pass)?;
            ops::set_status(&vault, case, set, clock::today())?;
            say!("Case {case} is now {set}; the reporter sees it after the next `candor-desk outbox`.");
        }
        Command::Record {
            at,
            kind,
            categories,
            description,
            description_file,
            received,
            channel,
            issue_receipt,
        } => {
            let description = read_description(description, description_file.as_deref())?;
            let vault = open_vault(&at, &mut pass)?;
            let recorded = ops::Recorded {
                kind,
                categories: categories.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
                description,
                received: received.unwrap_or_else(clock::today),
                channel: channel.trim().to_ascii_lowercase(),
            };
            let outcome = ops::record(&vault, recorded, issue_receipt)?;
            say!("Recorded case {}.", outcome.case);
            if let Some(receipt) = outcome.receipt {
                say!(
                    "Receipt for the reporter (shown once, not kept; hand it over privately):\n{}",
                    receipt.display().expose()
                );
                say!(
                    "The case goes to the server with the next `candor-desk outbox`; the reporter can follow up \
                     online once that outbox is imported."
                );
            }
        }
        Command::Purge {
            case,
            closed_before,
            yes,
            at,
        } => {
            let vault = open_vault(&at, &mut pass)?;
            let cases = match (case, closed_before) {
                (Some(c), _) => vec![c],
                (None, Some(day)) => ops::closed_before(&vault, day)?,
                (None, None) => anyhow::bail!("name a CASE or give --closed-before DATE"),
            };
            if cases.is_empty() {
                say!("No case was closed before that day; nothing purged.");
                return Ok(());
            }
            if !yes && std::io::stdin().is_terminal() && !confirm_purge(&vault, &cases)? {
                say!("Nothing was purged.");
                return Ok(());
            }
            let removed = ops::purge(&vault, &cases)?;
            for c in &removed {
                say!("Purged case {c} from the vault.");
            }
            say!(
                "The server drops their content when it imports the next `candor-desk outbox` (it keeps the log's \
                 entry hashes, so the chain still verifies)."
            );
        }
        Command::Stats { at, year, json, out } => {
            let state = open_vault(&at, &mut pass)?.load()?;
            let year = year.unwrap_or_else(|| clock::today().year());
            let figures = stats::compute(&state, year);
            if json {
                println!("{}", terminal::json(&serde_json::to_string_pretty(&figures)?));
            } else {
                say!("{}", stats::table(&figures));
            }
            if let Some(out) = out {
                for p in stats::write_report(&figures, &out)? {
                    say_err!("wrote {}", p.display());
                }
            }
        }
        Command::Token { keys } => {
            let token = keyfiles::officer_token(&keys, &mut pass)?;
            say!("{}", token.expose());
        }
        Command::Parts { at, drop, drop_all } => {
            let vault = open_vault(&at, &mut pass)?;
            if drop_all || !drop.is_empty() {
                let dropped = ops::drop_parts(&vault, &drop, drop_all)?;
                say!("Dropped {} waiting attachment part(s).", dropped.len());
                return Ok(());
            }
            let parts = ops::waiting_parts(&vault)?;
            if parts.is_empty() {
                say!("No attachment parts are waiting for their envelope.");
            }
            for (id, p) in parts {
                say!(
                    "{id}  {} chunk(s), {} bytes, waited through {} export(s)",
                    p.next,
                    p.bytes,
                    p.exports
                );
            }
        }
        Command::Gui {
            vault,
            keys,
            idle_lock,
            site,
            periods,
            limits,
            look,
        } => gui(vault, keys, idle_lock, site, periods, limits, look)?,
        Command::Outbox { at, out, office_keys } => {
            let signer_dir = keys_dir(&at)?;
            // The officer's signing key may live in another folder than the
            // office keys the vault is encrypted to: then the vault opens
            // with the folder it remembers.
            let vault = match open_vault(&at, &mut pass) {
                Err(DeskError::Vault(desk::VaultError::Decrypt(_)))
                    if Vault::remembered_keys(&at.vault).is_some() =>
                {
                    let dir = Vault::remembered_keys(&at.vault).ok_or(DeskError::NoKeys)?;
                    Vault::existing_or_wait(
                        &at.vault,
                        keyfiles::office_keys(&dir, &mut pass)?,
                        &mut waiting_notice(&at.vault),
                    )?
                }
                other => other?,
            };
            let ops::OutboxKeys {
                officer,
                others,
                public_dir: public,
            } = ops::outbox_keys(&vault, &signer_dir, office_keys, &mut pass, clock::today())?;
            let pb = bar(0, "{spinner} sealing case {pos}/{len} [{wide_bar}]");
            let others_refs = others.recipient_refs();
            let s = ops::write_outbox(
                &vault,
                &others_refs,
                &officer,
                &out,
                clock::today(),
                &mut |n, total| {
                    pb.set_length(total);
                    pb.set_position(n);
                },
            )?;
            pb.finish_and_clear();
            say!(
                "Wrote {}: {} reply(ies), {} status change(s), {} recorded case(s) and {} purge(s) for {} case(s), signed with the officer key.",
                out.display(),
                s.replies,
                s.statuses,
                s.new_cases,
                s.purges,
                s.cases
            );
            say!(
                "Sealed to {} office key(s): this desk's {} and {} other(s){}.",
                vault.keys().names.len() + others.names.len(),
                vault.keys().names.len(),
                others.names.len(),
                public.map_or_else(
                    || " (no public folder beside the keys: give --office-keys to add the other desks' keys)"
                        .to_owned(),
                    |d| format!(" from {}", d.display())
                )
            );
            for skipped in &others.skipped {
                say!("warning: not sealed to {skipped}");
            }
            say!(
                "Carry it to the transfer machine and POST it to /import. They stay pending here until a later \
                 export shows them; writing the outbox again is safe."
            );
        }
    }
    Ok(())
}

#[cfg(feature = "gui")]
fn gui(
    vault: Option<PathBuf>,
    keys: Option<PathBuf>,
    idle_lock: u32,
    site: Option<String>,
    periods: PeriodArgs,
    limits: cli::LimitArgs,
    look: cli::LookArgs,
) -> anyhow::Result<()> {
    use candor::desk::gui::{self, i18n::Lang};
    let locale = look
        .lang
        .clone()
        .or_else(|| std::env::var("LC_ALL").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LC_MESSAGES").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("LANG").ok())
        .unwrap_or_default();
    let start_dir = vault
        .as_deref()
        .map(gui::folder_of)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let keys = keys.or_else(|| vault.as_deref().and_then(Vault::remembered_keys));
    let at = as_of(periods);
    let look = gui::Look {
        fonts: look.fonts,
        font_dirs: None,
        scale: look.scale,
    };
    gui::run_with(
        gui::Options {
            vault,
            keys,
            today: at.today,
            periods: at.periods,
            idle_lock_minutes: idle_lock,
            lang: Lang::from_locale(&locale),
            limits: limits.into(),
            start_dir,
            site,
        },
        look,
    )?;
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn gui(
    _: Option<PathBuf>,
    _: Option<PathBuf>,
    _: u32,
    _: Option<String>,
    _: PeriodArgs,
    _: cli::LimitArgs,
    _: cli::LookArgs,
) -> anyhow::Result<()> {
    anyhow::bail!(
        "this candor-desk was built without the desktop application; build it with the `gui` feature \
         (cargo build --release --no-default-features --features gui --bin candor-desk)"
    )
}

/// Names what a purge removes and asks the officer to type the case id (or
/// `yes` for several cases); anything else keeps them.
fn confirm_purge(vault: &Vault, cases: &[candor::core::case::CaseId]) -> anyhow::Result<bool> {
    let index = vault.index()?;
    for id in cases {
        if let Some(c) = index.summary(*id) {
            say_err!(
                "Case {id}: {} received {}, status {}, {} message(s), {} attachment(s).",
                c.kind.as_str(),
                c.received,
                c.status(),
                c.messages(),
                c.all_attachments().count()
            );
        }
    }
    let expected = match cases {
        [one] => one.to_string(),
        _ => "yes".to_owned(),
    };
    eprint!(
        "Purge {} from this vault (its report, messages, replies, attachments and notes; the server drops it after \
         the next outbox)? This cannot be undone. Type {expected} to confirm: ",
        match cases {
            [one] => format!("case {one}"),
            _ => format!("these {} cases", cases.len()),
        }
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let typed = line.trim();
    Ok(typed.eq_ignore_ascii_case(&expected)
        || typed
            .parse::<candor::core::case::CaseId>()
            .ok()
            .map(|c| c.to_string())
            == Some(expected))
}

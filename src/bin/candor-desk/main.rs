//! `candor-desk`: the ethics officer's air-gapped tool. See `cli.rs` for the
//! command line; the work is done in [`candor::desk`].

mod cli;
mod error;

use std::fs::File;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use candor::clock;
use candor::core::secret::SecretText;
use candor::desk::{self, Vault, import, keyfiles, ops, view};
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut seen = None;
    match run(cli, &mut seen) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("candor-desk: {}", error::message(&err, seen));
            error::exit_code(&err)
        }
    }
}

/// Runs a command; `seen` receives the vault's last verified entry, for advice.
fn run(cli: Cli, seen: &mut Option<u64>) -> anyhow::Result<()> {
    match cli.command {
        Command::Keygen { out } => {
            let g = keyfiles::keygen(&out, clock::today())?;
            println!("Wrote the office keys under {}.", out.display());
            println!("\nPublic (copy these into the server's keys/ folder):");
            for p in &g.public_files {
                println!("  {}", p.display());
            }
            println!("\nSecret (keep on this air-gapped machine only; back them up offline):");
            for p in &g.secret_files {
                println!("  {}", p.display());
            }
            println!("\nOffice recipient: {}", g.office_recipient);
            println!(
                "The officer token in {} goes to the transfer machine (it authorises /export and /import).",
                g.secret_dir.join(keyfiles::TOKEN).display()
            );
        }
        Command::Open { bundle, keys, vault } => {
            let identities = keyfiles::office_identities(&keys)?;
            let file = File::open(&bundle)
                .with_context(|| format!("could not open the bundle {}", bundle.display()))?;
            let vault = Vault::create_if_absent(&vault)?;
            *seen = vault.load().ok().and_then(|s| s.head().ok()).map(|h| h.seq);
            let s = import::open_bundle(&vault, file, &identities)?;
            let head = s.head.map_or(0, |h| h.seq);
            if s.pinned_now {
                println!("Pinned the server's signing key: later exports must be signed by it.");
            }
            println!(
                "Opened {}: {} new case(s), {} new message(s), {} attachment(s), {} reply/status delivered, {} case(s) purged.",
                bundle.display(),
                s.new_cases.len(),
                s.new_messages,
                s.attachments,
                s.delivered_ops,
                s.purged.len()
            );
            for c in &s.new_cases {
                println!("  new case {c}");
            }
            for w in &s.warnings {
                println!("warning: {w}");
            }
            println!(
                "The vault has verified the server's log up to entry {head}; next time ask for /export?after={head}."
            );
        }
        Command::Cases { vault, json } => {
            let state = Vault::existing(&vault)?.load()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view::cases_json(&state))?);
            } else {
                println!("{}", view::cases_table(&state));
            }
        }
        Command::Show {
            case,
            vault,
            json,
            extract,
        } => {
            let vault = Vault::existing(&vault)?;
            let state = vault.load()?;
            let record = state.case(case).ok_or(desk::DeskError::CaseNotFound(case))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view::case_json(record))?);
            } else {
                println!("{}", view::case_text(record));
            }
            if let Some(dir) = extract {
                let written = view::extract(&vault, record, &dir)?;
                // Keep stdout pure JSON when --json is given.
                for p in &written {
                    eprintln!("wrote {}", p.display());
                }
            }
        }
        Command::Reply { case, vault, message } => {
            let text = SecretText::new(message);
            if text.is_empty() {
                anyhow::bail!("the reply is empty; write it with --message TEXT");
            }
            let vault = Vault::existing(&vault)?;
            ops::reply(&vault, case, text, clock::today())?;
            println!("Reply to case {case} recorded; it goes out with the next `candor-desk outbox`.");
        }
        Command::Status { case, vault, set } => {
            let vault = Vault::existing(&vault)?;
            ops::set_status(&vault, case, set, clock::today())?;
            println!("Case {case} is now {set}; the reporter sees it after the next `candor-desk outbox`.");
        }
        Command::Outbox { vault, keys, out } => {
            let vault = Vault::existing(&vault)?;
            let office = keyfiles::office_identities(&keys)?;
            let officer = keyfiles::officer_signing_key(&keys)?;
            let s = ops::write_outbox(&vault, &office, &officer, &out, clock::today())?;
            println!(
                "Wrote {}: {} reply(ies) and {} status change(s) for {} case(s), signed with the officer key.",
                out.display(),
                s.replies,
                s.statuses,
                s.cases
            );
            println!(
                "Carry it to the transfer machine and POST it to /import. They stay pending here until a later \
                 export shows them; writing the outbox again is safe."
            );
        }
    }
    Ok(())
}

//! The command line: `candor-desk <command> ...`.

use std::path::PathBuf;

use candor::core::case::{CaseId, Status};
use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  # Once: make the office keys; copy keys/public/* into the server's keys/
  candor-desk keygen --out keys

  # Each time an export bundle comes over the air gap:
  candor-desk open export-0042.bundle --keys keys/secret --vault vault
  candor-desk cases --vault vault
  candor-desk show 7K2M9-QXDHF --vault vault --extract case-7K2M9
  candor-desk reply 7K2M9-QXDHF --vault vault --message 'Thank you, we are looking into it.'
  candor-desk status 7k2m9qxdhf --vault vault --set preliminary-review
  candor-desk outbox --vault vault --keys keys/secret --out outbox.bundle

Exit codes:
  0  success
  1  error (the message says what to do next)
  2  usage error
  3  export bundle refused: altered, truncated, signed by another server key,
     not continuing from the last export opened, or not readable with this
     office key; the vault was not changed
  4  not found: no such vault or case
  5  nothing to do: no pending reply or status change for an outbox";

/// The ethics officer's air-gapped desk for candor.
///
/// Opens encrypted export bundles from the candor server into a local vault,
/// shows the cases, records replies and status changes, and writes a signed
/// outbox bundle to carry back. It never uses the network.
#[derive(Debug, Parser)]
#[command(name = "candor-desk", version, after_long_help = EXAMPLES, after_help = "Run `candor-desk --help` for examples and exit codes.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make new office keys: DIR/public/ (for the server) and DIR/secret/ (stays here).
    #[command(
        after_help = "Example:\n  candor-desk keygen --out keys\n  # then copy keys/public/* into the server's keys/ folder"
    )]
    Keygen {
        /// Folder to create the keys in; existing key files are never overwritten.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Verify an export bundle and add its cases and messages to the vault.
    ///
    /// The bundle is accepted whole or not at all: if anything does not
    /// verify or decrypt, the vault is left exactly as it was.
    #[command(after_help = "Example:\n  candor-desk open export.bundle --keys keys/secret --vault vault")]
    Open {
        /// The export bundle file (from the server's /export).
        #[arg(value_name = "BUNDLE")]
        bundle: PathBuf,
        /// Folder holding office.key.
        #[arg(long, value_name = "SECRETDIR", env = "CANDOR_DESK_KEYS")]
        keys: PathBuf,
        /// The vault folder (created if absent).
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
    },
    /// List the cases in the vault.
    #[command(
        after_help = "Examples:\n  candor-desk cases --vault vault\n  candor-desk cases --vault vault --json"
    )]
    Cases {
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
        /// Print a JSON array of {id, kind, categories, status, received, ...}.
        #[arg(long)]
        json: bool,
    },
    /// Show one case: the report, its thread and status history.
    #[command(
        after_help = "Examples:\n  candor-desk show 7K2M9-QXDHF --vault vault\n  candor-desk show 7k2m9qxdhf --vault vault --json\n  candor-desk show 7K2M9-QXDHF --vault vault --extract case-files"
    )]
    Show {
        /// Case id, e.g. 7K2M9-QXDHF (any case, dash optional).
        #[arg(value_name = "CASE", value_parser = parse_case)]
        case: CaseId,
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
        /// Print JSON with the decrypted fields, `thread` and `status_history`.
        #[arg(long)]
        json: bool,
        /// Also write the report, messages and attachments (byte for byte) as files into DIR.
        #[arg(long, value_name = "DIR")]
        extract: Option<PathBuf>,
    },
    /// Write a reply to the reporter; it goes out with the next outbox.
    #[command(
        after_help = "Example:\n  candor-desk reply 7K2M9-QXDHF --vault vault --message 'We have opened a review.'"
    )]
    Reply {
        #[arg(value_name = "CASE", value_parser = parse_case)]
        case: CaseId,
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
        /// The reply's text, as the reporter will read it.
        #[arg(long, value_name = "TEXT")]
        message: String,
    },
    /// Change a case's status; the reporter sees it after the next outbox.
    #[command(after_help = "Example:\n  candor-desk status 7K2M9-QXDHF --vault vault --set investigation")]
    Status {
        #[arg(value_name = "CASE", value_parser = parse_case)]
        case: CaseId,
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
        /// The new status (any status may be set at any time).
        #[arg(long = "set", value_name = "STATUS", value_parser = parse_status)]
        set: Status,
    },
    /// Write every pending reply and status change into a signed outbox bundle.
    ///
    /// Operations stay pending until a later export shows the server has
    /// them; writing the outbox again is safe (the server ignores repeats).
    #[command(
        after_help = "Example:\n  candor-desk outbox --vault vault --keys keys/secret --out outbox.bundle"
    )]
    Outbox {
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: PathBuf,
        /// Folder holding office.key and officer.key.
        #[arg(long, value_name = "SECRETDIR", env = "CANDOR_DESK_KEYS")]
        keys: PathBuf,
        /// Where to write the outbox bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

fn parse_case(s: &str) -> Result<CaseId, String> {
    s.parse()
        .map_err(|_| "a case id has ten symbols, e.g. 7K2M9-QXDHF".to_owned())
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.trim().to_ascii_lowercase().parse().map_err(|_| {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

//! The command line: `candor-desk <command> ...`.

use std::path::PathBuf;

use candor::core::case::{CaseId, Kind, Status};
use candor::core::day::Day;
use candor::desk::import::Limits;
use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  # Once: make the office keys (asks for a passphrase); copy
  # office-keys/public/* into the server's keys/ folder
  candor-desk keygen --out office-keys
  candor-desk keygen --out office-keys --openpgp # an OpenPGP office key instead (GnuPG 2.2 reads it)

  # Each time an export bundle comes over the air gap:
  candor-desk open export-0042.bundle --keys office-keys/secret --vault vault
  candor-desk cases --vault vault                # --keys is remembered by the vault
  candor-desk show 7K2M9-QXDHF --vault vault --extract case-7K2M9
  candor-desk reply 7K2M9-QXDHF --vault vault --message 'Thank you, we are looking into it.'
  candor-desk status 7k2m9qxdhf --vault vault --set preliminary-review
  candor-desk outbox --vault vault --keys office-keys/secret --out outbox.bundle

  # A report by phone, with a receipt so the caller can follow up online:
  candor-desk record --vault vault --kind misconduct --category fraud \\
      --channel phone --received 2026-03-02 --description 'Caller reports ...' --issue-receipt

  # Retention, and the annual report:
  candor-desk purge --vault vault --closed-before 2021-01-01
  candor-desk stats --vault vault --year 2026 --out report-2026.md

Environment:
  CANDOR_DESK_VAULT       default for --vault
  CANDOR_DESK_KEYS        default for --keys (else the folder the vault remembers)
  CANDOR_DESK_PASSPHRASE  the key passphrase, for scripts (else it is asked for)
  CANDOR_TODAY            fixes today's date (YYYY-MM-DD), for tests and demos

Exit codes:
  0  success
  1  error (the message says what to do next)
  2  usage error
  3  export bundle refused: altered, truncated, signed by another server key,
     not continuing from the last export opened, or not readable with this
     office key; the vault was not changed
  4  not found: no such vault or case
  5  nothing to do: nothing pending for an outbox";

/// The ethics officer's air-gapped desk for candor.
///
/// Opens encrypted export bundles from the candor server into an encrypted
/// local vault, shows the cases and their deadlines, records replies, status
/// changes, reports from other channels and purges, writes a signed outbox
/// bundle to carry back, and prints the annual report's figures. It never
/// uses the network.
#[derive(Debug, Parser)]
#[command(name = "candor-desk", version, after_long_help = EXAMPLES, after_help = "Run `candor-desk --help` for examples, environment variables and exit codes.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The vault and the keys that open it.
#[derive(Debug, Args)]
pub struct VaultArgs {
    /// The vault folder.
    #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
    pub vault: PathBuf,
    /// Folder holding the office's secret keys (office.key and/or office.asc);
    /// defaults to the folder this vault was last used with.
    #[arg(long, value_name = "SECRETDIR", env = "CANDOR_DESK_KEYS")]
    pub keys: Option<PathBuf>,
}

/// What `open` accepts from one export; what exceeds a limit is refused,
/// naming the case, and the vault is left unchanged.
#[derive(Debug, Args, Clone, Copy)]
pub struct LimitArgs {
    /// Bytes one case's record may hold (its text and thread; attachments apart).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().case_bytes, env = "CANDOR_DESK_MAX_CASE_BYTES")]
    pub max_case_bytes: u64,
    /// Bytes of one report's or message's envelope.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().message_bytes, env = "CANDOR_DESK_MAX_MESSAGE_BYTES")]
    pub max_message_bytes: u64,
    /// Messages one case may receive in one export.
    #[arg(long, value_name = "N", default_value_t = Limits::default().messages_per_case, env = "CANDOR_DESK_MAX_MESSAGES_PER_CASE")]
    pub max_messages_per_case: u32,
    /// Attachments whose chunks may wait for the message that lists them.
    #[arg(long, value_name = "N", default_value_t = Limits::default().waiting_parts, env = "CANDOR_DESK_MAX_WAITING_PARTS")]
    pub max_waiting_parts: usize,
    /// Bytes all waiting attachment parts may hold together.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().waiting_bytes, env = "CANDOR_DESK_MAX_WAITING_BYTES")]
    pub max_waiting_bytes: u64,
    /// Exports a waiting part may wait through before it is dropped.
    #[arg(long, value_name = "N", default_value_t = Limits::default().waiting_exports, env = "CANDOR_DESK_MAX_WAITING_EXPORTS")]
    pub max_waiting_exports: u32,
}

impl From<LimitArgs> for Limits {
    fn from(a: LimitArgs) -> Limits {
        Limits {
            case_bytes: a.max_case_bytes,
            message_bytes: a.max_message_bytes,
            messages_per_case: a.max_messages_per_case,
            waiting_parts: a.max_waiting_parts,
            waiting_bytes: a.max_waiting_bytes,
            waiting_exports: a.max_waiting_exports,
        }
    }
}

/// Deadline periods (EU Directive 2019/1937, Art. 9).
#[derive(Debug, Args, Clone, Copy)]
pub struct PeriodArgs {
    /// Days from receipt to acknowledge a report.
    #[arg(long, value_name = "DAYS", default_value_t = 7, env = "CANDOR_DESK_ACK_DAYS")]
    pub ack_days: u32,
    /// Months from acknowledgement to give feedback.
    #[arg(
        long,
        value_name = "MONTHS",
        default_value_t = 3,
        env = "CANDOR_DESK_FEEDBACK_MONTHS"
    )]
    pub feedback_months: u32,
    /// A deadline this many days away or fewer is "due soon".
    #[arg(long, value_name = "DAYS", default_value_t = 3)]
    pub soon_days: u32,
    /// Days to answer a request for advice (the Directive sets none; by
    /// default an advice request has no deadline).
    #[arg(long, value_name = "DAYS", env = "CANDOR_DESK_ADVICE_DAYS")]
    pub advice_days: Option<u32>,
}

/// The format of a new OpenPGP key (`keygen --openpgp --profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OpenPgpProfile {
    Rfc4880,
    Rfc9580,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make new office keys: DIR/public/ (for the server) and DIR/secret/ (stays here).
    ///
    /// The secret keys are protected by a passphrase, asked for twice (or
    /// taken from CANDOR_DESK_PASSPHRASE).
    #[command(
        after_help = "Examples:\n  candor-desk keygen --out office-keys\n  candor-desk keygen --out office-keys --openpgp\n  candor-desk keygen --out office-keys --openpgp --profile rfc9580\n  # then copy office-keys/public/* into the server's keys/ folder"
    )]
    Keygen {
        /// Folder to create the keys in; existing key files are never overwritten.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Make an OpenPGP key (office.asc, which also signs outboxes) instead of age keys.
        #[arg(long)]
        openpgp: bool,
        /// The OpenPGP format: rfc4880 (v4 keys and SEIPDv1, which GnuPG 2.2 reads;
        /// the default) or rfc9580 (v6 keys and SEIPDv2/AEAD: sequoia, GnuPG 2.5+).
        #[arg(long, value_enum, default_value_t = OpenPgpProfile::Rfc4880, requires = "openpgp")]
        profile: OpenPgpProfile,
        /// Leave the secret keys unprotected (tests and demos only).
        #[arg(long)]
        no_passphrase: bool,
    },
    /// Verify an export bundle and add its cases and messages to the vault.
    ///
    /// The bundle is accepted whole or not at all: if anything does not
    /// verify or decrypt, the vault is left exactly as it was.
    #[command(
        after_help = "Example:\n  candor-desk open export.bundle --keys office-keys/secret --vault vault"
    )]
    Open {
        /// The export bundle file (from the server's /export).
        #[arg(value_name = "BUNDLE")]
        bundle: PathBuf,
        #[command(flatten)]
        at: VaultArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// List the cases in the vault, with what is due and what is overdue.
    #[command(
        after_help = "Examples:\n  candor-desk cases --vault vault\n  candor-desk cases --vault vault --json\n  candor-desk cases --vault vault --ack-days 5 --feedback-months 2"
    )]
    Cases {
        #[command(flatten)]
        at: VaultArgs,
        #[command(flatten)]
        periods: PeriodArgs,
        /// Print a JSON array of {id, kind, categories, status, received, deadline, ...}.
        #[arg(long)]
        json: bool,
    },
    /// Show one case: the report, its thread, status history and deadlines.
    #[command(
        after_help = "Examples:\n  candor-desk show 7K2M9-QXDHF --vault vault\n  candor-desk show 7k2m9qxdhf --vault vault --json\n  candor-desk show 7K2M9-QXDHF --vault vault --extract case-files"
    )]
    Show {
        /// Case id, e.g. 7K2M9-QXDHF (any case, dash optional).
        #[arg(value_name = "CASE", value_parser = parse_case)]
        case: CaseId,
        #[command(flatten)]
        at: VaultArgs,
        #[command(flatten)]
        periods: PeriodArgs,
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
        #[command(flatten)]
        at: VaultArgs,
        /// The reply's text, as the reporter will read it.
        #[arg(long, value_name = "TEXT")]
        message: String,
    },
    /// Change a case's status; the reporter sees it after the next outbox.
    #[command(after_help = "Example:\n  candor-desk status 7K2M9-QXDHF --vault vault --set investigation")]
    Status {
        #[arg(value_name = "CASE", value_parser = parse_case)]
        case: CaseId,
        #[command(flatten)]
        at: VaultArgs,
        /// The new status (any status may be set at any time).
        #[arg(long = "set", value_name = "STATUS", value_parser = parse_status)]
        set: Status,
    },
    /// Record a report that came by phone, post, a meeting or email.
    ///
    /// It counts in the year's statistics like any other. With
    /// --issue-receipt a receipt code is printed (once: hand it to the
    /// reporter) and the case goes to the server with the next outbox, so
    /// the reporter can read replies and write online.
    #[command(
        after_help = "Example:\n  candor-desk record --vault vault --kind advice --category gifts --channel meeting \\\n      --received 2026-02-10 --description 'May I accept a watch from a supplier?'"
    )]
    Record {
        #[command(flatten)]
        at: VaultArgs,
        /// misconduct or advice.
        #[arg(long, value_parser = parse_kind)]
        kind: Kind,
        /// A category (misconduct) or topic (advice); repeat for several.
        #[arg(long = "category", value_name = "CATEGORY", required = true)]
        categories: Vec<String>,
        /// What was reported, in the officer's words.
        #[arg(
            long,
            value_name = "TEXT",
            conflicts_with = "description_file",
            required_unless_present = "description_file"
        )]
        description: Option<String>,
        /// Read the description from a file instead.
        #[arg(long, value_name = "FILE")]
        description_file: Option<PathBuf>,
        /// The day it was received (YYYY-MM-DD); default today.
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        received: Option<Day>,
        /// phone, post, meeting, email or other.
        #[arg(long, value_name = "CHANNEL")]
        channel: String,
        /// Also make a receipt code so the reporter can follow up online.
        #[arg(long)]
        issue_receipt: bool,
    },
    /// Remove cases from the vault; the server drops their content after the next outbox.
    ///
    /// On a terminal it names what goes and asks for confirmation first;
    /// --yes (for scripts) does not ask.
    #[command(
        after_help = "Examples:\n  candor-desk purge 7K2M9-QXDHF --vault vault\n  candor-desk purge --vault vault --closed-before 2021-01-01 --yes"
    )]
    Purge {
        /// The case to purge.
        #[arg(value_name = "CASE", value_parser = parse_case, required_unless_present = "closed_before", conflicts_with = "closed_before")]
        case: Option<CaseId>,
        /// Purge every case closed before this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        closed_before: Option<Day>,
        /// Do not ask for confirmation (on a terminal, purge asks first).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        at: VaultArgs,
    },
    /// The annual report's figures: complaints by category, investigations, advice.
    #[command(
        after_help = "Examples:\n  candor-desk stats --vault vault --year 2026\n  candor-desk stats --vault vault --year 2026 --json\n  candor-desk stats --vault vault --year 2026 --out report-2026.md   # also writes report-2026.svg\n  candor-desk stats --vault vault --year 2026 --out report-2026.html"
    )]
    Stats {
        #[command(flatten)]
        at: VaultArgs,
        /// The year (default: this year).
        #[arg(long, value_name = "YYYY")]
        year: Option<i32>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Write the table to FILE (.html for HTML, else Markdown) and a bar chart beside it (.svg).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the officer API token (for the transfer machine), unlocking it with the passphrase.
    #[command(after_help = "Example:\n  candor-desk token --keys office-keys/secret")]
    Token {
        /// The secret key folder keygen wrote.
        #[arg(long, value_name = "SECRETDIR", env = "CANDOR_DESK_KEYS")]
        keys: PathBuf,
    },
    /// List (or drop) attachment chunks waiting for the message that lists them.
    #[command(
        after_help = "Examples:\n  candor-desk parts --vault vault\n  candor-desk parts --vault vault --drop 0123456789abcdef0123456789abcdef\n  candor-desk parts --vault vault --drop-all"
    )]
    Parts {
        #[command(flatten)]
        at: VaultArgs,
        /// Drop the waiting part of this attachment id (repeatable).
        #[arg(long, value_name = "ID")]
        drop: Vec<String>,
        /// Drop every waiting part.
        #[arg(long, conflicts_with = "drop")]
        drop_all: bool,
    },
    /// Open the desktop application: the same operations in a window.
    ///
    /// The passphrase is asked for once, in the window; the window locks
    /// itself (dropping the keys and every decrypted case) after
    /// --idle-lock minutes without input.
    #[command(
        after_help = "Examples:\n  candor-desk gui\n  candor-desk gui --vault vault --keys office-keys/secret\n  candor-desk gui --vault vault --idle-lock 5 --lang fr"
    )]
    Gui {
        /// The vault folder (it can also be typed in the window).
        #[arg(long, value_name = "VAULT", env = "CANDOR_DESK_VAULT")]
        vault: Option<PathBuf>,
        /// Folder holding the office's secret keys; defaults to the folder
        /// the vault was last used with.
        #[arg(long, value_name = "SECRETDIR", env = "CANDOR_DESK_KEYS")]
        keys: Option<PathBuf>,
        /// Minutes without input after which the window locks (0: never).
        #[arg(
            long,
            value_name = "MINUTES",
            default_value_t = 10,
            env = "CANDOR_DESK_IDLE_LOCK"
        )]
        idle_lock: u32,
        /// The reporter site's address, printed on a receipt's page (such
        /// as http://….onion); without it the page leaves a line to write it on.
        #[arg(long, value_name = "URL", env = "CANDOR_DESK_SITE")]
        site: Option<String>,
        #[command(flatten)]
        periods: PeriodArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        look: LookArgs,
    },
    /// Write every pending operation into a signed outbox bundle.
    ///
    /// Operations stay pending until a later export shows the server has
    /// them; writing the outbox again is safe (the server ignores repeats).
    #[command(
        after_help = "Example:\n  candor-desk outbox --vault vault --keys office-keys/secret --out outbox.bundle"
    )]
    Outbox {
        #[command(flatten)]
        at: VaultArgs,
        /// Where to write the outbox bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A folder with the office's public keys, laid out like the server's
        /// keys/ (recipients.txt, *.asc): replies and statuses are sealed to
        /// them too, so every desk of the office can read them. Defaults to
        /// SECRETDIR/../public, where keygen puts them.
        #[arg(long, value_name = "DIR", env = "CANDOR_DESK_OFFICE_KEYS")]
        office_keys: Option<PathBuf>,
    },
}

fn parse_case(s: &str) -> Result<CaseId, String> {
    s.parse()
        .map_err(|_| "a case id has ten symbols, e.g. 7K2M9-QXDHF".to_owned())
}

fn parse_day(s: &str) -> Result<Day, String> {
    s.trim()
        .parse()
        .map_err(|_| "expected a date as YYYY-MM-DD, e.g. 2026-03-02".to_owned())
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| "expected misconduct or advice".to_owned())
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.trim().to_ascii_lowercase().parse().map_err(|_| {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

/// How the desktop window looks: language, fonts and scale.
#[derive(Args, Debug, Clone, Default)]
pub struct LookArgs {
    /// The window's language: en, fr or ar (default: from LANG).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// A font file (.ttf, .otf, or a .ttc collection) to use before the
    /// fonts found in /usr/share/fonts and ~/.local/share/fonts; repeat for
    /// several. For scripts egui's own fonts lack (Chinese, Arabic, ...).
    #[arg(long = "font", value_name = "FILE")]
    pub fonts: Vec<PathBuf>,
    /// Size of the window's contents as a factor on top of the system's
    /// scale (0.5 to 4; Ctrl+Plus and Ctrl+Minus change it in the window).
    #[arg(long, value_name = "FACTOR", env = "CANDOR_DESK_SCALE", value_parser = parse_scale)]
    pub scale: Option<f32>,
}

fn parse_scale(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(f) if (0.5..=4.0).contains(&f) => Ok(f),
        _ => Err("a factor from 0.5 to 4, such as 1.5".to_owned()),
    }
}

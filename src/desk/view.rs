//! `cases`, `show` and `--extract`: reading the vault.
//!
//! JSON output is part of the desk's interface (see DESIGN.md): `cases`
//! gives `id`, `kind`, `categories`, `status`, `received` (and `channel`:
//! how the report came, `addressed_to`: `{"id", "name"}` of the office's
//! channel the reporter chose, or null,
//! `deadline`, `acknowledge_due`, `acknowledged`, `feedback_due`,
//! `feedback_given`); `show` adds the decrypted fields, the `thread` and the
//! `status_history`.
//!
//! Text output is meant for a terminal: table cells are escaped here (so the
//! columns line up) and the whole text again where it is printed
//! ([`super::terminal`]); files written by [`extract`] hold the bytes as
//! they came, under names made safe.

use std::io::Write;
use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value, json};

use super::deadlines::{self, Deadlines, Mark, Periods};
use super::terminal::escape;
use super::vault::{CaseRecord, StoredAttachment, ThreadItem, Vault, VaultState};
use super::{DeskError, fsx};
use crate::core::case::Kind;
use crate::core::day::Day;
use crate::core::envelope::{self, EnvelopeError};
use crate::core::secret::SecretText;

/// Today and the deadline periods, for everything that shows deadlines.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    pub today: Day,
    pub periods: Periods,
}

fn opt(t: &Option<SecretText>) -> Value {
    t.as_ref()
        .map_or(Value::Null, |t| Value::String(t.expose().to_owned()))
}

/// One line of `cases --json`.
pub fn case_summary(case: &CaseRecord, at: AsOf) -> Value {
    Value::Object(summary_map(case, at))
}

fn day_json(d: Option<Day>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn summary_map(case: &CaseRecord, at: AsOf) -> Map<String, Value> {
    let dl = deadlines::deadlines(case, at.today, at.periods);
    let v = json!({
        "channel": case.channel.as_deref().unwrap_or("online"),
        "addressed_to": case.addressed_to.as_ref().map(|c| json!({ "id": c.id, "name": c.name })),
        "deadline": dl.mark.as_str(),
        "next_deadline": dl.next,
        "acknowledge_due": dl.acknowledge_due.to_string(),
        "acknowledged": day_json(dl.acknowledged),
        "feedback_due": day_json(dl.feedback_due),
        "feedback_given": day_json(dl.feedback_given),
        "id": case.id.to_string(),
        "kind": case.kind.as_str(),
        "categories": case.categories,
        "status": case.status().as_str(),
        "received": case.received.to_string(),
        "messages": case.messages(),
        "pending": case.pending(),
        "last_activity": case.thread.iter().map(ThreadItem::day).max().unwrap_or(case.received).to_string(),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub fn cases_json(state: &VaultState, at: AsOf) -> Value {
    Value::Array(state.cases.values().map(|c| case_summary(c, at)).collect())
}

/// The "Due" column: what is due when, marked if soon or overdue.
fn due_cell(dl: &Deadlines) -> String {
    if dl.no_deadline {
        return "answer (no deadline set)".to_owned();
    }
    let due = match dl.next {
        Some("acknowledge") => Some(("acknowledge", dl.acknowledge_due)),
        Some("answer") => Some(("answer", dl.acknowledge_due)),
        Some(_) => dl.feedback_due.map(|d| ("feedback", d)),
        None => None,
    };
    match (dl.mark, due) {
        (Mark::Overdue, Some((what, d))) => format!("OVERDUE: {what} by {d}"),
        (Mark::DueSoon, Some((what, d))) => format!("due soon: {what} by {d}"),
        (_, Some((what, d))) => format!("{what} by {d}"),
        _ => "–".to_owned(),
    }
}

pub fn cases_table(state: &VaultState, at: AsOf) -> String {
    if state.cases.is_empty() {
        return "No cases in this vault yet. Open an export bundle with `candor-desk open`.".to_owned();
    }
    let mut table = Table::new();
    // Only an office with channels has the column: who the reporter chose.
    let channels = state.cases.values().any(|c| c.addressed_to.is_some());
    let mut header = vec![
        "Case",
        "Kind",
        "Categories",
        "Status",
        "Received",
        "Messages",
        "Pending",
        "Due",
    ];
    if channels {
        header.insert(1, "Addressed to");
    }
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    for c in state.cases.values() {
        let dl = deadlines::deadlines(c, at.today, at.periods);
        let mut row = vec![
            c.id.to_string(),
            c.kind.as_str().to_owned(),
            escape(&c.categories.join(", ")).into_owned(),
            c.status().as_str().to_owned(),
            c.received.to_string(),
            c.messages().to_string(),
            c.pending().to_string(),
            due_cell(&dl),
        ];
        if channels {
            row.insert(1, addressed_to(c));
        }
        table.add_row(row);
    }
    table.to_string()
}

fn attachment_json(a: &StoredAttachment) -> Value {
    json!({ "name": a.name, "content_type": a.content_type, "size": a.size, "stored": a.stored })
}

fn thread_item_json(case: &CaseRecord, t: &ThreadItem) -> Value {
    let mut v = Map::new();
    v.insert("type".into(), json!(t.type_name()));
    v.insert("day".into(), json!(t.day().to_string()));
    match t {
        ThreadItem::Report { seq, .. } => {
            v.insert("seq".into(), json!(seq));
            v.insert("text".into(), json!(case.description.expose()));
        }
        ThreadItem::Message {
            seq,
            text,
            attachments,
            ..
        } => {
            v.insert("seq".into(), json!(seq));
            v.insert("text".into(), json!(text.expose()));
            v.insert(
                "attachments".into(),
                Value::Array(attachments.iter().map(attachment_json).collect()),
            );
        }
        ThreadItem::Reply {
            op, text, delivered, ..
        } => {
            v.insert("op".into(), json!(op));
            v.insert("text".into(), json!(text.expose()));
            v.insert("delivered".into(), json!(delivered));
        }
        ThreadItem::Status {
            op,
            status,
            delivered,
            ..
        } => {
            v.insert("op".into(), json!(op));
            v.insert("status".into(), json!(status.as_str()));
            v.insert("delivered".into(), json!(delivered));
        }
    }
    Value::Object(v)
}

/// `show --json`.
pub fn case_json(case: &CaseRecord, at: AsOf) -> Value {
    let mut v = summary_map(case, at);
    v.insert("description".into(), json!(case.description.expose()));
    v.insert("when".into(), opt(&case.when));
    v.insert("where".into(), opt(&case.where_));
    v.insert("people".into(), opt(&case.people));
    v.insert("contact".into(), opt(&case.contact));
    v.insert(
        "attachments".into(),
        Value::Array(case.attachments.iter().map(attachment_json).collect()),
    );
    v.insert(
        "thread".into(),
        Value::Array(case.thread.iter().map(|t| thread_item_json(case, t)).collect()),
    );
    v.insert(
        "status_history".into(),
        Value::Array(
            case.status_history
                .iter()
                .map(|c| json!({ "status": c.status.as_str(), "day": c.day.to_string() }))
                .collect(),
        ),
    );
    Value::Object(v)
}

/// Who the reporter addressed the case to: the channel's name as sealed in
/// the report, escaped; "–" for the office's default channel.
pub fn addressed_to(case: &CaseRecord) -> String {
    case.addressed_to
        .as_ref()
        .map_or_else(|| "–".to_owned(), |c| escape(&c.name).into_owned())
}

fn report_text(case: &CaseRecord) -> String {
    let mut s = format!(
        "Case {}\nKind: {}\nCategories: {}\n{}: {} ({})\nStatus: {}\n",
        case.id,
        case.kind.as_str(),
        case.categories.join(", "),
        // A case taken by phone, post or at a meeting was recorded by the
        // office on the day it gives, not sent by anyone online.
        match case.channel.as_deref() {
            None | Some("online") => "Received",
            Some(_) => "Recorded on",
        },
        case.received,
        case.channel.as_deref().unwrap_or("online"),
        case.status()
    );
    if let Some(c) = &case.addressed_to {
        s.push_str(&format!("Addressed to: {} (channel {})\n", c.name, c.id));
    }
    for (label, field) in [
        ("When", &case.when),
        ("Where", &case.where_),
        ("People involved", &case.people),
        ("Contact", &case.contact),
    ] {
        if let Some(t) = field {
            s.push_str(&format!("{label}: {}\n", t.expose()));
        }
    }
    s.push_str("\nDescription:\n");
    s.push_str(case.description.expose());
    s.push('\n');
    s
}

/// `show` without `--json`.
pub fn case_text(case: &CaseRecord, at: AsOf) -> String {
    let mut s = report_text(case);
    let dl = deadlines::deadlines(case, at.today, at.periods);
    if case.kind == Kind::Advice {
        s.push_str(&match (dl.acknowledged, dl.no_deadline) {
            (Some(d), _) => format!("\nAnswered {d}\n"),
            (None, true) => "\nAnswer: no deadline set (--advice-days sets one)\n".to_owned(),
            (None, false) => format!("\nAnswer due {}\n", dl.acknowledge_due),
        });
    } else {
        s.push_str(&format!(
            "\nAcknowledgement due {}{}\n",
            dl.acknowledge_due,
            dl.acknowledged
                .map(|d| format!(", given {d}"))
                .unwrap_or_default()
        ));
    }
    if let Some(due) = dl.feedback_due {
        s.push_str(&format!(
            "Feedback due {due}{}\n",
            dl.feedback_given
                .map(|d| format!(", given {d}"))
                .unwrap_or_default()
        ));
    }
    if matches!(dl.mark, Mark::DueSoon | Mark::Overdue) {
        s.push_str(&format!("Deadline: {}\n", due_cell(&dl)));
    }
    let attachments: Vec<&StoredAttachment> = case.all_attachments().collect();
    if !attachments.is_empty() {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_header(["Attachment", "Type", "Size", "In vault"]);
        for a in attachments {
            t.add_row([
                escape(&a.name).into_owned(),
                escape(&a.content_type).into_owned(),
                a.size.to_string(),
                if a.stored { "yes" } else { "no" }.to_owned(),
            ]);
        }
        s.push_str(&format!("\n{t}\n"));
    }
    s.push_str("\nThread:\n");
    for item in &case.thread {
        let pending = match item.delivered() {
            Some(false) => " (pending: not yet in an outbox the server has imported)",
            _ => "",
        };
        match item {
            ThreadItem::Report { day, .. } => s.push_str(&format!("- {day} report received\n")),
            ThreadItem::Message { day, text, .. } => {
                s.push_str(&format!(
                    "- {day} message from the reporter:\n{}\n",
                    indent(text.expose())
                ));
            }
            ThreadItem::Reply { day, text, .. } => {
                s.push_str(&format!(
                    "- {day} reply from the office{pending}:\n{}\n",
                    indent(text.expose())
                ));
            }
            ThreadItem::Status { day, status, .. } => {
                s.push_str(&format!("- {day} status set to {status}{pending}\n"));
            }
        }
    }
    s.push_str("\nStatus history:\n");
    for c in &case.status_history {
        s.push_str(&format!("- {} {}\n", c.day, c.status));
    }
    s
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `--extract DIR` (and the GUI's "save to folder") write into a new or
/// empty folder only, so files of two cases never mix and nothing there is
/// overwritten.
pub fn check_extract_target(dir: &Path) -> Result<(), DeskError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(DeskError::BadInput(format!(
                    "The folder {} is not empty. Choose a new folder for --extract.",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(DeskError::BadInput(format!(
            "Cannot use {} for --extract: {e}.",
            dir.display()
        ))),
    }
}

/// Writes the report, each message and every stored attachment into `dir`
/// (created if needed); refuses to overwrite a file. Returns what it wrote.
pub fn extract(vault: &Vault, case: &CaseRecord, dir: &Path) -> Result<Vec<PathBuf>, DeskError> {
    fsx::create_private_dir(dir).map_err(DeskError::io("create", dir))?;
    let mut written = Vec::new();
    let mut n = 0usize;
    let mut next_name = |name: &str| {
        n += 1;
        dir.join(format!("{n:02}-{}", fsx::safe_file_name(name)))
    };
    let write_text = |path: PathBuf, text: &str, written: &mut Vec<PathBuf>| -> Result<(), DeskError> {
        let mut f = super::create_new_file(&path, 0o600)?;
        f.write_all(text.as_bytes())
            .map_err(DeskError::io("write", &path))?;
        written.push(path);
        Ok(())
    };
    write_text(next_name("report.txt"), &report_text(case), &mut written)?;
    for item in &case.thread {
        match item {
            ThreadItem::Message { day, text, .. } => {
                write_text(
                    next_name(&format!("message-{day}.txt")),
                    text.expose(),
                    &mut written,
                )?;
            }
            ThreadItem::Reply { day, text, .. } => {
                write_text(
                    next_name(&format!("reply-{day}.txt")),
                    text.expose(),
                    &mut written,
                )?;
            }
            _ => {}
        }
    }
    for a in case.all_attachments().filter(|a| a.stored) {
        let src = vault.attachment_path(case.id, &a.id)?;
        let dest = next_name(&a.name);
        let mut input = std::fs::File::open(&src).map_err(DeskError::io("read", &src))?;
        let mut output = super::create_new_file(&dest, 0o600)?;
        if a.encrypted {
            let ids = vault.keys().identity_refs();
            let mut w = std::io::BufWriter::new(&mut output);
            envelope::open_attachment(std::io::BufReader::new(input), &ids, a.size, &mut w).map_err(|e| {
                match e {
                    EnvelopeError::Decrypt => DeskError::Decrypt {
                        what: format!("attachment {} of case {}", a.id, case.id),
                    },
                    other => DeskError::BadEntry {
                        what: format!("attachment {} of case {}", a.id, case.id),
                        reason: other.to_string(),
                    },
                }
            })?;
            w.flush().map_err(DeskError::io("write", &dest))?;
        } else {
            std::io::copy(&mut input, &mut output).map_err(DeskError::io("write", &dest))?;
        }
        written.push(dest);
    }
    Ok(written)
}

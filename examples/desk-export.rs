//! Writes a valid export bundle of N reports, for `benches/desk-open.sh`.
//!
//! Each report is a real envelope (`envelope::seal`, padded, encrypted to the
//! office recipients in `PUBLIC/recipients.txt` and `PUBLIC/*.asc`), on a real hash chain, with
//! a real signed end record: what the server's `/export` gives, without
//! running the server. Every report has its own reporter recipient and case.
//!
//! With `interleaved`, the bundle holds two reports and then N messages
//! alternating between their two cases (the order that made `open` read and
//! write a case per entry).
//!
//! ```sh
//! cargo run --release --example desk-export -- keys/public 10000 export.bundle
//! cargo run --release --example desk-export -- keys/public 100000 export.bundle interleaved
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use candor::core::bundle::ExportWriter;
use candor::core::case::{CaseId, Kind};
use candor::core::day::Day;
use candor::core::envelope::{self, MessageBody, Payload, ReportBody};
use candor::core::keys;
use candor::core::log::{Entry, EntryKind, GENESIS, Head, body_hash};
use candor::core::openpgp;
use candor::core::secret::SecretText;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

const CATEGORIES: &[&str] = &[
    "conduct",
    "harassment",
    "outside-activities",
    "conflict-of-interest",
    "fraud",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (public, count, out, interleaved) = match args.as_slice() {
        [public, count, out] => (public, count, out, false),
        [public, count, out, mode] if mode == "interleaved" => (public, count, out, true),
        _ => bail!("usage: desk-export PUBLIC_KEYS_DIR N OUT_BUNDLE [interleaved]"),
    };
    let count: u64 = count.parse().context("N must be a number")?;
    let public = PathBuf::from(public);
    let mut office: Vec<Box<dyn age::Recipient>> = Vec::new();
    if let Ok(text) = std::fs::read_to_string(public.join("recipients.txt")) {
        for r in keys::parse_recipients(&text)? {
            office.push(Box::new(r));
        }
    }
    for entry in std::fs::read_dir(&public)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".asc") && name != "officer.asc" {
            let cert = openpgp::parse_cert(&std::fs::read(&path)?)?;
            office.push(Box::new(openpgp::OpenPgpRecipient::new(
                &cert,
                candor::clock::today(),
            )?));
        }
    }
    if office.is_empty() {
        bail!("no recipients.txt or *.asc office key in {}", public.display());
    }
    let recipients: Vec<&dyn age::Recipient> = office.iter().map(|r| r.as_ref()).collect();

    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    let server = SigningKey::from_bytes(&seed);
    let file = BufWriter::new(File::create(out).with_context(|| format!("creating {out}"))?);
    let mut w = ExportWriter::start(file, &server.verifying_key(), Head::EMPTY)?;
    let day = Day::from_ymd(2026, 3, 2).context("day")?;
    let mut prev = GENESIS;
    let two = [CaseId([0, 0, 0, 0, 0, 0, 0, 1]), CaseId([0, 0, 0, 0, 0, 0, 0, 2])];
    let count = if interleaved { count + 2 } else { count };
    for seq in 1..=count {
        if interleaved && seq > 2 {
            let message = Payload::Message(MessageBody {
                text: SecretText::new(format!("Message {seq}: I have found another invoice.")),
                attachments: Vec::new(),
                day,
            });
            let case = two[usize::from(seq % 2 == 1)];
            let body = envelope::seal(case, &message, &recipients)?;
            let key = candor::core::receipt::MessageKey::from_bytes(Sha256::digest(case.0).into());
            let entry = Entry {
                version: candor::core::log::VERSION,
                auth: Some(candor::core::log::Auth::Reporter(candor::core::log::message_mac(
                    &key,
                    case,
                    &body_hash(&body),
                ))),
                seq,
                kind: EntryKind::Message,
                case,
                day,
                body_len: body.len() as u64,
                body_hash: body_hash(&body),
                prev,
                recipient: None,
                part: None,
                op: None,
                channel: None,
            };
            prev = entry.hash();
            w.entry(&entry, Some(&body))?;
            continue;
        }
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("random: {e}"))?;
        if interleaved {
            id = two[usize::from(seq == 2)].0;
        }
        let reporter = age::x25519::Identity::generate().to_public().to_string();
        let category = CATEGORIES
            .get(usize::try_from(seq).unwrap_or(0) % CATEGORIES.len())
            .copied()
            .unwrap_or("other");
        let report = Payload::Report(ReportBody {
            kind: Kind::Misconduct,
            categories: vec![category.to_owned()],
            description: SecretText::new(format!(
                "Report {seq}: {}",
                "The procurement officer split a contract into several small ones to avoid the tender threshold. "
                    .repeat(12)
            )),
            when: Some(SecretText::new("last spring".into())),
            where_: Some(SecretText::new("regional office".into())),
            people: None,
            contact: None,
            attachments: Vec::new(),
            day,
            recipient: Some(reporter.clone()),
            message_key: Some(SecretText::new(hex::encode(Sha256::digest(id)))),
            channel: None,
        });
        let case = CaseId::from_random(id);
        let body = envelope::seal(case, &report, &recipients)?;
        let entry = Entry {
            version: candor::core::log::VERSION,
            auth: None,
            seq,
            kind: EntryKind::Report,
            case,
            day,
            body_len: body.len() as u64,
            body_hash: body_hash(&body),
            prev,
            recipient: Some(reporter),
            part: None,
            op: None,
            channel: None,
        };
        prev = entry.hash();
        w.entry(&entry, Some(&body))?;
    }
    let head = Head {
        seq: count,
        hash: prev,
    };
    let head = if count == 0 { Head::EMPTY } else { head };
    w.end(head, &server)?.flush()?;
    Ok(())
}

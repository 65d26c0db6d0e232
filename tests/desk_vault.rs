//! The desk against a hostile export and a stolen disk, with the real
//! `candor-desk` binary.
//!
//! The exports here are written by [`Hostile`], this file's own encoding of
//! the export format (`CANDOR-EXPORT/1`, see `src/core/bundle.rs` and
//! `src/core/log.rs`), not the crate's writer: it plays a server-key holder
//! who writes bundles by hand. Only the envelopes inside (what a reporter's
//! browser sends) are sealed with the crate's `envelope` module, to the
//! office's public key.

#![cfg(feature = "desk")]

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use candor::core::case::Kind;
use candor::core::day::Day;
use candor::core::envelope::{self, AttachmentMeta, AttachmentSealer, MessageBody, Payload, ReportBody};
use candor::core::keys;
use candor::core::secret::SecretText;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

const TODAY: &str = "2026-03-02";
/// The vault's fixed file time (2000-01-01 00:00 UTC).
const FIXED_TIME: i64 = 946_684_800;

fn desk_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor-desk"))
        .args(args)
        .current_dir(dir)
        .env("CANDOR_TODAY", TODAY)
        .env_remove("CANDOR_DESK_VAULT")
        .env_remove("CANDOR_DESK_KEYS")
        .env_remove("CANDOR_DESK_PASSPHRASE")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A desk: keys from its own keygen, a vault folder.
struct Desk {
    dir: tempfile::TempDir,
    office: Vec<age::x25519::Recipient>,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = desk_in(dir.path(), &["keygen", "--out", "keys", "--no-passphrase"]);
        assert!(out.status.success(), "{}", text(&out));
        let recipients =
            fs::read_to_string(dir.path().join("keys/public/recipients.txt")).expect("recipients");
        Desk {
            office: keys::parse_recipients(&recipients).expect("parse"),
            dir,
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--vault", "vault", "--keys", "keys/secret"]);
        desk_in(self.dir.path(), &all)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "candor-desk {args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("json")
    }

    fn open(&self, bundle: &[u8], extra: &[&str]) -> Output {
        let path = self.path("export.bundle");
        fs::write(&path, bundle).expect("write bundle");
        let mut args = vec!["open", "export.bundle"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// An envelope in the previous release's frame (`CNDRENV1`, no case):
    /// this server writes version 1 entries, as the previous release did.
    fn seal(&self, payload: &Payload) -> Vec<u8> {
        let r: Vec<&dyn age::Recipient> = self.office.iter().map(|r| r as &dyn age::Recipient).collect();
        let json = serde_json::to_vec(payload).expect("json");
        let mut plain = b"CNDRENV1".to_vec();
        plain.extend_from_slice(&(json.len() as u32).to_be_bytes());
        plain.extend_from_slice(&json);
        plain.resize(candor::core::padding::padded_len(plain.len() as u64) as usize, 0);
        envelope::encrypt_bytes(&plain, &r).expect("seal")
    }

    fn attachment(&self, data: &[u8]) -> (Vec<u8>, u64) {
        let r: Vec<&dyn age::Recipient> = self.office.iter().map(|r| r as &dyn age::Recipient).collect();
        let mut s = AttachmentSealer::new(&r).expect("sealer");
        s.write(data).expect("write");
        s.finish().expect("finish")
    }

    fn report(&self, description: &str, attachments: Vec<AttachmentMeta>) -> Vec<u8> {
        self.seal(&Payload::Report(ReportBody {
            kind: Kind::Misconduct,
            categories: vec!["fraud".into()],
            description: SecretText::new(description.into()),
            when: None,
            where_: None,
            people: None,
            contact: None,
            attachments,
            day: day(),
            recipient: None,
            message_key: None,
            channel: None,
        }))
    }

    fn message(&self, text: &str) -> Vec<u8> {
        self.seal(&Payload::Message(MessageBody {
            text: SecretText::new(text.into()),
            attachments: Vec::new(),
            day: day(),
        }))
    }

    /// Every file and folder of the vault with its bytes (folders: empty).
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        walk(&self.path("vault"), &mut |p| {
            if p.ends_with(".lock") {
                return; // the empty file every command locks
            }
            let bytes = if p.is_dir() {
                Vec::new()
            } else {
                fs::read(p).expect("read")
            };
            all.push((p.to_path_buf(), bytes));
        });
        all.sort();
        all
    }
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for e in fs::read_dir(dir).expect("list").flatten() {
        let p = e.path();
        f(&p);
        if p.is_dir() {
            walk(&p, f);
        }
    }
}

fn day() -> Day {
    Day::from_ymd(2026, 3, 2).expect("day")
}

fn recipient() -> String {
    age::x25519::Identity::generate().to_public().to_string()
}

/// The hostile server: its own encoding of an export, signed with its key.
struct Hostile {
    key: SigningKey,
    /// (seq, hash) of the last entry written so far.
    seq: u64,
    hash: [u8; 32],
}

/// One entry as the hostile server writes it.
struct Raw {
    kind: u8,
    case: [u8; 8],
    body: Option<Vec<u8>>,
    recipient: Option<String>,
    part: Option<([u8; 16], u32)>,
    op: Option<[u8; 16]>,
}

impl Raw {
    fn new(kind: u8, case: u64, body: Vec<u8>) -> Raw {
        Raw {
            kind,
            case: case.to_be_bytes(),
            body: Some(body),
            recipient: None,
            part: None,
            op: None,
        }
    }
}

const REPORT: u8 = 1;
const MESSAGE: u8 = 2;
const CHUNK: u8 = 3;

fn record(out: &mut Vec<u8>, tag: u8, payload: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
}

impl Hostile {
    fn new() -> Hostile {
        Hostile {
            key: SigningKey::from_bytes(&[0x5e; 32]),
            seq: 0,
            hash: [0; 32],
        }
    }

    /// An export continuing from the last one written.
    fn export(&mut self, entries: Vec<Raw>) -> Vec<u8> {
        let mut out = b"CANDOR-EXPORT/1\n".to_vec();
        let mut start = self.key.verifying_key().to_bytes().to_vec();
        start.extend_from_slice(&self.seq.to_be_bytes());
        start.extend_from_slice(&self.hash);
        record(&mut out, 1, &start);
        for e in entries {
            let body = e.body.clone().unwrap_or_default();
            let mut h = vec![1u8];
            h.extend_from_slice(&(self.seq + 1).to_be_bytes());
            h.push(e.kind);
            h.extend_from_slice(&e.case);
            h.extend_from_slice(&(day().0).to_be_bytes());
            h.extend_from_slice(&(body.len() as u64).to_be_bytes());
            h.extend_from_slice(&Sha256::digest(&body));
            h.extend_from_slice(&self.hash);
            h.push(
                u8::from(e.recipient.is_some())
                    | (u8::from(e.part.is_some()) << 1)
                    | (u8::from(e.op.is_some()) << 2),
            );
            if let Some(r) = &e.recipient {
                h.extend_from_slice(&(r.len() as u16).to_be_bytes());
                h.extend_from_slice(r.as_bytes());
            }
            if let Some((id, index)) = e.part {
                h.extend_from_slice(&id);
                h.extend_from_slice(&index.to_be_bytes());
            }
            if let Some(op) = e.op {
                h.extend_from_slice(&op);
            }
            let mut item = (h.len() as u16).to_be_bytes().to_vec();
            item.extend_from_slice(&h);
            match &e.body {
                Some(b) => {
                    item.push(1);
                    item.extend_from_slice(b);
                }
                None => item.push(0),
            }
            record(&mut out, 2, &item);
            let mut hasher = Sha256::new();
            hasher.update(b"candor/entry/v1\0");
            hasher.update(&h);
            self.hash = hasher.finalize().into();
            self.seq += 1;
        }
        let mut signed = b"candor/head/v1\0".to_vec();
        signed.extend_from_slice(&self.seq.to_be_bytes());
        signed.extend_from_slice(&self.hash);
        let mut end = self.seq.to_be_bytes().to_vec();
        end.extend_from_slice(&self.hash);
        end.extend_from_slice(&self.key.sign(&signed).to_bytes());
        record(&mut out, 3, &end);
        out
    }
}

fn report_entry(desk: &Desk, case: u64, description: &str) -> Raw {
    let mut r = Raw::new(REPORT, case, desk.report(description, Vec::new()));
    r.recipient = Some(recipient());
    r
}

fn case_name(v: u64) -> String {
    candor::core::case::CaseId(v.to_be_bytes()).to_string()
}

/// Entries alternating between two cases are opened with each case file
/// written once (the staged writes of case files are counted under strace),
/// not once per switch.
#[test]
fn interleaved_entries_write_each_case_once() {
    if Command::new("strace").arg("--version").output().is_err() {
        // As tests/common's tool_missing: skipped on a bare machine, never under CI.
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is not installed: CI must install it"
        );
        eprintln!("SKIPPED: strace is not installed (apt-get install strace; .ci/run does)");
        return;
    }
    let desk = Desk::new();
    let mut server = Hostile::new();
    let mut entries = vec![report_entry(&desk, 1, "first"), report_entry(&desk, 2, "second")];
    let message = desk.message("I have found another invoice.");
    for i in 0..150u64 {
        entries.push(Raw::new(MESSAGE, 1 + i % 2, message.clone()));
    }
    fs::write(desk.path("export.bundle"), server.export(entries)).expect("write");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat", "-o", "trace.txt"])
        .arg(env!("CARGO_BIN_EXE_candor-desk"))
        .args([
            "open",
            "export.bundle",
            "--vault",
            "vault",
            "--keys",
            "keys/secret",
        ])
        .current_dir(desk.dir.path())
        .output()
        .expect("strace runs");
    assert!(out.status.success(), "{}", text(&out));
    let trace = fs::read_to_string(desk.path("trace.txt")).expect("trace");
    let case_writes = trace
        .lines()
        .filter(|l| l.contains(".staging-") && l.contains("/cases/") && l.contains("O_CREAT"))
        .count();
    assert_eq!(case_writes, 2, "each of the two cases is written once");
    let cases = desk.json(&["cases"]);
    let messages: Vec<u64> = cases
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["messages"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(messages, [75, 75]);
}

/// What exceeds a limit is refused with a message naming the case, and the
/// vault is unchanged.
#[test]
fn limits_refuse_naming_the_case_and_leave_the_vault_unchanged() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let out = desk.open(&server.export(vec![report_entry(&desk, 7, "a case")]), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let before = desk.snapshot();
    let seq = server.seq;
    let hash = server.hash;
    let rewind = |s: &mut Hostile| {
        s.seq = seq;
        s.hash = hash;
    };
    let case = case_name(7);

    // Too many messages for one case in one export.
    let message = desk.message("again");
    let flood: Vec<Raw> = (0..6).map(|_| Raw::new(MESSAGE, 7, message.clone())).collect();
    let out = desk.open(&server.export(flood), &["--max-messages-per-case", "5"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains(&case), "{}", text(&out));
    assert_eq!(desk.snapshot(), before);

    // One message too large.
    rewind(&mut server);
    let big = desk.message(&"x".repeat(40_000));
    let out = desk.open(
        &server.export(vec![Raw::new(MESSAGE, 7, big)]),
        &["--max-message-bytes", "20000"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains(&case) && text(&out).contains("max-message-bytes"),
        "{}",
        text(&out)
    );
    assert_eq!(desk.snapshot(), before);

    // A case grown over its limit.
    rewind(&mut server);
    let msg = desk.message(&"y".repeat(3_000));
    let grow: Vec<Raw> = (0..4).map(|_| Raw::new(MESSAGE, 7, msg.clone())).collect();
    let out = desk.open(&server.export(grow), &["--max-case-bytes", "8000"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // Refused while the export is read, before any of it is decrypted and
    // held in memory as the case it would make.
    assert!(
        text(&out).contains(&case) && text(&out).contains("in this export"),
        "{}",
        text(&out)
    );
    assert_eq!(desk.snapshot(), before);

    // Within the limits the same export opens.
    rewind(&mut server);
    let grow: Vec<Raw> = (0..4).map(|_| Raw::new(MESSAGE, 7, msg.clone())).collect();
    let out = desk.open(&server.export(grow), &[]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Chunks no envelope claims wait within limits (count, bytes, age in
/// exports), are listed and can be dropped.
#[test]
fn waiting_parts_are_bounded_listed_and_dropped() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let (chunk, _) = desk.attachment(b"nobody will ever claim this");
    let orphans = |n: u8| -> Vec<Raw> {
        (0..n)
            .map(|i| {
                let mut r = Raw::new(CHUNK, 3, chunk.clone());
                r.part = Some(([i; 16], 0));
                r
            })
            .collect()
    };
    let before = desk.snapshot_or_empty();
    let out = desk.open(&server.export(orphans(12)), &["--max-waiting-parts", "10"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("max-waiting-parts"), "{}", text(&out));
    assert_eq!(desk.snapshot_or_empty(), before);

    server = Hostile::new();
    let out = desk.open(&server.export(orphans(12)), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = desk.ok(&["parts"]);
    assert_eq!(listed.lines().count(), 12, "{listed}");
    assert!(listed.contains(&hex::encode([5u8; 16])));
    let out = desk.run(&["parts", "--drop", &hex::encode([5u8; 16])]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(desk.ok(&["parts"]).lines().count(), 11);

    // Three more exports: the parts have waited through four and are dropped.
    for _ in 0..3 {
        let out = desk.open(&server.export(vec![]), &[]);
        assert!(out.status.success(), "{}", text(&out));
    }
    assert!(desk.ok(&["parts"]).contains("No attachment parts"));
    let files = fs::read_dir(desk.path("vault/parts"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files, 0);
}

impl Desk {
    fn snapshot_or_empty(&self) -> Vec<(PathBuf, Vec<u8>)> {
        if self.path("vault").is_dir() {
            self.snapshot()
        } else {
            Vec::new()
        }
    }
}

/// A case id with bits above its 50 is refused, not folded onto another case.
#[test]
fn case_ids_out_of_range_are_refused() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let out = desk.open(
        &server.export(vec![report_entry(&desk, 0x0a, "the real case")]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let before = desk.snapshot();
    let alias = Raw::new(
        MESSAGE,
        0x8000_0000_0000_000a,
        desk.message("I withdraw my report"),
    );
    let out = desk.open(&server.export(vec![alias]), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("case id out of range"), "{}", text(&out));
    assert_eq!(desk.snapshot(), before);
}

/// What a thief reading the vault folder sees: owner-only files and folders
/// (whatever the umask), names without case or attachment ids, one fixed
/// time, padded sizes, no plaintext.
#[test]
fn a_stolen_vault_shows_no_ids_lengths_or_timeline() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let attachment_id = [0xab; 16];
    let (chunk, size) = desk.attachment(b"%PDF-1.4 the split invoice");
    let meta = AttachmentMeta {
        id: hex::encode(attachment_id),
        name: "invoice.pdf".into(),
        content_type: "application/pdf".into(),
        size,
        sha256: None,
    };
    let mut with_file = Raw::new(REPORT, 0x1234_5678, desk.report("short", vec![meta]));
    with_file.recipient = Some(recipient());
    let mut part = Raw::new(CHUNK, 0x1234_5678, chunk);
    part.part = Some((attachment_id, 0));
    let entries = vec![
        part,
        with_file,
        report_entry(
            &desk,
            0x0bee,
            &"a much longer description of what happened ".repeat(3),
        ),
    ];
    fs::write(desk.path("export.bundle"), server.export(entries)).expect("write");
    let out = Command::new("sh")
        .args(["-c", "umask 000 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_candor-desk"))
        .args([
            "open",
            "export.bundle",
            "--vault",
            "vault",
            "--keys",
            "keys/secret",
        ])
        .current_dir(desk.dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new("sh")
        .args(["-c", "umask 000 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_candor-desk"))
        .args([
            "reply",
            &case_name(0x0bee),
            "--message",
            "Thank you",
            "--vault",
            "vault",
            "--keys",
            "keys/secret",
        ])
        .env("CANDOR_TODAY", TODAY)
        .current_dir(desk.dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));

    let ids = [
        case_name(0x1234_5678),
        case_name(0x1234_5678).replace('-', ""),
        case_name(0x0bee),
        case_name(0x0bee).replace('-', ""),
        hex::encode(attachment_id),
    ];
    let mut case_sizes = BTreeSet::new();
    let root_meta = fs::metadata(desk.path("vault")).expect("meta");
    assert_eq!(root_meta.permissions().mode() & 0o777, 0o700);
    walk(&desk.path("vault"), &mut |p| {
        let meta = fs::metadata(p).expect("meta");
        let mode = meta.permissions().mode() & 0o777;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(mode, if meta.is_dir() { 0o700 } else { 0o600 }, "{}", p.display());
        assert_eq!(meta.mtime(), FIXED_TIME, "{}", p.display());
        for id in &ids {
            assert!(
                !name.to_uppercase().contains(&id.to_uppercase()),
                "{} names {id}",
                p.display()
            );
        }
        if meta.is_file() {
            let bytes = fs::read(p).expect("read");
            for needle in [&b"short"[..], b"much longer", b"Thank you", b"invoice"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{} holds plaintext",
                    p.display()
                );
            }
            if p.parent().is_some_and(|d| d.ends_with("cases")) {
                // The age header's length varies at random (age adds a
                // "grease" stanza); the payload's is the padded length.
                let header = bytes
                    .windows(5)
                    .position(|w| w == b"\n--- ")
                    .and_then(|at| {
                        bytes[at + 1..]
                            .iter()
                            .position(|b| *b == b'\n')
                            .map(|n| at + 2 + n)
                    })
                    .expect("an age header");
                case_sizes.insert(bytes.len() - header);
            }
        }
    });
    assert_eq!(fs::read_dir(desk.path("vault/cases")).expect("cases").count(), 2);
    assert_eq!(
        case_sizes.len(),
        1,
        "a short and a long case look alike: {case_sizes:?}"
    );
    assert!(
        !desk.path("vault/keys.path").exists(),
        "the keys' folder is not named in the vault"
    );
}

/// `cases`, `stats` and `purge` read the index's summaries: with every case
/// file destroyed they still list, count and purge.
#[test]
fn cases_stats_and_purge_do_not_read_case_files() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let out = desk.open(
        &server.export(vec![report_entry(&desk, 1, "one"), report_entry(&desk, 2, "two")]),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    for e in fs::read_dir(desk.path("vault/cases")).expect("cases").flatten() {
        fs::write(e.path(), b"destroyed").expect("overwrite");
    }
    assert_eq!(desk.json(&["cases"]).as_array().map(Vec::len), Some(2));
    assert_eq!(desk.json(&["stats", "--year", "2026"])["complaints"], 2);
    let out = desk.run(&["show", &case_name(1)]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("swapped, rolled back or damaged"),
        "{}",
        text(&out)
    );
    desk.ok(&["purge", &case_name(1)]);
    assert_eq!(desk.json(&["cases"]).as_array().map(Vec::len), Some(1));
    assert_eq!(fs::read_dir(desk.path("vault/cases")).expect("cases").count(), 1);
}

/// Changing commands started together all land: each waits for the vault.
#[test]
fn concurrent_changes_lose_nothing() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let out = desk.open(&server.export(vec![report_entry(&desk, 9, "a case")]), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let case = case_name(9);
    let children: Vec<_> = (0..6)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_candor-desk"))
                .args([
                    "reply",
                    &case,
                    "--message",
                    &format!("reply {i}"),
                    "--vault",
                    "vault",
                    "--keys",
                    "keys/secret",
                ])
                .current_dir(desk.dir.path())
                .env("CANDOR_TODAY", TODAY)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", text(&out));
    }
    let shown = desk.json(&["show", &case]);
    let replies: BTreeSet<String> = shown["thread"]
        .as_array()
        .expect("thread")
        .iter()
        .filter(|t| t["type"] == "reply")
        .filter_map(|t| t["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(replies.len(), 6, "{replies:?}");
}

/// A command waits while another holds the vault, says so, and a staging
/// folder is removed only once it holds the lock itself.
#[test]
fn a_busy_vault_makes_the_next_command_wait() {
    let desk = Desk::new();
    let mut server = Hostile::new();
    let out = desk.open(&server.export(vec![report_entry(&desk, 4, "a case")]), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let holder = Command::new("flock")
        .args(["vault/.lock", "sleep", "2"])
        .current_dir(desk.dir.path())
        .spawn()
        .expect("flock");
    std::thread::sleep(std::time::Duration::from_millis(300));
    fs::create_dir(desk.path("vault/.staging-in-use")).expect("staging");
    let waiting = Command::new(env!("CARGO_BIN_EXE_candor-desk"))
        .args([
            "reply",
            &case_name(4),
            "--message",
            "later",
            "--vault",
            "vault",
            "--keys",
            "keys/secret",
        ])
        .current_dir(desk.dir.path())
        .env("CANDOR_TODAY", TODAY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(
        desk.path("vault/.staging-in-use").is_dir(),
        "removed while another command held the vault"
    );
    let out = waiting.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("in use by another candor-desk command"),
        "{}",
        text(&out)
    );
    assert!(!desk.path("vault/.staging-in-use").exists());
    let mut holder = holder;
    holder.wait().expect("holder");
}

/// The window's "Purge and retention" view lists the waiting parts and
/// drops the ticked ones after a confirmation that counts them; the
/// command line then lists only the one left unticked.
#[cfg(feature = "gui")]
#[test]
fn waiting_parts_are_dropped_in_the_window() {
    use candor::desk::gui::{DeskApp, Options, i18n::Lang};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    let desk = Desk::new();
    let mut server = Hostile::new();
    let (chunk, _) = desk.attachment(b"nobody will ever claim this");
    let orphans: Vec<Raw> = (0..3u8)
        .map(|i| {
            let mut r = Raw::new(CHUNK, 3, chunk.clone());
            r.part = Some(([i; 16], 0));
            r
        })
        .collect();
    let out = desk.open(&server.export(orphans), &[]);
    assert!(out.status.success(), "{}", text(&out));

    let app = DeskApp::new(Options {
        vault: Some(desk.path("vault")),
        keys: Some(desk.path("keys/secret")),
        today: TODAY.parse().expect("day"),
        periods: Default::default(),
        idle_lock_minutes: 0,
        lang: Lang::En,
        limits: Default::default(),
        start_dir: desk.dir.path().to_path_buf(),
        site: None,
    });
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut DeskApp| app.ui(ui), app);
    h.run();
    let click = |h: &mut Harness<'_, DeskApp>, label: &str| {
        h.get_by_label(label).click();
        h.run();
        // Unlocking runs on a worker thread: step frames until it ends.
        while h.state().is_busy() {
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.step();
        }
        h.run();
    };
    click(&mut h, "Unlock");
    assert!(h.state().is_unlocked());
    click(&mut h, "Purge and retention…");
    click(&mut h, &format!("Drop part {}", hex::encode([1u8; 16])));
    click(&mut h, "Drop the ticked parts…");
    h.get_by_label_contains("Drop 2 waiting part(s)");
    click(&mut h, "Drop 2 part(s)");
    assert_eq!(
        h.state().notice().map(|n| n.text.as_str()),
        Some("Dropped 2 waiting part(s).")
    );
    drop(h);
    let listed = desk.ok(&["parts"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains(&hex::encode([1u8; 16])), "{listed}");
}

/// A vault written by the previous release (format 2: `cases/<CASE>.age`,
/// `files/<CASE>/<ATT>`, `parts/<ATT>`) is migrated on first use, keeping
/// every case, reply, status, attachment and waiting part.
#[test]
fn a_vault_from_the_previous_release_is_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/vault-format2");
    let copy = Command::new("cp")
        .args(["-r"])
        .arg(from.join("vault"))
        .arg(from.join("secret"))
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(copy.success());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--vault", "vault", "--keys", "secret"]);
        let out = desk_in(dir.path(), &all);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cases: Value = serde_json::from_str(&run(&["cases", "--json"])).expect("json");
    let summary: Vec<(String, String, u64)> = cases
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["status"].as_str().unwrap_or_default().to_owned(),
                c["pending"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("00000-01FQF".to_owned(), "acknowledged".to_owned(), 1),
            ("0028T-5CY4T".to_owned(), "received".to_owned(), 1),
            ("TNW4V-2VFAF".to_owned(), "received".to_owned(), 0),
        ]
    );
    let shown: Value = serde_json::from_str(&run(&["show", "0028T-5CY4T", "--json"])).expect("json");
    let shown_text = shown.to_string();
    for expected in [
        "The procurement officer split a contract in three.",
        "I have more documents.",
        "Thank you; we are looking into it.",
    ] {
        assert!(
            shown_text.contains(expected),
            "{expected} missing from {shown_text}"
        );
    }
    run(&["show", "0028T-5CY4T", "--extract", "out"]);
    let extracted = fs::read_dir(dir.path().join("out"))
        .expect("extracted")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with("invoice.pdf"))
        .and_then(|e| fs::read(e.path()).ok())
        .expect("attachment extracted");
    assert_eq!(extracted, b"%PDF-1.4 the invoice that was split in three\n");
    let parts = run(&["parts"]);
    assert!(parts.contains(&hex::encode([0x22u8; 16])), "{parts}");
    walk(&dir.path().join("vault"), &mut |p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            !name.contains("0028T") && !name.contains("1111") && !name.contains("2222"),
            "old name left: {}",
            p.display()
        );
    });
    // The migrated vault takes the rest of the server's log.
    let out = desk_in(
        dir.path(),
        &[
            "outbox",
            "--vault",
            "vault",
            "--keys",
            "secret",
            "--out",
            "outbox.bundle",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// With a passphrase, the officer token is shown once and kept protected
/// like the keys; `candor-desk token` unlocks it.
#[test]
fn the_officer_token_is_not_kept_in_the_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_candor-desk"))
            .args(args)
            .current_dir(dir.path())
            .env("CANDOR_DESK_PASSPHRASE", "correct horse battery")
            .env_remove("CANDOR_DESK_KEYS")
            .output()
            .expect("runs")
    };
    let out = run(&["keygen", "--out", "keys"]);
    assert!(out.status.success(), "{}", text(&out));
    let hash = fs::read_to_string(dir.path().join("keys/public/officer-token.sha256")).expect("hash");
    let shown = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 64 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_owned)
        .expect("the token is shown once");
    assert_eq!(hex::encode(Sha256::digest(shown.as_bytes())), hash.trim());
    let kept = fs::read_to_string(dir.path().join("keys/secret/officer-token")).expect("token file");
    assert!(
        !kept.contains(&shown),
        "the token file holds the token in the clear"
    );
    let out = run(&["token", "--keys", "keys/secret"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), shown);
}

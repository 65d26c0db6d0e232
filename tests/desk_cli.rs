//! `candor-desk` driven as a user (or a script) would: the real binary, real
//! keys from its own `keygen`, real age encryption, bundles built with the
//! core's writers exactly as the server builds them.

#![cfg(feature = "desk")]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candor::core::bundle::{ExportWriter, Outbox, SignedOp, VerifiedOutbox};
use candor::core::case::{CaseId, Kind, Status};
use candor::core::day::Day;
use candor::core::envelope::{self, AttachmentMeta, AttachmentSealer, MessageBody, Payload, ReportBody};
use candor::core::keys;
use candor::core::log::{Auth, Entry, EntryKind, GENESIS, Hash, Head, PartRef, body_hash, message_mac};
use candor::core::receipt::Receipt;
use candor::core::secret::SecretText;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

const TODAY: &str = "2026-03-02";

fn desk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor-desk"))
        .args(args)
        .env("CANDOR_TODAY", TODAY)
        .env_remove("CANDOR_DESK_VAULT")
        .env_remove("CANDOR_DESK_KEYS")
        .output()
        .expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = desk(args);
    assert!(
        out.status.success(),
        "candor-desk {args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A test workplace: keys made by `keygen`, a vault path, a receipt.
struct Desk {
    dir: tempfile::TempDir,
    keys: PathBuf,
    vault: PathBuf,
    office: age::x25519::Recipient,
    officer: ed25519_dalek::VerifyingKey,
    receipt: Receipt,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys_dir = dir.path().join("keys");
        ok(&["keygen", "--no-passphrase", "--out", s(&keys_dir)]);
        let recipients = fs::read_to_string(keys_dir.join("public/recipients.txt")).expect("recipients");
        let office = keys::parse_recipients(&recipients).expect("recipient").remove(0);
        let officer =
            keys::parse_verifying_key(&fs::read_to_string(keys_dir.join("public/officer.pub")).expect("pub"))
                .expect("officer key");
        Desk {
            vault: dir.path().join("vault"),
            keys: keys_dir.join("secret"),
            dir,
            office,
            officer,
            receipt: Receipt::from_entropy(*b"fifteen bytes!!"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `bytes` to a file and runs `open` on it.
    fn open(&self, name: &str, bytes: &[u8]) -> Output {
        let p = self.path(name);
        fs::write(&p, bytes).expect("write bundle");
        desk(&["open", s(&p), "--keys", s(&self.keys), "--vault", s(&self.vault)])
    }
}

/// The server's log, as the test builds it.
struct Log {
    entries: Vec<(Entry, Option<Vec<u8>>)>,
    prev: Hash,
}

impl Log {
    fn new() -> Log {
        Log {
            entries: Vec::new(),
            prev: GENESIS,
        }
    }

    fn push(&mut self, kind: EntryKind, case: CaseId, body: Vec<u8>, f: impl FnOnce(&mut Entry)) {
        let mut e = Entry {
            version: candor::core::log::VERSION,
            auth: None,
            seq: self.entries.len() as u64 + 1,
            kind,
            case,
            day: Day(20_500),
            body_len: body.len() as u64,
            body_hash: body_hash(&body),
            prev: self.prev,
            recipient: None,
            part: None,
            op: None,
            channel: None,
        };
        f(&mut e);
        self.prev = e.hash();
        self.entries.push((e, Some(body)));
    }

    fn head(&self, seq: u64) -> Head {
        match seq {
            0 => Head::EMPTY,
            n => Head {
                seq: n,
                hash: self.entries[n as usize - 1].0.hash(),
            },
        }
    }

    /// An export of the entries after `after`, signed by `key`.
    fn export(&self, after: u64, key: &SigningKey) -> Vec<u8> {
        let mut w = ExportWriter::start(Vec::new(), &key.verifying_key(), self.head(after)).expect("start");
        for (e, b) in self.entries.iter().skip(after as usize) {
            w.entry(e, b.as_deref()).expect("entry");
        }
        w.end(self.head(self.entries.len() as u64), key).expect("end")
    }
}

fn server_key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn attachment_bytes() -> Vec<u8> {
    (0..150_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

const CASE: [u8; 8] = [0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc];
const ATTACHMENT_ID: [u8; 16] = [0xa7; 16];
const ATTACHMENT_NAME: &str = "../secret/.evidence.pdf";

/// A report with one attachment cut into several chunk entries.
fn report_log(d: &Desk) -> Log {
    let case = CaseId(CASE);
    let mut log = Log::new();
    let data = attachment_bytes();
    let mut sealer = AttachmentSealer::new(&[&d.office]).expect("sealer");
    let mut chunks = Vec::new();
    for part in data.chunks(10_000) {
        sealer.write(part).expect("write");
        let ready = sealer.take_ready(40_000);
        if !ready.is_empty() {
            chunks.push(ready);
        }
    }
    let (last, size) = sealer.finish().expect("finish");
    chunks.push(last);
    assert!(chunks.len() >= 3, "the attachment must span several chunks");
    for (index, chunk) in chunks.into_iter().enumerate() {
        log.push(EntryKind::AttachmentChunk, case, chunk, |e| {
            e.part = Some(PartRef {
                attachment: ATTACHMENT_ID,
                index: index as u32,
            })
        });
    }
    let report = Payload::Report(ReportBody {
        kind: Kind::Misconduct,
        categories: vec!["fraud".into(), "conflict-of-interest".into()],
        description: SecretText::new("The director signs contracts with his brother's firm.".into()),
        when: Some(SecretText::new("since last spring".into())),
        where_: Some(SecretText::new("procurement office".into())),
        people: None,
        contact: None,
        attachments: vec![AttachmentMeta {
            id: hex::encode(ATTACHMENT_ID),
            name: ATTACHMENT_NAME.into(),
            content_type: "application/pdf".into(),
            size,
            sha256: None,
        }],
        day: Day(20_500),
        recipient: Some(d.receipt.reporter_recipient().expect("recipient")),
        message_key: Some(d.receipt.message_key().to_hex()),
        channel: None,
    });
    let body = envelope::seal(case, &report, &[&d.office]).expect("seal report");
    let recipient = d.receipt.reporter_recipient().expect("recipient");
    log.push(EntryKind::Report, case, body, |e| e.recipient = Some(recipient));
    log
}

/// Every file under `dir` with the SHA-256 of its content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, [u8; 32]> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), Sha256::digest(fs::read(&p).expect("read")).into());
            }
        }
    }
    out
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn assert_refused(out: &Output, what: &str, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{what}: exit code; stderr: {err}");
    assert!(err.contains("vault was not changed"), "{what}: {err}");
    assert!(err.contains(needle), "{what}: expected {needle:?} in {err}");
}

#[test]
fn keygen_writes_six_files_private_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("keys");
    let printed = ok(&["keygen", "--no-passphrase", "--out", s(&out)]);
    assert!(printed.contains("keys/"), "{printed}");
    for f in ["recipients.txt", "officer.pub", "officer-token.sha256"] {
        assert!(out.join("public").join(f).is_file(), "public/{f}");
    }
    assert_eq!(mode(&out.join("secret")), 0o700);
    for f in ["office.key", "officer.key", "officer-token"] {
        assert_eq!(mode(&out.join("secret").join(f)), 0o600, "secret/{f}");
    }
    // The public files match the secret ones.
    let secret = |f: &str| fs::read_to_string(out.join("secret").join(f)).expect("secret file");
    let public = |f: &str| fs::read_to_string(out.join("public").join(f)).expect("public file");
    let ids = keys::parse_identities(&secret("office.key")).expect("office.key");
    let recips = keys::parse_recipients(&public("recipients.txt")).expect("recipients.txt");
    assert_eq!(ids[0].to_public().to_string(), recips[0].to_string());
    let signing = keys::parse_signing_key(&secret("officer.key")).expect("officer.key");
    assert_eq!(
        keys::parse_verifying_key(&public("officer.pub")).expect("officer.pub"),
        signing.verifying_key()
    );
    let token = secret("officer-token");
    assert_eq!(token.trim().len(), 64);
    assert!(
        keys::TokenHash::parse(&public("officer-token.sha256"))
            .expect("hash")
            .matches(&token)
    );

    let before = snapshot(&out);
    let again = desk(&["keygen", "--no-passphrase", "--out", s(&out)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(snapshot(&out), before, "keygen must not touch existing keys");

    // One file left over is enough to refuse.
    let partial = dir.path().join("partial");
    fs::create_dir_all(partial.join("secret")).expect("mkdir");
    fs::write(partial.join("secret/officer-token"), "x").expect("write");
    assert_eq!(
        desk(&["keygen", "--no-passphrase", "--out", s(&partial)])
            .status
            .code(),
        Some(1)
    );
    assert!(!partial.join("public/recipients.txt").exists());
}

#[test]
fn open_show_extract_reply_status_outbox_round_trip() {
    let d = Desk::new();
    let key = server_key();
    let mut log = report_log(&d);
    let first = log.export(0, &key);
    let first_seq = log.entries.len() as u64;
    let out = d.open("export-1.bundle", &first);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("1 new case"), "{printed}");
    assert_eq!(mode(&d.vault), 0o700);

    let case = CaseId(CASE).to_string();
    let cases = json(&["cases", "--vault", s(&d.vault), "--json"]);
    let list = cases.as_array().expect("array");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], case.as_str());
    assert_eq!(list[0]["kind"], "misconduct");
    assert_eq!(
        list[0]["categories"],
        serde_json::json!(["fraud", "conflict-of-interest"])
    );
    assert_eq!(list[0]["status"], "received");
    assert_eq!(list[0]["received"], Day(20_500).to_string());
    let table = ok(&["cases", "--vault", s(&d.vault)]);
    assert!(table.contains(&case) && table.contains("misconduct"), "{table}");

    // Case ids are accepted in any case, with or without the dash.
    let loose = case.to_lowercase().replace('-', "");
    let shown = json(&["show", &loose, "--vault", s(&d.vault), "--json"]);
    assert_eq!(
        shown["description"],
        "The director signs contracts with his brother's firm."
    );
    assert_eq!(shown["when"], "since last spring");
    assert_eq!(shown["where"], "procurement office");
    assert_eq!(shown["attachments"][0]["name"], ATTACHMENT_NAME);
    assert_eq!(shown["attachments"][0]["size"], attachment_bytes().len());
    assert_eq!(shown["thread"][0]["type"], "report");
    assert_eq!(shown["status_history"][0]["status"], "received");

    let extract = d.path("extracted");
    ok(&["show", &case, "--vault", s(&d.vault), "--extract", s(&extract)]);
    let mut files: Vec<PathBuf> = fs::read_dir(&extract)
        .expect("extract dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let report_txt = fs::read_to_string(&files[0]).expect("report text");
    assert!(report_txt.contains("brother's firm"));
    let att = &files[1];
    let att_name = att.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(
        !att_name.starts_with('.') && !att_name.contains(".."),
        "{att_name}"
    );
    assert_eq!(att.parent(), Some(extract.as_path()));
    assert_eq!(
        fs::read(att).expect("attachment"),
        attachment_bytes(),
        "byte for byte"
    );

    // A second extract into the same folder is refused before the case is
    // printed, in a message that starts with a capital.
    let again = desk(&["show", &case, "--vault", s(&d.vault), "--extract", s(&extract)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let err = String::from_utf8_lossy(&again.stderr);
    let said = err.strip_prefix("candor-desk: ").expect("prefix");
    assert!(said.starts_with(char::is_uppercase), "{err}");
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(fs::read_dir(&extract).expect("extract dir").count(), 2);
    let empty = desk(&["reply", &case, "--vault", s(&d.vault), "--message", ""]);
    let err = String::from_utf8_lossy(&empty.stderr);
    assert!(err.starts_with("candor-desk: The reply is empty; "), "{err}");

    // Nothing pending yet.
    let outbox = d.path("outbox.bundle");
    let none = desk(&[
        "outbox",
        "--vault",
        s(&d.vault),
        "--keys",
        s(&d.keys),
        "--out",
        s(&outbox),
    ]);
    assert_eq!(none.status.code(), Some(5));
    assert!(!outbox.exists());

    ok(&[
        "reply",
        &case,
        "--vault",
        s(&d.vault),
        "--message",
        "Thank you. We have opened a review.",
    ]);
    ok(&[
        "status",
        &case,
        "--vault",
        s(&d.vault),
        "--set",
        "preliminary-review",
    ]);
    let shown = json(&["show", &case, "--vault", s(&d.vault), "--json"]);
    assert_eq!(shown["status"], "preliminary-review");
    let thread = shown["thread"].as_array().expect("thread");
    assert_eq!(thread.len(), 3);
    assert_eq!(thread[1]["type"], "reply");
    assert_eq!(thread[1]["text"], "Thank you. We have opened a review.");
    assert_eq!(thread[1]["delivered"], false);
    assert_eq!(thread[1]["day"], TODAY);
    assert_eq!(thread[2]["type"], "status");
    assert_eq!(thread[2]["status"], "preliminary-review");
    assert_eq!(shown["status_history"][1]["status"], "preliminary-review");
    assert_eq!(shown["status_history"][1]["day"], TODAY);

    ok(&[
        "outbox",
        "--vault",
        s(&d.vault),
        "--keys",
        s(&d.keys),
        "--out",
        s(&outbox),
    ]);
    let bundle = Outbox::read(&fs::read(&outbox).expect("outbox"), &[d.officer]).expect("outbox verifies");
    assert_eq!(bundle.day.to_string(), TODAY);
    assert_eq!(bundle.ops.len(), 2);
    let reporter = d.receipt.reporter_identity().expect("reporter identity");
    let mut kinds = Vec::new();
    for SignedOp { op, .. } in &bundle.ops {
        assert_eq!(op.case, CaseId(CASE));
        kinds.push(op.kind);
        // The reporter, holding only the receipt, can read what the office sent.
        match envelope::open(&op.body, &[&reporter]).expect("reporter decrypts") {
            Payload::Reply(r) => assert_eq!(r.text.expose(), "Thank you. We have opened a review."),
            Payload::Status(st) => assert_eq!(st.status, Status::PreliminaryReview),
            other => panic!("unexpected {}", other.type_name()),
        }
    }
    assert_eq!(kinds, [EntryKind::Reply, EntryKind::Status]);

    // Still pending until an export shows them: a second outbox holds the same ops.
    let outbox2 = d.path("outbox-2.bundle");
    ok(&[
        "outbox",
        "--vault",
        s(&d.vault),
        "--keys",
        s(&d.keys),
        "--out",
        s(&outbox2),
    ]);
    let again = Outbox::read(&fs::read(&outbox2).expect("outbox"), &[d.officer]).expect("verifies");
    let ids = |o: &VerifiedOutbox| o.ops.iter().map(|s| s.op.id).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&bundle));

    // The server applies the ops and adds a follow-up message; the next export carries them.
    for SignedOp { op, sig } in &bundle.ops {
        let op_id = op.id;
        log.push(op.kind, op.case, op.body.clone(), |e| {
            e.op = Some(op_id);
            e.auth = Some(Auth::Office(*sig));
        });
    }
    let msg = Payload::Message(MessageBody {
        text: SecretText::new("I have more documents.".into()),
        attachments: vec![],
        day: Day(20_520),
    });
    log.push(
        EntryKind::Message,
        CaseId(CASE),
        envelope::seal(CaseId(CASE), &msg, &[&d.office]).expect("seal"),
        |e| {
            e.auth = Some(Auth::Reporter(message_mac(
                &d.receipt.message_key(),
                CaseId(CASE),
                &e.body_hash,
            )))
        },
    );
    let second = log.export(first_seq, &key);
    let out = d.open("export-2.bundle", &second);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = json(&["show", &case, "--vault", s(&d.vault), "--json"]);
    let thread = shown["thread"].as_array().expect("thread");
    assert_eq!(thread.len(), 4, "{thread:?}");
    assert_eq!(thread[1]["delivered"], true);
    assert_eq!(thread[2]["delivered"], true);
    assert_eq!(thread[3]["type"], "message");
    assert_eq!(thread[3]["text"], "I have more documents.");
    let none = desk(&[
        "outbox",
        "--vault",
        s(&d.vault),
        "--keys",
        s(&d.keys),
        "--out",
        s(&d.path("o3")),
    ]);
    assert_eq!(none.status.code(), Some(5), "nothing pending after delivery");
}

#[test]
fn bad_bundles_are_refused_and_leave_the_vault_unchanged() {
    let d = Desk::new();
    let key = server_key();
    let mut log = report_log(&d);
    let first = log.export(0, &key);
    assert!(d.open("first.bundle", &first).status.success());
    let before = snapshot(&d.vault);
    let seen = log.entries.len() as u64;

    // The same export again: it does not continue from the head now held.
    let replay = d.open("replay.bundle", &first);
    assert_refused(&replay, "replayed", &format!("/export?after={seen}"));
    assert_eq!(snapshot(&d.vault), before, "replay");

    let msg = Payload::Message(MessageBody {
        text: SecretText::new("more".into()),
        attachments: vec![],
        day: Day(20_501),
    });
    log.push(
        EntryKind::Message,
        CaseId(CASE),
        envelope::seal(CaseId(CASE), &msg, &[&d.office]).expect("seal"),
        |e| {
            e.auth = Some(Auth::Reporter(message_mac(
                &d.receipt.message_key(),
                CaseId(CASE),
                &e.body_hash,
            )))
        },
    );
    let next = log.export(seen, &key);

    // A flipped byte anywhere after the magic.
    for at in [20, next.len() / 2, next.len() - 70, next.len() - 1] {
        let mut tampered = next.clone();
        tampered[at] ^= 0x10;
        let out = d.open("tampered.bundle", &tampered);
        assert_eq!(
            out.status.code(),
            Some(3),
            "flip at {at}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(snapshot(&d.vault), before, "flip at {at}");
    }
    let mut tampered = next.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert_refused(&d.open("tampered.bundle", &tampered), "bad signature", "altered");

    // Cut short.
    for cut in [10, next.len() / 2, next.len() - 1] {
        let out = d.open("truncated.bundle", &next[..cut]);
        assert_eq!(out.status.code(), Some(3), "cut at {cut}");
        assert_eq!(snapshot(&d.vault), before, "cut at {cut}");
    }
    assert_refused(
        &d.open("truncated.bundle", &next[..next.len() - 30]),
        "truncated",
        "truncated",
    );

    // Trailing bytes after the end record.
    let mut longer = next.clone();
    longer.extend_from_slice(&[2, 0, 0, 0, 0]);
    assert_eq!(d.open("long.bundle", &longer).status.code(), Some(3));
    assert_eq!(snapshot(&d.vault), before, "trailing data");

    // Signed by another server key after the first was pinned.
    let other = log.export(seen, &SigningKey::from_bytes(&[43u8; 32]));
    assert_refused(
        &d.open("other.bundle", &other),
        "other key",
        "different server key",
    );
    assert_eq!(snapshot(&d.vault), before, "other key");

    // An export that does not extend the last head (starts from scratch).
    let from_zero = log.export(0, &key);
    assert_refused(
        &d.open("zero.bundle", &from_zero),
        "from zero",
        &format!("/export?after={seen}"),
    );
    assert_eq!(snapshot(&d.vault), before, "does not extend");

    // And the good one still opens afterwards.
    let out = d.open("next.bundle", &next);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_ne!(snapshot(&d.vault), before);
}

#[test]
fn wrong_office_key_is_refused_with_could_not_decrypt() {
    let d = Desk::new();
    let other = Desk::new();
    let bundle = report_log(&other).export(0, &server_key());
    let out = d.open("theirs.bundle", &bundle);
    assert_refused(
        &out,
        "wrong key",
        "Could not decrypt: is this the right office.key?",
    );
    // Nothing was kept, not even the pinned server key.
    let cases = json(&["cases", "--vault", s(&d.vault), "--keys", s(&d.keys), "--json"]);
    assert_eq!(cases, serde_json::json!([]));
    assert!(!d.vault.join("vault.age").exists());
    assert!(!d.vault.join("index.age").exists());
    assert!(!d.vault.join("cases").exists());
}

#[test]
fn unknown_case_and_vault_are_not_found() {
    let d = Desk::new();
    assert!(
        d.open("b", &report_log(&d).export(0, &server_key()))
            .status
            .success()
    );
    let out = desk(&["show", "00000-00000", "--vault", s(&d.vault)]);
    assert_eq!(out.status.code(), Some(4));
    let out = desk(&["reply", "00000-00000", "--vault", s(&d.vault), "--message", "hi"]);
    assert_eq!(out.status.code(), Some(4));
    let out = desk(&["cases", "--vault", s(&d.path("nowhere"))]);
    assert_eq!(out.status.code(), Some(4));
    // A malformed id or status is a usage error.
    assert_eq!(
        desk(&["show", "nope", "--vault", s(&d.vault)]).status.code(),
        Some(2)
    );
    let case = CaseId(CASE).to_string();
    let out = desk(&["status", &case, "--vault", s(&d.vault), "--set", "closed"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("closed-substantiated"));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let help = ok(&["--help"]);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
    for cmd in ["keygen", "open", "cases", "show", "reply", "status", "outbox"] {
        let h = ok(&[cmd, "--help"]);
        assert!(h.contains("Example"), "{cmd}: {h}");
    }
}

//! Channels inside an office: the Ethics Office and, for reports about the
//! ethics office itself, the Chair of the Audit Committee, each with keys of
//! its own. The real server (one office, `[[channels]]` in its
//! configuration), the real `candor-desk` for each channel with its own
//! keys and vault, real crypto.
//!
//! Where the adversary is the server, the test reads the genuine export and
//! writes the forgery with its own encoding of the format (from the format's
//! documentation in `src/core/log.rs` and `src/core/bundle.rs`), signed with
//! the server's real key.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn languages(en: &str) -> String {
    format!(
        "{{ en = \"{en}\", ar = \"{en} (ar)\", \"zh-Hans\" = \"{en} (zh)\", fr = \"{en} (fr)\", ru = \"{en} (ru)\", es = \"{en} (es)\" }}"
    )
}

/// The office: keys/ holds the ethics office's public keys, keys/audit/
/// the audit chair's (with a token of its own).
struct Office {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    server: Server,
    ethics: PathBuf,
    audit: PathBuf,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

fn office() -> Office {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let (ethics_public, ethics) = keygen(&dir.join("ethics"));
    let (audit_public, audit) = keygen(&dir.join("audit"));
    let keys = dir.join("keys");
    copy_dir(&ethics_public, &keys);
    copy_dir(&audit_public, &keys.join("audit"));
    let config = dir.join("candor.toml");
    std::fs::write(
        &config,
        format!(
            "[[channels]]\nid = \"ethics\"\nkeys = \".\"\nname = {}\nabout = {}\n\n\
             [[channels]]\nid = \"audit\"\nkeys = \"audit\"\nname = {}\nabout = {}\n\
             categories = [\"fraud\", \"conflict-of-interest\", \"retaliation\", \"other\"]\n",
            languages("Ethics Office"),
            languages("The ethics officers read it."),
            languages("Chair of the Audit Committee"),
            languages("Only the chair reads it: for reports about the ethics office."),
        ),
    )
    .expect("config");
    let server = Server::start_with(&dir.join("data"), &keys, &[("CANDOR_CONFIG", s(&config))]);
    Office {
        _tmp: tmp,
        dir,
        server,
        ethics,
        audit,
    }
}

fn report_form(channel: Option<&str>, category: &str, text: &str) -> reqwest::blocking::multipart::Form {
    let mut form = reqwest::blocking::multipart::Form::new();
    if let Some(c) = channel {
        form = form.text("channel", c.to_owned());
    }
    form.text("kind", "misconduct")
        .text("category", category.to_owned())
        .text("description", text.to_owned())
}

fn file(
    form: reqwest::blocking::multipart::Form,
    name: &str,
    bytes: &[u8],
) -> reqwest::blocking::multipart::Form {
    let part = reqwest::blocking::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .expect("mime");
    form.part("attachment", part)
}

fn receipt_of(resp: reqwest::blocking::Response) -> String {
    assert_eq!(resp.status(), 200, "report refused");
    element_text(&resp.text().expect("body"), "receipt").expect("receipt")
}

fn send_message(site: &str, receipt: &str, text: &str) {
    let (status, page) = login(site, receipt);
    assert_eq!(status, 200);
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session_field(&page).expect("session"))
        .text("message", text.to_owned());
    let resp = post_multipart(site, "/followup/message", form);
    assert!(resp.status().is_success() || resp.status().is_redirection());
}

fn open_at(secret: &Path, vault: &Path, bundle: &Path) -> std::process::Output {
    desk(&["open", s(bundle), "--keys", s(secret), "--vault", s(vault)])
}

fn cases(secret: &Path, vault: &Path) -> Vec<Value> {
    let out = desk_ok(&["cases", "--vault", s(vault), "--keys", s(secret), "--json"]);
    serde_json::from_str::<Value>(&out)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn export_to(o: &Office, secret: &Path, name: &str) -> PathBuf {
    let path = o.dir.join(name);
    assert_eq!(export(&o.server.api, &token(secret), 0, &path), 200);
    path
}

/// Entries in the store, as counted by an export.
fn entry_count(o: &Office) -> usize {
    let path = o.dir.join("count.bundle");
    assert_eq!(export(&o.server.api, &token(&o.ethics), 0, &path), 200);
    Export::parse(&std::fs::read(&path).expect("bundle"))
        .entries
        .len()
}

#[test]
fn a_report_to_the_audit_channel_opens_only_at_the_audit_desk() {
    let o = office();
    let site = &o.server.site;

    // The form asks who should read it, explaining each choice, before any file.
    let page = client()
        .get(format!("{site}/report"))
        .send()
        .expect("get")
        .text()
        .expect("body");
    let (ethics_at, audit_at, file_at) = (
        page.find("value=\"ethics\"").expect("ethics offered"),
        page.find("value=\"audit\"").expect("audit offered"),
        page.find("type=\"file\"").expect("file input"),
    );
    assert!(
        ethics_at < file_at && audit_at < file_at,
        "the channel comes before the files"
    );
    assert!(page.contains("Only the chair reads it: for reports about the ethics office."));

    // No choice, an unknown one, a file before the choice, a category the
    // audit channel does not take: a 400 page in the reporter's language,
    // and nothing stored.
    let refusals = [
        (
            "no choice",
            report_form(None, "fraud", "x"),
            "Choisissez qui doit lire votre signalement.",
        ),
        (
            "unknown channel",
            report_form(Some("board"), "fraud", "x"),
            "Choisissez l’un des destinataires proposés.",
        ),
        (
            "file first",
            file(reqwest::blocking::multipart::Form::new(), "a.pdf", b"early").text("channel", "audit"),
            "Choisissez qui doit lire votre signalement.",
        ),
        (
            "category the channel does not take",
            report_form(Some("audit"), "harassment", "x"),
            "Choisissez uniquement",
        ),
    ];
    for (what, form, phrase) in refusals {
        let resp = client()
            .post(format!("{site}/report?lang=fr"))
            .multipart(form)
            .send()
            .expect("post");
        assert_eq!(resp.status(), 400, "{what}");
        let body = resp.text().expect("body");
        assert!(
            body.contains(phrase),
            "{what}: the French page should say {phrase:?}"
        );
        assert!(body.contains("lang=\"fr\""), "{what}");
    }
    // The missing choice, in each of the six languages.
    for lang in ["ar", "zh-Hans", "en", "fr", "ru", "es"] {
        let catalogue =
            std::fs::read_to_string(format!("{}/web/i18n/{lang}.ftl", env!("CARGO_MANIFEST_DIR")))
                .expect("catalogue");
        let want = catalogue
            .lines()
            .find_map(|l| l.strip_prefix("problem-channel-missing = "))
            .expect("message")
            .to_owned();
        let resp = client()
            .post(format!("{site}/report?lang={lang}"))
            .multipart(report_form(None, "fraud", "x"))
            .send()
            .expect("post");
        assert_eq!(resp.status(), 400, "{lang}");
        assert!(resp.text().expect("body").contains(&want), "{lang}: {want}");
    }
    assert_eq!(entry_count(&o), 0, "a refused form stores nothing");

    // One report to each channel; the audit one with a file and a follow-up.
    let audit_receipt = receipt_of(
        client()
            .post(format!("{site}/report"))
            .multipart(file(
                report_form(Some("audit"), "fraud", "The ethics officer hides a conflict."),
                "ledger.pdf",
                b"audit-evidence-bytes",
            ))
            .send()
            .expect("post"),
    );
    receipt_of(
        client()
            .post(format!("{site}/report"))
            .multipart(report_form(Some("ethics"), "harassment", "My manager shouts."))
            .send()
            .expect("post"),
    );
    send_message(site, &audit_receipt, "More about the conflict.");

    // The ethics desk: its case only; the audit entries counted, not opened.
    let bundle = export_to(&o, &o.ethics, "ethics.bundle");
    let ethics_vault = o.dir.join("ethics-vault");
    let out = open_at(&o.ethics, &ethics_vault, &bundle);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("1 new case(s), 0 new message(s), 0 attachment(s)"),
        "{said}"
    );
    assert!(
        said.contains("3 entries addressed to channel `audit` skipped"),
        "report, chunk, message: {said}"
    );
    let listed = cases(&o.ethics, &ethics_vault);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["addressed_to"]["id"], "ethics");
    // Not even the file's ciphertext waits in the ethics vault.
    let parts = desk_ok(&["parts", "--vault", s(&ethics_vault), "--keys", s(&o.ethics)]);
    assert!(parts.contains("No attachment parts are waiting"), "{parts}");
    assert_eq!(listed[0]["addressed_to"]["name"], "Ethics Office");

    // The audit desk, with its own keys and token: its case, file and message.
    let bundle = export_to(&o, &o.audit, "audit.bundle");
    let audit_vault = o.dir.join("audit-vault");
    let out = open_at(&o.audit, &audit_vault, &bundle);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("1 new case(s), 1 new message(s), 1 attachment(s)"),
        "{said}"
    );
    assert!(
        said.contains("1 entry addressed to channel `ethics` skipped"),
        "{said}"
    );
    let listed = cases(&o.audit, &audit_vault);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["addressed_to"]["name"], "Chair of the Audit Committee");
    assert_eq!(listed[0]["channel"], "online", "how it came is another thing");
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let shown: Value = serde_json::from_str(&desk_ok(&[
        "show",
        &id,
        "--vault",
        s(&audit_vault),
        "--keys",
        s(&o.audit),
        "--json",
    ]))
    .expect("json");
    assert_eq!(shown["description"], "The ethics officer hides a conflict.");
    assert_eq!(shown["thread"][1]["text"], "More about the conflict.");
    let text = desk_ok(&["show", &id, "--vault", s(&audit_vault), "--keys", s(&o.audit)]);
    assert!(
        text.contains("Addressed to: Chair of the Audit Committee (channel audit)"),
        "{text}"
    );

    // And the ethics desk cannot open that case: it is not in its vault.
    let out = desk(&["show", &id, "--vault", s(&ethics_vault), "--keys", s(&o.ethics)]);
    assert!(!out.status.success());

    // The key material itself: the audit report's ciphertext does not open
    // with the ethics office's key, and opens with the audit chair's.
    let export = Export::parse(&std::fs::read(&bundle).expect("bundle"));
    let report = export
        .entries
        .iter()
        .find(|e| e.kind == REPORT && e.channel.as_deref() == Some(b"audit".as_slice()))
        .expect("the audit report, labelled in its header");
    let body = report.body.as_deref().expect("body");
    let ethics_id = identity(&o.ethics);
    let audit_id = identity(&o.audit);
    assert!(candor::core::envelope::open(body, &[&ethics_id as &dyn age::Identity]).is_err());
    assert!(candor::core::envelope::open(body, &[&audit_id as &dyn age::Identity]).is_ok());
    let message = export
        .entries
        .iter()
        .find(|e| e.kind == MESSAGE)
        .expect("message");
    let body = message.body.as_deref().expect("body");
    assert!(candor::core::envelope::open(body, &[&ethics_id as &dyn age::Identity]).is_err());
    assert!(candor::core::envelope::open(body, &[&audit_id as &dyn age::Identity]).is_ok());
}

#[test]
fn the_ethics_office_can_neither_act_on_nor_relabel_an_audit_case() {
    let o = office();
    let site = &o.server.site;
    receipt_of(
        client()
            .post(format!("{site}/report"))
            .multipart(report_form(Some("audit"), "fraud", "About the ethics office."))
            .send()
            .expect("post"),
    );
    receipt_of(
        client()
            .post(format!("{site}/report"))
            .multipart(report_form(Some("ethics"), "harassment", "About my manager."))
            .send()
            .expect("post"),
    );
    let bundle = export_to(&o, &o.audit, "first.bundle");
    let genuine = Export::parse(&std::fs::read(&bundle).expect("bundle"));
    let audit_case = genuine
        .entries
        .iter()
        .find(|e| e.kind == REPORT && e.channel.as_deref() == Some(b"audit".as_slice()))
        .expect("audit report")
        .case;
    let audit_vault = o.dir.join("audit-vault");
    assert!(open_at(&o.audit, &audit_vault, &bundle).status.success());
    let ethics_vault = o.dir.join("ethics-vault");
    assert!(open_at(&o.ethics, &ethics_vault, &bundle).status.success());

    // The server: a status on the audit case signed by the ethics officer is
    // refused, whichever token brings it; the audit chair's is taken.
    let ethics_officer = officer_key(&o.ethics);
    let audit_officer = officer_key(&o.audit);
    let outbox = |key: &SigningKey, id: u8| {
        candor::core::bundle::Outbox {
            id: [id; 16],
            day: candor::core::day::Day(20_400),
            ops: vec![candor::core::bundle::Op {
                id: [id; 16],
                kind: candor::core::log::EntryKind::Status,
                case: candor::core::case::CaseId(audit_case),
                day: candor::core::day::Day(20_400),
                prev: [0; 16],
                body: vec![id; 64],
            }],
        }
        .to_bytes(key)
    };
    for secret in [&o.ethics, &o.audit] {
        let (status, body) = import(&o.server.api, &token(secret), &outbox(&ethics_officer, 1));
        assert_eq!(status, 403, "{body}");
    }
    let before = entry_count(&o);
    let (status, body) = import(&o.server.api, &token(&o.audit), &outbox(&audit_officer, 2));
    assert_eq!(status, 200, "{body}");
    assert_eq!(entry_count(&o), before + 1);

    // The audit chair records a case taken by phone, with a receipt: it is
    // filed to the chair's channel (the officer who signed it), the caller's
    // follow-up is sealed to the chair, and the ethics desk skips both.
    let recorded = desk_ok(&[
        "record",
        "--vault",
        s(&audit_vault),
        "--keys",
        s(&o.audit),
        "--kind",
        "misconduct",
        "--category",
        "fraud",
        "--channel",
        "phone",
        "--description",
        "Caller reports the ethics office's head.",
        "--issue-receipt",
    ]);
    let phone_receipt = recorded
        .lines()
        .skip_while(|l| !l.starts_with("Receipt for the reporter"))
        .nth(1)
        .expect("receipt printed")
        .trim()
        .to_owned();
    let out = o.dir.join("audit-outbox.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        s(&audit_vault),
        "--keys",
        s(&o.audit),
        "--out",
        s(&out),
    ]);
    let (status, body) = import(
        &o.server.api,
        &token(&o.audit),
        &std::fs::read(&out).expect("outbox"),
    );
    assert_eq!(status, 200, "{body}");
    send_message(site, &phone_receipt, "The caller adds a name.");
    let later = export_to(&o, &o.ethics, "later.bundle");
    let logged = Export::parse(&std::fs::read(&later).expect("bundle"));
    let filed = logged
        .entries
        .iter()
        .rev()
        .find(|e| e.kind == REPORT)
        .expect("the recorded case");
    assert_eq!(filed.channel.as_deref(), Some(b"audit".as_slice()));
    let follow_up = logged.entries.last().expect("message");
    assert_eq!(follow_up.kind, MESSAGE);
    let body = follow_up.body.as_deref().expect("body");
    let ethics_id = identity(&o.ethics);
    assert!(candor::core::envelope::open(body, &[&ethics_id as &dyn age::Identity]).is_err());
    let ethics_copy = o.dir.join("ethics-vault-later");
    let out = open_at(&o.ethics, &ethics_copy, &later);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("1 new case(s), 0 new message(s)"), "{said}");

    // A compromised server: it adds the ethics officer's genuinely signed
    // status to the audit case. The audit desk refuses it, vault unchanged.
    let key = server_key(&o.server.data);
    let status_body = seal_status(&audit_recipient(&o), audit_case);
    let mut forged = Raw::new(STATUS, audit_case, status_body);
    forged.op = Some([7; 16]);
    forged.auth = Some(office_auth(
        &ethics_officer,
        STATUS,
        audit_case,
        [7; 16],
        20_400,
        &forged,
    ));
    let seen = genuine.entries.len();
    let bundle = genuine.continued(vec![forged]).write_after(seen, &key);
    let refused = refused_at(&o, &o.audit, &audit_vault, &bundle, "ethics-status");
    assert!(
        refused.contains("not one of the office's signing keys"),
        "{refused}"
    );

    // A compromised server files a report labelled as the ethics office's
    // but sealed to a key of its own: the ethics desk, which holds ethics
    // cases, does not pass it over as another channel's, it refuses it.
    let stranger = age::x25519::Identity::generate().to_public();
    let case = [0, 0, 0, 0, 0, 9, 9, 9];
    let mut planted = Raw::new(REPORT, case, seal_status(&stranger, case));
    planted.recipient = Some(stranger.to_string().into_bytes());
    planted.channel = Some(b"ethics".to_vec());
    let bundle = genuine.continued(vec![planted]).write_after(seen, &key);
    let refused = refused_at(&o, &o.ethics, &ethics_vault, &bundle, "planted-ethics-report");
    assert!(refused.contains("Could not decrypt"), "{refused}");

    // A compromised server relabels the ethics report as the audit
    // committee's (so that its follow-ups would be sealed to the chair and
    // the chair's officer could act on it): the ethics desk refuses it.
    let mut relabelled = genuine.clone();
    let ethics_report = relabelled
        .entries
        .iter_mut()
        .find(|e| e.kind == REPORT && e.channel.as_deref() == Some(b"ethics".as_slice()))
        .expect("ethics report");
    ethics_report.channel = Some(b"audit".to_vec());
    let fresh = o.dir.join("fresh-vault");
    let path = o.dir.join("relabelled.bundle");
    std::fs::write(&path, relabelled.write_after(0, &key)).expect("write");
    let out = open_at(&o.ethics, &fresh, &path);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        err.contains("addresses it to channel `audit`, but the reporter addressed it to channel `ethics`"),
        "{err}"
    );
    assert!(
        cases_or_none(&o.ethics, &fresh),
        "nothing of a refused export is kept"
    );
}

/// True when the vault at `vault` holds no case (or cannot be listed).
fn cases_or_none(secret: &Path, vault: &Path) -> bool {
    let out = desk(&["cases", "--vault", s(vault), "--keys", s(secret), "--json"]);
    !out.status.success()
        || serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .and_then(|v| v.as_array().map(Vec::is_empty))
            .unwrap_or(true)
}

/// Opens `bundle` on a copy of `vault`; the refusal, with the vault's bytes unchanged.
fn refused_at(o: &Office, secret: &Path, vault: &Path, bundle: &[u8], what: &str) -> String {
    let before = all_bytes(vault);
    let path = o.dir.join(format!("{what}.bundle"));
    std::fs::write(&path, bundle).expect("write");
    let out = open_at(secret, vault, &path);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{what}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(all_bytes(vault) == before, "{what}: the vault changed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn identity(secret: &Path) -> age::x25519::Identity {
    std::fs::read_to_string(secret.join("office.key"))
        .expect("office.key")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("identity")
        .parse()
        .expect("age identity")
}

fn officer_key(secret: &Path) -> SigningKey {
    let text = std::fs::read_to_string(secret.join("officer.key")).expect("officer.key");
    candor::core::keys::parse_signing_key(&text).expect("officer key")
}

fn server_key(data: &Path) -> SigningKey {
    let text = std::fs::read_to_string(data.join("server.key")).expect("server.key");
    let line = text
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("key line");
    let bytes: [u8; 32] = STANDARD
        .decode(line.split_whitespace().last().expect("base64"))
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    SigningKey::from_bytes(&bytes)
}

fn audit_recipient(o: &Office) -> age::x25519::Recipient {
    std::fs::read_to_string(o.dir.join("keys/audit/recipients.txt"))
        .expect("recipients")
        .lines()
        .find(|l| l.starts_with("age1"))
        .expect("recipient")
        .parse()
        .expect("age recipient")
}

/// A status envelope (`CNDRENV2`, the case, the JSON, Padmé zeros) sealed to `to`.
fn seal_status(to: &age::x25519::Recipient, case: [u8; 8]) -> Vec<u8> {
    use std::io::Write;
    let json = br#"{"type":"status","status":"closed-unsubstantiated","day":"2025-11-10"}"#;
    let mut plain = b"CNDRENV2".to_vec();
    plain.extend_from_slice(&case);
    plain.extend_from_slice(&(json.len() as u32).to_be_bytes());
    plain.extend_from_slice(json);
    let total = candor::core::padding::padded_len(plain.len() as u64) as usize;
    plain.resize(total, 0);
    let enc = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient)).expect("encryptor");
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).expect("wrap");
    w.write_all(&plain).expect("write");
    w.finish().expect("finish");
    out
}

/// An officer's signature, as `src/core/log.rs` documents it.
fn office_auth(key: &SigningKey, kind: u8, case: [u8; 8], op: [u8; 16], day: u32, e: &Raw) -> Vec<u8> {
    let mut m = b"candor/op/v2\0".to_vec();
    m.extend_from_slice(&op);
    m.push(kind);
    m.extend_from_slice(&case);
    m.extend_from_slice(&day.to_be_bytes());
    m.extend_from_slice(&[0; 16]);
    m.extend_from_slice(&e.body_hash);
    let mut a = vec![1];
    a.extend_from_slice(key.verifying_key().as_bytes());
    a.extend_from_slice(&day.to_be_bytes());
    a.extend_from_slice(&[0; 16]);
    a.extend_from_slice(&key.sign(&m).to_bytes());
    a
}

// ------------------------------------------------------------ the forger's own encoding

const REPORT: u8 = 1;
const MESSAGE: u8 = 2;
const STATUS: u8 = 5;

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes(b.try_into().expect("8 bytes"))
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b.try_into().expect("4 bytes"))
}

/// One entry header, raw, with its body.
#[derive(Clone, Debug)]
struct Raw {
    seq: u64,
    kind: u8,
    case: [u8; 8],
    day: u32,
    body_len: u64,
    body_hash: [u8; 32],
    prev: [u8; 32],
    recipient: Option<Vec<u8>>,
    part: Option<Vec<u8>>,
    op: Option<[u8; 16]>,
    auth: Option<Vec<u8>>,
    /// Flag bit 4: the channel a report is addressed to.
    channel: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

impl Raw {
    fn parse(h: &[u8], body: Option<Vec<u8>>) -> Raw {
        assert_eq!(h[0], 2, "version 2 entries");
        let flags = h[94];
        let mut at = 95;
        let mut take = |n: usize| {
            let v = h[at..at + n].to_vec();
            at += n;
            v
        };
        let recipient = (flags & 1 != 0).then(|| {
            let len = u16::from_be_bytes(take(2).try_into().expect("len"));
            take(usize::from(len))
        });
        let part = (flags & 2 != 0).then(|| take(20));
        let op = (flags & 4 != 0).then(|| take(16).try_into().expect("op"));
        let auth = (flags & 8 != 0).then(|| {
            let kind = take(1);
            let rest = take(if kind[0] == 1 { 32 + 4 + 16 + 64 } else { 32 });
            [kind, rest].concat()
        });
        let channel = (flags & 16 != 0).then(|| {
            let len = take(1)[0];
            take(usize::from(len))
        });
        assert_eq!(at, h.len(), "the whole header read");
        Raw {
            seq: be_u64(&h[1..9]),
            kind: h[9],
            case: h[10..18].try_into().expect("case"),
            day: be_u32(&h[18..22]),
            body_len: be_u64(&h[22..30]),
            body_hash: h[30..62].try_into().expect("hash"),
            prev: h[62..94].try_into().expect("prev"),
            recipient,
            part,
            op,
            auth,
            channel,
            body,
        }
    }

    fn new(kind: u8, case: [u8; 8], body: Vec<u8>) -> Raw {
        Raw {
            seq: 0,
            kind,
            case,
            day: 20_400,
            body_len: body.len() as u64,
            body_hash: Sha256::digest(&body).into(),
            prev: [0; 32],
            recipient: None,
            part: None,
            op: None,
            auth: None,
            channel: None,
            body: Some(body),
        }
    }

    fn header(&self) -> Vec<u8> {
        let mut h = vec![2];
        h.extend_from_slice(&self.seq.to_be_bytes());
        h.push(self.kind);
        h.extend_from_slice(&self.case);
        h.extend_from_slice(&self.day.to_be_bytes());
        h.extend_from_slice(&self.body_len.to_be_bytes());
        h.extend_from_slice(&self.body_hash);
        h.extend_from_slice(&self.prev);
        h.push(
            u8::from(self.recipient.is_some())
                | u8::from(self.part.is_some()) << 1
                | u8::from(self.op.is_some()) << 2
                | u8::from(self.auth.is_some()) << 3
                | u8::from(self.channel.is_some()) << 4,
        );
        if let Some(r) = &self.recipient {
            h.extend_from_slice(&(r.len() as u16).to_be_bytes());
            h.extend_from_slice(r);
        }
        if let Some(p) = &self.part {
            h.extend_from_slice(p);
        }
        if let Some(o) = &self.op {
            h.extend_from_slice(o);
        }
        if let Some(a) = &self.auth {
            h.extend_from_slice(a);
        }
        if let Some(c) = &self.channel {
            h.push(c.len() as u8);
            h.extend_from_slice(c);
        }
        h
    }

    fn hash(&self) -> [u8; 32] {
        let mut d = Sha256::new();
        d.update(b"candor/entry/v2\0");
        d.update(self.header());
        d.finalize().into()
    }
}

/// An export as the forger reads and writes it.
#[derive(Clone)]
struct Export {
    entries: Vec<Raw>,
}

fn record(out: &mut Vec<u8>, tag: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    out.push(tag);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    for p in parts {
        out.extend_from_slice(p);
    }
}

impl Export {
    fn parse(bytes: &[u8]) -> Export {
        assert_eq!(&bytes[..16], b"CANDOR-EXPORT/2\n");
        let mut at = 16;
        let mut entries = Vec::new();
        while at < bytes.len() {
            let tag = bytes[at];
            let len = be_u32(&bytes[at + 1..at + 5]) as usize;
            let p = &bytes[at + 5..at + 5 + len];
            at += 5 + len;
            if tag == 2 {
                let hlen = usize::from(u16::from_be_bytes([p[0], p[1]]));
                let body = (p[2 + hlen] == 1).then(|| p[3 + hlen..].to_vec());
                entries.push(Raw::parse(&p[2..2 + hlen], body));
            }
        }
        Export { entries }
    }

    /// This export with `more` entries after it.
    fn continued(&self, more: Vec<Raw>) -> Export {
        let mut e = self.clone();
        e.entries.extend(more);
        e
    }

    /// The log chained from its start, written from entry `after` on (the
    /// head a desk has seen), the head signed with `key`.
    fn write_after(&self, after: usize, key: &SigningKey) -> Vec<u8> {
        let mut out = b"CANDOR-EXPORT/2\n".to_vec();
        let mut prev = [0u8; 32];
        for (i, e) in self.entries.iter().enumerate() {
            let mut e = e.clone();
            e.seq = i as u64 + 1;
            e.prev = prev;
            prev = e.hash();
            if i < after {
                continue;
            }
            if i == after {
                record(
                    &mut out,
                    1,
                    &[key.verifying_key().as_bytes(), &(i as u64).to_be_bytes(), &e.prev],
                );
            }
            let h = e.header();
            record(
                &mut out,
                2,
                &[
                    &(h.len() as u16).to_be_bytes(),
                    &h,
                    &[u8::from(e.body.is_some())],
                    e.body.as_deref().unwrap_or(&[]),
                ],
            );
        }
        let seq = self.entries.len() as u64;
        let mut m = b"candor/head/v1\0".to_vec();
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend_from_slice(&prev);
        record(
            &mut out,
            3,
            &[&seq.to_be_bytes(), &prev, &key.sign(&m).to_bytes()],
        );
        out
    }
}

/// Runs `candor serve` with `config`, which must refuse to start; its stderr.
fn refused_start(dir: &Path, keys: &Path, config: &str) -> String {
    let path = dir.join("refused.toml");
    std::fs::write(&path, config).expect("config");
    let mut cmd = std::process::Command::new(SERVER);
    serve_args(&mut cmd, &dir.join("data"), keys).env("CANDOR_CONFIG", &path);
    let out = cmd.output().expect("run candor");
    assert!(!out.status.success(), "started with {config}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_channel_setting_that_cannot_work_stops_the_start_naming_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (public, _) = keygen(&dir.join("ethics"));
    let keys = dir.join("keys");
    copy_dir(&public, &keys);
    let channel = |id: &str, folder: &str, about: &str| {
        format!(
            "[[channels]]\nid = \"{id}\"\nkeys = \"{folder}\"\nname = {}\nabout = {about}\n\n",
            languages("Name"),
        )
    };
    let full = languages("Who reads it.");
    let cases = [
        (
            channel("ethics", ".", &full) + &channel("audit", "audit", &full),
            "channel `audit`: its keys folder",
        ),
        (
            channel("ethics", ".", &full) + &channel("ethics", ".", &full),
            "two channels have the id `ethics`",
        ),
        (
            channel("ethics", ".", &full) + &channel("audit", ".", "\"English only\""),
            "channel `audit`: about lacks a translation in ar, zh-Hans, fr, ru, es",
        ),
        (channel("ethics", ".", &full), "one channel is no choice"),
    ];
    for (config, phrase) in cases {
        let err = refused_start(dir, &keys, &config);
        assert!(err.contains(phrase), "should say {phrase:?}: {err}");
    }
    // A folder without an officer key is named too.
    std::fs::create_dir_all(keys.join("audit")).expect("mkdir");
    std::fs::copy(public.join("recipients.txt"), keys.join("audit/recipients.txt")).expect("copy");
    let err = refused_start(
        dir,
        &keys,
        &(channel("ethics", ".", &full) + &channel("audit", "audit", &full)),
    );
    assert!(
        err.contains("channel `audit`: no officer signing key in"),
        "{err}"
    );
}

#[test]
fn a_tenant_may_have_channels_of_its_own() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let tenants = dir.join("tenants");
    let folder = tenants.join("un");
    let (ethics_public, ethics) = keygen(&dir.join("ethics"));
    let (audit_public, audit) = keygen(&dir.join("audit"));
    copy_dir(&ethics_public, &folder.join("keys"));
    copy_dir(&audit_public, &folder.join("keys/audit"));
    std::fs::write(
        folder.join("candor.toml"),
        format!(
            "hosts = [\"un.example\"]\n\n[[channels]]\nid = \"ethics\"\nkeys = \".\"\nname = {}\nabout = {}\n\n\
             [[channels]]\nid = \"audit\"\nkeys = \"audit\"\nname = {}\nabout = {}\n",
            languages("Ethics Office"),
            languages("The ethics officers read it."),
            languages("Chair of the Audit Committee"),
            languages("Only the chair reads it."),
        ),
    )
    .expect("candor.toml");
    let server = Server::start_tenants(&tenants, &[]);
    let resp = client()
        .post(format!("{}/report", server.site))
        .header("Host", "un.example")
        .multipart(report_form(Some("audit"), "fraud", "About the ethics office."))
        .send()
        .expect("post");
    receipt_of(resp);
    let resp = client()
        .post(format!("{}/report", server.site))
        .header("Host", "un.example")
        .multipart(report_form(None, "fraud", "No choice."))
        .send()
        .expect("post");
    assert_eq!(resp.status(), 400);
    let bundle = dir.join("un.bundle");
    let resp = client()
        .get(format!("{}/export?after=0", server.api))
        .header("Host", "un.example")
        .bearer_auth(token(&audit))
        .send()
        .expect("export");
    assert_eq!(resp.status(), 200, "the chair's own token");
    std::fs::write(&bundle, resp.bytes().expect("bytes")).expect("write");
    let audit_vault = dir.join("audit-vault");
    let said = desk_ok(&[
        "open",
        s(&bundle),
        "--keys",
        s(&audit),
        "--vault",
        s(&audit_vault),
    ]);
    assert!(said.contains("1 new case(s)"), "{said}");
    let ethics_vault = dir.join("ethics-vault");
    let said = desk_ok(&[
        "open",
        s(&bundle),
        "--keys",
        s(&ethics),
        "--vault",
        s(&ethics_vault),
    ]);
    assert!(said.contains("0 new case(s)"), "{said}");
    assert!(
        said.contains("1 entry addressed to channel `audit` skipped"),
        "{said}"
    );
}

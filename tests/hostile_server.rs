//! The server as the adversary: whoever controls it, seizes its disk or holds
//! a backup has `data/server.key` and can write any export. This suite plays
//! that adversary. It drives the real server over HTTP and the real desk to
//! get a genuine history (reports, a reporter's messages, the officer's
//! signed replies and statuses), then forges exports with its OWN encoding
//! of the export format (written here from the format's documentation, not
//! with candor's bundle writer), chained and signed with the real server key,
//! and hands each to the real `candor-desk open`.
//!
//! Every forgery must be refused with a message naming the entry, and the
//! vault's bytes must be exactly what they were. The forgeries follow the
//! format the genuine export speaks (its entry header version), so that on a
//! desk that trusts the server's word they are accepted: each test here
//! fails against a release without officer signatures and message MACs.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

// ------------------------------------------------------------ the forger's own encoding

/// One entry as the forger handles it: the header's fields, raw.
#[derive(Clone, Debug)]
struct Raw {
    version: u8,
    seq: u64,
    kind: u8,
    case: [u8; 8],
    day: u32,
    body_len: u64,
    body_hash: [u8; 32],
    prev: [u8; 32],
    recipient: Option<Vec<u8>>,
    part: Option<[u8; 20]>,
    op: Option<[u8; 16]>,
    /// Version 2's trailing proof (kind byte and what follows), raw.
    auth: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

const REPORT: u8 = 1;
const MESSAGE: u8 = 2;
const REPLY: u8 = 4;
const STATUS: u8 = 5;
const PURGE: u8 = 6;

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes(b.try_into().expect("8 bytes"))
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b.try_into().expect("4 bytes"))
}

impl Raw {
    fn parse(h: &[u8], body: Option<Vec<u8>>) -> Raw {
        let flags = h[94];
        let mut at = 95;
        let recipient = (flags & 1 != 0).then(|| {
            let len = usize::from(u16::from_be_bytes([h[at], h[at + 1]]));
            let r = h[at + 2..at + 2 + len].to_vec();
            at += 2 + len;
            r
        });
        let part = (flags & 2 != 0).then(|| {
            let p: [u8; 20] = h[at..at + 20].try_into().expect("part");
            at += 20;
            p
        });
        let op = (flags & 4 != 0).then(|| {
            let o: [u8; 16] = h[at..at + 16].try_into().expect("op");
            at += 16;
            o
        });
        let auth = (flags & 8 != 0).then(|| h[at..].to_vec());
        Raw {
            version: h[0],
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
            body,
        }
    }

    fn header(&self) -> Vec<u8> {
        let mut h = vec![self.version];
        h.extend_from_slice(&self.seq.to_be_bytes());
        h.push(self.kind);
        h.extend_from_slice(&self.case);
        h.extend_from_slice(&self.day.to_be_bytes());
        h.extend_from_slice(&self.body_len.to_be_bytes());
        h.extend_from_slice(&self.body_hash);
        h.extend_from_slice(&self.prev);
        let flags = u8::from(self.recipient.is_some())
            | u8::from(self.part.is_some()) << 1
            | u8::from(self.op.is_some()) << 2
            | u8::from(self.auth.is_some()) << 3;
        h.push(flags);
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
        h
    }

    fn hash(&self) -> [u8; 32] {
        let mut d = Sha256::new();
        d.update(format!("candor/entry/v{}\0", self.version).as_bytes());
        d.update(self.header());
        d.finalize().into()
    }

    /// A new entry holding `body`, in the given header version.
    fn new(version: u8, kind: u8, case: [u8; 8], body: Vec<u8>) -> Raw {
        Raw {
            version,
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
            body: Some(body),
        }
    }
}

/// An export as the forger reads it.
struct Export {
    magic: [u8; 16],
    after: u64,
    prev: [u8; 32],
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
        let magic: [u8; 16] = bytes[..16].try_into().expect("magic");
        let mut at = 16;
        let mut start = None;
        let mut entries = Vec::new();
        while at < bytes.len() {
            let tag = bytes[at];
            let len = be_u32(&bytes[at + 1..at + 5]) as usize;
            let p = &bytes[at + 5..at + 5 + len];
            at += 5 + len;
            match tag {
                1 => start = Some((be_u64(&p[32..40]), p[40..72].try_into().expect("prev"))),
                2 => {
                    let hlen = usize::from(u16::from_be_bytes([p[0], p[1]]));
                    let header = &p[2..2 + hlen];
                    let body = (p[2 + hlen] == 1).then(|| p[3 + hlen..].to_vec());
                    entries.push(Raw::parse(header, body));
                }
                _ => {}
            }
        }
        let (after, prev) = start.expect("start record");
        Export {
            magic,
            after,
            prev,
            entries,
        }
    }

    /// The version the genuine server writes its entries in.
    fn version(&self) -> u8 {
        self.entries.last().map_or(2, |e| e.version)
    }

    /// Re-chains the entries after the start and signs the head with the
    /// server's key, as the server would.
    fn write(&self, key: &SigningKey) -> Vec<u8> {
        let mut out = self.magic.to_vec();
        record(
            &mut out,
            1,
            &[
                key.verifying_key().as_bytes(),
                &self.after.to_be_bytes(),
                &self.prev,
            ],
        );
        let mut prev = self.prev;
        let mut seq = self.after;
        for e in &self.entries {
            let mut e = e.clone();
            seq += 1;
            e.seq = seq;
            e.prev = prev;
            prev = e.hash();
            let h = e.header();
            let flag = [u8::from(e.body.is_some())];
            record(
                &mut out,
                2,
                &[
                    &(h.len() as u16).to_be_bytes(),
                    &h,
                    &flag,
                    e.body.as_deref().unwrap_or(&[]),
                ],
            );
        }
        let mut m = b"candor/head/v1\0".to_vec();
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend_from_slice(&prev);
        let sig = key.sign(&m).to_bytes();
        record(&mut out, 3, &[&seq.to_be_bytes(), &prev, &sig]);
        out
    }
}

/// The server's own key, read from its data directory as an intruder would.
fn server_key(data: &Path) -> SigningKey {
    let text = std::fs::read_to_string(data.join("server.key")).expect("server.key");
    let line = text
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("key line");
    let b64 = line.split_whitespace().last().expect("base64");
    let bytes: [u8; 32] = STANDARD
        .decode(b64)
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    SigningKey::from_bytes(&bytes)
}

/// An envelope sealed to the office's public key, in the format the genuine
/// export's version uses (version 2 names the case).
fn seal(version: u8, case: [u8; 8], json: &Value, office: &age::x25519::Recipient) -> Vec<u8> {
    use std::io::Write;
    let body = serde_json::to_vec(json).expect("json");
    let mut plain = if version >= 2 {
        let mut p = b"CNDRENV2".to_vec();
        p.extend_from_slice(&case);
        p
    } else {
        b"CNDRENV1".to_vec()
    };
    plain.extend_from_slice(&(body.len() as u32).to_be_bytes());
    plain.extend_from_slice(&body);
    let total = candor::core::padding::padded_len(plain.len() as u64) as usize;
    plain.resize(total.max(plain.len()), 0);
    let enc =
        age::Encryptor::with_recipients(std::iter::once(office as &dyn age::Recipient)).expect("encryptor");
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).expect("wrap");
    w.write_all(&plain).expect("write");
    w.finish().expect("finish");
    out
}

/// An officer signature made with a key of the forger's choosing.
fn forged_auth(kind: u8, case: [u8; 8], op: [u8; 16], day: u32, prev: [u8; 16], body: &[u8]) -> Vec<u8> {
    let key = SigningKey::from_bytes(&[0x66; 32]);
    let mut m = b"candor/op/v2\0".to_vec();
    m.extend_from_slice(&op);
    m.push(kind);
    m.extend_from_slice(&case);
    m.extend_from_slice(&day.to_be_bytes());
    m.extend_from_slice(&prev);
    m.extend_from_slice(&Sha256::digest(body));
    let mut a = vec![1];
    a.extend_from_slice(key.verifying_key().as_bytes());
    a.extend_from_slice(&day.to_be_bytes());
    a.extend_from_slice(&prev);
    a.extend_from_slice(&key.sign(&m).to_bytes());
    a
}

/// An office operation forged in the genuine export's version: unsigned in
/// version 1 (as the previous release wrote them), signed with the forger's
/// key in version 2.
fn forged_op(version: u8, kind: u8, case: [u8; 8], op: [u8; 16], day: u32, body: Vec<u8>) -> Raw {
    let mut e = Raw::new(version, kind, case, body);
    e.op = Some(op);
    if version >= 2 {
        e.auth = Some(forged_auth(
            kind,
            case,
            op,
            day,
            [0; 16],
            e.body.as_deref().unwrap_or(&[]),
        ));
    }
    e
}

// ------------------------------------------------------------ the genuine history

struct World {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    secret: PathBuf,
    vault: PathBuf,
    office: age::x25519::Recipient,
    key: SigningKey,
    /// What the desk has opened: everything up to the officer's first ops.
    seen: Export,
    /// The genuine continuation the desk has not opened yet.
    next: Export,
    case_a: [u8; 8],
    case_b: [u8; 8],
    failures: std::cell::RefCell<Vec<String>>,
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn send_message(site: &str, receipt: &str, text: &str) {
    let (status, page) = login(site, receipt);
    assert_eq!(status, 200);
    let session = session_field(&page).expect("session");
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session)
        .text("message", text.to_owned());
    let resp = post_multipart(site, "/followup/message", form);
    assert!(
        resp.status().is_success() || resp.status().is_redirection(),
        "{}",
        resp.status()
    );
}

fn cases(vault: &Path, secret: &Path) -> Value {
    serde_json::from_str(&desk_ok(&[
        "cases",
        "--vault",
        s(vault),
        "--keys",
        s(secret),
        "--json",
    ]))
    .expect("json")
}

/// Runs the officer's outbox through the server.
fn officer_round(w: &Path, secret: &Path, vault: &Path, api: &str, token: &str, name: &str) {
    let out = w.join(name);
    desk_ok(&[
        "outbox",
        "--vault",
        s(vault),
        "--keys",
        s(secret),
        "--out",
        s(&out),
    ]);
    let (status, body) = import(api, token, &std::fs::read(&out).expect("outbox"));
    assert_eq!(status, 200, "{body}");
}

fn open(w: &World, vault: &Path, bytes: &[u8], name: &str) -> std::process::Output {
    let path = w.dir.join(name);
    std::fs::write(&path, bytes).expect("write bundle");
    desk(&["open", s(&path), "--keys", s(&w.secret), "--vault", s(vault)])
}

fn head_of(seen: &Export) -> (u64, [u8; 32]) {
    let last = seen.entries.last().expect("entries");
    (last.seq, last.hash())
}

fn world() -> World {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let (public, secret) = keygen(&dir.join("office"));
    let office: age::x25519::Recipient = std::fs::read_to_string(public.join("recipients.txt"))
        .expect("recipients")
        .lines()
        .find(|l| l.starts_with("age1"))
        .expect("recipient")
        .parse()
        .expect("age recipient");
    let data = dir.join("data");
    let server = Server::start(&data, &public);
    let token = token(&secret);
    let receipt_a = file_report(&server.site, "The director splits contracts.", &["fraud"], &[]);
    let _receipt_b = file_report(&server.site, "My manager shouts at me.", &["harassment"], &[]);
    send_message(&server.site, &receipt_a, "I have the invoices.");
    let vault = dir.join("vault");
    let first = dir.join("first.bundle");
    assert_eq!(export(&server.api, &token, 0, &first), 200);
    desk_ok(&["open", s(&first), "--keys", s(&secret), "--vault", s(&vault)]);
    let first = Export::parse(&std::fs::read(&first).expect("bundle"));
    let reports: Vec<[u8; 8]> = first
        .entries
        .iter()
        .filter(|e| e.kind == REPORT)
        .map(|e| e.case)
        .collect();
    let (case_a, case_b) = (reports[0], reports[1]);
    let listed = cases(&vault, &secret);
    let id_of = |case: [u8; 8]| -> String {
        // The desk lists cases by their text id; find it by the report's description.
        let want = if case == case_a { "fraud" } else { "harassment" };
        listed
            .as_array()
            .expect("array")
            .iter()
            .find(|c| c["categories"][0] == want)
            .expect("case")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (text_a, text_b) = (id_of(case_a), id_of(case_b));
    // The officer answers case A and opens an investigation.
    desk_ok(&[
        "reply",
        &text_a,
        "--vault",
        s(&vault),
        "--message",
        "Thank you, we are looking into it.",
    ]);
    desk_ok(&["status", &text_a, "--vault", s(&vault), "--set", "investigation"]);
    desk_ok(&["status", &text_b, "--vault", s(&vault), "--set", "acknowledged"]);
    officer_round(&dir, &secret, &vault, &server.api, &token, "outbox-1.bundle");
    let second = dir.join("second.bundle");
    let after = first.entries.last().expect("entries").seq;
    assert_eq!(export(&server.api, &token, after, &second), 200);
    desk_ok(&["open", s(&second), "--keys", s(&secret), "--vault", s(&vault)]);
    let mut seen = first;
    seen.entries
        .extend(Export::parse(&std::fs::read(&second).expect("bundle")).entries);

    // The genuine continuation: two new reports, a message, and two status
    // changes the officer makes one after the other.
    // Each with an attachment of the same size and other content, so that
    // the server can swap them without changing a size.
    file_report(
        &server.site,
        "Gifts from a supplier.",
        &["conflict-of-interest"],
        &[("gifts.pdf", vec![b'g'; 5_000])],
    );
    file_report(
        &server.site,
        "Secret side job.",
        &["outside-activities"],
        &[("side-job.pdf", vec![b'j'; 5_000])],
    );
    send_message(&server.site, &receipt_a, "One more thing.");
    desk_ok(&[
        "status",
        &text_a,
        "--vault",
        s(&vault),
        "--set",
        "preliminary-review",
    ]);
    desk_ok(&[
        "status",
        &text_a,
        "--vault",
        s(&vault),
        "--set",
        "closed-referred",
    ]);
    officer_round(&dir, &secret, &vault, &server.api, &token, "outbox-2.bundle");
    let third = dir.join("third.bundle");
    let after = seen.entries.last().expect("entries").seq;
    assert_eq!(export(&server.api, &token, after, &third), 200);
    let next = Export::parse(&std::fs::read(&third).expect("bundle"));
    server.stop();
    let key = server_key(&data);
    World {
        _tmp: tmp,
        dir,
        secret,
        vault,
        office,
        key,
        seen,
        next,
        case_a,
        case_b,
        failures: std::cell::RefCell::new(Vec::new()),
    }
}

impl World {
    /// An export continuing what the desk has seen with `entries`.
    fn forged(&self, entries: Vec<Raw>) -> Vec<u8> {
        let (after, prev) = head_of(&self.seen);
        Export {
            magic: self.next.magic,
            after,
            prev,
            entries,
        }
        .write(&self.key)
    }

    fn version(&self) -> u8 {
        self.next.version()
    }

    /// Opens `bundle` on a fresh copy of the desk's vault and checks for a
    /// refusal that names an entry and contains `phrase`, with every byte of
    /// the vault as it was. A failure is noted (each attack is judged on its
    /// own, so a run shows every forgery a desk lets through) and reported at
    /// the end by [`World::verdict`].
    fn refused(&self, bundle: &[u8], what: &str, phrase: &str) {
        let vault = self.dir.join(format!("vault-{what}"));
        copy_dir(&self.vault, &vault);
        let before = vault_bytes(&vault);
        let out = open(self, &vault, bundle, &format!("{what}.bundle"));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let problem = if vault_bytes(&vault) != before {
            Some(format!(
                "the vault changed (exit {:?}); stdout: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout)
            ))
        } else if out.status.code() != Some(3) {
            Some(format!("not refused (exit {:?})", out.status.code()))
        } else if !stderr.contains("entry ") || !stderr.contains(phrase) {
            Some(format!("refused for another reason than {phrase:?}: {stderr}"))
        } else {
            None
        };
        if let Some(p) = problem {
            self.failures.borrow_mut().push(format!("{what}: {p}"));
        }
    }

    fn verdict(&self) {
        let failures = self.failures.borrow();
        assert!(
            failures.is_empty(),
            "forgeries the desk let through:\n{}",
            failures.join("\n")
        );
    }
}

fn vault_bytes(vault: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = all_bytes(vault);
    files.sort();
    files
}

fn status_json(day: u32, status: &str) -> Value {
    serde_json::json!({"type": "status", "status": status, "day": day_text(day)})
}

/// Days since 1970 as the JSON the envelopes use (YYYY-MM-DD).
fn day_text(day: u32) -> String {
    // Civil from days (Howard Hinnant's algorithm).
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}

// ------------------------------------------------------------ the attacks

/// A control: the forger's encoding of the genuine continuation opens. So
/// every refusal below is the desk's verdict on the forgery, not on the
/// encoding.
fn control(w: &World) {
    let copy = w.dir.join("control-vault");
    copy_dir(&w.vault, &copy);
    let bundle = w.forged(w.next.entries.clone());
    let out = open(w, &copy, &bundle, "control.bundle");
    assert!(
        out.status.success(),
        "the re-encoded genuine export must open: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn a_compromised_server_can_forge_nothing_into_the_desk() {
    let w = world();
    control(&w);
    let v = w.version();
    let (a, b) = (w.case_a, w.case_b);

    // A status dated 2019 that would make `purge --closed-before 2021-01-01`
    // delete a case received this week.
    let day_2019 = 18_000;
    let status = seal(v, a, &status_json(day_2019, "closed-unsubstantiated"), &w.office);
    let e = forged_op(v, STATUS, a, [0x51; 16], day_2019, status.clone());
    let bundle = w.forged(vec![e]);
    w.refused(&bundle, "forged-status", "signing keys");
    // What the forged status would do if it were applied: a retention purge
    // of cases closed before 2021 deletes case A, received this week.
    let trial = w.dir.join("vault-trial");
    copy_dir(&w.vault, &trial);
    let _ = open(&w, &trial, &bundle, "trial.bundle");
    desk(&[
        "purge",
        "--closed-before",
        "2021-01-01",
        "--vault",
        s(&trial),
        "--keys",
        s(&w.secret),
    ]);
    let left = cases(&trial, &w.secret).as_array().map_or(0, Vec::len);
    if left != 2 {
        w.failures.borrow_mut().push(format!(
            "purge --closed-before 2021-01-01 after a forged 2019 status left {left} of 2 cases"
        ));
    }
    // The same in the previous release's format, after this release's entries.
    if v >= 2 {
        let legacy = forged_op(1, STATUS, a, [0x52; 16], day_2019, status);
        w.refused(
            &w.forged(vec![legacy]),
            "forged-legacy-status",
            "previous release",
        );
    }

    // An office reply telling the reporter where to send the evidence.
    let reply = serde_json::json!({"type": "reply", "text": "Send the evidence to evil@example.org", "day": day_text(20_400)});
    let e = forged_op(v, REPLY, a, [0x53; 16], 20_400, seal(v, a, &reply, &w.office));
    w.refused(&w.forged(vec![e]), "forged-reply", "signing keys");

    // A reporter message withdrawing the report.
    let msg = serde_json::json!({"type": "message", "text": "I withdraw my report.", "attachments": [], "day": day_text(20_400)});
    let mut e = Raw::new(v, MESSAGE, a, seal(v, a, &msg, &w.office));
    if v >= 2 {
        e.auth = Some([&[2u8][..], &[0x77; 32]].concat());
    }
    w.refused(&w.forged(vec![e]), "forged-message", "MAC does not match");

    // A purge of case B.
    let e = forged_op(v, PURGE, b, [0x54; 16], 20_400, Vec::new());
    w.refused(&w.forged(vec![e]), "forged-purge", "signing keys");

    // A case "recorded at the desk" that no officer recorded.
    let new_case = [0, 0, 0, 0, 0x0f, 0x0e, 0x0d, 0x0c];
    let reporter = age::x25519::Identity::generate().to_public().to_string();
    let report = serde_json::json!({
        "type": "report", "kind": "misconduct", "categories": ["fraud"],
        "description": "The ethics officer takes bribes.", "attachments": [], "day": day_text(20_400),
        "recipient": reporter, "message_key": hex::encode([0x11; 32]),
    });
    let mut e = forged_op(
        v,
        REPORT,
        new_case,
        [0x55; 16],
        20_400,
        seal(v, new_case, &report, &w.office),
    );
    e.recipient = Some(reporter.into_bytes());
    w.refused(&w.forged(vec![e]), "forged-recorded-case", "signing keys");

    // A genuine signed operation of case A replayed onto case B.
    let genuine_op = w
        .seen
        .entries
        .iter()
        .find(|e| e.kind == STATUS && e.case == a)
        .expect("a genuine status of case A")
        .clone();
    let moved = Raw {
        case: b,
        ..genuine_op.clone()
    };
    w.refused(&w.forged(vec![moved]), "replayed-op-other-case", "does not match");
    // And replayed in its own case.
    w.refused(&w.forged(vec![genuine_op]), "replayed-op-same-case", "sent again");
    w.verdict();
}

#[test]
fn a_compromised_server_can_neither_rewrite_swap_nor_reorder_genuine_entries() {
    let w = world();
    let next = &w.next.entries;
    let new_reports: Vec<usize> = (0..next.len()).filter(|&i| next[i].kind == REPORT).collect();
    assert_eq!(new_reports.len(), 2, "two new reports in the continuation");

    // The reporter's reply recipient rewritten in a report not yet exported:
    // the office's next reply would be readable by the server's holder.
    let attacker = age::x25519::Identity::generate().to_public().to_string();
    let mut rewritten = next.clone();
    rewritten[new_reports[0]].recipient = Some(attacker.into_bytes());
    w.refused(&w.forged(rewritten), "rewritten-recipient", "reply recipient");

    // Two reports' case ids swapped between their entries.
    let mut swapped = next.clone();
    let (x, y) = (new_reports[0], new_reports[1]);
    let (cx, cy) = (swapped[x].case, swapped[y].case);
    swapped[x].case = cy;
    swapped[y].case = cx;
    for e in swapped.iter_mut().filter(|e| e.kind == 3) {
        // Attachment chunks follow their report's case.
        e.case = if e.case == cx {
            cy
        } else if e.case == cy {
            cx
        } else {
            e.case
        };
    }
    w.refused(&w.forged(swapped), "swapped-case-ids", "sealed for case");

    // The two reports' attachments swapped: each chunk keeps its attachment
    // id and carries the other's ciphertext, which the office key opens just
    // as well. The envelope sealed each attachment's SHA-256.
    let chunks: Vec<usize> = (0..next.len()).filter(|&i| next[i].kind == 3).collect();
    assert_eq!(chunks.len(), 2, "one chunk for each new report's attachment");
    let mut exchanged = next.clone();
    let (x, y) = (chunks[0], chunks[1]);
    let (bx, by) = (exchanged[x].clone(), exchanged[y].clone());
    for (at, from) in [(x, &by), (y, &bx)] {
        let e = &mut exchanged[at];
        e.body = from.body.clone();
        e.body_len = from.body_len;
        e.body_hash = from.body_hash;
    }
    w.refused(
        &w.forged(exchanged),
        "swapped-attachments",
        "not the content its envelope sealed",
    );

    // A genuine message moved to the other case.
    let msg = next
        .iter()
        .position(|e| e.kind == MESSAGE)
        .expect("a genuine message");
    let mut moved = next.clone();
    moved[msg].case = w.case_b;
    w.refused(&w.forged(moved), "message-to-other-case", "MAC does not match");

    // A genuine message of case A from the first export, sent again.
    let old_message = w
        .seen
        .entries
        .iter()
        .find(|e| e.kind == MESSAGE)
        .expect("the first genuine message")
        .clone();
    let mut replayed = next.clone();
    replayed.push(old_message);
    w.refused(&w.forged(replayed), "replayed-message", "sent again");

    // The officer's two status changes of case A, in the other order: the
    // case would end "preliminary-review" instead of "closed-referred".
    let statuses: Vec<usize> = (0..next.len()).filter(|&i| next[i].kind == STATUS).collect();
    assert_eq!(statuses.len(), 2, "two status changes in the continuation");
    let mut reordered = next.clone();
    reordered.swap(statuses[0], statuses[1]);
    w.refused(&w.forged(reordered), "reordered-ops", "reordered");
    w.verdict();
}

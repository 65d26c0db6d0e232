//! Office keys that expire or are revoked: the server seals to every key
//! that can receive today, warns of keys that expire within 60 days or have
//! expired (in its log and in the officer API's `/status`), and refuses to
//! start only when no office key can receive.
//!
//! The real `candor` and `candor-desk` binaries; OpenPGP certificates with
//! past and near expiry made with sequoia here. The day is fixed with
//! `CANDOR_TODAY`, or, for a key that expires while the server runs, the
//! server runs under libfaketime across a midnight.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use candor::core::day::Day;
use common::*;
use sequoia_openpgp::cert::{CertBuilder, CipherSuite};
use sequoia_openpgp::serialize::SerializeInto;

/// The day the server believes it is, in the tests that fix it.
const TODAY: &str = "2026-06-15";

fn day(text: &str) -> Day {
    text.parse().expect("date")
}

fn at(d: Day, hour: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::from(d.0) * 86_400 + hour * 3600)
}

/// An office certificate created on 2020-01-01 whose key stops at `expires`
/// (or never), written as `dir/name`; returns its fingerprint.
fn office_cert(dir: &Path, name: &str, expires: Option<SystemTime>) -> String {
    let created = at(day("2020-01-01"), 0);
    let mut builder = CertBuilder::new()
        .set_cipher_suite(CipherSuite::Cv25519)
        .set_creation_time(created)
        .add_userid(format!("office key {name}"))
        .add_storage_encryption_subkey();
    if let Some(end) = expires {
        builder = builder.set_validity_period(end.duration_since(created).expect("after creation"));
    }
    let (cert, _) = builder.generate().expect("certificate");
    let fingerprint = cert.fingerprint().to_hex();
    let armored = cert
        .strip_secret_key_material()
        .armored()
        .to_vec()
        .expect("armor");
    std::fs::write(dir.join(name), armored).expect("write certificate");
    fingerprint
}

/// A server keys/ folder: the officer's key and token hash from `keygen`,
/// with (`age`) or without its age office recipient.
fn server_keys(tmp: &Path, age: bool) -> (PathBuf, PathBuf) {
    let (public, secret) = keygen(&tmp.join("office"));
    let keys = tmp.join("keys");
    std::fs::create_dir_all(&keys).expect("mkdir");
    let mut files = vec!["officer.pub", "officer-token.sha256"];
    if age {
        files.push("recipients.txt");
    }
    for f in files {
        std::fs::copy(public.join(f), keys.join(f)).expect("copy key");
    }
    (keys, secret)
}

fn status(server: &Server, token: &str) -> serde_json::Value {
    let resp = client()
        .get(format!("{}/status?after=0", server.api))
        .bearer_auth(token)
        .send()
        .expect("status");
    assert_eq!(resp.status(), 200);
    serde_json::from_str(&resp.text().expect("body")).expect("json")
}

/// The export bundle after `after`, as bytes.
fn export_bytes(server: &Server, token: &str, after: u64, tmp: &Path) -> Vec<u8> {
    let path = tmp.join(format!("export-{after}.bundle"));
    assert_eq!(export(&server.api, token, after, &path), 200);
    std::fs::read(path).expect("bundle")
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn stanza(fingerprint: &str) -> String {
    format!("-> candor-openpgp {fingerprint}")
}

#[test]
fn reports_are_stored_while_one_valid_key_is_left_and_the_others_are_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (keys, secret) = server_keys(tmp.path(), true);
    let expired = office_cert(&keys, "expired.asc", Some(at(day("2026-06-01"), 12)));
    let expiring = office_cert(&keys, "expiring.asc", Some(at(day("2026-07-15"), 12)));
    let lasting = office_cert(&keys, "lasting.asc", Some(at(day("2027-06-15"), 12)));
    let server = Server::start_with(&tmp.path().join("data"), &keys, &[("CANDOR_TODAY", TODAY)]);

    let receipt = file_report(
        &server.site,
        "Still received with an expired key.",
        &["fraud"],
        &[],
    );
    assert!(!receipt.is_empty());
    let token = token(&secret);
    let bundle = export_bytes(&server, &token, 0, tmp.path());
    assert!(!contains(&bundle, &stanza(&expired)), "sealed to the expired key");
    assert!(
        contains(&bundle, &stanza(&expiring)),
        "not sealed to the key still valid"
    );
    assert!(contains(&bundle, &stanza(&lasting)));
    let vault = tmp.path().join("vault");
    std::fs::write(tmp.path().join("export.bundle"), &bundle).expect("write");
    desk_ok(&[
        "open",
        tmp.path().join("export.bundle").to_str().expect("path"),
        "--keys",
        secret.to_str().expect("path"),
        "--vault",
        vault.to_str().expect("path"),
    ]);
    let cases = desk_ok(&["cases", "--vault", vault.to_str().expect("path"), "--json"]);
    let cases: serde_json::Value = serde_json::from_str(&cases).expect("json");
    assert_eq!(cases.as_array().map(Vec::len), Some(1), "{cases}");

    // The transfer machine sees each key's state and the warnings.
    let v = status(&server, &token);
    let keys_seen = v["office_keys"].as_array().expect("office_keys");
    let find = |file: &str| {
        keys_seen
            .iter()
            .find(|k| k["file"] == file)
            .unwrap_or_else(|| panic!("{file} missing from {v}"))
            .clone()
    };
    assert_eq!(find("expired.asc")["state"], "expired");
    assert_eq!(find("expired.asc")["expires"], "2026-06-01");
    assert_eq!(find("expired.asc")["receives"], false);
    assert_eq!(find("expiring.asc")["state"], "expiring");
    assert_eq!(find("expiring.asc")["expires"], "2026-07-15");
    assert_eq!(find("expiring.asc")["receives"], true);
    assert_eq!(find("lasting.asc")["state"], "valid");
    assert_eq!(find("recipients.txt")["state"], "valid");
    let warnings = v["office_key_warnings"].as_array().expect("warnings");
    assert_eq!(
        warnings,
        &vec![
            serde_json::json!(format!("expired.asc ({expired}) expired on 2026-06-01")),
            serde_json::json!(format!(
                "expiring.asc ({expiring}) expires on 2026-07-15, in 30 day(s)"
            )),
        ],
        "{v}"
    );

    // The start-up log names each key that needs attention, and no other.
    let log = server.stop();
    assert!(
        log.contains(&format!(
            "office key expired.asc ({expired}) expired on 2026-06-01: reports are no longer sealed to it"
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "office key expiring.asc ({expiring}) expires on 2026-07-15, in 30 day(s): still receives reports"
        )),
        "{log}"
    );
    assert!(!log.contains(&lasting), "a valid key warned of: {log}");
}

/// Runs `candor serve` that must exit; returns its exit success and stderr.
fn serve_must_exit(keys: &Path, data: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(SERVER);
    serve_args(&mut cmd, data, keys)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start candor");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .expect("stderr")
                .read_to_string(&mut err)
                .expect("read");
            return (status.success(), err);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started with no valid office key");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn start_up_is_refused_only_when_no_office_key_is_left_naming_each() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (keys, _secret) = server_keys(tmp.path(), false);
    let expired = office_cert(&keys, "old.asc", Some(at(day("2026-06-01"), 12)));
    let future = office_cert(&keys, "late.asc", None);
    // late.asc is valid from 2020 on; judged on a day before it existed.
    let (ok, err) = serve_must_exit(&keys, &tmp.path().join("data"), &[("CANDOR_TODAY", "2019-06-01")]);
    assert!(!ok);
    assert!(err.contains("late.asc"), "{err}");
    assert!(err.contains("not valid yet"), "{err}");
    std::fs::remove_file(keys.join("late.asc")).expect("rm");

    let (ok, err) = serve_must_exit(&keys, &tmp.path().join("data"), &[("CANDOR_TODAY", TODAY)]);
    assert!(!ok, "started with only an expired key");
    assert!(
        err.contains("no office key in") && err.contains("can receive reports on 2026-06-15"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "old.asc: the OpenPGP certificate {expired} cannot be encrypted to: expired on 2026-06-01"
        )),
        "the refusal does not name the key and why: {err}"
    );
    assert!(!err.contains(&future), "{err}");

    // One valid key more and it starts, still naming the expired one.
    let valid = office_cert(&keys, "new.asc", None);
    let server = Server::start_with(&tmp.path().join("data"), &keys, &[("CANDOR_TODAY", TODAY)]);
    file_report(&server.site, "Received by the new key.", &["conduct"], &[]);
    let log = server.stop();
    assert!(
        log.contains(&format!("office key old.asc ({expired}) expired on 2026-06-01")),
        "{log}"
    );
    assert!(!log.contains(&valid), "{log}");
}

#[test]
fn a_key_that_expires_while_the_server_runs_drops_out_and_reports_go_on() {
    if tool_missing("faketime", "faketime") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (keys, secret) = server_keys(tmp.path(), true);
    // The server's clock starts 15 s before midnight on 2026-06-15; this key
    // stops at noon on 2026-06-16: valid on the 15th, expired on the 16th.
    let fading = office_cert(&keys, "fading.asc", Some(at(day("2026-06-16"), 12)));
    let mut cmd = Command::new("faketime");
    cmd.arg("2026-06-15 23:59:45")
        .arg(SERVER)
        .env("TZ", "UTC")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env_remove("CANDOR_TODAY");
    let started = Instant::now();
    let server = Server::spawn(cmd, &tmp.path().join("data"), &keys, &[]);
    let token = token(&secret);
    file_report(&server.site, "Before midnight.", &["fraud"], &[]);
    let before = status(&server, &token);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "too slow to file before the server's midnight"
    );
    let fading_state = |v: &serde_json::Value| {
        v["office_keys"]
            .as_array()
            .and_then(|a| a.iter().find(|k| k["file"] == "fading.asc"))
            .map(|k| k["state"].clone())
    };
    assert_eq!(
        fading_state(&before),
        Some(serde_json::json!("expiring")),
        "{before}"
    );
    let head = before["head"].as_u64().expect("head");
    let first = export_bytes(&server, &token, 0, tmp.path());
    assert!(
        contains(&first, &stanza(&fading)),
        "not sealed to the key while valid"
    );

    std::thread::sleep(Duration::from_secs(20).saturating_sub(started.elapsed()));
    let receipt = file_report(&server.site, "After midnight.", &["fraud"], &[]);
    assert!(!receipt.is_empty());
    let after = status(&server, &token);
    assert_eq!(
        fading_state(&after),
        Some(serde_json::json!("expired")),
        "{after}"
    );
    let second = export_bytes(&server, &token, head, tmp.path());
    assert!(
        !contains(&second, &stanza(&fading)),
        "sealed to the key after it expired"
    );
    assert!(contains(&second, "-> X25519 "), "not sealed to the age key");
    // Once a day, just after the date changes, the log names the key again,
    // now as no longer receiving (at start-up it still received).
    let daily = |log: &str| {
        log.lines()
            .any(|l| l.contains("fading.asc") && l.contains("no longer sealed"))
    };
    let waited = Instant::now();
    while !daily(&server.log.lock().expect("log")) && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = server.stop();
    assert!(
        log.lines()
            .any(|l| l.contains("fading.asc") && l.contains("still receives")),
        "no start-up warning: {log}"
    );
    assert!(daily(&log), "no warning after the date changed: {log}");
}

#[test]
fn the_desk_names_office_asc_when_it_cannot_decrypt_with_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("server-office"));
    let other = tmp.path().join("pgp-office");
    desk_ok(&[
        "keygen",
        "--openpgp",
        "--no-passphrase",
        "--out",
        other.to_str().expect("path"),
    ]);
    let server = Server::start(&tmp.path().join("data"), &public);
    file_report(&server.site, "Not for the OpenPGP key.", &["fraud"], &[]);
    let token = token(&tmp.path().join("server-office/secret"));
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    server.stop();
    let out = desk(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        other.join("secret").to_str().expect("path"),
        "--vault",
        tmp.path().join("vault").to_str().expect("path"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("Could not decrypt: is this the right office.asc?"),
        "{err}"
    );
}

#[test]
fn the_desk_leaves_another_desks_expired_key_out_of_its_outbox_and_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (keys, secret) = server_keys(tmp.path(), true);
    let server = Server::start_with(&tmp.path().join("data"), &keys, &[("CANDOR_TODAY", TODAY)]);
    file_report(&server.site, "A reply will follow.", &["fraud"], &[]);
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    server.stop();

    let others = tmp.path().join("other-desks");
    std::fs::create_dir(&others).expect("mkdir");
    let expired = office_cert(&others, "other.asc", Some(at(day("2026-06-01"), 12)));
    let valid = office_cert(&others, "third.asc", None);
    let vault = tmp.path().join("vault");
    let run = |args: &[&str]| {
        let out = Command::new(DESK)
            .args(args)
            .env("CANDOR_TODAY", TODAY)
            .output()
            .expect("run candor-desk");
        assert!(
            out.status.success(),
            "candor-desk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let p = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    run(&["open", &p(&bundle), "--keys", &p(&secret), "--vault", &p(&vault)]);
    let cases: serde_json::Value =
        serde_json::from_str(&run(&["cases", "--vault", &p(&vault), "--json"])).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();
    run(&[
        "reply",
        &id,
        "--vault",
        &p(&vault),
        "--message",
        "We are looking into it.",
    ]);
    let said = run(&[
        "outbox",
        "--vault",
        &p(&vault),
        "--keys",
        &p(&secret),
        "--office-keys",
        &p(&others),
        "--out",
        &p(&tmp.path().join("outbox.bundle")),
    ]);
    assert!(
        said.contains(&format!(
            "warning: not sealed to {} ({expired}): expired on 2026-06-01",
            p(&others.join("other.asc"))
        )),
        "{said}"
    );
    assert!(
        said.contains("Sealed to 2 office key(s): this desk's 1 and 1 other(s)"),
        "{said}"
    );
    assert!(!said.contains(&valid), "{said}");
}

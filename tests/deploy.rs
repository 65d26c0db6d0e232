//! Deployment: Unix-socket listeners, backup and restore with the server
//! running, store format upgrades, the officer's `/status` count, and the
//! systemd unit's system-call filter against what the server really calls.
//!
//! Real `candor` and `candor-desk` binaries, real sled, real keys.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// `candor serve` on two Unix sockets; returns the child and its log lines so far.
fn serve_unix(data: &Path, keys: &Path, site: &Path, api: &Path) -> std::process::Child {
    Command::new(SERVER)
        .arg("serve")
        .arg("--listen")
        .arg(format!("unix:{}", site.display()))
        .arg("--officer-listen")
        .arg(format!("unix:{}", api.display()))
        .arg("--data")
        .arg(data)
        .arg("--keys")
        .arg(keys)
        .env("CANDOR_RATE_LIMITS", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start candor")
}

/// Reads the server's stderr until both listeners are announced.
fn wait_listening(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = String::new();
    let mut seen = 0;
    while seen < 2 {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("server did not start; log:\n{log}"));
        if line.contains("listening on unix:") {
            seen += 1;
        }
        log.push_str(&line);
        log.push('\n');
    }
    log
}

/// One HTTP/1.1 request over a Unix socket; returns (status, body).
fn http_unix(socket: &Path, request: &[u8]) -> (u16, String) {
    let mut s = UnixStream::connect(socket).expect("connect to the socket");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    s.write_all(request).expect("send");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn get_unix(socket: &Path, path: &str, token: Option<&str>) -> (u16, String) {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    http_unix(
        socket,
        format!("GET {path} HTTP/1.1\r\nHost: candor\r\n{auth}Connection: close\r\n\r\n").as_bytes(),
    )
}

fn report_unix(socket: &Path, description: &str) -> String {
    let boundary = "candorboundary7MA4YWxk";
    let mut body = String::new();
    for (name, value) in [
        ("kind", "misconduct"),
        ("category", "fraud"),
        ("description", description),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let request = format!(
        "POST /report HTTP/1.1\r\nHost: candor\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, html) = http_unix(socket, request.as_bytes());
    assert_eq!(status, 200, "report over the socket refused: {html}");
    element_text(&html, "receipt").expect("receipt")
}

fn stop(mut child: std::process::Child) {
    // SIGTERM, so that the graceful shutdown (and socket removal) runs.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
}

#[test]
fn serves_on_unix_sockets_and_replaces_only_stale_sockets() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).expect("run dir");
    let (site, api) = (run.join("site.sock"), run.join("officer.sock"));

    let mut child = serve_unix(&data, &public, &site, &api);
    let log = wait_listening(&mut child);
    assert!(
        log.contains(&format!("reporter site listening on unix:{}", site.display())),
        "{log}"
    );
    for sock in [&site, &api] {
        let mode = std::fs::metadata(sock).expect("socket").permissions().mode() & 0o777;
        assert_eq!(mode, 0o660, "{} has mode {mode:o}", sock.display());
    }
    let (status, html) = get_unix(&site, "/", None);
    assert_eq!(status, 200);
    assert!(html.contains("/report"), "landing page links to the report form");
    let receipt = report_unix(&site, "Filed over a Unix socket.");
    assert!(!receipt.is_empty());
    let token = token(&secret);
    let (status, json) = get_unix(&api, "/status?after=0", Some(&token));
    assert_eq!(status, 200, "{json}");
    let v: serde_json::Value = serde_json::from_str(json.trim()).expect("json");
    assert_eq!(v["new_reports"], 1, "{json}");
    assert_eq!(get_unix(&api, "/status?after=0", None).0, 401);

    // A killed server leaves its sockets behind; the next start replaces them.
    let _ = child.kill();
    let _ = child.wait();
    assert!(site.exists(), "SIGKILL leaves the socket file");
    let mut child = serve_unix(&data, &public, &site, &api);
    wait_listening(&mut child);
    assert_eq!(get_unix(&site, "/", None).0, 200);
    stop(child);
    assert!(
        !site.exists() && !api.exists(),
        "a clean stop removes the sockets"
    );

    // Anything but a socket at the path is refused, never removed.
    std::fs::write(&site, b"not a socket").expect("write");
    let out = Command::new(SERVER)
        .args(["serve", "--listen"])
        .arg(format!("unix:{}", site.display()))
        .arg("--officer-listen")
        .arg(format!("unix:{}", api.display()))
        .arg("--data")
        .arg(&data)
        .arg("--keys")
        .arg(&public)
        .output()
        .expect("run candor");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a socket"), "{err}");
    assert_eq!(std::fs::read(&site).expect("still there"), b"not a socket");
}

fn candor(args: &[&str]) -> std::process::Output {
    Command::new(SERVER).args(args).output().expect("run candor")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The entry number the desk says it verified up to.
fn desk_head(out: &str) -> u64 {
    out.split("up to entry ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("desk did not say its head: {out}"))
}

#[test]
fn backup_while_running_then_restore_keeps_receipts_and_the_desk_continues() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let token = token(&secret);
    let data = tmp.path().join("data");
    let vault = tmp.path().join("vault");
    let server = Server::start(&data, &public);

    let secret_words = "Backup-restore secret: the warehouse ledger was altered.";
    let r1 = file_report(
        &server.site,
        secret_words,
        &["fraud"],
        &[("ledger.bin", vec![7u8; 300_000])],
    );
    let r2 = file_report(
        &server.site,
        "A second report before the backup.",
        &["conduct"],
        &[],
    );
    let bundle = tmp.path().join("first.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let out = desk_ok(&["open", s(&bundle), "--keys", s(&secret), "--vault", s(&vault)]);
    let seen = desk_head(&out);
    assert!(seen > 0);

    // Reports keep arriving while the backup is taken.
    let site = server.site.clone();
    let writer = std::thread::spawn(move || {
        (0..8)
            .map(|i| file_report(&site, &format!("Concurrent report {i}."), &["other"], &[]))
            .collect::<Vec<_>>()
    });
    let backup = tmp.path().join("candor.backup");
    let out = candor(&["backup", "--data", s(&data), "--out", s(&backup)]);
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("log head at entry"), "{said}");
    let during = writer.join().expect("writer");
    let mode = std::fs::metadata(&backup).expect("backup").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup holds the server key: owner only");
    let bytes = std::fs::read(&backup).expect("read backup");
    assert!(
        !contains(&bytes, secret_words.as_bytes()),
        "a report is in clear in the backup"
    );
    assert!(
        !contains(&bytes, b"Concurrent report"),
        "a report is in clear in the backup"
    );
    assert!(
        !contains(&bytes, &[7u8; 64]),
        "an attachment is in clear in the backup"
    );
    server.stop();

    // A damaged backup is refused before anything is written.
    let damaged = tmp.path().join("damaged.backup");
    std::fs::write(&damaged, bytes.get(..bytes.len() - 40).expect("cut")).expect("write");
    let out = candor(&[
        "restore",
        "--from",
        s(&damaged),
        "--data",
        s(&tmp.path().join("nowhere")),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged or incomplete"));
    assert!(!tmp.path().join("nowhere").join("store").exists());
    // Restoring over an existing store is refused.
    let out = candor(&["restore", "--from", s(&backup), "--data", s(&data)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let restored = tmp.path().join("restored");
    let out = candor(&["restore", "--from", s(&backup), "--data", s(&restored)]);
    assert!(
        out.status.success(),
        "restore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(restored.join("server.key")).expect("key"),
        std::fs::read(data.join("server.key")).expect("key")
    );
    let server = Server::start(&restored, &public);
    for receipt in [&r1, &r2] {
        let (status, html) = login(&server.site, receipt);
        assert_eq!(status, 200, "receipt no longer works after restore");
        assert!(
            attr(&html, "status", "data-status").is_some(),
            "no status on the thread page"
        );
    }
    // The concurrent reports are each either wholly in the backup or not at all.
    let mut in_backup = 0;
    for receipt in &during {
        let (status, _) = login(&server.site, receipt);
        assert!(
            status == 200 || (400..500).contains(&status),
            "receipt gave {status}"
        );
        in_backup += usize::from(status == 200);
    }
    let r3 = file_report(&server.site, "After the restore.", &["harassment"], &[]);
    let next = tmp.path().join("next.bundle");
    assert_eq!(export(&server.api, &token, seen, &next), 200);
    let out = desk_ok(&["open", s(&next), "--keys", s(&secret), "--vault", s(&vault)]);
    assert!(desk_head(&out) > seen, "{out}");
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", s(&vault), "--json"])).expect("cases json");
    assert_eq!(
        cases.as_array().expect("array").len(),
        3 + in_backup,
        "the desk sees the old cases, the restored concurrent ones and the new one"
    );
    assert_eq!(login(&server.site, &r3).0, 200);
    server.stop();
}

fn sled_tree(store: &Path) -> (sled::Db, sled::Tree) {
    let db = sled::open(store).expect("open sled");
    let tree = db.open_tree("candor").expect("tree");
    (db, tree)
}

fn start_fails(data: &Path, keys: &Path) -> String {
    let out = serve_args(&mut Command::new(SERVER), data, keys)
        .stdin(Stdio::null())
        .output()
        .expect("run candor");
    assert!(
        !out.status.success(),
        "the server started on a store it must refuse"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_older_store_is_migrated_a_newer_or_broken_one_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let token = token(&secret);
    let data = tmp.path().join("data");
    let store: PathBuf = data.join("store");
    let server = Server::start(&data, &public);
    let receipt = file_report(
        &server.site,
        "Written in format 1, read after a downgrade.",
        &["fraud"],
        &[],
    );
    server.stop();

    // Rewrite the store in format 0: no version key, no `K` index.
    let snapshot = {
        let (db, tree) = sled_tree(&store);
        tree.remove(b"Mversion").expect("remove version");
        let k: Vec<_> = tree.scan_prefix(b"K").keys().map(|k| k.expect("key")).collect();
        assert!(!k.is_empty(), "format 1 has a K index");
        for key in k {
            tree.remove(key).expect("remove");
        }
        db.flush().expect("flush");
        tree.iter().map(|kv| kv.expect("kv")).collect::<Vec<_>>()
    };

    // A legacy store whose log does not verify is refused, and left as it was.
    {
        let (db, tree) = sled_tree(&store);
        let body_key = tree
            .scan_prefix(b"X")
            .keys()
            .next()
            .expect("a body")
            .expect("key");
        let mut body = tree.get(&body_key).expect("get").expect("body").to_vec();
        if let Some(b) = body.last_mut() {
            *b ^= 1;
        }
        tree.insert(&body_key, body).expect("alter");
        db.flush().expect("flush");
    }
    let err = start_fails(&data, &public);
    assert!(
        err.contains("format 0") && err.contains("does not verify"),
        "{err}"
    );
    {
        let (db, tree) = sled_tree(&store);
        assert!(
            tree.get(b"Mversion").expect("get").is_none(),
            "a refused store was changed"
        );
        for (k, v) in &snapshot {
            tree.insert(k, v.clone()).expect("put back");
        }
        db.flush().expect("flush");
    }

    // The intact format-0 store is migrated at start.
    let server = Server::start(&data, &public);
    let log = server.log.lock().expect("log").clone();
    assert!(log.contains("store migrated from format 0 to format 1"), "{log}");
    assert!(log.contains("store migrated from format 1 to format 2"), "{log}");
    assert_eq!(login(&server.site, &receipt).0, 200, "receipt after migration");
    let bundle = tmp.path().join("after-migration.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let vault = tmp.path().join("vault");
    desk_ok(&["open", s(&bundle), "--keys", s(&secret), "--vault", s(&vault)]);
    server.stop();
    {
        let (_db, tree) = sled_tree(&store);
        assert_eq!(
            tree.get(b"Mversion").expect("get").as_deref(),
            Some(&2u32.to_be_bytes()[..])
        );
        assert!(
            tree.scan_prefix(b"K").next().is_some(),
            "migration rebuilt the K index"
        );
    }

    // A store from a newer candor is refused and not touched.
    {
        let (db, tree) = sled_tree(&store);
        tree.insert(b"Mversion", &3u32.to_be_bytes()).expect("insert");
        db.flush().expect("flush");
    }
    let err = start_fails(&data, &public);
    assert!(
        err.contains("format 3, newer than this candor understands"),
        "{err}"
    );
    let (_db, tree) = sled_tree(&store);
    assert_eq!(
        tree.get(b"Mversion").expect("get").as_deref(),
        Some(&3u32.to_be_bytes()[..])
    );
}

#[test]
fn status_counts_what_is_new_without_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let token = token(&secret);
    let server = Server::start(&tmp.path().join("data"), &public);
    let get = |q: &str, token: Option<&str>| {
        let mut req = client().get(format!("{}/status{q}", server.api));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().expect("status");
        (resp.status().as_u16(), resp.text().expect("body"))
    };
    let (status, body) = get("?after=0", Some(&token));
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let recipient = std::fs::read_to_string(public.join("recipients.txt")).expect("recipients");
    let recipient = recipient
        .lines()
        .find(|l| l.starts_with("age1"))
        .expect("recipient");
    assert_eq!(
        v,
        serde_json::json!({"head": 0, "new_entries": 0, "new_reports": 0, "new_messages": 0,
            "office_keys": [{"key": recipient, "file": "recipients.txt", "state": "valid",
                "expires": null, "receives": true}],
            "office_key_warnings": []})
    );

    file_report(
        &server.site,
        "Counted, not shown.",
        &["fraud"],
        &[("a.bin", vec![1u8; 1000])],
    );
    file_report(&server.site, "Counted too.", &["conduct"], &[]);
    let (status, body) = get("?after=0", Some(&token));
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["new_reports"], 2, "{body}");
    let head = v["head"].as_u64().expect("head");
    assert_eq!(v["new_entries"].as_u64(), Some(head));
    assert!(!body.contains("Counted"), "content in a status answer");
    let (_, body) = get(&format!("?after={head}"), Some(&token));
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["new_entries"], 0);
    assert_eq!(v["new_reports"], 0);

    assert_eq!(get("?after=0", None).0, 401);
    assert_eq!(get("?after=0", Some("wrong")).0, 401);
    assert_eq!(get("?after=x", Some(&token)).0, 400);
    assert_eq!(get(&format!("?after={}", head + 1), Some(&token)).0, 409);
    let log = server.stop();
    assert!(!log.contains("Counted"), "content in the log");
}

#[test]
fn transfer_script_counts_fetches_and_posts() {
    if tool_missing("curl", "curl") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let state = tmp.path().join("transfer");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/transfer/candor-transfer.sh");
    let run = |args: &[&str]| {
        let out = Command::new("sh")
            .arg(&script)
            .args(args)
            .current_dir(tmp.path())
            .env("CANDOR_OFFICER_URL", &server.api)
            .env("CANDOR_TOKEN_FILE", secret.join("officer-token"))
            .env("CANDOR_STATE_DIR", &state)
            .env("CANDOR_SOCKS", "none")
            .env("CANDOR_NOTIFY", "echo NOTIFY:")
            .output()
            .expect("run the transfer script");
        assert!(
            out.status.success(),
            "candor-transfer.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let quiet = run(&["check"]);
    assert!(!quiet.contains("NOTIFY:"), "{quiet}");
    file_report(&server.site, "For the transfer machine.", &["fraud"], &[]);
    let said = run(&["check"]);
    assert!(said.contains("NOTIFY: candor: 1 new report(s)"), "{said}");
    run(&["fetch", "export.bundle"]);
    let vault = tmp.path().join("vault");
    let out = desk_ok(&[
        "open",
        s(&tmp.path().join("export.bundle")),
        "--keys",
        s(&secret),
        "--vault",
        s(&vault),
    ]);
    run(&["seen", &desk_head(&out).to_string()]);
    let quiet = run(&["check"]);
    assert!(!quiet.contains("NOTIFY:"), "nothing new after `seen`: {quiet}");
    assert!(quiet.contains("\"new_entries\":0"), "{quiet}");
    server.stop();

    // Office keys that expire: `check` alerts once a day, naming each.
    let soon = public.join("soon.asc");
    let cert = sequoia_openpgp::cert::CertBuilder::new()
        .set_creation_time(std::time::UNIX_EPOCH + Duration::from_secs(20_454 * 86_400))
        .set_validity_period(Duration::from_secs(40 * 86_400))
        .add_userid("office key")
        .add_storage_encryption_subkey()
        .generate()
        .expect("certificate")
        .0;
    let soon_fpr = cert.fingerprint().to_hex();
    let armored = {
        use sequoia_openpgp::serialize::SerializeInto;
        cert.strip_secret_key_material()
            .armored()
            .to_vec()
            .expect("armor")
    };
    std::fs::write(&soon, armored).expect("write certificate");
    // 2026-01-01 is day 20 454: the key stops on 2026-02-10, 30 days after 2026-01-11.
    let server = Server::start_with(
        &tmp.path().join("data"),
        &public,
        &[("CANDOR_TODAY", "2026-01-11")],
    );
    let env_url = server.api.clone();
    let run = |args: &[&str]| {
        let out = Command::new("sh")
            .arg(&script)
            .args(args)
            .current_dir(tmp.path())
            .env("CANDOR_OFFICER_URL", &env_url)
            .env("CANDOR_TOKEN_FILE", secret.join("officer-token"))
            .env("CANDOR_STATE_DIR", &state)
            .env("CANDOR_SOCKS", "none")
            .env("CANDOR_NOTIFY", "echo NOTIFY:")
            .output()
            .expect("run the transfer script");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = run(&["check"]);
    assert!(
        said.contains(&format!(
            "NOTIFY: candor: office key soon.asc ({soon_fpr}) expires on 2026-02-10, in 30 day(s). Make a new office key"
        )),
        "{said}"
    );
    assert!(!said.contains("new report(s)"), "{said}");
    let again = run(&["check"]);
    assert!(!again.contains("NOTIFY:"), "alerted twice the same day: {again}");
    server.stop();
}

/// The system calls a `SystemCallFilter=` list names: groups expanded by
/// `systemd-analyze syscall-filter`, which knows this systemd's groups.
fn syscall_set(names: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in names.split_whitespace() {
        if name.starts_with('@') {
            let listed = Command::new("systemd-analyze")
                .args(["syscall-filter", name])
                .output()
                .expect("systemd-analyze (installed by .ci/run)");
            assert!(
                listed.status.success(),
                "systemd-analyze syscall-filter {name} failed"
            );
            let text = String::from_utf8_lossy(&listed.stdout).into_owned();
            let members: Vec<&str> = text
                .lines()
                .skip(1)
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            assert!(!members.is_empty(), "systemd knows no group {name}");
            out.extend(syscall_set(&members.join(" ")));
        } else {
            out.insert(name.to_owned());
        }
    }
    out
}

/// The values of every `KEY=` line of the unit, in order.
fn unit_values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn the_units_sandbox_allows_every_call_the_server_makes() {
    if tool_missing("strace", "strace") || tool_missing("systemd-analyze", "systemd") {
        return;
    }
    let unit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/candor.service")).expect("unit");
    // systemd: a first list without `~` allows only its calls; each `~` list
    // then takes calls away again.
    let mut allowed = BTreeSet::new();
    for (i, list) in unit_values(&unit, "SystemCallFilter").into_iter().enumerate() {
        match list.strip_prefix('~') {
            Some(denied) => allowed.retain(|c| !syscall_set(denied).contains(c)),
            None if i == 0 => allowed = syscall_set(list),
            None => allowed.extend(syscall_set(list)),
        }
    }
    assert!(
        allowed.contains("read") && !allowed.contains("reboot"),
        "{allowed:?}"
    );
    let families: Vec<&str> = unit_values(&unit, "RestrictAddressFamilies")
        .into_iter()
        .flat_map(str::split_whitespace)
        .collect();
    assert!(!families.is_empty());

    // A whole journey under strace: report with attachment, log-in,
    // follow-up, export, desk reply and status, import, counts, a backup
    // through the control socket, and a graceful stop.
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let token = token(&secret);
    let data = tmp.path().join("data");
    let trace = tmp.path().join("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-q", "-s", "0", "-o"]).arg(&trace).arg(SERVER);
    let server = Server::spawn(cmd, &data, &public, &[]);
    let receipt = file_report(
        &server.site,
        "The sandbox journey.",
        &["fraud"],
        &[("e.bin", vec![3u8; 2_500_000])],
    );
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session_field(&page).expect("session"))
        .text("message", "More.");
    assert_eq!(
        post_multipart(&server.site, "/followup/message", form).status(),
        200
    );
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let vault = tmp.path().join("vault");
    desk_ok(&["open", s(&bundle), "--keys", s(&secret), "--vault", s(&vault)]);
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", s(&vault), "--json"])).expect("cases");
    let id = cases[0]["id"].as_str().expect("case id").to_owned();
    desk_ok(&["reply", &id, "--vault", s(&vault), "--message", "Received."]);
    desk_ok(&["status", &id, "--vault", s(&vault), "--set", "preliminary-review"]);
    let outbox = tmp.path().join("outbox.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        s(&vault),
        "--keys",
        s(&secret),
        "--out",
        s(&outbox),
    ]);
    let (code, text) = import(&server.api, &token, &std::fs::read(&outbox).expect("outbox"));
    assert_eq!(code, 200, "{text}");
    let counts = client()
        .get(format!("{}/status?after=0", server.api))
        .bearer_auth(&token)
        .send()
        .expect("status");
    assert_eq!(counts.status(), 200);
    let out = candor(&[
        "backup",
        "--data",
        s(&data),
        "--out",
        s(&tmp.path().join("b.backup")),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The traced server's pid is on the trace's first line; SIGTERM it so
    // that the graceful shutdown is traced too.
    let text = std::fs::read_to_string(&trace).expect("trace");
    let pid = text.split_whitespace().next().expect("first line").to_owned();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    // strace pads the pid column: `4711  +++ exited with 0 +++`.
    let exited = |l: &str| {
        l.split_once(' ')
            .is_some_and(|(p, rest)| p == pid && rest.trim_start() == "+++ exited with 0 +++")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&trace).expect("trace");
        if text.lines().any(exited) {
            break;
        }
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop on SIGTERM; the trace ends:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(server);

    let text = std::fs::read_to_string(&trace).expect("trace");
    let mut used = BTreeSet::new();
    let mut socket_families = BTreeSet::new();
    for line in text.lines() {
        let call = line.split_whitespace().nth(1).unwrap_or_default();
        let Some((name, args)) = call.split_once('(') else {
            continue;
        };
        // `exec` happens before systemd's filter applies to the new program.
        if name.is_empty()
            || name == "execve"
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            continue;
        }
        used.insert(name.to_owned());
        if name == "socket" {
            socket_families.insert(args.split(',').next().unwrap_or_default().to_owned());
        }
    }
    assert!(
        used.contains("fsync") && used.contains("accept4"),
        "trace not understood: {used:?}"
    );
    let refused: Vec<&String> = used.iter().filter(|c| !allowed.contains(*c)).collect();
    assert!(
        refused.is_empty(),
        "deploy/candor.service's SystemCallFilter refuses calls the server makes: {refused:?}"
    );
    let foreign: Vec<&String> = socket_families
        .iter()
        .filter(|f| !families.contains(&f.as_str()))
        .collect();
    assert!(
        foreign.is_empty(),
        "the server opens sockets outside RestrictAddressFamilies: {foreign:?}"
    );
}

/// On PostgreSQL: a backup taken through the running server restores into
/// another database, whose server signs with the same key, so the desk
/// continues from what it saw; a log with entries is not restored over.
#[test]
fn backup_of_a_postgres_store_restores_into_another_database() {
    let Some(cluster) = pg::cluster() else { return };
    let (first, second) = (cluster.url(&cluster.database()), cluster.url(&cluster.database()));
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let token = token(&secret);
    let data = tmp.path().join("data");
    let vault = tmp.path().join("vault");
    let server = Server::start_store(&data, &public, &first);
    let r1 = file_report(
        &server.site,
        "A report kept in PostgreSQL.",
        &["fraud"],
        &[("ledger.bin", vec![7u8; 300_000])],
    );
    let bundle = tmp.path().join("first.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let seen = desk_head(&desk_ok(&[
        "open",
        s(&bundle),
        "--keys",
        s(&secret),
        "--vault",
        s(&vault),
    ]));
    let backup = tmp.path().join("candor.backup");
    let out = candor(&["backup", "--data", s(&data), "--out", s(&backup)]);
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&backup).expect("read backup");
    assert!(
        !contains(&bytes, b"kept in PostgreSQL"),
        "a report is in clear in the backup"
    );
    // Not over the log being served.
    let out = candor(&["restore", "--from", s(&backup), "--store", &first]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    server.stop();

    let out = candor(&["restore", "--from", s(&backup), "--store", &second]);
    assert!(
        out.status.success(),
        "restore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start_store(&tmp.path().join("data2"), &public, &second);
    let (status, _) = login(&server.site, &r1);
    assert_eq!(status, 200, "receipt no longer works after restore");
    file_report(&server.site, "After the restore.", &["other"], &[]);
    let bundle = tmp.path().join("second.bundle");
    assert_eq!(export(&server.api, &token, seen, &bundle), 200);
    let out = desk_ok(&["open", s(&bundle), "--keys", s(&secret), "--vault", s(&vault)]);
    assert!(
        desk_head(&out) > seen,
        "the desk continues on the restored database: {out}"
    );
}

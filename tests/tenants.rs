//! Tenants: one process serving several offices, each chosen by the
//! request's `Host` on both listeners, each with its own log, server key,
//! token and keys. A receipt, token or outbox of one office does nothing at
//! another; a host no office claims gets a 404 that names none; SIGHUP adds
//! and removes offices and takes an office's changed settings (a broken
//! `candor.toml` refused); an office's quota refuses new reports and keeps
//! what it has; `candor backup --tenant` copies one.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

struct Office {
    secret: PathBuf,
    token: String,
    host: String,
}

/// `dir/<name>/` with keys/ and a candor.toml claiming `<name>.example`.
fn office(dir: &Path, name: &str) -> Office {
    let folder = dir.join(name);
    let (public, secret) = keygen(&dir.join(format!("{name}-desk")));
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::rename(&public, folder.join("keys")).expect("keys");
    std::fs::write(
        folder.join("candor.toml"),
        format!("hosts = [\"{name}.example\", \"{name}xyz.onion\"]\noffice_name = \"Office {name}\"\n"),
    )
    .expect("candor.toml");
    Office {
        token: token(&secret),
        secret,
        host: format!("{name}.example"),
    }
}

fn get(base: &str, host: &str, path: &str) -> (u16, String) {
    let resp = client()
        .get(format!("{base}{path}"))
        .header("Host", host)
        .send()
        .expect("get");
    (resp.status().as_u16(), resp.text().expect("body"))
}

fn report(site: &str, host: &str, text: &str) -> String {
    let form = reqwest::blocking::multipart::Form::new()
        .text("kind", "misconduct")
        .text("category", "fraud")
        .text("description", text.to_owned());
    let resp = client()
        .post(format!("{site}/report"))
        .header("Host", host)
        .multipart(form)
        .send()
        .expect("report");
    assert_eq!(resp.status(), 200);
    element_text(&resp.text().expect("body"), "receipt").expect("receipt")
}

fn login_at(site: &str, host: &str, receipt: &str) -> (u16, String) {
    let resp = client()
        .post(format!("{site}/followup"))
        .header("Host", host)
        .form(&[("receipt", receipt)])
        .send()
        .expect("login");
    (resp.status().as_u16(), resp.text().expect("body"))
}

fn export_at(api: &str, host: &str, token: &str, path: &Path) -> u16 {
    let resp = client()
        .get(format!("{api}/export?after=0"))
        .header("Host", host)
        .bearer_auth(token)
        .send()
        .expect("export");
    let status = resp.status().as_u16();
    std::fs::write(path, resp.bytes().expect("bytes")).expect("write");
    status
}

fn import_at(api: &str, host: &str, token: &str, bundle: &[u8]) -> u16 {
    client()
        .post(format!("{api}/import"))
        .header("Host", host)
        .bearer_auth(token)
        .body(bundle.to_vec())
        .send()
        .expect("import")
        .status()
        .as_u16()
}

/// Opens `bundle` into a new vault with `office`'s keys; the cases' ids.
fn cases(tmp: &Path, office: &Office, bundle: &Path, vault: &str) -> Vec<String> {
    let vault = tmp.join(vault);
    let s = |p: &Path| p.to_str().expect("path").to_owned();
    desk_ok(&[
        "open",
        &s(bundle),
        "--keys",
        &s(&office.secret),
        "--vault",
        &s(&vault),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", &s(&vault), "--json"])).expect("json");
    json.as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

fn isolation(store: Option<&str>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tenants");
    let (a, b, c) = (office(&dir, "a"), office(&dir, "b"), office(&dir, "c"));
    let env: Vec<(&str, &str)> = store.map(|url| ("CANDOR_STORE", url)).into_iter().collect();
    let server = Server::start_tenants(&dir, &env);
    let (site, api) = (server.site.clone(), server.api.clone());

    // Each host its own office; an unknown host the same bare 404 on both listeners.
    let (code, page) = get(&site, &a.host, "/");
    assert_eq!(code, 200);
    assert!(page.contains("Office a") && !page.contains("Office b"));
    assert!(
        get(&site, "BXYZ.onion:80", "/").1.contains("Office b"),
        "host matched without case or port"
    );
    let unknown = get(&site, "nobody.example", "/");
    assert_eq!(unknown, (404, "Not found\n".to_owned()));
    assert_eq!(get(&site, "127.0.0.1", "/report"), unknown);
    assert_eq!(get(&api, "nobody.example", "/export?after=0"), unknown);

    // A receipt works only where it was given; elsewhere it is as unknown
    // as any other office's, page for page.
    let ra = report(&site, &a.host, "Report to office a.");
    let rb = report(&site, &b.host, "Report to office b.");
    let rc = report(&site, &c.host, "Report to office c.");
    assert_eq!(login_at(&site, &a.host, &ra).0, 200);
    assert_eq!(login_at(&site, &b.host, &rb).0, 200);
    let foreign_a = login_at(&site, &b.host, &ra);
    let foreign_c = login_at(&site, &b.host, &rc);
    assert_ne!(
        foreign_a.0, 200,
        "a receipt of office a opened a case at office b"
    );
    assert_eq!(foreign_a, foreign_c, "another office's receipt is told apart");

    // Exports: each office's token at its own host only, and only its cases.
    let bundle_a = tmp.path().join("a.bundle");
    assert_eq!(export_at(&api, &b.host, &a.token, &bundle_a), 401);
    assert_eq!(export_at(&api, &a.host, &a.token, &bundle_a), 200);
    let bundle_b = tmp.path().join("b.bundle");
    assert_eq!(export_at(&api, &b.host, &b.token, &bundle_b), 200);
    let ids = cases(tmp.path(), &a, &bundle_a, "vault-a");
    assert_eq!(ids.len(), 1, "office a's export holds office a's case only");
    assert_eq!(cases(tmp.path(), &b, &bundle_b, "vault-b").len(), 1);
    // Office b's export does not open with office a's keys.
    let s = |p: &Path| p.to_str().expect("path").to_owned();
    let out = desk(&[
        "open",
        &s(&bundle_b),
        "--keys",
        &s(&a.secret),
        "--vault",
        &s(&tmp.path().join("vault-a")),
    ]);
    assert!(!out.status.success(), "office a's desk took office b's export");

    // Imports: office a's signed outbox is refused at office b, even with b's token.
    let vault_a = s(&tmp.path().join("vault-a"));
    desk_ok(&["reply", &ids[0], "--vault", &vault_a, "--message", "Thank you."]);
    let outbox = tmp.path().join("outbox-a.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        &vault_a,
        "--keys",
        &s(&a.secret),
        "--out",
        &s(&outbox),
    ]);
    let outbox = std::fs::read(&outbox).expect("outbox");
    assert_ne!(
        import_at(&api, &b.host, &b.token, &outbox),
        200,
        "office b applied office a's outbox"
    );
    assert_eq!(import_at(&api, &b.host, &a.token, &outbox), 401);
    assert_eq!(import_at(&api, &a.host, &a.token, &outbox), 200);
    let (_, page) = login_at(&site, &a.host, &ra);
    assert!(page.contains("Thank you."));

    // SIGHUP: a new office starts, a removed one stops, the others go on.
    office(&dir, "d");
    std::fs::remove_file(dir.join("b").join("candor.toml")).expect("remove b");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while get(&site, "d.example", "/").0 != 200 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        get(&site, "d.example", "/").0,
        200,
        "office d did not start on SIGHUP"
    );
    assert_eq!(
        get(&site, &b.host, "/"),
        unknown,
        "office b still served after its removal"
    );
    assert_eq!(login_at(&site, &a.host, &ra).0, 200);

    // One office's backup, through its own control socket, while serving.
    let backup = tmp.path().join("a.backup");
    let out = std::process::Command::new(SERVER)
        .args(["backup", "--tenants"])
        .arg(&dir)
        .args(["--tenant", "a", "--out"])
        .arg(&backup)
        .output()
        .expect("backup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("log head at entry"));
    let out = std::process::Command::new(SERVER)
        .args(["backup", "--tenants"])
        .arg(&dir)
        .args(["--tenant", "zz", "--out"])
        .arg(tmp.path().join("zz.backup"))
        .output()
        .expect("backup");
    assert!(!out.status.success(), "a backup of a tenant that does not exist");

    // Nothing in the log names a host, a tenant's request or a receipt.
    let log = server.stop();
    for needle in [ra.as_str(), rb.as_str(), "nobody.example"] {
        assert!(!log.contains(needle), "{needle} in the server log");
    }
}

#[test]
fn tenants_are_kept_apart() {
    isolation(None);
}

#[test]
fn tenants_are_kept_apart_in_one_postgres_database() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.url(&cluster.database());
    isolation(Some(&url));
}

/// A report's request head declaring `len` bytes of body, and no body: the answer.
fn declared_only(site: &str, host: &str, lang: &str, len: u64) -> String {
    use std::io::{Read, Write};
    let addr = site.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "POST /report HTTP/1.1\r\nHost: {host}\r\nAccept-Language: {lang}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len}\r\n\r\n"
    )
    .expect("write");
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(7).any(|w| w == b"</html>") {
            break;
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

fn status_at(api: &str, host: &str, token: &str) -> serde_json::Value {
    let resp = client()
        .get(format!("{api}/status?after=0"))
        .header("Host", host)
        .bearer_auth(token)
        .send()
        .expect("status");
    assert_eq!(resp.status(), 200);
    serde_json::from_str(&resp.text().expect("body")).expect("json")
}

fn hangup(server: &Server) {
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
}

/// Waits until `done` holds (a SIGHUP's reload is applied in the background).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A tenant's changed candor.toml is taken on SIGHUP without a restart (its
/// name, hosts and quota here), its log and reporters untouched; a broken one
/// is refused with a log line and the old settings stay. Past its quota an
/// office refuses new reports (507, in the reporter's language) before
/// reading them, keeps every report it has, and `/status` shows the use.
fn settings_and_quota(store: Option<&str>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tenants");
    let a = office(&dir, "a");
    let toml = dir.join("a").join("candor.toml");
    let env: Vec<(&str, &str)> = store.map(|url| ("CANDOR_STORE", url)).into_iter().collect();
    let server = Server::start_tenants(&dir, &env);
    let (site, api) = (server.site.clone(), server.api.clone());
    let mut receipts = vec![report(&site, &a.host, "Filed before any quota.")];
    assert!(
        status_at(&api, &a.host, &a.token).get("storage").is_none(),
        "no storage figures without a quota"
    );
    assert_eq!(get(&site, "a2.example", "/").0, 404);

    // New settings: another name and host, and a quota far away.
    std::fs::write(
        &toml,
        "hosts = [\"a.example\", \"a2.example\"]\noffice_name = \"Office a renamed\"\nquota_bytes = 10000000000\n",
    )
    .expect("write");
    hangup(&server);
    eventually("the new host was not taken on SIGHUP", || {
        get(&site, "a2.example", "/").0 == 200
    });
    let (_, page) = get(&site, &a.host, "/");
    assert!(page.contains("Office a renamed"), "the new name is not shown");
    assert_eq!(login_at(&site, "a2.example", &receipts[0]).0, 200);
    let storage = status_at(&api, &a.host, &a.token)["storage"].clone();
    assert_eq!(storage["quota_bytes"], 10_000_000_000u64, "{storage}");
    let used = storage["used_bytes"].as_u64().expect("used_bytes");
    assert!(used > 0, "{storage}");

    // A quota a few reports with files above what the log takes.
    let quota = used + 400 * 1024;
    std::fs::write(
        &toml,
        format!("hosts = [\"a.example\", \"a2.example\"]\noffice_name = \"Office a renamed\"\nquota_bytes = {quota}\n"),
    )
    .expect("write");
    hangup(&server);
    eventually("the new quota was not taken on SIGHUP", || {
        status_at(&api, &a.host, &a.token)["storage"]["quota_bytes"] == quota
    });
    // Reports until one is refused (its connection may be cut while its body
    // is still being sent: the refusal comes before the body is read).
    let mut refused = false;
    for i in 0..40 {
        let text = format!("Report {i} under the quota. {}", "x".repeat(2000));
        let form = reqwest::blocking::multipart::Form::new()
            .text("kind", "misconduct")
            .text("category", "fraud")
            .text("description", text)
            .part(
                "attachment",
                reqwest::blocking::multipart::Part::bytes(vec![i as u8; 100 * 1024]).file_name("scan.pdf"),
            );
        let sent = client()
            .post(format!("{site}/report"))
            .header("Host", &a.host)
            .multipart(form)
            .send();
        match sent {
            Ok(resp) if resp.status() == 200 => {
                receipts.push(element_text(&resp.text().expect("body"), "receipt").expect("receipt"))
            }
            Ok(resp) => {
                assert_eq!(resp.status(), 507, "{}", resp.text().unwrap_or_default());
                refused = true;
                break;
            }
            Err(_) => {
                refused = true;
                break;
            }
        }
    }
    assert!(refused, "reports were taken past the quota");
    assert!(receipts.len() > 1, "the quota refused the first report under it");
    // Refused on the declared length alone, no body sent, in the reporter's language.
    for (lang, words) in [("en", "nothing was stored"), ("fr", "rien n’a été enregistré")] {
        let answer = declared_only(&site, &a.host, lang, 200_000);
        assert!(answer.starts_with("HTTP/1.1 507"), "{answer}");
        assert!(answer.contains(words), "{answer}");
    }
    // The quota is for files: a report without one (a flood of junk or
    // uploads held open cannot lock reporters out of writing) and a message
    // from a reporter with a receipt are still taken.
    receipts.push(report(&site, &a.host, "A report in words only, past the quota."));
    let (status, page) = login_at(&site, &a.host, &receipts[0]);
    assert_eq!(status, 200);
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session_field(&page).expect("session"))
        .text("message", "A message past the quota.");
    let sent = client()
        .post(format!("{site}/followup/message"))
        .header("Host", &a.host)
        .multipart(form)
        .send()
        .expect("message");
    assert!(
        sent.status().is_success() || sent.status().is_redirection(),
        "{}",
        sent.status()
    );
    // Everything taken is still there.
    for receipt in &receipts {
        assert_eq!(login_at(&site, &a.host, receipt).0, 200, "a report was lost");
    }
    let storage = status_at(&api, &a.host, &a.token)["storage"].clone();
    assert!(storage["used_bytes"].as_u64().expect("used") > used, "{storage}");

    // A key file in a folder inside keys/ (where channels keep theirs) is
    // part of the settings: changed, it is taken on SIGHUP.
    std::fs::create_dir_all(dir.join("a/keys/audit")).expect("mkdir");
    std::fs::write(dir.join("a/keys/audit/recipients.txt"), "# none yet\n").expect("write");
    let seen = || {
        server
            .log
            .lock()
            .expect("log")
            .matches("1 with new settings")
            .count()
    };
    let before = seen();
    hangup(&server);
    eventually("a key folder's change was not seen", || seen() > before);

    // A broken candor.toml: refused, the old settings stay.
    std::fs::write(&toml, "hosts = [\"a.example\"\noffice_name = 3\n").expect("write");
    hangup(&server);
    std::thread::sleep(Duration::from_secs(2));
    let (code, page) = get(&site, "a2.example", "/");
    assert_eq!(code, 200, "the old settings were dropped");
    assert!(page.contains("Office a renamed"));
    let log = server.stop();
    assert!(
        log.contains("tenant `a` keeps its old settings"),
        "no log line for the refused settings:\n{log}"
    );
    // Refusals past the quota are logged when they begin, not one by one.
    assert_eq!(
        log.matches("submissions with files refused").count(),
        1,
        "a line per refused request dates each attempt:\n{log}"
    );
}

#[test]
fn settings_reload_and_quota() {
    settings_and_quota(None);
}

#[test]
fn settings_reload_and_quota_in_postgres() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.url(&cluster.database());
    settings_and_quota(Some(&url));
}

/// A reload refused for a host two tenants claim opens nothing for good:
/// once the newcomer's settings are fixed, the next SIGHUP starts it (its
/// store is free: the refused attempt kept no lock on it) and the others
/// are served throughout.
#[test]
fn a_refused_reload_leaves_nothing_open_and_the_next_one_works() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tenants");
    let a = office(&dir, "a");
    let server = Server::start_tenants(&dir, &[]);
    let site = server.site.clone();
    let receipt = report(&site, &a.host, "Filed before the newcomer.");
    // b claims a's host: the reload is refused, a goes on.
    let b = office(&dir, "b");
    let toml = dir.join("b").join("candor.toml");
    std::fs::write(&toml, "hosts = [\"b.example\", \"a.example\"]\n").expect("write");
    hangup(&server);
    eventually("the clash was not refused", || {
        server.log.lock().expect("log").contains("tenants not re-read")
    });
    assert_eq!(get(&site, &b.host, "/").0, 404);
    assert_eq!(login_at(&site, &a.host, &receipt).0, 200);
    // Fixed: the next reload starts b on the store the refused one opened.
    std::fs::write(&toml, "hosts = [\"b.example\"]\n").expect("write");
    hangup(&server);
    eventually("b did not start after its settings were fixed", || {
        get(&site, &b.host, "/").0 == 200
    });
    let log = server.stop();
    assert!(!log.contains("could not acquire lock"), "{log}");
}

//! Tenants: one process serving several offices, each chosen by the
//! request's `Host` on both listeners, each with its own log, server key,
//! token and keys. A receipt, token or outbox of one office does nothing at
//! another; a host no office claims gets a 404 that names none; SIGHUP adds
//! and removes offices; `candor backup --tenant` copies one.

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

//! Tamper evidence: whoever changes the server's store behind its back, or
//! serves an export that does not continue the last one, is caught by the
//! desk, which refuses with a clear message and leaves its vault unchanged.

mod common;

use std::path::Path;

use common::*;

struct Setup {
    tmp: tempfile::TempDir,
    public: std::path::PathBuf,
    secret: std::path::PathBuf,
    data: std::path::PathBuf,
}

fn setup() -> (Setup, Server) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let server = Server::start(&data, &public);
    for i in 0..3 {
        file_report(&server.site, &format!("report number {i}"), &["fraud"], &[]);
    }
    (
        Setup {
            tmp,
            public,
            secret,
            data,
        },
        server,
    )
}

fn open(s: &Setup, bundle: &Path, vault: &str) -> std::process::Output {
    desk(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        s.secret.to_str().expect("path"),
        "--vault",
        vault,
    ])
}

/// Changes the stopped server's store with sled itself, as an intruder with disk access would.
fn with_store(data: &Path, f: impl FnOnce(&sled::Tree)) {
    let db = sled::open(data.join("store")).expect("open store");
    let tree = db.open_tree("candor").expect("tree");
    f(&tree);
    db.flush().expect("flush");
}

/// Every file of a vault, sorted (empty if there is no vault yet).
fn snapshot(vault: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    if !vault.exists() {
        return Vec::new();
    }
    let mut files = all_bytes(vault);
    // The empty file every desk command locks is made even for a refusal.
    files.retain(|(p, _)| !p.ends_with(".lock"));
    files.sort();
    files
}

fn log_key(seq: u64) -> Vec<u8> {
    [&[b'L'][..], &seq.to_be_bytes()].concat()
}

fn refused(out: &std::process::Output, phrase: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "expected a refusal (exit 3): {stderr}"
    );
    assert!(
        stderr.contains(phrase),
        "the message should say {phrase:?}: {stderr}"
    );
    assert!(
        stderr.contains("not changed") || stderr.contains("unchanged"),
        "says the vault is unchanged: {stderr}"
    );
}

#[test]
fn an_altered_body_is_refused() {
    let (s, server) = setup();
    drop(server);
    with_store(&s.data, |t| {
        let blob = t
            .get([&[b'B'][..], &2u64.to_be_bytes()].concat())
            .expect("get")
            .expect("body ref");
        let key = [&[b'X'][..], &blob].concat();
        let mut body = t.get(&key).expect("get").expect("body").to_vec();
        let mid = body.len() / 2;
        body[mid] ^= 0x01;
        t.insert(key, body).expect("insert");
    });
    let server = Server::start(&s.data, &s.public);
    let bundle = s.tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&s.secret), 0, &bundle), 200);
    let vault = s.tmp.path().join("vault");
    let before = snapshot(&vault);
    refused(&open(&s, &bundle, vault.to_str().expect("path")), "altered");
    assert_eq!(snapshot(&vault), before, "a refused export changed the vault");
}

#[test]
fn an_altered_header_breaks_the_chain() {
    let (s, server) = setup();
    drop(server);
    with_store(&s.data, |t| {
        // Move entry 2 to another day: its hash changes, entry 3 no longer follows it.
        let mut header = t.get(log_key(2)).expect("get").expect("entry").to_vec();
        let day_at = 1 + 8 + 1 + 8;
        header[day_at + 3] ^= 0x01;
        t.insert(log_key(2), header).expect("insert");
    });
    let server = Server::start(&s.data, &s.public);
    let bundle = s.tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&s.secret), 0, &bundle), 200);
    refused(
        &open(&s, &bundle, s.tmp.path().join("vault").to_str().expect("path")),
        "altered",
    );
}

#[test]
fn a_removed_entry_is_refused() {
    let (s, server) = setup();
    drop(server);
    with_store(&s.data, |t| {
        t.remove(log_key(2)).expect("remove");
    });
    let server = Server::start(&s.data, &s.public);
    // The server notices the hole mid-stream and breaks the transfer off; what
    // arrived is what a transfer machine would carry across.
    let bundle = s.tmp.path().join("export.bundle");
    let mut resp = client()
        .get(format!("{}/export?after=0", server.api))
        .bearer_auth(token(&s.secret))
        .send()
        .expect("export");
    let mut file = std::fs::File::create(&bundle).expect("file");
    assert!(resp.copy_to(&mut file).is_err(), "the transfer must fail visibly");
    drop(file);
    refused(
        &open(&s, &bundle, s.tmp.path().join("vault").to_str().expect("path")),
        "truncated",
    );
    assert!(server.stop().contains("export stopped before its end"));
}

#[test]
fn a_rolled_back_or_rewritten_log_does_not_extend_what_the_desk_saw() {
    let (s, server) = setup();
    let vault = s.tmp.path().join("vault");
    let vault = vault.to_str().expect("path");
    let first = s.tmp.path().join("first.bundle");
    assert_eq!(export(&server.api, &token(&s.secret), 0, &first), 200);
    assert!(open(&s, &first, vault).status.success());
    let seen = snapshot(Path::new(vault));

    // Roll back: the same server, its store replaced by one with a different history.
    drop(server);
    std::fs::remove_dir_all(s.data.join("store")).expect("remove store");
    let server = Server::start(&s.data, &s.public);
    for i in 0..4 {
        file_report(&server.site, &format!("rewritten history {i}"), &["conduct"], &[]);
    }
    let bundle = s.tmp.path().join("rewritten.bundle");
    assert_eq!(export(&server.api, &token(&s.secret), 3, &bundle), 200);
    refused(&open(&s, &bundle, vault), "does not continue");
    assert_eq!(
        snapshot(Path::new(vault)),
        seen,
        "a refused export changed the vault"
    );

    // A different server (new signing key) is refused too.
    drop(server);
    std::fs::remove_file(s.data.join("server.key")).expect("remove key");
    let server = Server::start(&s.data, &s.public);
    let other = s.tmp.path().join("other.bundle");
    assert_eq!(export(&server.api, &token(&s.secret), 3, &other), 200);
    refused(&open(&s, &other, vault), "server");
    assert_eq!(
        snapshot(Path::new(vault)),
        seen,
        "a refused export changed the vault"
    );
}

/// On PostgreSQL: a body changed in the database while the server runs
/// reaches the desk, which refuses it; a start on the changed database is
/// refused, naming the chain.
#[test]
fn an_altered_body_in_postgres_is_refused_by_the_desk_and_at_start() {
    let Some(cluster) = pg::cluster() else { return };
    let name = cluster.database();
    let url = cluster.url(&name);
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let server = Server::start_store(&data, &public, &url);
    for i in 0..3 {
        file_report(&server.site, &format!("report number {i}"), &["fraud"], &[]);
    }
    let changed = cluster.psql(
        &name,
        "UPDATE candor_bodies b SET body = set_byte(b.body, length(b.body) / 2, get_byte(b.body, length(b.body) / 2) # 1) \
         FROM candor_entries e WHERE e.log = b.log AND e.blob = b.blob AND e.seq = 2 RETURNING 1",
    );
    assert_eq!(changed.trim(), "1");
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    let s = Setup {
        tmp,
        public,
        secret,
        data,
    };
    let vault = s.tmp.path().join("vault");
    let before = snapshot(&vault);
    refused(&open(&s, &bundle, vault.to_str().expect("path")), "altered");
    assert_eq!(snapshot(&vault), before, "a refused export changed the vault");
    drop(server);
    let out = std::process::Command::new(SERVER)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--officer-listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(&s.data)
        .arg("--keys")
        .arg(&s.public)
        .args(["--store", &url])
        .output()
        .expect("run candor");
    assert!(!out.status.success(), "a server started on an altered log");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not verify"), "{stderr}");
}

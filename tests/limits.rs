//! Limits that hold behind Tor: a full disk, a stalled upload and a crowd of
//! submissions each get a clear page, and nothing half-received is kept.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;

fn start(tmp: &tempfile::TempDir, config: &str) -> (Server, String) {
    let (public, secret) = keygen(&tmp.path().join("office"));
    let path = tmp.path().join("candor.toml");
    std::fs::write(&path, config).expect("config");
    let server = Server::start_with(
        &tmp.path().join("data"),
        &public,
        &[("CANDOR_CONFIG", path.to_str().expect("path"))],
    );
    (server, token(&secret))
}

fn entries(server: &Server, token: &str) -> u64 {
    let resp = client()
        .get(format!("{}/export?after=0", server.api))
        .bearer_auth(token)
        .send()
        .expect("export");
    resp.headers()["x-candor-head"]
        .to_str()
        .expect("head")
        .parse()
        .expect("number")
}

/// Starts a report upload and then sends nothing more; returns the open socket.
fn stalled_upload(site: &str) -> TcpStream {
    let addr = site.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    let body_start = "--B\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmisconduct\r\n--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"x.bin\"\r\n\r\nsome bytes";
    write!(
        s,
        "POST /report HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n{body_start}"
    )
    .expect("write");
    s
}

fn read_status(mut s: TcpStream) -> String {
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).expect("read an answer");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn below_the_disk_reserve_uploads_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(&tmp, "min_free_disk_bytes = 1000000000000000000\n");
    let form = reqwest::blocking::multipart::Form::new()
        .text("kind", "misconduct")
        .text("description", "x");
    let resp = client()
        .post(format!("{}/report", server.site))
        .multipart(form)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 507);
    assert!(resp.text().expect("body").contains("nothing was stored"));
    assert_eq!(entries(&server, &token), 0);
    assert!(
        server
            .stop()
            .contains("free disk space is below the configured reserve")
    );
}

#[test]
fn a_stalled_upload_is_dropped_and_a_crowd_gets_a_busy_page() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A minimum pace of 1 byte/s: the stalled upload's first bytes keep it
    // "on pace" for a while, so nothing may take its slot (a holder behind
    // the pace gives its slot to a reporter: tests/slow_clients.rs).
    let (server, token) = start(
        &tmp,
        "upload_idle_timeout_seconds = 2\nmax_concurrent_submissions = 1\nupload_min_bytes_per_second = 1\n",
    );
    let stalled = stalled_upload(&server.site);
    std::thread::sleep(Duration::from_millis(500));
    // The only slot is held by the stalled upload: the next sender is told at once.
    let resp = client()
        .post(format!("{}/report", server.site))
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text("kind", "misconduct")
                .text("description", "y"),
        )
        .send()
        .expect("post");
    assert_eq!(resp.status(), 503);
    assert!(resp.text().expect("body").contains("busy"));
    // The stalled one is answered 408 and leaves nothing behind.
    let answer = read_status(stalled);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(entries(&server, &token), 0);
    // The slot is free again.
    assert!(!file_report(&server.site, "after the stall", &["fraud"], &[]).is_empty());
    assert!(entries(&server, &token) > 0);
}

#[test]
fn onion_location_is_sent_only_when_configured_and_checked_at_start() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let onion = format!("{}.onion", "a".repeat(56));
    let (server, _) = start(&tmp, &format!("onion_address = \"{onion}\"\n"));
    let resp = client().get(format!("{}/", server.site)).send().expect("get");
    assert_eq!(
        resp.headers()["onion-location"],
        format!("http://{onion}/").as_str()
    );
    drop(server);

    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, _) = start(&tmp, "");
    let resp = client().get(format!("{}/", server.site)).send().expect("get");
    assert!(resp.headers().get("onion-location").is_none());
    drop(server);

    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("office"));
    let path = tmp.path().join("candor.toml");
    std::fs::write(&path, "onion_address = \"example.com\"\n").expect("config");
    let out = serve_args(
        &mut std::process::Command::new(SERVER),
        &tmp.path().join("data"),
        &public,
    )
    .env("CANDOR_CONFIG", &path)
    .output()
    .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("onion_address"),
        "names the bad setting"
    );
}

#[test]
fn a_client_slow_to_send_its_headers_is_disconnected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, _) = start(&tmp, "header_read_timeout_seconds = 1\n");
    let addr = server.site.trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&addr).expect("connect");
    write!(s, "GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").expect("write");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut buf = Vec::new();
    // The server closes the connection (perhaps after a 408); the read does
    // not run into its own 20 s safety timeout.
    let read = s.read_to_end(&mut buf);
    assert!(read.is_ok(), "the server kept a half-sent request open: {read:?}");
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // A complete request is still served.
    assert_eq!(
        client()
            .get(format!("{}/", server.site))
            .send()
            .expect("get")
            .status(),
        200
    );
}

#[test]
fn a_kept_alive_connection_that_sends_no_next_request_is_closed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, _) = start(&tmp, "header_read_timeout_seconds = 1\n");
    let addr = server.site.trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&addr).expect("connect");
    // One complete request on a kept-alive connection, then nothing.
    write!(s, "GET /report HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("write");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut buf = Vec::new();
    // The server answers, keeps the connection for the next request, and
    // closes it when none comes within the header timeout: the read ends with
    // the connection, not with its own 20 s safety timeout.
    let read = s.read_to_end(&mut buf);
    assert!(
        read.is_ok(),
        "the server kept an idle kept-alive connection open: {read:?}"
    );
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "the first answer kept the connection alive"
    );
}

#[test]
fn a_category_the_office_does_not_offer_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(&tmp, "categories = [\"fraud\", \"harassment\"]\n");
    let form = reqwest::blocking::multipart::Form::new()
        .text("kind", "misconduct")
        .text("category", "retaliation")
        .text("description", "hidden category");
    let resp = client()
        .post(format!("{}/report", server.site))
        .multipart(form)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 400);
    let page = resp.text().expect("body");
    assert!(
        !page.contains("value=\"retaliation\""),
        "the form does not offer it"
    );
    assert_eq!(entries(&server, &token), 0);
    assert!(!file_report(&server.site, "offered category", &["fraud"], &[]).is_empty());
}

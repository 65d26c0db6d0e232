//! Cheap clients cannot lock reporters out: small versions of the attacks in
//! `benches/attacks.sh`, each against the real server over real TCP.
//!
//! Windows and limits are configured small so that nothing here sleeps long:
//! the pace window is one or two seconds, the connection cap twenty.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

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

fn addr(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

/// The first bytes the server answers on `s` within `within`, or "" if it
/// answered nothing (closed, or the time ran out).
fn answer(s: &mut TcpStream, within: Duration) -> String {
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = Vec::new();
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(buf.get(..n).expect("read"));
        if got.windows(7).any(|w| w == b"</html>") || got.ends_with(b"\n") && got.len() > 200 {
            break;
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Sizes of every file under the store, by path.
fn store_files(data: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut dirs = vec![data.join("store")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("read store dir").flatten() {
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() {
                dirs.push(e.path());
            } else {
                out.push((e.path().display().to_string(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

fn entries(server: &Server, token: &str) -> u64 {
    client()
        .get(format!("{}/export?after=0", server.api))
        .bearer_auth(token)
        .send()
        .expect("export")
        .headers()["x-candor-head"]
        .to_str()
        .expect("head")
        .parse()
        .expect("number")
}

/// Opens a report upload declaring `len` bytes and sends `first` of its body.
fn open_upload(site: &str, path: &str, len: usize, first: &[u8]) -> TcpStream {
    let a = addr(site);
    let mut s = TcpStream::connect(&a).expect("connect");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {a}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: {len}\r\n\r\n"
    )
    .expect("write head");
    s.write_all(first).expect("write body");
    s
}

fn part(name: &str, file: Option<&str>, value: &str) -> String {
    match file {
        Some(f) => format!(
            "--B\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n{value}\r\n"
        ),
        None => format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"),
    }
}

#[test]
fn a_trickling_upload_is_cut_off_within_the_window_and_frees_its_slot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // The idle timeout alone would never fire: the attacker sends every 200 ms.
    let (server, token) = start(
        &tmp,
        "max_concurrent_submissions = 1\nupload_min_bytes_per_second = 1000\nupload_rate_window_seconds = 2\nupload_idle_timeout_seconds = 120\n",
    );
    let start_body = part("kind", None, "misconduct")
        + "--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"x.bin\"\r\n\r\n";
    let mut slow = open_upload(&server.site, "/report", 1_000_000, start_body.as_bytes());
    let mut trickle = slow.try_clone().expect("clone");
    let began = Instant::now();
    let feeder = std::thread::spawn(move || {
        // 5 bytes every 200 ms: 25 B/s, far below 1,000 B/s, never idle.
        while began.elapsed() < Duration::from_secs(15) {
            if trickle.write_all(b"abcde").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let got = answer(&mut slow, Duration::from_secs(10));
    let took = began.elapsed();
    assert!(
        got.starts_with("HTTP/1.1 408"),
        "the trickle was not cut off: {got:?}"
    );
    assert!(took < Duration::from_secs(6), "cut off only after {took:?}");
    // Its slot is free at once: a real report goes through.
    assert!(!file_report(&server.site, "after the trickle", &["fraud"], &[]).is_empty());
    assert_eq!(entries(&server, &token), 1, "only the real report is stored");
    let _ = feeder.join();
}

#[test]
fn a_reporter_takes_the_slot_of_an_upload_behind_the_pace() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A long window: only the slot's reassignment can let the reporter in.
    let (server, token) = start(
        &tmp,
        "max_concurrent_submissions = 2\nupload_min_bytes_per_second = 1000\nupload_rate_window_seconds = 600\n",
    );
    let start_body = part("kind", None, "misconduct")
        + "--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"x.bin\"\r\n\r\n";
    let mut slow: Vec<TcpStream> = (0..2)
        .map(|_| open_upload(&server.site, "/report", 1_000_000, start_body.as_bytes()))
        .collect();
    std::thread::sleep(Duration::from_millis(2500));
    let began = Instant::now();
    assert!(!file_report(&server.site, "past the trickles", &["fraud"], &[]).is_empty());
    assert!(began.elapsed() < Duration::from_secs(3), "{:?}", began.elapsed());
    let cut: Vec<String> = slow
        .iter_mut()
        .map(|s| answer(s, Duration::from_millis(500)))
        .collect();
    assert_eq!(
        cut.iter().filter(|a| a.starts_with("HTTP/1.1 408")).count(),
        1,
        "exactly one trickle gave up its slot: {cut:?}"
    );
    assert_eq!(entries(&server, &token), 1);
    // An upload keeping the pace is never cut off: a fast report still fills
    // the second slot's turn while one trickle remains.
    assert!(!file_report(&server.site, "second", &["fraud"], &[]).is_empty());
}

/// The crowd of `benches/attacks.sh slow-uploads`, small: twice as many
/// trickling uploads as there are slots, each opened again the moment the
/// server cuts it off, so that some are always fresh. A reporter whose short
/// report has arrived whole still takes a slot from one of them every time.
#[test]
fn a_crowd_of_trickles_that_reconnects_at_once_cannot_keep_a_reporter_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(
        &tmp,
        "max_concurrent_submissions = 4\nupload_min_bytes_per_second = 1000\nupload_rate_window_seconds = 600\n",
    );
    let start_body = part("kind", None, "misconduct")
        + "--B\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"x.bin\"\r\n\r\n";
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reopened = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let crowd = {
        let (site, stop, reopened) = (server.site.clone(), stop.clone(), reopened.clone());
        std::thread::spawn(move || {
            let open = || {
                let s = open_upload(&site, "/report", 1_000_000, start_body.as_bytes());
                s.set_nonblocking(true).expect("nonblocking");
                s
            };
            let mut crowd: Vec<TcpStream> = (0..8).map(|_| open()).collect();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for s in crowd.iter_mut() {
                    let mut buf = [0u8; 4096];
                    // Answered (cut off or busy) or closed: open it again at once.
                    let gone = match s.read(&mut buf) {
                        Ok(_) => true,
                        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                    };
                    if gone {
                        *s = open();
                        reopened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    } else {
                        let _ = s.write_all(b"x");
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(2500));
    for i in 0..5 {
        let receipt = file_report(
            &server.site,
            &format!("report {i} past the crowd"),
            &["fraud"],
            &[],
        );
        assert!(!receipt.is_empty());
        std::thread::sleep(Duration::from_millis(300));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    crowd.join().expect("crowd");
    assert!(
        reopened.load(std::sync::atomic::Ordering::Relaxed) >= 5,
        "the crowd was not cut off and reopened"
    );
    assert_eq!(entries(&server, &token), 5);
}

#[test]
fn a_body_that_never_comes_has_a_deadline_and_import_checks_the_token_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(
        &tmp,
        "upload_min_bytes_per_second = 1000\nupload_rate_window_seconds = 1\n",
    );
    let site = addr(&server.site);
    let api = addr(&server.api);
    let began = Instant::now();
    // A log-in form whose body never comes.
    let mut login = TcpStream::connect(&site).expect("connect");
    write!(
        login,
        "POST /followup HTTP/1.1\r\nHost: {site}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    .expect("write");
    // An import with the right token whose body never comes.
    let mut import = TcpStream::connect(&api).expect("connect");
    write!(
        import,
        "POST /import HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n"
    )
    .expect("write");
    let got = answer(&mut login, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 408"), "log-in: {got:?}");
    let got = answer(&mut import, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 408"), "import: {got:?}");
    assert!(began.elapsed() < Duration::from_secs(6), "{:?}", began.elapsed());

    // Without the token, /import answers before reading a byte of the body.
    let mut forged = TcpStream::connect(&api).expect("connect");
    write!(
        forged,
        "POST /import HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer wrong\r\nContent-Length: 60000000\r\n\r\n"
    )
    .expect("write");
    let began = Instant::now();
    let got = answer(&mut forged, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 401"), "{got:?}");
    assert!(
        began.elapsed() < Duration::from_millis(900),
        "{:?}",
        began.elapsed()
    );
}

#[test]
fn counts_are_refused_as_they_arrive_and_leave_no_trace_in_the_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(&tmp, "");
    // Settle the store: one GET, then the files as they are.
    client().get(format!("{}/", server.site)).send().expect("get");
    std::thread::sleep(Duration::from_millis(300));
    let before = store_files(&server.data);

    // 101 small attachments, then the request stays open: the server answers
    // at the 101st without waiting for the rest.
    let mut body = part("kind", None, "misconduct") + &part("description", None, "many files");
    for i in 0..101 {
        body += &part("attachment", Some(&format!("f{i}.txt")), "x");
    }
    let mut s = open_upload(&server.site, "/report", body.len() + 100_000, body.as_bytes());
    let got = answer(&mut s, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 413"), "101st attachment: {got:?}");
    assert!(got.contains("at most 100 files"), "says why");

    // Three small attachments, then 129 empty parts: refused at the 129th.
    let mut body = part("kind", None, "misconduct");
    for i in 0..3 {
        body += &part("attachment", Some(&format!("f{i}.txt")), "evidence");
    }
    for _ in 0..130 {
        body += &part("x", None, "");
    }
    let mut s = open_upload(&server.site, "/report", body.len() + 100_000, body.as_bytes());
    let got = answer(&mut s, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 413"), "129th part: {got:?}");

    assert_eq!(entries(&server, &token), 0);
    assert_eq!(
        store_files(&server.data),
        before,
        "a refused request changed the store's files"
    );
    // 100 attachments are still fine.
    let files: Vec<(String, Vec<u8>)> = (0..100).map(|i| (format!("f{i}.txt"), b"x".to_vec())).collect();
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    assert!(!file_report(&server.site, "a hundred files", &["fraud"], &files).is_empty());
}

fn df(path: &Path, field: &str) -> u64 {
    let out = std::process::Command::new("df")
        .arg("-B1")
        .arg(format!("--output={field}"))
        .arg(path)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("a number from df")
}

#[test]
fn a_request_the_disk_cannot_hold_is_refused_before_its_body() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let avail = df(tmp.path(), "avail");
    assert!(avail > 2 << 30, "the test needs 2 GiB free");
    // The reserve leaves 512 MiB (room for what others write meanwhile): a
    // request declaring 1,000 MiB cannot fit, a small one can.
    let reserve = avail - (512 << 20);
    let (server, token) = start(&tmp, &format!("min_free_disk_bytes = {reserve}\n"));
    let began = Instant::now();
    let mut s = open_upload(&server.site, "/report", 1000 << 20, b"");
    let got = answer(&mut s, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 507"), "{got:?}");
    assert!(began.elapsed() < Duration::from_secs(3), "{:?}", began.elapsed());
    // A small report still fits.
    assert!(!file_report(&server.site, "small", &["fraud"], &[]).is_empty());
    assert_eq!(entries(&server, &token), 1);
    drop(server);

    // Inodes: a volume with bytes to spare but (nearly) no free files.
    let tmp = tempfile::tempdir().expect("tempdir");
    let inodes = df(tmp.path(), "iavail");
    if inodes == 0 {
        return; // this file system does not count inodes
    }
    let (server, _) = start(&tmp, &format!("min_free_inodes = {}\n", inodes - 50));
    let mut s = open_upload(&server.site, "/report", 10_000, b"");
    let got = answer(&mut s, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 507"), "inodes: {got:?}");
}

#[test]
fn an_oversized_head_gets_the_translated_431_page_with_the_security_headers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, _) = start(&tmp, "max_header_bytes = 8192\n");
    let a = addr(&server.site);
    let mut s = TcpStream::connect(&a).expect("connect");
    let big = "a".repeat(20_000);
    // The write may fail once the server has answered and closed.
    let _ = write!(
        s,
        "GET /report?lang=fr HTTP/1.1\r\nHost: {a}\r\nAccept-Language: fr\r\nX-Big: {big}\r\n\r\n"
    );
    let got = answer(&mut s, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 431"), "{got:?}");
    let head = got
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(head.contains("referrer-policy: no-referrer"), "{head}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    assert!(got.contains("lang=\"fr\""), "in the language asked for");
    assert!(got.contains("trop grande"), "the French text");
    // An ordinary request still works.
    let resp = client().get(format!("{}/", server.site)).send().expect("get");
    assert_eq!(resp.status(), 200);
}

#[test]
fn idle_connections_up_to_the_cap_do_not_lock_a_reporter_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (server, token) = start(&tmp, "max_connections = 20\nheader_read_timeout_seconds = 60\n");
    let a = addr(&server.site);
    // Twice the cap, idle: they would pin descriptors for a minute each.
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(&a).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let began = Instant::now();
    assert!(!file_report(&server.site, "past the idle crowd", &["fraud"], &[]).is_empty());
    assert!(began.elapsed() < Duration::from_secs(5), "{:?}", began.elapsed());
    assert_eq!(entries(&server, &token), 1);
    // The server closed the oldest idle ones to make room.
    let closed = idle
        .iter()
        .filter(|s| {
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .expect("timeout");
            let mut r: &TcpStream = s;
            match r.read(&mut [0u8; 16]) {
                Ok(n) => n == 0,
                Err(e) => !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            }
        })
        .count();
    assert!(closed >= 20, "only {closed} of 40 idle connections were closed");
}

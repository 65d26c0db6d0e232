//! Nothing identifying is kept: distinctive client headers never reach the
//! store or the log, and every response carries the protective headers.

mod common;

use common::*;
use reqwest::blocking::multipart::Form;

const UA: &str = "Mozilla/5.0 (X11; Linux) Canary-UA-7d41c2";
const XFF: &str = "203.0.113.77";
const REFERER: &str = "https://canary-referrer.example/leak-9f1e";
const LANG: &str = "x-canary-lang-3b5a";
const PATH_CANARY: &str = "canary-path-51c7";

fn noisy(req: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
    req.header("user-agent", UA)
        .header("x-forwarded-for", XFF)
        .header("x-real-ip", XFF)
        .header("forwarded", format!("for={XFF}"))
        .header("referer", REFERER)
        .header("accept-language", LANG)
}

#[test]
fn client_metadata_is_neither_stored_nor_logged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    // The most verbose log level: even debug output must not carry request data.
    let server = Server::start_with(&data, &public, &[("CANDOR_LOG", "trace")]);
    let c = client();

    for path in [
        "/",
        "/report",
        "/followup",
        "/static/style.css",
        &format!("/{PATH_CANARY}"),
    ] {
        noisy(c.get(format!("{}{path}", server.site)))
            .send()
            .expect("get");
    }
    let form = Form::new()
        .text("kind", "misconduct")
        .text("category", "fraud")
        .text("description", "metadata test report");
    let page = noisy(c.post(format!("{}/report", server.site)).multipart(form))
        .send()
        .expect("report")
        .text()
        .expect("body");
    let receipt = element_text(&page, "receipt").expect("receipt");
    let page = noisy(
        c.post(format!("{}/followup", server.site))
            .form(&[("receipt", receipt.as_str())]),
    )
    .send()
    .expect("login")
    .text()
    .expect("body");
    let session = session_field(&page).expect("session");
    let form = Form::new().text("session", session).text("message", "more");
    noisy(
        c.post(format!("{}/followup/message", server.site))
            .multipart(form),
    )
    .send()
    .expect("message");
    noisy(
        c.get(format!("{}/export?after=0", server.api))
            .bearer_auth(token(&secret)),
    )
    .send()
    .expect("export");

    let log = server.stop();
    assert!(
        log.contains("report received"),
        "the log is being captured:\n{log}"
    );
    let canaries = [
        UA,
        "Canary-UA",
        XFF,
        "203.0.113",
        REFERER,
        "canary-referrer",
        LANG,
        PATH_CANARY,
        "/followup/message",
    ];
    for (path, bytes) in all_bytes(&data) {
        for c in canaries {
            assert!(
                !contains(&bytes, c.as_bytes()),
                "{c:?} stored in {}",
                path.display()
            );
        }
    }
    for c in canaries {
        assert!(!log.contains(c), "{c:?} in the log:\n{log}");
    }
    // No exact times in the log: no HH:MM:SS anywhere.
    let has_clock = log.as_bytes().windows(8).any(|w| {
        w[2] == b':'
            && w[5] == b':'
            && w.iter()
                .enumerate()
                .all(|(i, b)| i == 2 || i == 5 || b.is_ascii_digit())
    });
    assert!(!has_clock, "a time of day in the log:\n{log}");
}

#[test]
fn protective_headers_on_every_response_and_no_cookie_before_login() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let c = client();
    let receipt = file_report(&server.site, "headers", &["conduct"], &[]);

    let mut responses = Vec::new();
    for path in [
        "/",
        "/report",
        "/report?kind=advice",
        "/followup",
        "/static/style.css",
        "/missing",
    ] {
        responses.push((
            path.to_owned(),
            c.get(format!("{}{path}", server.site)).send().expect("get"),
        ));
    }
    responses.push((
        "POST /report (bad)".into(),
        c.post(format!("{}/report", server.site))
            .body("x")
            .send()
            .expect("post"),
    ));
    let login = c
        .post(format!("{}/followup", server.site))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .expect("login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("a session cookie after log-in");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "session-only: {cookie}"
    );
    responses.push(("POST /followup".into(), login));

    for (what, resp) in &responses {
        let h = resp.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = get("content-security-policy");
        for part in [
            "default-src 'none'",
            "style-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{what}: CSP lacks {part}: {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("script-src"),
            "{what}: {csp}"
        );
        assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(get("cache-control"), "no-store", "{what}");
        assert!(get("permissions-policy").contains("camera=()"), "{what}");
        assert!(h.get("server").is_none(), "{what}: a Server header");
        if !what.starts_with("POST /followup") {
            assert!(h.get("set-cookie").is_none(), "{what}: a cookie before log-in");
        }
    }
}

#[test]
fn tor2web_proxies_are_refused_with_an_explanation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let form = Form::new()
        .text("kind", "misconduct")
        .text("description", "via a proxy");
    let resp = client()
        .post(format!("{}/report?lang=fr", server.site))
        .header("x-tor2web", "encrypted")
        .multipart(form)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let page = resp.text().expect("body");
    assert!(page.contains("Tor2web") && page.contains("lang=\"fr\""), "{page}");
    assert!(!page.contains("id=\"receipt\""));
    // Without the proxy's mark the same request is taken.
    assert!(!file_report(&server.site, "direct", &["fraud"], &[]).is_empty());
}

/// Every time a file system keeps for `path`: birth (statx, where the file
/// system records it), modification and change, as nanoseconds since 1970.
fn file_times(path: &std::path::Path) -> Vec<(&'static str, i128)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).expect("metadata");
    let mut out = vec![
        (
            "mtime",
            i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ),
        (
            "ctime",
            i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        ),
    ];
    if let Ok(born) = m.created() {
        out.push(("birth", nanos(born)));
    }
    out
}

fn nanos(t: std::time::SystemTime) -> i128 {
    t.duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos() as i128
}

fn tree(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_owned()];
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(tree(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A seized data directory dates no arrival but the last, and the log at the
/// default level says nothing per report, log-in or message. Three reporters
/// file reports with attachments, log in and send a message with an
/// attachment, seconds apart; the server runs under umask 000. Then every
/// file and folder of the data directory is checked: no birth, modification
/// or change time falls while the first two rounds ran (only the start-up
/// and the last round, the time of the last write, may show), nothing is
/// readable by group or others, and the log holds no line written after
/// start-up.
#[test]
fn a_seized_data_directory_dates_no_arrival_and_the_log_no_event() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, SystemTime};

    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask 000; exec \"$0\" \"$@\"", SERVER])
        .env_remove("CANDOR_LOG")
        .env_remove("RUST_LOG");
    let server = Server::spawn(cmd, &data, &public, &[]);
    let started_log = server.log.lock().expect("log").clone();
    std::thread::sleep(Duration::from_millis(1500));

    let mut rounds = Vec::new();
    for round in 0..3u8 {
        let began = SystemTime::now();
        let evidence: Vec<u8> = (0..300_000u32).map(|i| (i as u8) ^ round).collect();
        let receipt = file_report(
            &server.site,
            &format!("report {round}, filed seconds after the one before"),
            &["fraud"],
            &[("evidence.pdf", evidence)],
        );
        let (status, page) = login(&server.site, &receipt);
        assert_eq!(status, 200);
        let form = Form::new()
            .text("session", session_field(&page).expect("session"))
            .text("message", "one more thing")
            .part(
                "attachment",
                reqwest::blocking::multipart::Part::bytes(vec![round; 50_000]).file_name("more.txt"),
            );
        assert_eq!(
            post_multipart(&server.site, "/followup/message", form).status(),
            200
        );
        rounds.push((nanos(began), nanos(SystemTime::now())));
        std::thread::sleep(Duration::from_millis(1500));
    }
    let log = server.log.lock().expect("log").clone();
    server.stop();

    // The first two rounds, each with the pause after it: a time inside
    // dates one of those arrivals.
    let dated: Vec<(i128, i128)> = rounds
        .iter()
        .zip(rounds.iter().skip(1))
        .map(|(this, next)| (this.0, next.0))
        .collect();
    let mut dating = Vec::new();
    let mut loose = Vec::new();
    for path in tree(&data) {
        for (what, t) in file_times(&path) {
            if dated.iter().any(|(from, to)| *from <= t && t < *to) {
                dating.push(format!("{what} of {}", path.display()));
            }
        }
        let mode = std::fs::symlink_metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            loose.push(format!("{:o} {}", mode & 0o777, path.display()));
        }
    }
    let new_lines = log.strip_prefix(started_log.as_str()).unwrap_or(&log);
    let mut problems = Vec::new();
    if !new_lines.trim().is_empty() {
        problems.push(format!(
            "the log at the default level wrote lines after start-up:\n{new_lines}"
        ));
    }
    if !dating.is_empty() {
        problems.push(format!(
            "file times in the data directory date earlier arrivals:\n{}",
            dating.join("\n")
        ));
    }
    if !loose.is_empty() {
        problems.push(format!(
            "readable by group or others under umask 000:\n{}",
            loose.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

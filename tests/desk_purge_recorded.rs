//! Purging a case recorded with a receipt before an export has shown it
//! back from the server: the purge still reaches the server (the receipt
//! stops working) and the next export does not bring the case back, whether
//! or not the outbox that filed it was imported first. And `purge` on a
//! terminal names the case and asks before it removes anything. The
//! reporter's page says a recorded report was recorded by the office, on
//! the day the office gave, not "sent" on the day it was imported.

#![cfg(all(feature = "server", feature = "desk"))]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Server, desk, desk_ok, export, import, login};

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Records a case by phone with a receipt: (case id, receipt).
fn record(vault: &str, secret: &str, text: &str) -> (String, String) {
    let out = desk_ok(&[
        "record",
        "--vault",
        vault,
        "--keys",
        secret,
        "--kind",
        "misconduct",
        "--category",
        "fraud",
        "--channel",
        "phone",
        "--description",
        text,
        "--received",
        "2026-01-15",
        "--issue-receipt",
    ]);
    let case = out
        .split("Recorded case ")
        .nth(1)
        .and_then(|r| r.get(..11))
        .expect("case id")
        .to_owned();
    let receipt = out
        .lines()
        .skip_while(|l| !l.starts_with("Receipt for the reporter"))
        .nth(1)
        .expect("receipt line")
        .trim()
        .to_owned();
    (case, receipt)
}

fn case_ids(vault: &str) -> Vec<String> {
    let list: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", vault, "--json"])).expect("json");
    list.as_array()
        .map(|l| {
            l.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_recorded_case_purged_before_the_next_export_stays_purged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = common::keygen(&dir.path().join("office"));
    let server = Server::start(&dir.path().join("data"), &public);
    let token = common::token(&secret);
    let vault = dir.path().join("vault");
    let v = s(&vault);
    // The vault exists once an (empty) export is opened.
    let first = dir.path().join("export-0.bundle");
    assert_eq!(export(&server.api, &token, 0, &first), 200);
    let opened = desk_ok(&["open", s(&first), "--keys", s(&secret), "--vault", v]);
    let seen: u64 = opened
        .split("export?after=")
        .nth(1)
        .and_then(|r| r.trim().trim_end_matches('.').parse().ok())
        .expect("the head the vault has seen");

    // Case A: its outbox imported, then purged before the next export.
    let (a, receipt_a) = record(v, s(&secret), "Fuel cards are shared.");
    // Case B: its outbox written but never imported, then purged.
    let (b, receipt_b) = record(v, s(&secret), "Overtime is invented.");
    let out1 = dir.path().join("outbox-1.bundle");
    desk_ok(&["outbox", "--vault", v, "--keys", s(&secret), "--out", s(&out1)]);
    let (code, body) = import(&server.api, &token, &std::fs::read(&out1).expect("outbox"));
    assert_eq!(code, 200, "{body}");
    let (code, page) = login(&server.site, &receipt_a);
    assert_eq!(code, 200, "the receipt works once filed");
    // The reporter's page says when the office recorded it, not when it was imported.
    assert!(
        page.contains("Your report, recorded by the office on \u{2066}2026-01-15\u{2069}"),
        "{page}"
    );
    assert_eq!(login(&server.site, &receipt_b).0, 200);

    desk_ok(&["purge", &a, "--vault", v]);
    desk_ok(&["purge", &b, "--vault", v, "--yes"]);
    // The purges go out: not "nothing is waiting".
    let out2 = dir.path().join("outbox-2.bundle");
    let printed = desk_ok(&["outbox", "--vault", v, "--keys", s(&secret), "--out", s(&out2)]);
    assert!(printed.contains("2 purge(s)"), "{printed}");
    let (code, body) = import(&server.api, &token, &std::fs::read(&out2).expect("outbox"));
    assert_eq!(code, 200, "{body}");
    assert_ne!(
        login(&server.site, &receipt_a).0,
        200,
        "the purged case's receipt no longer works"
    );
    assert_ne!(login(&server.site, &receipt_b).0, 200);

    // The next export does not bring them back, and confirms the purges.
    let next = dir.path().join("export-1.bundle");
    assert_eq!(export(&server.api, &token, 0, &next), 200);
    let fresh = dir.path().join("fresh-vault");
    desk_ok(&["open", s(&next), "--keys", s(&secret), "--vault", s(&fresh)]);
    assert!(case_ids(s(&fresh)).is_empty(), "a new desk sees no purged case");
    // This desk opens what follows the export it opened last.
    let after = dir.path().join("export-2.bundle");
    assert_eq!(export(&server.api, &token, seen, &after), 200);
    let out = desk(&["open", s(&after), "--keys", s(&secret), "--vault", v]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ids = case_ids(v);
    assert!(!ids.contains(&a) && !ids.contains(&b), "{ids:?}");
    // Nothing is pending any more.
    let out = desk(&[
        "outbox",
        "--vault",
        v,
        "--keys",
        s(&secret),
        "--out",
        s(&dir.path().join("o3")),
    ]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    drop(server);
}

#[test]
fn purge_asks_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` (util-linux) is not installed; it gives purge a terminal");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = common::keygen(&dir.path().join("office"));
    let vault = dir.path().join("vault");
    std::fs::create_dir_all(&vault).expect("vault");
    let v = s(&vault);
    let out = desk_ok(&[
        "record",
        "--vault",
        v,
        "--keys",
        s(&secret),
        "--kind",
        "advice",
        "--category",
        "gifts",
        "--channel",
        "meeting",
        "--description",
        "May I keep the watch?",
    ]);
    let case = out
        .split("Recorded case ")
        .nth(1)
        .and_then(|r| r.get(..11))
        .expect("case id")
        .to_owned();
    let on_terminal = |answer: &str| -> String {
        let cmd = format!("{} purge {case} --vault {v}", common::DESK);
        let mut child = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(answer.as_bytes());
        }
        let out = child.wait_with_output().expect("purge");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = on_terminal("no\n");
    assert!(said.contains(&format!("Purge case {case}")), "{said}");
    assert!(
        said.contains("advice received"),
        "the prompt names the case: {said}"
    );
    assert!(said.contains("Nothing was purged."), "{said}");
    assert!(case_ids(v).contains(&case));
    let said = on_terminal(&format!("{}\n", case.to_lowercase()));
    assert!(said.contains(&format!("Purged case {case}")), "{said}");
    assert!(case_ids(v).is_empty());
}

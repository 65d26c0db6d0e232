//! The officer's year, with the real binaries: OpenPGP and age office keys
//! side by side through the real server, passphrase-protected keys, an
//! encrypted vault, cases recorded from other channels (with a receipt that
//! works online), purges that keep the chain valid, deadlines with a fixed
//! clock, and a year of made-up cases whose statistics are checked figure by
//! figure.

#![cfg(all(feature = "server", feature = "desk"))]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{Server, all_bytes, contains, export, file_report, import, login};
use serde_json::{Value, json};

const PASS: &str = "correct horse battery staple";

fn desk_env(args: &[&str], today: &str, pass: Option<&str>) -> Output {
    let mut cmd = Command::new(common::DESK);
    cmd.args(args)
        .env("CANDOR_TODAY", today)
        .env_remove("CANDOR_DESK_VAULT")
        .env_remove("CANDOR_DESK_KEYS")
        .env_remove("CANDOR_DESK_PASSPHRASE");
    if let Some(p) = pass {
        cmd.env("CANDOR_DESK_PASSPHRASE", p);
    }
    cmd.output().expect("run candor-desk")
}

fn ok_at(args: &[&str], today: &str) -> String {
    let out = desk_env(args, today, Some(PASS));
    assert!(
        out.status.success(),
        "candor-desk {args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ok(args: &[&str]) -> String {
    ok_at(args, "2026-03-02")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn case_id(printed: &str) -> String {
    printed
        .split("Recorded case ")
        .nth(1)
        .and_then(|r| r.get(..11))
        .expect("case id printed")
        .to_owned()
}

#[test]
fn openpgp_and_age_keys_round_trip_through_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let age_keys = dir.path().join("age");
    let pgp_keys = dir.path().join("pgp");
    ok(&["keygen", "--out", s(&age_keys)]);
    ok(&["keygen", "--openpgp", "--out", s(&pgp_keys)]);
    // Both secret halves are protected.
    let office_key = fs::read_to_string(age_keys.join("secret/office.key")).expect("office.key");
    assert!(office_key.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!office_key.contains("AGE-SECRET-KEY"));
    let out = desk_env(&["keygen", "--out", s(&dir.path().join("x"))], "2026-03-02", None);
    assert_eq!(out.status.code(), Some(1), "keygen without a passphrase source");

    // The server: the age recipient and the OpenPGP certificate as office
    // keys, the OpenPGP key as the officer's signing key.
    let keys = dir.path().join("server-keys");
    fs::create_dir_all(&keys).expect("keys dir");
    fs::copy(
        age_keys.join("public/recipients.txt"),
        keys.join("recipients.txt"),
    )
    .expect("copy");
    fs::copy(pgp_keys.join("public/office.asc"), keys.join("office.asc")).expect("copy");
    fs::copy(pgp_keys.join("public/officer.asc"), keys.join("officer.asc")).expect("copy");
    fs::copy(
        pgp_keys.join("public/officer-token.sha256"),
        keys.join("officer-token.sha256"),
    )
    .expect("copy");
    let data = dir.path().join("data");
    let server = Server::start(&data, &keys);
    let tok = ok(&["token", "--keys", s(&pgp_keys.join("secret"))])
        .trim()
        .to_owned();
    let text = "The procurement chief splits contracts to stay under the tender threshold";
    let receipt = file_report(
        &server.site,
        text,
        &["fraud"],
        &[("ledger.csv", b"a,b,c\n".repeat(500))],
    );
    let bundle = dir.path().join("export.bundle");
    assert_eq!(export(&server.api, &tok, 0, &bundle), 200);

    // Each kind of office key opens it on its own.
    let age_vault = dir.path().join("age-vault");
    let pgp_vault = dir.path().join("pgp-vault");
    for (vault, secret) in [
        (&age_vault, age_keys.join("secret")),
        (&pgp_vault, pgp_keys.join("secret")),
    ] {
        ok(&["open", s(&bundle), "--keys", s(&secret), "--vault", s(vault)]);
        let cases: Value =
            serde_json::from_str(&ok(&["cases", "--vault", s(vault), "--json"])).expect("json");
        assert_eq!(cases.as_array().map(Vec::len), Some(1));
        let id = cases[0]["id"].as_str().expect("id").to_owned();
        let shown: Value =
            serde_json::from_str(&ok(&["show", &id, "--vault", s(vault), "--json"])).expect("json");
        assert_eq!(shown["description"], json!(text));
        // Encrypted at rest: the report's text and the attachment are nowhere in the vault.
        for (path, bytes) in all_bytes(vault) {
            assert!(
                !contains(&bytes, b"tender threshold"),
                "{} holds the report",
                path.display()
            );
            assert!(
                !contains(&bytes, &b"a,b,c\n".repeat(20)),
                "{} holds the attachment",
                path.display()
            );
        }
        let files = dir.path().join(format!(
            "extract-{}",
            vault.file_name().and_then(|n| n.to_str()).unwrap_or("v")
        ));
        ok(&["show", &id, "--vault", s(vault), "--extract", s(&files)]);
        let extracted: Vec<Vec<u8>> = all_bytes(&files).into_iter().map(|(_, b)| b).collect();
        assert!(
            extracted.contains(&b"a,b,c\n".repeat(500)),
            "attachment byte for byte"
        );
    }
    // A wrong passphrase says so.
    let out = desk_env(
        &["cases", "--vault", s(&pgp_vault)],
        "2026-03-02",
        Some("wrong passphrase"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("passphrase"));

    // Reply from the OpenPGP desk, outbox signed with the OpenPGP key.
    let cases: Value =
        serde_json::from_str(&ok(&["cases", "--vault", s(&pgp_vault), "--json"])).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();
    ok(&[
        "reply",
        &id,
        "--vault",
        s(&pgp_vault),
        "--message",
        "We have opened a preliminary review.",
    ]);
    ok(&[
        "status",
        &id,
        "--vault",
        s(&pgp_vault),
        "--set",
        "preliminary-review",
    ]);
    let recorded = ok(&[
        "record",
        "--vault",
        s(&pgp_vault),
        "--kind",
        "misconduct",
        "--category",
        "harassment",
        "--channel",
        "phone",
        "--description",
        "Caller describes repeated shouting by a unit head",
        "--issue-receipt",
    ]);
    let recorded_id = case_id(&recorded);
    let phone_receipt = recorded
        .lines()
        .skip_while(|l| !l.starts_with("Receipt for the reporter"))
        .nth(1)
        .expect("receipt printed")
        .trim()
        .to_owned();
    let outbox = dir.path().join("outbox.bundle");
    ok(&["outbox", "--vault", s(&pgp_vault), "--out", s(&outbox)]);
    let (status, body) = import(&server.api, &tok, &fs::read(&outbox).expect("outbox"));
    assert_eq!(status, 200, "{body}");
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    assert!(page.contains("We have opened a preliminary review."));
    // The caller's receipt works online.
    let (status, page) = login(&server.site, &phone_receipt);
    assert_eq!(
        status,
        200,
        "{}",
        server.log.lock().map(|l| l.clone()).unwrap_or_default()
    );
    assert!(page.contains("data-status=\"received\""), "{page}");

    // The next export delivers the operations; then a purge.
    let head = |out: &str| -> u64 {
        out.split("/export?after=")
            .nth(1)
            .and_then(|r| r.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok())
            .expect("head printed")
    };
    let next = dir.path().join("export2.bundle");
    let first = ok(&[
        "open",
        s(&bundle),
        "--vault",
        s(&dir.path().join("scratch")),
        "--keys",
        s(&pgp_keys.join("secret")),
    ]);
    assert_eq!(export(&server.api, &tok, head(&first), &next), 200);
    let opened = ok(&["open", s(&next), "--vault", s(&pgp_vault)]);
    assert!(opened.contains("3 operation(s) delivered"), "{opened}");
    let cases: Value =
        serde_json::from_str(&ok(&["cases", "--vault", s(&pgp_vault), "--json"])).expect("json");
    assert!(
        cases
            .as_array()
            .expect("array")
            .iter()
            .all(|c| c["pending"] == json!(0)),
        "{cases}"
    );

    ok(&["purge", &id, "--vault", s(&pgp_vault)]);
    ok(&["purge", &recorded_id, "--vault", s(&pgp_vault)]);
    let outbox2 = dir.path().join("outbox2.bundle");
    let written = ok(&["outbox", "--vault", s(&pgp_vault), "--out", s(&outbox2)]);
    assert!(written.contains("2 purge(s)"), "{written}");
    let (status, body) = import(&server.api, &tok, &fs::read(&outbox2).expect("outbox"));
    assert_eq!(status, 200, "{body}");
    let (status, _) = login(&server.site, &receipt);
    assert_ne!(status, 200, "a purged case's receipt no longer opens it");
    // The chain still verifies: the age desk opens everything after its head.
    let third = dir.path().join("export3.bundle");
    let age_head = {
        let out = ok(&[
            "open",
            s(&bundle),
            "--vault",
            s(&dir.path().join("scratch2")),
            "--keys",
            s(&age_keys.join("secret")),
        ]);
        head(&out)
    };
    assert_eq!(export(&server.api, &tok, age_head, &third), 200);
    // The age desk knows the office's other signing key (the OpenPGP desk's).
    fs::copy(
        pgp_keys.join("public/officer.asc"),
        age_keys.join("public/officer.asc"),
    )
    .expect("copy");
    let opened = ok(&["open", s(&third), "--vault", s(&age_vault)]);
    // A purge made at the other desk is reported, never applied here.
    assert!(opened.contains("0 case(s) purged"), "{opened}");
    assert!(opened.contains("this desk kept the case"), "{opened}");
    let shown: Value =
        serde_json::from_str(&ok(&["show", &id, "--vault", s(&age_vault), "--json"])).expect("json");
    assert_eq!(shown["id"], json!(id), "the case stays at this desk");
    server.stop();
}

/// A year of made-up cases, every figure known in advance.
#[test]
fn a_year_of_cases_gives_known_figures_and_deadlines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    ok(&["keygen", "--no-passphrase", "--out", s(&keys)]);
    let vault = dir.path().join("vault");
    fs::create_dir_all(&vault).expect("vault");
    let secret = keys.join("secret");
    let v = s(&vault);
    let record = |kind: &str, cats: &[&str], received: &str, text: &str| -> String {
        let mut args = vec!["record", "--vault", v, "--keys", s(&secret), "--kind", kind];
        for c in cats {
            args.extend(["--category", c]);
        }
        args.extend(["--received", received, "--channel", "post", "--description", text]);
        case_id(&ok_at(&args, received))
    };
    let status = |case: &str, st: &str, day: &str| {
        ok_at(&["status", case, "--vault", v, "--set", st], day);
    };
    let c1 = record(
        "misconduct",
        &["fraud", "conflict-of-interest"],
        "2025-01-10",
        "secret text one",
    );
    status(&c1, "acknowledged", "2025-01-12");
    status(&c1, "investigation", "2025-02-01");
    status(&c1, "closed-substantiated", "2025-06-01");
    let c2 = record("misconduct", &["harassment"], "2025-03-05", "secret text two");
    status(&c2, "acknowledged", "2025-03-15");
    status(&c2, "investigation", "2025-11-01");
    status(&c2, "closed-unsubstantiated", "2026-02-01");
    let c3 = record("misconduct", &["fraud"], "2025-12-20", "secret text three");
    let c4 = record("misconduct", &["conduct"], "2024-11-01", "secret text four");
    status(&c4, "investigation", "2024-12-01");
    status(&c4, "closed-referred", "2025-01-15");
    let a1 = record("advice", &["gifts"], "2025-04-01", "secret text five");
    status(&a1, "acknowledged", "2025-04-03");
    let a2 = record(
        "advice",
        &["outside-activities", "gifts"],
        "2025-05-01",
        "secret text six",
    );

    let figures: Value =
        serde_json::from_str(&ok(&["stats", "--vault", v, "--year", "2025", "--json"])).expect("json");
    assert_eq!(figures["complaints"], json!(3));
    assert_eq!(figures["by_category"]["fraud"], json!(2));
    assert_eq!(figures["by_category"]["conflict-of-interest"], json!(1));
    assert_eq!(figures["by_category"]["harassment"], json!(1));
    assert_eq!(figures["by_category"]["conduct"], json!(0));
    assert_eq!(figures["multi_category"], json!(1));
    assert_eq!(figures["investigations_opened"], json!(2));
    assert_eq!(figures["investigations_closed"], json!(2));
    assert_eq!(figures["advice"], json!(2));
    assert_eq!(figures["advice_by_topic"]["gifts"], json!(2));
    assert_eq!(figures["advice_by_topic"]["outside-activities"], json!(1));
    assert_eq!(figures["median_days_to_acknowledge"], json!(2.0));
    assert_eq!(figures["median_days_to_close"], json!(108.5));
    assert_eq!(figures["share_substantiated"], json!(0.5));
    let next: Value =
        serde_json::from_str(&ok(&["stats", "--vault", v, "--year", "2026", "--json"])).expect("json");
    assert_eq!(next["complaints"], json!(0));
    assert_eq!(next["investigations_closed"], json!(1));

    // The readable table and the files for the annual report.
    let table = ok(&["stats", "--vault", v, "--year", "2025"]);
    assert!(
        table.contains("Complaints received") && table.contains("108.5"),
        "{table}"
    );
    let md = dir.path().join("report-2025.md");
    ok(&["stats", "--vault", v, "--year", "2025", "--out", s(&md)]);
    let markdown = fs::read_to_string(&md).expect("markdown");
    assert!(markdown.contains("| Complaints received | 3 |"), "{markdown}");
    let svg = fs::read_to_string(dir.path().join("report-2025.svg")).expect("chart");
    assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{svg}");

    // Deadlines with a fixed clock.
    let cases_at = |today: &str, extra: &[&str]| -> Value {
        let mut args = vec!["cases", "--vault", v, "--json"];
        args.extend(extra);
        serde_json::from_str(&ok_at(&args, today)).expect("json")
    };
    let mark = |list: &Value, id: &str| -> String {
        list.as_array()
            .and_then(|l| l.iter().find(|c| c["id"] == json!(id)))
            .map(|c| c["deadline"].as_str().unwrap_or_default().to_owned())
            .expect("case listed")
    };
    let at = cases_at("2025-12-25", &[]);
    assert_eq!(mark(&at, &c3), "due-soon");
    assert_eq!(mark(&at, &c1), "done");
    // A request for advice has no deadline unless the office sets one.
    assert_eq!(mark(&at, &a2), "ok");
    assert_eq!(mark(&at, &a1), "ok");
    let with_period = cases_at("2025-12-25", &["--advice-days", "10"]);
    assert_eq!(mark(&with_period, &a2), "overdue");
    assert_eq!(
        mark(&with_period, &a1),
        "overdue",
        "acknowledging is not answering"
    );
    let a1_row = at
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == json!(a1)))
        .expect("a1");
    assert_eq!(a1_row["feedback_due"], json!(null));
    assert_eq!(mark(&cases_at("2025-12-28", &[]), &c3), "overdue");
    assert_eq!(
        mark(&cases_at("2025-12-25", &["--feedback-months", "12"]), &c3),
        "due-soon"
    );
    let advice_table = ok_at(&["cases", "--vault", v], "2025-12-25");
    assert!(
        advice_table.contains("answer (no deadline set)"),
        "{advice_table}"
    );
    assert!(!advice_table.contains("OVERDUE: acknowledge"), "{advice_table}");
    let table = ok_at(&["cases", "--vault", v], "2025-12-28");
    assert!(table.contains("OVERDUE"), "{table}");

    // The vault holds none of the descriptions in the clear.
    for (path, bytes) in all_bytes(&vault) {
        assert!(
            !contains(&bytes, b"secret text"),
            "{} holds a description",
            path.display()
        );
    }

    // Retention: closed before mid-2025 are C1 and C4.
    let out = ok(&["purge", "--vault", v, "--closed-before", "2025-07-01"]);
    assert!(out.contains(&c1) && out.contains(&c4), "{out}");
    let left: Value = serde_json::from_str(&ok(&["cases", "--vault", v, "--json"])).expect("json");
    assert_eq!(left.as_array().map(Vec::len), Some(4));
}

/// Two desks of one office, one with only the age key, one with only the
/// OpenPGP key, each with the other's public key in its `public/` folder:
/// each replies, and each opens the export holding the other's reply. (If
/// replies were sealed to the writing desk's own key only, the other desk
/// would refuse that export with "could not decrypt".)
#[test]
fn each_desk_reads_the_other_desks_replies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let age_keys = dir.path().join("age");
    let pgp_keys = dir.path().join("pgp");
    ok(&["keygen", "--out", s(&age_keys)]);
    ok(&["keygen", "--openpgp", "--out", s(&pgp_keys)]);
    // One officer signing key for the office, on both desks.
    fs::copy(
        age_keys.join("secret/officer.key"),
        pgp_keys.join("secret/officer.key"),
    )
    .expect("copy");
    // The server holds both office keys; each desk learns the other's.
    let keys = dir.path().join("server-keys");
    fs::create_dir_all(&keys).expect("keys dir");
    for (from, name) in [
        (&age_keys, "recipients.txt"),
        (&age_keys, "officer.pub"),
        (&age_keys, "officer-token.sha256"),
        (&pgp_keys, "office.asc"),
    ] {
        fs::copy(from.join("public").join(name), keys.join(name)).expect("copy");
    }
    fs::copy(
        pgp_keys.join("public/office.asc"),
        age_keys.join("public/office.asc"),
    )
    .expect("copy");
    fs::copy(
        age_keys.join("public/recipients.txt"),
        pgp_keys.join("public/recipients.txt"),
    )
    .expect("copy");

    let data = dir.path().join("data");
    let server = Server::start(&data, &keys);
    let tok = ok(&["token", "--keys", s(&age_keys.join("secret"))])
        .trim()
        .to_owned();
    let receipt = file_report(
        &server.site,
        "Gifts from a supplier",
        &["conflict-of-interest"],
        &[],
    );
    let first = dir.path().join("export1.bundle");
    assert_eq!(export(&server.api, &tok, 0, &first), 200);

    let desks = [
        ("age", age_keys.join("secret"), dir.path().join("age-vault")),
        ("openpgp", pgp_keys.join("secret"), dir.path().join("pgp-vault")),
    ];
    let mut head = 0;
    let mut id = String::new();
    for (name, secret, vault) in &desks {
        let opened = ok(&["open", s(&first), "--keys", s(secret), "--vault", s(vault)]);
        head = opened
            .split("/export?after=")
            .nth(1)
            .and_then(|r| r.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok())
            .expect("head printed");
        let cases: Value =
            serde_json::from_str(&ok(&["cases", "--vault", s(vault), "--json"])).expect("json");
        id = cases[0]["id"].as_str().expect("id").to_owned();
        ok(&[
            "reply",
            &id,
            "--vault",
            s(vault),
            "--message",
            &format!("Reply from the {name} desk"),
        ]);
        let outbox = dir.path().join(format!("outbox-{name}.bundle"));
        let written = ok(&["outbox", "--vault", s(vault), "--out", s(&outbox)]);
        assert!(written.contains("Sealed to 2 office key(s)"), "{written}");
        let (status, body) = import(&server.api, &tok, &fs::read(&outbox).expect("outbox"));
        assert_eq!(status, 200, "{body}");
    }
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    assert!(page.contains("Reply from the age desk") && page.contains("Reply from the openpgp desk"));

    let second = dir.path().join("export2.bundle");
    assert_eq!(export(&server.api, &tok, head, &second), 200);
    for (name, _, vault) in &desks {
        ok(&["open", s(&second), "--vault", s(vault)]);
        let shown: Value =
            serde_json::from_str(&ok(&["show", &id, "--vault", s(vault), "--json"])).expect("json");
        let mut replies: Vec<&str> = shown["thread"]
            .as_array()
            .expect("thread")
            .iter()
            .filter(|t| t["type"] == json!("reply"))
            .filter_map(|t| t["text"].as_str())
            .collect();
        replies.sort_unstable();
        assert_eq!(
            replies,
            ["Reply from the age desk", "Reply from the openpgp desk"],
            "{name}"
        );
    }
}

//! The whole path, as the three people who use candor walk it: a reporter
//! files a report with evidence and follows up, the officer exports, opens,
//! replies and sets a status on the air-gapped desk, the outbox is imported,
//! and the reporter reads the reply. Real server, real store (sled, and
//! PostgreSQL in a cluster of the test's own), real age, real `candor-desk`;
//! the data dir (and the database's files) are then searched for anything in
//! clear.

mod common;

use common::*;

#[test]
fn report_to_reply_round_trip_leaves_nothing_in_clear() {
    round_trip(None);
}

#[test]
fn report_to_reply_round_trip_on_postgres() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.url(&cluster.database());
    round_trip(Some((&url, &cluster.dir)));
}

/// The whole journey on the embedded store, or on PostgreSQL (its address
/// and the cluster's directory, searched too).
fn round_trip(postgres: Option<(&str, &std::path::Path)>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let vault = tmp.path().join("vault");
    let server = match postgres {
        None => Server::start(&data, &public),
        Some((url, _)) => Server::start_store(&data, &public, url),
    };
    let token = token(&secret);

    let description = "The regional director signed 14 invoices for a company owned by his brother-in-law.";
    let evidence: Vec<u8> = (0..600_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let small = b"Invoice 2291, 14 March, approved by RD".to_vec();
    let receipt = file_report(
        &server.site,
        description,
        &["fraud", "conflict-of-interest"],
        &[("invoices.bin", evidence.clone()), ("note.txt", small.clone())],
    );
    assert_eq!(receipt.len(), 29, "receipt shown grouped: {receipt}");

    // The reporter comes back, sees "received", and sends more.
    let (status, page) = login(&server.site, &receipt.to_lowercase().replace('-', " "));
    assert_eq!(status, 200);
    assert_eq!(attr(&page, "status", "data-status").as_deref(), Some("received"));
    assert!(
        !page.contains(description),
        "the reporter's own text must not be shown back"
    );
    let session = session_field(&page).expect("session field");
    let follow_text = "He also asked me to delete the approval e-mails.";
    let follow_file = b"second piece of evidence".to_vec();
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session)
        .text("message", follow_text)
        .part(
            "attachment",
            reqwest::blocking::multipart::Part::bytes(follow_file.clone()).file_name("mail.eml"),
        );
    let resp = post_multipart(&server.site, "/followup/message", form);
    assert_eq!(resp.status(), 200);
    assert!(resp.text().expect("body").contains("Your message was sent"));

    // The officer exports and opens it on the desk.
    let bundle = tmp.path().join("export-1.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let keys = secret.to_str().expect("path");
    let vault_s = vault.to_str().expect("path");
    let opened = desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        keys,
        "--vault",
        vault_s,
    ]);
    let last_seq = next_cursor(&opened);
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", vault_s, "--json"])).expect("cases json");
    let case = &cases.as_array().expect("array")[0];
    assert_eq!(case["kind"], "misconduct");
    assert_eq!(case["status"], "received");
    let cats: Vec<&str> = case["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(cats.contains(&"fraud") && cats.contains(&"conflict-of-interest"));
    let id = case["id"].as_str().expect("id").to_owned();
    let shown: serde_json::Value =
        serde_json::from_str(&desk_ok(&["show", &id, "--vault", vault_s, "--json"])).expect("show json");
    assert_eq!(shown["description"], description);
    let extract = tmp.path().join("extract");
    desk_ok(&[
        "show",
        &id,
        "--vault",
        vault_s,
        "--extract",
        extract.to_str().expect("path"),
    ]);
    let extracted = all_bytes(&extract);
    for wanted in [&evidence, &small, &follow_file] {
        assert!(
            extracted.iter().any(|(_, b)| b == wanted),
            "an attachment was not extracted byte for byte"
        );
    }
    assert!(extracted.iter().any(|(_, b)| contains(b, follow_text.as_bytes())));

    // Reply and status go back through a signed outbox.
    let reply = "Thank you. We have opened a preliminary review and will write again within three months.";
    desk_ok(&["reply", &id, "--vault", vault_s, "--message", reply]);
    desk_ok(&["status", &id, "--vault", vault_s, "--set", "preliminary-review"]);
    let outbox = tmp.path().join("outbox.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        vault_s,
        "--keys",
        keys,
        "--out",
        outbox.to_str().expect("path"),
    ]);
    let (code, text) = import(&server.api, &token, &std::fs::read(&outbox).expect("outbox"));
    assert_eq!(code, 200, "{text}");

    // The reporter reads the reply and the new status.
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    assert_eq!(
        attr(&page, "status", "data-status").as_deref(),
        Some("preliminary-review")
    );
    assert!(page.contains(reply), "the office's reply is shown in full");
    assert!(
        !page.contains(follow_text),
        "the reporter's own message is not shown back"
    );

    // The next export continues the chain, and the desk sees its reply delivered.
    let bundle2 = tmp.path().join("export-2.bundle");
    assert_eq!(export(&server.api, &token, last_seq, &bundle2), 200);
    let opened = desk_ok(&[
        "open",
        bundle2.to_str().expect("path"),
        "--keys",
        keys,
        "--vault",
        vault_s,
    ]);
    assert!(next_cursor(&opened) > last_seq);
    let shown: serde_json::Value =
        serde_json::from_str(&desk_ok(&["show", &id, "--vault", vault_s, "--json"])).expect("show json");
    let delivered = shown["thread"]
        .as_array()
        .expect("thread")
        .iter()
        .filter(|t| t["type"] == "reply" || t["type"] == "status")
        .all(|t| t["delivered"] == true);
    assert!(
        delivered,
        "the desk marks its reply and status delivered once the export shows them: {shown}"
    );

    // Nothing readable on the server's disk: not the report, the files, the follow-up or the reply.
    let log = server.stop();
    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("report text", description.as_bytes().to_vec()),
        ("report text fragment", b"brother-in-law".to_vec()),
        ("attachment", evidence[1000..1064].to_vec()),
        ("small attachment", small.clone()),
        ("follow-up text", follow_text.as_bytes().to_vec()),
        ("follow-up file", follow_file.clone()),
        ("reply", reply.as_bytes().to_vec()),
        ("receipt", receipt.as_bytes().to_vec()),
        (
            "receipt without dashes",
            receipt.replace('-', "").as_bytes().to_vec(),
        ),
    ];
    let mut files = all_bytes(&data);
    if let Some((_, cluster)) = postgres {
        // The database's tables, write-ahead log and logs.
        files.extend(all_bytes(cluster));
    }
    assert!(
        postgres.is_none() || files.iter().any(|(p, _)| p.to_string_lossy().contains("pg_wal")),
        "the cluster's files were searched"
    );
    for (path, bytes) in files {
        for (what, needle) in &needles {
            assert!(
                !contains(&bytes, needle),
                "{what} found in clear in {}",
                path.display()
            );
        }
    }
    for (what, needle) in &needles {
        assert!(
            !contains(log.as_bytes(), needle),
            "{what} found in the server log"
        );
    }
}

/// The cursor `open` tells the officer to ask for next (`/export?after=N`).
fn next_cursor(open_output: &str) -> u64 {
    open_output
        .split("after=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .expect("open names the next cursor")
}

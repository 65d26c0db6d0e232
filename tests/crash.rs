//! Nothing acknowledged is lost: the server is killed with SIGKILL while 8
//! clients submit, restarted on the same data, and every receipt that
//! reached a client still opens its case; the export still verifies.
//!
//! The same on PostgreSQL, and with two processes sharing one database: one
//! is killed while both take reports, the other keeps serving, and every
//! receipt either gave out opens and the export verifies on the desk.
//!
//! `CANDOR_CRASH_ROUNDS=20 cargo test --test crash` repeats it.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;

fn submit(site: &str, n: usize) -> Option<String> {
    let mut form = reqwest::blocking::multipart::Form::new()
        .text("kind", "misconduct")
        .text("category", "fraud")
        .text("description", format!("crash test report {n}"));
    if n.is_multiple_of(3) {
        form = form.part(
            "attachment",
            reqwest::blocking::multipart::Part::bytes(vec![n as u8; 300_000]).file_name("evidence.bin"),
        );
    }
    let resp = client()
        .post(format!("{site}/report"))
        .multipart(form)
        .send()
        .ok()?;
    if resp.status() != 200 {
        return None;
    }
    element_text(&resp.text().ok()?, "receipt")
}

fn start(data: &Path, public: &Path, store: Option<&str>) -> Server {
    match store {
        None => Server::start(data, public),
        Some(url) => Server::start_store(data, public, url),
    }
}

/// `count` clients submitting to `site` until `stop` (or a refusal).
fn clients(
    count: usize,
    site: &str,
    receipts: &Arc<Mutex<Vec<String>>>,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..count)
        .map(|c| {
            let site = site.to_owned();
            let (receipts, stop) = (Arc::clone(receipts), Arc::clone(stop));
            std::thread::spawn(move || {
                let mut n = c;
                while !stop.load(Ordering::SeqCst) {
                    match submit(&site, n) {
                        Some(r) => receipts.lock().expect("receipts").push(r),
                        None => break,
                    }
                    n += count;
                }
            })
        })
        .collect()
}

/// Every receipt opens its case on `server`, and an export from it holds at
/// least as many cases, verified by the real desk.
fn all_receipts_open(server: &Server, receipts: &[String], secret: &Path, tmp: &Path, what: &str) {
    for r in receipts {
        let (code, page) = login(&server.site, r);
        assert_eq!(code, 200, "{what}: an acknowledged report was lost");
        assert_eq!(attr(&page, "status", "data-status").as_deref(), Some("received"));
    }
    let bundle = tmp.join("export.bundle");
    assert_eq!(export(&server.api, &token(secret), 0, &bundle), 200);
    let vault = tmp.join("vault");
    let _ = std::fs::remove_dir_all(&vault);
    desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        secret.to_str().expect("path"),
        "--vault",
        vault.to_str().expect("path"),
    ]);
    let cases: serde_json::Value = serde_json::from_str(&desk_ok(&[
        "cases",
        "--vault",
        vault.to_str().expect("path"),
        "--json",
    ]))
    .expect("cases");
    assert!(
        cases.as_array().expect("array").len() >= receipts.len(),
        "{what}: the desk sees fewer cases than receipts given"
    );
}

fn one_round(round: usize, store: Option<&str>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let server = start(&data, &public, store);
    let receipts = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients = clients(8, &server.site, &receipts, &stop);
    // Kill mid-stream, once some receipts are out, at a different moment each round.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while receipts.lock().expect("receipts").len() < 16 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(23 * (round as u64 % 7)));
    drop(server);
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().expect("client");
    }
    let receipts = receipts.lock().expect("receipts").clone();
    assert!(
        receipts.len() >= 8,
        "round {round}: only {} receipts before the kill",
        receipts.len()
    );

    let server = start(&data, &public, store);
    all_receipts_open(&server, &receipts, &secret, tmp.path(), &format!("round {round}"));
    // And the server still takes reports.
    assert!(submit(&server.site, 1).is_some());
}

fn rounds() -> usize {
    std::env::var("CANDOR_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

#[test]
fn sigkill_during_submissions_loses_no_acknowledged_report() {
    for round in 0..rounds() {
        one_round(round, None);
    }
}

#[test]
fn sigkill_during_submissions_loses_no_acknowledged_report_on_postgres() {
    let Some(cluster) = pg::cluster() else { return };
    for round in 0..rounds() {
        let url = cluster.url(&cluster.database());
        one_round(round, Some(&url));
    }
}

/// Two processes on different ports share one database and take reports
/// at once; one is killed mid-load. The other goes on serving, and every
/// receipt either process gave opens there; the export's chain verifies on
/// the desk; the killed one starts again on the same database.
#[test]
fn two_processes_share_one_database_and_one_survives_the_others_sigkill() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.url(&cluster.database());
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let (data_a, data_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = start(&data_a, &public, Some(&url));
    let b = start(&data_b, &public, Some(&url));
    let receipts = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let to_a = Arc::new(Mutex::new(Vec::new()));
    // Four clients on each process; the ones on `a` stop at its death.
    let threads = clients(4, &a.site, &to_a, &stop);
    let on_b = clients(4, &b.site, &receipts, &stop);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while (to_a.lock().expect("receipts").len() < 16 || receipts.lock().expect("receipts").len() < 16)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(a);
    for t in threads {
        t.join().expect("client");
    }
    // `b` keeps taking reports after `a` is gone.
    let after = receipts.lock().expect("receipts").len();
    while receipts.lock().expect("receipts").len() < after + 16 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::SeqCst);
    for t in on_b {
        t.join().expect("client");
    }
    let mut all = receipts.lock().expect("receipts").clone();
    assert!(all.len() >= after + 16, "b stopped serving when a was killed");
    all.extend(to_a.lock().expect("receipts").iter().cloned());
    all_receipts_open(&b, &all, &secret, tmp.path(), "the survivor");
    let a = start(&data_a, &public, Some(&url));
    let again = tmp.path().join("again");
    std::fs::create_dir_all(&again).expect("mkdir");
    all_receipts_open(&a, &all, &secret, &again, "the restarted process");
}

/// Two processes on one database, as onionbalance puts them: a reporter
/// whose circuit changes reaches the other process, which does not know the
/// session (it lives in the process that opened it, never in the database),
/// asks for the receipt again and then shows the same case, message
/// included; a message sent with the stale session is not stored. Each
/// process keeps its own rate budget: a flood at one is refused there while
/// the other takes reports.
#[test]
fn a_reporter_moved_to_the_other_process_logs_in_again_and_each_process_keeps_its_budget() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.url(&cluster.database());
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let config = tmp.path().join("candor.toml");
    std::fs::write(&config, "submissions_per_minute = 4\n").expect("config");
    let env = [
        ("CANDOR_STORE", url.as_str()),
        ("CANDOR_CONFIG", config.to_str().expect("path")),
        ("CANDOR_RATE_LIMITS", "on"),
    ];
    let a = Server::start_with(&tmp.path().join("a"), &public, &env);
    let b = Server::start_with(&tmp.path().join("b"), &public, &env);

    let receipt = submit(&a.site, 1).expect("a report at a");
    let (status, page) = login(&a.site, &receipt);
    assert_eq!(status, 200);
    let session = session_field(&page).expect("session");
    let message = |site: &str, session: &str, text: &str| {
        let form = reqwest::blocking::multipart::Form::new()
            .text("session", session.to_owned())
            .text("message", text.to_owned());
        post_multipart(site, "/followup/message", form)
    };
    let sent = message(&a.site, &session, "Sent through the first process.");
    assert!(sent.status().is_success() || sent.status().is_redirection());

    // The circuit changed: the same session at the other process.
    let stale = message(&b.site, &session, "Sent with a session b never opened.");
    assert_eq!(stale.status(), 401, "b took a session it never opened");
    let page = stale.text().expect("page");
    assert!(
        page.contains("name=\"receipt\""),
        "b does not ask for the receipt: {page}"
    );
    // The receipt again, at b: the same case, with what was sent at a.
    let (status, page) = login(&b.site, &receipt);
    assert_eq!(status, 200);
    // (The reporter's own words are listed without their content.) The
    // message sent at a is there, the one with the stale session is not.
    assert_eq!(page.matches("Your message, sent on").count(), 1, "{page}");

    // A flood at a meets a's budget (4 a minute; a has taken 2); b serves on.
    let mut refused_at_a = 0;
    for n in 0..6 {
        if submit(&a.site, 10 + n).is_none() {
            refused_at_a += 1;
        }
    }
    assert!(
        refused_at_a >= 2,
        "a took more than its budget: {refused_at_a} refused of 6"
    );
    let at_b: Vec<String> = (0..3).filter_map(|n| submit(&b.site, 20 + n)).collect();
    assert_eq!(at_b.len(), 3, "b refused reports while a was flooded");

    // One chain, every case, both messages' worth: the desk opens it whole.
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&b.api, &token(&secret), 0, &bundle), 200);
    let vault = tmp.path().join("vault");
    let said = desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        secret.to_str().expect("path"),
        "--vault",
        vault.to_str().expect("path"),
    ]);
    assert!(said.contains("1 new message(s)"), "{said}");
}

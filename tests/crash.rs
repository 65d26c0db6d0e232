//! Nothing acknowledged is lost: the server is killed with SIGKILL while 8
//! clients submit, restarted on the same data, and every receipt that
//! reached a client still opens its case; the export still verifies.
//!
//! `CANDOR_CRASH_ROUNDS=20 cargo test --test crash` repeats it.

mod common;

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

fn one_round(round: usize) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let data = tmp.path().join("data");
    let server = Server::start(&data, &public);
    let site = server.site.clone();
    let receipts = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (site, receipts, stop) = (site.clone(), Arc::clone(&receipts), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = c;
                while !stop.load(Ordering::SeqCst) {
                    match submit(&site, n) {
                        Some(r) => receipts.lock().expect("receipts").push(r),
                        None => break,
                    }
                    n += 8;
                }
            })
        })
        .collect();
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

    let server = Server::start(&data, &public);
    for r in &receipts {
        let (code, page) = login(&server.site, r);
        assert_eq!(code, 200, "round {round}: an acknowledged report was lost");
        assert_eq!(attr(&page, "status", "data-status").as_deref(), Some("received"));
    }
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    let vault = tmp.path().join("vault");
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
        "round {round}: the desk sees fewer cases than receipts given"
    );
    // And the server still takes reports.
    assert!(submit(&server.site, 1).is_some());
}

#[test]
fn sigkill_during_submissions_loses_no_acknowledged_report() {
    let rounds = std::env::var("CANDOR_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for round in 0..rounds {
        one_round(round);
    }
}

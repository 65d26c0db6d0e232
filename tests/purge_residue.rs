//! Measures whether a purged case's ciphertext can still be found in sled's
//! files after the purge, before and after restarts of the server. It prints
//! what it finds (`cargo test --test purge_residue -- --nocapture`) and
//! asserts only what candor promises: the server serves no purged body and
//! the receipt no longer opens the case. See docs/officer-year.md, "Retention".

#![cfg(all(feature = "server", feature = "desk"))]

mod common;

use std::path::Path;

use candor::core::bundle::{ExportItem, ExportReader};
use candor::core::log::{EntryKind, Head};
use common::{Server, all_bytes, contains, desk_ok, export, file_report, import, keygen, login, token};

/// 48-byte samples from the middle of each body: if a sample is in a file,
/// that body's bytes are still on disk.
fn samples(bundle: &[u8]) -> Vec<(EntryKind, Vec<u8>)> {
    let mut r = ExportReader::open(bundle, Head::EMPTY, None).expect("export");
    let mut out = Vec::new();
    while let Some(item) = r.next_item().expect("item") {
        if let ExportItem::Entry { entry, body: Some(b) } = item
            && !b.is_empty()
        {
            let mid = b.len() / 2;
            out.push((
                entry.kind,
                b[mid.saturating_sub(24)..(mid + 24).min(b.len())].to_vec(),
            ));
        }
    }
    out
}

fn found(data: &Path, samples: &[(EntryKind, Vec<u8>)]) -> usize {
    let files = all_bytes(data);
    samples
        .iter()
        .filter(|(_, s)| files.iter().any(|(_, bytes)| contains(bytes, s)))
        .count()
}

#[test]
fn purged_ciphertext_in_sled_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&dir.path().join("keys"));
    let data = dir.path().join("data");
    let server = Server::start(&data, &public);
    let tok = token(&secret);
    let receipt = file_report(
        &server.site,
        "report to be purged",
        &["fraud"],
        &[(
            "evidence.bin",
            (0..400_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        )],
    );
    let bundle = dir.path().join("export.bundle");
    assert_eq!(export(&server.api, &tok, 0, &bundle), 200);
    let bytes = std::fs::read(&bundle).expect("bundle");
    let sampled = samples(&bytes);
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    let k = secret.to_str().expect("path");
    desk_ok(&["open", bundle.to_str().expect("path"), "--keys", k, "--vault", v]);
    let cases = desk_ok(&["cases", "--vault", v, "--json"]);
    let cases: serde_json::Value = serde_json::from_str(&cases).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();
    let before = found(&data, &sampled);
    desk_ok(&["purge", &id, "--vault", v]);
    let outbox = dir.path().join("outbox.bundle");
    desk_ok(&["outbox", "--vault", v, "--out", outbox.to_str().expect("path")]);
    let (status, body) = import(&server.api, &tok, &std::fs::read(&outbox).expect("outbox"));
    assert_eq!(status, 200, "{body}");
    assert_ne!(
        login(&server.site, &receipt).0,
        200,
        "the receipt no longer opens the case"
    );
    let after_purge = found(&data, &sampled);
    server.stop();
    let after_stop = found(&data, &sampled);
    let server = Server::start(&data, &public);
    // The purged bodies are no longer served.
    let again = dir.path().join("again.bundle");
    assert_eq!(export(&server.api, &tok, 0, &again), 200);
    assert!(samples(&std::fs::read(&again).expect("bundle")).is_empty());
    server.stop();
    let after_restart = found(&data, &sampled);
    let server = Server::start(&data, &public);
    server.stop();
    let after_two_restarts = found(&data, &sampled);
    println!(
        "purge residue: {} bodies sampled; found in sled's files before the purge: {before}, \
         right after: {after_purge}, after stop: {after_stop}, after a restart: {after_restart}, \
         after two restarts: {after_two_restarts}",
        sampled.len()
    );
    assert_eq!(before, sampled.len(), "the samples are found before the purge");
}

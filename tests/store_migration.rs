//! A data directory written by the previous release (store format 1, its
//! attachment in chunk files of their own; tests/vectors/store-format-1) is
//! migrated when this release's `candor serve` starts on it: the chunk files
//! are gone, the report still opens at the desk with its attachment byte for
//! byte, its receipt still logs in, and the directory is owner-only.

#![cfg(all(feature = "server", feature = "desk"))]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

#[test]
fn a_data_directory_of_the_previous_release_is_migrated_and_opens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vector = root.join("tests/vectors/store-format-1");
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    copy_dir(&vector.join("data"), &data);
    assert!(data.join("store/chunks").is_dir(), "format 1 keeps chunk files");

    let server = Server::start(&data, &root.join("keys"));
    assert!(
        !data.join("store/chunks").exists(),
        "the chunk files moved into the pack"
    );
    let (status, _) = login(&server.site, "ZF6F0-KREA6-9S27D-PPPTE-J82HD");
    assert_eq!(status, 200, "the receipt still opens the case");
    let demo = root.join("keys/demo");
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&demo), 0, &bundle), 200);
    server.stop();

    let vault = tmp.path().join("vault");
    let v = vault.to_str().expect("path");
    desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        demo.to_str().expect("path"),
        "--vault",
        v,
    ]);
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", v, "--json"])).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();
    let extract = tmp.path().join("extract");
    desk_ok(&[
        "show",
        &id,
        "--vault",
        v,
        "--extract",
        extract.to_str().expect("path"),
    ]);
    let evidence = std::fs::read_dir(&extract)
        .expect("extracted")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().ends_with("evidence.bin"))
        .expect("the attachment");
    let bytes = std::fs::read(evidence).expect("read");
    assert_eq!(bytes.len(), 1_500_000);
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        "7c0c745d1a8ee06f013162c2b68c45dc9940e51c11071f1b2f965e8c9b63acc1"
    );
    for dir in [&data, &data.join("store")] {
        let mode = std::fs::metadata(dir).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is owner-only after the start", dir.display());
    }
}

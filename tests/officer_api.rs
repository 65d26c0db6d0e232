//! The officer API refuses what it must, and a refusal changes nothing:
//! forged, replayed, unauthenticated, altered and truncated outboxes, bad
//! export cursors, missing or wrong tokens.

mod common;

use common::*;

struct World {
    _tmp: tempfile::TempDir,
    server: Server,
    token: String,
    secret: std::path::PathBuf,
    vault: String,
    outbox: Vec<u8>,
    receipt: String,
}

/// A server with one report, and an officer outbox (reply + status) ready for it.
fn world() -> World {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let token = token(&secret);
    let receipt = file_report(&server.site, "Gifts from a supplier", &["conduct"], &[]);
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token, 0, &bundle), 200);
    let vault = tmp.path().join("vault").to_str().expect("path").to_owned();
    let keys = secret.to_str().expect("path").to_owned();
    desk_ok(&[
        "open",
        bundle.to_str().expect("path"),
        "--keys",
        &keys,
        "--vault",
        &vault,
    ]);
    let cases: serde_json::Value =
        serde_json::from_str(&desk_ok(&["cases", "--vault", &vault, "--json"])).expect("json");
    let id = cases[0]["id"].as_str().expect("id").to_owned();
    desk_ok(&[
        "reply",
        &id,
        "--vault",
        &vault,
        "--message",
        "Received, thank you.",
    ]);
    desk_ok(&["status", &id, "--vault", &vault, "--set", "acknowledged"]);
    let out = tmp.path().join("outbox.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        &vault,
        "--keys",
        &keys,
        "--out",
        out.to_str().expect("path"),
    ]);
    let outbox = std::fs::read(&out).expect("outbox");
    World {
        server,
        token,
        secret,
        vault,
        outbox,
        receipt,
        _tmp: tmp,
    }
}

/// The whole export from the start: a fingerprint of everything stored.
fn snapshot(w: &World) -> Vec<u8> {
    let resp = client()
        .get(format!("{}/export?after=0", w.server.api))
        .bearer_auth(&w.token)
        .send()
        .expect("export");
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().expect("bytes").to_vec();
    // The signature is deterministic (Ed25519), so equal stores give equal bytes.
    bytes
}

fn status_seen(w: &World) -> String {
    let (_, page) = login(&w.server.site, &w.receipt);
    attr(&page, "status", "data-status").expect("status")
}

#[test]
fn bad_outboxes_are_refused_and_change_nothing() {
    let w = world();
    let before = snapshot(&w);

    // Unauthenticated, and with a wrong token.
    let resp = client()
        .post(format!("{}/import", w.server.api))
        .body(w.outbox.clone())
        .send()
        .expect("send");
    assert_eq!(resp.status(), 401);
    assert_eq!(import(&w.server.api, "not-the-token", &w.outbox).0, 401);

    // Altered: every byte flipped in turn would take long; flip a spread of them.
    for i in (16..w.outbox.len()).step_by(7) {
        let mut t = w.outbox.clone();
        t[i] ^= 0x20;
        let (code, body) = import(&w.server.api, &w.token, &t);
        assert!(
            (400..500).contains(&code),
            "altered byte {i} accepted: {code} {body}"
        );
    }
    // Truncated.
    for cut in [0, 10, 16, 40, w.outbox.len() / 2, w.outbox.len() - 1] {
        let (code, _) = import(&w.server.api, &w.token, &w.outbox[..cut]);
        assert_eq!(code, 400, "truncated at {cut}");
    }
    // Garbage.
    assert_eq!(
        import(&w.server.api, &w.token, b"hello, this is not a bundle").0,
        400
    );

    // Forged: the same operations signed with another officer key.
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, other_secret) = keygen(&tmp.path().join("other"));
    let forged = tmp.path().join("forged.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        &w.vault,
        "--keys",
        other_secret.to_str().expect("path"),
        "--out",
        forged.to_str().expect("path"),
    ]);
    let (code, body) = import(&w.server.api, &w.token, &std::fs::read(&forged).expect("forged"));
    assert_eq!(code, 403, "{body}");

    assert_eq!(snapshot(&w), before, "a refused bundle changed the store");
    assert_eq!(status_seen(&w), "received");

    // The genuine one applies once; a replay is refused and adds nothing.
    let (code, body) = import(&w.server.api, &w.token, &w.outbox);
    assert_eq!(code, 200, "{body}");
    assert_eq!(status_seen(&w), "acknowledged");
    let after = snapshot(&w);
    assert_ne!(after, before);
    let (code, _) = import(&w.server.api, &w.token, &w.outbox);
    assert_eq!(code, 409);
    assert_eq!(snapshot(&w), after, "a replay changed the store");

    // A new outbox carrying the same (still pending) operations adds nothing either.
    let again = w._tmp.path().join("again.bundle");
    desk_ok(&[
        "outbox",
        "--vault",
        &w.vault,
        "--keys",
        w.secret.to_str().expect("path"),
        "--out",
        again.to_str().expect("path"),
    ]);
    let (code, body) = import(&w.server.api, &w.token, &std::fs::read(&again).expect("again"));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("0 operations applied"), "{body}");
}

#[test]
fn export_needs_the_token_and_a_sane_cursor() {
    let w = world();
    let get = |path: &str, token: Option<&str>| {
        let mut req = client().get(format!("{}{path}", w.server.api));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().expect("send").status().as_u16()
    };
    assert_eq!(get("/export?after=0", None), 401);
    assert_eq!(get("/export?after=0", Some("wrong")), 401);
    assert_eq!(get("/export?after=-1", Some(&w.token)), 400);
    assert_eq!(get("/export?after=abc", Some(&w.token)), 400);
    assert_eq!(get("/export?after=99999999999999999999999", Some(&w.token)), 400);
    assert_eq!(get("/export?after=999", Some(&w.token)), 409);
    assert_eq!(get("/export?after=0", Some(&w.token)), 200);
    assert_eq!(get("/nothing-here", Some(&w.token)), 404);
    // The reporter site does not serve the officer API.
    let resp = client()
        .get(format!("{}/export?after=0", w.server.site))
        .bearer_auth(&w.token)
        .send()
        .expect("send");
    assert_eq!(resp.status(), 404);
}

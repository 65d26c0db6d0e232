//! Logging out of a follow-up session: the server ends the session and tells
//! the browser to drop the cookie and whatever it kept of the thread.
//!
//! The real `candor` binary over HTTP, with keys from the real `keygen`.

mod common;

use common::*;

#[test]
fn log_out_clears_the_cookie_and_the_browsers_copy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _secret) = keygen(&tmp.path().join("office"));
    let server = Server::start(&tmp.path().join("data"), &public);
    let receipt = file_report(&server.site, "Then log out.", &["fraud"], &[]);
    let (status, page) = login(&server.site, &receipt);
    assert_eq!(status, 200);
    let session = session_field(&page).expect("session field");
    let resp = client()
        .post(format!("{}/followup/logout", server.site))
        .form(&[("session", session.as_str())])
        .send()
        .expect("log out");
    assert_eq!(resp.status(), 200);
    let clear = resp
        .headers()
        .get("clear-site-data")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    for what in ["\"cache\"", "\"cookies\"", "\"storage\""] {
        assert!(clear.contains(what), "Clear-Site-Data lacks {what}: {clear:?}");
    }
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    // The session is over: a message with it is refused.
    let form = reqwest::blocking::multipart::Form::new()
        .text("session", session)
        .text("message", "after log-out");
    assert_eq!(
        post_multipart(&server.site, "/followup/message", form).status(),
        401
    );
    server.stop();
}

//! The real reporter router, fed arbitrary multipart bodies for /report and
//! /followup/message: it must answer every one with a page, never a 5xx.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use candor::server::App;
use candor::server::config::Config;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Arc<App>,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data: dir.path().join("data"),
            keys: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../keys"),
            rate_limits: false,
            max_submission_bytes: 1 << 20,
            ..Config::default()
        };
        let app = Arc::new(App::start(config).expect("app"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        Harness { runtime, app, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    let (path, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => ("/report", rest),
        Some((_, rest)) => ("/followup/message", rest),
        None => return,
    };
    let req = Request::post(path)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(Body::from(body.to_vec()))
        .expect("request");
    let router = candor::server::web::router(Arc::clone(&h.app));
    let resp = h.runtime.block_on(router.oneshot(req)).expect("infallible");
    assert!(!resp.status().is_server_error(), "{} for a client's bytes", resp.status());
});

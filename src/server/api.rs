//! The officer API's HTTP side: `GET /export`, `GET /status` and `POST /import`.
//!
//! Handlers only check the token, call [`officer`], and answer in plain
//! text; refusals are logged without any request data. `/import` checks the
//! token before it reads a byte of its body, and every body keeps the
//! configured pace ([`super::limits::Pace`]).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::App;
use super::officer::{self, OfficerError};

#[derive(Deserialize)]
struct ExportQuery {
    after: Option<String>,
}

fn officer_error(e: OfficerError) -> Response {
    let status = match &e {
        OfficerError::Unauthorized => StatusCode::UNAUTHORIZED,
        OfficerError::BadCursor => StatusCode::BAD_REQUEST,
        OfficerError::CursorBeyondHead(_) | OfficerError::Replayed | OfficerError::AppliedMeanwhile => {
            StatusCode::CONFLICT
        }
        OfficerError::Bundle(crate::core::bundle::BundleError::WrongSigner)
        | OfficerError::Bundle(crate::core::bundle::BundleError::BadSignature)
        | OfficerError::WrongChannel => StatusCode::FORBIDDEN,
        OfficerError::Bundle(_) => StatusCode::BAD_REQUEST,
        OfficerError::UnknownCase => StatusCode::UNPROCESSABLE_ENTITY,
        OfficerError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    if status.is_server_error() {
        tracing::error!("officer API: {e}");
    } else {
        tracing::warn!("officer API refused a request: {e}");
    }
    let mut resp = (status, format!("{e}\n")).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

/// The `after=SEQ` cursor of an export or status request.
fn cursor(q: Result<Query<ExportQuery>, QueryRejection>) -> Result<u64, OfficerError> {
    match q {
        Ok(Query(q)) => officer::parse_cursor(q.after.as_deref()),
        Err(_) => Err(OfficerError::BadCursor),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// The bearer token checked first, then the `after` cursor read.
fn authorised_cursor(
    app: &App,
    headers: &HeaderMap,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<u64, OfficerError> {
    officer::authorise(app, bearer(headers))?;
    cursor(q)
}

#[tracing::instrument(skip_all)]
async fn api_export_get(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Response {
    let after = match authorised_cursor(&app, &headers, q) {
        Ok(a) => a,
        Err(e) => return officer_error(e),
    };
    match officer::export(&app, after) {
        Ok((rx, head)) => {
            tracing::debug!("export served");
            let stream =
                futures_util::stream::unfold(
                    rx,
                    |mut rx| async move { rx.recv().await.map(|item| (item, rx)) },
                );
            let name = format!(
                "attachment; filename=\"candor-export-{after}-{}.bundle\"",
                head.seq
            );
            let mut resp = Response::new(Body::from_stream(stream));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Ok(v) = HeaderValue::from_str(&name) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&head.seq.to_string()) {
                h.insert(header::HeaderName::from_static("x-candor-head"), v);
            }
            resp
        }
        Err(e) => officer_error(e),
    }
}

/// `GET /status?after=SEQ`: `{"head":N,"new_entries":N,"new_reports":N,"new_messages":N,
/// "office_keys":[{"key":..,"file":..,"state":..,"expires":..,"receives":..}],"office_key_warnings":[..]}`.
#[tracing::instrument(skip_all)]
async fn api_status_get(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Response {
    let status = authorised_cursor(&app, &headers, q)
        .and_then(|after| tokio::task::block_in_place(|| officer::status(&app, after)));
    match status.map(|s| serde_json::to_string(&s)) {
        Ok(Ok(json)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            json + "\n",
        )
            .into_response(),
        Ok(Err(_)) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response(),
        Err(e) => officer_error(e),
    }
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "the bundle is larger than allowed\n",
    )
        .into_response()
}

/// The body is taken unread: the token is checked first, so that without it
/// not a byte is read (nor buffered) before the refusal.
#[tracing::instrument(skip_all)]
async fn api_import_post(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    if let Err(e) = officer::authorise(&app, bearer(&headers)) {
        return officer_error(e);
    }
    let limit = app.config.max_import_bytes;
    if super::limits::declared_length(&headers).is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        // Cut off for its pace: answered by `pace_bodies`.
        Err(_) => return too_large(),
    };
    match officer::import(&app, &body).await {
        Ok(done) => {
            tracing::debug!("outbox imported");
            (
                StatusCode::OK,
                format!(
                    "imported: {} operations applied, {} already present; head is now {}\n",
                    done.applied, done.already, done.head.seq
                ),
            )
                .into_response()
        }
        Err(e) => officer_error(e),
    }
}

async fn api_not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// Holds request bodies to the configured pace; one cut off is answered 408.
async fn pace_bodies(State(app): State<Arc<App>>, req: axum::extract::Request, next: Next) -> Response {
    let limit = app.config.max_import_bytes as u64;
    let (req, slow) = super::limits::pace_request(&app, req, limit);
    let resp = next.run(req).await;
    if slow.is_slow() {
        tracing::warn!("officer API refused a request: its body arrived too slowly");
        return (
            StatusCode::REQUEST_TIMEOUT,
            "the request body arrived too slowly\n",
        )
            .into_response();
    }
    resp
}

/// The answer to a request head larger than `max_header_bytes` (see `serve::HeadGuard`).
pub fn head_too_large() -> Vec<u8> {
    let body = "request header fields too large\n";
    format!(
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncache-control: no-store\r\n\
         x-content-type-options: nosniff\r\ncontent-security-policy: default-src 'none'\r\n\
         content-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn set_api_headers(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
}

async fn api_headers(req: axum::extract::Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    set_api_headers(resp.headers_mut());
    resp
}

/// The officer API.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.config.max_import_bytes;
    Router::new()
        .route("/export", get(api_export_get))
        .route("/status", get(api_status_get))
        .route("/import", axum::routing::post(api_import_post))
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), pace_bodies))
        .layer(middleware::from_fn(api_headers))
        .with_state(app)
}

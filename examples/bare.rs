//! The ceiling for the reporter site's form: a bare axum server that answers
//! every GET with fixed bytes (the report form as candor served it, with the
//! same headers), on the same tokio runtime candor uses. `benches/run.sh`
//! measures both side by side; candor cannot serve its form faster than this.
//!
//!   bare LISTEN BODY_FILE [HEADER_FILE]
//!
//! HEADER_FILE is what `curl -D` wrote for candor's answer; its headers are
//! replayed, except those hyper sets itself (length, date, connection).
//! Not part of the normal build: `cargo build --release --example bare`.

use std::error::Error;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::Bytes;

fn replayed_headers(dump: &str) -> Result<HeaderMap, Box<dyn Error>> {
    let mut headers = HeaderMap::new();
    for line in dump.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes())?;
        if [
            axum::http::header::CONTENT_LENGTH,
            axum::http::header::DATE,
            axum::http::header::CONNECTION,
            axum::http::header::TRANSFER_ENCODING,
        ]
        .contains(&name)
        {
            continue;
        }
        headers.append(name, HeaderValue::from_str(value.trim())?);
    }
    if headers.is_empty() {
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    Ok(headers)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bare LISTEN BODY_FILE [HEADER_FILE]";
    let listen = args.next().ok_or(usage)?;
    let body = Bytes::from(std::fs::read(args.next().ok_or(usage)?)?);
    let headers = match args.next() {
        Some(path) => replayed_headers(&std::fs::read_to_string(path)?)?,
        None => replayed_headers("")?,
    };
    let app = Router::new().fallback(get(move || {
        let (headers, body) = (headers.clone(), body.clone());
        async move { (headers, body).into_response() }
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        eprintln!("bare listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}

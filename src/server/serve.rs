//! Serving: both listeners, one shutdown.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::App;

/// Serves both listeners until `shutdown` completes.
pub async fn serve(
    app: Arc<App>,
    reporter: TcpListener,
    officer: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let site = axum::serve(reporter, super::web::router(Arc::clone(&app)))
        .with_graceful_shutdown(wait(stop_rx.clone()));
    let api = axum::serve(officer, super::api::router(app)).with_graceful_shutdown(wait(stop_rx));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let (a, b) = tokio::join!(site, api);
    a.and(b)
}

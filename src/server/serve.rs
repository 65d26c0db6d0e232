//! Serving: both listeners, one shutdown; TCP or Unix-socket listeners.
//!
//! Behind Tor the server listens on Unix sockets (`unix:/run/candor/site.sock`)
//! so that no TCP port is open at all and only processes allowed into the
//! socket's directory and group (Tor) can reach it. TCP is for development,
//! tests and a clearnet reverse proxy on the same host.
//!
//! This module owns binding (including replacing a stale socket file safely)
//! and the accept loops; it does not know what the routers do.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};
use tokio_util::either::Either;

use super::App;
use super::config::ListenAddr;

/// Mode of a listening socket file: owner and group may connect (the group is
/// the one Tor is added to); nobody else.
#[cfg(unix)]
pub const SOCKET_MODE: u32 = 0o660;

/// A bound listener of either kind.
pub enum Bound {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(UnixListener, PathBuf),
}

#[cfg(unix)]
type Stream = Either<TcpStream, UnixStream>;
#[cfg(not(unix))]
type Stream = Either<TcpStream, TcpStream>;

impl Bound {
    /// Binds `addr`. A Unix socket path is replaced only if what is there is a
    /// socket (left by an earlier run); any other file is refused, never removed.
    pub async fn bind(addr: &ListenAddr) -> io::Result<Bound> {
        match addr {
            ListenAddr::Tcp(a) => Ok(Bound::Tcp(TcpListener::bind(a).await?)),
            ListenAddr::Unix(path) => bind_unix(path),
        }
    }

    /// How the listener is reached, for the log: `http://ADDR` or `unix:PATH`.
    pub fn describe(&self) -> String {
        match self {
            Bound::Tcp(l) => match l.local_addr() {
                Ok(a) => format!("http://{a}"),
                Err(_) => "http://(unknown)".into(),
            },
            #[cfg(unix)]
            Bound::Unix(_, path) => format!("unix:{}", path.display()),
        }
    }

    /// The socket file to remove at shutdown, if any.
    fn socket_path(&self) -> Option<PathBuf> {
        match self {
            Bound::Tcp(_) => None,
            #[cfg(unix)]
            Bound::Unix(_, path) => Some(path.clone()),
        }
    }
}

#[cfg(unix)]
fn bind_unix(path: &Path) -> io::Result<Bound> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path)?,
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a socket; refusing to replace it",
                    path.display()
                ),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    // Between bind and chmod the socket has the umask's mode; the unit's
    // RuntimeDirectoryMode=0750 keeps everyone but candor and Tor out of the
    // directory meanwhile.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(SOCKET_MODE))?;
    Ok(Bound::Unix(listener, path.to_owned()))
}

#[cfg(not(unix))]
fn bind_unix(_path: &Path) -> io::Result<Bound> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "unix: listen addresses need a Unix system",
    ))
}

impl axum::serve::Listener for Bound {
    type Io = Stream;
    // No peer address is ever used: behind Tor it says nothing, and it must not be logged.
    type Addr = ();

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self {
            Bound::Tcp(l) => {
                let (io, _) = axum::serve::Listener::accept(l).await;
                (Either::Left(io), ())
            }
            #[cfg(unix)]
            Bound::Unix(l, _) => {
                let (io, _) = axum::serve::Listener::accept(l).await;
                (Either::Right(io), ())
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(())
    }
}

/// Serves both listeners until `shutdown` completes, then removes their socket files.
pub async fn serve(
    app: Arc<App>,
    reporter: Bound,
    officer: Bound,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let sockets: Vec<PathBuf> = [reporter.socket_path(), officer.socket_path()]
        .into_iter()
        .flatten()
        .collect();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let headers = Duration::from_secs(app.config.header_read_timeout_seconds);
    let site = serve_http(
        reporter,
        super::web::router(Arc::clone(&app)),
        headers,
        wait(stop_rx.clone()),
    );
    let api = serve_http(
        officer,
        super::api::router(Arc::clone(&app)),
        headers,
        wait(stop_rx.clone()),
    );
    let control = super::control::serve(app, wait(stop_rx));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let (a, b, c) = tokio::join!(site, api, control);
    for path in sockets {
        let _ = std::fs::remove_file(path);
    }
    a.and(b).and(c)
}

/// How long connections may take to finish after shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves HTTP/1 on `listener` until `stop` completes, then lets open
/// connections finish (up to [`DRAIN`]).
///
/// A connection must send its request headers within `headers`, or it is
/// closed: without a timer hyper waits for headers forever, and a slow client
/// could hold connections open at no cost to itself. Bodies have their own
/// idle timeout in intake.
async fn serve_http(
    mut listener: Bound,
    router: axum::Router,
    headers: Duration,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    use axum::body::Body;
    use hyper::body::Incoming;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(headers);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            (io, ()) = axum::serve::Listener::accept(&mut listener) => {
                let service = router
                    .clone()
                    .map_request(|req: axum::http::Request<Incoming>| req.map(Body::new));
                let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    // A client that goes away mid-request is not an error worth logging.
                    let _ = conn.await;
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

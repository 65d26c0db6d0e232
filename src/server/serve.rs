//! Serving: both listeners, one shutdown; TCP or Unix-socket listeners.
//!
//! Behind Tor the server listens on Unix sockets (`unix:/run/candor/site.sock`)
//! so that no TCP port is open at all and only processes allowed into the
//! socket's directory and group (Tor) can reach it. TCP is for development,
//! tests and a clearnet reverse proxy on the same host.
//!
//! This module owns binding (including replacing a stale socket file safely)
//! and the accept loops; it does not know what the routers do.
//!
//! # Invariants
//!
//! - At most `cap` connections are open per listener, below the descriptor
//!   limit (`Config::connection_cap`). When the cap is reached the oldest
//!   connection is asked to close: an idle one (kept alive, or still sending
//!   its headers) closes at once, one in the middle of a request finishes it.
//!   Idle connections therefore cannot lock anyone out, and the store never
//!   runs out of descriptors.
//! - A request head larger than `max_header_bytes` is refused with the
//!   router's own 431 page; no connection holds a header buffer larger than
//!   that.
//! - Headers must arrive within `header_read_timeout_seconds`, and a
//!   kept-alive connection may wait that long for its next request.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, Semaphore, watch};

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
    let (stop_tx, stop_rx) = watch::channel(false);
    let site_app = Arc::clone(&app);
    let sites = Sites {
        site: super::web::router(Arc::clone(&app)),
        api: super::api::router(Arc::clone(&app)),
        too_large: Arc::new(move |head: &[u8]| super::web::head_too_large(&site_app, head)),
    };
    let control = super::control::serve(Arc::clone(&app), wait(stop_rx.clone()));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let (a, b) = tokio::join!(
        serve_sites(&app.config, sites, reporter, officer, stop_rx),
        control
    );
    a.and(b)
}

/// Resolves once `stop` turns true.
pub async fn wait(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|v| *v).await;
}

/// What the two listeners serve: one office's routers, or a dispatcher
/// choosing a tenant's by the request's `Host`.
pub struct Sites {
    pub site: axum::Router,
    pub api: axum::Router,
    /// The answer to a request head too large for the reporter site.
    pub too_large: HeadTooLarge,
}

/// Serves `sites` on both listeners, with the limits of `config`, until
/// `stop` turns true; then removes their socket files.
pub async fn serve_sites(
    config: &super::config::Config,
    sites: Sites,
    reporter: Bound,
    officer: Bound,
    stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let sockets: Vec<PathBuf> = [reporter.socket_path(), officer.socket_path()]
        .into_iter()
        .flatten()
        .collect();
    let cap = config
        .connection_cap()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let limits = |cap: usize| Http {
        headers: Duration::from_secs(config.header_read_timeout_seconds),
        max_header_bytes: config.max_header_bytes,
        cap,
    };
    let site = serve_http(reporter, sites.site, limits(cap), sites.too_large, stop.clone());
    let api = serve_http(
        officer,
        sites.api,
        limits(super::config::OFFICER_CONNECTIONS),
        Arc::new(|_: &[u8]| super::api::head_too_large()),
        stop,
    );
    let (a, b) = tokio::join!(site, api);
    for path in sockets {
        let _ = std::fs::remove_file(path);
    }
    a.and(b)
}

/// How long connections may take to finish after shutdown begins.
const DRAIN: Duration = Duration::from_secs(10);

/// How long the accept loop waits for an asked connection to close before
/// asking the next oldest (one in the middle of a request finishes it first).
const EVICT_EVERY: Duration = Duration::from_millis(50);

/// A listener's limits.
#[derive(Debug, Clone, Copy)]
struct Http {
    headers: Duration,
    max_header_bytes: usize,
    cap: usize,
}

/// Renders the complete HTTP response (head and body) that refuses a request
/// head too large to read, from what was read of it.
pub type HeadTooLarge = Arc<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

/// The open connections of one listener, oldest first, each with the signal
/// that asks it to close.
#[derive(Default)]
struct Open {
    next: u64,
    conns: BTreeMap<u64, Arc<Notify>>,
}

impl Open {
    fn add(open: &Mutex<Open>) -> (u64, Arc<Notify>) {
        let notify = Arc::new(Notify::new());
        let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
        let id = o.next;
        o.next += 1;
        o.conns.insert(id, Arc::clone(&notify));
        (id, notify)
    }

    /// Asks the oldest connection not yet asked to close.
    fn evict_oldest(open: &Mutex<Open>) {
        let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, notify)) = o.conns.pop_first() {
            notify.notify_one();
        }
    }
}

/// Removes a connection from [`Open`] when its task ends.
struct Registered {
    open: Arc<Mutex<Open>>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut o = self.open.lock().unwrap_or_else(|p| p.into_inner());
        o.conns.remove(&self.id);
    }
}

/// Serves HTTP/1 on `listener` until `stop` turns true, then lets open
/// connections finish (up to [`DRAIN`]).
///
/// A connection must send its request headers within `limits.headers`, or it
/// is closed: without a timer hyper waits for headers forever, and a slow
/// client could hold connections open at no cost to itself. Bodies keep a
/// minimum pace ([`super::limits::Pace`]).
async fn serve_http(
    mut listener: Bound,
    router: axum::Router,
    limits: Http,
    too_large: HeadTooLarge,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    use axum::body::Body;
    use hyper::body::Incoming;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let slots = Arc::new(Semaphore::new(limits.cap));
    let open = Arc::new(Mutex::new(Open::default()));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers)
        .max_header_size(limits.max_header_bytes);
    loop {
        let io = tokio::select! {
            (io, ()) = axum::serve::Listener::accept(&mut listener) => io,
            _ = stop.wait_for(|v| *v) => break,
        };
        // Full: ask the oldest connections to close until a slot is free.
        let permit = loop {
            if let Ok(p) = Arc::clone(&slots).try_acquire_owned() {
                break p;
            }
            Open::evict_oldest(&open);
            if let Ok(Ok(p)) = tokio::time::timeout(EVICT_EVERY, Arc::clone(&slots).acquire_owned()).await {
                break p;
            }
        };
        let service = router
            .clone()
            .map_request(|req: axum::http::Request<Incoming>| req.map(Body::new));
        let io = HeadGuard::new(io, Arc::clone(&too_large));
        let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let (id, asked) = Open::add(&open);
        let registered = Registered {
            open: Arc::clone(&open),
            id,
        };
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _registered = registered;
            tokio::pin!(conn);
            // A client that goes away mid-request is not an error worth logging.
            tokio::select! {
                _ = conn.as_mut() => return,
                () = asked.notified() => {}
                _ = stop.wait_for(|v| *v) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let all = u32::try_from(limits.cap).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN, slots.acquire_many(all)).await;
    Ok(())
}

/// How much of a request's first bytes [`HeadGuard`] keeps, to answer a head
/// too large in the language its request line or headers ask for.
const HEAD_SAMPLE: usize = 2048;

/// A connection's stream that replaces hyper's bare `431` (no body, no
/// security headers) with the router's own page.
///
/// hyper answers a head over `max_header_size` itself, before any router
/// sees the request; its answer is recognised by its status line as it is
/// written, and the page rendered from the first bytes of that request is
/// sent instead.
struct HeadGuard<S> {
    inner: S,
    too_large: HeadTooLarge,
    /// The first bytes of the request being read.
    head: Vec<u8>,
    /// A response was written since `head` was filled: the next read starts a new request.
    answered: bool,
    /// The replacement answer still to be written.
    out: Vec<u8>,
    sent: usize,
}

impl<S> HeadGuard<S> {
    fn new(inner: S, too_large: HeadTooLarge) -> HeadGuard<S> {
        HeadGuard {
            inner,
            too_large,
            head: Vec::new(),
            answered: false,
            out: Vec::new(),
            sent: 0,
        }
    }
}

const HYPER_431: &[u8] = b"HTTP/1.1 431 ";

impl<S: AsyncWrite + Unpin> HeadGuard<S> {
    /// Writes what is left of the replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(rest) = self.out.get(self.sent..).filter(|r| !r.is_empty()) {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Whether `data` is hyper's 431; if so the replacement is queued.
    fn replace(&mut self, data: &[u8]) -> bool {
        if !data.starts_with(HYPER_431) {
            self.answered = true;
            return false;
        }
        self.out = (self.too_large)(&self.head);
        self.sent = 0;
        true
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let new = buf.filled().get(before..).unwrap_or_default();
        if !new.is_empty() {
            if this.answered {
                this.head.clear();
                this.answered = false;
            }
            let room = HEAD_SAMPLE.saturating_sub(this.head.len());
            this.head
                .extend_from_slice(new.get(..room.min(new.len())).unwrap_or_default());
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if this.replace(data) {
            // Claimed written: what goes out is the replacement.
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(data.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map(|b| &b[..])
            .unwrap_or_default();
        if this.replace(first) {
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

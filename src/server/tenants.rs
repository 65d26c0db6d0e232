//! Tenants: many offices served by one process, chosen by the request's `Host`.
//!
//! `candor serve --tenants DIR` serves every `DIR/<tenant>/` that holds a
//! `candor.toml`: that office's keys in `DIR/<tenant>/keys/` (as `--keys`),
//! its data in `DIR/<tenant>/data/` (as `--data`: its sled store, server key
//! and control socket; with `--store postgres://...` the log named after the
//! tenant in the shared database instead, and the key with it), and in its
//! `candor.toml` its texts, categories, budgets and `hosts = [...]`.
//!
//! Each tenant is a whole [`App`] of its own: log, server key, officer
//! token, rate-limit budgets, sessions, disk guard. What the process shares
//! is here: the listeners, the connection caps (from `--config`), the
//! database pool. A request whose `Host` names no tenant gets a plain 404
//! that names none; a receipt, token or bundle of one tenant reaches only
//! that tenant's [`App`], where it is as unknown as any other.
//!
//! SIGHUP (see `src/bin/candor/main.rs`) calls [`Tenants::reload`]: tenants
//! whose folder appeared are started, those whose folder is gone are stopped,
//! and a tenant whose `candor.toml` or keys changed takes its new settings
//! (texts, categories, hosts, budgets, quota, keys) while keeping its log,
//! group writer and reporters' sessions (its budgets start afresh); one whose
//! new settings are not valid keeps its old ones, and the log says why.
//!
//! Tenants start on several threads at once (each log's chain is still
//! verified in full before its tenant answers a request).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tower::ServiceExt;

use super::config::{Config, Overrides, StoreKind};
use super::serve::{Sites, wait};
use super::store::PgPool;
use super::{App, StorePlace};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TenantsError {
    #[error("could not read the tenants' directory {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("tenant `{0}`: {1}")]
    Config(String, super::config::ConfigError),
    #[error("tenant `{0}` could not start: {1}")]
    Start(String, super::StartError),
    #[error("tenant folder `{0}`: a tenant's name has only a-z, 0-9, - and _ (at most 63)")]
    BadName(String),
    #[error("tenant `{0}` lists no hosts (hosts = [\"...\"] in its candor.toml)")]
    NoHosts(String),
    #[error("host `{0}` is claimed by tenants `{1}` and `{2}`")]
    SameHost(String, String, String),
    #[error("could not connect to the shared store: {0}")]
    Store(super::store::StoreError),
}

/// One office: its state and its two routers.
pub struct Tenant {
    pub name: String,
    pub app: Arc<App>,
    site: Router,
    api: Router,
    /// Its `candor.toml` and key files as they were read.
    settings: Vec<u8>,
    /// Stops the tenant's control socket when it is removed (shared by the
    /// tenant's versions with settings reloaded).
    stop: Arc<Stopper>,
}

struct Stopper(watch::Sender<bool>);

impl Drop for Stopper {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

/// Threads that start tenants at once with a shared database: each start
/// mostly waits for its round trips.
const START_THREADS: usize = 8;

/// With a sled store per tenant, none: they open one after another on the
/// calling thread. Opening them on threads of their own gained nothing
/// measurable (the disk decides) and kept far more memory: 1,000 tenants
/// idled at 563 MiB opened on one, two or eight threads of their own, at
/// 219 MiB on the calling thread (the allocator's arena of a thread that
/// ends keeps what sled's opens freed, which nothing else then reuses).
const START_THREADS_SLED: usize = 1;

#[derive(Default)]
struct Map {
    by_host: HashMap<String, Arc<Tenant>>,
    by_name: BTreeMap<String, Arc<Tenant>>,
}

/// Every tenant of the process, looked up by host per request.
pub struct Tenants {
    dir: PathBuf,
    pool: Option<Arc<PgPool>>,
    rate_limits: Option<String>,
    map: RwLock<Arc<Map>>,
}

/// What a reload changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reloaded {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Tenants whose new settings were taken.
    pub changed: Vec<String>,
    /// Tenants whose new settings were refused (they keep the old), and why.
    pub refused: Vec<(String, String)>,
}

/// A `Host` header as tenants list it: lower case, no port, no final dot.
pub fn normalize_host(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name.to_owned()
        }
        _ => host,
    };
    host.trim_end_matches('.').to_owned()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Tenants {
    /// Starts every tenant in `dir`, each log in its own sled store or, with
    /// `store` naming a database, in one pool they share.
    pub fn load(
        dir: &Path,
        store: &StoreKind,
        rate_limits: Option<String>,
    ) -> Result<Arc<Tenants>, TenantsError> {
        let pool = match store {
            StoreKind::Sled => None,
            StoreKind::Postgres(url) => Some(PgPool::connect(url).map_err(TenantsError::Store)?),
        };
        let tenants = Arc::new(Tenants {
            dir: dir.to_owned(),
            pool,
            rate_limits,
            map: RwLock::new(Arc::new(Map::default())),
        });
        tenants.reload()?;
        Ok(tenants)
    }

    /// The folders of `dir` that hold a tenant, by name.
    fn scan(&self) -> Result<Vec<String>, TenantsError> {
        let read = |e| TenantsError::Read(self.dir.clone(), e);
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(read)? {
            let entry = entry.map_err(read)?;
            if !entry.path().join("candor.toml").is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if !valid_name(&name) {
                return Err(TenantsError::BadName(name));
            }
            names.push(name);
        }
        names.sort();
        Ok(names)
    }

    /// A tenant's settings: its `candor.toml` and keys as read, and as understood.
    fn settings(&self, name: &str) -> Result<(Vec<u8>, Config), TenantsError> {
        let folder = self.dir.join(name);
        let file = folder.join("candor.toml");
        let mut bytes = std::fs::read(&file).map_err(|e| {
            TenantsError::Config(name.to_owned(), super::config::ConfigError::Read(file.clone(), e))
        })?;
        // The keys too: a new office key or token is taken like new settings.
        // Channels keep theirs in folders inside keys/: read to the bottom.
        let mut folders = vec![folder.join("keys")];
        while let Some(dir) = folders.pop() {
            let Ok(list) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = list.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths.into_iter().rev() {
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(content) = std::fs::read(&path) {
                    bytes.extend_from_slice(path.as_os_str().as_encoded_bytes());
                    bytes.extend_from_slice(&(content.len() as u64).to_be_bytes());
                    bytes.extend_from_slice(&content);
                }
            }
        }
        let over = Overrides {
            data: Some(folder.join("data")),
            keys: Some(folder.join("keys")),
            rate_limits: self.rate_limits.clone(),
            ..Overrides::default()
        };
        let config = Config::load(Some(&file), over).map_err(|e| TenantsError::Config(name.to_owned(), e))?;
        if config.hosts.iter().all(|h| h.trim().is_empty()) {
            return Err(TenantsError::NoHosts(name.to_owned()));
        }
        Ok((bytes, config))
    }

    /// Opens a tenant's store and keys (no task started yet: this runs on
    /// a thread of [`Tenants::start_all`]).
    fn open(&self, name: &str) -> Result<(Vec<u8>, App), TenantsError> {
        let (settings, config) = self.settings(name)?;
        let place = match &self.pool {
            None => StorePlace::Sled,
            Some(pool) => StorePlace::Postgres(Arc::clone(pool), name.to_owned()),
        };
        let app = App::start_in(config, place).map_err(|e| TenantsError::Start(name.to_owned(), e))?;
        Ok((settings, app))
    }

    /// Opens the tenants `names` on up to [`START_THREADS`] threads at once
    /// ([`START_THREADS_SLED`] with sled stores);
    /// the first failure, if any.
    fn start_all(&self, names: &[String]) -> Result<Vec<Tenant>, TenantsError> {
        let most = if self.pool.is_some() {
            START_THREADS
        } else {
            START_THREADS_SLED
        };
        let threads = most.min(names.len()).max(1);
        let per_thread = names.len().div_ceil(threads).max(1);
        let opened: Vec<Result<(Vec<u8>, App), TenantsError>> = if threads == 1 {
            names.iter().map(|n| self.open(n)).collect()
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = names
                    .chunks(per_thread)
                    .map(|chunk| scope.spawn(move || chunk.iter().map(|n| self.open(n)).collect::<Vec<_>>()))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| {
                        w.join().unwrap_or_else(|_| {
                            vec![Err(TenantsError::Read(
                                self.dir.clone(),
                                std::io::Error::other("a thread starting tenants failed"),
                            ))]
                        })
                    })
                    .collect()
            })
        };
        // No task yet: a reload that then fails drops these, and with them
        // their stores (and sled's lock on each), so that the next can open them.
        let mut tenants = Vec::with_capacity(names.len());
        for (name, opened) in names.iter().zip(opened) {
            let (settings, app) = opened?;
            let (stop, _) = watch::channel(false);
            tenants.push(Tenant::new(
                name,
                Arc::new(app),
                settings,
                Arc::new(Stopper(stop)),
            ));
        }
        Ok(tenants)
    }

    /// `tenant` with the settings of its `candor.toml` and keys as they are
    /// now, if they changed: `Ok(None)` if they did not.
    fn reconfigure(&self, tenant: &Tenant) -> Result<Option<Tenant>, TenantsError> {
        let (settings, config) = self.settings(&tenant.name)?;
        if settings == tenant.settings {
            return Ok(None);
        }
        let app = tenant
            .app
            .reconfigured(config)
            .map_err(|e| TenantsError::Start(tenant.name.clone(), e))?;
        Ok(Some(Tenant::new(
            &tenant.name,
            Arc::new(app),
            settings,
            Arc::clone(&tenant.stop),
        )))
    }

    /// Starts tenants whose folder appeared, stops those whose folder went;
    /// the others go on as they are. Nothing changes if any new tenant fails
    /// to start or two tenants claim one host.
    pub fn reload(self: &Arc<Self>) -> Result<Reloaded, TenantsError> {
        let names = self.scan()?;
        let current = Arc::clone(&*self.map.read().unwrap_or_else(|p| p.into_inner()));
        let mut next = Map::default();
        let mut changes = Reloaded::default();
        let new: Vec<String> = names
            .iter()
            .filter(|n| !current.by_name.contains_key(*n))
            .cloned()
            .collect();
        let mut started: HashMap<String, Tenant> = self
            .start_all(&new)?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        for name in &names {
            let tenant = match (current.by_name.get(name), started.remove(name)) {
                (_, Some(t)) => {
                    changes.added.push(name.clone());
                    Arc::new(t)
                }
                (Some(t), None) => match self.reconfigure(t) {
                    Ok(None) => Arc::clone(t),
                    Ok(Some(changed)) => {
                        changes.changed.push(name.clone());
                        Arc::new(changed)
                    }
                    Err(e) => {
                        changes.refused.push((name.clone(), e.to_string()));
                        Arc::clone(t)
                    }
                },
                (None, None) => continue,
            };
            for host in &tenant.app.config.hosts {
                let host = normalize_host(host);
                if host.is_empty() {
                    continue;
                }
                if let Some(other) = next.by_host.insert(host.clone(), Arc::clone(&tenant)) {
                    return Err(TenantsError::SameHost(
                        host,
                        other.name.clone(),
                        tenant.name.clone(),
                    ));
                }
            }
            next.by_name.insert(name.clone(), tenant);
        }
        changes.removed = current
            .by_name
            .keys()
            .filter(|n| !next.by_name.contains_key(*n))
            .cloned()
            .collect();
        // The tenants started now get their control socket and daily key
        // warning once they are in the map, and only then.
        for name in &changes.added {
            if let Some(t) = next.by_name.get(name) {
                tokio::spawn(super::control::serve(
                    Arc::clone(&t.app),
                    wait(t.stop.0.subscribe()),
                ));
                tokio::spawn(daily_warnings(
                    Arc::downgrade(self),
                    name.clone(),
                    t.stop.0.subscribe(),
                ));
            }
        }
        *self.map.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        Ok(changes)
    }

    /// The tenant answering to `host` (a `Host` header).
    pub fn find(&self, host: &str) -> Option<Arc<Tenant>> {
        let map = Arc::clone(&*self.map.read().unwrap_or_else(|p| p.into_inner()));
        map.by_host.get(&normalize_host(host)).cloned()
    }

    /// The tenant named `name`.
    pub fn named(&self, name: &str) -> Option<Arc<Tenant>> {
        let map = Arc::clone(&*self.map.read().unwrap_or_else(|p| p.into_inner()));
        map.by_name.get(name).cloned()
    }

    pub fn len(&self) -> usize {
        self.map.read().map(|m| m.by_name.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The two dispatchers and the 431 answer for the listeners.
    pub fn sites(self: &Arc<Tenants>) -> Sites {
        let for_head = Arc::clone(self);
        Sites {
            site: dispatch(Arc::clone(self), false),
            api: dispatch(Arc::clone(self), true),
            too_large: Arc::new(move |head: &[u8]| {
                match head_host(head).and_then(|h| for_head.find(&h)) {
                    Some(t) => super::web::head_too_large(&t.app, head),
                    None => b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_vec(),
                }
            }),
        }
    }
}

impl Tenant {
    fn new(name: &str, app: Arc<App>, settings: Vec<u8>, stop: Arc<Stopper>) -> Tenant {
        Tenant {
            name: name.to_owned(),
            site: super::web::router(Arc::clone(&app)),
            api: super::api::router(Arc::clone(&app)),
            app,
            settings,
            stop,
        }
    }
}

/// The daily key warnings of tenant `name`, with its settings as they are
/// on the day (a reload may have changed its keys); ends when it is removed.
async fn daily_warnings(tenants: std::sync::Weak<Tenants>, name: String, mut stop: watch::Receiver<bool>) {
    let mut last = crate::clock::today();
    loop {
        tokio::select! {
            () = tokio::time::sleep(crate::clock::until_next_day()) => {}
            _ = stop.changed() => return,
        }
        let today = crate::clock::today();
        if today == last {
            continue;
        }
        last = today;
        let Some(tenant) = tenants.upgrade().and_then(|t| t.named(&name)) else {
            return;
        };
        super::keys::log_app_warnings(&tenant.app, today);
    }
}

/// The `Host` header among the first bytes of a request, if it arrived.
fn head_host(head: &[u8]) -> Option<String> {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .skip(1)
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("host")
                .then(|| value.trim().to_owned())
        })
}

/// The answer to a host no tenant claims: the same bytes whatever the host.
fn unknown_host() -> Response {
    let mut resp = (StatusCode::NOT_FOUND, "Not found\n").into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    resp
}

/// A router that hands each request to its tenant's router.
fn dispatch(tenants: Arc<Tenants>, api: bool) -> Router {
    Router::new().fallback_service(tower::service_fn(move |req: Request<Body>| {
        let tenants = Arc::clone(&tenants);
        async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
                .or_else(|| req.uri().host().map(str::to_owned));
            match host.and_then(|h| tenants.find(&h)) {
                Some(t) => {
                    let router = if api { t.api.clone() } else { t.site.clone() };
                    router.oneshot(req).await
                }
                None => Ok(unknown_host()),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_compared_without_case_port_or_final_dot() {
        assert_eq!(normalize_host("Ethics.Example.ORG:8080"), "ethics.example.org");
        assert_eq!(normalize_host("abc.onion."), "abc.onion");
        assert_eq!(normalize_host("[::1]:80"), "[::1]:80");
        assert_eq!(normalize_host(" a.example "), "a.example");
    }

    #[test]
    fn tenant_names_are_plain() {
        assert!(valid_name("ethics-office_2"));
        for bad in ["", "Ethics", "a/b", "..", "a b", &"x".repeat(64)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_host_is_read_from_a_request_head() {
        assert_eq!(
            head_host(b"GET / HTTP/1.1\r\nUser-Agent: x\r\nHOST: b.example:80\r\n").as_deref(),
            Some("b.example:80")
        );
        assert_eq!(head_host(b"GET / HTTP/1.1\r\n"), None);
    }
}

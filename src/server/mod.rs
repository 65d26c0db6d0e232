//! The online server: reporter site, officer API, store.
//!
//! A thin shell around [`crate::core`]: handlers in [`web`] extract, call
//! [`intake`], [`followup`] or [`officer`], and render. The store sits behind
//! [`store::Store`]. Nothing here can decrypt a report: the server holds only
//! public keys and its own log-signing key.

pub mod api;
pub mod backup;
pub mod channels;
pub mod config;
pub mod control;
pub mod disk;
pub mod durable;
pub mod followup;
pub mod i18n;
pub mod intake;
pub mod keys;
pub mod limits;
pub mod officer;
pub mod pack;
pub mod perms;
pub mod quota;
pub mod serve;
pub mod store;
pub mod tenants;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;

use self::config::Config;
use self::config::StoreKind;
use self::durable::Durability;
use self::followup::Sessions;
use self::keys::ServerKeys;
use self::limits::Limits;
use self::store::{PgPool, PgStore, SledStore, Store};

/// Where an [`App`]'s log is kept.
pub enum StorePlace {
    /// The embedded store in `data/store`.
    Sled,
    /// The log of this name in a PostgreSQL database.
    Postgres(Arc<PgPool>, String),
}

/// The log of a single-office server in a PostgreSQL database.
pub const DEFAULT_LOG: &str = "default";

/// Everything a request may need; built once at start.
pub struct App {
    pub config: Config,
    pub keys: ServerKeys,
    /// The office's channels (`[[channels]]`); empty: every report to `keys`.
    pub channels: channels::Channels,
    pub server_key: SigningKey,
    pub store: Arc<dyn Store>,
    /// Shared with the versions of this `App` a settings reload makes: one
    /// group writer per store.
    pub durable: Arc<Durability>,
    pub sessions: Arc<Sessions>,
    pub limits: Limits,
    pub disk: disk::DiskGuard,
    /// The office's storage quota (`quota_bytes`), if any.
    pub quota: quota::Quota,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error(transparent)]
    Keys(#[from] keys::KeysError),
    #[error(transparent)]
    Channel(#[from] channels::ChannelError),
    #[error("could not open the store in {0}: {1}")]
    Store(std::path::PathBuf, store::StoreError),
    #[error("could not open the PostgreSQL store: {0}")]
    Postgres(store::StoreError),
    #[error("could not make the data directory {0} owner-only: {1}")]
    Permissions(std::path::PathBuf, std::io::Error),
}

impl App {
    /// How long an upload may send nothing before it is dropped.
    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.config.upload_idle_timeout_seconds)
    }

    /// Loads keys (refusing when no office key can receive today), opens (or
    /// creates) the store and the server's signing key.
    pub fn start(config: Config) -> Result<App, StartError> {
        let place = match config
            .store_kind()
            .map_err(|e| StartError::Postgres(store::StoreError::Postgres(e.to_string())))?
        {
            StoreKind::Sled => StorePlace::Sled,
            StoreKind::Postgres(url) => StorePlace::Postgres(
                PgPool::connect(&url).map_err(StartError::Postgres)?,
                DEFAULT_LOG.to_owned(),
            ),
        };
        App::start_in(config, place)
    }

    /// [`App::start`] with the store already chosen: a tenant's log in a
    /// pool every tenant of the process shares, or its own sled store.
    pub fn start_in(config: Config, place: StorePlace) -> Result<App, StartError> {
        let server_keys = ServerKeys::load(&config.keys, crate::clock::today())?;
        let channels = channels::Channels::load(&config, &config.keys, crate::clock::today())?;
        perms::owner_only(&config.data).map_err(|e| StartError::Permissions(config.data.clone(), e))?;
        let random = || {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).ok().map(|_| seed)
        };
        let (store, server_key): (Arc<dyn Store>, SigningKey) = match place {
            StorePlace::Sled => {
                let server_key = keys::server_signing_key(&config.data, random)?;
                let store_dir = config.data.join("store");
                let store =
                    SledStore::open(&store_dir).map_err(|e| StartError::Store(store_dir.clone(), e))?;
                (Arc::new(store), server_key)
            }
            StorePlace::Postgres(pool, log) => {
                let store = PgStore::open(pool, &log).map_err(StartError::Postgres)?;
                // One key for every process serving this log, kept with it.
                let text = store
                    .server_key(|| {
                        random().map(|seed| {
                            crate::core::keys::format_signing_key(
                                &SigningKey::from_bytes(&seed),
                                "candor server log-head signing key; made at first start",
                            )
                        })
                    })
                    .map_err(StartError::Postgres)?;
                let server_key = crate::core::keys::parse_signing_key(&text).map_err(|_| {
                    StartError::Postgres(store::StoreError::Corrupt("the server key in the database"))
                })?;
                (Arc::new(store), server_key)
            }
        };
        Ok(App {
            durable: Arc::new(Durability::new(Arc::clone(&store))),
            sessions: Arc::new(Sessions::new(Duration::from_secs(
                config.session_idle_minutes * 60,
            ))),
            limits: Limits::new(&config),
            disk: disk::DiskGuard::new(config.data.clone(), config.min_free_disk_bytes)
                .with_inode_reserve(config.min_free_inodes),
            quota: quota::Quota::new(config.quota_bytes),
            keys: server_keys,
            channels,
            server_key,
            store,
            config,
        })
    }

    /// This office with new settings (a tenant's `candor.toml` changed): its
    /// keys read again, the same store, server key, group writer and
    /// reporters' sessions; budgets and the disk guard as the new settings say.
    pub fn reconfigured(&self, config: Config) -> Result<App, StartError> {
        let keys = ServerKeys::load(&config.keys, crate::clock::today())?;
        let channels = channels::Channels::load(&config, &config.keys, crate::clock::today())?;
        Ok(App {
            durable: Arc::clone(&self.durable),
            sessions: Arc::clone(&self.sessions),
            limits: Limits::new(&config),
            disk: disk::DiskGuard::new(config.data.clone(), config.min_free_disk_bytes)
                .with_inode_reserve(config.min_free_inodes),
            quota: quota::Quota::new(config.quota_bytes),
            keys,
            channels,
            server_key: self.server_key.clone(),
            store: Arc::clone(&self.store),
            config,
        })
    }
}

//! `candor`: the online server.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use candor::server::App;
use candor::server::config::ListenAddr;
use candor::server::config::{Config, Overrides};
use candor::server::serve::Bound;
use candor::server::tenants::Tenants;

mod backup;

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "Anonymous whistleblower reporting: the online server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the reporter site and the officer API.
    ///
    /// Example: candor serve --listen 127.0.0.1:8080 --officer-listen 127.0.0.1:8081 --data ./data --keys ./keys
    Serve {
        /// Configuration file (TOML); flags and environment override it.
        #[arg(long, env = "CANDOR_CONFIG")]
        config: Option<PathBuf>,
        /// Reporter site address.
        #[arg(long, env = "CANDOR_LISTEN")]
        listen: Option<String>,
        /// Officer API address (its own onion service with client authorisation).
        #[arg(long, env = "CANDOR_OFFICER_LISTEN")]
        officer_listen: Option<String>,
        /// Data directory: the encrypted store and the server's signing key.
        #[arg(long, env = "CANDOR_DATA")]
        data: Option<PathBuf>,
        /// Directory of public keys: recipients.txt, officer.pub, officer-token.sha256.
        #[arg(long, env = "CANDOR_KEYS")]
        keys: Option<PathBuf>,
        /// Where the log is kept: postgres://user@host/database for a PostgreSQL database
        /// several candor processes may share; without it, the embedded store in DATA/store.
        #[arg(long, env = "CANDOR_STORE")]
        store: Option<String>,
        /// Serve many offices: every DIR/<tenant>/ with a candor.toml (its texts, budgets and
        /// hosts = [...]) and keys/; each request's Host chooses the tenant. SIGHUP re-reads DIR (new, removed and changed tenants).
        /// --keys and --data are then each tenant's own (DIR/<tenant>/keys, DIR/<tenant>/data).
        #[arg(long, env = "CANDOR_TENANTS", conflicts_with_all = ["keys", "data"])]
        tenants: Option<PathBuf>,
    },
    /// Write a backup of the data directory: the encrypted store and the server's signing key.
    ///
    /// Safe while the server runs: it then asks the server, through DATA/control.sock, for a
    /// consistent copy. The backup holds nothing that can read a report, but it holds the
    /// server's log-signing key: keep it as private as the server.
    ///
    /// Example: candor backup --data /var/lib/candor --out /var/backups/candor/candor-1.backup
    ///
    /// One tenant of `candor serve --tenants DIR`: candor backup --tenants DIR --tenant NAME --out FILE
    Backup {
        /// Data directory of the server.
        #[arg(long, env = "CANDOR_DATA", required_unless_present = "tenant")]
        data: Option<PathBuf>,
        /// The tenants' directory (with --tenant).
        #[arg(long, env = "CANDOR_TENANTS", requires = "tenant")]
        tenants: Option<PathBuf>,
        /// The tenant to back up: its data is DIR/NAME/data.
        #[arg(long, requires = "tenants", conflicts_with = "data")]
        tenant: Option<String>,
        /// Backup file to write (mode 0600; replaced only once the new one is complete).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new data directory (the server must not be running on it).
    ///
    /// Checks the whole backup first, then writes DATA/store and DATA/server.key, then verifies
    /// the restored log end to end.
    ///
    /// With --store postgres://... the backup goes into that database instead, whose log
    /// must have no entries (no candor may be serving it meanwhile).
    ///
    /// Example: candor restore --from candor-1.backup --data /var/lib/candor
    Restore {
        /// Backup file written by `candor backup`.
        #[arg(long)]
        from: PathBuf,
        /// Data directory to create; must not already hold a store or a key.
        #[arg(long, env = "CANDOR_DATA", required_unless_present = "store")]
        data: Option<PathBuf>,
        /// A PostgreSQL database to restore into instead of a data directory.
        #[arg(long, env = "CANDOR_STORE", conflicts_with = "data")]
        store: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    // Everything the server, sled and a backup create is owner-only,
    // whatever umask the server was started with.
    candor::server::perms::restrict_umask();
    // No timestamps: the logs must not record when anything happened.
    tracing_subscriber::fmt()
        .without_time()
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CANDOR_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            config,
            listen,
            officer_listen,
            data,
            keys,
            store,
            tenants,
        } => {
            let over = Overrides {
                listen,
                officer_listen,
                data,
                keys,
                store,
                rate_limits: std::env::var("CANDOR_RATE_LIMITS").ok(),
            };
            let config = Config::load(config.as_deref(), over)?;
            match tenants {
                None => serve(config),
                Some(dir) => serve_tenants(config, &dir),
            }
        }
        Command::Backup {
            data,
            tenants,
            tenant,
            out,
        } => match (data, tenants, tenant) {
            (_, Some(dir), Some(name)) => {
                let folder = dir.join(&name);
                if name.contains('/') || !folder.join("candor.toml").is_file() {
                    anyhow::bail!("{} holds no tenant {name}", dir.display());
                }
                backup::backup(&folder.join("data"), &out)
            }
            (Some(data), _, _) => backup::backup(&data, &out),
            _ => anyhow::bail!("name a data directory (--data), or --tenants DIR --tenant NAME"),
        },
        Command::Restore { from, data, store } => match (data, store) {
            (_, Some(url)) => backup::restore_postgres(&from, &url),
            (Some(data), None) => backup::restore(&from, &data),
            (None, None) => anyhow::bail!("name a data directory (--data) or a database (--store)"),
        },
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let listen = config.listen_addr()?;
        let officer_listen = config.officer_listen_addr()?;
        let app = Arc::new(App::start(config).context("could not start")?);
        if app.keys.demo {
            tracing::warn!(
                "DEMO MODE: keys/ holds the public demo office key; anyone can decrypt these reports. Never use it for real reports (see README)."
            );
        }
        candor::server::keys::log_app_warnings(&app, candor::clock::today());
        tokio::spawn(candor::server::keys::warn_daily(Arc::clone(&app)));
        if !app.config.rate_limits {
            tracing::warn!("rate limits are OFF (CANDOR_RATE_LIMITS=off): for benchmarks and load tests only");
        }
        // Handlers first: a SIGTERM once "listening" is logged must already
        // mean a graceful stop (sockets removed), not the default death.
        let shutdown = shutdown_signal().context("could not watch for SIGTERM")?;
        let (reporter, officer) = bind(&app.config, &listen, &officer_listen).await?;
        candor::server::serve::serve(app, reporter, officer, shutdown)
            .await
            .context("server failed")
    })
}

/// Binds the reporter site and the officer API at their addresses (parsed
/// from `config` before anything started), and logs where they listen.
async fn bind(
    config: &Config,
    listen: &ListenAddr,
    officer_listen: &ListenAddr,
) -> anyhow::Result<(Bound, Bound)> {
    let reporter = Bound::bind(listen).await.with_context(|| {
        format!(
            "could not listen on {} (choose another address with --listen)",
            config.listen
        )
    })?;
    let officer = Bound::bind(officer_listen).await.with_context(|| {
        format!(
            "could not listen on {} (choose another address with --officer-listen)",
            config.officer_listen
        )
    })?;
    tracing::info!("reporter site listening on {}", reporter.describe());
    tracing::info!("officer API listening on {}", officer.describe());
    Ok((reporter, officer))
}

/// `candor serve --tenants DIR`: the listeners and limits of `config`, the
/// offices of DIR, re-read on SIGHUP.
fn serve_tenants(config: Config, dir: &std::path::Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let listen = config.listen_addr()?;
        let officer_listen = config.officer_listen_addr()?;
        let rate_limits = std::env::var("CANDOR_RATE_LIMITS").ok();
        let tenants = Tenants::load(dir, &config.store_kind()?, rate_limits).context("could not start")?;
        tracing::info!("{} tenants started from {}", tenants.len(), dir.display());
        if !config.rate_limits {
            tracing::warn!(
                "rate limits are OFF (CANDOR_RATE_LIMITS=off): for benchmarks and load tests only"
            );
        }
        let shutdown = shutdown_signal().context("could not watch for SIGTERM")?;
        watch_hangup(Arc::clone(&tenants)).context("could not watch for SIGHUP")?;
        let (reporter, officer) = bind(&config, &listen, &officer_listen).await?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        candor::server::serve::serve_sites(&config, tenants.sites(), reporter, officer, stop_rx)
            .await
            .context("server failed")
    })
}

/// Re-reads the tenants' directory on each SIGHUP.
#[cfg(unix)]
fn watch_hangup(tenants: Arc<Tenants>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            let tenants = Arc::clone(&tenants);
            let handle = tokio::runtime::Handle::current();
            let reloaded = tokio::task::spawn_blocking(move || {
                let _entered = handle.enter();
                tenants.reload()
            })
            .await;
            match reloaded {
                Ok(Ok(r)) => {
                    for (name, why) in &r.refused {
                        tracing::error!("tenant `{name}` keeps its old settings: {why}");
                    }
                    tracing::info!(
                        "tenants re-read: {} started, {} stopped, {} with new settings",
                        r.added.len(),
                        r.removed.len(),
                        r.changed.len()
                    );
                }
                Ok(Err(e)) => tracing::error!("tenants not re-read, the running ones go on: {e}"),
                Err(e) => tracing::error!("tenants not re-read: {e}"),
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn watch_hangup(_tenants: Arc<Tenants>) -> std::io::Result<()> {
    Ok(())
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C). The handlers are installed when
/// this is called, not when the future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}

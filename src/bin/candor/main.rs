//! `candor`: the online server.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use candor::server::App;
use candor::server::config::{Config, Overrides};

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
    },
}

fn main() -> anyhow::Result<()> {
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
        } => {
            let over = Overrides {
                listen,
                officer_listen,
                data,
                keys,
                rate_limits: std::env::var("CANDOR_RATE_LIMITS").ok(),
            };
            let config = Config::load(config.as_deref(), over)?;
            serve(config)
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let listen = config.listen.clone();
        let officer_listen = config.officer_listen.clone();
        let app = Arc::new(App::start(config).context("could not start")?);
        if app.keys.demo {
            tracing::warn!(
                "DEMO MODE: keys/ holds the public demo office key; anyone can decrypt these reports. Never use it for real reports (see README)."
            );
        }
        if !app.config.rate_limits {
            tracing::warn!("rate limits are OFF (CANDOR_RATE_LIMITS=off): for benchmarks and load tests only");
        }
        let reporter = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("could not listen on {listen}"))?;
        let officer = tokio::net::TcpListener::bind(&officer_listen)
            .await
            .with_context(|| format!("could not listen on {officer_listen}"))?;
        tracing::info!("reporter site listening on http://{}", reporter.local_addr()?);
        tracing::info!("officer API listening on http://{}", officer.local_addr()?);
        candor::server::serve::serve(app, reporter, officer, shutdown_signal())
            .await
            .context("server failed")
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

//! The local control socket: `candor backup` while the server runs.
//!
//! sled locks its directory, so a second process cannot read the store of a
//! running server. The server therefore listens on `DATA/control.sock` (mode
//! 0600, in the data directory, so only the server's own user and root can
//! connect) and, asked `backup\n`, writes a backup (see [`super::backup`])
//! into the connection. It is not reachable over the network and takes no
//! other command.

use std::future::Future;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::App;

/// The control socket of the data directory `data`.
pub fn socket_path(data: &Path) -> PathBuf {
    data.join("control.sock")
}

pub const BACKUP_REQUEST: &[u8] = b"backup\n";

/// Serves the control socket until `shutdown` completes.
#[cfg(unix)]
pub async fn serve(app: Arc<App>, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    use tokio::io::AsyncReadExt;

    let path = socket_path(&app.config.data);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_socket()) {
        let _ = std::fs::remove_file(&path);
    }
    let bound = tokio::net::UnixListener::bind(&path)
        .and_then(|l| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map(|()| l));
    let listener = match bound {
        Ok(l) => l,
        Err(e) => {
            // Serving reporters matters more than online backups.
            tracing::warn!(
                "no control socket ({e}): `candor backup` will work only while the server is stopped"
            );
            shutdown.await;
            return Ok(());
        }
    };
    tokio::pin!(shutdown);
    loop {
        let (mut conn, _) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("control socket: {e}");
                    continue;
                }
            },
        };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let mut request = [0u8; BACKUP_REQUEST.len()];
            let read =
                tokio::time::timeout(std::time::Duration::from_secs(10), conn.read_exact(&mut request)).await;
            if !matches!(read, Ok(Ok(_))) || request != BACKUP_REQUEST {
                tracing::warn!("control socket: unknown request");
                return;
            }
            let result = async {
                let std_conn = conn.into_std()?;
                std_conn.set_nonblocking(false)?;
                tokio::task::spawn_blocking(move || write_backup(&app, std_conn))
                    .await
                    .map_err(io::Error::other)?
            }
            .await;
            match result {
                Ok(()) => tracing::debug!("backup written to the control socket"),
                Err(e) => tracing::error!("backup failed: {e}"),
            }
        });
    }
    drop(listener);
    let _ = std::fs::remove_file(&path);
    Ok(())
}

#[cfg(not(unix))]
pub async fn serve(_app: Arc<App>, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
    shutdown.await;
    Ok(())
}

#[cfg(unix)]
fn write_backup(app: &App, mut conn: std::os::unix::net::UnixStream) -> io::Result<()> {
    // The key file of the embedded store; a shared store keeps the key in
    // the database, and the backup carries it in the same text form.
    let key = match std::fs::read(app.config.data.join("server.key")) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => crate::core::keys::format_signing_key(
            &app.server_key,
            "candor server log-head signing key; made at first start",
        )
        .as_bytes()
        .to_vec(),
        other => other?,
    };
    super::backup::write(&mut conn, &key, app.store.as_ref()).map_err(io::Error::other)?;
    conn.flush()?;
    conn.shutdown(std::net::Shutdown::Write)
}

//! `candor backup` and `candor restore`: the command-line side of
//! [`candor::server::backup`].

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use candor::server::backup;
use candor::server::store::SledStore;

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Writes a backup of `data` to `out`, through the running server if there is one.
pub fn backup(data: &Path, out: &Path) -> anyhow::Result<()> {
    let tmp = partial_path(out);
    // A leftover from an interrupted run of this command; never a finished backup.
    let _ = std::fs::remove_file(&tmp);
    let result = write_partial(data, &tmp);
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, out)
        .with_context(|| format!("could not rename {} to {}", tmp.display(), out.display()))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("could not sync {}", dir.display()))?;
    println!(
        "backup written to {}: {} records, log head at entry {}",
        out.display(),
        summary.records,
        summary.head_seq
    );
    println!("It holds the server's signing key but nothing that can read a report; keep it private.");
    Ok(())
}

fn write_partial(data: &Path, tmp: &Path) -> anyhow::Result<backup::Summary> {
    let mut file = {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        opts.open(tmp)
            .with_context(|| format!("could not create {}", tmp.display()))?
    };
    match connect(data) {
        Some(mut conn) => {
            conn.write_all(candor::server::control::BACKUP_REQUEST)
                .context("could not ask the running server for a backup")?;
            std::io::copy(&mut conn, &mut file).context("the backup stream broke off")?;
        }
        None => {
            let store_dir = data.join("store");
            if !store_dir.is_dir() {
                bail!("{} holds no store", data.display());
            }
            let store = SledStore::open_as_is(&store_dir).with_context(|| {
                format!(
                    "could not open the store in {}; if a server is running on it, its control socket {} is not reachable",
                    store_dir.display(),
                    candor::server::control::socket_path(data).display()
                )
            })?;
            let key = std::fs::read(data.join("server.key"))
                .with_context(|| format!("could not read {}", data.join("server.key").display()))?;
            backup::write(&mut file, &key, &store)?;
        }
    }
    file.sync_all().context("could not sync the backup")?;
    drop(file);
    backup::verify(tmp).context("the backup just written does not verify; it was not kept")
}

#[cfg(unix)]
fn connect(data: &Path) -> Option<std::os::unix::net::UnixStream> {
    std::os::unix::net::UnixStream::connect(candor::server::control::socket_path(data)).ok()
}

#[cfg(not(unix))]
fn connect(_data: &Path) -> Option<std::fs::File> {
    None
}

/// Restores the backup `from` into the new data directory `data`.
pub fn restore(from: &Path, data: &Path) -> anyhow::Result<()> {
    if connect(data).is_some() {
        bail!("a server is running on {}; stop it first", data.display());
    }
    let head = backup::restore(from, data)
        .with_context(|| format!("could not restore {} into {}", from.display(), data.display()))?;
    println!(
        "restored into {}: the log verifies up to entry {}. Start the server on it; the desk continues from there.",
        data.display(),
        head.seq
    );
    Ok(())
}

/// Restores the backup `from` into the PostgreSQL database `url`.
pub fn restore_postgres(from: &Path, url: &str) -> anyhow::Result<()> {
    let head = backup::restore_postgres(from, url)
        .with_context(|| format!("could not restore {} into the database", from.display()))?;
    println!(
        "restored into the database: the log verifies up to entry {}. Start the servers on it; the desk continues from there.",
        head.seq
    );
    Ok(())
}

//! A PostgreSQL cluster of the tests' own: Debian's binaries, `initdb` into
//! a temporary directory as a user other than root, listening only on a Unix
//! socket in that directory. One per test process, started on first use and
//! stopped (and its directory removed) by a watchdog once the process ends.
//!
//! Shared by the store's unit tests (`src/server/store/postgres.rs`) and the
//! integration tests (`tests/common`). Without the binaries a test says
//! SKIPPED outside CI and fails under CI (`CI` set).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Cluster {
    /// The data directory's parent, which also holds the socket.
    pub dir: PathBuf,
    bin: PathBuf,
    databases: AtomicUsize,
}

/// The newest `/usr/lib/postgresql/N/bin`, if PostgreSQL is installed.
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let n = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((n, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A command run as the cluster's owner: `postgres` when the tests run as
/// root (initdb refuses root), else the current user.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The process's cluster, or `None` (SKIPPED) where PostgreSQL is not
/// installed and `CI` is not set.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER.get_or_init(start).as_ref()
}

fn start() -> Option<Cluster> {
    let Some(bin) = binaries() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL is not installed: CI must install it (apt-get install postgresql)"
        );
        eprintln!("SKIPPED: PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
        return None;
    };
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(format!(
        "/tmp/candor-pg-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cluster dir");
    if is_root() {
        run(
            Command::new("chown").arg("postgres:postgres").arg(&dir),
            "chown the cluster's directory",
        );
    }
    let data = dir.join("data");
    run(
        as_owner(&bin.join("initdb"))
            .args([
                "-U",
                "candor",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-instructions",
                "-D",
            ])
            .arg(&data),
        "initdb",
    );
    // Only the socket in `dir`; fsync stays on, as in production.
    let options = format!(
        "-k {} -c listen_addresses='' -c max_connections=300 -c shared_buffers=32MB",
        dir.display()
    );
    run(
        as_owner(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-o", &options, "start"])
            .stdout(Stdio::null()),
        "pg_ctl start",
    );
    // The watchdog: once this process is gone, stop the cluster and remove it.
    let owner = if is_root() { "runuser -u postgres -- " } else { "" };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {owner}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    // Never waited for: it must outlive this process.
    #[allow(clippy::zombie_processes)]
    {
        use std::os::unix::process::CommandExt;
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("cluster watchdog");
    }
    Some(Cluster {
        dir,
        bin,
        databases: AtomicUsize::new(0),
    })
}

impl Cluster {
    /// A new, empty database; its name (see [`Cluster::url`]).
    pub fn database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::SeqCst));
        run(
            Command::new(self.bin.join("psql"))
                .args(["-q", "-h"])
                .arg(&self.dir)
                .args(["-U", "candor", "-d", "postgres", "-c"])
                .arg(format!("CREATE DATABASE {name}")),
            "create a database",
        );
        name
    }

    /// The address of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://candor@/{name}?host={}", self.dir.display())
    }

    /// Runs SQL on database `name` with psql; returns its output (unaligned, tuples only).
    pub fn psql(&self, name: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.dir)
            .args(["-U", "candor", "-d", name, "-c", sql])
            .stdin(Stdio::null())
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

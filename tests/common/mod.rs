//! Shared helpers for the end-to-end tests: the real `candor` server on
//! port 0, the real `candor-desk` binary, and fresh keys from `keygen`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// The tests' own PostgreSQL cluster (tests/pg/cluster.rs).
#[path = "../pg/cluster.rs"]
pub mod pg;

pub const SERVER: &str = env!("CARGO_BIN_EXE_candor");
pub const DESK: &str = env!("CARGO_BIN_EXE_candor-desk");

/// A running `candor serve`, killed on drop.
pub struct Server {
    child: Child,
    pub site: String,
    pub api: String,
    pub data: PathBuf,
    pub log: Arc<Mutex<String>>,
    /// Reads the server's stderr into `log`; ends when the server exits.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(data: &Path, keys: &Path) -> Server {
        Server::start_with(data, keys, &[])
    }

    /// A server whose log is in the PostgreSQL database `store`
    /// (`postgres://...`); `data` holds only its control socket.
    pub fn start_store(data: &Path, keys: &Path, store: &str) -> Server {
        Server::start_with(data, keys, &[("CANDOR_STORE", store)])
    }

    pub fn start_with(data: &Path, keys: &Path, env: &[(&str, &str)]) -> Server {
        Server::spawn(Command::new(SERVER), data, keys, env)
    }

    pub fn spawn(mut cmd: Command, data: &Path, keys: &Path, env: &[(&str, &str)]) -> Server {
        serve_args(&mut cmd, data, keys);
        Server::spawn_ready(cmd, data, env)
    }

    /// `candor serve --tenants DIR` on two free loopback ports.
    pub fn start_tenants(dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(SERVER);
        cmd.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--officer-listen",
            "127.0.0.1:0",
            "--tenants",
        ])
        .arg(dir);
        Server::spawn_ready(cmd, dir, env)
    }

    /// Starts `cmd` (already given its arguments) and waits for both listeners.
    fn spawn_ready(mut cmd: Command, data: &Path, env: &[(&str, &str)]) -> Server {
        cmd.env("CANDOR_RATE_LIMITS", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // A group of its own, so that killing it also ends a server started
            // under a wrapper (strace lets its tracee run on when it is killed).
            .process_group(0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start candor");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push_str(&line);
                sink.lock().expect("log").push('\n');
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send((line.contains("officer"), addr.trim().to_owned()));
                }
            }
        });
        let mut site = None;
        let mut api = None;
        while site.is_none() || api.is_none() {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok((true, a)) => api = Some(a),
                Ok((false, a)) => site = Some(a),
                Err(_) => {
                    kill_group(&mut child);
                    panic!("server did not start; log:\n{}", log.lock().expect("log"));
                }
            }
        }
        Server {
            child,
            site: format!("http://{}", site.expect("site")),
            api: format!("http://{}", api.expect("api")),
            data: data.to_owned(),
            log,
            reader: Some(reader),
        }
    }

    /// The server's process id (to send it a signal).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(mut self) -> String {
        kill_group(&mut self.child);
        // Every line the server wrote is in the log once the reader has seen the pipe close.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log.lock().expect("log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// Appends `serve` on two free loopback ports, with `data` and `keys`.
pub fn serve_args<'a>(cmd: &'a mut Command, data: &Path, keys: &Path) -> &'a mut Command {
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--officer-listen",
        "127.0.0.1:0",
        "--data",
    ])
    .arg(data)
    .arg("--keys")
    .arg(keys)
}

/// SIGKILL to the child's whole process group, then waits for the child.
fn kill_group(child: &mut Child) {
    // Quietly: the group is often gone already.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `candor-desk` with the given arguments.
pub fn desk(args: &[&str]) -> Output {
    Command::new(DESK).args(args).output().expect("run candor-desk")
}

/// Runs `candor-desk` and insists that it succeeds.
pub fn desk_ok(args: &[&str]) -> String {
    let out = desk(args);
    assert!(
        out.status.success(),
        "candor-desk {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fresh office keys: (public dir for the server, secret dir for the desk).
pub fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    desk_ok(&[
        "keygen",
        "--no-passphrase",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    (dir.join("public"), dir.join("secret"))
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// The text of the element with the given id (first match).
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = html.get(at..)?;
    let start = rest.find('>')? + 1;
    let end = rest.find('<')?;
    rest.get(start..end).map(|s| s.trim().to_owned())
}

pub fn attr(html: &str, id: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let tag_end = html.get(at..)?.find('>')? + at;
    let tag = html.get(at..tag_end)?;
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag.get(start..)?.find('"')? + start;
    tag.get(start..end).map(str::to_owned)
}

/// The hidden `session` field of a thread page.
pub fn session_field(html: &str) -> Option<String> {
    let at = html.find("name=\"session\" value=\"")? + "name=\"session\" value=\"".len();
    let end = html.get(at..)?.find('"')? + at;
    html.get(at..end).map(str::to_owned)
}

/// Files a report as a browser with JavaScript off would.
pub fn file_report(site: &str, description: &str, categories: &[&str], files: &[(&str, Vec<u8>)]) -> String {
    let mut form = reqwest::blocking::multipart::Form::new().text("kind", "misconduct");
    for c in categories {
        form = form.text("category", c.to_string());
    }
    form = form
        .text("description", description.to_owned())
        .text("when", "")
        .text("where", "")
        .text("people", "")
        .text("contact", "");
    for (name, bytes) in files {
        let part = reqwest::blocking::multipart::Part::bytes(bytes.clone())
            .file_name(name.to_string())
            .mime_str("application/octet-stream")
            .expect("mime");
        form = form.part("attachment", part);
    }
    let resp = client()
        .post(format!("{site}/report"))
        .multipart(form)
        .send()
        .expect("post report");
    assert_eq!(resp.status(), 200, "report refused");
    let html = resp.text().expect("body");
    element_text(&html, "receipt").expect("receipt on the answer page")
}

/// Logs in with a receipt; returns the thread page.
/// POSTs a multipart form to `path` on the site, as the browser does.
pub fn post_multipart(
    site: &str,
    path: &str,
    form: reqwest::blocking::multipart::Form,
) -> reqwest::blocking::Response {
    client()
        .post(format!("{site}{path}"))
        .multipart(form)
        .send()
        .expect("post")
}

pub fn login(site: &str, receipt: &str) -> (u16, String) {
    let resp = client()
        .post(format!("{site}/followup"))
        .form(&[("receipt", receipt)])
        .send()
        .expect("post followup");
    let status = resp.status().as_u16();
    (status, resp.text().expect("body"))
}

/// Fetches an export bundle after `after` into `path`.
pub fn export(api: &str, token: &str, after: u64, path: &Path) -> u16 {
    let resp = client()
        .get(format!("{api}/export?after={after}"))
        .bearer_auth(token)
        .send()
        .expect("export");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().expect("bytes");
    std::fs::write(path, &bytes).expect("write bundle");
    status
}

pub fn import(api: &str, token: &str, bundle: &[u8]) -> (u16, String) {
    let resp = client()
        .post(format!("{api}/import"))
        .bearer_auth(token)
        .body(bundle.to_vec())
        .send()
        .expect("import");
    let status = resp.status().as_u16();
    (status, resp.text().expect("body"))
}

pub fn token(secret: &Path) -> String {
    std::fs::read_to_string(secret.join("officer-token"))
        .expect("token")
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("token line")
        .trim()
        .to_owned()
}

/// Every byte of every file under `dir`.
pub fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push((p.clone(), std::fs::read(&p).expect("read")));
            }
            // Anything else is a socket (the server's control.sock, left by a
            // killed server): it holds no bytes on disk.
        }
    }
    out
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether `tool` is missing, for a test that cannot run without it: outside
/// CI the test says SKIPPED and returns, so that `cargo test` passes on a
/// machine with nothing but Rust; under CI (`CI` set) a missing tool fails,
/// so that CI never passes by skipping.
pub fn tool_missing(tool: &str, package: &str) -> bool {
    if Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
    {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} is not installed: CI must install it (apt-get install {package})"
    );
    eprintln!("SKIPPED: {tool} is not installed (apt-get install {package}; .ci/run does)");
    true
}

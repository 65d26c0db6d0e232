//! GnuPG and candor read each other's OpenPGP: the real `gpg` (GnuPG 2.2 on
//! Debian 12) in a throwaway home.
//!
//! - Office keys made with GnuPG (ed25519/cv25519 and RSA-4096, with and
//!   without a passphrase) receive reports through the real server, and the
//!   real `candor-desk` opens them with the secret key exported from gpg.
//! - `gpg --decrypt` opens the OpenPGP message that the server's sealing code
//!   puts in the stanza for a `keygen --openpgp` certificate, and finds the
//!   same file key sequoia does; for a `--profile rfc9580` certificate
//!   GnuPG 2.2 cannot, which is why that profile is not the default.
//!
//! The four GnuPG keys are generated once, in one test (RSA-4096 takes
//! seconds each).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use age::secrecy::ExposeSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use candor::core::envelope::{Payload, ReplyBody};
use candor::core::openpgp::{self, OpenPgpIdentity};
use candor::core::secret::SecretText;
use candor::server::keys::ServerKeys;
use common::*;

/// A throwaway GnuPG home; its agent is stopped on drop.
struct Gpg {
    _dir: tempfile::TempDir,
    home: PathBuf,
}

impl Gpg {
    fn new() -> Option<Gpg> {
        if Command::new("gpg").arg("--version").output().is_err() {
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("gnupg");
        std::fs::create_dir(&home).expect("mkdir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        Some(Gpg { _dir: dir, home })
    }

    /// Runs gpg in batch mode; `passphrase` is given through loopback pinentry.
    fn run(&self, passphrase: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = Command::new("gpg");
        cmd.arg("--homedir")
            .arg(&self.home)
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
            .args(["--passphrase", passphrase.unwrap_or("")]);
        cmd.args(args).output().expect("run gpg")
    }

    fn ok(&self, passphrase: Option<&str>, args: &[&str]) -> Vec<u8> {
        let out = self.run(passphrase, args);
        assert!(
            out.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A new key: `primary` for signing, `sub` for encryption; its fingerprint.
    fn generate(&self, uid: &str, primary: &str, sub: &str, passphrase: Option<&str>) -> String {
        self.ok(passphrase, &["--quick-gen-key", uid, primary, "sign", "never"]);
        let listing =
            String::from_utf8(self.ok(None, &["--with-colons", "--list-keys", uid])).expect("utf-8");
        let fpr = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:::::::::"))
            .and_then(|l| l.split(':').next())
            .expect("fingerprint")
            .to_owned();
        self.ok(passphrase, &["--quick-add-key", &fpr, sub, "encr", "never"]);
        fpr
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.home)
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs the desk with the passphrase in its environment, insisting on success.
fn desk_with(passphrase: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new(DESK);
    cmd.args(args).env_remove("CANDOR_DESK_PASSPHRASE");
    if let Some(p) = passphrase {
        cmd.env("CANDOR_DESK_PASSPHRASE", p);
    }
    let out = cmd.output().expect("run candor-desk");
    assert!(
        out.status.success(),
        "candor-desk {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn office_keys_made_with_gnupg_open_reports_on_the_desk() {
    let Some(gpg) = Gpg::new() else {
        assert!(tool_missing("gpg", "gnupg"), "gpg runs but could not be set up");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    // The officer's signing key and token from keygen; the office keys from GnuPG only.
    let (public, secret) = keygen(&tmp.path().join("officer"));
    let keys = tmp.path().join("keys");
    std::fs::create_dir(&keys).expect("mkdir");
    for f in ["officer.pub", "officer-token.sha256"] {
        std::fs::copy(public.join(f), keys.join(f)).expect("copy");
    }
    let kinds: [(&str, &str, &str, Option<&str>); 4] = [
        ("ed25519", "ed25519", "cv25519", None),
        ("ed25519-pass", "ed25519", "cv25519", Some("a GnuPG passphrase")),
        ("rsa4096", "rsa4096", "rsa4096", None),
        (
            "rsa4096-pass",
            "rsa4096",
            "rsa4096",
            Some("another GnuPG passphrase"),
        ),
    ];
    let mut desks = Vec::new();
    for (name, primary, sub, pass) in kinds {
        let fpr = gpg.generate(&format!("office {name} <{name}@example.org>"), primary, sub, pass);
        std::fs::write(
            keys.join(format!("{name}.asc")),
            gpg.ok(None, &["--armor", "--export", &fpr]),
        )
        .expect("write certificate");
        let desk_keys = tmp.path().join(format!("desk-{name}"));
        std::fs::create_dir(&desk_keys).expect("mkdir");
        let exported = gpg.ok(pass, &["--armor", "--export-secret-keys", &fpr]);
        assert!(
            String::from_utf8_lossy(&exported).starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"),
            "no secret key exported for {name}"
        );
        std::fs::write(desk_keys.join("office.asc"), exported).expect("write secret key");
        desks.push((name, desk_keys, pass));
    }

    let server = Server::start(&tmp.path().join("data"), &keys);
    file_report(
        &server.site,
        "Sealed to four GnuPG keys.",
        &["fraud"],
        &[("evidence.txt", b"an attachment for GnuPG keys".to_vec())],
    );
    let bundle = tmp.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    server.stop();

    for (name, desk_keys, pass) in desks {
        let vault = tmp.path().join(format!("vault-{name}"));
        desk_with(
            pass,
            &["open", s(&bundle), "--keys", s(&desk_keys), "--vault", s(&vault)],
        );
        let cases: serde_json::Value =
            serde_json::from_str(&desk_with(pass, &["cases", "--vault", s(&vault), "--json"])).expect("json");
        let id = cases[0]["id"].as_str().expect("case id").to_owned();
        let extract = tmp.path().join(format!("extract-{name}"));
        let shown = desk_with(
            pass,
            &[
                "show",
                &id,
                "--vault",
                s(&vault),
                "--json",
                "--extract",
                s(&extract),
            ],
        );
        assert!(shown.contains("Sealed to four GnuPG keys."), "{name}: {shown}");
        let files: Vec<Vec<u8>> = std::fs::read_dir(&extract)
            .expect("extracted")
            .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
            .collect();
        assert!(
            files.iter().any(|f| f == b"an attachment for GnuPG keys"),
            "{name}: attachment not opened"
        );
    }
}

/// The base64 body of the `candor-openpgp` stanza in an age file's header.
fn openpgp_stanza(age_file: &[u8]) -> (String, Vec<u8>) {
    let text = String::from_utf8_lossy(age_file);
    let mut lines = text.lines().skip_while(|l| !l.starts_with("-> candor-openpgp "));
    let head = lines.next().expect("a candor-openpgp stanza");
    let fpr = head.trim_start_matches("-> candor-openpgp ").to_owned();
    let mut b64 = String::new();
    for line in lines {
        b64.push_str(line);
        if line.len() < 64 {
            break;
        }
    }
    (fpr, STANDARD_NO_PAD.decode(b64).expect("base64 stanza body"))
}

#[test]
fn gnupg_decrypts_what_is_sealed_to_a_desk_made_certificate() {
    let Some(gpg) = Gpg::new() else {
        assert!(tool_missing("gpg", "gnupg"), "gpg runs but could not be set up");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    // keygen dates its key today.
    let today = candor::clock::today();
    let mut opened = Vec::new();
    for profile in ["rfc4880", "rfc9580"] {
        let out = tmp.path().join(profile);
        desk_ok(&[
            "keygen",
            "--openpgp",
            "--profile",
            profile,
            "--no-passphrase",
            "--out",
            s(&out),
        ]);
        // The server's own sealing code, on the folder the server would read.
        let server_keys = ServerKeys::load(&out.join("public"), today).expect("server keys");
        let payload = Payload::Reply(ReplyBody {
            text: SecretText::new("for GnuPG".into()),
            day: today,
        });
        let sealed = server_keys
            .seal(candor::core::case::CaseId::from_random([1; 8]), &payload, today)
            .expect("seal");
        let (fpr, body) = openpgp_stanza(&sealed);
        let message = tmp.path().join(format!("{profile}.pgp"));
        std::fs::write(&message, &body).expect("write");

        // What sequoia finds in the stanza: the file key.
        let secret = std::fs::read(out.join("secret/office.asc")).expect("secret key");
        let cert = openpgp::parse_cert(&secret).expect("key");
        assert_eq!(openpgp::fingerprint(&cert), fpr);
        let identity = OpenPgpIdentity::new(&cert, None).expect("identity");
        let stanza = age_core::format::Stanza {
            tag: openpgp::STANZA_TAG.to_owned(),
            args: vec![fpr.clone()],
            body: body.clone(),
        };
        let file_key = age::Identity::unwrap_stanza(&identity, &stanza)
            .expect("for this key")
            .expect("unwraps");
        let expected = file_key.expose_secret().to_vec();
        assert_eq!(expected.len(), 16);

        let import = gpg.run(None, &["--import", s(&out.join("secret/office.asc"))]);
        let decrypted = gpg.run(None, &["--decrypt", s(&message)]);
        let gpg_ok = import.status.success() && decrypted.status.success();
        opened.push((profile, gpg_ok));
        if profile == "rfc4880" {
            assert!(
                gpg_ok,
                "gpg could not decrypt a stanza for a keygen --openpgp certificate: {}{}",
                String::from_utf8_lossy(&import.stderr),
                String::from_utf8_lossy(&decrypted.stderr)
            );
            assert_eq!(decrypted.stdout, expected, "gpg found another file key");
        }
    }
    // GnuPG 2.2 does not read v6 keys and SEIPDv2: the reason for the default.
    let version = String::from_utf8_lossy(&gpg.ok(None, &["--version"])).into_owned();
    if version.starts_with("gpg (GnuPG) 2.2.") {
        assert_eq!(opened, vec![("rfc4880", true), ("rfc9580", false)], "{version}");
    }
}

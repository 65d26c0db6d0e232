//! The desktop application, driven headless by its accessibility tree
//! (egui_kittest) as a screen reader user would, against the real server:
//! unlock with the passphrase once, open an export the server made, find a
//! case by search, reply, set a status, record a case with a receipt, purge
//! with the confirmation that names the case, write the outbox; then the
//! server imports the outbox and the reporters see the reply, the status
//! and the recorded case.

#![cfg(all(feature = "server", feature = "gui"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use candor::desk::deadlines::Periods;
use candor::desk::gui::i18n::Lang;
use candor::desk::gui::{DeskApp, Options, View};
use candor::desk::import::Limits;
use common::{Server, attr, export, file_report, import, login};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const PASS: &str = "correct horse battery staple";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Office keys protected by `PASS`: (public, secret).
fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    let out = Command::new(common::DESK)
        .args(["keygen", "--out", s(dir)])
        .env("CANDOR_DESK_PASSPHRASE", PASS)
        .output()
        .expect("keygen");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir.join("public"), dir.join("secret"))
}

fn token(secret: &Path) -> String {
    let out = Command::new(common::DESK)
        .args(["token", "--keys", s(secret)])
        .env("CANDOR_DESK_PASSPHRASE", PASS)
        .output()
        .expect("token");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn app(vault: &Path, secret: &Path, lang: Lang) -> Harness<'static, DeskApp> {
    app_for_site(vault, secret, lang, None)
}

fn app_for_site(vault: &Path, secret: &Path, lang: Lang, site: Option<&str>) -> Harness<'static, DeskApp> {
    let app = DeskApp::new(Options {
        vault: Some(vault.to_path_buf()),
        keys: Some(secret.to_path_buf()),
        today: candor::clock::today(),
        periods: Periods::default(),
        idle_lock_minutes: 10,
        lang,
        limits: Limits::default(),
        start_dir: vault.parent().expect("parent").to_path_buf(),
        site: site.map(str::to_owned),
    });
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut DeskApp| app.ui(ui), app)
}

/// Types `text` into the field named `label`, replacing what it held.
fn type_into(h: &mut Harness<'_, DeskApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
    if !text.is_empty() {
        h.get_by_label(label).type_text(text);
        h.run();
    }
}

fn click(h: &mut Harness<'_, DeskApp>, label: &str) {
    h.get_by_label(label).click();
    h.run();
    settle(h);
}

/// Steps frames until the operation running on the worker thread (if any)
/// has ended and its result is shown.
fn settle(h: &mut Harness<'_, DeskApp>) {
    let start = std::time::Instant::now();
    while h.state().is_busy() {
        assert!(start.elapsed().as_secs() < 300, "the operation never ends");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
}

fn notice(h: &Harness<'_, DeskApp>) -> String {
    h.state()
        .notice()
        .map(|n| format!("{}{}", if n.ok { "" } else { "ERROR: " }, n.text))
        .unwrap_or_default()
}

fn unlock(h: &mut Harness<'_, DeskApp>) {
    type_into(h, "Passphrase", PASS);
    click(h, "Unlock");
    assert!(h.state().is_unlocked(), "not unlocked: {}", notice(h));
}

fn looks_like_receipt(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() >= 4
        && groups
            .iter()
            .all(|g| (1..=5).contains(&g.len()) && g.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The label of the first case button the inbox shows (a case id).
fn case_button(h: &Harness<'_, DeskApp>) -> String {
    h.get_all_by(|n| {
        n.role() == egui::accesskit::Role::Button
            && n.label()
                .is_some_and(|l| l.len() == 11 && l.as_bytes().get(5) == Some(&b'-'))
    })
    .next()
    .and_then(|n| n.accesskit_node().label())
    .expect("a case button")
}

#[test]
fn an_officer_works_a_case_in_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&dir.path().join("office"));
    let server = Server::start(&dir.path().join("data"), &public);
    let tok = token(&secret);
    let first = file_report(
        &server.site,
        "The procurement lead splits invoices to stay under the tender threshold.",
        &["fraud", "conflict-of-interest"],
        &[("ledger.csv", b"date,amount\n".to_vec())],
    );
    let second = file_report(
        &server.site,
        "A manager shouts at the interns every morning.",
        &["harassment"],
        &[],
    );
    let bundle = dir.path().join("export-1.bundle");
    assert_eq!(export(&server.api, &tok, 0, &bundle), 200);

    let vault = dir.path().join("vault");
    let mut h = app(&vault, &secret, Lang::En);
    h.run();
    // A wrong passphrase says so and unlocks nothing.
    type_into(&mut h, "Passphrase", "not the passphrase");
    click(&mut h, "Unlock");
    assert!(!h.state().is_unlocked());
    assert!(
        notice(&h).contains("not the one that protects these keys"),
        "{}",
        notice(&h)
    );
    unlock(&mut h);

    // Open the export; the verification is said in words.
    click(&mut h, "Open an export…");
    type_into(&mut h, "Export file", s(&bundle));
    click(&mut h, "Verify and open");
    assert!(notice(&h).contains("verified and opened"), "{}", notice(&h));
    h.get_by_label_contains("was signed by the server key");
    h.get_by_label_contains("New: 2 case(s)");

    // The inbox: both cases, human category labels, unread, a deadline in words.
    click(&mut h, "Inbox");
    h.get_by_label("2 of 2 case(s) shown");
    h.get_by_label("Fraud, Conflict of interest");
    assert_eq!(h.get_all_by_label("New").count(), 2);
    h.get_all_by_label_contains("acknowledge by")
        .next()
        .expect("deadline");

    // Find the first case by a word of its report.
    type_into(&mut h, "Search", "TENDER");
    h.get_by_label("1 of 2 case(s) shown");
    let id = case_button(&h);
    click(&mut h, &id);
    assert_eq!(h.state().view(), View::Case(id.parse().expect("case id")));
    h.get_by_label_contains("splits invoices");
    h.get_by_label("ledger.csv");
    // Seen: no longer unread.
    click(&mut h, "Back to the inbox");
    type_into(&mut h, "Search", "");
    click(&mut h, &id);

    // Reply, and set the status.
    type_into(
        &mut h,
        "Reply to the reporter",
        "Thank you. We have opened a preliminary review.",
    );
    click(&mut h, "Record the reply");
    assert!(notice(&h).contains("Reply recorded"), "{}", notice(&h));
    click(&mut h, "New status");
    click(&mut h, "Preliminary review");
    click(&mut h, "Set the status");
    assert!(
        notice(&h).contains("Status set to Preliminary review"),
        "{}",
        notice(&h)
    );
    h.get_by_label_contains("reply from the office");

    // Notes and star stay in the vault.
    type_into(
        &mut h,
        "Office notes (kept in the vault, never sent)",
        "Ask audit for the 2025 ledger.",
    );
    click(&mut h, "Save the notes");
    click(&mut h, "Starred");

    // Save the case's files, after the warning.
    click(&mut h, "Save the case's files to a folder…");
    h.get_by_label_contains("may carry metadata that identifies them");
    let saved = dir.path().join("case-files");
    type_into(&mut h, "New folder to save into", s(&saved));
    click(&mut h, "Save the files");
    assert!(notice(&h).contains("file(s) into"), "{}", notice(&h));
    assert!(saved.join("01-report.txt").is_file());

    // Record a case that came by phone, with a receipt shown once.
    click(&mut h, "Record a case");
    click(&mut h, "Fraud");
    type_into(
        &mut h,
        "What was reported, in your words",
        "Caller says fuel cards are shared.",
    );
    click(&mut h, "Issue a receipt, so the person can follow up online");
    click(&mut h, "Record the case");
    assert!(notice(&h).contains("Recorded case"), "{}", notice(&h));
    let receipt = h
        .get_all_by(|n| n.value().is_some_and(|l| looks_like_receipt(&l)))
        .next()
        .and_then(|n| n.accesskit_node().value())
        .expect("receipt shown");
    click(&mut h, "The receipt was handed over");
    assert!(h.query_by_label(&receipt).is_none(), "the receipt is shown once");

    // Purge the second case, with the confirmation that names it.
    click(&mut h, "Inbox");
    type_into(&mut h, "Search", "interns");
    let other = case_button(&h);
    click(&mut h, &other);
    click(&mut h, "Purge this case…");
    h.get_by_label_contains(&format!("Purge case {other}?"));
    click(&mut h, &format!("Purge case {other}"));
    assert!(notice(&h).contains("was purged"), "{}", notice(&h));
    assert_eq!(h.state().view(), View::Inbox);
    type_into(&mut h, "Search", "");
    h.get_by_label("2 of 2 case(s) shown");

    // Write the outbox; it says what it carries.
    click(&mut h, "Write the outbox…");
    h.get_by_label_contains(
        "Waiting to go out: 1 reply(ies), 1 status change(s), 1 recorded case(s), 1 purge(s)",
    );
    let outbox = dir.path().join("outbox-1.bundle");
    type_into(&mut h, "Outbox file", s(&outbox));
    click(&mut h, "Write the outbox");
    assert!(
        notice(&h).contains("1 reply(ies), 1 status change(s), 1 recorded case(s), 1 purge(s)"),
        "{}",
        notice(&h)
    );

    // Lock: everything decrypted is dropped.
    click(&mut h, "Lock");
    assert!(!h.state().is_unlocked());
    drop(h);

    // The server takes the outbox; the reporters see the reply and status,
    // the recorded case's receipt works, the purged case is gone.
    let (code, body) = import(&server.api, &tok, &std::fs::read(&outbox).expect("outbox"));
    assert_eq!(code, 200, "{body}");
    let (code, page) = login(&server.site, &first);
    assert_eq!(code, 200);
    assert!(page.contains("We have opened a preliminary review."), "{page}");
    assert_eq!(
        attr(&page, "status", "data-status").as_deref(),
        Some("preliminary-review")
    );
    let (code, _) = login(&server.site, &receipt);
    assert_eq!(code, 200, "the recorded case's receipt works");
    let (code, _) = login(&server.site, &second);
    assert_ne!(code, 200, "the purged case is gone");

    // The window again: the vault kept the notes, the star and the reply.
    let mut h = app(&vault, &secret, Lang::En);
    h.run();
    unlock(&mut h);
    click(&mut h, "Starred only");
    h.get_by_label("1 of 2 case(s) shown");
    click(&mut h, &id);
    assert_eq!(
        h.get_by_label("Office notes (kept in the vault, never sent)")
            .value()
            .as_deref(),
        Some("Ask audit for the 2025 ledger.")
    );
}

#[test]
fn the_window_speaks_french() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = keygen(&dir.path().join("office"));
    let mut h = app(&dir.path().join("vault"), &secret, Lang::Fr);
    h.run();
    type_into(&mut h, "Phrase secrète", PASS);
    click(&mut h, "Déverrouiller");
    assert!(h.state().is_unlocked(), "{}", notice(&h));
    h.get_by_label_contains("Aucun dossier pour l'instant");
    click(&mut h, "Enregistrer un dossier");
    click(&mut h, "Conflit d'intérêts");
    type_into(
        &mut h,
        "Ce qui a été signalé, avec vos mots",
        "Un fournisseur a offert un voyage.",
    );
    click(&mut h, "Enregistrer le dossier");
    assert!(notice(&h).contains("enregistré"), "{}", notice(&h));
    click(&mut h, "Boîte de réception");
    h.get_by_label("Conflit d'intérêts");
    h.get_by_label("Signalement");
}

#[test]
fn the_window_locks_itself_when_idle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = keygen(&dir.path().join("office"));
    let mut h = app(&dir.path().join("vault"), &secret, Lang::En);
    h.run();
    unlock(&mut h);
    // Ten minutes of frames without input (kittest's clock, not the wall's).
    for _ in 0..(10 * 60 * 4 + 8) {
        h.step();
    }
    assert!(!h.state().is_unlocked());
    assert!(
        notice(&h).contains("Locked after 10 minute(s) without use"),
        "{}",
        notice(&h)
    );
}

#[test]
fn the_keyboard_alone_unlocks_and_moves_between_controls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = keygen(&dir.path().join("office"));
    let mut h = app(&dir.path().join("vault"), &secret, Lang::En);
    h.run();
    // Tab from nowhere reaches a control; the passphrase field, then Enter.
    h.key_press(egui::Key::Tab);
    h.run();
    assert!(
        h.query_all_by(|n| n.is_focused()).next().is_some(),
        "Tab focuses a control"
    );
    h.get_by_label("Passphrase").focus();
    h.run();
    h.get_by_label("Passphrase").type_text(PASS);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    settle(&mut h);
    assert!(h.state().is_unlocked(), "{}", notice(&h));
    // Every control of every view has a name (the harness checks after each run).
    for view in [
        "Open an export…",
        "Record a case",
        "Write the outbox…",
        "Annual report",
        "Inbox",
    ] {
        click(&mut h, view);
    }
}

#[test]
fn a_tampered_export_is_refused_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&dir.path().join("office"));
    let server = Server::start(&dir.path().join("data"), &public);
    file_report(&server.site, "Invoices are split.", &["fraud"], &[]);
    let bundle = dir.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let mid = bytes.len() / 2;
    if let Some(b) = bytes.get_mut(mid) {
        *b ^= 0x55;
    }
    let tampered = dir.path().join("tampered.bundle");
    std::fs::write(&tampered, &bytes).expect("write");

    let mut h = app(&dir.path().join("vault"), &secret, Lang::En);
    h.run();
    unlock(&mut h);
    click(&mut h, "Open an export…");
    type_into(&mut h, "Export file", s(&tampered));
    click(&mut h, "Verify and open");
    assert!(
        notice(&h).starts_with("ERROR: The export was refused and the vault was not changed."),
        "{}",
        notice(&h)
    );
    click(&mut h, "Inbox");
    h.get_by_label_contains("No cases yet");
    // Nothing to send says so.
    click(&mut h, "Write the outbox…");
    type_into(&mut h, "Outbox file", s(&dir.path().join("outbox.bundle")));
    click(&mut h, "Write the outbox");
    assert!(
        notice(&h).contains("Nothing is waiting to go out"),
        "{}",
        notice(&h)
    );
    // The untouched export opens.
    click(&mut h, "Open an export…");
    type_into(&mut h, "Export file", s(&bundle));
    click(&mut h, "Verify and open");
    assert!(notice(&h).contains("verified and opened"), "{}", notice(&h));
}

/// Runs [`printing_in_child`] with `path` as its PATH; returns what it said
/// (the receipt and the notice after "Print the receipt").
fn print_in_child(dir: &Path, path: &Path) -> (String, String) {
    print_in_child_in(dir, path, "en")
}

fn print_in_child_in(dir: &Path, path: &Path, lang: &str) -> (String, String) {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "printing_in_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PATH", path)
        .env("CANDOR_TEST_PRINT_DIR", dir)
        .env("CANDOR_TEST_PRINT_LANG", lang)
        .output()
        .expect("child test");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(key).map(|(_, v)| v))
            .unwrap_or_default()
            .to_owned()
    };
    (said("RECEIPT="), said("NOTICE="))
}

/// The text on a PostScript page, as Ghostscript reads it.
fn page_text(page: &Path) -> String {
    let out = Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=txtwrite",
            "-sOutputFile=-",
        ])
        .arg(page)
        .output()
        .expect("gs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // txtwrite lays the words out in columns: one space between words.
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every file under `root` changed since `since` that holds `needle`.
fn files_holding(root: &Path, needle: &[u8], since: std::time::SystemTime) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(list) = std::fs::read_dir(root) else {
        return found;
    };
    for entry in list.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            found.extend(files_holding(&path, needle, since));
        } else if meta.is_file()
            && meta.len() < 64 << 20
            && meta.modified().is_ok_and(|m| m >= since)
            && std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        {
            found.push(path);
        }
    }
    found
}

/// "Print the receipt" pipes a PostScript page to the print system's `lp`
/// on its standard input (a stand-in `lp` on PATH keeps what it is given):
/// the page holds the receipt and the reporter's instructions with the
/// site's address, and no other file anywhere under the temporary folders
/// holds the receipt. Without `lp` or `lpr`, and with an `lp` that refuses
/// the job, the window says so.
#[test]
fn a_receipt_prints_through_lp_and_is_written_nowhere() {
    let since = std::time::SystemTime::now() - std::time::Duration::from_secs(2);
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let capture = dir.path().join("captured-by-lp.ps");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" > '{}.args'\nexec cat > '{}'\n",
            s(&capture),
            s(&capture)
        ),
    )
    .expect("lp");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let orig = std::env::var_os("PATH").unwrap_or_default();
    let mut path = std::ffi::OsString::from(bin.as_os_str());
    path.push(":");
    path.push(&orig);

    let run = dir.path().join("run-1");
    std::fs::create_dir(&run).expect("run");
    let (receipt, said) = print_in_child(&run, Path::new(&path));
    assert!(looks_like_receipt(&receipt), "{receipt:?}");
    assert!(
        said.starts_with("The receipt was sent to the printer (lp)."),
        "{said}"
    );
    let page = std::fs::read_to_string(&capture).expect("lp got the page");
    assert!(page.starts_with("%!PS-Adobe-3.0"), "{page}");
    // Latin-1's hyphen, not its minus sign, between the groups.
    let on_page = receipt.replace('-', "\\255");
    assert!(page.contains(&format!("({on_page}) show")), "{page}");
    assert!(page.contains("http://example.onion/followup"), "{page}");
    assert!(page.contains("Keep this code secret"), "{page}");
    assert_eq!(
        std::fs::read_to_string(format!("{}.args", s(&capture)))
            .expect("args")
            .trim(),
        "-t candor-desk"
    );
    let mut holding = files_holding(dir.path(), receipt.as_bytes(), since);
    holding.extend(files_holding(&std::env::temp_dir(), receipt.as_bytes(), since));
    holding.retain(|p| p != &capture);
    assert!(holding.is_empty(), "the receipt is in {holding:?}");
    // The page is PostScript a printer reads: Ghostscript finds the receipt
    // and the instructions on it, in English and, printed from the French
    // window, in French with its accents.
    if !common::tool_missing("gs", "ghostscript") {
        let text = page_text(&capture);
        assert!(text.contains(&receipt), "{text}");
        assert!(text.contains("Your receipt"), "{text}");
        let run = dir.path().join("run-fr");
        std::fs::create_dir(&run).expect("run");
        let (receipt, said) = print_in_child_in(&run, Path::new(&path), "fr");
        assert!(
            said.starts_with("Le reçu a été envoyé à l'imprimante (lp)."),
            "{said}"
        );
        let text = page_text(&capture);
        assert!(text.contains(&receipt), "{text}");
        assert!(text.contains("Votre code de reçu"), "{text}");
        assert!(
            text.contains("Personne au bureau ne peut retrouver ce code"),
            "{text}"
        );
    }

    // No print system at all.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("empty");
    let run = dir.path().join("run-2");
    std::fs::create_dir(&run).expect("run");
    let (_, said) = print_in_child(&run, &empty);
    assert!(
        said.starts_with("ERROR: This machine has no print system"),
        "{said}"
    );

    // A print system that refuses the job: its own words follow ours.
    let refusing = dir.path().join("refusing");
    std::fs::create_dir(&refusing).expect("refusing");
    let lp = refusing.join("lp");
    std::fs::write(
        &lp,
        "#!/bin/sh\ncat > /dev/null\necho 'lp: Error - No default destination.' >&2\nexit 1\n",
    )
    .expect("lp");
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut path = std::ffi::OsString::from(refusing.as_os_str());
    path.push(":");
    path.push(&orig);
    let run = dir.path().join("run-3");
    std::fs::create_dir(&run).expect("run");
    let (_, said) = print_in_child(&run, Path::new(&path));
    assert!(
        said.starts_with("ERROR: The printer did not take the page")
            && said.ends_with("lp: lp: Error - No default destination."),
        "{said}"
    );
}

/// The window side of [`a_receipt_prints_through_lp_and_is_written_nowhere`],
/// run by it in a process of its own (with its own PATH).
#[test]
#[ignore = "run by a_receipt_prints_through_lp_and_is_written_nowhere with a PATH of its own"]
fn printing_in_child() {
    let Some(dir) = std::env::var_os("CANDOR_TEST_PRINT_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let (_, secret) = keygen(&dir.join("office"));
    let fr = std::env::var("CANDOR_TEST_PRINT_LANG").is_ok_and(|l| l == "fr");
    let lang = if fr { Lang::Fr } else { Lang::En };
    let mut h = app_for_site(&dir.join("vault"), &secret, lang, Some("http://example.onion/"));
    h.run();
    let t = |en: &'static str, fr_words: &'static str| if fr { fr_words } else { en };
    type_into(&mut h, t("Passphrase", "Phrase secrète"), PASS);
    click(&mut h, t("Unlock", "Déverrouiller"));
    click(&mut h, t("Record a case", "Enregistrer un dossier"));
    click(&mut h, t("Fraud", "Fraude"));
    type_into(
        &mut h,
        t(
            "What was reported, in your words",
            "Ce qui a été signalé, avec vos mots",
        ),
        "Caller says fuel cards are shared.",
    );
    click(
        &mut h,
        t(
            "Issue a receipt, so the person can follow up online",
            "Remettre un reçu, pour que la personne puisse suivre en ligne",
        ),
    );
    click(&mut h, t("Record the case", "Enregistrer le dossier"));
    let receipt = h
        .get_all_by(|n| n.value().is_some_and(|l| looks_like_receipt(&l)))
        .next()
        .and_then(|n| n.accesskit_node().value())
        .expect("receipt shown");
    click(&mut h, t("Print the receipt", "Imprimer le reçu"));
    println!("RECEIPT={receipt}");
    println!("NOTICE={}", notice(&h));
}

/// An export refused under the French window says why in French: the
/// desk's error (a changed byte breaks the server's signature or an
/// entry's hash) has words in the catalogue, no English sentence is shown.
#[test]
fn a_tampered_export_is_refused_in_french() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&dir.path().join("office"));
    let server = Server::start(&dir.path().join("data"), &public);
    file_report(&server.site, "Invoices are split.", &["fraud"], &[]);
    let bundle = dir.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let mid = bytes.len() / 2;
    if let Some(b) = bytes.get_mut(mid) {
        *b ^= 0x55;
    }
    let tampered = dir.path().join("tampered.bundle");
    std::fs::write(&tampered, &bytes).expect("write");
    let truncated = dir.path().join("truncated.bundle");
    std::fs::write(&truncated, bytes.get(..mid).expect("half")).expect("write");

    let mut h = app(&dir.path().join("vault"), &secret, Lang::Fr);
    h.run();
    type_into(&mut h, "Phrase secrète", PASS);
    click(&mut h, "Déverrouiller");
    assert!(h.state().is_unlocked(), "{}", notice(&h));
    click(&mut h, "Ouvrir un export…");
    for (file, reason) in [(&tampered, "modifié"), (&truncated, "tronqué")] {
        type_into(&mut h, "Fichier d'export", s(file));
        click(&mut h, "Vérifier et ouvrir");
        let said = notice(&h);
        assert!(
            said.starts_with("ERROR: L'export a été refusé et le coffre n'a pas changé."),
            "{said}"
        );
        assert!(said.contains(reason), "{said}");
        for english in [" the ", " was ", " is ", "bundle", "entry"] {
            assert!(!said.contains(english), "English in {said}");
        }
    }
    // A missing file, in French too.
    type_into(&mut h, "Fichier d'export", s(&dir.path().join("absent.bundle")));
    click(&mut h, "Vérifier et ouvrir");
    assert!(notice(&h).contains("n'existe pas"), "{}", notice(&h));
}

/// Presses Tab until the control named `label` has the focus, then Enter:
/// the control is reachable, and works, from the keyboard alone.
fn tab_to_and_press(h: &mut Harness<'_, DeskApp>, label: &str) {
    for _ in 0..80 {
        h.key_press(egui::Key::Tab);
        h.run();
        if h.query_all_by(|n| n.is_focused())
            .any(|n| n.accesskit_node().label().as_deref() == Some(label))
        {
            h.key_press(egui::Key::Enter);
            h.run();
            return;
        }
    }
    panic!("Tab never reaches {label}");
}

/// Retention in the window: the cases closed before a day are listed by
/// id with what they hold, and go only after a confirmation reached and
/// pressed from the keyboard; an open case stays.
#[test]
fn cases_closed_before_a_day_are_purged_after_a_confirmation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = keygen(&dir.path().join("office"));
    let mut h = app(&dir.path().join("vault"), &secret, Lang::En);
    h.run();
    unlock(&mut h);
    for (category, text) in [
        ("Fraud", "Alpha: fuel cards are shared."),
        ("Harassment", "Bravo: shouting."),
    ] {
        click(&mut h, "Record a case");
        click(&mut h, category);
        type_into(&mut h, "What was reported, in your words", text);
        click(&mut h, "Record the case");
        assert!(notice(&h).contains("Recorded case"), "{}", notice(&h));
    }
    click(&mut h, "Inbox");
    type_into(&mut h, "Search", "Alpha");
    let closed = case_button(&h);
    type_into(&mut h, "Search", "Bravo");
    let open = case_button(&h);
    type_into(&mut h, "Search", "");
    click(&mut h, &closed);
    // Before a status is set, the window says which deadline it meets.
    let today = candor::clock::today();
    let ack_due = candor::core::day::Day(today.0 + 7);
    let feedback_due = candor::desk::deadlines::add_months(today, 3);
    click(&mut h, "New status");
    click(&mut h, "Acknowledged");
    h.get_by_label(&format!(
        "Setting it now meets the deadline to acknowledge the report, on time (due {ack_due}). \
         Feedback is then due by {feedback_due}."
    ));
    click(&mut h, "New status");
    click(&mut h, "Investigation");
    h.get_by_label(&format!(
        "It meets no deadline; still due: acknowledge by {ack_due}."
    ));
    click(&mut h, "New status");
    click(&mut h, "Closed: substantiated");
    h.get_by_label("A closed status ends the case: nothing more is due.");
    click(&mut h, "Set the status");
    h.get_by_label("The case has this status already.");

    let tomorrow = candor::core::day::Day(today.0 + 1);
    click(&mut h, "Purge and retention…");
    type_into(&mut h, "Closed before (YYYY-MM-DD)", &today.to_string());
    click(&mut h, "List the cases");
    assert_eq!(notice(&h), format!("No case was closed before {today}."));
    type_into(&mut h, "Closed before (YYYY-MM-DD)", &tomorrow.to_string());
    click(&mut h, "List the cases");
    h.get_by_label(&closed);
    assert!(h.query_by_label(&open).is_none(), "an open case is not listed");
    h.get_by_label_contains(&format!(
        "Purge these 1 case(s), closed before {tomorrow}? Their reports, 0 message(s), 0 attachment(s)"
    ));
    tab_to_and_press(&mut h, "Purge 1 case(s)");
    assert!(
        notice(&h).starts_with("Purged 1 case(s) from the vault"),
        "{}",
        notice(&h)
    );
    click(&mut h, "Inbox");
    h.get_by_label("1 of 1 case(s) shown");
    h.get_by_label(&open);
    // Nothing left to purge.
    click(&mut h, "Purge and retention…");
    type_into(&mut h, "Closed before (YYYY-MM-DD)", &tomorrow.to_string());
    click(&mut h, "List the cases");
    assert_eq!(notice(&h), format!("No case was closed before {tomorrow}."));
    h.get_by_label("No attachment part is waiting.");
}

/// While the window is unlocked it holds the vault's lock: a command in
/// another terminal says that the window has the vault and waits, and goes
/// on once the window is locked.
#[test]
fn a_command_waits_for_the_unlocked_window_and_says_so() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, secret) = keygen(&dir.path().join("office"));
    let vault = dir.path().join("vault");
    let mut h = app(&vault, &secret, Lang::En);
    h.run();
    unlock(&mut h);
    let mut cli = Command::new(common::DESK)
        .args(["cases", "--vault", s(&vault), "--keys", s(&secret)])
        .env("CANDOR_DESK_PASSPHRASE", PASS)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("candor-desk cases");
    let stderr = cli.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let said = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the command says why it waits");
    assert!(
        said.contains("is in use by another candor-desk command or an unlocked candor-desk window")
            && said.contains("lock or close the window to let this command go on"),
        "{said}"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(cli.try_wait().expect("try_wait").is_none(), "the command waits");
    click(&mut h, "Lock");
    let status = cli.wait().expect("wait");
    assert!(status.success(), "the command goes on once the window is locked");
}

/// Unlocking (the passphrase's key derivation) and opening an export run on
/// a worker thread: the window goes on drawing frames meanwhile, says what
/// it is doing, and shows its controls disabled; the result comes in when
/// the operation ends.
#[test]
fn long_operations_leave_the_window_drawing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (public, secret) = keygen(&dir.path().join("office"));
    let server = Server::start(&dir.path().join("data"), &public);
    file_report(&server.site, "Invoices are split.", &["fraud"], &[]);
    let bundle = dir.path().join("export.bundle");
    assert_eq!(export(&server.api, &token(&secret), 0, &bundle), 200);

    let mut h = app(&dir.path().join("vault"), &secret, Lang::En);
    h.run();
    type_into(&mut h, "Passphrase", PASS);
    h.get_by_label("Unlock").click();
    h.run();
    assert!(h.state().is_busy(), "unlocking runs beside the window");
    for _ in 0..5 {
        h.step();
    }
    h.get_by_label_contains("Unlocking: deriving the key from the passphrase");
    assert!(h.get_by_label("Unlock").accesskit_node().is_disabled());
    assert!(!h.state().is_unlocked());
    settle(&mut h);
    assert!(h.state().is_unlocked(), "{}", notice(&h));
    assert!(notice(&h).starts_with("Unlocked"), "{}", notice(&h));

    click(&mut h, "Open an export…");
    type_into(&mut h, "Export file", s(&bundle));
    h.get_by_label("Verify and open").click();
    h.run();
    assert!(h.state().is_busy(), "opening runs beside the window");
    h.step();
    h.get_by_label("Verifying and opening the export…");
    assert!(h.get_by_label("Inbox").accesskit_node().is_disabled());
    // A click meanwhile does nothing.
    h.get_by_label("Lock").click();
    h.step();
    settle(&mut h);
    assert!(h.state().is_unlocked());
    assert!(notice(&h).contains("verified and opened"), "{}", notice(&h));
    click(&mut h, "Inbox");
    h.get_by_label("1 of 1 case(s) shown");
}

/// The other way round: while a command in a terminal holds the vault, the
/// window unlocking it says that it waits for the vault, keeps drawing, and
/// unlocks when the command ends.
#[test]
fn the_window_waits_for_a_command_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, mut holder) = unlock_while_a_command_holds_the_vault(dir.path());
    for _ in 0..5 {
        h.step();
    }
    assert!(h.state().is_busy() && !h.state().is_unlocked());
    holder.kill().expect("kill flock");
    holder.wait().expect("flock");
    settle(&mut h);
    assert!(h.state().is_unlocked(), "{}", notice(&h));
}

/// An unlock that waited for the vault longer than the idle time (the
/// officer asked, then left) does not leave the window open when the
/// command in the terminal ends: it is locked again at once.
#[test]
fn an_unlock_that_waits_past_the_idle_time_locks_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, mut holder) = unlock_while_a_command_holds_the_vault(dir.path());
    // Ten minutes of frames without input while it waits (kittest's clock).
    for _ in 0..(10 * 60 * 4 + 8) {
        h.step();
    }
    holder.kill().expect("kill flock");
    holder.wait().expect("flock");
    settle(&mut h);
    h.step();
    assert!(!h.state().is_unlocked(), "unlocked with nobody there");
    assert!(
        notice(&h).contains("Locked after 10 minute(s) without use"),
        "{}",
        notice(&h)
    );
}

/// A window asked to unlock a vault that a command in a terminal holds
/// (`flock -o`, so the lock goes with the returned process when it is
/// killed), stepped until it says it waits; it never unlocks meanwhile.
fn unlock_while_a_command_holds_the_vault(dir: &Path) -> (Harness<'static, DeskApp>, std::process::Child) {
    let (_, secret) = keygen(&dir.join("office"));
    let vault = dir.join("vault");
    std::fs::create_dir(&vault).expect("vault");
    let holder = Command::new("flock")
        .args(["-o", s(&vault.join(".lock")), "sleep", "120"])
        .spawn()
        .expect("flock");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut h = app(&vault, &secret, Lang::En);
    h.run();
    type_into(&mut h, "Passphrase", PASS);
    h.get_by_label("Unlock").click();
    h.run();
    let start = std::time::Instant::now();
    let waiting = "Waiting for the vault: a candor-desk command in a terminal is using it. The window unlocks when it ends.";
    while h.query_by_label(waiting).is_none() {
        assert!(
            h.state().is_busy(),
            "unlocked while a command held the vault: {}",
            notice(&h)
        );
        assert!(start.elapsed().as_secs() < 100, "the window never says it waits");
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    (h, holder)
}

//! The desktop application's text in every script the reporter site takes:
//! fallback fonts found on the system give Chinese and Arabic real glyphs
//! (measured with egui's own font system, as it draws them), the Arabic
//! window is mirrored, and a bidi control a reporter wrote is shown escaped
//! without turning the text around it.

#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::process::Command;

use candor::core::case::Kind;
use candor::core::secret::SecretText;
use candor::desk::deadlines::Periods;
use candor::desk::gui::i18n::{Lang, Words};
use candor::desk::gui::inbox::Inbox;
use candor::desk::gui::{DeskApp, Look, Options, View, fonts, rtl};
use candor::desk::import::Limits;
use candor::desk::keyfiles::OfficeKeys;
use candor::desk::{Vault, ops};
use egui::epaint::text::{Fonts, FontsView};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const CHINESE: &str = "供应商是采购主管的亲戚，我有三张发票的照片。";
const ARABIC: &str = "المورد هو صهر مدير المشتريات";

/// The system's font folder, if it has fonts for Chinese and Arabic
/// (Debian: fonts-noto-cjk or fonts-wqy-microhei, fonts-dejavu-core).
/// Outside CI a machine without them skips; CI must have them.
fn font_dir() -> Option<PathBuf> {
    let dir = PathBuf::from("/usr/share/fonts");
    let found = fonts::find(&[], std::slice::from_ref(&dir)).expect("no --font given");
    let covers = |s: &str| found.iter().any(|f| f.scripts.contains(&s));
    if covers("han") && covers("arabic") {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "no Chinese or Arabic font in /usr/share/fonts: CI must install fonts-wqy-microhei and fonts-dejavu-core"
    );
    eprintln!("SKIPPED: no Chinese or Arabic font (apt-get install fonts-wqy-microhei fonts-dejavu-core)");
    None
}

fn with_fonts<R>(defs: egui::FontDefinitions, f: impl FnOnce(&mut FontsView<'_>) -> R) -> R {
    let mut fonts = Fonts::new(Default::default(), defs);
    let mut view = fonts.with_pixels_per_point(1.0);
    f(&mut view)
}

/// The characters egui draws for `text`, left to right (what is on screen).
fn drawn(view: &mut FontsView<'_>, text: &str) -> String {
    let galley = view.layout_no_wrap(
        text.to_owned(),
        egui::FontId::proportional(15.0),
        egui::Color32::WHITE,
    );
    let mut glyphs: Vec<(f32, char)> = galley
        .rows
        .iter()
        .flat_map(|r| r.glyphs.iter())
        .filter(|g| !g.uv_rect.is_nothing())
        .map(|g| (g.pos.x, g.chr))
        .collect();
    glyphs.sort_by(|a, b| a.0.total_cmp(&b.0));
    glyphs.into_iter().map(|(_, c)| c).collect()
}

#[test]
fn chinese_and_arabic_reports_get_real_glyphs_from_the_font_folder() {
    let Some(dir) = font_dir() else {
        return;
    };
    let id = egui::FontId::proportional(15.0);
    // egui's own fonts alone: no Chinese, no Arabic (boxes on screen).
    with_fonts(egui::FontDefinitions::default(), |v| {
        assert!(!v.has_glyphs(&id, CHINESE));
        assert!(!v.has_glyphs(&id, ARABIC));
    });
    let found = fonts::find(&[], &[dir]).expect("fonts");
    with_fonts(fonts::definitions(&found), |v| {
        assert!(v.has_glyphs(&id, CHINESE), "{found:?}");
        assert!(v.has_glyphs(&id, ARABIC), "{found:?}");
        assert!(v.has_glyphs(&id, "Жёлтый Ωμέγα שלום"), "{found:?}");
    });
}

#[test]
fn a_font_named_on_the_command_line_comes_first_and_a_bad_one_is_refused() {
    let Some(dir) = font_dir() else {
        return;
    };
    let found = fonts::find(&[], &[dir]).expect("fonts");
    let cjk = found
        .iter()
        .find(|f| f.scripts.contains(&"han"))
        .expect("a Chinese font")
        .path
        .clone();
    // Given alone (no folder searched), the font is used, and in a
    // collection the face with the Chinese glyphs.
    let given = fonts::find(std::slice::from_ref(&cjk), &[]).expect("the font");
    assert_eq!(given.len(), 1);
    assert!(given[0].scripts.contains(&"han"), "{given:?}");
    with_fonts(fonts::definitions(&given), |v| {
        assert!(v.has_glyphs(&egui::FontId::proportional(15.0), CHINESE));
    });
    let missing = fonts::find(&[PathBuf::from("/nonexistent/font.ttf")], &[]).expect_err("missing");
    assert!(missing.contains("/nonexistent/font.ttf"), "{missing}");
    let not_a_font = fonts::find(&[PathBuf::from("Cargo.toml")], &[]).expect_err("not a font");
    assert!(not_a_font.contains("not a font"), "{not_a_font}");
    // The command line says so before opening any window.
    let out = Command::new(env!("CARGO_BIN_EXE_candor-desk"))
        .args(["gui", "--font", "/nonexistent/font.ttf"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("candor-desk");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.to_lowercase()
            .contains("cannot read the font /nonexistent/font.ttf"),
        "{err}"
    );
}

#[test]
fn a_bidi_override_from_a_reporter_shows_escaped_and_turns_nothing_around() {
    let Some(dir) = font_dir() else {
        return;
    };
    let found = fonts::find(&[], &[dir]).expect("fonts");
    let text = "رقم الفاتورة \u{202E}INV-4471 والمورد";
    let shown = candor::desk::gui::plain(text).into_owned();
    with_fonts(fonts::definitions(&found), |v| {
        // Read from the right: "invoice number", the override as written,
        // the id, "and the supplier"; each word joined and right to left.
        assert_eq!(drawn(v, &shown), "دروملاوINV-4471\\u{202e}ةروتافلامقر");
        // Left to right text keeps its order, override included.
        assert_eq!(
            drawn(v, &candor::desk::gui::plain("abc \u{202E}def")),
            "abc\\u{202e}def"
        );
    });
}

fn vault(dir: &Path) -> (Vault, PathBuf) {
    let keys = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], dir.join("keys"));
    let vault = Vault::create_if_absent(&dir.join("vault"), keys).expect("vault");
    (vault, dir.join("keys"))
}

fn window(
    dir: &Path,
    fonts_in: &Path,
    lang: Lang,
    description: &str,
) -> (Harness<'static, DeskApp>, candor::core::case::CaseId) {
    let (vault, keys) = vault(dir);
    let outcome = ops::record(
        &vault,
        ops::Recorded {
            kind: Kind::Misconduct,
            categories: vec!["fraud".into()],
            description: SecretText::new(description.to_owned()),
            received: candor::clock::today(),
            channel: "post".into(),
        },
        false,
    )
    .expect("record");
    let mut app = DeskApp::new(Options {
        vault: Some(vault.root().to_path_buf()),
        keys: Some(keys.clone()),
        today: candor::clock::today(),
        periods: Periods::default(),
        idle_lock_minutes: 0,
        lang,
        limits: Limits::default(),
        start_dir: dir.to_path_buf(),
        site: None,
    });
    let inbox = Inbox::new(vault.all_cases().expect("cases"));
    app.open_session(vault, keys, None, inbox);
    let look = Look {
        font_dirs: Some(vec![fonts_in.to_path_buf()]),
        ..Look::default()
    };
    let h = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_max_steps(12)
        .with_context_setup(move |ctx| {
            candor::desk::gui::setup_with(ctx, &look).expect("fonts");
        })
        .build_ui_state(|ui, app: &mut DeskApp| app.ui(ui), app);
    (h, outcome.case)
}

#[test]
fn the_arabic_window_is_mirrored() {
    let Some(fonts_in) = font_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let width = 1200.0;
    for (lang, right) in [(Lang::En, false), (Lang::Ar, true)] {
        let (mut h, case) = window(&dir.path().join(lang.code()), &fonts_in, lang, "A report.");
        h.run();
        let w = Words::new(lang);
        // The menu starts at the window's right in Arabic, at its left in
        // English. A screen reader hears the catalogue's words in reading
        // order (they are drawn in display order).
        let inbox = h.get_by_label(&w.arg("nav-inbox")).rect();
        let lock = h.get_by_label(&w.arg("nav-lock")).rect();
        assert_eq!(inbox.center().x > width / 2.0, right, "{lang:?}: {inbox:?}");
        assert_eq!(
            lock.center().x < inbox.center().x,
            right,
            "{lang:?}: {lock:?} {inbox:?}"
        );
        h.state_mut().show(View::Case(case));
        h.run();
        h.run();
        // A field's label and its text field: the label on the reading side.
        let back = h.get_by_label(&w.arg("case-back")).rect();
        assert_eq!(back.center().x > width / 2.0, right, "{lang:?}: {back:?}");
    }
    assert_eq!(Words::new(Lang::Ar).t("nav-inbox"), "الوارد صندوق");
    assert_eq!(Words::new(Lang::Ar).arg("nav-inbox"), "صندوق الوارد");
}

#[test]
fn an_arabic_report_reads_right_to_left_in_an_english_window() {
    let Some(fonts_in) = font_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = format!("{ARABIC} \u{202E}INV-4471");
    let (mut h, case) = window(dir.path(), &fonts_in, Lang::En, &report);
    h.state_mut().show(View::Case(case));
    h.run();
    h.run();
    // The words in display order (the first word rightmost), the override
    // escaped in place; the paragraph right-aligned.
    let expected = rtl::visual(
        &rtl::isolate_escapes(&candor::desk::terminal::escape(&report)),
        None,
    );
    assert_eq!(expected, "INV-4471\\u{202e} المشتريات مدير صهر هو المورد");
    // A screen reader hears it in reading order, the override escaped.
    let node = h.get_by_label("المورد هو صهر مدير المشتريات \\u{202e}INV-4471");
    assert!(node.rect().right() > 1100.0, "{:?}", node.rect());
}

#[test]
fn the_scale_option_multiplies_the_system_scale() {
    // The system's scale (as winit reports it) times `--scale`.
    let mut h = Harness::builder()
        .with_pixels_per_point(1.5)
        .with_context_setup(|ctx| {
            let look = Look {
                scale: Some(2.0),
                font_dirs: Some(Vec::new()),
                ..Look::default()
            };
            candor::desk::gui::setup_with(ctx, &look).expect("setup");
        })
        .build_ui(|ui| {
            ui.label("scale");
        });
    h.run();
    assert_eq!(h.ctx.zoom_factor(), 2.0);
    assert_eq!(h.ctx.pixels_per_point(), 3.0);
    // Out of range: a usage error, before any window.
    let out = Command::new(env!("CARGO_BIN_EXE_candor-desk"))
        .args(["gui", "--scale", "9"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("candor-desk");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_long_mixed_paragraph_is_wrapped_before_it_is_ordered() {
    let Some(fonts_in) = font_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // Arabic first (a right-to-left paragraph), then Chinese without a
    // space for far more than one line.
    let report = format!("{ARABIC} {}", CHINESE.repeat(8));
    let (mut h, case) = window(dir.path(), &fonts_in, Lang::En, &report);
    h.state_mut().show(View::Case(case));
    h.run();
    h.run();
    // Three lines and more, within the window; heard as one paragraph.
    let node = h.get_by_label(&report);
    let line = 15.0;
    assert!(node.rect().height() > 2.5 * line, "{:?}", node.rect());
    assert!(node.rect().width() <= 1200.0, "{:?}", node.rect());
}

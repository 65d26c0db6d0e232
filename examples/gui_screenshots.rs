//! Screenshots of every view of the desktop application, in a real window
//! (eframe, OpenGL): run under Xvfb by `.ci/gui-screenshots.sh`, which
//! keeps them as CI artifacts; they are not committed.
//!
//!   cargo run --example gui_screenshots -- OUT_DIR en|fr|ar [TAG]
//!
//! (TAG, if given, is added to the file names: the script runs the English
//! tour again at twice the system scale as `en-2x`.)
//!
//! A vault is made in a temporary folder with the desk's own operations
//! (cases recorded by phone and post, a reply, a status change, notes), then
//! the window shows the locked screen, the inbox, a case, the open-export,
//! record, outbox and annual-report views, the receipt of a case just
//! recorded (with its Print button), and the purge view's confirmation for
//! the cases closed before a day, one PNG each; then a report written in
//! Chinese and one in Arabic with a right-to-left override (U+202E) in it,
//! which must show escaped and change nothing around it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candor::core::case::{Kind, Status};
use candor::core::day::Day;
use candor::core::secret::SecretText;
use candor::desk::deadlines::Periods;
use candor::desk::gui::i18n::Lang;
use candor::desk::gui::inbox::Inbox;
use candor::desk::gui::{self, DeskApp, Options, View};
use candor::desk::import::Limits;
use candor::desk::keyfiles::OfficeKeys;
use candor::desk::{Vault, ops};

const SHOTS: &[&str] = &[
    "unlock",
    "inbox",
    "case",
    "open",
    "record",
    "receipt",
    "outbox",
    "report",
    "purge",
    "chinese-report",
    "arabic-report",
];

/// A report written in Chinese (the reporter site's zh-Hans).
const CHINESE: &str =
    "采购主管把发票拆开，使每张都低于招标门槛；供应商是他的妻弟。我手里有三张发票的照片，日期都在同一周。";

/// A report in Arabic with a right-to-left override in the middle: shown as
/// `\u{202e}`, it must not turn the rest of the line around.
const ARABIC: &str = "يقسّم مدير المشتريات الفواتير حتى تبقى كل واحدة دون حد المناقصة. رقم الفاتورة \u{202E}INV-4471 والمورد هو صهره.";

fn day(s: &str) -> Day {
    s.parse().unwrap_or(Day(20_000))
}

/// Kind, categories, description, channel, received, with a receipt.
type DemoCase = (
    Kind,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    bool,
);

fn demo_vault(dir: &Path) -> Result<Vault, Box<dyn std::error::Error>> {
    let keys = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], dir.join("keys"));
    let vault = Vault::create_if_absent(&dir.join("vault"), keys)?;
    let cases: &[DemoCase] = &[
        (
            Kind::Misconduct,
            &["fraud", "conflict-of-interest"],
            "The procurement lead splits invoices to stay under the tender threshold; the supplier is his brother-in-law. المورد هو صهر مدير المشتريات. 供应商是采购主管的亲戚。",
            "phone",
            "2026-11-20",
            true,
        ),
        (
            Kind::Misconduct,
            &["harassment"],
            "A manager shouts at the interns every morning and mocks their accents in meetings.",
            "meeting",
            "2026-12-01",
            true,
        ),
        (
            Kind::Advice,
            &["gifts"],
            "A supplier offered me a watch after the contract was signed. May I keep it?",
            "email",
            "2026-12-04",
            false,
        ),
        (
            Kind::Misconduct,
            &["fraud"],
            CHINESE,
            "email",
            "2026-12-02",
            false,
        ),
        (Kind::Misconduct, &["fraud"], ARABIC, "post", "2026-12-03", false),
        (
            Kind::Misconduct,
            &["outside-activities"],
            "A colleague runs a consultancy for firms that bid on our contracts.",
            "post",
            "2026-09-15",
            false,
        ),
    ];
    let mut first = None;
    for (kind, cats, text, channel, received, receipt) in cases {
        let outcome = ops::record(
            &vault,
            ops::Recorded {
                kind: *kind,
                categories: cats.iter().map(|c| (*c).to_owned()).collect(),
                description: SecretText::new((*text).to_owned()),
                received: day(received),
                channel: (*channel).to_owned(),
            },
            *receipt,
        )?;
        first.get_or_insert(outcome.case);
    }
    if let Some(case) = first {
        ops::reply(
            &vault,
            case,
            SecretText::new(
                "Thank you. We have opened a preliminary review and will write again within three months."
                    .into(),
            ),
            day("2026-11-24"),
        )?;
        ops::set_status(&vault, case, Status::PreliminaryReview, day("2026-11-24"))?;
        ops::save_notes(
            &vault,
            case,
            SecretText::new("Ask the audit unit for the 2025 ledger.".into()),
        )?;
        ops::star(&vault, case, true)?;
    }
    // The consultancy case (recorded by post) closed in October: the purge
    // view lists it for a retention day in December.
    if let Some(c) = vault
        .index()?
        .summaries()
        .find(|c| c.categories.iter().any(|x| x == "outside-activities"))
    {
        ops::set_status(&vault, c.id, Status::ClosedUnsubstantiated, day("2026-10-01"))?;
    }
    Ok(vault)
}

/// Shows each view for a few frames, then asks for a screenshot of it.
struct Tour {
    app: DeskApp,
    out: PathBuf,
    tag: String,
    shot: usize,
    frames: u32,
    session: Option<(Vault, PathBuf)>,
    first_case: Option<candor::core::case::CaseId>,
    chinese_case: Option<candor::core::case::CaseId>,
    arabic_case: Option<candor::core::case::CaseId>,
    pending: Arc<Mutex<usize>>,
    waiting: bool,
}

impl eframe::App for Tour {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
        let ctx = ui.ctx().clone();
        ctx.request_repaint();
        self.frames += 1;
        if self.frames < 8 {
            return;
        }
        if self.waiting {
            // The screenshot is read when the next frame is painted: set up
            // the next view only once it has been written.
            if *self.pending.lock().unwrap_or_else(|e| e.into_inner()) > 0 {
                return;
            }
            self.waiting = false;
            self.shot += 1;
            self.frames = 0;
            self.next_view();
            return;
        }
        let Some(name) = SHOTS.get(self.shot) else {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        };
        let path = self.out.join(format!("{name}-{}.png", self.tag));
        let pending = Arc::clone(&self.pending);
        *pending.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::ScreenshotCallback::new(
            move |image| {
                let [w, h] = image.size;
                let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
                if let Err(e) =
                    image::save_buffer(&path, &bytes, w as u32, h as u32, image::ExtendedColorType::Rgba8)
                {
                    eprintln!("could not write {}: {e}", path.display());
                } else {
                    println!("wrote {}", path.display());
                }
                *pending.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
            },
        )));
        self.waiting = true;
    }
}

impl Tour {
    fn next_view(&mut self) {
        match SHOTS.get(self.shot).copied() {
            Some("inbox") => {
                if let Some((vault, keys)) = self.session.take() {
                    let inbox = match vault.all_cases() {
                        Ok(cases) => Inbox::new(cases),
                        Err(_) => Inbox::default(),
                    };
                    self.first_case = inbox.cases.values().find(|c| c.office.star).map(|c| c.id);
                    let with = |text: &str| {
                        inbox
                            .cases
                            .values()
                            .find(|c| c.description.expose() == text)
                            .map(|c| c.id)
                    };
                    self.chinese_case = with(CHINESE);
                    self.arabic_case = with(ARABIC);
                    self.app.open_session(vault, keys, None, inbox);
                }
            }
            Some("case") => {
                if let Some(id) = self.first_case {
                    self.app.show(View::Case(id));
                }
            }
            Some("open") => self.app.show(View::Open),
            Some("record") => {
                self.app.prefill_record(
                    Kind::Misconduct,
                    &["fraud"],
                    "phone",
                    "The caller says fuel cards of the vehicle pool are shared and used at weekends.",
                    true,
                );
                self.app.show(View::Record);
            }
            Some("receipt") => self.app.submit_record(),
            Some("outbox") => {
                self.app.dismiss_receipt();
                self.app.show(View::Outbox);
            }
            Some("report") => self.app.show(View::Report),
            Some("purge") => self.app.list_closed_before("2026-12-01"),
            Some("chinese-report") => {
                if let Some(id) = self.chinese_case {
                    self.app.show(View::Case(id));
                }
            }
            Some("arabic-report") => {
                if let Some(id) = self.arabic_case {
                    self.app.show(View::Case(id));
                }
            }
            _ => {}
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "screenshots".into()));
    let lang = match args.next().as_deref() {
        Some("fr") => Lang::Fr,
        Some("ar") => Lang::Ar,
        _ => Lang::En,
    };
    let tag = args.next().unwrap_or_else(|| lang.code().to_owned());
    std::fs::create_dir_all(&out)?;
    let dir = tempfile::tempdir()?;
    let vault = demo_vault(dir.path())?;
    let vault_path = vault.root().to_path_buf();
    let today = day("2026-12-06");
    let app = DeskApp::new(Options {
        vault: Some(vault_path.clone()),
        keys: Some(dir.path().join("keys")),
        today,
        periods: Periods::default(),
        idle_lock_minutes: 0,
        lang,
        limits: Limits::default(),
        start_dir: dir.path().to_path_buf(),
        site: None,
    });
    let tour = Tour {
        app,
        out,
        tag,
        shot: 0,
        frames: 0,
        session: Some((vault, dir.path().join("keys"))),
        first_case: None,
        chinese_case: None,
        arabic_case: None,
        pending: Arc::new(Mutex::new(0)),
        waiting: false,
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("candor-desk")
            .with_inner_size([1100.0, 760.0]),
        ..Default::default()
    };
    eframe::run_native(
        "candor-desk",
        native,
        Box::new(move |cc| {
            gui::setup(&cc.egui_ctx);
            Ok(Box::new(tour))
        }),
    )?;
    Ok(())
}

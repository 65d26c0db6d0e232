//! The desktop application with 10,000 cases in its inbox: what one frame
//! costs on the CPU (the inbox filtered, laid out and tessellated; the GPU's
//! share is left out) and what a full-text search over the decrypted cases
//! costs. Figures are in docs/performance.md.
//!
//!   cargo bench --bench gui

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use zeroize::Zeroizing;

use candor::core::case::{ADVICE_TOPICS, CaseId, Kind, MISCONDUCT_CATEGORIES, Status};
use candor::core::day::Day;
use candor::core::secret::SecretText;
use candor::desk::deadlines::Periods;
use candor::desk::gui::i18n::Lang;
use candor::desk::gui::inbox::{Filter, Inbox};
use candor::desk::gui::{DeskApp, Options};
use candor::desk::import::Limits;
use candor::desk::keyfiles::OfficeKeys;
use candor::desk::vault::{CaseRecord, OfficeMarks, StatusChange, ThreadItem, Vault};
use candor::desk::view::AsOf;

const CASES: usize = 10_000;

const WORDS: &[&str] = &[
    "invoice",
    "supplier",
    "meeting",
    "manager",
    "contract",
    "travel",
    "budget",
    "payment",
    "report",
    "office",
    "colleague",
    "procurement",
    "tender",
    "gift",
    "election",
    "leave",
    "overtime",
    "vehicle",
    "fuel",
    "account",
];

/// A made-up case of about 1.5 KB of text, its words chosen by `n`.
fn case(n: usize) -> CaseRecord {
    let mut bytes = [0u8; 8];
    bytes[..8].copy_from_slice(&(n as u64 * 0x9e37_79b9_7f4a_7c15).to_be_bytes());
    let id = CaseId::from_random(bytes);
    let received = Day(20_000 + (n % 700) as u32);
    let text: String = (0..220)
        .map(|i| WORDS[(n * 7 + i * 13) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ");
    let kind = if n.is_multiple_of(5) {
        Kind::Advice
    } else {
        Kind::Misconduct
    };
    let cats = kind.allowed_categories();
    let status = Status::ALL[n % Status::ALL.len()];
    CaseRecord {
        id,
        received,
        recipient: String::new(),
        kind,
        categories: vec![cats[n % cats.len()].to_owned()],
        description: SecretText::new(format!("{text} case{n}")),
        when: None,
        where_: None,
        people: Some(SecretText::new("A. Person".into())),
        contact: None,
        attachments: Vec::new(),
        thread: vec![
            ThreadItem::Report {
                seq: n as u64,
                day: received,
            },
            ThreadItem::Message {
                seq: n as u64 + 1,
                day: Day(received.0 + 3),
                text: SecretText::new("I have more documents about the supplier.".into()),
                attachments: Vec::new(),
                digest: None,
            },
        ],
        status_history: vec![
            StatusChange {
                status: Status::Received,
                day: received,
            },
            StatusChange {
                status,
                day: Day(received.0 + 5),
            },
        ],
        channel: None,
        upload: None,
        message_key: None,
        office: OfficeMarks::default(),
        addressed_to: None,
    }
}

fn at() -> AsOf {
    AsOf {
        today: Day(20_700),
        periods: Periods::default(),
    }
}

fn benches(c: &mut Criterion) {
    assert!(MISCONDUCT_CATEGORIES.len() > 1 && ADVICE_TOPICS.len() > 1);
    let inbox = Inbox::new((0..CASES).map(case));
    let mut g = c.benchmark_group("inbox-10000");
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    g.bench_function("search (a word in a tenth of the cases)", |b| {
        let f = Filter {
            text: Zeroizing::new("case42".into()),
            ..Filter::default()
        };
        b.iter(|| black_box(inbox.filtered(&f, at())))
    });
    g.bench_function("search (two common words)", |b| {
        let f = Filter {
            text: Zeroizing::new("TENDER supplier".into()),
            ..Filter::default()
        };
        b.iter(|| black_box(inbox.filtered(&f, at())))
    });
    g.bench_function("filter (status, category, overdue) and sort by deadline", |b| {
        let f = Filter {
            status: Some(Status::Received),
            category: Some("fraud"),
            overdue_only: true,
            sort: candor::desk::gui::inbox::Sort::Deadline,
            ..Filter::default()
        };
        b.iter(|| black_box(inbox.filtered(&f, at())))
    });
    g.finish();

    // The whole window: an unlocked session over an empty vault with the
    // 10,000 cases in memory, drawn at 1280x800.
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = OfficeKeys::from_age(vec![age::x25519::Identity::generate()], dir.path().join("keys"));
    let vault = Vault::create_if_absent(&dir.path().join("vault"), keys).expect("vault");
    let mut app = DeskApp::new(Options {
        vault: None,
        keys: None,
        today: at().today,
        periods: at().periods,
        idle_lock_minutes: 0,
        lang: Lang::En,
        limits: Limits::default(),
        start_dir: dir.path().to_path_buf(),
        site: None,
    });
    app.open_session(
        vault,
        dir.path().join("keys"),
        None,
        Inbox::new((0..CASES).map(case)),
    );
    let ctx = egui::Context::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        ..Default::default()
    };
    let frame = |app: &mut DeskApp| {
        let out = ctx.run_ui(input(), |ui| app.ui(ui));
        black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
    };
    // Fonts and caches warm up on the first frames.
    for _ in 0..3 {
        frame(&mut app);
    }
    let mut g = c.benchmark_group("frame-10000");
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    g.bench_function("inbox frame (filter, layout, tessellate)", |b| {
        b.iter(|| frame(&mut app))
    });
    app.filter_mut().text = Zeroizing::new("supplier tender".into());
    g.bench_function("inbox frame while searching", |b| b.iter(|| frame(&mut app)));
    g.finish();
}

criterion_group!(gui, benches);
criterion_main!(gui);

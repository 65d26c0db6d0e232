//! Long operations off the window's thread: unlocking (the passphrase's key
//! derivation, decrypting every case), opening an export, writing the
//! outbox and exporting the annual report run on a thread of their own.
//! Meanwhile the window keeps drawing: every control stays visible but
//! disabled, the bottom line says what is being done with a moving
//! indicator (and how far it got, where the operation tells), and the
//! window repaints ten times a second. The result comes back at the start
//! of a frame; an error comes back as a notice like any other.
//!
//! One operation at a time: nothing can be clicked while one runs, and the
//! idle lock waits for it to end (the vault and the keys are in use).

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use egui::Ui;

use super::inbox::Inbox;
use crate::desk::import::OpenSummary;
use crate::desk::keyfiles::Passphrase;
use crate::desk::ops::OutboxSummary;
use crate::desk::{DeskError, Vault};

/// How far an operation got: `done` of `total` (bytes of an export, cases
/// of an outbox); `total` 0 when the operation does not say.
#[derive(Debug, Default)]
pub(super) struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    /// Waiting for the vault's lock (a command in a terminal holds it).
    waiting: AtomicBool,
}

impl Progress {
    pub(super) fn set(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }

    pub(super) fn set_waiting(&self, waiting: bool) {
        self.waiting.store(waiting, Ordering::Relaxed);
    }

    pub(super) fn is_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }

    pub(super) fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    fn fraction(&self) -> Option<f32> {
        let total = self.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32)
    }
}

/// A reader that counts what was read into a [`Progress`].
pub(super) struct Counting<R> {
    pub inner: R,
    pub progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

/// What a finished operation hands back to the window.
pub(super) enum Done {
    Unlocked {
        vault: Vault,
        keys_dir: PathBuf,
        passphrase: Option<Passphrase>,
        inbox: Inbox,
        is_new: bool,
    },
    Opened {
        inbox: Inbox,
        summary: OpenSummary,
        server: String,
        path: PathBuf,
    },
    OutboxWritten {
        summary: OutboxSummary,
        out: PathBuf,
    },
    ReportWritten {
        paths: Vec<PathBuf>,
    },
    Printed(Result<&'static str, super::print::PrintError>),
}

/// The end of an operation: its result, and the session's passphrase it
/// borrowed (given back whatever happened).
pub(super) struct Outcome {
    pub result: Result<Done, DeskError>,
    pub passphrase: Option<Option<Passphrase>>,
}

/// An operation running.
pub(super) struct Busy {
    /// The catalogue key saying what is being done.
    pub key: &'static str,
    pub progress: Arc<Progress>,
    handle: JoinHandle<Outcome>,
}

impl std::fmt::Debug for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Busy({})", self.key)
    }
}

impl Busy {
    /// Runs `job` on a thread of its own.
    pub(super) fn start(
        key: &'static str,
        progress: Arc<Progress>,
        job: impl FnOnce() -> Outcome + Send + 'static,
    ) -> Result<Busy, DeskError> {
        let handle = std::thread::Builder::new()
            .name("candor-desk-work".into())
            .spawn(job)
            .map_err(DeskError::io(
                "start a worker thread for",
                PathBuf::from("candor-desk"),
            ))?;
        Ok(Busy {
            key,
            progress,
            handle,
        })
    }
}

/// The outcome of the running operation, once it has ended (`Err` if it
/// panicked); `None` while it runs.
pub(super) fn poll(busy: &mut Option<Busy>) -> Option<Result<Outcome, ()>> {
    if !busy.as_ref().is_some_and(|b| b.handle.is_finished()) {
        return None;
    }
    let b = busy.take()?;
    Some(b.handle.join().map_err(|_| ()))
}

/// The bottom line while an operation runs: a turning arc (or a bar, when
/// the operation says how far it got) and what is being done.
pub(super) fn indicator(ui: &mut Ui, busy: &Busy, text: &str) {
    ui.horizontal(|ui| {
        let size = ui.text_style_height(&egui::TextStyle::Body);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
        let t = ui.input(|i| i.time) as f32;
        let center = rect.center();
        let radius = size * 0.4;
        let points: Vec<egui::Pos2> = (0..=16)
            .map(|i| {
                let a = t * 5.0 + i as f32 / 16.0 * std::f32::consts::PI * 1.5;
                center + radius * egui::vec2(a.cos(), a.sin())
            })
            .collect();
        ui.painter().add(egui::Shape::line(
            points,
            egui::Stroke::new(2.5, ui.visuals().strong_text_color()),
        ));
        ui.label(egui::RichText::new(text).strong());
        if let Some(f) = busy.progress.fraction() {
            ui.add(egui::ProgressBar::new(f).desired_width(240.0).show_percentage());
        }
    });
    // The arc turns, and the end is noticed, without input.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
}

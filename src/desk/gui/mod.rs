//! `candor-desk gui`: the officer's desktop application (feature `gui`).
//!
//! A window over the same desk operations the command line uses
//! ([`crate::desk::ops`], [`crate::desk::import`], [`crate::desk::view`],
//! [`crate::desk::stats`]): this module holds view state only (the chosen
//! view, the selection, filters, fields being typed) and draws it with egui.
//! Every action calls a desk function and then re-reads what it changed
//! from the vault; the long ones (unlock, open, outbox, report export) run
//! on a worker thread while the window keeps drawing (`worker`).
//!
//! - [`inbox`]: the decrypted cases in memory, filters, sort and search;
//! - [`i18n`]: the application's words (Fluent catalogues, English and French);
//! - [`picker`]: the application's own file chooser;
//! - [`print`]: a receipt's page, piped to the print system's `lp`;
//! - `views`: one function per view; `purge`: the purge and retention view;
//!   `status`: what a status change does to the deadlines;
//! - `errors`: the desk's errors in the window's language;
//! - `worker`: long operations off the window's thread.
//!
//! # Invariants
//!
//! - Text from reporters and the server is shown as plain text: egui
//!   interprets no markup in a label, the application adds no link and
//!   decodes no image, and control and format characters (bidi overrides,
//!   zero-width characters) are shown as `\u{…}` ([`plain`]), as in the
//!   terminal.
//! - Attachments are never opened: "save to folder" writes the case's files
//!   with [`crate::desk::view::extract`] (the names made safe as `show
//!   --extract` makes them) after a warning.
//! - One passphrase per session: it is asked for at unlock, kept (wiped on
//!   drop) to sign outboxes, and dropped with every decrypted case when the
//!   window locks, after [`Options::idle_lock_minutes`] without input, or
//!   closes. The vault's lock is held while the window is unlocked, so a
//!   `candor-desk` command waits for it (and says that the window may be
//!   what holds it): the window keeps every case decrypted and writes
//!   without re-reading the vault, so it must be the vault's only user.
//!   What this module holds is wiped when dropped (the cases' secret
//!   types, `Zeroizing` fields being typed); egui's own copies of text on
//!   screen (its layout cache, the accessibility tree, a text field's undo
//!   history) and the reading order kept for screen readers
//!   ([`rtl::Spoken`], forgotten at lock) are dropped within a frame of
//!   locking but not wiped: memory is only as clean as the toolkit leaves
//!   it.
//! - The clock is not read here: today comes in [`Options::today`]; the idle
//!   lock counts egui's input time.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::core::secret::SecretText;
use crate::desk::deadlines::Periods;
use crate::desk::import::Limits;
use crate::desk::keyfiles::{self, Given, Passphrase};
use crate::desk::view::AsOf;
use crate::desk::{DeskError, Vault, import, ops, stats, terminal, view};

mod errors;
pub mod fonts;
pub mod i18n;
pub mod inbox;
pub mod picker;
pub mod print;
mod purge;
pub mod rtl;
mod status;
mod views;
mod worker;

use i18n::{Lang, Words};
use inbox::{Filter, Inbox};
use picker::Picker;

/// How the application starts.
#[derive(Debug, Clone)]
pub struct Options {
    pub vault: Option<PathBuf>,
    pub keys: Option<PathBuf>,
    pub today: Day,
    pub periods: Periods,
    /// Minutes without input after which the window locks (0: never).
    pub idle_lock_minutes: u32,
    pub lang: Lang,
    pub limits: Limits,
    /// Where the file choosers start.
    pub start_dir: PathBuf,
    /// The reporter site's address, printed on a receipt's page.
    pub site: Option<String>,
}

/// Text from a reporter or the server, made safe to show: every control and
/// format character is written as `\u{…}` (as in the terminal), then a
/// line with Arabic or Hebrew letters is put in display order by its own
/// first strong letter ([`rtl`]); the escaped controls take no part.
pub fn plain(s: &str) -> Cow<'_, str> {
    let escaped = terminal::escape(s);
    if rtl::has_rtl(&escaped) {
        Cow::Owned(rtl::visual(&rtl::isolate_escapes(&escaped), None))
    } else {
        escaped
    }
}

/// Which view fills the window once it is unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Inbox,
    Case(CaseId),
    Open,
    Outbox,
    Record,
    Report,
    Purge,
}

/// A sentence shown at the bottom of the window after an action.
#[derive(Debug, Clone)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

/// What an unlocked window holds.
struct Session {
    /// Shared with an operation running on the worker thread.
    vault: Arc<Vault>,
    keys_dir: PathBuf,
    passphrase: Option<Passphrase>,
    inbox: Inbox,
}

/// The case view's fields, for the case they were loaded for.
#[derive(Default)]
struct CaseFields {
    case: Option<CaseId>,
    reply: Zeroizing<String>,
    notes: Zeroizing<String>,
    status: Option<Status>,
    /// The "save to folder" panel is open (its warning shown).
    saving: bool,
    /// The purge confirmation is open.
    purging: bool,
}

/// The record view's form.
struct RecordForm {
    kind: Kind,
    categories: Vec<&'static str>,
    channel: &'static str,
    received: String,
    description: Zeroizing<String>,
    issue_receipt: bool,
}

/// The receipt of a case just recorded, shown once.
struct ShownReceipt {
    case: CaseId,
    receipt: SecretText,
}

/// Something the officer asked for, applied after the frame is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Unlock,
    Lock,
    Go(View),
    OpenBundle,
    WriteOutbox,
    Reply(CaseId),
    SaveDraft(CaseId),
    SaveNotes(CaseId),
    SetStatus(CaseId, Status),
    Star(CaseId, bool),
    SaveFiles(CaseId),
    Purge(CaseId),
    Record,
    ReceiptHandedOver,
    PrintReceipt,
    FindClosed,
    PurgeClosed,
    CancelPurge,
    DropParts,
    ExportReport,
    Lang(Lang),
}

/// The application: view state and the session, if unlocked.
pub struct DeskApp {
    opts: Options,
    words: Words,
    vault_field: String,
    keys_field: String,
    passphrase: Zeroizing<String>,
    session: Option<Session>,
    view: View,
    filter: Filter,
    notice: Option<Notice>,
    case: CaseFields,
    bundle: Picker,
    opened: Option<String>,
    outbox: Picker,
    save_to: Picker,
    record: RecordForm,
    receipt: Option<ShownReceipt>,
    year: i32,
    report_out: Picker,
    purge: purge::PurgeForm,
    busy: Option<worker::Busy>,
    last_input: f64,
    actions: Vec<Action>,
}

impl std::fmt::Debug for DeskApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DeskApp({:?}, unlocked: {})",
            self.view,
            self.session.is_some()
        )
    }
}

impl DeskApp {
    pub fn new(opts: Options) -> DeskApp {
        let start = opts.start_dir.clone();
        let today = opts.today;
        DeskApp {
            words: Words::new(opts.lang),
            vault_field: opts
                .vault
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            keys_field: opts
                .keys
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            passphrase: Zeroizing::new(String::new()),
            session: None,
            view: View::Inbox,
            filter: Filter::default(),
            notice: None,
            case: CaseFields::default(),
            bundle: Picker::new("bundle", &start),
            opened: None,
            outbox: Picker::new("outbox", &start),
            save_to: Picker::new("save-to", &start),
            record: RecordForm {
                kind: Kind::Misconduct,
                categories: Vec::new(),
                channel: "phone",
                received: today.to_string(),
                description: Zeroizing::new(String::new()),
                issue_receipt: false,
            },
            receipt: None,
            year: today.year(),
            report_out: Picker::new("report-out", &start),
            purge: purge::PurgeForm::default(),
            busy: None,
            last_input: 0.0,
            actions: Vec::new(),
            opts,
        }
    }

    /// The view shown (for tests).
    pub fn view(&self) -> View {
        self.view
    }

    /// Whether the window is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.session.is_some()
    }

    /// Whether an operation runs on the worker thread (the window's
    /// controls are disabled until it ends).
    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    /// The last notice (for tests).
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    fn at(&self) -> AsOf {
        AsOf {
            today: self.opts.today,
            periods: self.opts.periods,
        }
    }

    fn ok(&mut self, text: String) {
        self.notice = Some(Notice { ok: true, text });
    }

    fn fail(&mut self, err: &DeskError) {
        let text = errors::describe(&self.words, err);
        self.notice = Some(Notice { ok: false, text });
    }

    /// Draws one frame and applies what was asked for in it.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        match worker::poll(&mut self.busy) {
            Some(Ok(outcome)) => self.finish(outcome),
            Some(Err(())) => {
                self.notice = Some(Notice {
                    ok: false,
                    text: self.words.t("err-worker-stopped"),
                })
            }
            None => {}
        }
        self.watch_idle(ui.ctx());
        if self.busy.is_some() {
            // Visible, not clickable, until the operation ends.
            ui.disable();
        }
        if self.session.is_none() {
            views::unlock(self, ui);
        } else {
            views::unlocked(self, ui);
        }
        for action in std::mem::take(&mut self.actions) {
            if self.busy.is_none() {
                self.apply(action);
            }
        }
    }

    /// Locks the window after the idle time without input.
    fn watch_idle(&mut self, ctx: &egui::Context) {
        let (now, active) = ctx.input(|i| (i.time, !i.events.is_empty() || i.pointer.is_moving()));
        // An operation at work counts as use (the officer watches its
        // progress); one waiting for the vault does not, so that an unlock
        // which completes long after the officer left is locked again.
        let working = self.busy.as_ref().is_some_and(|b| !b.progress.is_waiting());
        if active || (self.session.is_none() && self.busy.is_none()) || working {
            self.last_input = now;
        }
        let idle = f64::from(self.opts.idle_lock_minutes) * 60.0;
        if self.session.is_some() && idle > 0.0 && now - self.last_input > idle {
            self.lock();
            let n = self.opts.idle_lock_minutes as usize;
            self.notice = Some(Notice {
                ok: true,
                text: self.words.ta("notice-idle-locked", &[("minutes", n.into())]),
            });
        }
    }

    /// Seconds until the idle lock, for the window's repaint timer.
    fn until_idle_lock(&self, now: f64) -> Option<f64> {
        let idle = f64::from(self.opts.idle_lock_minutes) * 60.0;
        (self.session.is_some() && idle > 0.0).then(|| (self.last_input + idle - now).max(0.0) + 0.5)
    }

    /// Drops the session: the keys, the passphrase, every decrypted case
    /// and what was typed, and the vault's lock.
    fn lock(&mut self) {
        self.session = None;
        rtl::forget();
        self.case = CaseFields::default();
        self.record.description = Zeroizing::new(String::new());
        self.receipt = None;
        self.filter.text = Zeroizing::new(String::new());
        self.opened = None;
        self.purge = purge::PurgeForm::default();
        self.view = View::Inbox;
    }

    fn apply(&mut self, action: Action) {
        let result = match action {
            Action::Unlock => self.unlock(),
            Action::Lock => {
                self.lock();
                self.ok(self.words.t("notice-locked"));
                Ok(())
            }
            Action::Go(view) => {
                self.go(view);
                Ok(())
            }
            Action::Lang(lang) => {
                self.words = Words::new(lang);
                Ok(())
            }
            other => match self.session.take() {
                Some(mut s) => {
                    let r = self.act(&mut s, other);
                    self.session = Some(s);
                    r
                }
                None => Ok(()),
            },
        };
        if let Err(e) = result {
            self.fail(&e);
        }
    }

    fn go(&mut self, view: View) {
        if let View::Case(id) = view
            && let Some(s) = &self.session
        {
            if self.case.case != Some(id) {
                let case = s.inbox.cases.get(&id);
                self.case = CaseFields {
                    case: Some(id),
                    reply: Zeroizing::new(
                        case.and_then(|c| c.office.draft.as_ref())
                            .map(|d| d.expose().to_owned())
                            .unwrap_or_default(),
                    ),
                    notes: Zeroizing::new(
                        case.and_then(|c| c.office.notes.as_ref())
                            .map(|d| d.expose().to_owned())
                            .unwrap_or_default(),
                    ),
                    status: case.map(|c| c.status()),
                    saving: false,
                    purging: false,
                };
            }
            if s.inbox.cases.get(&id).is_some_and(|c| c.unread() > 0) {
                let r = ops::mark_seen(&s.vault, id);
                if let Err(e) = r.and_then(|()| self.reload(id)) {
                    self.fail(&e);
                }
            }
        }
        if view == View::Purge
            && let Some(s) = &self.session
            && let Err(e) = purge::refresh(&mut self.purge, s)
        {
            self.fail(&e);
        }
        self.view = view;
    }

    /// Starts unlocking on the worker thread (the key derivation and the
    /// decryption of every case take seconds); [`DeskApp::finish`] opens
    /// the session.
    fn unlock(&mut self) -> Result<(), DeskError> {
        let vault_path = PathBuf::from(self.vault_field.trim());
        if vault_path.as_os_str().is_empty() {
            return Err(DeskError::BadInput(self.words.t("err-no-vault")));
        }
        let keys_dir = match self.keys_field.trim() {
            "" => Vault::remembered_keys(&vault_path).ok_or(DeskError::NoKeys)?,
            k => PathBuf::from(k),
        };
        let passphrase = if self.passphrase.is_empty() {
            None
        } else {
            Some(Passphrase::new(std::mem::take(&mut *self.passphrase)))
        };
        let progress = Arc::new(worker::Progress::default());
        let waiting = Arc::clone(&progress);
        let job = move || {
            let result = (|| {
                let mut given = Given(passphrase);
                let keys = keyfiles::office_keys(&keys_dir, &mut given)?;
                let is_new = !vault_path.join("index.age").exists();
                let vault = Vault::create_or_wait(&vault_path, keys, &mut || waiting.set_waiting(true))?;
                waiting.set_waiting(false);
                let inbox = Inbox::new(vault.all_cases()?);
                vault.remember_keys()?;
                Ok(worker::Done::Unlocked {
                    vault,
                    keys_dir,
                    passphrase: given.0,
                    inbox,
                    is_new,
                })
            })();
            worker::Outcome {
                result,
                passphrase: None,
            }
        };
        self.busy = Some(worker::Busy::start("busy-unlocking", progress, job)?);
        Ok(())
    }

    /// Takes in what an operation on the worker thread handed back.
    fn finish(&mut self, outcome: worker::Outcome) {
        if let (Some(p), Some(s)) = (outcome.passphrase, self.session.as_mut()) {
            s.passphrase = p;
        }
        let done = match outcome.result {
            Ok(done) => done,
            Err(e) => return self.fail(&e),
        };
        let w = &self.words;
        match done {
            worker::Done::Unlocked {
                vault,
                keys_dir,
                passphrase,
                inbox,
                is_new,
            } => {
                let n = inbox.len();
                self.open_session(vault, keys_dir, passphrase, inbox);
                let key = if is_new {
                    "notice-unlocked-new"
                } else {
                    "notice-unlocked"
                };
                self.ok(self.words.ta(key, &[("cases", n.into())]));
            }
            worker::Done::Opened {
                inbox,
                summary,
                server,
                path,
            } => {
                let text = views::opened_words(w, &summary, &server, &path);
                self.ok(self.words.t("notice-opened"));
                self.opened = Some(text);
                if let Some(s) = self.session.as_mut() {
                    s.inbox = inbox;
                }
            }
            worker::Done::OutboxWritten { summary, out } => {
                let text = w.ta(
                    "notice-outbox-written",
                    &[
                        ("path", out.display().to_string().as_str().into()),
                        ("replies", summary.replies.into()),
                        ("statuses", summary.statuses.into()),
                        ("recorded", summary.new_cases.into()),
                        ("purges", summary.purges.into()),
                    ],
                );
                self.ok(text);
            }
            worker::Done::Printed(sent) => {
                self.notice = Some(print::said(w, sent));
            }
            worker::Done::ReportWritten { paths } => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                let text = w.ta(
                    "notice-report-written",
                    &[("paths", names.join(", ").as_str().into())],
                );
                self.ok(text);
            }
        }
    }

    /// Shows `inbox`, read from `vault` with the keys in `keys_dir` (the
    /// end of an unlock; the benchmark gives an inbox made in memory).
    pub fn open_session(
        &mut self,
        vault: Vault,
        keys_dir: PathBuf,
        passphrase: Option<Passphrase>,
        inbox: Inbox,
    ) {
        self.keys_field = keys_dir.display().to_string();
        self.session = Some(Session {
            vault: Arc::new(vault),
            keys_dir,
            passphrase,
            inbox,
        });
        self.view = View::Inbox;
    }

    /// Shows `view` from the next frame on, as a click on the menu would.
    pub fn show(&mut self, view: View) {
        self.actions.push(Action::Go(view));
    }

    /// Fills the record form, as the officer would type it.
    pub fn prefill_record(
        &mut self,
        kind: Kind,
        categories: &[&'static str],
        channel: &'static str,
        description: &str,
        issue_receipt: bool,
    ) {
        self.record.kind = kind;
        self.record.categories = categories.to_vec();
        self.record.channel = channel;
        self.record.description = Zeroizing::new(description.to_owned());
        self.record.issue_receipt = issue_receipt;
    }

    /// Records the case the form holds, as its button would.
    pub fn submit_record(&mut self) {
        self.actions.push(Action::Record);
    }

    /// Hides a receipt shown once, as its button would.
    pub fn dismiss_receipt(&mut self) {
        self.actions.push(Action::ReceiptHandedOver);
    }

    /// Lists the cases closed before `day` in the purge view, as typing the
    /// day and its button would (the screenshots show the confirmation).
    pub fn list_closed_before(&mut self, day: &str) {
        self.actions.push(Action::Go(View::Purge));
        self.purge.set_before(day);
        self.actions.push(Action::FindClosed);
    }

    /// The inbox's filter (the benchmark sets a search).
    pub fn filter_mut(&mut self) -> &mut Filter {
        &mut self.filter
    }

    /// Re-reads one case from the vault after a change.
    fn reload(&mut self, id: CaseId) -> Result<(), DeskError> {
        if let Some(s) = self.session.as_mut() {
            match s.vault.case(id)? {
                Some(case) => s.inbox.put(case),
                None => s.inbox.remove(id),
            }
        }
        Ok(())
    }

    fn act(&mut self, s: &mut Session, action: Action) -> Result<(), DeskError> {
        let today = self.opts.today;
        let w = &self.words;
        match action {
            Action::OpenBundle => {
                let path = self
                    .bundle
                    .path()
                    .ok_or_else(|| DeskError::BadInput(w.t("err-choose-bundle")))?;
                let file = std::fs::File::open(&path).map_err(DeskError::io("open", &path))?;
                let len = file.metadata().map(|m| m.len()).unwrap_or(0);
                let progress = Arc::new(worker::Progress::default());
                progress.set(0, len);
                let (vault, keys_dir, limits) = (Arc::clone(&s.vault), s.keys_dir.clone(), self.opts.limits);
                let passphrase = s.passphrase.take();
                let counted = Arc::clone(&progress);
                let job = move || {
                    let mut given = Given(passphrase);
                    let trusted = ops::trusted_officers_in(&keys_dir, &mut given);
                    let result = trusted.and_then(|trusted| {
                        let reader = worker::Counting {
                            inner: std::io::BufReader::new(file),
                            progress: counted,
                        };
                        let summary =
                            import::open_bundle_with(&vault, reader, &trusted, limits, &mut |_| {})?;
                        let inbox = Inbox::new(vault.all_cases()?);
                        let server = vault
                            .index()?
                            .pinned_key()
                            .ok()
                            .flatten()
                            .map(|k| hex::encode(k.as_bytes()))
                            .unwrap_or_default();
                        Ok(worker::Done::Opened {
                            inbox,
                            summary,
                            server,
                            path,
                        })
                    });
                    worker::Outcome {
                        result,
                        passphrase: Some(given.0),
                    }
                };
                self.busy = Some(worker::Busy::start("busy-opening", progress, job)?);
            }
            Action::WriteOutbox => {
                let out = self
                    .outbox
                    .path()
                    .ok_or_else(|| DeskError::BadInput(w.t("err-choose-outbox")))?;
                let progress = Arc::new(worker::Progress::default());
                let (vault, keys_dir) = (Arc::clone(&s.vault), s.keys_dir.clone());
                let passphrase = s.passphrase.take();
                let counted = Arc::clone(&progress);
                let job = move || {
                    let mut given = Given(passphrase);
                    let result =
                        ops::outbox_keys(&vault, &keys_dir, None, &mut given, today).and_then(|keys| {
                            let others = keys.others.recipient_refs();
                            let summary = ops::write_outbox(
                                &vault,
                                &others,
                                &keys.officer,
                                &out,
                                today,
                                &mut |n, total| counted.set(n, total),
                            )?;
                            Ok(worker::Done::OutboxWritten { summary, out })
                        });
                    worker::Outcome {
                        result,
                        passphrase: Some(given.0),
                    }
                };
                self.busy = Some(worker::Busy::start("busy-writing-outbox", progress, job)?);
            }
            Action::Reply(id) => {
                let text = SecretText::new(self.case.reply.to_string());
                if text.is_empty() {
                    return Err(DeskError::BadInput(w.t("err-empty-reply")));
                }
                ops::reply(&s.vault, id, text, today)?;
                ops::save_draft(&s.vault, id, SecretText::new(String::new()))?;
                self.case.reply = Zeroizing::new(String::new());
                reload_into(s, id)?;
                self.ok(w.t("notice-reply-recorded"));
            }
            Action::SaveDraft(id) => {
                ops::save_draft(&s.vault, id, SecretText::new(self.case.reply.to_string()))?;
                reload_into(s, id)?;
                self.ok(w.t("notice-draft-saved"));
            }
            Action::SaveNotes(id) => {
                ops::save_notes(&s.vault, id, SecretText::new(self.case.notes.to_string()))?;
                reload_into(s, id)?;
                self.ok(w.t("notice-notes-saved"));
            }
            Action::SetStatus(id, status) => {
                ops::set_status(&s.vault, id, status, today)?;
                reload_into(s, id)?;
                let text = w.ta(
                    "notice-status-set",
                    &[(
                        "status",
                        w.arg(&format!("status-{}", status.as_str())).as_str().into(),
                    )],
                );
                self.ok(text);
            }
            Action::Star(id, star) => {
                ops::star(&s.vault, id, star)?;
                reload_into(s, id)?;
            }
            Action::SaveFiles(id) => {
                let dir = self
                    .save_to
                    .path()
                    .ok_or_else(|| DeskError::BadInput(w.t("err-choose-folder")))?;
                view::check_extract_target(&dir)?;
                let case = s.vault.case(id)?.ok_or(DeskError::CaseNotFound(id))?;
                let written = view::extract(&s.vault, &case, &dir)?;
                self.case.saving = false;
                let text = w.ta(
                    "notice-files-saved",
                    &[
                        ("count", written.len().into()),
                        ("path", dir.display().to_string().as_str().into()),
                    ],
                );
                self.ok(text);
            }
            Action::Purge(id) => {
                ops::purge(&s.vault, &[id])?;
                s.inbox.remove(id);
                self.case = CaseFields::default();
                self.view = View::Inbox;
                let text = w.ta("notice-purged", &[("case", id.to_string().as_str().into())]);
                self.ok(text);
            }
            Action::Record => {
                // The desk's own checks say this in English; the window first.
                if self.record.categories.is_empty() {
                    return Err(DeskError::BadInput(w.t("err-no-category")));
                }
                if self.record.description.trim().is_empty() {
                    return Err(DeskError::BadInput(w.t("err-empty-description")));
                }
                let received: Day = self
                    .record
                    .received
                    .trim()
                    .parse()
                    .map_err(|_| DeskError::BadInput(w.t("err-bad-date")))?;
                let recorded = ops::Recorded {
                    kind: self.record.kind,
                    categories: self.record.categories.iter().map(|c| (*c).to_owned()).collect(),
                    description: SecretText::new(self.record.description.to_string()),
                    received,
                    channel: self.record.channel.to_owned(),
                };
                let outcome = ops::record(&s.vault, recorded, self.record.issue_receipt)?;
                reload_into(s, outcome.case)?;
                self.record.description = Zeroizing::new(String::new());
                self.record.categories.clear();
                let text = w.ta(
                    "notice-recorded",
                    &[("case", outcome.case.to_string().as_str().into())],
                );
                self.ok(text);
                if let Some(r) = outcome.receipt {
                    self.receipt = Some(ShownReceipt {
                        case: outcome.case,
                        receipt: r.display(),
                    });
                }
            }
            Action::ReceiptHandedOver => {
                self.receipt = None;
            }
            Action::PrintReceipt => {
                if let Some(r) = &self.receipt {
                    // Made here, in the window's words; sent beside the
                    // window (a print system may be slow to answer).
                    let page = print::receipt_page_in(w, r.receipt.expose(), self.opts.site.as_deref());
                    let job = move || worker::Outcome {
                        result: Ok(worker::Done::Printed(print::send(&page))),
                        passphrase: None,
                    };
                    self.busy = Some(worker::Busy::start(
                        "busy-printing",
                        Arc::new(worker::Progress::default()),
                        job,
                    )?);
                }
            }
            Action::FindClosed => {
                if let Some(text) = purge::find(&mut self.purge, s, w)? {
                    self.ok(text);
                }
            }
            Action::PurgeClosed => {
                let text = purge::purge_found(&mut self.purge, s, w)?;
                self.ok(text);
            }
            Action::CancelPurge => {
                purge::refresh(&mut self.purge, s)?;
            }
            Action::DropParts => {
                let text = purge::drop_parts(&mut self.purge, s, w)?;
                self.ok(text);
            }
            Action::ExportReport => {
                let out = self
                    .report_out
                    .path()
                    .ok_or_else(|| DeskError::BadInput(w.t("err-choose-report")))?;
                let (vault, year) = (Arc::clone(&s.vault), self.year);
                let job = move || {
                    let result = (|| {
                        let state = vault.load()?;
                        let figures = stats::compute(&state, year);
                        let paths = stats::write_report(&figures, &out)?;
                        Ok(worker::Done::ReportWritten { paths })
                    })();
                    worker::Outcome {
                        result,
                        passphrase: None,
                    }
                };
                self.busy = Some(worker::Busy::start(
                    "busy-exporting-report",
                    Arc::new(worker::Progress::default()),
                    job,
                )?);
            }
            Action::Unlock | Action::Lock | Action::Go(_) | Action::Lang(_) => {}
        }
        Ok(())
    }
}

fn reload_into(s: &mut Session, id: CaseId) -> Result<(), DeskError> {
    match s.vault.case(id)? {
        Some(case) => s.inbox.put(case),
        None => s.inbox.remove(id),
    }
    Ok(())
}

impl eframe::App for DeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        DeskApp::ui(self, ui);
        let now = ui.ctx().input(|i| i.time);
        if let Some(secs) = self.until_idle_lock(now) {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(secs));
        }
    }
}

/// How the window looks, from the command line: fonts and scale.
#[derive(Debug, Clone, Default)]
pub struct Look {
    /// Font files used before any found on the system (`--font`).
    pub fonts: Vec<PathBuf>,
    /// Folders searched for fallback fonts; `None`: [`fonts::default_dirs`].
    pub font_dirs: Option<Vec<PathBuf>>,
    /// A factor on top of the system's scale (`--scale`; egui's zoom, which
    /// Ctrl+Plus and Ctrl+Minus also change).
    pub scale: Option<f32>,
}

/// Sets up egui for the application: text a little larger than egui's
/// default (the system's scale factor applies on top), and fonts for the
/// scripts reporters write in, where the system has them.
pub fn setup(ctx: &egui::Context) {
    // Without `--font`, finding fonts cannot fail.
    let _ = setup_with(ctx, &Look::default());
}

/// [`setup`] with the command line's [`Look`]; an error names a `--font`
/// that cannot be used. Returns the fallback fonts in use.
pub fn setup_with(ctx: &egui::Context, look: &Look) -> Result<Vec<fonts::Found>, DeskError> {
    let found = find_fonts(look)?;
    apply_look(ctx, &found, look.scale);
    Ok(found)
}

fn find_fonts(look: &Look) -> Result<Vec<fonts::Found>, DeskError> {
    let dirs = look.font_dirs.clone().unwrap_or_else(fonts::default_dirs);
    fonts::find(&look.fonts, &dirs).map_err(DeskError::BadInput)
}

fn apply_look(ctx: &egui::Context, found: &[fonts::Found], scale: Option<f32>) {
    ctx.all_styles_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            font.size = match text_style {
                egui::TextStyle::Heading => 22.0,
                egui::TextStyle::Small => 12.0,
                _ => 15.0,
            };
        }
    });
    if let Some(scale) = scale {
        ctx.set_zoom_factor(scale);
    }
    ctx.add_plugin(rtl::Spoken);
    if !found.is_empty() {
        ctx.set_fonts(fonts::definitions(found));
    }
}

/// Opens the window and runs until it is closed.
pub fn run(opts: Options) -> Result<(), DeskError> {
    run_with(opts, Look::default())
}

/// [`run`] with the command line's fonts and scale.
pub fn run_with(opts: Options, look: Look) -> Result<(), DeskError> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("candor-desk")
            .with_inner_size([1100.0, 760.0])
            .with_min_inner_size([640.0, 480.0]),
        ..Default::default()
    };
    // A `--font` that cannot be used stops the start, before the window.
    let found = find_fonts(&look)?;
    eframe::run_native(
        "candor-desk",
        native,
        Box::new(move |cc| {
            apply_look(&cc.egui_ctx, &found, look.scale);
            Ok(Box::new(DeskApp::new(opts)))
        }),
    )
    .map_err(|e| DeskError::BadInput(format!("the window could not be opened: {e}")))
}

/// The folder a path is in, or the path itself if it is a folder.
pub fn folder_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

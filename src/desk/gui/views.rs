//! One function per view. Each draws from the application's state and
//! pushes [`Action`]s; none calls a desk operation itself.

use std::path::Path;

use egui::{Color32, RichText, Ui};

use super::i18n::Words;
use super::inbox::Sort;
use super::{Action, CaseFields, DeskApp, View, plain, rtl};
use crate::core::case::{ADVICE_TOPICS, CaseId, Kind, MISCONDUCT_CATEGORIES, Status};
use crate::desk::deadlines::{self, Deadlines, Mark};
use crate::desk::import::OpenSummary;
use crate::desk::ops;
use crate::desk::stats;
use crate::desk::vault::{CaseRecord, ThreadItem};
use crate::desk::view::AsOf;

pub(super) const OVERDUE: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);
const DUE_SOON: Color32 = Color32::from_rgb(0xd8, 0x8a, 0x00);
const DONE: Color32 = Color32::from_rgb(0x80, 0x80, 0x80);

/// A text field with a visible label that names it for screen readers.
fn field(ui: &mut Ui, label: &str, text: &mut String, id: &str, password: bool) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(text)
                .id_salt(id)
                .password(password)
                .desired_width(420.0),
        )
        .labelled_by(l.id)
    })
    .inner
}

/// A multi-line text field with a label above it.
fn area(ui: &mut Ui, label: &str, text: &mut String, id: &str, rows: usize) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(text)
            .id_salt(id)
            .desired_rows(rows)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
}

/// A deadline state: a word (never colour alone) in a colour.
pub fn deadline_text(w: &Words, kind: Kind, dl: &Deadlines) -> RichText {
    if dl.no_deadline {
        return RichText::new(w.t("deadline-none"));
    }
    // Words that go into another sentence stay in reading order (`arg`).
    let what = match dl.next {
        Some("answer") => w.arg("due-answer"),
        Some("acknowledge") if kind == Kind::Advice => w.arg("due-answer"),
        Some("acknowledge") => w.arg("due-acknowledge"),
        Some(_) => w.arg("due-feedback"),
        None => String::new(),
    };
    let day = match dl.next {
        Some("acknowledge" | "answer") => dl.acknowledge_due.to_string(),
        Some(_) => dl.feedback_due.map(|d| d.to_string()).unwrap_or_default(),
        None => String::new(),
    };
    let args = [("what", what.as_str().into()), ("day", day.as_str().into())];
    match dl.mark {
        Mark::Overdue => RichText::new(w.ta("deadline-overdue", &args))
            .color(OVERDUE)
            .strong(),
        Mark::DueSoon => RichText::new(w.ta("deadline-soon", &args))
            .color(DUE_SOON)
            .strong(),
        Mark::Ok => RichText::new(w.ta("deadline-ok", &args)),
        Mark::Done => RichText::new(w.t("deadline-done")).color(DONE),
    }
}

/// The locked window: the vault, the keys and the passphrase.
pub(super) fn unlock(app: &mut DeskApp, ui: &mut Ui) {
    let layout = rtl::panel_layout(app.words.lang.is_rtl());
    egui::CentralPanel::default().show(ui, |ui| {
        ui.with_layout(layout, |ui| {
            language_menu(app, ui);
            ui.add_space(24.0);
            ui.heading(app.words.t("unlock-title"));
            ui.label(app.words.t("unlock-intro"));
            ui.add_space(12.0);
            let w = &app.words;
            field(
                ui,
                &w.t("unlock-vault"),
                &mut app.vault_field,
                "unlock-vault",
                false,
            );
            field(ui, &w.t("unlock-keys"), &mut app.keys_field, "unlock-keys", false);
            let pass = field(
                ui,
                &w.t("unlock-passphrase"),
                &mut app.passphrase,
                "unlock-pass",
                true,
            );
            let entered = pass.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(8.0);
            if ui.button(w.t("unlock-button")).clicked() || entered {
                app.actions.push(Action::Unlock);
                // egui keeps a copy of a text field's text for undo: drop it.
                ui.ctx().data_mut(|d| {
                    d.remove::<egui::text_edit::TextEditState>(pass.id);
                });
            }
            ui.add_space(8.0);
            notice(app, ui);
        });
    });
}

fn language_menu(app: &mut DeskApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let current = app.words.lang;
        let l = ui.label(app.words.t("language"));
        egui::ComboBox::from_id_salt("language")
            .selected_text(current.name())
            .show_ui(ui, |ui| {
                for lang in super::i18n::Lang::ALL {
                    if ui.selectable_label(lang == current, lang.name()).clicked() {
                        app.actions.push(Action::Lang(lang));
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
}

fn notice(app: &DeskApp, ui: &mut Ui) {
    if let Some(busy) = &app.busy {
        let key = if busy.progress.is_waiting() {
            "busy-waiting-vault"
        } else {
            busy.key
        };
        super::worker::indicator(ui, busy, &app.words.t(key));
        return;
    }
    if let Some(n) = &app.notice {
        let text = RichText::new(&n.text);
        let text = if n.ok { text } else { text.color(OVERDUE).strong() };
        ui.add(egui::Label::new(text).wrap());
    }
}

/// The unlocked window: the menu, the notice line and the view.
pub(super) fn unlocked(app: &mut DeskApp, ui: &mut Ui) {
    // Right to left: the menu starts at the right, rows and text align right.
    let layout = rtl::panel_layout(app.words.lang.is_rtl());
    egui::Panel::top("menu").show(ui, |ui| {
        ui.with_layout(layout, |ui| {
            ui.horizontal_wrapped(|ui| {
                let w = &app.words;
                for (view, key) in [
                    (View::Inbox, "nav-inbox"),
                    (View::Open, "nav-open"),
                    (View::Record, "nav-record"),
                    (View::Outbox, "nav-outbox"),
                    (View::Report, "nav-report"),
                    (View::Purge, "nav-purge"),
                ] {
                    let selected = app.view == view;
                    if ui.selectable_label(selected, w.t(key)).clicked() {
                        app.actions.push(Action::Go(view));
                    }
                }
                ui.separator();
                if ui.button(w.t("nav-lock")).clicked() {
                    app.actions.push(Action::Lock);
                }
                language_menu(app, ui);
            })
        });
    });
    egui::Panel::bottom("notice").show(ui, |ui| {
        ui.with_layout(layout, |ui| notice(app, ui));
    });
    egui::CentralPanel::default().show(ui, |ui| {
        ui.with_layout(layout, |ui| {
            if app.receipt.is_some() {
                receipt(app, ui);
                return;
            }
            match app.view {
                View::Inbox => inbox(app, ui),
                View::Case(id) => case(app, ui, id),
                View::Open => open(app, ui),
                View::Outbox => outbox(app, ui),
                View::Record => record(app, ui),
                View::Report => report(app, ui),
                View::Purge => super::purge::view(app, ui),
            }
        });
    });
}

fn combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    id: &str,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let shown = options
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        egui::ComboBox::from_id_salt(id)
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (v, text) in options {
                    if ui.selectable_label(*value == *v, text).clicked() {
                        *value = *v;
                        changed = true;
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    changed
}

fn inbox(app: &mut DeskApp, ui: &mut Ui) {
    let at = app.at();
    let Some(s) = app.session.as_ref() else {
        return;
    };
    let w = &app.words;
    let f = &mut app.filter;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(w.t("inbox-search"));
        ui.add(
            egui::TextEdit::singleline(&mut *f.text)
                .id_salt("search")
                .hint_text(w.t("inbox-search-hint"))
                .desired_width(260.0),
        )
        .labelled_by(l.id);
        let mut statuses = vec![(None, w.t("filter-any"))];
        statuses.extend(Status::ALL.iter().map(|s| (Some(*s), w.status(*s))));
        combo(
            ui,
            &w.t("filter-status"),
            "filter-status",
            &mut f.status,
            &statuses,
        );
        let kinds = [
            (None, w.t("filter-any")),
            (Some(Kind::Misconduct), w.kind(Kind::Misconduct)),
            (Some(Kind::Advice), w.kind(Kind::Advice)),
        ];
        combo(ui, &w.t("filter-kind"), "filter-kind", &mut f.kind, &kinds);
        let mut cats: Vec<(Option<&'static str>, String)> = vec![(None, w.t("filter-any"))];
        for c in MISCONDUCT_CATEGORIES.iter().chain(ADVICE_TOPICS) {
            if !cats.iter().any(|(v, _)| *v == Some(*c)) {
                cats.push((Some(*c), w.category(c)));
            }
        }
        combo(
            ui,
            &w.t("filter-category"),
            "filter-category",
            &mut f.category,
            &cats,
        );
        ui.checkbox(&mut f.overdue_only, w.t("filter-overdue"));
        ui.checkbox(&mut f.unread_only, w.t("filter-unread"));
        ui.checkbox(&mut f.starred_only, w.t("filter-starred"));
        let sorts: Vec<(Sort, String)> = Sort::ALL.iter().map(|s| (*s, w.t(s.key()))).collect();
        combo(ui, &w.t("filter-sort"), "filter-sort", &mut f.sort, &sorts);
    });
    let ids = s.inbox.shown(f, at);
    ui.label(w.ta(
        "inbox-count",
        &[("shown", ids.len().into()), ("total", s.inbox.len().into())],
    ));
    if s.inbox.is_empty() {
        ui.label(w.t("inbox-empty"));
        return;
    }
    ui.separator();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 10.0;
    let mut open = None;
    // Only an office with channels has the column: who the reporter chose.
    let addressed = s.inbox.cases.values().any(|c| c.addressed_to.is_some());
    egui::ScrollArea::both()
        .id_salt("inbox-rows")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, ids.len() + 1, |ui, rows| {
            egui::Grid::new("inbox-grid")
                .striped(true)
                .min_row_height(row_height)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    if rows.start == 0 {
                        for key in [
                            "col-case",
                            "col-new",
                            "col-kind",
                            "col-categories",
                            "col-status",
                            "col-received",
                            "col-channel",
                            "col-deadline",
                        ] {
                            ui.strong(w.t(key));
                        }
                        if addressed {
                            ui.strong(w.t("col-addressed-to"));
                        }
                        ui.end_row();
                    }
                    for row in rows.start.max(1)..rows.end {
                        let Some(c) = ids.get(row - 1).and_then(|id| s.inbox.cases.get(id)) else {
                            continue;
                        };
                        if ui
                            .button(c.id.to_string())
                            .on_hover_text(w.t("inbox-open-case"))
                            .clicked()
                        {
                            open = Some(c.id);
                        }
                        // Words, not symbols: a screen reader says them, and
                        // every font has their letters.
                        let marks: Vec<String> =
                            [(c.unread() > 0, "inbox-unread"), (c.office.star, "inbox-starred")]
                                .into_iter()
                                .filter(|(on, _)| *on)
                                .map(|(_, key)| w.t(key))
                                .collect();
                        ui.label(RichText::new(marks.join(", ")).strong());
                        ui.label(w.kind(c.kind));
                        ui.label(categories(w, c));
                        ui.label(w.status(c.status()));
                        ui.label(c.received.to_string());
                        ui.label(w.channel(c.channel.as_deref().unwrap_or("online")));
                        let dl = deadlines::deadlines(c, at.today, at.periods);
                        ui.label(deadline_text(w, c.kind, &dl));
                        if addressed {
                            ui.label(c.addressed_to.as_ref().map_or("–", |a| a.name.as_str()));
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(id) = open {
        app.actions.push(Action::Go(View::Case(id)));
    }
}

fn categories(w: &Words, c: &CaseRecord) -> String {
    c.categories
        .iter()
        .map(|x| {
            // The window's own words are ready to show; a name it does not
            // know (from the server) is data.
            let known = MISCONDUCT_CATEGORIES.contains(&x.as_str()) || ADVICE_TOPICS.contains(&x.as_str());
            if known {
                w.category(x)
            } else {
                plain(x).into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn case(app: &mut DeskApp, ui: &mut Ui, id: CaseId) {
    let at = app.at();
    let DeskApp {
        session,
        words: w,
        case: fields,
        save_to,
        actions,
        ..
    } = app;
    let Some(c) = session.as_ref().and_then(|s| s.inbox.cases.get(&id)) else {
        ui.label(w.t("case-gone"));
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("case-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.button(w.t("case-back")).clicked() {
                    actions.push(Action::Go(View::Inbox));
                }
                ui.heading(w.ta("case-title", &[("case", c.id.to_string().as_str().into())]));
                let mut star = c.office.star;
                if ui.checkbox(&mut star, w.t("case-star")).changed() {
                    actions.push(Action::Star(id, star));
                }
            });
            ui.separator();
            case_fields(ui, w, c, at);
            ui.add_space(8.0);
            ui.heading(w.t("case-thread"));
            for item in &c.thread {
                thread_item(ui, w, item);
            }
            let attachments: Vec<_> = c.all_attachments().collect();
            ui.add_space(8.0);
            ui.heading(w.t("case-attachments"));
            if attachments.is_empty() {
                ui.label(w.t("case-no-attachments"));
            } else {
                egui::Grid::new("attachments").striped(true).show(ui, |ui| {
                    for key in ["col-name", "col-type", "col-size", "col-in-vault"] {
                        ui.strong(w.t(key));
                    }
                    ui.end_row();
                    for a in &attachments {
                        ui.label(plain(&a.name));
                        ui.label(plain(&a.content_type));
                        ui.label(size(a.size));
                        ui.label(w.t(if a.stored { "yes" } else { "no" }));
                        ui.end_row();
                    }
                });
            }
            if !fields.saving && ui.button(w.t("case-save-files")).clicked() {
                fields.saving = true;
            }
            if fields.saving {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(RichText::new(w.t("save-warning")).color(DUE_SOON).strong());
                    save_to.ui(ui, w, &w.t("save-folder-name"));
                    ui.horizontal(|ui| {
                        if ui.button(w.t("save-confirm")).clicked() {
                            actions.push(Action::SaveFiles(id));
                        }
                        if ui.button(w.t("cancel")).clicked() {
                            fields.saving = false;
                        }
                    });
                });
            }
            ui.separator();
            case_actions(ui, w, c, fields, actions, at);
        });
}

fn case_fields(ui: &mut Ui, w: &Words, c: &CaseRecord, at: AsOf) {
    egui::Grid::new("case-fields")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let mut row = |label: String, value: String| {
                ui.strong(label);
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            };
            row(w.t("field-kind"), w.kind(c.kind));
            row(w.t("field-categories"), categories(w, c));
            row(w.t("field-status"), w.status(c.status()));
            if let Some(a) = &c.addressed_to {
                row(w.t("field-addressed-to"), a.name.clone());
            }
            let channel = c.channel.as_deref().unwrap_or("online");
            let received_key = if channel == "online" {
                "field-received-online"
            } else {
                "field-recorded-on"
            };
            row(
                w.t(received_key),
                w.ta(
                    "field-received-value",
                    &[
                        ("day", c.received.to_string().as_str().into()),
                        ("channel", w.arg(&format!("channel-{channel}")).as_str().into()),
                    ],
                ),
            );
            for (key, value) in [
                ("field-when", &c.when),
                ("field-where", &c.where_),
                ("field-people", &c.people),
                ("field-contact", &c.contact),
            ] {
                if let Some(v) = value {
                    row(w.t(key), plain(v.expose()).into_owned());
                }
            }
            let dl = deadlines::deadlines(c, at.today, at.periods);
            ui.strong(w.t("field-deadline"));
            ui.label(deadline_text(w, c.kind, &dl));
            ui.end_row();
        });
    ui.add_space(6.0);
    ui.strong(w.t("field-description"));
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        rtl::paragraph(ui, c.description.expose());
    });
}

fn case_actions(
    ui: &mut Ui,
    w: &Words,
    c: &CaseRecord,
    fields: &mut CaseFields,
    actions: &mut Vec<Action>,
    at: AsOf,
) {
    let id = c.id;
    let online = c.has_online_reporter() || c.upload.is_some();
    if online {
        area(ui, &w.t("case-reply"), &mut fields.reply, "reply", 5);
        ui.horizontal(|ui| {
            if ui.button(w.t("case-send-reply")).clicked() {
                actions.push(Action::Reply(id));
            }
            if ui.button(w.t("case-save-draft")).clicked() {
                actions.push(Action::SaveDraft(id));
            }
        });
    } else {
        ui.label(w.t("case-no-online-reporter"));
    }
    ui.add_space(6.0);
    area(ui, &w.t("case-notes"), &mut fields.notes, "notes", 3);
    if ui.button(w.t("case-save-notes")).clicked() {
        actions.push(Action::SaveNotes(id));
    }
    ui.separator();
    let mut chosen = fields.status.unwrap_or_else(|| c.status());
    let options: Vec<(Status, String)> = Status::ALL.iter().map(|s| (*s, w.status(*s))).collect();
    ui.horizontal(|ui| {
        combo(ui, &w.t("case-new-status"), "new-status", &mut chosen, &options);
        if ui.button(w.t("case-set-status")).clicked() {
            actions.push(Action::SetStatus(id, chosen));
        }
    });
    fields.status = Some(chosen);
    ui.weak(super::status::effect(w, c, chosen, at));
    ui.separator();
    if !fields.purging {
        if ui.button(w.t("case-purge")).clicked() {
            fields.purging = true;
        }
    } else {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                RichText::new(w.ta(
                    "purge-question",
                    &[
                        ("case", id.to_string().as_str().into()),
                        ("messages", c.messages().into()),
                        ("attachments", c.all_attachments().count().into()),
                    ],
                ))
                .color(OVERDUE)
                .strong(),
            );
            ui.horizontal(|ui| {
                let label = w.ta("purge-confirm", &[("case", id.to_string().as_str().into())]);
                if ui.button(label).clicked() {
                    actions.push(Action::Purge(id));
                }
                if ui.button(w.t("cancel")).clicked() {
                    fields.purging = false;
                }
            });
        });
    }
}

pub(super) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn thread_item(ui: &mut Ui, w: &Words, item: &ThreadItem) {
    let pending = if item.delivered() == Some(false) {
        format!("({})", w.t("thread-pending"))
    } else {
        String::new()
    };
    let day = item.day().to_string();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match item {
            ThreadItem::Report { .. } => {
                ui.strong(w.ta("thread-report", &[("day", day.as_str().into())]));
            }
            ThreadItem::Message {
                text, attachments, ..
            } => {
                ui.strong(w.ta("thread-message", &[("day", day.as_str().into())]));
                rtl::paragraph(ui, text.expose());
                if !attachments.is_empty() {
                    ui.weak(w.ta("thread-attachments", &[("count", attachments.len().into())]));
                }
            }
            ThreadItem::Reply { text, .. } => {
                ui.strong(w.join(&[&w.ta("thread-reply", &[("day", day.as_str().into())]), &pending]));
                rtl::paragraph(ui, text.expose());
            }
            ThreadItem::Status { status, .. } => {
                let line = w.ta(
                    "thread-status",
                    &[
                        ("day", day.as_str().into()),
                        (
                            "status",
                            w.arg(&format!("status-{}", status.as_str())).as_str().into(),
                        ),
                    ],
                );
                ui.strong(w.join(&[&line, &pending]));
            }
        }
    });
}

/// The verification result of an `open`, in words.
pub(super) fn opened_words(w: &Words, s: &OpenSummary, server_key: &str, path: &Path) -> String {
    let head = s.head.map_or(0, |h| h.seq);
    let mut out = w.ta(
        "opened-verified",
        &[
            ("path", path.display().to_string().as_str().into()),
            ("key", server_key.get(..16).unwrap_or(server_key).into()),
            ("head", (head as usize).into()),
        ],
    );
    if s.pinned_now {
        out.push('\n');
        out.push_str(&w.t("opened-pinned"));
    }
    out.push('\n');
    out.push_str(&w.ta(
        "opened-new",
        &[
            ("cases", s.new_cases.len().into()),
            ("messages", s.new_messages.into()),
            ("attachments", s.attachments.into()),
            ("delivered", s.delivered_ops.into()),
            ("purged", s.purged.len().into()),
        ],
    ));
    for c in &s.new_cases {
        out.push('\n');
        out.push_str(&w.ta("opened-new-case", &[("case", c.to_string().as_str().into())]));
    }
    for warning in &s.warnings {
        out.push('\n');
        out.push_str(&plain(warning));
    }
    for (channel, n) in &s.other_channels {
        let cases = s.other_channel_cases.get(channel).map_or(String::new(), |ids| {
            ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        });
        out.push('\n');
        out.push_str(&match channel {
            // The id comes from the server's entry header: shown as data.
            Some(id) => w.ta(
                "opened-other-channel",
                &[
                    ("entries", (*n).into()),
                    ("channel", plain(id).as_ref().into()),
                    ("cases", cases.as_str().into()),
                ],
            ),
            None => w.ta(
                "opened-other-default",
                &[("entries", (*n).into()), ("cases", cases.as_str().into())],
            ),
        });
    }
    out.push('\n');
    out.push_str(&w.ta("opened-next", &[("head", (head as usize).into())]));
    out
}

fn open(app: &mut DeskApp, ui: &mut Ui) {
    let w = &app.words;
    ui.heading(w.t("open-title"));
    ui.label(w.t("open-intro"));
    app.bundle.ui(ui, w, &w.t("open-file"));
    if ui.button(w.t("open-button")).clicked() {
        app.actions.push(Action::OpenBundle);
    }
    if let Some(text) = &app.opened {
        ui.separator();
        ui.heading(w.t("open-result"));
        ui.add(egui::Label::new(text.as_str()).wrap());
    }
}

fn outbox(app: &mut DeskApp, ui: &mut Ui) {
    let w = &app.words;
    ui.heading(w.t("outbox-title"));
    let (mut replies, mut statuses, mut recorded, mut purges) = (0, 0, 0, 0);
    if let Some(s) = &app.session {
        for c in s.inbox.cases.values() {
            for t in c.thread.iter().filter(|t| t.delivered() == Some(false)) {
                match t {
                    ThreadItem::Reply { .. } => replies += 1,
                    _ => statuses += 1,
                }
            }
            recorded += usize::from(c.upload.as_ref().is_some_and(|u| !u.delivered));
        }
        purges = s.vault.index().map(|i| i.pending_purges.len()).unwrap_or(0);
    }
    ui.label(w.ta(
        "outbox-pending",
        &[
            ("replies", replies.into()),
            ("statuses", statuses.into()),
            ("recorded", recorded.into()),
            ("purges", purges.into()),
        ],
    ));
    ui.label(w.t("outbox-intro"));
    app.outbox.ui(ui, w, &w.t("outbox-file"));
    if ui.button(w.t("outbox-button")).clicked() {
        app.actions.push(Action::WriteOutbox);
    }
}

fn record(app: &mut DeskApp, ui: &mut Ui) {
    let w = &app.words;
    let r = &mut app.record;
    ui.heading(w.t("record-title"));
    let kinds = [
        (Kind::Misconduct, w.kind(Kind::Misconduct)),
        (Kind::Advice, w.kind(Kind::Advice)),
    ];
    if combo(ui, &w.t("record-kind"), "record-kind", &mut r.kind, &kinds) {
        r.categories.clear();
    }
    ui.label(w.t("record-categories"));
    ui.horizontal_wrapped(|ui| {
        for c in r.kind.allowed_categories() {
            let mut on = r.categories.contains(c);
            if ui.checkbox(&mut on, w.category(c)).changed() {
                if on {
                    r.categories.push(c);
                } else {
                    r.categories.retain(|x| x != c);
                }
            }
        }
    });
    let channels: Vec<(&'static str, String)> = ops::CHANNELS.iter().map(|c| (*c, w.channel(c))).collect();
    combo(
        ui,
        &w.t("record-channel"),
        "record-channel",
        &mut r.channel,
        &channels,
    );
    field(
        ui,
        &w.t("record-received"),
        &mut r.received,
        "record-received",
        false,
    );
    area(
        ui,
        &w.t("record-description"),
        &mut r.description,
        "record-description",
        6,
    );
    ui.checkbox(&mut r.issue_receipt, w.t("record-issue-receipt"));
    if ui.button(w.t("record-button")).clicked() {
        app.actions.push(Action::Record);
    }
}

fn receipt(app: &mut DeskApp, ui: &mut Ui) {
    let w = &app.words;
    let Some(r) = &app.receipt else {
        return;
    };
    ui.heading(w.ta("receipt-title", &[("case", r.case.to_string().as_str().into())]));
    ui.label(w.t("receipt-intro"));
    ui.add_space(16.0);
    ui.add(
        egui::Label::new(RichText::new(r.receipt.expose()).monospace().size(40.0).strong()).selectable(false),
    );
    ui.add_space(16.0);
    ui.label(w.t("receipt-after"));
    ui.horizontal(|ui| {
        if ui.button(w.t("receipt-print")).clicked() {
            app.actions.push(Action::PrintReceipt);
        }
        if ui.button(w.t("receipt-done")).clicked() {
            app.actions.push(Action::ReceiptHandedOver);
        }
    });
}

fn report(app: &mut DeskApp, ui: &mut Ui) {
    let w = &app.words;
    ui.heading(w.t("report-title"));
    ui.horizontal(|ui| {
        let l = ui.label(w.t("report-year"));
        ui.add(egui::DragValue::new(&mut app.year).range(2000..=2200))
            .labelled_by(l.id);
    });
    let Some(s) = &app.session else {
        return;
    };
    let state = crate::desk::vault::VaultState {
        index: match s.vault.index() {
            Ok(i) => i,
            Err(e) => {
                ui.label(plain(&e.to_string()));
                return;
            }
        },
        cases: s.inbox.cases.iter().map(|(id, c)| (*id, c.summary())).collect(),
    };
    let figures = stats::compute(&state, app.year);
    egui::ScrollArea::vertical()
        .id_salt("report-scroll")
        .auto_shrink([false, true])
        .max_height(ui.available_height() - 140.0)
        .show(ui, |ui| {
            // egui's grids lay columns out left to right only.
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                egui::Grid::new("report-table").striped(true).show(ui, |ui| {
                    for (label, value) in report_rows(w, &figures) {
                        ui.label(label);
                        ui.label(value);
                        ui.end_row();
                    }
                });
            });
            ui.add_space(8.0);
            chart(ui, w, &figures);
        });
    ui.separator();
    ui.label(w.t("report-export-intro"));
    app.report_out.ui(ui, w, &w.t("report-file"));
    if ui.button(w.t("report-export")).clicked() {
        app.actions.push(Action::ExportReport);
    }
}

/// The figures of `stats` as rows of (label, value), in the window's language.
fn report_rows(w: &Words, s: &stats::Stats) -> Vec<(String, String)> {
    let num = |v: Option<f64>, percent: bool| match v {
        None => "–".to_owned(),
        Some(x) if percent => format!("{:.0} %", x * 100.0),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
    };
    let mut r = vec![(w.t("report-complaints"), s.complaints.to_string())];
    for (c, n) in &s.by_category {
        r.push((format!("    {}", w.category(c)), n.to_string()));
    }
    r.push((w.t("report-multi"), s.multi_category.to_string()));
    r.push((w.t("report-inv-opened"), s.investigations_opened.to_string()));
    r.push((w.t("report-inv-closed"), s.investigations_closed.to_string()));
    r.push((w.t("report-advice"), s.advice.to_string()));
    for (c, n) in &s.advice_by_topic {
        r.push((format!("    {}", w.category(c)), n.to_string()));
    }
    r.push((w.t("report-median-ack"), num(s.median_days_to_acknowledge, false)));
    r.push((w.t("report-median-close"), num(s.median_days_to_close, false)));
    r.push((w.t("report-substantiated"), num(s.share_substantiated, true)));
    r
}

/// The bar chart of the report, drawn with egui's painter (no image).
fn chart(ui: &mut Ui, w: &Words, s: &stats::Stats) {
    let bars: Vec<(String, u64)> = s
        .by_category
        .iter()
        .map(|(c, n)| (format!("{} – {}", w.kind(Kind::Misconduct), w.category(c)), *n))
        .chain(
            s.advice_by_topic
                .iter()
                .map(|(c, n)| (format!("{} – {}", w.kind(Kind::Advice), w.category(c)), *n)),
        )
        .collect();
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    // A scroll area in a right-to-left layout leaves its width unbounded:
    // what is visible bounds it.
    let available = ui.available_width().min(ui.clip_rect().width());
    let width = (available - 360.0).max(100.0);
    for (label, n) in bars {
        ui.horizontal(|ui| {
            ui.add_sized([340.0, 18.0], egui::Label::new(label).truncate());
            let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 16.0), egui::Sense::hover());
            let filled = rect.width() * (n as f32 / max as f32);
            let bar = egui::Rect::from_min_size(rect.min, egui::vec2(filled, rect.height()));
            ui.painter()
                .rect_filled(bar, 2.0, Color32::from_rgb(52, 101, 164));
            ui.label(n.to_string());
        });
    }
}

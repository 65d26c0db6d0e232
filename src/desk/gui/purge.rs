//! The "Purge and retention" view: every case closed before a day (the
//! office's retention period, `purge --closed-before`), and attachment
//! parts left waiting for an envelope (`parts --drop`). Each asks again,
//! naming the cases or parts and counting what goes, before anything is
//! removed.

use egui::{RichText, Ui};

use super::i18n::Words;
use super::{Action, DeskApp, Session};
use crate::core::case::CaseId;
use crate::core::day::Day;
use crate::desk::vault::WaitingPart;
use crate::desk::{DeskError, ops};

/// The view's state.
#[derive(Debug, Default)]
pub(super) struct PurgeForm {
    /// The day typed.
    before: String,
    /// The cases found closed before that day, waiting for the confirmation.
    found: Option<(Day, Vec<CaseId>)>,
    /// The waiting parts as read when the view opened, each with its tick.
    parts: Vec<(String, WaitingPart, bool)>,
    /// The parts' confirmation is open.
    parts_confirm: bool,
}

impl PurgeForm {
    pub(super) fn set_before(&mut self, day: &str) {
        day.clone_into(&mut self.before);
    }
}

/// Reads the waiting parts afresh (when the view opens).
pub(super) fn refresh(form: &mut PurgeForm, s: &Session) -> Result<(), DeskError> {
    form.parts = ops::waiting_parts(&s.vault)?
        .into_iter()
        .map(|(id, p)| (id, p, true))
        .collect();
    form.parts_confirm = false;
    form.found = None;
    Ok(())
}

/// Finds the cases closed before the day typed; they wait for the confirmation.
pub(super) fn find(form: &mut PurgeForm, s: &Session, w: &Words) -> Result<Option<String>, DeskError> {
    let day: Day = form
        .before
        .trim()
        .parse()
        .map_err(|_| DeskError::BadInput(w.t("err-bad-date")))?;
    let mut ids = ops::closed_before(&s.vault, day)?;
    ids.sort();
    if ids.is_empty() {
        form.found = None;
        return Ok(Some(w.ta(
            "notice-none-closed-before",
            &[("day", day.to_string().as_str().into())],
        )));
    }
    form.found = Some((day, ids));
    Ok(None)
}

/// Purges the cases the confirmation named.
pub(super) fn purge_found(form: &mut PurgeForm, s: &mut Session, w: &Words) -> Result<String, DeskError> {
    let Some((_, ids)) = form.found.take() else {
        return Ok(String::new());
    };
    let removed = ops::purge(&s.vault, &ids)?;
    for id in &removed {
        s.inbox.remove(*id);
    }
    Ok(w.ta("notice-purged-closed", &[("count", removed.len().into())]))
}

/// Drops the parts ticked.
pub(super) fn drop_parts(form: &mut PurgeForm, s: &Session, w: &Words) -> Result<String, DeskError> {
    let ids: Vec<String> = form
        .parts
        .iter()
        .filter(|(_, _, on)| *on)
        .map(|(id, _, _)| id.clone())
        .collect();
    let dropped = ops::drop_parts(&s.vault, &ids, false)?;
    refresh(form, s)?;
    Ok(w.ta("notice-parts-dropped", &[("count", dropped.len().into())]))
}

pub(super) fn view(app: &mut DeskApp, ui: &mut Ui) {
    let DeskApp {
        words: w,
        purge: form,
        session,
        actions,
        ..
    } = app;
    let Some(s) = session.as_ref() else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("purge-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(w.t("purge-title"));
            ui.label(w.t("purge-closed-intro"));
            ui.horizontal(|ui| {
                let l = ui.label(w.t("purge-closed-before"));
                ui.add(
                    egui::TextEdit::singleline(&mut form.before)
                        .id_salt("purge-before")
                        .hint_text("YYYY-MM-DD")
                        .desired_width(140.0),
                )
                .labelled_by(l.id);
                if ui.button(w.t("purge-find")).clicked() {
                    actions.push(Action::FindClosed);
                }
            });
            if let Some((day, ids)) = &form.found {
                let (mut messages, mut attachments) = (0, 0);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    egui::Grid::new("purge-cases").striped(true).show(ui, |ui| {
                        for key in [
                            "col-case",
                            "col-status",
                            "purge-col-closed",
                            "col-messages",
                            "col-attachments",
                        ] {
                            ui.strong(w.t(key));
                        }
                        ui.end_row();
                        for id in ids {
                            let Some(c) = s.inbox.cases.get(id) else {
                                continue;
                            };
                            messages += c.messages();
                            attachments += c.all_attachments().count();
                            ui.label(id.to_string());
                            ui.label(w.status(c.status()));
                            ui.label(
                                c.status_history
                                    .last()
                                    .map(|h| h.day.to_string())
                                    .unwrap_or_default(),
                            );
                            ui.label(c.messages().to_string());
                            ui.label(c.all_attachments().count().to_string());
                            ui.end_row();
                        }
                    });
                    ui.label(
                        RichText::new(w.ta(
                            "purge-closed-question",
                            &[
                                ("count", ids.len().into()),
                                ("day", day.to_string().as_str().into()),
                                ("messages", messages.into()),
                                ("attachments", attachments.into()),
                            ],
                        ))
                        .color(super::views::OVERDUE)
                        .strong(),
                    );
                    ui.horizontal(|ui| {
                        let label = w.ta("purge-closed-confirm", &[("count", ids.len().into())]);
                        if ui.button(label).clicked() {
                            actions.push(Action::PurgeClosed);
                        }
                        if ui.button(w.t("cancel")).clicked() {
                            actions.push(Action::CancelPurge);
                        }
                    });
                });
            }
            ui.add_space(12.0);
            ui.separator();
            ui.heading(w.t("parts-title"));
            ui.label(w.t("parts-intro"));
            if form.parts.is_empty() {
                ui.label(w.t("parts-none"));
                return;
            }
            egui::Grid::new("parts").striped(true).show(ui, |ui| {
                for key in ["parts-col-drop", "parts-col-id", "col-size", "parts-col-exports"] {
                    ui.strong(w.t(key));
                }
                ui.end_row();
                for (id, part, on) in &mut form.parts {
                    ui.checkbox(on, w.ta("parts-drop-one", &[("id", id.as_str().into())]));
                    ui.label(id.as_str());
                    ui.label(super::views::size(part.bytes));
                    ui.label(part.exports.to_string());
                    ui.end_row();
                }
            });
            let chosen: Vec<&(String, WaitingPart, bool)> = form.parts.iter().filter(|p| p.2).collect();
            let bytes: u64 = chosen.iter().map(|p| p.1.bytes).sum();
            if !form.parts_confirm {
                if ui.button(w.t("parts-drop")).clicked() && !chosen.is_empty() {
                    form.parts_confirm = true;
                }
            } else {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(
                        RichText::new(w.ta(
                            "parts-question",
                            &[
                                ("count", chosen.len().into()),
                                ("size", super::views::size(bytes).as_str().into()),
                            ],
                        ))
                        .color(super::views::OVERDUE)
                        .strong(),
                    );
                    ui.horizontal(|ui| {
                        let label = w.ta("parts-confirm", &[("count", chosen.len().into())]);
                        if ui.button(label).clicked() {
                            actions.push(Action::DropParts);
                        }
                        if ui.button(w.t("cancel")).clicked() {
                            form.parts_confirm = false;
                        }
                    });
                });
            }
        });
}

//! A file chooser of the application's own: a folder field, the folder's
//! entries as buttons, and a file name field. It lists names only (it reads
//! no file, follows no link on its own, decodes no thumbnail) and needs no
//! portal, no D-Bus and no platform dialog.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::i18n::Words;
use super::plain;

/// At most this many entries are listed; the folder field narrows the rest.
const MAX_ENTRIES: usize = 300;

/// A chooser's state: the folder shown and the name chosen in it.
#[derive(Debug)]
pub struct Picker {
    pub dir: String,
    pub name: String,
    id: &'static str,
    entries: Option<(String, Vec<(String, bool)>)>,
}

impl Picker {
    pub fn new(id: &'static str, dir: &Path) -> Picker {
        Picker {
            dir: dir.display().to_string(),
            name: String::new(),
            id,
            entries: None,
        }
    }

    /// The path chosen: the name field, taken as it is if absolute, else in the folder.
    pub fn path(&self) -> Option<PathBuf> {
        let name = self.name.trim();
        if name.is_empty() {
            return None;
        }
        let p = Path::new(name);
        Some(if p.is_absolute() {
            p.to_path_buf()
        } else {
            Path::new(self.dir.trim()).join(p)
        })
    }

    /// Sets the full path (the folder and the name).
    pub fn set_path(&mut self, path: &Path) {
        if let Some(parent) = path.parent() {
            self.dir = parent.display().to_string();
        }
        self.name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }

    fn list(&mut self) -> &[(String, bool)] {
        let dir = self.dir.trim().to_owned();
        if self.entries.as_ref().is_none_or(|(d, _)| *d != dir) {
            let mut v: Vec<(String, bool)> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .filter_map(|e| {
                            let name = e.file_name().to_string_lossy().into_owned();
                            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                            (!name.starts_with('.')).then_some((name, is_dir))
                        })
                        .collect()
                })
                .unwrap_or_default();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(MAX_ENTRIES);
            self.entries = Some((dir, v));
        }
        self.entries.as_ref().map_or(&[], |(_, v)| v.as_slice())
    }

    /// Draws the chooser; `label` names the name field for screen readers.
    pub fn ui(&mut self, ui: &mut Ui, w: &Words, label: &str) {
        ui.horizontal(|ui| {
            let l = ui.label(w.t("picker-folder"));
            ui.add(
                egui::TextEdit::singleline(&mut self.dir)
                    .id_salt((self.id, "dir"))
                    .desired_width(420.0),
            )
            .labelled_by(l.id);
            if ui.button(w.t("picker-up")).clicked()
                && let Some(parent) = Path::new(self.dir.trim()).parent()
            {
                self.dir = parent.display().to_string();
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label(label);
            ui.add(
                egui::TextEdit::singleline(&mut self.name)
                    .id_salt((self.id, "name"))
                    .desired_width(420.0),
            )
            .labelled_by(l.id);
        });
        let mut go_into = None;
        let mut chosen = None;
        egui::ScrollArea::vertical()
            .id_salt((self.id, "entries"))
            .max_height(160.0)
            .show(ui, |ui| {
                let entries = self.list().to_vec();
                if entries.is_empty() {
                    ui.weak(w.t("picker-empty"));
                }
                for (name, is_dir) in entries {
                    let shown = if is_dir {
                        format!("{}/", plain(&name))
                    } else {
                        plain(&name).into_owned()
                    };
                    if ui.selectable_label(self.name == name, shown).clicked() {
                        if is_dir {
                            go_into = Some(name);
                        } else {
                            chosen = Some(name);
                        }
                    }
                }
            });
        if let Some(d) = go_into {
            self.dir = Path::new(self.dir.trim()).join(d).display().to_string();
        }
        if let Some(name) = chosen {
            self.name = name;
        }
    }
}

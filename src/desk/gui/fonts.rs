//! Fallback fonts for the scripts egui's bundled fonts lack (egui has Latin,
//! Greek, Cyrillic and emoji): reports arrive in Chinese and Arabic, and a
//! name or a quotation may be in any script.
//!
//! The fonts are found without fontconfig: the usual folders
//! ([`default_dirs`]) are walked for `.ttf`, `.otf`, `.ttc` and `.otc`
//! files, the well-known ones first ([`PREFERRED`]), and a file is kept
//! when its character map covers a script ([`SCRIPTS`]) that no font kept
//! before covers. A collection (`.ttc`) is read face by face: the face that
//! covers most is used, and among equals the Simplified Chinese one (the
//! reporter site's Chinese is zh-Hans). Files given with `--font` come
//! first and are always used.
//!
//! Font files are only read (their character map here, their outlines by
//! egui); nothing in them is executed, and a file that does not parse is
//! skipped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider, string::StringId};

/// The scripts looked for, each with characters a font must all have to
/// count as covering it.
pub const SCRIPTS: &[(&str, &str)] = &[
    ("arabic", "بشلا؟"),
    ("hebrew", "אשׁ"),
    ("han", "中文供应商報"),
    ("kana", "あアカ"),
    ("hangul", "한글"),
    ("devanagari", "कषि"),
    ("bengali", "কষ"),
    ("tamil", "கஷ"),
    ("thai", "กข"),
    ("armenian", "Աա"),
    ("georgian", "აბ"),
    ("ethiopic", "ሀለ"),
    ("greek", "Ωλ"),
    ("cyrillic", "ЖяЇ"),
];

/// Font files tried first, in this order, wherever they are under the
/// folders (Debian's names): small and broad before large and narrow.
pub const PREFERRED: &[&str] = &[
    "DejaVuSans.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansTamil-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansArmenian-Regular.ttf",
    "NotoSansGeorgian-Regular.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "FreeSans.ttf",
];

/// Words in a file name that mark a style other than the regular upright
/// one; such files are skipped in the walk (a `--font` may still name one).
const STYLED: &[&str] = &[
    "bold",
    "italic",
    "oblique",
    "light",
    "thin",
    "black",
    "medium",
    "semi",
    "extra",
    "heavy",
    "condensed",
    "mono",
    "math",
    "emoji",
    "color",
    "display",
    "ui-",
];

/// At most this many font files are read in a walk, and this many bytes.
const MAX_FILES: usize = 400;
const MAX_BYTES: u64 = 512 << 20;

/// A font face kept as a fallback.
#[derive(Clone)]
pub struct Found {
    pub path: PathBuf,
    /// The face in a collection (0 for a single font).
    pub index: u32,
    /// The [`SCRIPTS`] it was kept for (empty for a `--font` that covers
    /// none the others lacked).
    pub scripts: Vec<&'static str>,
    bytes: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Found({}#{}, {:?})",
            self.path.display(),
            self.index,
            self.scripts
        )
    }
}

/// The usual font folders: the system's, the local administrator's and
/// the user's (`$XDG_DATA_HOME/fonts` or `~/.local/share/fonts`, `~/.fonts`).
pub fn default_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        Some(d) => dirs.push(PathBuf::from(d).join("fonts")),
        None => {
            if let Some(h) = &home {
                dirs.push(h.join(".local/share/fonts"));
            }
        }
    }
    if let Some(h) = &home {
        dirs.push(h.join(".fonts"));
    }
    dirs
}

/// The fallback fonts: each of `given` (an error names one that cannot be
/// read or is not a font), then from `dirs` a face for each script still
/// uncovered, as long as one is found.
pub fn find(given: &[PathBuf], dirs: &[PathBuf]) -> Result<Vec<Found>, String> {
    let mut uncovered: Vec<&'static str> = SCRIPTS.iter().map(|(s, _)| *s).collect();
    let mut found = Vec::new();
    for path in given {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read the font {}: {e}", path.display()))?;
        let Some((index, scripts)) = best_face(&bytes, &uncovered) else {
            return Err(format!(
                "{} is not a font file this window can use",
                path.display()
            ));
        };
        uncovered.retain(|s| !scripts.contains(s));
        found.push(Found {
            path: path.clone(),
            index,
            scripts,
            bytes: Arc::new(bytes),
        });
    }
    let mut files = Vec::new();
    for dir in dirs {
        walk(dir, 0, &mut files);
    }
    files.sort_by_key(|p| {
        let name = file_name(p);
        let rank = PREFERRED
            .iter()
            .position(|n| *n == name)
            .unwrap_or(PREFERRED.len());
        (rank, name.to_owned(), p.clone())
    });
    files.dedup_by(|a, b| file_name(a) == file_name(b));
    let (mut read, mut bytes_read) = (0usize, 0u64);
    for path in files {
        if uncovered.is_empty() || read >= MAX_FILES || bytes_read >= MAX_BYTES {
            break;
        }
        let preferred = PREFERRED.contains(&file_name(&path));
        if !preferred && is_styled(file_name(&path)) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        read += 1;
        bytes_read += bytes.len() as u64;
        if let Some((index, scripts)) = best_face(&bytes, &uncovered)
            && !scripts.is_empty()
        {
            uncovered.retain(|s| !scripts.contains(s));
            found.push(Found {
                path,
                index,
                scripts,
                bytes: Arc::new(bytes),
            });
        }
    }
    Ok(found)
}

fn file_name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn is_styled(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    STYLED.iter().any(|w| lower.contains(w))
}

/// Font files under `dir` (not following links to folders, 8 levels deep).
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 8 || out.len() > 50_000 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, depth + 1, out);
        } else {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                out.push(path);
            }
        }
    }
}

/// The face of a font file that covers most of `wanted`, with those
/// scripts; `None` if the file is not a font.
pub fn best_face(bytes: &[u8], wanted: &[&'static str]) -> Option<(u32, Vec<&'static str>)> {
    let faces: Vec<(u32, FontRef<'_>)> = match FileRef::new(bytes).ok()? {
        FileRef::Font(f) => vec![(0, f)],
        FileRef::Collection(c) => (0..c.len()).filter_map(|i| Some((i, c.get(i).ok()?))).collect(),
    };
    let mut best: Option<(u32, Vec<&'static str>, bool)> = None;
    for (index, face) in faces {
        let charmap = face.charmap();
        let scripts: Vec<&'static str> = SCRIPTS
            .iter()
            .filter(|(s, _)| wanted.contains(s))
            .filter(|(_, sample)| sample.chars().all(|c| charmap.map(c).is_some()))
            .map(|(s, _)| *s)
            .collect();
        let simplified = family(&face).is_some_and(|n| n.ends_with(" SC"));
        let better = match &best {
            None => true,
            Some((_, b, b_sc)) => {
                scripts.len() > b.len() || (scripts.len() == b.len() && simplified && !b_sc)
            }
        };
        if better {
            best = Some((index, scripts, simplified));
        }
    }
    best.map(|(i, s, _)| (i, s))
}

fn family(face: &FontRef<'_>) -> Option<String> {
    let name = face.localized_strings(StringId::FAMILY_NAME).english_or_first()?;
    Some(name.chars().collect())
}

/// egui's fonts with `found` behind them, for both families.
pub fn definitions(found: &[Found]) -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    for f in found {
        let name = format!("{}#{}", f.path.display(), f.index);
        let data = egui::FontData::from_blob(f.bytes.clone(), f.index);
        fonts.font_data.insert(name.clone(), Arc::new(data));
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            if let Some(list) = fonts.families.get_mut(&family) {
                list.push(name.clone());
            }
        }
    }
    fonts
}

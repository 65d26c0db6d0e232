//! Right-to-left text and layout. egui lays every line out left to right,
//! one glyph per character, without joining Arabic letters; so text with
//! Arabic or Hebrew in it is prepared before egui sees it:
//!
//! 1. Arabic letters become their contextual presentation forms (initial,
//!    medial, final, isolated; lam-alef ligatures), in logical order
//!    (`ar-reshaper`);
//! 2. each line is put in display order by the Unicode bidi algorithm
//!    (`unicode-bidi`), mirroring brackets in right-to-left runs.
//!
//! The window's own words in a right-to-left language get a right-to-left
//! paragraph direction; text from a reporter or the server gets the
//! direction of its first strong letter, and is escaped first
//! ([`super::plain`]): a bidi control in it (U+202E and the others) is
//! shown as `\u{202e}` and takes no effect, since the algorithm only sees
//! the letters.
//!
//! What egui wraps is wrapped before it is reordered ([`paragraph`]), so
//! the lines of a long right-to-left paragraph stay in reading order.
//!
//! Limits: the accessibility tree gets the text in display order with
//! presentation forms, which a screen reader may read less well than the
//! logical text; marks over letters (harakat) are drawn beside them.

use egui::{Align, Layout, Ui};
use unicode_bidi::{BidiInfo, Level};

/// Whether `c` belongs to a right-to-left script (Hebrew, Arabic, Syriac,
/// Thaana, N'Ko and their presentation forms).
pub fn is_rtl_char(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}')
}

/// Whether `s` has any right-to-left letter (if not, it is shown as is).
pub fn has_rtl(s: &str) -> bool {
    s.chars().any(is_rtl_char)
}

/// Arabic letters joined: their presentation forms, in logical order.
pub fn shape(s: &str) -> String {
    if s.chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}'))
    {
        ar_reshaper::reshape_line(s)
    } else {
        s.to_owned()
    }
}

/// The bracket a right-to-left run shows instead of `c`.
fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        c => c,
    }
}

/// One line (no line break in it) in display order, already shaped.
/// `rtl`: the paragraph's direction, or `None` for that of its first
/// strong letter.
fn order(line: &str, rtl: Option<bool>) -> String {
    let level = rtl.map(|r| if r { Level::rtl() } else { Level::ltr() });
    let info = BidiInfo::new(line, level);
    let Some(para) = info.paragraphs.first() else {
        return line.to_owned();
    };
    let (levels, runs) = info.visual_runs(para, para.range.clone());
    let mut out = String::with_capacity(line.len());
    for run in runs {
        let text = &line[run.clone()];
        if levels.get(run.start).is_some_and(|l| l.is_rtl()) {
            out.extend(text.chars().rev().map(mirror));
        } else {
            out.push_str(text);
        }
    }
    // The marks that did their work above are not drawn (egui would show
    // boxes). Text from a reporter has none left: it was escaped before.
    out.retain(|c| !is_bidi_mark(c));
    out
}

/// The invisible bidi marks and controls (the window's own text uses the
/// isolates Fluent puts around placeables).
fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a line's first strong letter is right-to-left.
fn starts_rtl(line: &str) -> bool {
    let info = BidiInfo::new(line, None);
    info.paragraphs.first().is_some_and(|p| p.level.is_rtl())
}

/// `s` shaped and in display order, line by line (for text egui does not
/// wrap: a label's own words, a short field).
pub fn visual(s: &str, rtl: Option<bool>) -> String {
    if !has_rtl(s) && rtl != Some(true) {
        return s.to_owned();
    }
    s.split('\n')
        .map(|line| order(&shape(line), rtl))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The layout of a panel in a language of direction `rtl`: top to bottom,
/// and rows (`ui.horizontal`) from the right when right-to-left.
pub fn panel_layout(rtl: bool) -> Layout {
    Layout::top_down(if rtl { Align::Max } else { Align::Min })
}

/// A wrapped paragraph of text from a reporter or the server: escaped
/// ([`super::plain`]), shaped, wrapped at the width available, then each
/// line put in display order and aligned to its side.
pub fn paragraph(ui: &mut Ui, text: &str) -> egui::Response {
    let safe = super::plain(text);
    if !has_rtl(&safe) {
        return ui.add(egui::Label::new(safe.as_ref()).wrap().selectable(true));
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = ui.available_width().max(40.0);
    let color = ui.visuals().text_color();
    let mut lines = Vec::new();
    let mut any_rtl = false;
    for hard in safe.split('\n') {
        let rtl = starts_rtl(hard);
        any_rtl |= rtl;
        let shaped = shape(hard);
        let galley = ui.fonts_mut(|f| f.layout(shaped, font.clone(), color, width));
        for row in &galley.rows {
            lines.push(order(&row.text(), Some(rtl)));
        }
    }
    let label = egui::Label::new(lines.join("\n")).selectable(true).extend();
    if any_rtl {
        ui.with_layout(Layout::top_down(Align::Max), |ui| {
            ui.add(label.halign(Align::Max))
        })
        .inner
    } else {
        ui.add(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_joined_and_reversed() {
        // "سلام" (peace): four letters, joined (lam and alef as one
        // ligature), shown right to left.
        let shown = visual("سلام", Some(true));
        assert!(
            shown.chars().all(|c| ('\u{FE70}'..='\u{FEFF}').contains(&c)),
            "{shown:?}"
        );
        assert_eq!(shown.chars().count(), 3);
        // The first letter (seen) is drawn last, in its initial form.
        assert_eq!(shown.chars().last(), Some('\u{FEB3}'));
    }

    #[test]
    fn isolated_dates_and_latin_keep_their_order_inside_arabic() {
        // The catalogue's placeables come isolated (FSI … PDI): a date
        // stays a date, and the marks themselves are not drawn.
        let shown = visual("الحالة \u{2068}2026-12-07\u{2069} ABC", Some(true));
        assert!(shown.contains("2026-12-07"), "{shown:?}");
        assert!(shown.starts_with("ABC"), "{shown:?}");
        assert!(!shown.contains(['\u{2068}', '\u{2069}']), "{shown:?}");
    }

    #[test]
    fn latin_text_is_untouched() {
        assert_eq!(visual("Inbox (3)", None), "Inbox (3)");
        assert_eq!(visual("a\u{202E}b", None), "a\u{202E}b");
    }

    #[test]
    fn brackets_are_mirrored_in_right_to_left_runs() {
        let shown = visual("(أ)", Some(true));
        assert_eq!(shown, "(\u{FE83})");
    }
}

//! Right-to-left text and layout. egui 0.37 shapes text with HarfRust, one
//! run per font: an Arabic or Hebrew word (its letters come from a fallback
//! font, [`super::fonts`]) is joined and drawn right to left, but the runs
//! themselves are placed left to right, and a space or a digit (from egui's
//! own font) ends a run. So a line in display order is prepared here:
//!
//! 1. the Unicode bidi algorithm (`unicode-bidi`) puts the line's
//!    characters in display order, the paragraph direction being the
//!    window's (right to left in Arabic) for its own words, and that of the
//!    first strong letter for text from a reporter or the server; brackets
//!    in right-to-left runs are mirrored;
//! 2. each stretch of right-to-left letters is turned back to reading
//!    order, since egui's shaper reverses it again when it joins the
//!    letters.
//!
//! Text from a reporter or the server is escaped first ([`super::plain`]):
//! a bidi control in it (U+202E and the others) is shown as `\u{202e}` and
//! takes no effect, since the algorithm only sees the letters.
//!
//! Long text is wrapped before it is reordered ([`paragraph`]), so the
//! lines of a right-to-left paragraph stay in reading order; the window's
//! own words are short enough not to wrap in a window of usual width (the
//! Arabic catalogue breaks its long sentences into lines).
//!
//! A screen reader gets the text in reading order: egui names widgets by
//! the text they draw, so [`Spoken`] puts back, in each frame's
//! accessibility update, the reading order of every text prepared here.

use std::cell::RefCell;
use std::collections::HashMap;

use egui::{Align, Layout, Ui};
use unicode_bidi::{BidiInfo, Level};

thread_local! {
    /// Text prepared for display this session, by what was prepared: the
    /// text in reading order, for screen readers ([`Spoken`]).
    static SPOKEN: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Remembers that `shown` is `logical` in reading order.
fn remember(shown: &str, logical: &str) {
    if shown == logical {
        return;
    }
    SPOKEN.with(|m| {
        let mut m = m.borrow_mut();
        // The window's words and the cases on screen; a long session
        // starts over rather than grow.
        if m.len() > 8192 {
            m.clear();
        }
        let mut logical = logical.to_owned();
        logical.retain(|c| !is_bidi_mark(c));
        m.insert(shown.to_owned(), logical);
    });
}

/// Forgets every text remembered for screen readers (at lock: it held
/// reports).
pub fn forget() {
    SPOKEN.with(|m| m.borrow_mut().clear());
}

/// The text in reading order for what is shown, if it was reordered here.
pub fn spoken(shown: &str) -> Option<String> {
    SPOKEN.with(|m| m.borrow().get(shown).cloned())
}

/// Gives screen readers the text in reading order: egui names a widget by
/// the text it draws, which here is in display order. Runs on every
/// frame's accessibility update (an egui plugin), on the window's thread.
#[derive(Debug, Default)]
pub struct Spoken;

impl egui::Plugin for Spoken {
    fn debug_name(&self) -> &'static str {
        "candor-spoken-text"
    }

    fn output_hook(&mut self, _ctx: &egui::Context, output: &mut egui::FullOutput) {
        let Some(update) = output.platform_output.accesskit_update.as_mut() else {
            return;
        };
        for (_, node) in &mut update.nodes {
            if let Some(text) = node.label().and_then(spoken) {
                node.set_label(text);
            }
            if let Some(text) = node.value().and_then(spoken) {
                node.set_value(text);
            }
        }
    }
}

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

/// One line (no line break in it) in display order, then each stretch of
/// right-to-left letters back in reading order for egui's shaper.
/// `rtl`: the paragraph's direction, or `None` for that of its first
/// strong letter.
fn order(line: &str, rtl: Option<bool>) -> String {
    let level = rtl.map(|r| if r { Level::rtl() } else { Level::ltr() });
    let info = BidiInfo::new(line, level);
    let Some(para) = info.paragraphs.first() else {
        return line.to_owned();
    };
    let (levels, runs) = info.visual_runs(para, para.range.clone());
    let mut shown: Vec<char> = Vec::with_capacity(line.len());
    for run in runs {
        let text = &line[run.clone()];
        if levels.get(run.start).is_some_and(|l| l.is_rtl()) {
            shown.extend(text.chars().rev().map(mirror));
        } else {
            shown.extend(text.chars());
        }
    }
    // The marks that did their work above are not drawn (egui would show
    // boxes). Text from a reporter has none left: it was escaped before.
    shown.retain(|c| !is_bidi_mark(*c));
    for stretch in shown.split_mut(|c| !is_rtl_char(*c)) {
        stretch.reverse();
    }
    shown.into_iter().collect()
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

/// Text escaped by [`super::plain`] with each `\u{…}` it wrote isolated
/// left to right (LRI … PDI, dropped again by [`visual`]), so that the
/// escape reads as one piece wherever it stands.
pub fn isolate_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(start) = rest.find("\\u{") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('\u{2066}');
        out.push_str(&rest[start..=start + len]);
        out.push('\u{2069}');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `s` in display order for egui, line by line (for text egui does not
/// wrap: a label's own words, a short field).
pub fn visual(s: &str, rtl: Option<bool>) -> String {
    if !has_rtl(s) && rtl != Some(true) {
        return s.to_owned();
    }
    let shown = s
        .split('\n')
        .map(|line| order(line, rtl))
        .collect::<Vec<_>>()
        .join("\n");
    remember(&shown, s);
    shown
}

/// The layout of a panel in a language of direction `rtl`: top to bottom,
/// and rows (`ui.horizontal`) from the right when right-to-left.
pub fn panel_layout(rtl: bool) -> Layout {
    Layout::top_down(if rtl { Align::Max } else { Align::Min })
}

/// A wrapped paragraph of text from a reporter or the server: escaped
/// ([`super::plain`]), wrapped at the width available (at spaces, measured
/// with egui's fonts), then each line put in display order and aligned to
/// the side its first strong letter reads from.
pub fn paragraph(ui: &mut Ui, text: &str) -> egui::Response {
    let safe = super::terminal::escape(text);
    if !has_rtl(&safe) {
        return ui.add(egui::Label::new(safe.as_ref()).wrap().selectable(true));
    }
    let safe = isolate_escapes(&safe);
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = ui.available_width().min(ui.clip_rect().width()).max(40.0);
    let measure = |s: &str| {
        ui.fonts_mut(|f| f.layout_no_wrap(s.to_owned(), font.clone(), egui::Color32::WHITE))
            .size()
            .x
    };
    let (lines, first_rtl) = wrap(&safe, width, measure);
    let shown = lines.join("\n");
    remember(&shown, &safe);
    let label = egui::Label::new(shown).selectable(true).extend();
    if first_rtl {
        ui.with_layout(Layout::top_down(Align::Max), |ui| {
            ui.add(label.halign(Align::Max))
        })
        .inner
    } else {
        // Where the window's layout puts it (a scroll area in a
        // right-to-left layout has no left edge to align to).
        ui.add(label.halign(Align::Min))
    }
}

/// `text` (escaped) cut into lines no wider than `width` as `measure`
/// measures, at spaces or, in a word wider than a line, between
/// characters; each line then put in display order with its paragraph's
/// direction. Also: whether the first paragraph is right to left.
fn wrap(text: &str, width: f32, mut measure: impl FnMut(&str) -> f32) -> (Vec<String>, bool) {
    let space = measure(" ");
    let mut lines = Vec::new();
    let mut first_rtl = None;
    for hard in text.split('\n') {
        let rtl = starts_rtl(hard);
        first_rtl.get_or_insert(rtl);
        let (mut line, mut used) = (String::new(), 0.0);
        for word in hard.split(' ') {
            let w = measure(word);
            if !line.is_empty() && used + space + w > width {
                lines.push(order(&line, Some(rtl)));
                line.clear();
                used = 0.0;
            }
            if !line.is_empty() {
                line.push(' ');
                used += space;
            }
            if w <= width {
                line.push_str(word);
                used += w;
                continue;
            }
            // Wider than the line (Chinese has no spaces; a long link):
            // broken between characters.
            for c in word.chars() {
                let cw = measure(c.encode_utf8(&mut [0; 4]));
                if !line.is_empty() && used + cw > width {
                    lines.push(order(&line, Some(rtl)));
                    line.clear();
                    used = 0.0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(order(&line, Some(rtl)));
    }
    (lines, first_rtl.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_paragraph_is_wrapped_then_ordered() {
        // One unit per character: "aaa bbb ccc ddd" in Arabic letters,
        // 8 wide. The first words go on the first line, at its right end.
        let (lines, rtl) = wrap("ببب تتت ثثث ججج", 8.0, |s| s.chars().count() as f32);
        assert!(rtl);
        assert_eq!(lines, ["تتت ببب", "ججج ثثث"]);
        // A word wider than the line is cut between characters.
        let (lines, _) = wrap("ب 一二三四五六七八九十", 4.0, |s| {
            s.chars().count() as f32
        });
        assert_eq!(lines, ["ب", "一二三四", "五六七八", "九十"]);
    }

    #[test]
    fn the_words_of_an_arabic_line_go_right_to_left() {
        // egui joins and reverses each word itself; the words' order is ours.
        assert_eq!(visual("فتح خزنة المكتب", Some(true)), "المكتب خزنة فتح");
        // One word is left for egui alone.
        assert_eq!(visual("سلام", Some(true)), "سلام");
    }

    #[test]
    fn isolated_dates_and_latin_keep_their_order_inside_arabic() {
        // The catalogue's placeables come isolated (FSI … PDI): a date
        // stays a date, and the marks themselves are not drawn.
        let shown = visual("الحالة \u{2068}2026-12-07\u{2069} ABC", Some(true));
        assert_eq!(shown, "ABC 2026-12-07 الحالة");
    }

    #[test]
    fn arabic_inside_a_latin_line_reads_right_to_left() {
        assert_eq!(visual("case سلام عليكم ok", None), "case عليكم سلام ok");
        // A line that starts with Arabic is a right-to-left line.
        assert_eq!(visual("سلام 12 ok", None), "ok 12 سلام");
    }

    #[test]
    fn an_escaped_control_reads_as_one_piece_inside_arabic() {
        let escaped = crate::desk::terminal::escape("رقم \u{202E}INV-4471 هو");
        assert_eq!(escaped, "رقم \\u{202e}INV-4471 هو");
        let shown = visual(&isolate_escapes(&escaped), None);
        // Read from the right: the number word, the control as written
        // (whole), the invoice id, then "is"; the override reversed nothing.
        assert_eq!(shown, "هو INV-4471\\u{202e} رقم");
    }

    #[test]
    fn screen_readers_get_the_reading_order_until_the_lock() {
        let shown = visual("فتح \u{2068}K7Q2\u{2069} المكتب", Some(true));
        assert_eq!(spoken(&shown).as_deref(), Some("فتح K7Q2 المكتب"));
        forget();
        assert_eq!(spoken(&shown), None);
    }

    #[test]
    fn latin_text_is_untouched() {
        assert_eq!(visual("Inbox (3)", None), "Inbox (3)");
        assert_eq!(visual("a\u{202E}b", None), "a\u{202E}b");
    }

    #[test]
    fn brackets_are_mirrored_in_right_to_left_runs() {
        assert_eq!(visual("أ (ب)", Some(true)), "(ب) أ");
    }
}

//! What the desk prints is text, never instructions to the officer's terminal.
//!
//! Everything the desk shows came from a reporter or through the server, and
//! either may be hostile: an escape sequence in a report could erase lines,
//! move the cursor over a warning, set the window title, write the officer's
//! clipboard (OSC 52) or hide text (conceal); a bidi override in a file name
//! makes `invoice<U+202E>fdp.sh` read as `invoicehs.pdf`. So:
//!
//! - [`escape`] shows every C0 and C1 control (but newline and tab), DEL,
//!   every Unicode format character (general category Cf: bidi embeddings,
//!   overrides and isolates, zero-width characters, the soft hyphen, …) and
//!   the line and paragraph separators as `\u{…}`. Every line of text the
//!   desk prints (tables, warnings, errors) goes through it.
//! - [`json`] writes the same characters as JSON `\u` escapes, so `--json`
//!   output parses to exactly the stored strings and still drives nothing.
//! - [`is_format`] lets extracted file names drop format characters.
//!
//! # Invariants
//!
//! - The output of [`escape`] contains no character [`needs_escape`] names,
//!   and escaping it again changes nothing.
//! - [`json`] changes only how a string is written, never what it parses to.

use std::borrow::Cow;

/// Unicode general category Cf (format characters), as of Unicode 15.1.
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// A Unicode format character (category Cf): bidi controls, zero-width
/// joiners and spaces, the soft hyphen, tags, …
pub fn is_format(c: char) -> bool {
    let c = c as u32;
    FORMAT.iter().any(|&(lo, hi)| lo <= c && c <= hi)
}

/// A character that must not reach a terminal as it is.
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_format(c) || c == '\u{2028}' || c == '\u{2029}'
}

/// `s` with every character [`needs_escape`] names written as `\u{hex}`.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text (as serde_json writes it) with every character
/// [`needs_escape`] names written as a JSON `\u` escape (a surrogate pair
/// beyond the BMP). Such characters occur only inside strings, where the
/// escape means the same character.
pub fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut units = [0u16; 2];
    for c in text.chars() {
        if needs_escape(c) {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_controls_are_shown_not_obeyed() {
        assert_eq!(escape("plain\ttext\nnext"), "plain\ttext\nnext");
        assert_eq!(escape("a\u{1b}[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(escape("x\u{9b}31m\r"), "x\\u{9b}31m\\u{d}");
        assert_eq!(escape("invoice\u{202e}fdp.sh"), "invoice\\u{202e}fdp.sh");
        assert_eq!(escape("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(escape("\u{7f}\u{ad}\u{2028}"), "\\u{7f}\\u{ad}\\u{2028}");
        assert_eq!(escape("تقرير 报告 отчёт"), "تقرير 报告 отчёт");
    }

    #[test]
    fn json_keeps_the_strings_exact() {
        let s = "a\u{1b}]52;c;aGk=\u{7}\u{9b}\u{202e}\u{e0041}\u{2028}\"\\";
        let text = serde_json::to_string(&serde_json::json!({ "text": s })).expect("json");
        let safe = json(&text);
        assert!(!safe.chars().any(needs_escape), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("parse");
        assert_eq!(back["text"], s);
    }

    proptest! {
        #[test]
        fn escaped_text_carries_no_control_and_is_stable(s in "\\PC*|[\\x00-\\x{a0}\\x{2000}-\\x{2070}]*") {
            let once = escape(&s).into_owned();
            prop_assert!(!once.chars().any(needs_escape));
            prop_assert_eq!(escape(&once).into_owned(), once);
        }

        #[test]
        fn json_round_trips(s in any::<String>()) {
            let text = serde_json::to_string(&s).expect("json");
            let safe = json(&text);
            prop_assert!(!safe.chars().any(needs_escape));
            let back: String = serde_json::from_str(&safe).expect("parse");
            prop_assert_eq!(back, s);
        }
    }
}

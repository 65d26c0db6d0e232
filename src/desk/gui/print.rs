//! Printing a receipt on the desk's own printer, with no networking crate.
//!
//! [`receipt_page`] writes one PostScript page (the receipt large, in
//! Courier, and the reporter's instructions in the window's language) into
//! memory; [`send`] pipes it to the local print system's `lp` (CUPS), or
//! `lpr` where there is no `lp`, on its standard input. The page is never
//! written to a file by this program: the receipt is a secret. (The print
//! system spools the job until it is printed; `docs/officer.md` says how to
//! make CUPS keep no copy afterwards.)
//!
//! PostScript rather than PDF: every CUPS installation takes it, and a page
//! of text in the printer's built-in fonts needs no font embedding. Text is
//! re-encoded to ISO Latin-1 (enough for English and French); a character
//! outside it prints as `?`, never as PostScript code.

use std::io::Write;
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use super::Notice;
use super::i18n::Words;

/// What goes on the page, already in the window's language.
#[derive(Debug)]
pub struct Slip<'a> {
    pub title: &'a str,
    /// The receipt code (printed large).
    pub receipt: &'a str,
    /// Paragraphs before the receipt.
    pub before: &'a [String],
    /// Paragraphs after the receipt.
    pub after: &'a [String],
}

/// Why a page did not reach the printer.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Neither `lp` nor `lpr` is on this machine.
    #[error("no print system: neither lp nor lpr was found")]
    NoPrintSystem,
    /// The print command ran and refused the job (no printer, printer
    /// stopped…); its own message.
    #[error("{program}: {message}")]
    Refused { program: &'static str, message: String },
}

/// The page size the layout fits in: A4's width and US Letter's height, so
/// that either paper takes it.
const WIDTH: f64 = 595.0;
const HEIGHT: f64 = 792.0;
const MARGIN: f64 = 60.0;
const BODY: f64 = 13.0;
const LEADING: f64 = 17.0;

/// One PostScript page holding `slip`, in memory (wiped when dropped).
pub fn receipt_page(slip: &Slip<'_>) -> Zeroizing<Vec<u8>> {
    let mut ps = String::new();
    ps.push_str("%!PS-Adobe-3.0\n%%Title: candor-desk\n%%Pages: 1\n%%EndComments\n");
    // Helvetica and Courier with the Latin-1 encoding (French accents).
    for (name, base) in [
        ("F", "Helvetica"),
        ("FB", "Helvetica-Bold"),
        ("FM", "Courier-Bold"),
    ] {
        ps.push_str(&format!(
            "/{name} /{base} findfont dup length dict begin {{1 index /FID ne {{def}} {{pop pop}} ifelse}} forall \
             /Encoding ISOLatin1Encoding def currentdict end definefont pop\n"
        ));
    }
    ps.push_str("%%Page: 1 1\n");
    let mut y = HEIGHT - MARGIN;
    let line = |ps: &mut String, font: &str, size: f64, x: f64, y: f64, text: &str| {
        ps.push_str(&format!(
            "/{font} {size:.1} selectfont {x:.1} {y:.1} moveto ({}) show\n",
            ps_string(text)
        ));
    };
    line(&mut ps, "FB", 20.0, MARGIN, y, slip.title);
    y -= 34.0;
    let columns = ((WIDTH - 2.0 * MARGIN) / (BODY * 0.5)) as usize;
    for p in slip.before {
        for l in wrap(p, columns) {
            line(&mut ps, "F", BODY, MARGIN, y, &l);
            y -= LEADING;
        }
        y -= LEADING / 2.0;
    }
    // The receipt as large as the width allows (Courier: 0.6 em a letter),
    // in a box.
    let chars = slip.receipt.chars().count().max(1) as f64;
    let size = ((WIDTH - 2.0 * MARGIN - 24.0) / (chars * 0.6)).min(36.0);
    y -= size + 12.0;
    ps.push_str(&format!(
        "2 setlinewidth {:.1} {:.1} {:.1} {:.1} rectstroke\n",
        MARGIN,
        y - 14.0,
        WIDTH - 2.0 * MARGIN,
        size + 28.0
    ));
    line(&mut ps, "FM", size, MARGIN + 12.0, y, slip.receipt);
    y -= 14.0 + 30.0;
    for p in slip.after {
        for l in wrap(p, columns) {
            line(&mut ps, "F", BODY, MARGIN, y, &l);
            y -= LEADING;
        }
        y -= LEADING / 2.0;
    }
    ps.push_str("showpage\n%%EOF\n");
    Zeroizing::new(ps.into_bytes())
}

/// `text` as the inside of a PostScript string: Latin-1 bytes, with
/// parentheses, backslashes and everything outside printable ASCII escaped.
fn ps_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{202f}' => ' ',
            c => c,
        };
        match u32::from(c) {
            // ISO Latin-1's 0x2D is the minus sign; its hyphen is at 0xAD.
            0x2d => out.push_str("\\255"),
            0x28 | 0x29 | 0x5c => {
                out.push('\\');
                out.push(c);
            }
            0x20..=0x7e => out.push(c),
            0xa0..=0xff => out.push_str(&format!("\\{:03o}", u32::from(c))),
            _ if c == '\u{2026}' => out.push_str("..."),
            _ => out.push('?'),
        }
    }
    out
}

/// Words of `text` in lines of at most `columns` characters.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > columns {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The page for `receipt`, with the reporter's instructions in the
/// window's language.
pub(super) fn receipt_page_in(w: &Words, receipt: &str, site: Option<&str>) -> Zeroizing<Vec<u8>> {
    let follow = match site.map(str::trim).filter(|s| !s.is_empty()) {
        Some(site) => w.ta(
            "print-site",
            &[(
                "site",
                format!("{}/followup", site.trim_end_matches('/')).as_str().into(),
            )],
        ),
        None => w.t("print-no-site"),
    };
    let before = [w.t("print-intro")];
    let after = [follow, w.t("print-lost")];
    let title = w.t("print-title");
    receipt_page(&Slip {
        title: &title,
        receipt,
        before: &before,
        after: &after,
    })
}

/// What [`send`] did, as a notice in the window's language.
pub(super) fn said(w: &Words, sent: Result<&'static str, PrintError>) -> Notice {
    match sent {
        Ok(program) => Notice {
            ok: true,
            text: w.ta("notice-printed", &[("program", program.into())]),
        },
        Err(PrintError::NoPrintSystem) => Notice {
            ok: false,
            text: w.t("err-no-printer"),
        },
        Err(PrintError::Refused { program, message }) => Notice {
            ok: false,
            text: format!(
                "{} {program}: {}",
                w.t("err-print-refused"),
                super::plain(&message)
            ),
        },
    }
}

/// How long `lp` may take to accept a job.
const PRINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Pipes `page` to `lp` (or `lpr`, found on PATH) for the default
/// printer; returns the program that took it.
pub fn send(page: &[u8]) -> Result<&'static str, PrintError> {
    // A neutral job title: the print system's history names no case.
    for (program, args) in [("lp", ["-t", "candor-desk"]), ("lpr", ["-T", "candor-desk"])] {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = match command.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(PrintError::Refused {
                    program,
                    message: e.to_string(),
                });
            }
        };
        let written = child.stdin.take().map(|mut stdin| stdin.write_all(page));
        // A print system that does not answer (a wedged spooler) must not
        // keep the window busy, and so unlocked, for ever.
        let started = std::time::Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < PRINT_TIMEOUT => {
                    std::thread::sleep(std::time::Duration::from_millis(50))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PrintError::Refused {
                        program,
                        message: format!("no answer in {} s", PRINT_TIMEOUT.as_secs()),
                    });
                }
                Err(e) => {
                    return Err(PrintError::Refused {
                        program,
                        message: e.to_string(),
                    });
                }
            }
        };
        let mut stderr = Vec::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = std::io::Read::read_to_end(&mut err, &mut stderr);
        }
        let out = std::process::Output {
            status,
            stdout: Vec::new(),
            stderr,
        };
        let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return match written {
            Some(Ok(())) if out.status.success() => Ok(program),
            Some(Err(e)) if message.is_empty() => Err(PrintError::Refused {
                program,
                message: e.to_string(),
            }),
            _ if message.is_empty() => Err(PrintError::Refused {
                program,
                message: out.status.to_string(),
            }),
            _ => Err(PrintError::Refused { program, message }),
        };
    }
    Err(PrintError::NoPrintSystem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_the_receipt_large_and_the_words_in_latin_1() {
        let before = ["Gardez ce code secret (il n’est affiché qu’une fois).".to_owned()];
        let after = ["Site : http://example.onion/followup \\ fin".to_owned()];
        let page = receipt_page(&Slip {
            title: "Votre reçu",
            receipt: "ABCDE-FGHJK-LMNPQ-RSTVW-XYZ23",
            before: &before,
            after: &after,
        });
        let text = String::from_utf8(page.to_vec()).expect("ASCII");
        assert!(text.starts_with("%!PS-Adobe-3.0\n"));
        assert!(text.ends_with("showpage\n%%EOF\n"));
        // 29 letters of Courier across the printable width: 25.9 pt.
        assert!(text.contains("/FM 25.9 selectfont"), "{text}");
        assert!(
            text.contains("(ABCDE\\255FGHJK\\255LMNPQ\\255RSTVW\\255XYZ23) show"),
            "{text}"
        );
        assert!(text.contains("(Votre re\\347u) show"), "{text}");
        assert!(text.contains("\\(il n'est affich\\351 qu'une fois\\)."), "{text}");
        assert!(text.contains("followup \\\\ fin"), "{text}");
        assert!(text.is_ascii());
    }

    #[test]
    fn text_cannot_become_postscript() {
        assert_eq!(ps_string(") show (x"), "\\) show \\(x");
        assert_eq!(ps_string("a\nb\u{202e}c漢"), "a?b?c?");
    }

    #[test]
    fn long_paragraphs_wrap() {
        let lines = wrap(&"word ".repeat(60), 70);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= 70));
    }
}

//! The desktop application's words: Fluent catalogues (`i18n/*.ftl`), the
//! format of the reporter site's catalogues, compiled into the binary.
//! English is complete and the fallback of every other language; a key
//! missing everywhere shows as itself, so a gap is visible, never a panic.
//!
//! Only the application's own words come from here. What a reporter or the
//! server wrote is never a catalogue argument that Fluent could interpret:
//! it is shown beside the words, as plain text.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the application speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    /// The language's own name, for the language menu.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
        }
    }

    fn catalogue(self) -> &'static str {
        match self {
            Lang::En => include_str!("i18n/en.ftl"),
            Lang::Fr => include_str!("i18n/fr.ftl"),
            Lang::Ar => include_str!("i18n/ar.ftl"),
        }
    }

    /// Whether the language is written right to left: its words are put
    /// in display order ([`super::rtl`]) and the layout is mirrored.
    pub fn is_rtl(self) -> bool {
        matches!(self, Lang::Ar)
    }

    /// The language of a locale name such as `fr_FR.UTF-8` (English if none matches).
    pub fn from_locale(locale: &str) -> Lang {
        let code = locale.split(['_', '-', '.', '@']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
            .unwrap_or_default()
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // The isolation marks Fluent puts around arguments: not for a
    // left-to-right language (egui would draw nothing for them, but they
    // would be in the accessibility tree); a right-to-left language keeps
    // them, so that a date or a case id keeps its order inside Arabic, and
    // `rtl::visual` drops them once used.
    bundle.set_use_isolating(lang.is_rtl());
    // A catalogue with errors still yields the messages that parsed; the
    // catalogue test insists there are none.
    let resource = match FluentResource::try_new(lang.catalogue().to_owned()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    let _ = bundle.add_resource(resource);
    bundle
}

/// The words of one language, with English behind them.
pub struct Words {
    pub lang: Lang,
    main: FluentBundle<FluentResource>,
    fallback: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Words({})", self.lang.code())
    }
}

impl Words {
    pub fn new(lang: Lang) -> Words {
        Words {
            lang,
            main: bundle(lang),
            fallback: bundle(Lang::En),
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let text = self.logical(key, args);
        if self.lang.is_rtl() && self.main.has_message(key) {
            // A right-to-left language's own words are put in display
            // order here, once; English behind it is not.
            super::rtl::visual(&text, Some(true))
        } else {
            text
        }
    }

    /// The text of `key` in reading order, to be an argument of another
    /// message (which puts the whole in display order).
    pub fn arg(&self, key: &str) -> String {
        self.logical(key, None)
    }

    fn logical(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        for b in [&self.main, &self.fallback] {
            if let Some(pattern) = b.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        key.to_owned()
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text of `key` with arguments (numbers and the application's own
    /// strings: ids, dates, paths).
    pub fn ta(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Num(n) => fa.set(*name, FluentValue::from(*n)),
                // Text already put in display order (the window's words, a
                // reporter's line) goes in in reading order: the whole
                // sentence is ordered once.
                Arg::Str(s) => match super::rtl::spoken(s) {
                    Some(logical) => fa.set(*name, FluentValue::from(logical)),
                    None => fa.set(*name, FluentValue::from(*s)),
                },
            }
        }
        self.format(key, Some(&fa))
    }

    /// Sentences (and data) shown one after the other on a line, in the
    /// window's reading order: in a right-to-left language the first part
    /// stands rightmost.
    pub fn join(&self, parts: &[&str]) -> String {
        let parts = parts.iter().filter(|p| !p.is_empty());
        if self.lang.is_rtl() {
            parts.rev().copied().collect::<Vec<_>>().join(" ")
        } else {
            parts.copied().collect::<Vec<_>>().join(" ")
        }
    }

    /// The human name of a category or advice topic.
    pub fn category(&self, name: &str) -> String {
        self.t(&format!("cat-{name}"))
    }

    pub fn status(&self, status: crate::core::case::Status) -> String {
        self.t(&format!("status-{}", status.as_str()))
    }

    pub fn kind(&self, kind: crate::core::case::Kind) -> String {
        self.t(&format!("kind-{}", kind.as_str()))
    }

    pub fn channel(&self, channel: &str) -> String {
        self.t(&format!("channel-{channel}"))
    }
}

/// An argument for [`Words::ta`].
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Num(f64),
    Str(&'a str),
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Num(n as f64)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::case::{ADVICE_TOPICS, MISCONDUCT_CATEGORIES, Status};

    fn keys(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn catalogues_parse_and_have_the_same_keys() {
        for lang in Lang::ALL {
            assert!(
                FluentResource::try_new(lang.catalogue().to_owned()).is_ok(),
                "{} does not parse",
                lang.code()
            );
        }
        let en = keys(Lang::En.catalogue());
        for lang in [Lang::Fr, Lang::Ar] {
            let other = keys(lang.catalogue());
            // The printed receipt is Latin-1 PostScript: in Arabic it is
            // printed in English.
            let missing: Vec<&String> = en
                .iter()
                .filter(|k| !other.contains(k))
                .filter(|k| !(lang == Lang::Ar && k.starts_with("print-")))
                .collect();
            let extra: Vec<&String> = other.iter().filter(|k| !en.contains(k)).collect();
            assert!(missing.is_empty(), "missing in {}: {missing:?}", lang.code());
            assert!(extra.is_empty(), "only in {}: {extra:?}", lang.code());
        }
    }

    #[test]
    fn arabic_words_are_ordered_once() {
        let w = Words::new(Lang::Ar);
        // "Inbox" (two words): the first word drawn rightmost.
        assert_eq!(w.t("nav-inbox"), "الوارد صندوق");
        // A case id (the application's own) keeps its order inside Arabic.
        let title = w.ta("case-title", &[("case", "K7Q2-M4XD".into())]);
        assert!(title.contains("K7Q2-M4XD"), "{title:?}");
        // Sentences side by side: the first one rightmost.
        assert_eq!(w.join(&["أ ب", "ج"]), "ج أ ب");
        assert_eq!(Words::new(Lang::En).join(&["a b", "", "c"]), "a b c");
        // A sentence given as an argument in display order is ordered once.
        let status = w.t("status-preliminary-review");
        let set = w.ta("notice-status-set", &[("status", status.as_str().into())]);
        let set_logical = w.ta(
            "notice-status-set",
            &[("status", w.arg("status-preliminary-review").as_str().into())],
        );
        assert_eq!(set, set_logical);
        // Words inside another sentence are ordered with it, once.
        let what = w.arg("due-acknowledge");
        let due = w.ta(
            "deadline-ok",
            &[("what", what.as_str().into()), ("day", "2026-12-10".into())],
        );
        assert_eq!(due, "2026-12-10 قبل الاستلام تأكيد");
        // Arabic's plural forms (one, two, few, many).
        let idle = |n: usize| w.ta("notice-idle-locked", &[("minutes", n.into())]);
        assert!(idle(2).contains("دقيقتين"), "{}", idle(2));
        assert!(idle(5).contains("دقائق"), "{}", idle(5));
        assert!(idle(1).contains("واحدة"), "{}", idle(1));
        assert_eq!(Lang::from_locale("ar_EG.UTF-8"), Lang::Ar);
    }

    #[test]
    fn every_category_status_and_kind_has_words() {
        for lang in Lang::ALL {
            let w = Words::new(lang);
            for c in MISCONDUCT_CATEGORIES.iter().chain(ADVICE_TOPICS) {
                assert_ne!(w.category(c), format!("cat-{c}"), "{}", lang.code());
            }
            for s in Status::ALL {
                assert_ne!(w.status(s), format!("status-{}", s.as_str()));
            }
            for ch in crate::desk::ops::CHANNELS.iter().chain(&["online", "recorded"]) {
                assert_ne!(w.channel(ch), format!("channel-{ch}"));
            }
        }
        assert_eq!(Words::new(Lang::Fr).category("fraud"), "Fraude");
        assert_eq!(Lang::from_locale("fr_CA.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }
}

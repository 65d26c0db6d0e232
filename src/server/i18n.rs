//! The reporter site's languages: which one a request gets, and its words.
//!
//! Six languages, the official languages of the United Nations: Arabic
//! (right to left), Chinese (Simplified), English, French, Russian, Spanish.
//! Each has a Fluent catalogue, `web/i18n/<code>.ftl`, compiled into the
//! binary; a message a catalogue lacks is shown in English.
//!
//! The language comes from `?lang=` first (the switcher on every page, and
//! every link and form, carry it: Tor Browser sends `Accept-Language: en-US`
//! whatever its user reads), then from `Accept-Language`. Never from a cookie;
//! it is neither logged nor stored.
//!
//! Owns: negotiation, message lookup, the office's configured texts per
//! language. Does not own: page layout (the templates) or what a page says
//! when (the handlers in [`super::web`]).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use super::config::Localized;

/// A language of the reporter site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ar,
    ZhHans,
    En,
    Fr,
    Ru,
    Es,
}

impl Lang {
    /// In the order the switcher shows them (the UN's: by English name).
    pub const ALL: [Lang; 6] = [Lang::Ar, Lang::ZhHans, Lang::En, Lang::Fr, Lang::Ru, Lang::Es];

    /// The BCP 47 tag, as used in `?lang=`, `lang=` and the catalogue's file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::ZhHans => "zh-Hans",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::Es => "es",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Ar => "العربية",
            Lang::ZhHans => "中文",
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ru => "Русский",
            Lang::Es => "Español",
        }
    }

    fn catalogue(self) -> &'static str {
        match self {
            Lang::Ar => include_str!("../../web/i18n/ar.ftl"),
            Lang::ZhHans => include_str!("../../web/i18n/zh-Hans.ftl"),
            Lang::En => include_str!("../../web/i18n/en.ftl"),
            Lang::Fr => include_str!("../../web/i18n/fr.ftl"),
            Lang::Ru => include_str!("../../web/i18n/ru.ftl"),
            Lang::Es => include_str!("../../web/i18n/es.ftl"),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Ar => 0,
            Lang::ZhHans => 1,
            Lang::En => 2,
            Lang::Fr => 3,
            Lang::Ru => 4,
            Lang::Es => 5,
        }
    }

    /// The language a tag asks for, by its primary subtag: `fr-CA` is French,
    /// and any Chinese (`zh`, `zh-CN`, `zh-TW`, `zh-Hant`) gets the Simplified
    /// catalogue, which a reader of Traditional characters can follow better
    /// than English.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ar" => Some(Lang::Ar),
            "zh" => Some(Lang::ZhHans),
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            "ru" => Some(Lang::Ru),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }
}

/// The language for a request: `?lang=` if it names one of ours, else the
/// best of `Accept-Language` (by quality, then order), else English.
pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = query.and_then(Lang::from_tag) {
        return lang;
    }
    let mut best: Option<(u16, Lang)> = None;
    for item in accept_language.unwrap_or_default().split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), parse_quality);
        let (Some(q), Some(lang)) = (quality, Lang::from_tag(tag)) else {
            continue;
        };
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

/// A quality value `0`…`1` with up to three decimals, in thousandths.
fn parse_quality(q: &str) -> Option<u16> {
    let q = q.trim();
    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match whole {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

type Bundle = FluentBundle<FluentResource>;

/// The six catalogues, parsed once. A syntax error in an embedded catalogue
/// drops only the broken message (which then falls back to English); the
/// catalogue tests refuse any such error before it can ship.
static CATALOGUES: LazyLock<Vec<Bundle>> = LazyLock::new(|| Lang::ALL.iter().map(|l| bundle(*l)).collect());

fn bundle(lang: Lang) -> Bundle {
    let id = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Placeables are plain words and numbers inside the sentence; the pages
    // isolate what needs it (dates, codes) with markup instead of invisible
    // Unicode marks that would end up in copied text.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(lang.catalogue().to_owned()).unwrap_or_else(|(partial, _)| partial);
    // Duplicate keys are refused by the catalogue tests; here the first wins.
    let _ = bundle.add_resource(resource);
    bundle
}

fn format(lang: Lang, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = CATALOGUES.get(lang.index())?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

/// A message key used from code (not from a template), spelled so that the
/// catalogue tests find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg(pub &'static str);

/// The words of one page, in one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The message `key`, in this language or else in English; the key itself
    /// if even English lacks it (the catalogue tests make that impossible).
    pub fn t(&self, key: &str) -> String {
        self.t_with(key, &[])
    }

    pub fn m(&self, msg: Msg) -> String {
        self.t(msg.0)
    }

    /// The message `key` with named arguments (`{ $name }` in the catalogue).
    pub fn t_with(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let args = (!args.is_empty()).then_some(&fluent_args);
        format(self.lang, key, args)
            .or_else(|| format(Lang::En, key, args))
            .unwrap_or_else(|| key.to_owned())
    }

    /// An office text from the configuration, in this language or in English.
    pub fn office<'a>(&self, text: &'a Localized) -> &'a str {
        let translated = match self.lang {
            Lang::Ar => &text.ar,
            Lang::ZhHans => &text.zh_hans,
            Lang::En => &None,
            Lang::Fr => &text.fr,
            Lang::Ru => &text.ru,
            Lang::Es => &text.es,
        };
        translated.as_deref().unwrap_or(&text.en)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn query_wins_then_accept_language_by_quality() {
        assert_eq!(negotiate(Some("ar"), Some("fr")), Lang::Ar);
        assert_eq!(negotiate(Some("zh-Hans"), None), Lang::ZhHans);
        assert_eq!(negotiate(Some("ZH-cn"), None), Lang::ZhHans);
        assert_eq!(negotiate(Some("xx"), Some("ru-RU,ru;q=0.9")), Lang::Ru);
        assert_eq!(negotiate(None, Some("de-DE, es;q=0.5, fr;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(None, Some("fr;q=0.1, ar")), Lang::Ar);
        assert_eq!(
            negotiate(None, Some("es, fr")),
            Lang::Es,
            "equal quality: first wins"
        );
        assert_eq!(
            negotiate(None, Some("ru;q=0, de")),
            Lang::En,
            "q=0 means not this one"
        );
        assert_eq!(
            negotiate(None, Some("ru;q=2, ar;q=abc, zh;q=0.0001")),
            Lang::En,
            "bad qualities ignored"
        );
        assert_eq!(negotiate(None, Some("zh-TW")), Lang::ZhHans);
        assert_eq!(negotiate(None, None), Lang::En);
        assert_eq!(negotiate(Some(""), Some("")), Lang::En);
    }

    #[test]
    fn office_texts_fall_back_to_english() {
        let text = Localized {
            en: "Ethics Office".into(),
            fr: Some("Bureau de la déontologie".into()),
            ..Localized::default()
        };
        assert_eq!(Tr::new(Lang::Fr).office(&text), "Bureau de la déontologie");
        assert_eq!(Tr::new(Lang::Ru).office(&text), "Ethics Office");
    }

    #[test]
    fn arguments_and_fallback() {
        let tr = Tr::new(Lang::Fr);
        assert_eq!(tr.t_with("size-mb", &[("n", "3".into())]), "3 Mo");
        assert_eq!(Tr::new(Lang::En).t("no-such-key"), "no-such-key");
    }

    /// Keys of a catalogue, refusing syntax errors and duplicates.
    fn keys(lang: Lang) -> BTreeSet<String> {
        use fluent_syntax::ast::Entry;
        let resource = match fluent_syntax::parser::parse(lang.catalogue()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{}.ftl has syntax errors: {errors:?}", lang.code()),
        };
        let mut keys = BTreeSet::new();
        for entry in resource.body {
            match entry {
                Entry::Message(m) => {
                    assert!(
                        m.value.is_some(),
                        "{}.ftl: `{}` has no value",
                        lang.code(),
                        m.id.name
                    );
                    assert!(
                        m.attributes.is_empty(),
                        "{}.ftl: `{}`: attributes are not used",
                        lang.code(),
                        m.id.name
                    );
                    assert!(
                        keys.insert(m.id.name.to_owned()),
                        "{}.ftl: `{}` twice",
                        lang.code(),
                        m.id.name
                    );
                }
                Entry::Term(t) => panic!(
                    "{}.ftl: term `-{}` is not used by the site",
                    lang.code(),
                    t.id.name
                ),
                Entry::Junk { content } => panic!("{}.ftl: cannot parse {content:?}", lang.code()),
                _ => {}
            }
        }
        keys
    }

    #[test]
    fn every_catalogue_has_exactly_the_english_keys() {
        let english = keys(Lang::En);
        assert!(english.len() > 100, "only {} English messages", english.len());
        for lang in Lang::ALL {
            let these = keys(lang);
            let missing: Vec<_> = english.difference(&these).collect();
            let extra: Vec<_> = these.difference(&english).collect();
            assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{}.ftl has keys English lacks: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn every_message_formats_in_every_language() {
        // Every variable a message uses, with a plausible value.
        let args: [(&'static str, String); 5] = [
            ("size", "1 GB".into()),
            ("list", "Fraud, Retaliation".into()),
            ("n", "3".into()),
            ("day", "2025-03-01".into()),
            ("status", "Received".into()),
        ];
        for lang in Lang::ALL {
            for key in keys(lang) {
                let text = format(lang, &key, None)
                    .or_else(|| {
                        let mut a = FluentArgs::new();
                        for (k, v) in &args {
                            a.set(*k, v.clone());
                        }
                        format(lang, &key, Some(&a))
                    })
                    .unwrap_or_else(|| panic!("{}.ftl: `{key}` does not format", lang.code()));
                assert!(!text.trim().is_empty(), "{}.ftl: `{key}` is empty", lang.code());
            }
        }
    }

    #[test]
    fn translations_use_the_same_variables_as_english() {
        let vars = |lang: Lang, key: &str| -> BTreeSet<String> {
            let line = lang
                .catalogue()
                .lines()
                .skip_while(|l| !l.starts_with(&format!("{key} =")))
                .take_while(|l| l.starts_with(&format!("{key} =")) || l.starts_with(' '))
                .collect::<Vec<_>>()
                .join("\n");
            line.split("{ $")
                .skip(1)
                .filter_map(|s| s.split([' ', '}']).next())
                .map(str::to_owned)
                .collect()
        };
        for key in keys(Lang::En) {
            let english = vars(Lang::En, &key);
            for lang in Lang::ALL {
                assert_eq!(
                    vars(lang, &key),
                    english,
                    "{}.ftl: `{key}` variables",
                    lang.code()
                );
            }
        }
    }

    /// Every key the templates and the handlers ask for, found as `.t("…")`,
    /// `t_with("…"` and `Msg("…")` in their source.
    fn used_keys() -> BTreeSet<String> {
        let mut sources: Vec<String> = vec![
            include_str!("web.rs").to_owned(),
            include_str!("i18n.rs")
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_owned(),
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/templates");
        for entry in std::fs::read_dir(dir).expect("templates") {
            sources.push(std::fs::read_to_string(entry.expect("entry").path()).expect("read"));
        }
        let mut used = BTreeSet::new();
        for source in &sources {
            for marker in [".t(", "t_with(", "Msg("] {
                for rest in source.split(marker).skip(1) {
                    let Some(rest) = rest.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let key = rest.split('"').next().unwrap_or_default();
                    if !key.is_empty() {
                        used.insert(key.to_owned());
                    }
                }
            }
        }
        used
    }

    #[test]
    fn every_key_used_exists_and_every_key_is_used() {
        let english = keys(Lang::En);
        let used = used_keys();
        assert!(used.len() > 100, "found only {} keys in use", used.len());
        let missing: Vec<_> = used.difference(&english).collect();
        assert!(missing.is_empty(), "used but not in en.ftl: {missing:?}");
        let unused: Vec<_> = english.difference(&used).collect();
        assert!(unused.is_empty(), "in en.ftl but never used: {unused:?}");
    }

    #[test]
    fn translations_are_not_english_copies() {
        // Units, and words French spells as English does, may match; nothing else.
        let same_allowed = ["size-mb", "size-gb", "nav-label", "thread-messages"];
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let copied: Vec<String> = keys(Lang::En)
                .into_iter()
                .filter(|k| !same_allowed.contains(&k.as_str()))
                .filter(|k| format(lang, k, None).is_some_and(|t| Some(t) == format(Lang::En, k, None)))
                .collect();
            assert!(
                copied.is_empty(),
                "{}.ftl copies English for {copied:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn right_to_left_only_for_arabic() {
        for lang in Lang::ALL {
            assert_eq!(lang.dir() == "rtl", lang == Lang::Ar);
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        }
    }
}

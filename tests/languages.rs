//! The reporter site's languages over HTTP, against the real server: how a
//! language is chosen, that it survives form posts and error pages, that it
//! never sets a cookie, and that the office's configured texts are translated.

mod common;

use common::*;
use reqwest::blocking::multipart::Form;

const CONFIG: &str = r#"
categories = ["fraud", "harassment"]
advice_topics = ["gifts"]
office_contact = [{ en = "Room 12", fr = "Bureau 12", ar = "الغرفة 12" }]

[[external_channels]]
name = { en = "Oversight Office", "zh-Hans" = "监督办公室" }
how = "oversight.example.org"

[office_name]
en = "Integrity Office"
ru = "Бюро по вопросам добросовестности"
"#;

struct Site {
    _tmp: tempfile::TempDir,
    server: Server,
}

fn site() -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _secret) = keygen(&tmp.path().join("office"));
    let config = tmp.path().join("candor.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let server = Server::start_with(
        &tmp.path().join("data"),
        &public,
        &[("CANDOR_CONFIG", config.to_str().expect("path"))],
    );
    Site { _tmp: tmp, server }
}

fn get(s: &Site, path: &str, accept: Option<&str>) -> (u16, Vec<String>, String) {
    let mut req = client().get(format!("{}{path}", s.server.site));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let resp = req.send().expect("get");
    let cookies = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    (resp.status().as_u16(), cookies, resp.text().expect("body"))
}

fn html_lang(page: &str) -> &str {
    let start = page.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    let end = page[start..].find('"').map(|i| start + i).unwrap_or(start);
    &page[start..end]
}

#[test]
fn query_then_accept_language_then_english_and_never_a_cookie() {
    let s = site();
    for (path, accept, lang, dir) in [
        ("/", None, "en", "ltr"),
        ("/", Some("ar-EG,ar;q=0.9,en;q=0.5"), "ar", "rtl"),
        ("/", Some("de-DE, zh-CN;q=0.8, fr;q=0.5"), "zh-Hans", "ltr"),
        ("/?lang=ru", Some("ar"), "ru", "ltr"),
        ("/report?lang=es", None, "es", "ltr"),
        ("/report?kind=advice&lang=fr", Some("en-US,en;q=0.5"), "fr", "ltr"),
        ("/followup?lang=zh-Hans", None, "zh-Hans", "ltr"),
        ("/?lang=klingon", Some("es"), "es", "ltr"),
        ("/no-such-page?lang=ar", None, "ar", "rtl"),
    ] {
        let (_, cookies, page) = get(&s, path, accept);
        assert!(
            page.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{path} {accept:?}: got lang {}",
            html_lang(&page)
        );
        assert!(
            cookies.is_empty(),
            "{path}: a language must never set a cookie: {cookies:?}"
        );
    }
    // Tor Browser always sends en-US: once chosen, ?lang= is on every link and form.
    let (_, _, page) = get(&s, "/?lang=ar", Some("en-US,en;q=0.5"));
    for href in [
        "href=\"/report?lang=ar\"",
        "href=\"/followup?lang=ar\"",
        "href=\"/report?kind=advice&amp;lang=ar\"",
    ] {
        assert!(
            page.contains(href) || page.contains(&href.replace("&amp;", "&#38;")),
            "landing lacks {href}"
        );
    }
    let (_, _, page) = get(&s, "/report?lang=ar", Some("en-US"));
    assert!(
        page.contains("action=\"/report?lang=ar\""),
        "the form posts in the same language"
    );
}

#[test]
fn the_switcher_keeps_the_reporter_on_the_same_page() {
    let s = site();
    let (_, _, page) = get(&s, "/report?kind=advice&lang=en", None);
    for lang in ["ar", "zh-Hans", "fr", "ru", "es"] {
        let link = format!("/report?kind=advice&amp;lang={lang}");
        let alt = format!("/report?kind=advice&#38;lang={lang}");
        assert!(
            page.contains(&link) || page.contains(&alt),
            "switcher lacks {lang}"
        );
    }
    let (_, _, page) = get(&s, "/followup?lang=ru", None);
    assert!(page.contains("href=\"/followup?lang=ar\" hreflang=\"ar\" lang=\"ar\" dir=\"rtl\""));
    assert!(
        page.contains("aria-current=\"page\" lang=\"ru\""),
        "the current language is marked"
    );
}

#[test]
fn errors_after_a_post_are_in_the_reporters_language() {
    let s = site();
    // A validation error: the form again, in French, with what was typed.
    let form = Form::new()
        .text("kind", "misconduct")
        .text("description", " ")
        .text("when", "mardi");
    let resp = client()
        .post(format!("{}/report?lang=fr", s.server.site))
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .expect("post");
    assert_eq!(resp.status(), 400);
    let page = resp.text().expect("body");
    assert_eq!(html_lang(&page), "fr");
    assert!(page.contains("Décrivez ce qui s’est passé"), "{page}");
    assert!(page.contains("value=\"mardi\""));

    // A broken request: the error page, in Russian.
    let resp = client()
        .post(format!("{}/report?lang=ru", s.server.site))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .expect("post");
    assert_eq!(resp.status(), 415);
    let page = resp.text().expect("body");
    assert_eq!(html_lang(&page), "ru");
    assert!(page.contains("Не удалось прочитать форму"));
    assert!(
        page.contains("href=\"/report?lang=ru\""),
        "the way back keeps the language"
    );

    // A mistyped receipt, in Chinese (negotiated from Accept-Language).
    let resp = client()
        .post(format!("{}/followup", s.server.site))
        .header("accept-language", "zh-CN")
        .form(&[("receipt", "hello")])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 400);
    let page = resp.text().expect("body");
    assert_eq!(html_lang(&page), "zh-Hans");
    assert!(page.contains("这不是回执码"));
}

#[test]
fn the_receipt_page_changes_language_without_losing_the_code() {
    let s = site();
    let receipt = file_report(&s.server.site, "A report", &["fraud"], &[]);
    let resp = client()
        .post(format!("{}/receipt?lang=ar", s.server.site))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 200);
    let page = resp.text().expect("body");
    assert_eq!(html_lang(&page), "ar");
    assert_eq!(element_text(&page, "receipt").as_deref(), Some(receipt.as_str()));
    assert!(
        page.contains("id=\"receipt\" dir=\"ltr\""),
        "the code stays left to right"
    );
    assert!(page.contains("formaction=\"/receipt?lang=zh-Hans\""));
    // Not a code: refused, nothing shown.
    let resp = client()
        .post(format!("{}/receipt?lang=es", s.server.site))
        .form(&[("receipt", "not a code")])
        .send()
        .expect("post");
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .expect("body")
            .contains("Esto no es un código de recibo")
    );
}

#[test]
fn office_texts_and_offered_categories_come_from_the_config() {
    let s = site();
    let (_, _, en) = get(&s, "/", None);
    assert!(en.contains("Integrity Office") && en.contains("Room 12") && en.contains("Oversight Office"));
    let (_, _, ru) = get(&s, "/?lang=ru", None);
    assert!(ru.contains("Бюро по вопросам добросовестности"));
    assert!(
        ru.contains("Room 12"),
        "a missing translation falls back to English"
    );
    let (_, _, zh) = get(&s, "/?lang=zh-Hans", None);
    assert!(zh.contains("监督办公室") && zh.contains("oversight.example.org"));
    let (_, _, ar) = get(&s, "/?lang=ar", None);
    assert!(ar.contains("الغرفة 12"));

    let (_, _, form) = get(&s, "/report", None);
    assert!(form.contains("id=\"cat-fraud\"") && form.contains("id=\"cat-harassment\""));
    assert!(
        !form.contains("id=\"cat-conduct\""),
        "categories the office does not offer are not shown"
    );
    let (_, _, advice) = get(&s, "/report?kind=advice", None);
    assert!(advice.contains("id=\"topic-gifts\"") && !advice.contains("id=\"topic-elections\""));
}

#[test]
fn each_kind_of_report_has_a_form_with_only_its_own_choices() {
    let s = site();
    let (status, _, misconduct) = get(&s, "/report", None);
    assert_eq!(status, 200);
    assert!(misconduct.contains(r#"<input type="hidden" name="kind" value="misconduct">"#));
    assert!(misconduct.contains("id=\"cat-fraud\""));
    assert!(
        !misconduct.contains("id=\"topic-"),
        "no advice topics on the misconduct form"
    );
    assert!(
        misconduct.contains("/report?kind=advice"),
        "a way to the advice form"
    );

    let (status, _, advice) = get(&s, "/report?kind=advice&lang=fr", None);
    assert_eq!(status, 200);
    assert!(advice.contains(r#"<input type="hidden" name="kind" value="advice">"#));
    assert!(advice.contains("id=\"topic-gifts\""));
    assert!(
        !advice.contains("id=\"cat-"),
        "no misconduct categories on the advice form"
    );
    assert!(advice.contains("lang=fr"), "the language is kept");
    // Both post the same fields to the one endpoint.
    for page in [&misconduct, &advice] {
        assert_eq!(page.matches("<form method=\"post\"").count(), 1);
        assert!(page.contains("action=\"/report"));
        assert!(page.contains("name=\"category\"") && page.contains("name=\"description\""));
    }
}

//! The reporter site: routes, handlers, pages, error pages, security headers.
//!
//! Handlers only extract, call and render. Every page is rendered in the
//! language [`i18n::negotiate`] picks for the request, and every link, form
//! action and the language switcher carry `?lang=`, so that a reporter who
//! chose a language keeps it, through validation errors and error pages.
//! Nothing here logs request data: no addresses, user agents, referrers,
//! languages, times, paths or fields.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Extension, Form, FromRequestParts, Multipart, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::App;
use super::followup::{self, FollowupError, SessionToken, Thread};
use super::i18n::{self, Lang, Msg, Tr};
use super::intake::{self, FieldProblem, FormEcho, IntakeError};
use super::limits;
use crate::core::case::{ADVICE_TOPICS, Kind, MISCONDUCT_CATEGORIES, Status};
use crate::core::log::EntryKind;
use crate::core::receipt::{Receipt, ReceiptError};

const STYLE: &str = include_str!("../../web/static/style.css");
const COOKIE: &str = "candor_session";

/// The language a request asked for: `?lang=`, else `Accept-Language`.
pub struct ReqLang(pub Lang);

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = Query::<LangQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(q)| q.lang);
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(ReqLang(i18n::negotiate(query.as_deref(), accept)))
    }
}

/// `path` with the language added to its query.
fn with_lang(path: &str, lang: Lang) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}lang={}", lang.code())
}

/// One entry of the language switcher.
pub struct LangLink {
    pub code: &'static str,
    pub dir: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// What every page shows.
pub struct PageCtx {
    pub tr: Tr,
    pub office: String,
    pub demo: bool,
    /// The switcher: this same page in each language.
    pub langs: Vec<LangLink>,
}

impl PageCtx {
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    pub fn code(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn dir(&self) -> &'static str {
        self.tr.lang.dir()
    }

    /// A link to `path` on this site, in this page's language.
    pub fn href(&self, path: &str) -> String {
        with_lang(path, self.tr.lang)
    }
}

/// The context of a page in `lang`; `here` is where the switcher's links go
/// (this page, or for a page that answers a POST, the form it came from).
fn ctx(app: &App, lang: Lang, here: &str) -> PageCtx {
    let tr = Tr::new(lang);
    PageCtx {
        office: tr.office(&app.config.office_name).to_owned(),
        demo: app.keys.demo,
        langs: Lang::ALL
            .iter()
            .map(|l| LangLink {
                code: l.code(),
                dir: l.dir(),
                name: l.name(),
                href: with_lang(here, *l),
                current: *l == lang,
            })
            .collect(),
        tr,
    }
}

pub struct Channel {
    pub name: String,
    pub how: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    page: PageCtx,
    categories: Vec<String>,
    topics: Vec<String>,
    contact: Vec<String>,
    channels: Vec<Channel>,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// A channel of the office, as the report form offers it.
pub struct ChannelChoice {
    pub value: String,
    pub name: String,
    pub about: String,
    /// The categories it takes, where it takes fewer than the office.
    pub takes: Option<String>,
    pub checked: bool,
}

pub struct ErrorLine {
    pub field: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: PageCtx,
    advice: bool,
    /// Who the report may be addressed to; empty for an office without channels.
    channels: Vec<ChannelChoice>,
    categories: Vec<Choice>,
    topics: Vec<Choice>,
    form: FormText,
    errors: Vec<ErrorLine>,
    files_dropped: bool,
    attachment_hint: String,
}

#[derive(Default)]
struct FormText {
    description: String,
    when: String,
    where_: String,
    people: String,
    contact: String,
}

impl Drop for FormText {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.description.zeroize();
        self.when.zeroize();
        self.where_.zeroize();
        self.people.zeroize();
        self.contact.zeroize();
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    page: PageCtx,
    receipt: String,
}

impl Drop for ReceiptPage {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.receipt.zeroize();
    }
}

pub struct LoginError {
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "followup_login.html")]
struct LoginPage {
    page: PageCtx,
    error: Option<LoginError>,
}

pub struct ThreadLine {
    pub class: &'static str,
    pub heading: String,
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    page: PageCtx,
    status: &'static str,
    status_label: String,
    thread: Vec<ThreadLine>,
    session: String,
    notice: Option<String>,
}

impl Drop for ThreadPage {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for line in &mut self.thread {
            if let Some(t) = &mut line.text {
                t.zeroize();
            }
        }
        self.session.zeroize();
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: PageCtx,
    title: String,
    message: String,
    back: String,
}

fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("a page could not be rendered: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// An error page in `lang`; `back` is the page to return to (and the
/// switcher's target, since the failed POST itself cannot be repeated).
fn error_page(
    app: &App,
    lang: Lang,
    status: StatusCode,
    title: Msg,
    message: String,
    back: &'static str,
) -> Response {
    let page = ctx(app, lang, back);
    render(
        status,
        &ErrorPage {
            title: page.tr.m(title),
            back: page.href(back),
            message,
            page,
        },
    )
}

fn human_size(tr: &Tr, bytes: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= GIB {
        tr.t_with("size-gb", &[("n", (bytes / GIB).to_string())])
    } else {
        tr.t_with("size-mb", &[("n", bytes.div_ceil(MIB).to_string())])
    }
}

/// The offered values of `known`, in its order, as form choices.
fn choices(tr: &Tr, known: &[&'static str], offered: &[String], checked: &[String]) -> Vec<Choice> {
    known
        .iter()
        .filter(|v| offered.iter().any(|o| o == *v))
        .map(|v| Choice {
            value: v,
            label: tr.m(category_label(v)),
            checked: checked.iter().any(|c| c == v),
        })
        .collect()
}

fn category_label(v: &str) -> Msg {
    match v {
        "conduct" => Msg("category-conduct"),
        "harassment" => Msg("category-harassment"),
        "outside-activities" => Msg("category-outside-activities"),
        "conflict-of-interest" => Msg("category-conflict-of-interest"),
        "fraud" => Msg("category-fraud"),
        "retaliation" => Msg("category-retaliation"),
        "sexual-exploitation" => Msg("category-sexual-exploitation"),
        "gifts" => Msg("category-gifts"),
        "elections" => Msg("category-elections"),
        "hr-grievance" => Msg("category-hr-grievance"),
        "workplace-dispute" => Msg("category-workplace-dispute"),
        _ => Msg("category-other"),
    }
}

fn status_label(s: Status) -> Msg {
    match s {
        Status::Received => Msg("status-received"),
        Status::Acknowledged => Msg("status-acknowledged"),
        Status::PreliminaryReview => Msg("status-preliminary-review"),
        Status::Investigation => Msg("status-investigation"),
        Status::ClosedSubstantiated => Msg("status-closed-substantiated"),
        Status::ClosedUnsubstantiated => Msg("status-closed-unsubstantiated"),
        Status::ClosedReferred => Msg("status-closed-referred"),
    }
}

fn report_page(
    app: &App,
    lang: Lang,
    advice: bool,
    echo: Option<&FormEcho>,
    problems: &[FieldProblem],
) -> ReportPage {
    let tr = Tr::new(lang);
    let checked: &[String] = echo.map(|e| e.categories.as_slice()).unwrap_or(&[]);
    let text = |f: fn(&FormEcho) -> &crate::core::secret::SecretText| {
        echo.map(|e| f(e).expose().to_owned()).unwrap_or_default()
    };
    let here = if advice { "/report?kind=advice" } else { "/report" };
    let chosen = echo.and_then(|e| e.channel.as_deref());
    let channels = app
        .channels
        .list
        .iter()
        .map(|c| ChannelChoice {
            value: c.config.id.clone(),
            name: tr.office(&c.config.name).to_owned(),
            about: tr.office(&c.config.about).to_owned(),
            takes: c.config.categories.as_ref().filter(|_| !advice).map(|list| {
                let labels: Vec<String> = choices(&tr, MISCONDUCT_CATEGORIES, list, &[])
                    .into_iter()
                    .map(|c| c.label)
                    .collect();
                tr.t_with("form-channel-takes", &[("list", labels.join(", "))])
            }),
            checked: chosen == Some(c.config.id.as_str()),
        })
        .collect();
    ReportPage {
        page: ctx(app, lang, here),
        advice,
        channels,
        categories: choices(&tr, MISCONDUCT_CATEGORIES, &app.config.categories, checked),
        topics: choices(&tr, ADVICE_TOPICS, &app.config.advice_topics, checked),
        form: FormText {
            description: text(|e| &e.description),
            when: text(|e| &e.when),
            where_: text(|e| &e.where_),
            people: text(|e| &e.people),
            contact: text(|e| &e.contact),
        },
        errors: problems.iter().map(|p| problem_line(&tr, *p)).collect(),
        files_dropped: echo.is_some_and(|e| e.had_files),
        attachment_hint: tr.t_with(
            "form-attachment-hint",
            &[("size", human_size(&tr, app.config.max_submission_bytes))],
        ),
    }
}

fn problem_line(tr: &Tr, p: FieldProblem) -> ErrorLine {
    let (field, message) = match p {
        FieldProblem::ChannelMissing => ("channel", Msg("problem-channel-missing")),
        FieldProblem::UnknownChannel => ("channel", Msg("problem-channel-unknown")),
        FieldProblem::KindMissing => ("kind", Msg("problem-kind-missing")),
        FieldProblem::UnknownKind => ("kind", Msg("problem-kind-unknown")),
        FieldProblem::UnknownCategory => ("category", Msg("problem-category-unknown")),
        FieldProblem::DescriptionEmpty => ("description", Msg("problem-description-empty")),
        FieldProblem::MessageEmpty => ("message", Msg("problem-message-empty")),
        FieldProblem::TooManyFiles => ("attachment", Msg("problem-too-many-files")),
    };
    ErrorLine {
        field,
        message: tr.m(message),
    }
}

// ------------------------------------------------------------------ handlers

#[derive(Deserialize)]
struct ReportQuery {
    kind: Option<String>,
}

fn index_page(app: &App, lang: Lang) -> IndexPage {
    let tr = Tr::new(lang);
    let labels = |known: &[&'static str], offered: &[String]| -> Vec<String> {
        choices(&tr, known, offered, &[])
            .into_iter()
            .map(|c| c.label)
            .collect()
    };
    IndexPage {
        page: ctx(app, lang, "/"),
        categories: labels(MISCONDUCT_CATEGORIES, &app.config.categories),
        topics: labels(ADVICE_TOPICS, &app.config.advice_topics),
        contact: app
            .config
            .office_contact
            .iter()
            .map(|line| tr.office(line).to_owned())
            .collect(),
        channels: app
            .config
            .external_channels
            .iter()
            .map(|c| Channel {
                name: tr.office(&c.name).to_owned(),
                how: tr.office(&c.how).to_owned(),
            })
            .collect(),
    }
}

#[tracing::instrument(skip_all)]
async fn view_index_get(State(app): State<Arc<App>>, ReqLang(lang): ReqLang) -> Response {
    render(StatusCode::OK, &index_page(&app, lang))
}

/// The empty report form, rendered once per language and kind, on the
/// first request for it: it is the same page for every request that asks for
/// it (nothing in it depends on the request beyond those two), and rendering
/// its hundred-odd Fluent messages on every GET halved the requests/s a bare
/// server reaches (benches/run.sh). Not at start: a process serving a
/// thousand tenants would hold twelve pages for each (about 120 KiB) and
/// spend most of its start rendering them (benches/tenants.sh).
struct FormPages(Vec<(Lang, bool, std::sync::OnceLock<Option<bytes::Bytes>>)>);

impl FormPages {
    fn new() -> FormPages {
        let mut pages = Vec::new();
        for lang in Lang::ALL {
            for advice in [false, true] {
                pages.push((lang, advice, std::sync::OnceLock::new()));
            }
        }
        FormPages(pages)
    }

    /// The page, rendered now if it is the first request for it; `None` if
    /// it cannot be rendered (served by rendering on each request instead,
    /// which logs the error).
    fn get(&self, app: &App, lang: Lang, advice: bool) -> Option<bytes::Bytes> {
        let (_, _, slot) = self.0.iter().find(|(l, a, _)| *l == lang && *a == advice)?;
        slot.get_or_init(|| {
            report_page(app, lang, advice, None, &[])
                .render()
                .ok()
                .map(bytes::Bytes::from)
        })
        .clone()
    }
}

#[tracing::instrument(skip_all)]
async fn view_report_get(
    app: Arc<App>,
    forms: Arc<FormPages>,
    ReqLang(lang): ReqLang,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    let advice = q.ok().and_then(|Query(q)| q.kind).as_deref() == Some("advice");
    match forms.get(&app, lang, advice) {
        Some(page) => (StatusCode::OK, Html(page)).into_response(),
        None => render(StatusCode::OK, &report_page(&app, lang, advice, None, &[])),
    }
}

fn receipt_page(app: &App, lang: Lang, receipt: &Receipt) -> Response {
    let shown = receipt.display();
    render(
        StatusCode::OK,
        &ReceiptPage {
            page: ctx(app, lang, "/receipt"),
            receipt: shown.expose().to_owned(),
        },
    )
}

fn body_info(headers: &HeaderMap, meter: Option<Extension<Arc<limits::BodyMeter>>>) -> intake::BodyInfo {
    intake::BodyInfo {
        declared: limits::declared_length(headers),
        meter: meter.map(|Extension(m)| m),
    }
}

#[tracing::instrument(skip_all)]
async fn view_report_post(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    meter: Option<Extension<Arc<limits::BodyMeter>>>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return error_page(
            &app,
            lang,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Msg("error-unreadable-title"),
            Tr::new(lang).t("error-unreadable-report"),
            "/report",
        );
    };
    let body = body_info(&headers, meter);
    match intake::receive_report(&app, form, &body).await {
        Ok(receipt) => {
            tracing::debug!("report received");
            receipt_page(&app, lang, &receipt)
        }
        Err(IntakeError::Invalid { form, problems }) => {
            let advice = form.kind == Some(Kind::Advice);
            render(
                StatusCode::BAD_REQUEST,
                &report_page(&app, lang, advice, Some(&form), &problems),
            )
        }
        Err(e) => intake_error(&app, lang, e, "/report"),
    }
}

/// A form carrying only a receipt code (the log-in, and the receipt page's
/// language switcher); the code is wiped when the form is dropped.
#[derive(Deserialize)]
struct ReceiptForm {
    receipt: String,
}

impl Drop for ReceiptForm {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.receipt.zeroize();
    }
}

/// The receipt page again, in another language: its switcher posts the code
/// here (a link would lose it, and the code never goes into a URL). Nothing
/// is looked up or stored; the code is only checked and shown.
#[tracing::instrument(skip_all)]
async fn view_receipt_post(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    form: Result<Form<ReceiptForm>, FormRejection>,
) -> Response {
    let parsed = form
        .map_err(|_| ReceiptError::Empty)
        .and_then(|Form(f)| Receipt::parse(&f.receipt));
    match parsed {
        Ok(receipt) => receipt_page(&app, lang, &receipt),
        Err(e) => followup_error(&app, lang, FollowupError::Receipt(e)),
    }
}

fn intake_error(app: &App, lang: Lang, e: IntakeError, back: &'static str) -> Response {
    let tr = Tr::new(lang);
    let (status, title, message) = match e {
        IntakeError::Invalid { problems, .. } => (
            StatusCode::BAD_REQUEST,
            Msg("error-check-title"),
            problems
                .first()
                .map(|p| problem_line(&tr, *p).message)
                .unwrap_or_else(|| tr.t("error-check-title")),
        ),
        IntakeError::BrokenMultipart => (
            StatusCode::BAD_REQUEST,
            Msg("error-unreadable-title"),
            tr.t("error-broken"),
        ),
        IntakeError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg("error-too-large-title"),
            tr.t_with(
                "error-too-large",
                &[("size", human_size(&tr, app.config.max_submission_bytes))],
            ),
        ),
        IntakeError::FieldTooLong => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg("error-too-long-title"),
            tr.t("error-too-long"),
        ),
        IntakeError::NotUtf8 => (
            StatusCode::BAD_REQUEST,
            Msg("error-unreadable-title"),
            tr.t("error-not-utf8"),
        ),
        IntakeError::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            Msg("error-busy-title"),
            tr.t("error-busy"),
        ),
        IntakeError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            Msg("error-slots-title"),
            tr.t("error-slots"),
        ),
        IntakeError::Stalled => (
            StatusCode::REQUEST_TIMEOUT,
            Msg("error-stalled-title"),
            tr.t("error-stalled"),
        ),
        IntakeError::TooManyFiles => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg("error-too-large-title"),
            tr.m(Msg("problem-too-many-files")),
        ),
        IntakeError::TooManyParts => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg("error-unreadable-title"),
            tr.t("error-broken"),
        ),
        // Logged by the quota and the disk guard when refusing begins and
        // ends, not here: a line per refused request would date each attempt.
        IntakeError::OverQuota | IntakeError::DiskFull => (
            StatusCode::INSUFFICIENT_STORAGE,
            Msg("error-disk-title"),
            tr.t("error-disk"),
        ),
        IntakeError::Encrypt | IntakeError::Store(_) => {
            tracing::error!("a submission could not be stored: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Msg("error-store-title"),
                tr.t("error-store"),
            )
        }
    };
    error_page(app, lang, status, title, message, back)
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .map(str::to_owned)
        .next()
}

fn with_cookie(mut resp: Response, token: Option<&SessionToken>) -> Response {
    let value = match token {
        Some(t) => format!(
            "{COOKIE}={}; Path=/followup; HttpOnly; SameSite=Strict",
            t.expose()
        ),
        None => format!("{COOKIE}=; Path=/followup; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn login_page(app: &App, lang: Lang, status: StatusCode, error: Option<LoginError>) -> Response {
    render(
        status,
        &LoginPage {
            page: ctx(app, lang, "/followup"),
            error,
        },
    )
}

fn thread_page(app: &App, lang: Lang, token: &str, thread: Thread, notice: Option<Msg>) -> Response {
    let tr = Tr::new(lang);
    let lines = thread
        .items
        .into_iter()
        .map(|item| {
            // The ISO date is left to right inside any sentence: isolated (LRI
            // … PDI), or Arabic pages would show 2026-11-27 as 27-11-2026.
            let day = ("day", format!("\u{2066}{}\u{2069}", item.day));
            ThreadLine {
                class: if item.from_office { "office" } else { "own" },
                heading: match (item.kind, item.status) {
                    (EntryKind::Report, _) if item.recorded => tr.t_with("thread-own-recorded", &[day]),
                    (EntryKind::Report, _) => tr.t_with("thread-own-report", &[day]),
                    (EntryKind::Message, _) => tr.t_with("thread-own-message", &[day]),
                    (EntryKind::Status, Some(s)) => {
                        tr.t_with("thread-status-change", &[day, ("status", tr.m(status_label(s)))])
                    }
                    _ => tr.t_with("thread-reply", &[day]),
                },
                text: item.text.map(|t| t.expose().to_owned()),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &ThreadPage {
            page: ctx(app, lang, "/followup"),
            status: thread.status.as_str(),
            status_label: tr.m(status_label(thread.status)),
            thread: lines,
            session: token.to_owned(),
            notice: notice.map(|n| tr.m(n)),
        },
    )
}

fn followup_error(app: &App, lang: Lang, e: FollowupError) -> Response {
    let (status, title, message) = match e {
        FollowupError::Receipt(ReceiptError::Typo) => (
            StatusCode::BAD_REQUEST,
            Msg("followup-typo-title"),
            Msg("followup-typo"),
        ),
        FollowupError::Receipt(ReceiptError::Empty) => (
            StatusCode::BAD_REQUEST,
            Msg("followup-empty-title"),
            Msg("followup-empty"),
        ),
        FollowupError::Receipt(_) => (
            StatusCode::BAD_REQUEST,
            Msg("followup-malformed-title"),
            Msg("followup-malformed"),
        ),
        FollowupError::Unknown => (
            StatusCode::NOT_FOUND,
            Msg("followup-unknown-title"),
            Msg("followup-unknown"),
        ),
        FollowupError::NoSession => (
            StatusCode::UNAUTHORIZED,
            Msg("followup-nosession-title"),
            Msg("followup-nosession"),
        ),
        FollowupError::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            Msg("followup-ratelimited-title"),
            Msg("followup-ratelimited"),
        ),
        FollowupError::Store(_) | FollowupError::Crypto => {
            tracing::error!("follow-up failed: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Msg("followup-failed-title"),
                Msg("followup-failed"),
            )
        }
    };
    let tr = Tr::new(lang);
    login_page(
        app,
        lang,
        status,
        Some(LoginError {
            title: tr.m(title),
            message: tr.m(message),
        }),
    )
}

#[tracing::instrument(skip_all)]
async fn view_followup_get(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = session_cookie(&headers)
        && let Ok(thread) = followup::thread(&app, &token)
    {
        return thread_page(&app, lang, &token, thread, None);
    }
    login_page(&app, lang, StatusCode::OK, None)
}

#[tracing::instrument(skip_all)]
async fn view_followup_post(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    form: Result<Form<ReceiptForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(FormRejection::InvalidFormContentType(_)) => {
            return error_page(
                &app,
                lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Msg("error-unreadable-title"),
                Tr::new(lang).t("error-unreadable-login"),
                "/followup",
            );
        }
        Err(_) => return followup_error(&app, lang, FollowupError::Receipt(ReceiptError::Empty)),
    };
    match followup::login(&app, &form.receipt) {
        Ok((token, _)) => match followup::thread(&app, token.expose()) {
            Ok(thread) => with_cookie(
                thread_page(&app, lang, token.expose(), thread, None),
                Some(&token),
            ),
            Err(e) => followup_error(&app, lang, e),
        },
        Err(e) => followup_error(&app, lang, e),
    }
}

#[tracing::instrument(skip_all)]
async fn view_message_post(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    meter: Option<Extension<Arc<limits::BodyMeter>>>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return error_page(
            &app,
            lang,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Msg("error-unreadable-title"),
            Tr::new(lang).t("error-unreadable-message"),
            "/followup",
        );
    };
    let body = body_info(&headers, meter);
    match intake::receive_message(&app, form, session_cookie(&headers), &body).await {
        Ok(token) => message_sent(&app, lang, &token),
        Err(intake::MessageError::Intake(e)) => intake_error(&app, lang, e, "/followup"),
        Err(intake::MessageError::Session(e)) => followup_error(&app, lang, e),
    }
}

fn message_sent(app: &App, lang: Lang, token: &str) -> Response {
    tracing::debug!("follow-up message received");
    match followup::thread(app, token) {
        Ok(thread) => thread_page(app, lang, token, thread, Some(Msg("thread-sent-notice"))),
        Err(e) => followup_error(app, lang, e),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    session: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn view_logout_post(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    if let Some(t) = form.ok().and_then(|Form(f)| f.session) {
        app.sessions.end(&t);
    }
    if let Some(t) = session_cookie(&headers) {
        app.sessions.end(&t);
    }
    let mut resp = with_cookie(login_page(&app, lang, StatusCode::OK, None), None);
    // The browser drops what it kept of the session: the cookie, and any copy
    // of the thread page in its cache (a shared computer, a seized laptop).
    resp.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    resp
}

async fn view_style_get() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn view_not_found(State(app): State<Arc<App>>, ReqLang(lang): ReqLang) -> Response {
    error_page(
        &app,
        lang,
        StatusCode::NOT_FOUND,
        Msg("error-not-found-title"),
        Tr::new(lang).t("error-not-found"),
        "/",
    )
}

/// Headers every reporter page carries.
async fn security_headers(req: axum::extract::Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    set_security_headers(resp.headers_mut());
    resp
}

fn set_security_headers(h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    h.remove(header::SERVER);
}

/// Holds every request body to the configured pace ([`limits::Pace`]); a
/// body cut off for being too slow is answered with the "upload stopped"
/// page, whatever its handler made of the broken body.
async fn pace_bodies(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    let back = if req.uri().path().starts_with("/followup") {
        "/followup"
    } else {
        "/report"
    };
    // A submission that the disk cannot hold is refused before any of its
    // body is read, here as in its handler.
    let submits = req.method() == axum::http::Method::POST
        && matches!(req.uri().path(), "/report" | "/followup/message");
    if submits {
        let declared = limits::declared_length(req.headers());
        if let Err(e) = intake::check_quota(&app, declared).and_then(|()| intake::check_room(&app, declared))
        {
            return intake_error(&app, lang, e, back);
        }
    }
    let (req, slow) = limits::pace_request(&app, req, app.config.max_submission_bytes);
    let req = match limits::preread(req).await {
        Ok(req) => req,
        Err(()) if slow.is_slow() => return intake_error(&app, lang, IntakeError::Stalled, back),
        Err(()) => return intake_error(&app, lang, IntakeError::BrokenMultipart, back),
    };
    let resp = next.run(req).await;
    // A body cut off mid-way made its handler fail; an answer that succeeded
    // (the form was read whole before the cut) stands.
    if slow.is_slow() && !resp.status().is_success() {
        return intake_error(&app, lang, IntakeError::Stalled, back);
    }
    resp
}

/// The complete answer to a request whose head is larger than
/// `max_header_bytes` (hyper refuses it before the router sees it; see
/// `serve::HeadGuard`): the translated error page with the security headers,
/// in the language the request line (`?lang=`) or a header that arrived
/// within `head`'s sample asks for.
pub fn head_too_large(app: &App, head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let target = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or_default();
    let query = target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="));
    let accept = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("accept-language").then(|| value.trim())
    });
    let lang = i18n::negotiate(query, accept);
    let page = ctx(app, lang, "/");
    let html = ErrorPage {
        title: page.tr.m(Msg("error-head-too-large-title")),
        message: page.tr.t("error-head-too-large"),
        back: page.href("/"),
        page,
    }
    .render()
    .unwrap_or_else(|_| "request header fields too large".into());
    let mut h = HeaderMap::new();
    set_security_headers(&mut h);
    let mut out = b"HTTP/1.1 431 Request Header Fields Too Large\r\n".to_vec();
    for (name, value) in &h {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "content-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            html.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(html.as_bytes());
    out
}

/// Tor2web proxies (they mark requests with `X-Tor2web`) read everything a
/// reporter sends and know who they are: nothing is accepted through one,
/// and the reporter is told why and what to use instead.
async fn refuse_tor2web(
    State(app): State<Arc<App>>,
    ReqLang(lang): ReqLang,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    if req.headers().contains_key("x-tor2web") {
        let tr = Tr::new(lang);
        return error_page(
            &app,
            lang,
            StatusCode::FORBIDDEN,
            Msg("tor2web-title"),
            tr.t("tor2web"),
            "/",
        );
    }
    next.run(req).await
}

/// The most a log-in, receipt or log-out form may hold.
const SMALL_FORM_BYTES: usize = 4096;

/// The reporter site.
pub fn router(app: Arc<App>) -> Router {
    let limit = usize::try_from(app.config.max_submission_bytes).unwrap_or(usize::MAX);
    // Offered only when the site is also reached over a clearnet name.
    let onion = Some(app.config.onion_address.trim())
        .filter(|o| !o.is_empty())
        .and_then(|o| HeaderValue::from_str(&format!("http://{o}/")).ok());
    let forms = Arc::new(FormPages::new());
    let router = Router::new()
        .route("/", get(view_index_get))
        .route(
            "/report",
            get(move |State(app): State<Arc<App>>, lang: ReqLang, q| {
                view_report_get(app, Arc::clone(&forms), lang, q)
            })
            .post(view_report_post),
        )
        // Forms of a receipt or a session alone: a few hundred bytes, never
        // the submission limit (axum's Form holds the whole body in memory).
        .route(
            "/receipt",
            axum::routing::post(view_receipt_post).layer(DefaultBodyLimit::max(SMALL_FORM_BYTES)),
        )
        .route(
            "/followup",
            get(view_followup_get)
                .post(view_followup_post)
                .layer(DefaultBodyLimit::max(SMALL_FORM_BYTES)),
        )
        .route("/followup/message", axum::routing::post(view_message_post))
        .route(
            "/followup/logout",
            axum::routing::post(view_logout_post).layer(DefaultBodyLimit::max(SMALL_FORM_BYTES)),
        )
        .route("/static/style.css", get(view_style_get))
        .fallback(view_not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), pace_bodies))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), refuse_tor2web))
        .layer(middleware::from_fn(security_headers));
    match onion {
        Some(v) => router
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                header::HeaderName::from_static("onion-location"),
                v,
            ))
            .with_state(app),
        None => router.with_state(app),
    }
}

//! The reporter site: routes, handlers, pages, error pages, security headers.
//!
//! Handlers only extract, call and render. Nothing here logs request data:
//! no addresses, user agents, referrers, languages, times, paths or fields.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::App;
use super::followup::{self, FollowupError, SessionToken, Thread};
use super::intake::{self, FieldProblem, FormEcho, IntakeError};
use crate::core::case::{ADVICE_TOPICS, Kind, MISCONDUCT_CATEGORIES, Status};
use crate::core::log::EntryKind;
use crate::core::receipt::ReceiptError;

const STYLE: &str = include_str!("../../web/static/style.css");
const COOKIE: &str = "candor_session";

/// What every page shows.
pub struct PageCtx {
    pub office: String,
    pub demo: bool,
}

fn ctx(app: &App) -> PageCtx {
    PageCtx {
        office: app.config.office_name.clone(),
        demo: app.keys.demo,
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    page: PageCtx,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct ErrorLine {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: PageCtx,
    advice: bool,
    categories: Vec<Choice>,
    topics: Vec<Choice>,
    form: FormText,
    errors: Vec<ErrorLine>,
    files_dropped: bool,
    max_upload: String,
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
    followup: bool,
}

impl Drop for ReceiptPage {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.receipt.zeroize();
    }
}

pub struct LoginError {
    pub title: &'static str,
    pub message: &'static str,
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
    pub day: String,
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    page: PageCtx,
    status: &'static str,
    status_label: &'static str,
    thread: Vec<ThreadLine>,
    session: String,
    notice: Option<&'static str>,
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
    title: &'static str,
    message: String,
    back: &'static str,
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

fn error_page(
    app: &App,
    status: StatusCode,
    title: &'static str,
    message: impl Into<String>,
    back: &'static str,
) -> Response {
    render(
        status,
        &ErrorPage {
            page: ctx(app),
            title,
            message: message.into(),
            back,
        },
    )
}

fn human_size(bytes: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= GIB {
        format!("{} GB", bytes / GIB)
    } else {
        format!("{} MB", bytes.div_ceil(MIB))
    }
}

fn choices(list: &[&'static str], checked: &[String]) -> Vec<Choice> {
    list.iter()
        .map(|v| Choice {
            value: v,
            label: category_label(v),
            checked: checked.iter().any(|c| c == v),
        })
        .collect()
}

fn category_label(v: &str) -> &'static str {
    match v {
        "conduct" => "General standards of conduct",
        "harassment" => "Harassment, sexual harassment or abuse of authority",
        "outside-activities" => "Outside activities",
        "conflict-of-interest" => "Conflict of interest",
        "fraud" => "Fraud, corruption or misuse of resources",
        "retaliation" => "Retaliation for reporting",
        "sexual-exploitation" => "Sexual exploitation and abuse",
        "gifts" => "Gifts, hospitality and honours",
        "elections" => "Political activity and elections",
        "hr-grievance" => "A personnel or HR grievance",
        "workplace-dispute" => "A dispute at work",
        _ => "Something else",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Received => "Received",
        Status::Acknowledged => "Acknowledged by the ethics office",
        Status::PreliminaryReview => "Under preliminary review",
        Status::Investigation => "Under investigation",
        Status::ClosedSubstantiated => "Closed: the allegations were substantiated",
        Status::ClosedUnsubstantiated => "Closed: the allegations were not substantiated",
        Status::ClosedReferred => "Closed: referred to another office",
    }
}

fn report_page(app: &App, advice: bool, echo: Option<&FormEcho>, problems: &[FieldProblem]) -> ReportPage {
    let checked: &[String] = echo.map(|e| e.categories.as_slice()).unwrap_or(&[]);
    let text = |f: fn(&FormEcho) -> &crate::core::secret::SecretText| {
        echo.map(|e| f(e).expose().to_owned()).unwrap_or_default()
    };
    ReportPage {
        page: ctx(app),
        advice,
        categories: choices(MISCONDUCT_CATEGORIES, checked),
        topics: choices(ADVICE_TOPICS, checked),
        form: FormText {
            description: text(|e| &e.description),
            when: text(|e| &e.when),
            where_: text(|e| &e.where_),
            people: text(|e| &e.people),
            contact: text(|e| &e.contact),
        },
        errors: problems.iter().map(|p| problem_line(*p)).collect(),
        files_dropped: echo.is_some_and(|e| e.had_files),
        max_upload: human_size(app.config.max_submission_bytes),
    }
}

fn problem_line(p: FieldProblem) -> ErrorLine {
    let (field, message) = match p {
        FieldProblem::KindMissing => (
            "kind-misconduct",
            "Choose whether you are reporting misconduct or asking for advice.",
        ),
        FieldProblem::UnknownKind => ("kind-misconduct", "Choose one of the two kinds offered."),
        FieldProblem::UnknownCategory => (
            "category",
            "Choose only among the types of misconduct or advice topics listed.",
        ),
        FieldProblem::DescriptionEmpty => (
            "description",
            "Describe what happened, or what you would like advice on.",
        ),
        FieldProblem::MessageEmpty => ("message", "Write a message or choose a file to send."),
        FieldProblem::TooManyFiles => (
            "attachment",
            "Send at most 100 files at once; send the rest in a follow-up message.",
        ),
    };
    ErrorLine { field, message }
}

// ------------------------------------------------------------------ handlers

#[derive(Deserialize)]
struct ReportQuery {
    kind: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn view_index_get(State(app): State<Arc<App>>) -> Response {
    render(StatusCode::OK, &IndexPage { page: ctx(&app) })
}

#[tracing::instrument(skip_all)]
async fn view_report_get(
    State(app): State<Arc<App>>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Response {
    let advice = q.ok().and_then(|Query(q)| q.kind).as_deref() == Some("advice");
    render(StatusCode::OK, &report_page(&app, advice, None, &[]))
}

#[tracing::instrument(skip_all)]
async fn view_report_post(
    State(app): State<Arc<App>>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return error_page(
            &app,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The form could not be read",
            "Your browser sent the report in a form this service does not accept. Please use the report form on this site.",
            "/report",
        );
    };
    match intake::receive_report(&app, form).await {
        Ok(receipt) => {
            tracing::info!("report received");
            let shown = receipt.display();
            render(
                StatusCode::OK,
                &ReceiptPage {
                    page: ctx(&app),
                    receipt: shown.expose().to_owned(),
                    followup: false,
                },
            )
        }
        Err(IntakeError::Invalid { form, problems }) => {
            let advice = form.kind == Some(Kind::Advice);
            render(
                StatusCode::BAD_REQUEST,
                &report_page(&app, advice, Some(&form), &problems),
            )
        }
        Err(e) => intake_error(&app, e, "/report"),
    }
}

fn intake_error(app: &App, e: IntakeError, back: &'static str) -> Response {
    match e {
        IntakeError::Invalid { problems, .. } => {
            let message = problems
                .first()
                .map(|p| problem_line(*p).message)
                .unwrap_or("Please check the form.");
            error_page(
                app,
                StatusCode::BAD_REQUEST,
                "Please check the form",
                message,
                back,
            )
        }
        IntakeError::BrokenMultipart => error_page(
            app,
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "The form arrived incomplete or damaged. Please go back and send it again.",
            back,
        ),
        IntakeError::TooLarge => error_page(
            app,
            StatusCode::PAYLOAD_TOO_LARGE,
            "What you sent is too large",
            format!(
                "This service accepts up to {} at once. Send fewer or smaller files, or send the rest in follow-up messages.",
                human_size(app.config.max_submission_bytes)
            ),
            back,
        ),
        IntakeError::FieldTooLong => error_page(
            app,
            StatusCode::PAYLOAD_TOO_LARGE,
            "A text is too long",
            "One of the texts is longer than this service accepts. Shorten it, or attach it as a file.",
            back,
        ),
        IntakeError::NotUtf8 => error_page(
            app,
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            "Some of the text was not sent in a form this service can read (UTF-8). Please go back and send it again.",
            back,
        ),
        IntakeError::RateLimited => error_page(
            app,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports right now",
            "The service is receiving many reports at the moment. Please wait a minute and send again.",
            back,
        ),
        IntakeError::Busy => error_page(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is busy",
            "Many people are sending reports at this moment. Nothing was stored; please wait a minute and send again.",
            back,
        ),
        IntakeError::Stalled => error_page(
            app,
            StatusCode::REQUEST_TIMEOUT,
            "The upload stopped",
            "Nothing arrived for a long time, so the upload was stopped and nothing was stored. Please send again; on a slow connection, send large files one at a time in follow-up messages.",
            back,
        ),
        IntakeError::DiskFull => {
            tracing::error!("uploads refused: free disk space is below the configured reserve");
            error_page(
                app,
                StatusCode::INSUFFICIENT_STORAGE,
                "The service cannot take files right now",
                "This server is short of space, so nothing was stored. Please try again later; the office has been told.",
                back,
            )
        }
        IntakeError::Encrypt | IntakeError::Store(_) => {
            tracing::error!("a submission could not be stored: {e}");
            error_page(
                app,
                StatusCode::SERVICE_UNAVAILABLE,
                "Your report could not be stored",
                "Something went wrong on this server, and what you sent was not stored. Please try again later.",
                back,
            )
        }
    }
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

fn login_page(app: &App, status: StatusCode, error: Option<LoginError>) -> Response {
    render(
        status,
        &LoginPage {
            page: ctx(app),
            error,
        },
    )
}

fn thread_page(app: &App, token: &str, thread: Thread, notice: Option<&'static str>) -> Response {
    let lines = thread
        .items
        .into_iter()
        .map(|item| ThreadLine {
            class: if item.from_office { "office" } else { "own" },
            heading: match (item.kind, item.status) {
                (EntryKind::Report, _) => "Your report, sent".to_owned(),
                (EntryKind::Message, _) => "Your message, sent".to_owned(),
                (EntryKind::Status, Some(s)) => format!("Status changed: {}", status_label(s)),
                _ => "Reply from the ethics office".to_owned(),
            },
            day: item.day.to_string(),
            text: item.text.map(|t| t.expose().to_owned()),
        })
        .collect();
    render(
        StatusCode::OK,
        &ThreadPage {
            page: ctx(app),
            status: thread.status.as_str(),
            status_label: status_label(thread.status),
            thread: lines,
            session: token.to_owned(),
            notice,
        },
    )
}

fn followup_error(app: &App, e: FollowupError) -> Response {
    let (status, title, message) = match e {
        FollowupError::Receipt(ReceiptError::Typo) => (
            StatusCode::BAD_REQUEST,
            "Please check the code",
            "One of the characters seems to be mistyped: the code's last character does not match. Check each group carefully.",
        ),
        FollowupError::Receipt(ReceiptError::Empty) => (
            StatusCode::BAD_REQUEST,
            "Please type your code",
            "Type the receipt code you were given.",
        ),
        FollowupError::Receipt(_) => (
            StatusCode::BAD_REQUEST,
            "This is not a receipt code",
            "A receipt code has 25 letters and digits in five groups. Check that you typed all of it.",
        ),
        FollowupError::Unknown => (
            StatusCode::NOT_FOUND,
            "No case has this code",
            "The code is well formed, but no case has it. If you copied it correctly, the case may have been closed and removed.",
        ),
        FollowupError::NoSession => (
            StatusCode::UNAUTHORIZED,
            "Please type your code again",
            "For your safety you are logged out after a few minutes without activity.",
        ),
        FollowupError::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Too many codes were tried just now. Please wait a minute and try again.",
        ),
        FollowupError::Store(_) | FollowupError::Crypto => {
            tracing::error!("follow-up failed: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Something went wrong",
                "This service could not open your case just now. Please try again later.",
            )
        }
    };
    login_page(app, status, Some(LoginError { title, message }))
}

#[tracing::instrument(skip_all)]
async fn view_followup_get(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Some(token) = session_cookie(&headers)
        && let Ok(thread) = followup::thread(&app, &token)
    {
        return thread_page(&app, &token, thread, None);
    }
    login_page(&app, StatusCode::OK, None)
}

#[derive(Deserialize)]
struct LoginForm {
    receipt: String,
}

impl Drop for LoginForm {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.receipt.zeroize();
    }
}

#[tracing::instrument(skip_all)]
async fn view_followup_post(
    State(app): State<Arc<App>>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(FormRejection::InvalidFormContentType(_)) => {
            return error_page(
                &app,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The form could not be read",
                "Please use the follow-up form on this site.",
                "/followup",
            );
        }
        Err(_) => return followup_error(&app, FollowupError::Receipt(ReceiptError::Empty)),
    };
    match followup::login(&app, &form.receipt) {
        Ok((token, _)) => match followup::thread(&app, token.expose()) {
            Ok(thread) => with_cookie(thread_page(&app, token.expose(), thread, None), Some(&token)),
            Err(e) => followup_error(&app, e),
        },
        Err(e) => followup_error(&app, e),
    }
}

#[tracing::instrument(skip_all)]
async fn view_message_post(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return error_page(
            &app,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The form could not be read",
            "Please use the message form on your case page.",
            "/followup",
        );
    };
    match intake::receive_message(&app, form, session_cookie(&headers)).await {
        Ok(token) => message_sent(&app, &token),
        Err(intake::MessageError::Intake(e)) => intake_error(&app, e, "/followup"),
        Err(intake::MessageError::Session(e)) => followup_error(&app, e),
    }
}

fn message_sent(app: &App, token: &str) -> Response {
    tracing::info!("follow-up message received");
    match followup::thread(app, token) {
        Ok(thread) => thread_page(app, token, thread, Some("Your message was sent securely.")),
        Err(e) => followup_error(app, e),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    session: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn view_logout_post(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    if let Some(t) = form.ok().and_then(|Form(f)| f.session) {
        app.sessions.end(&t);
    }
    if let Some(t) = session_cookie(&headers) {
        app.sessions.end(&t);
    }
    with_cookie(login_page(&app, StatusCode::OK, None), None)
}

async fn view_style_get() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn view_not_found(State(app): State<Arc<App>>) -> Response {
    error_page(
        &app,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no page at this address.",
        "/",
    )
}

/// Headers every reporter page carries.
async fn security_headers(req: axum::extract::Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
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
    resp
}

/// The reporter site.
pub fn router(app: Arc<App>) -> Router {
    let limit = usize::try_from(app.config.max_submission_bytes).unwrap_or(usize::MAX);
    // Offered only when the site is also reached over a clearnet name.
    let onion = Some(app.config.onion_address.trim())
        .filter(|o| !o.is_empty())
        .and_then(|o| HeaderValue::from_str(&format!("http://{o}/")).ok());
    let router = Router::new()
        .route("/", get(view_index_get))
        .route("/report", get(view_report_get).post(view_report_post))
        .route("/followup", get(view_followup_get).post(view_followup_post))
        .route("/followup/message", axum::routing::post(view_message_post))
        .route("/followup/logout", axum::routing::post(view_logout_post))
        .route("/static/style.css", get(view_style_get))
        .fallback(view_not_found)
        .layer(DefaultBodyLimit::max(limit))
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

//! `stats`: the figures of an ethics office's annual report, as JSON, a
//! terminal table, a Markdown or HTML table, and an SVG bar chart.
//!
//! # Definitions (for year Y)
//!
//! - `complaints`: misconduct cases received in Y (any channel).
//! - `by_category`: for those, each of a complaint's categories counts once.
//! - `multi_category`: those with two or more categories.
//! - `investigations_opened`: cases whose status first became
//!   `investigation` in Y.
//! - `investigations_closed`: cases that, after first entering
//!   `investigation`, reached a closed status in Y (the first such).
//! - `advice`, `advice_by_topic`: advice requests received in Y, each topic
//!   counted once per request.
//! - `median_days_to_acknowledge`: over cases (both kinds) received in Y and
//!   acknowledged (first reply or `acknowledged` status), days from receipt.
//! - `median_days_to_close`: over cases (both kinds) whose first closed
//!   status fell in Y, days from receipt to it.
//! - `share_substantiated`: of complaints whose first closed status fell in
//!   Y, the share closed `closed-substantiated` (0 to 1).
//!
//! Medians of an even count are the mean of the two middle values; a figure
//! with nothing to measure is `null`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use super::DeskError;
use super::deadlines::acknowledged;
use super::vault::{CaseRecord, VaultState};
use crate::core::case::{ADVICE_TOPICS, Kind, MISCONDUCT_CATEGORIES, Status};
use crate::core::day::Day;

/// One year's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub year: i32,
    pub complaints: u64,
    pub by_category: BTreeMap<String, u64>,
    pub multi_category: u64,
    pub investigations_opened: u64,
    pub investigations_closed: u64,
    pub advice: u64,
    pub advice_by_topic: BTreeMap<String, u64>,
    pub median_days_to_acknowledge: Option<f64>,
    pub median_days_to_close: Option<f64>,
    pub share_substantiated: Option<f64>,
}

fn first_status(case: &CaseRecord, pred: impl Fn(Status) -> bool, from: Day) -> Option<(Day, Status)> {
    case.status_history
        .iter()
        .filter(|s| s.day >= from && pred(s.status))
        .map(|s| (s.day, s.status))
        .next()
}

fn median(mut v: Vec<u32>) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let hi = f64::from(*v.get(mid)?);
    if n % 2 == 1 {
        Some(hi)
    } else {
        Some((f64::from(*v.get(mid - 1)?) + hi) / 2.0)
    }
}

fn distinct(categories: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = categories.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Computes the figures for `year`.
pub fn compute(state: &VaultState, year: i32) -> Stats {
    let mut s = Stats {
        year,
        complaints: 0,
        by_category: MISCONDUCT_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), 0))
            .collect(),
        multi_category: 0,
        investigations_opened: 0,
        investigations_closed: 0,
        advice: 0,
        advice_by_topic: ADVICE_TOPICS.iter().map(|c| ((*c).to_owned(), 0)).collect(),
        median_days_to_acknowledge: None,
        median_days_to_close: None,
        share_substantiated: None,
    };
    let mut to_ack = Vec::new();
    let mut to_close = Vec::new();
    let (mut closed_complaints, mut substantiated) = (0u64, 0u64);
    for case in state.cases.values() {
        let received_in_year = case.received.year() == year;
        let cats = distinct(&case.categories);
        if received_in_year {
            let counts = match case.kind {
                Kind::Misconduct => {
                    s.complaints += 1;
                    if cats.len() >= 2 {
                        s.multi_category += 1;
                    }
                    &mut s.by_category
                }
                Kind::Advice => {
                    s.advice += 1;
                    &mut s.advice_by_topic
                }
            };
            for c in &cats {
                *counts.entry((*c).to_owned()).or_insert(0) += 1;
            }
            if let Some(ack) = acknowledged(case) {
                to_ack.push(ack.0.saturating_sub(case.received.0));
            }
        }
        if let Some((opened, _)) = first_status(case, |st| st == Status::Investigation, Day(0)) {
            if opened.year() == year {
                s.investigations_opened += 1;
            }
            if first_status(case, Status::is_closed, opened).is_some_and(|(d, _)| d.year() == year) {
                s.investigations_closed += 1;
            }
        }
        if let Some((closed, how)) = first_status(case, Status::is_closed, Day(0))
            && closed.year() == year
        {
            to_close.push(closed.0.saturating_sub(case.received.0));
            if case.kind == Kind::Misconduct {
                closed_complaints += 1;
                substantiated += u64::from(how == Status::ClosedSubstantiated);
            }
        }
    }
    s.median_days_to_acknowledge = median(to_ack);
    s.median_days_to_close = median(to_close);
    if closed_complaints > 0 {
        s.share_substantiated = Some(substantiated as f64 / closed_complaints as f64);
    }
    s
}

/// The English name of a category or advice topic, as a report prints it
/// (`conflict-of-interest` is "Conflict of interest"); an unknown name is
/// shown as it is.
pub fn label(name: &str) -> &str {
    match name {
        "conduct" => "General standards of conduct",
        "harassment" => "Harassment",
        "outside-activities" => "Outside activities",
        "conflict-of-interest" => "Conflict of interest",
        "fraud" => "Fraud",
        "retaliation" => "Retaliation",
        "sexual-exploitation" => "Sexual exploitation and abuse",
        "other" => "Other",
        "gifts" => "Gifts and hospitality",
        "elections" => "Elections and political activity",
        "hr-grievance" => "Human resources grievance",
        "workplace-dispute" => "Workplace dispute",
        other => other,
    }
}

fn opt_num(v: Option<f64>, percent: bool) -> String {
    match v {
        None => "–".to_owned(),
        Some(x) if percent => format!("{:.0} %", x * 100.0),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
    }
}

/// The rows of the report: (section, label, value).
pub fn rows(s: &Stats) -> Vec<(&'static str, String, String)> {
    let mut r = vec![(
        "Complaints",
        "Complaints received".to_owned(),
        s.complaints.to_string(),
    )];
    for (c, n) in &s.by_category {
        r.push(("Complaints", format!("  {}", label(c)), n.to_string()));
    }
    r.push((
        "Complaints",
        "Complaints under two or more categories".to_owned(),
        s.multi_category.to_string(),
    ));
    r.push((
        "Investigations",
        "Formal investigations opened".to_owned(),
        s.investigations_opened.to_string(),
    ));
    r.push((
        "Investigations",
        "Formal investigations closed".to_owned(),
        s.investigations_closed.to_string(),
    ));
    r.push((
        "Advice",
        "Confidential advice requests".to_owned(),
        s.advice.to_string(),
    ));
    for (c, n) in &s.advice_by_topic {
        r.push(("Advice", format!("  {}", label(c)), n.to_string()));
    }
    r.push((
        "Indicators",
        "Median days to acknowledge".to_owned(),
        opt_num(s.median_days_to_acknowledge, false),
    ));
    r.push((
        "Indicators",
        "Median days to close".to_owned(),
        opt_num(s.median_days_to_close, false),
    ));
    r.push((
        "Indicators",
        "Complaints closed as substantiated".to_owned(),
        opt_num(s.share_substantiated, true),
    ));
    r
}

/// A readable table for the terminal.
pub fn table(s: &Stats) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["", &format!("{}", s.year)]);
    for (_, label, value) in rows(s) {
        t.add_row([label, value]);
    }
    t.to_string()
}

/// The table as Markdown.
pub fn markdown(s: &Stats) -> String {
    let mut out = format!("| {} | Number |\n|---|---:|\n", s.year);
    for (_, label, value) in rows(s) {
        // Sub-rows (a category, a topic) are indented with em spaces, which
        // Markdown keeps.
        let shown = match label.strip_prefix("  ") {
            Some(sub) => format!("&emsp;{sub}"),
            None => label,
        };
        let _ = writeln!(out, "| {shown} | {value} |");
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The table as an HTML fragment.
pub fn html(s: &Stats) -> String {
    let mut out = format!(
        "<table class=\"candor-stats\">\n<thead><tr><th></th><th>{}</th></tr></thead>\n<tbody>\n",
        s.year
    );
    for (_, label, value) in rows(s) {
        let indent = label.starts_with("  ");
        let _ = writeln!(
            out,
            "<tr><td{}>{}</td><td>{}</td></tr>",
            if indent {
                " style=\"padding-left:1.5em\""
            } else {
                ""
            },
            escape(label.trim_start()),
            escape(&value)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A bar chart of complaints by category and advice by topic, as SVG.
pub fn chart_svg(s: &Stats) -> Result<String, DeskError> {
    use plotters::prelude::*;
    let bars: Vec<(String, u64)> = s
        .by_category
        .iter()
        .map(|(c, n)| (format!("Complaints: {}", label(c)), *n))
        .chain(
            s.advice_by_topic
                .iter()
                .map(|(c, n)| (format!("Advice: {}", label(c)), *n)),
        )
        .collect();
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let height = 60 + 22 * u32::try_from(bars.len()).unwrap_or(0);
        let root = SVGBackend::with_string(&mut svg, (800, height)).into_drawing_area();
        let draw_err =
            |e: &dyn std::fmt::Display| DeskError::BadInput(format!("could not draw the chart: {e}"));
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        let n = labels.len() as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Complaints and advice, {}", s.year), ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(220)
            .build_cartesian_2d(0u64..max + 1, (0u32..n).into_segmented())
            .map_err(|e| draw_err(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(labels.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(|e| draw_err(&e))?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let i = i as u32;
                let mut bar = Rectangle::new(
                    [(0, SegmentValue::Exact(i)), (*v, SegmentValue::Exact(i + 1))],
                    RGBColor(52, 101, 164).filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .map_err(|e| draw_err(&e))?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    Ok(svg)
}

/// Writes the table (`.html` gives HTML, anything else Markdown) and the
/// chart beside it (same name, `.svg`). Refuses to overwrite.
pub fn write_report(s: &Stats, out: &Path) -> Result<Vec<PathBuf>, DeskError> {
    let is_html = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    let table = if is_html { html(s) } else { markdown(s) };
    let chart_path = out.with_extension("svg");
    let chart = chart_svg(s)?;
    let mut written = Vec::new();
    for (path, text) in [(out.to_path_buf(), table), (chart_path, chart)] {
        let mut f = super::create_new_file(&path, 0o644)?;
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(DeskError::io("write", &path))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5.0));
        assert_eq!(median(vec![9, 1, 4, 2]), Some(3.0));
        assert_eq!(median(vec![3, 1, 2]), Some(2.0));
    }

    #[test]
    fn tables_use_readable_labels() {
        let state = VaultState {
            index: match crate::desk::vault::Index::new_for_tests() {
                Some(i) => i,
                None => return,
            },
            cases: BTreeMap::new(),
        };
        let s = compute(&state, 2026);
        for text in [table(&s), markdown(&s), html(&s)] {
            assert!(text.contains("Conflict of interest"), "{text}");
            assert!(text.contains("Gifts and hospitality"), "{text}");
            assert!(!text.contains("conflict-of-interest"), "{text}");
        }
        for c in MISCONDUCT_CATEGORIES.iter().chain(ADVICE_TOPICS) {
            assert_ne!(label(c), *c);
        }
    }
}

//! Deadlines of EU Directive 2019/1937, Art. 9(1)(b) and (f): acknowledge a
//! report within 7 days of receipt, and give feedback within 3 months of the
//! acknowledgement. The periods are parameters ([`Periods`]); today is a
//! parameter too (the binary asks [`crate::clock`]).
//!
//! The first reply or the first `acknowledged` status counts as the
//! acknowledgement. Feedback is the first reply, or closed status, after the
//! acknowledgement. A closed case has nothing more due.
//!
//! A request for advice is not a report: the Directive sets it no deadline.
//! It waits for an answer (a reply, or a closed status), due within
//! [`Periods::advice_days`] only if the office sets such a period.

use serde::Serialize;

use super::vault::{CaseRecord, ThreadItem};
use crate::core::case::{Kind, Status};
use crate::core::day::Day;

/// The periods, and how early "due soon" begins.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub acknowledge_days: u32,
    pub feedback_months: u32,
    pub soon_days: u32,
    /// Days the office gives itself to answer a request for advice (none by default).
    pub advice_days: Option<u32>,
}

impl Default for Periods {
    fn default() -> Self {
        Periods {
            acknowledge_days: 7,
            feedback_months: 3,
            soon_days: 3,
            advice_days: None,
        }
    }
}

/// Adds calendar months, keeping the day of the month where it exists
/// (31 January + 1 month = 28 or 29 February).
pub fn add_months(day: Day, months: u32) -> Day {
    let (y, m, d) = day.ymd();
    let total = i64::from(y) * 12 + i64::from(m) - 1 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MAX);
    let month = u32::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
    (0..4)
        .find_map(|back| Day::from_ymd(year, month, d.saturating_sub(back)))
        .unwrap_or(day)
}

/// Where a case stands against its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// Nothing due (closed, or every deadline met).
    Done,
    /// Something is due, not soon.
    Ok,
    DueSoon,
    Overdue,
}

impl Mark {
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Done => "done",
            Mark::Ok => "ok",
            Mark::DueSoon => "due-soon",
            Mark::Overdue => "overdue",
        }
    }
}

/// A case's deadlines as of a day.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Deadlines {
    pub acknowledge_due: Day,
    pub acknowledged: Option<Day>,
    pub feedback_due: Option<Day>,
    pub feedback_given: Option<Day>,
    /// What the next (or missed) deadline is: `acknowledge` or `feedback`
    /// (a report), `answer` (a request for advice).
    pub next: Option<&'static str>,
    pub mark: Mark,
    /// The next step has no deadline (advice, when the office sets none).
    pub no_deadline: bool,
}

/// The day the case was acknowledged: its first reply or `acknowledged` status.
pub fn acknowledged(case: &CaseRecord) -> Option<Day> {
    let reply = case
        .thread
        .iter()
        .filter_map(|t| match t {
            ThreadItem::Reply { day, .. } => Some(*day),
            _ => None,
        })
        .min();
    let status = case
        .status_history
        .iter()
        .filter(|s| s.status == Status::Acknowledged)
        .map(|s| s.day)
        .min();
    reply.into_iter().chain(status).min()
}

/// The first reply or closed status after the acknowledgement.
fn feedback(case: &CaseRecord, ack: Day) -> Option<Day> {
    let reply = case.thread.iter().filter_map(|t| match t {
        ThreadItem::Reply { day, .. } if *day > ack => Some(*day),
        _ => None,
    });
    let closed = case
        .status_history
        .iter()
        .filter(|s| s.status.is_closed() && s.day >= ack)
        .map(|s| s.day);
    reply.chain(closed).min()
}

fn mark_for(due: Day, today: Day, p: Periods) -> Mark {
    if today > due {
        Mark::Overdue
    } else if due.0 - today.0 <= p.soon_days {
        Mark::DueSoon
    } else {
        Mark::Ok
    }
}

/// A request for advice: answered by a reply or a closed status.
fn advice_deadlines(case: &CaseRecord, today: Day, p: Periods) -> Deadlines {
    let reply = case.thread.iter().find_map(|t| match t {
        ThreadItem::Reply { day, .. } => Some(*day),
        _ => None,
    });
    let closed = case
        .status_history
        .iter()
        .find(|s| s.status.is_closed())
        .map(|s| s.day);
    let answered = reply.into_iter().chain(closed).min();
    let due = p.advice_days.map(|d| Day(case.received.0.saturating_add(d)));
    let (next, mark) = match (answered, due) {
        _ if case.status().is_closed() => (None, Mark::Done),
        (Some(_), _) => (None, Mark::Done),
        (None, Some(due)) => (Some("answer"), mark_for(due, today, p)),
        (None, None) => (Some("answer"), Mark::Ok),
    };
    Deadlines {
        acknowledge_due: due.unwrap_or(case.received),
        acknowledged: answered,
        feedback_due: None,
        feedback_given: None,
        next,
        mark,
        no_deadline: next.is_some() && due.is_none(),
    }
}

pub fn deadlines(case: &CaseRecord, today: Day, p: Periods) -> Deadlines {
    if case.kind == Kind::Advice {
        return advice_deadlines(case, today, p);
    }
    let acknowledge_due = Day(case.received.0.saturating_add(p.acknowledge_days));
    let ack = acknowledged(case);
    let feedback_due = ack.map(|a| add_months(a, p.feedback_months));
    let given = ack.and_then(|a| feedback(case, a));
    let closed = case.status().is_closed();
    let (next, mark) = match (ack, feedback_due, given) {
        _ if closed => (None, Mark::Done),
        (None, _, _) => (Some("acknowledge"), mark_for(acknowledge_due, today, p)),
        (Some(_), Some(due), None) => (Some("feedback"), mark_for(due, today, p)),
        _ => (None, Mark::Done),
    };
    Deadlines {
        acknowledge_due,
        acknowledged: ack,
        feedback_due,
        feedback_given: given,
        next,
        mark,
        no_deadline: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        s.parse().expect("date")
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2026-11-15"), 3), d("2027-02-15"));
        assert_eq!(add_months(d("2026-03-02"), 0), d("2026-03-02"));
    }
}

//! What a status change does to a case's deadlines, said before the officer
//! sets it: the case is copied (without its texts), the chosen status
//! applied as of today, and the deadlines compared before and after with
//! the same rules as the inbox ([`crate::desk::deadlines`]).

use super::i18n::Words;
use crate::core::case::Status;
use crate::desk::deadlines;
use crate::desk::vault::{CaseRecord, StatusChange};
use crate::desk::view::AsOf;

/// One sentence: which deadline setting `chosen` today meets (on time or
/// late), or that it meets none and what stays due.
pub(super) fn effect(w: &Words, c: &CaseRecord, chosen: Status, at: AsOf) -> String {
    if chosen == c.status() {
        return w.t("status-effect-same");
    }
    let before = deadlines::deadlines(c, at.today, at.periods);
    let mut after_case = c.summary();
    after_case.status_history.push(StatusChange {
        status: chosen,
        day: at.today,
    });
    let after = deadlines::deadlines(&after_case, at.today, at.periods);
    let day = |d: crate::core::day::Day| d.to_string();
    let timing = |due: crate::core::day::Day| {
        if at.today <= due {
            w.ta("status-effect-on-time", &[("day", day(due).as_str().into())])
        } else {
            w.ta("status-effect-late", &[("day", day(due).as_str().into())])
        }
    };
    match before.next {
        None => w.t("status-effect-nothing-due"),
        Some("acknowledge") if after.acknowledged.is_some() && before.acknowledged.is_none() => {
            let mut s = w.join(&[&w.t("status-effect-acknowledge"), &timing(before.acknowledge_due)]);
            if let (Some("feedback"), Some(due)) = (after.next, after.feedback_due) {
                let next = w.ta(
                    "status-effect-feedback-next",
                    &[("day", day(due).as_str().into())],
                );
                s = w.join(&[&s, &next]);
            }
            s
        }
        Some("feedback") if after.feedback_given.is_some() && before.feedback_given.is_none() => {
            let due = before.feedback_due.unwrap_or(at.today);
            w.join(&[&w.t("status-effect-feedback"), &timing(due)])
        }
        Some("answer") if after.next.is_none() => w.t("status-effect-answer"),
        Some(_) if chosen.is_closed() && after.next.is_none() => w.t("status-effect-closes"),
        Some(_) => {
            let still = super::views::deadline_text(w, after_case.kind, &after)
                .text()
                .to_owned();
            w.ta("status-effect-none", &[("still", still.as_str().into())])
        }
    }
}

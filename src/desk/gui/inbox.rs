//! The inbox's data: every case of the vault, decrypted, with the text the
//! full-text search looks through, and the filters and sort order the
//! officer chose. No drawing here and no vault access: [`Inbox::filtered`]
//! is what the benchmark measures.
//!
//! # Invariants
//!
//! - The search text of a case is built from its decrypted fields, thread
//!   and the office's notes, lower-cased, and lives only in memory
//!   (wiped on drop, like the cases themselves).
//! - Filtering never reads the disk and never changes a case; the window
//!   re-filters only when the filter, the day or a case changes.

use std::cell::RefCell;
use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::core::case::{CaseId, Kind, Status};
use crate::core::day::Day;
use crate::desk::deadlines::{self, Mark};
use crate::desk::vault::{CaseRecord, ThreadItem};
use crate::desk::view::AsOf;

/// How the inbox is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The newest report first.
    #[default]
    Newest,
    Oldest,
    /// The most pressing deadline first (overdue, then due soon, …).
    Deadline,
    Status,
    Id,
}

impl Sort {
    pub const ALL: [Sort; 5] = [Sort::Newest, Sort::Oldest, Sort::Deadline, Sort::Status, Sort::Id];

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Sort::Newest => "sort-newest",
            Sort::Oldest => "sort-oldest",
            Sort::Deadline => "sort-deadline",
            Sort::Status => "sort-status",
            Sort::Id => "sort-id",
        }
    }
}

/// What the officer asked the inbox to show.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Filter {
    /// Words every shown case must contain (case-insensitive), anywhere in
    /// its decrypted text.
    pub text: Zeroizing<String>,
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    pub category: Option<&'static str>,
    pub overdue_only: bool,
    pub starred_only: bool,
    pub unread_only: bool,
    pub sort: Sort,
}

/// Every case, decrypted, and what search looks through.
#[derive(Debug, Default)]
pub struct Inbox {
    pub cases: BTreeMap<CaseId, CaseRecord>,
    search: BTreeMap<CaseId, Zeroizing<String>>,
    /// The last filter asked for, its day and its answer: a frame asks
    /// again only when the filter, the day or a case changed.
    shown: RefCell<Option<(Filter, Day, Vec<CaseId>)>>,
}

fn push_text(out: &mut String, text: &str) {
    out.push_str(&text.to_lowercase());
    out.push('\n');
}

/// The lower-cased text search looks through for one case.
fn search_text(case: &CaseRecord) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::new());
    push_text(&mut s, &case.id.to_string());
    push_text(&mut s, case.description.expose());
    for field in [
        &case.when,
        &case.where_,
        &case.people,
        &case.contact,
        &case.office.notes,
    ]
    .into_iter()
    .flatten()
    {
        push_text(&mut s, field.expose());
    }
    for item in &case.thread {
        match item {
            ThreadItem::Message { text, .. } | ThreadItem::Reply { text, .. } => {
                push_text(&mut s, text.expose())
            }
            _ => {}
        }
    }
    for a in case.all_attachments() {
        push_text(&mut s, &a.name);
    }
    s
}

impl Inbox {
    pub fn new(cases: impl IntoIterator<Item = CaseRecord>) -> Inbox {
        let mut inbox = Inbox::default();
        for case in cases {
            inbox.put(case);
        }
        inbox
    }

    /// Adds or replaces a case.
    pub fn put(&mut self, case: CaseRecord) {
        self.search.insert(case.id, search_text(&case));
        self.cases.insert(case.id, case);
        *self.shown.get_mut() = None;
    }

    pub fn remove(&mut self, id: CaseId) {
        self.search.remove(&id);
        self.cases.remove(&id);
        *self.shown.get_mut() = None;
    }

    /// [`Inbox::filtered`], remembered until the filter, the day or a case
    /// changes (the window asks every frame).
    pub fn shown(&self, filter: &Filter, at: AsOf) -> Vec<CaseId> {
        if let Ok(cache) = self.shown.try_borrow()
            && let Some((f, day, ids)) = cache.as_ref()
            && f == filter
            && *day == at.today
        {
            return ids.clone();
        }
        let ids = self.filtered(filter, at);
        if let Ok(mut cache) = self.shown.try_borrow_mut() {
            *cache = Some((filter.clone(), at.today, ids.clone()));
        }
        ids
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// The ids of the cases `filter` lets through, in its order.
    pub fn filtered(&self, filter: &Filter, at: AsOf) -> Vec<CaseId> {
        let words: Vec<String> = filter.text.split_whitespace().map(str::to_lowercase).collect();
        let mut shown: Vec<(&CaseRecord, Mark)> = self
            .cases
            .values()
            .filter(|c| filter.status.is_none_or(|s| c.status() == s))
            .filter(|c| filter.kind.is_none_or(|k| c.kind == k))
            .filter(|c| {
                filter
                    .category
                    .is_none_or(|cat| c.categories.iter().any(|x| x == cat))
            })
            .filter(|c| !filter.starred_only || c.office.star)
            .filter(|c| !filter.unread_only || c.unread() > 0)
            .filter(|c| {
                words.is_empty()
                    || self
                        .search
                        .get(&c.id)
                        .is_some_and(|hay| words.iter().all(|w| hay.contains(w.as_str())))
            })
            .map(|c| (c, deadlines::deadlines(c, at.today, at.periods).mark))
            .filter(|(_, mark)| !filter.overdue_only || *mark == Mark::Overdue)
            .collect();
        let urgency = |m: Mark| match m {
            Mark::Overdue => 0,
            Mark::DueSoon => 1,
            Mark::Ok => 2,
            Mark::Done => 3,
        };
        match filter.sort {
            Sort::Newest => shown.sort_by(|a, b| b.0.received.cmp(&a.0.received).then(a.0.id.cmp(&b.0.id))),
            Sort::Oldest => shown.sort_by(|a, b| a.0.received.cmp(&b.0.received).then(a.0.id.cmp(&b.0.id))),
            Sort::Deadline => shown.sort_by(|a, b| {
                urgency(a.1)
                    .cmp(&urgency(b.1))
                    .then(a.0.received.cmp(&b.0.received))
            }),
            Sort::Status => shown.sort_by(|a, b| {
                let pos = |s: Status| Status::ALL.iter().position(|x| *x == s);
                pos(a.0.status())
                    .cmp(&pos(b.0.status()))
                    .then(a.0.id.cmp(&b.0.id))
            }),
            Sort::Id => {}
        }
        shown.into_iter().map(|(c, _)| c.id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::secret::SecretText;
    use crate::desk::deadlines::Periods;
    use crate::desk::vault::{OfficeMarks, StatusChange};

    fn case(n: u8, kind: Kind, cats: &[&str], text: &str, received: &str) -> CaseRecord {
        let day: Day = received.parse().expect("day");
        CaseRecord {
            id: CaseId::from_random([n; 8]),
            received: day,
            recipient: String::new(),
            kind,
            categories: cats.iter().map(|c| (*c).to_owned()).collect(),
            description: SecretText::new(text.to_owned()),
            when: None,
            where_: None,
            people: Some(SecretText::new("Jean Dupont".into())),
            contact: None,
            attachments: Vec::new(),
            thread: vec![ThreadItem::Report { seq: 1, day }],
            status_history: vec![StatusChange {
                status: Status::Received,
                day,
            }],
            channel: None,
            addressed_to: None,
            upload: None,
            message_key: None,
            office: OfficeMarks::default(),
        }
    }

    fn at() -> AsOf {
        AsOf {
            today: "2026-03-20".parse().expect("day"),
            periods: Periods::default(),
        }
    }

    #[test]
    fn filters_and_search_combine() {
        let inbox = Inbox::new([
            case(
                1,
                Kind::Misconduct,
                &["fraud"],
                "Invoices were inflated",
                "2026-03-01",
            ),
            case(2, Kind::Advice, &["gifts"], "May I keep a watch?", "2026-03-18"),
            case(
                3,
                Kind::Misconduct,
                &["harassment", "fraud"],
                "Shouting in meetings",
                "2026-03-19",
            ),
        ]);
        let mut f = Filter::default();
        assert_eq!(inbox.filtered(&f, at()).len(), 3);
        f.text = Zeroizing::new("WATCH".into());
        assert_eq!(inbox.filtered(&f, at()), vec![CaseId::from_random([2; 8])]);
        f.text = Zeroizing::new("dupont invoices".into());
        assert_eq!(inbox.filtered(&f, at()), vec![CaseId::from_random([1; 8])]);
        f.text = Zeroizing::new(String::new());
        f.category = Some("fraud");
        assert_eq!(inbox.filtered(&f, at()).len(), 2);
        f.overdue_only = true;
        assert_eq!(inbox.filtered(&f, at()), vec![CaseId::from_random([1; 8])]);
        f.overdue_only = false;
        f.category = None;
        f.kind = Some(Kind::Advice);
        assert_eq!(inbox.filtered(&f, at()), vec![CaseId::from_random([2; 8])]);
    }

    #[test]
    fn the_shown_list_follows_the_filter_and_the_cases() {
        let mut inbox = Inbox::new([case(1, Kind::Misconduct, &["fraud"], "a", "2026-03-01")]);
        let mut f = Filter::default();
        assert_eq!(inbox.shown(&f, at()).len(), 1);
        f.kind = Some(Kind::Advice);
        assert!(inbox.shown(&f, at()).is_empty());
        inbox.put(case(2, Kind::Advice, &["gifts"], "b", "2026-03-02"));
        assert_eq!(inbox.shown(&f, at()), vec![CaseId::from_random([2; 8])]);
        inbox.remove(CaseId::from_random([2; 8]));
        assert!(inbox.shown(&f, at()).is_empty());
    }

    #[test]
    fn newest_first_by_default() {
        let inbox = Inbox::new([
            case(1, Kind::Misconduct, &["fraud"], "a", "2026-03-01"),
            case(2, Kind::Misconduct, &["fraud"], "b", "2026-03-18"),
        ]);
        let ids = inbox.filtered(&Filter::default(), at());
        assert_eq!(ids.first(), Some(&CaseId::from_random([2; 8])));
    }
}

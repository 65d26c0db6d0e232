//! The vocabulary of a case: kinds, categories, advice topics, statuses, ids.
//!
//! These names are part of candor's interface (form values, `--json` output,
//! `--set STATUS`); see DESIGN.md. Nothing here does I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Misconduct report or request for confidential advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Misconduct,
    Advice,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Misconduct => "misconduct",
            Kind::Advice => "advice",
        }
    }

    /// The categories (misconduct) or topics (advice) a case of this kind may carry.
    pub fn allowed_categories(self) -> &'static [&'static str] {
        match self {
            Kind::Misconduct => MISCONDUCT_CATEGORIES,
            Kind::Advice => ADVICE_TOPICS,
        }
    }
}

impl FromStr for Kind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Kind, UnknownName> {
        match s {
            "misconduct" => Ok(Kind::Misconduct),
            "advice" => Ok(Kind::Advice),
            _ => Err(UnknownName),
        }
    }
}

/// Types of misconduct, in the order an annual report lists them.
pub const MISCONDUCT_CATEGORIES: &[&str] = &[
    "conduct",
    "harassment",
    "outside-activities",
    "conflict-of-interest",
    "fraud",
    "retaliation",
    "sexual-exploitation",
    "other",
];

/// Topics of confidential advice.
pub const ADVICE_TOPICS: &[&str] = &[
    "outside-activities",
    "conflict-of-interest",
    "gifts",
    "elections",
    "hr-grievance",
    "workplace-dispute",
    "other",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown name")]
pub struct UnknownName;

/// Where a case stands. The officer may set any status at any time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Received,
    Acknowledged,
    PreliminaryReview,
    Investigation,
    ClosedSubstantiated,
    ClosedUnsubstantiated,
    ClosedReferred,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Received,
        Status::Acknowledged,
        Status::PreliminaryReview,
        Status::Investigation,
        Status::ClosedSubstantiated,
        Status::ClosedUnsubstantiated,
        Status::ClosedReferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Acknowledged => "acknowledged",
            Status::PreliminaryReview => "preliminary-review",
            Status::Investigation => "investigation",
            Status::ClosedSubstantiated => "closed-substantiated",
            Status::ClosedUnsubstantiated => "closed-unsubstantiated",
            Status::ClosedReferred => "closed-referred",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::ClosedSubstantiated | Status::ClosedUnsubstantiated | Status::ClosedReferred
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Status, UnknownName> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(UnknownName)
    }
}

const CASE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A case's id: 50 random bits, shown as ten symbols (`7K2M9-QXDHF`).
///
/// It is an id, not a secret: it appears in the store and in bundles in the
/// clear, and knowing it gives no access to anything.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(pub [u8; 8]);

/// A case id's 8 bytes had bits set above the 50 a case id has.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("case id {} is outside the range of case ids (50 bits)", hex::encode(.0))]
pub struct CaseIdOutOfRange(pub [u8; 8]);

impl CaseId {
    /// The largest case id: ten symbols of five bits.
    pub const MAX: u64 = (1 << 50) - 1;

    /// A case id read from a wire format: every decoder goes through here,
    /// so that two different byte strings never name the same case (names
    /// show the low 50 bits only).
    pub fn from_bytes(bytes: [u8; 8]) -> Result<CaseId, CaseIdOutOfRange> {
        if u64::from_be_bytes(bytes) > Self::MAX {
            return Err(CaseIdOutOfRange(bytes));
        }
        Ok(CaseId(bytes))
    }

    /// A case id from random bytes; only the low 50 bits are kept.
    pub fn from_random(bytes: [u8; 8]) -> CaseId {
        let v = u64::from_be_bytes(bytes) & ((1 << 50) - 1);
        CaseId(v.to_be_bytes())
    }

    fn value(self) -> u64 {
        u64::from_be_bytes(self.0)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.value();
        for i in 0..10 {
            if i == 5 {
                f.write_str("-")?;
            }
            let sym = (v >> (45 - 5 * i)) & 31;
            let c = CASE_ALPHABET
                .get(usize::try_from(sym).unwrap_or(0))
                .copied()
                .unwrap_or(b'0');
            write!(f, "{}", char::from(c))?;
        }
        Ok(())
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseId({self})")
    }
}

impl FromStr for CaseId {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<CaseId, UnknownName> {
        let mut v: u64 = 0;
        let mut n = 0;
        for c in s.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            let c = c.to_ascii_uppercase();
            let c = match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let pos = CASE_ALPHABET
                .iter()
                .position(|&a| char::from(a) == c)
                .ok_or(UnknownName)?;
            v = (v << 5) | pos as u64;
            n += 1;
        }
        if n != 10 {
            return Err(UnknownName);
        }
        Ok(CaseId(v.to_be_bytes()))
    }
}

impl Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CaseId, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(|_| serde::de::Error::custom("not a case id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn status_names_round_trip() {
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>(), Ok(st));
        }
        assert!("closed".parse::<Status>().is_err());
    }

    proptest! {
        #[test]
        fn case_id_round_trip(bytes in any::<[u8; 8]>()) {
            let id = CaseId::from_random(bytes);
            let shown = id.to_string();
            prop_assert_eq!(shown.len(), 11);
            prop_assert_eq!(shown.parse::<CaseId>(), Ok(id));
            prop_assert_eq!(shown.to_lowercase().parse::<CaseId>(), Ok(id));
            prop_assert_eq!(CaseId::from_bytes(id.0), Ok(id));
        }

        #[test]
        fn case_ids_outside_the_range_are_refused(high in 1u64..(1 << 14), low in any::<u64>()) {
            let bytes = ((high << 50) | (low & CaseId::MAX)).to_be_bytes();
            prop_assert_eq!(CaseId::from_bytes(bytes), Err(CaseIdOutOfRange(bytes)));
        }
    }
}

//! Calendar days: the only unit of time candor keeps.
//!
//! A [`Day`] counts days since 1970-01-01 (UTC). Arrival times are rounded to
//! the day before anything is stored, so no exact time exists to leak. This
//! module does not read the clock; [`crate::clock`] does, in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day, as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Day(pub u32);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a date in the form YYYY-MM-DD")]
pub struct ParseDayError;

impl Day {
    /// The day a Unix timestamp (seconds) falls on, in UTC.
    pub fn from_unix_seconds(secs: u64) -> Day {
        Day(u32::try_from(secs / 86_400).unwrap_or(u32::MAX))
    }

    /// Builds a day from a civil date; `None` if the date does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = i64::from(year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        u32::try_from(era * 146_097 + doe - 719_468).ok().map(Day)
    }

    /// The civil date (year, month, day) of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = i64::from(self.0) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = y + i64::from(m <= 2);
        (
            i32::try_from(year).unwrap_or(i32::MAX),
            u32::try_from(m).unwrap_or(1),
            u32::try_from(d).unwrap_or(1),
        )
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Day {
    type Err = ParseDayError;

    fn from_str(s: &str) -> Result<Day, ParseDayError> {
        let mut parts = s.trim().splitn(3, '-');
        let mut next = || parts.next().ok_or(ParseDayError);
        let (y, m, d) = (next()?, next()?, next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(ParseDayError);
        }
        let num = |p: &str| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse::<u32>().map_err(|_| ParseDayError)
            } else {
                Err(ParseDayError)
            }
        };
        let year = i32::try_from(num(y)?).map_err(|_| ParseDayError)?;
        Day::from_ymd(year, num(m)?, num(d)?).ok_or(ParseDayError)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(Day(0).to_string(), "1970-01-01");
        assert_eq!("2024-02-29".parse::<Day>(), Ok(Day(19_782)));
        assert_eq!(Day(19_782).to_string(), "2024-02-29");
        assert_eq!("2023-02-29".parse::<Day>(), Err(ParseDayError));
        assert_eq!("2023-1-05".parse::<Day>(), Err(ParseDayError));
        assert_eq!(Day::from_unix_seconds(1_700_000_000).to_string(), "2023-11-14");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(n in 0u32..2_900_000) {
            let day = Day(n);
            prop_assert_eq!(day.to_string().parse::<Day>(), Ok(day));
        }
    }
}

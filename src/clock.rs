//! The clock, read in one place and rounded to the day.
//!
//! candor keeps no time finer than a calendar day (see DESIGN.md, "Metadata
//! rules"). Everything else receives a [`Day`] as a parameter, so tests can
//! fix the date and no exact time can reach the store or the logs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::core::day::Day;

/// Today, in UTC. `CANDOR_TODAY=YYYY-MM-DD` fixes the date (for tests and demos).
pub fn today() -> Day {
    if let Some(day) = std::env::var("CANDOR_TODAY").ok().and_then(|s| s.parse().ok()) {
        return day;
    }
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Day::from_unix_seconds(secs)
}

/// How long until the next UTC day begins (plus a second, so that whoever
/// wakes then reads the new date). For tasks that run once a day; the value
/// stays in memory and is never written anywhere.
pub fn until_next_day() -> Duration {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Duration::from_secs(86_400 - secs % 86_400 + 1)
}

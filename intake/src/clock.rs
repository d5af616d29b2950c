//! Time, passed in so that tests control it: deadlines, overdue checks and timestamps all read the
//! clock in [`crate::AppState`], never the system time directly.
//!
//! Stored timestamps are UTC; the calendar date that statutory periods count from is the date in
//! China Standard Time (UTC+8, no daylight saving).

use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in China Standard Time.
    fn today(&self) -> NaiveDate {
        local_date(self.now())
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved, for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// A clock at 09:00 China Standard Time on `date`.
    pub fn at_date(date: NaiveDate) -> ManualClock {
        let local = date.and_hms_opt(9, 0, 0).expect("09:00 exists");
        ManualClock::new(disclosure::china_time::instant(local).to_utc())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn set_date(&self, date: NaiveDate) {
        let local = date.and_hms_opt(9, 0, 0).expect("09:00 exists");
        self.set(disclosure::china_time::instant(local).to_utc());
    }

    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The calendar date in China Standard Time of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    disclosure::china_time::date_of(at)
}

/// The stored form of an instant: fixed-width RFC 3339 UTC, so text order is time order.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored timestamp.
pub fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An instant shown to people: local time, minutes.
pub fn display(at: DateTime<Utc>) -> String {
    at.with_timezone(&disclosure::china_time::offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A stored timestamp shown to people; the raw text if it does not parse.
pub fn display_stamp(s: &str) -> String {
    parse_stamp(s).map(display).unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_sort_as_time() {
        let a = "2026-03-01T23:59:59Z".parse::<DateTime<Utc>>().unwrap();
        let b = a + Duration::microseconds(1);
        assert!(stamp(a) < stamp(b));
        assert_eq!(stamp(a), "2026-03-01T23:59:59.000000Z");
        assert_eq!(parse_stamp(&stamp(b)), Some(b));
        // 23:59 UTC is 07:59 the next morning in China.
        assert_eq!(local_date(a), "2026-03-02".parse::<NaiveDate>().unwrap());
    }
}

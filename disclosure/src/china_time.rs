//! China Standard Time (UTC+8 all year, no daylight saving): the zone of every date and time
//! the site publishes and of every statutory deadline. The one definition site-gen,
//! search-server and intake use.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// The offset, +08:00.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The calendar date in China of an instant.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&offset()).date_naive()
}

/// Today's date in China, from the system clock.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}

/// The instant of a local date and time in China.
pub fn instant(local: NaiveDateTime) -> DateTime<FixedOffset> {
    local
        .and_local_timezone(offset())
        .single()
        .expect("a fixed offset maps every local time to exactly one instant")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_turns_at_midnight_in_china_not_in_utc() {
        let before = "2026-12-31T15:59:59Z".parse::<DateTime<Utc>>().unwrap();
        let after = "2026-12-31T16:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(date_of(before).to_string(), "2026-12-31");
        assert_eq!(date_of(after).to_string(), "2027-01-01");
        let local = NaiveDate::from_ymd_opt(2027, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(instant(local).to_utc(), after);
    }
}

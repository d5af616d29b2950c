//! Working days, from `calendar.toml`: weekends are off, except the make-up working days (调休);
//! listed public holidays are off. Statutory deadlines (受理、办结) are counted in working days.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::front_matter::line_of_offset;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    year: Vec<YearFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    holidays: Vec<toml::value::Datetime>,
    #[serde(default)]
    workdays: Vec<toml::value::Datetime>,
}

fn to_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let date = d.date?;
    if d.time.is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

impl Calendar {
    pub fn parse(file: &str, text: &str) -> Result<Calendar, Vec<Diagnostic>> {
        let parsed: CalendarFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0);
            vec![Diagnostic::new(
                file,
                line,
                "",
                e.message().trim().to_string(),
            )]
        })?;
        let mut cal = Calendar::default();
        let mut diags = Vec::new();
        let line_of = |needle: &str| {
            text.find(needle)
                .map(|o| line_of_offset(text, o))
                .unwrap_or(0)
        };
        for y in parsed.year {
            if !cal.years.insert(y.year) {
                diags.push(Diagnostic::new(
                    file,
                    line_of(&format!("year = {}", y.year)),
                    "year",
                    format!("{} is listed twice", y.year),
                ));
            }
            for (field, list, set) in [
                ("holidays", &y.holidays, &mut cal.holidays),
                ("workdays", &y.workdays, &mut cal.workdays),
            ] {
                for raw in list {
                    match to_date(raw) {
                        Some(d) if d.year() == y.year => {
                            set.insert(d);
                        }
                        _ => diags.push(Diagnostic::new(
                            file,
                            line_of(&raw.to_string()),
                            field,
                            format!("{raw} is not a date in {}", y.year),
                        )),
                    }
                }
            }
        }
        for d in cal.holidays.intersection(&cal.workdays) {
            diags.push(Diagnostic::new(
                file,
                line_of(&d.to_string()),
                "workdays",
                format!("{d} is listed both as a holiday and as a working day"),
            ));
        }
        if diags.is_empty() {
            Ok(cal)
        } else {
            Err(diags)
        }
    }

    /// Whether the calendar lists the holidays of `year`; outside them only weekends are known.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `day` is a working day; `Err` when its year is not in the calendar, since only
    /// weekends would be known there and a holiday such as 元旦 would count as a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, Uncovered> {
        if !self.covers(day.year()) {
            return Err(Uncovered { year: day.year() });
        }
        if self.workdays.contains(&day) {
            return Ok(true);
        }
        if self.holidays.contains(&day) {
            return Ok(false);
        }
        Ok(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The day on which a period of `n` working days that starts the day after `start` ends:
    /// "within 3 working days of receipt" on a Friday before a normal weekend ends on Wednesday.
    /// `Err` when the count reaches a year the calendar does not cover.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, Uncovered> {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day + Days::new(1);
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The first working day on or after `day` (`Err` past the calendar).
    pub fn next_working_day(&self, day: NaiveDate) -> Result<NaiveDate, Uncovered> {
        let mut d = day;
        while !self.is_working_day(d)? {
            d = d + Days::new(1);
        }
        Ok(d)
    }

    /// Working days after `start` up to and including `end` (0 when `end <= start`); `Err` when
    /// a day between them is in a year the calendar does not cover.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<u32, Uncovered> {
        let mut n = 0;
        let mut day = start;
        while day < end {
            day = day + Days::new(1);
            if self.is_working_day(day)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The years listed, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }
}

/// A count that reached a year `calendar.toml` does not list: its public holidays and make-up
/// working days are unknown, so no date is given rather than a wrong one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uncovered {
    pub year: i32,
}

impl std::fmt::Display for Uncovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "calendar.toml 未列入 {} 年的节假日安排，期限暂无法计算",
            self.year
        )
    }
}

impl std::error::Error for Uncovered {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const NATIONAL_DAY_2026: &str = "[[year]]\nyear = 2026\nholidays = [2026-10-01, 2026-10-02, 2026-10-03, 2026-10-04, 2026-10-05, 2026-10-06, 2026-10-07]\nworkdays = [2026-09-20, 2026-10-10]\n";

    #[test]
    fn national_day_and_make_up_saturday() {
        let cal = Calendar::parse("calendar.toml", NATIONAL_DAY_2026).unwrap();
        assert!(!cal.is_working_day(d("2026-10-05")).unwrap());
        assert!(
            cal.is_working_day(d("2026-10-10")).unwrap(),
            "Saturday 10 October is a make-up working day"
        );
        assert!(
            cal.is_working_day(d("2026-09-20")).unwrap(),
            "Sunday 20 September is a make-up working day"
        );
        // Received Wednesday 30 September: 3 working days are 8, 9 and 10 October.
        assert_eq!(
            cal.add_working_days(d("2026-09-30"), 3),
            Ok(d("2026-10-10"))
        );
        assert_eq!(
            cal.working_days_between(d("2026-09-30"), d("2026-10-10")),
            Ok(3)
        );
    }

    #[test]
    fn a_count_into_an_unlisted_year_is_refused_not_guessed() {
        let cal = Calendar::parse("calendar.toml", NATIONAL_DAY_2026).unwrap();
        // 30 working days from 3 December 2026 reach into 2027, whose 元旦 is unknown here.
        assert_eq!(
            cal.add_working_days(d("2026-12-03"), 30),
            Err(Uncovered { year: 2027 })
        );
        assert_eq!(
            cal.add_working_days(d("2026-12-03"), 19),
            Ok(d("2026-12-30"))
        );
        assert_eq!(
            cal.is_working_day(d("2027-01-01")),
            Err(Uncovered { year: 2027 })
        );
        assert_eq!(
            cal.working_days_between(d("2026-12-30"), d("2027-01-04")),
            Err(Uncovered { year: 2027 })
        );
        assert!(Uncovered { year: 2027 }.to_string().contains("2027"));
        let both = Calendar::parse(
            "calendar.toml",
            &format!("{NATIONAL_DAY_2026}\n[[year]]\nyear = 2027\nholidays = [2027-01-01]\n"),
        )
        .unwrap();
        // December 2026 has 20 working days after the 3rd (4th…31st); 1 January is off.
        assert_eq!(
            both.add_working_days(d("2026-12-03"), 30),
            Ok(d("2027-01-15"))
        );
    }

    #[test]
    fn bad_dates_are_named() {
        let e = Calendar::parse(
            "content/calendar.toml",
            "[[year]]\nyear = 2026\nholidays = [2025-10-01]\n",
        )
        .unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "content/calendar.toml:3: holidays: 2025-10-01 is not a date in 2026"
        );
    }
}

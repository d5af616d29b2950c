//! Working-day arithmetic for statutory deadlines (`calendar.toml`: weekends off except make-up
//! working days 调休, listed holidays off): the deadlines on receipt, a period's end, moving a
//! deadline by a clock stop, and the start-up warning when the calendar does not cover a year a
//! deadline may reach (such a deadline is 期限待定, never guessed: `Err(Uncovered)`).
//!
//! Nothing here reads or writes a case: its transitions and the overdue escalation, which use
//! these functions, are [`crate::cases::lifecycle`].
//!
//! Which rule applies ([`RuleName`], the one table in [`crate::rules`]) depends on the kind and
//! the category; the periods themselves are in the config file
//! ([`crate::config::DeadlineRules`]). A period of
//! calendar days whose last day is not a working day ends on the next working day
//! (民法典 第二百零三条).

use chrono::{Days, NaiveDate};
use disclosure::{Calendar, Uncovered};

use crate::config::{DayUnit, Period, Rule, Start};

pub use crate::rules::{rule_for, RuleName};

/// The first working day on or after `day` (`Err` past the calendar).
pub fn next_working_day(cal: &Calendar, day: NaiveDate) -> Result<NaiveDate, Uncovered> {
    cal.next_working_day(day)
}

/// The last day of `period` starting the day after `start`; `Err` when the count reaches a year
/// `calendar.toml` does not cover (never a guessed date).
pub fn end_of(cal: &Calendar, start: NaiveDate, period: Period) -> Result<NaiveDate, Uncovered> {
    match period.unit {
        DayUnit::Working => cal.add_working_days(start, period.days),
        DayUnit::Calendar => next_working_day(cal, start + Days::new(u64::from(period.days))),
    }
}

/// The deadlines of a case on receipt: acceptance (if the rule has that step) and decision (if
/// counted from receipt; else it is set on acceptance). A deadline that cannot be counted is
/// left out and `pending` says why.
pub fn on_receipt(cal: &Calendar, rule: &Rule, received_on: NaiveDate) -> Deadlines {
    let mut pending = None;
    let mut count = |p: Period| match end_of(cal, received_on, p) {
        Ok(d) => Some(d),
        Err(u) => {
            pending = Some(u);
            None
        }
    };
    let accept = rule.accept.and_then(&mut count);
    let decide = if rule.decide_from == Start::Receipt {
        count(rule.decide)
    } else {
        None
    };
    Deadlines {
        accept,
        decide,
        pending,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub accept: Option<NaiveDate>,
    pub decide: Option<NaiveDate>,
    /// A deadline of the rule that could not be counted: the year the count reached is not in
    /// `calendar.toml`. The case is flagged for staff (`Case::deadline_pending`).
    pub pending: Option<Uncovered>,
}

/// Moves a deadline by the days the clock stood still (`paused` to `resumed`), in the period's
/// own unit.
pub fn extend(
    cal: &Calendar,
    deadline: NaiveDate,
    unit: DayUnit,
    paused: NaiveDate,
    resumed: NaiveDate,
) -> Result<NaiveDate, Uncovered> {
    match unit {
        DayUnit::Working => {
            cal.add_working_days(deadline, cal.working_days_between(paused, resumed)?)
        }
        DayUnit::Calendar => {
            let days = (resumed - paused).num_days().max(0) as u64;
            next_working_day(cal, deadline + Days::new(days))
        }
    }
}

/// What the service warns about at start: `calendar.toml` must cover this year and the next,
/// or deadlines reaching the missing year cannot be counted (those cases are flagged, never
/// given a guessed date). The State Council's notice for a year usually comes out in November
/// or December of the year before.
pub fn calendar_warnings(cal: &Calendar, today: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    [today.year(), today.year() + 1]
        .into_iter()
        .filter(|y| !cal.covers(*y))
        .map(|y| {
            format!(
                "calendar.toml does not list {y} (国务院办公厅 holiday notice): deadlines that \
                 reach {y} cannot be counted, such cases are flagged 期限待定 for staff until the \
                 year is added and the service restarted"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DeadlineRules;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn calendar() -> Calendar {
        Calendar::parse(
            "calendar.toml",
            "[[year]]\nyear = 2026\nholidays = [2026-09-25, 2026-10-01, 2026-10-02, 2026-10-03, \
             2026-10-04, 2026-10-05, 2026-10-06, 2026-10-07]\nworkdays = [2026-09-20, 2026-10-10]\n",
        )
        .unwrap()
    }

    #[test]
    fn national_day_and_the_make_up_saturday() {
        let cal = calendar();
        let rules = DeadlineRules::default();
        // Received Wednesday 30 September: 3 working days are 8, 9 and Saturday 10 October.
        let t = on_receipt(&cal, &rules.complaint_tendering, d("2026-09-30"));
        assert_eq!(t.accept, Some(d("2026-10-10")));
        assert_eq!(t.decide, None, "counted from acceptance");
        // Procurement: review within 5 working days, decide within 30 of receipt.
        let p = on_receipt(&cal, &rules.complaint_procurement, d("2026-09-30"));
        assert_eq!(p.accept, Some(d("2026-10-13")));
        assert_eq!(p.decide, Some(d("2026-11-17")));
        // An objection received 29 September: 3 calendar days end on 2 October, a holiday, so
        // the period ends on the first working day after the holiday.
        let o = on_receipt(&cal, &rules.objection, d("2026-09-29"));
        assert_eq!(o.decide, Some(d("2026-10-08")));
        // Suggestions: 15 working days.
        let s = on_receipt(&cal, &rules.suggestion, d("2026-09-28"));
        assert_eq!(s.decide, Some(d("2026-10-23")));
    }
}

//! Statutory deadlines in working days (`calendar.toml`: weekends off except make-up working
//! days 调休, listed holidays off), the clock stop while the submitter's material is awaited,
//! and the overdue check that escalates to the committee office.
//!
//! Which rule applies ([`RuleName`], the one table in [`crate::rules`]) depends on the kind and
//! the category; the periods themselves are in the config file
//! ([`crate::config::DeadlineRules`]). A period of
//! calendar days whose last day is not a working day ends on the next working day
//! (民法典 第二百零三条).

use std::time::Duration;

use chrono::{Days, NaiveDate};
use disclosure::{Calendar, Uncovered};
use sqlx::Row;

use crate::audit::{self, Action};
use crate::cases::{self, Case, Status};
use crate::clock::stamp;
use crate::config::{DayUnit, DeadlineRules, Period, Rule, Start};
use crate::mail::{self, Outgoing};
use crate::AppState;

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

/// Moves a deadline by the days the clock stood still, in the period's own unit.
fn extend(
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

impl Case {
    /// The rule that applies to this case.
    pub fn rule_name(&self) -> RuleName {
        RuleName::from_key(&self.rule).unwrap_or(rule_for(self.kind, self.category()))
    }

    /// A counted deadline, or none with the case flagged ([`Case::deadline_pending`]).
    fn counted(&mut self, deadline: Result<NaiveDate, Uncovered>) -> Option<NaiveDate> {
        match deadline {
            Ok(d) => Some(d),
            Err(u) => {
                self.deadline_pending = Some(u.to_string());
                None
            }
        }
    }

    /// What the submitter and staff are told when no deadline runs although the case is open:
    /// the reason it could not be counted (see [`Case::deadline_pending`]).
    pub fn pending_deadline(&self) -> Option<&str> {
        if self.status.is_closed() || self.status == Status::Waiting {
            return None;
        }
        self.current_deadline()
            .is_none()
            .then_some(())
            .and(self.deadline_pending.as_deref())
    }

    /// The deadline running now: acceptance while received, decision once accepted; none while
    /// the clock is stopped or after the case is closed.
    pub fn current_deadline(&self) -> Option<NaiveDate> {
        match self.status {
            Status::Received => self.accept_deadline.or(self.decide_deadline),
            Status::Accepted => self.decide_deadline,
            Status::Waiting | Status::Rejected | Status::Concluded => None,
        }
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.current_deadline().is_some_and(|d| today > d)
    }

    /// Accepts the case on `today`: sets the decision deadline if it counts from acceptance.
    pub fn accept(&mut self, cal: &Calendar, rules: &DeadlineRules, today: NaiveDate) {
        let rule = self.rule_name().rule(rules);
        self.status = Status::Accepted;
        self.accepted_on = Some(today);
        // A new deadline: missing it is a new escalation.
        self.overdue_escalated_at = None;
        if rule.decide_from == Start::Acceptance {
            self.decide_deadline = self.counted(end_of(cal, today, rule.decide));
            if self.decide_deadline.is_some() {
                // The acceptance deadline, if it was the one not counted, no longer runs.
                self.deadline_pending = None;
            }
        }
    }

    /// Stops the clock on `today` while the submitter's material is awaited.
    pub fn pause(&mut self, today: NaiveDate) {
        if self.status == Status::Waiting {
            return;
        }
        self.status_before_pause = Some(self.status);
        self.status = Status::Waiting;
        self.paused_on = Some(today);
    }

    /// Restarts the clock on `today`: every deadline still running moves by the working days
    /// (or calendar days, for calendar-day periods) the clock stood still.
    pub fn resume(&mut self, cal: &Calendar, rules: &DeadlineRules, today: NaiveDate) {
        let (Status::Waiting, Some(paused)) = (self.status, self.paused_on) else {
            return;
        };
        let rule = self.rule_name().rule(rules);
        let before = self.status_before_pause.unwrap_or(Status::Received);
        if before == Status::Received {
            if let (Some(d), Some(p)) = (self.accept_deadline, rule.accept) {
                self.accept_deadline = self.counted(extend(cal, d, p.unit, paused, today));
            }
        }
        if let Some(d) = self.decide_deadline {
            self.decide_deadline = self.counted(extend(cal, d, rule.decide.unit, paused, today));
        }
        match cal.working_days_between(paused, today) {
            Ok(n) => self.paused_days_total += i64::from(n),
            Err(u) => self.deadline_pending = Some(u.to_string()),
        }
        self.status = before;
        self.status_before_pause = None;
        self.paused_on = None;
        self.overdue_escalated_at = None;
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

impl Case {
    /// Counts again the deadlines that could not be counted ([`Case::deadline_pending`]), now
    /// that the calendar may cover their year. Only when no pause has to be added in (the paused
    /// days are kept as one total, which does not say whether they came before acceptance): a
    /// case paused before stays flagged for staff to count. Returns whether anything changed.
    pub fn recount(&mut self, cal: &Calendar, rules: &DeadlineRules) -> bool {
        if self.deadline_pending.is_none()
            || self.status.is_closed()
            || self.status == Status::Waiting
            || self.paused_days_total > 0
        {
            return false;
        }
        let rule = self.rule_name().rule(rules);
        let mut pending = None;
        let mut count = |start: NaiveDate, p: Period| match end_of(cal, start, p) {
            Ok(d) => Some(d),
            Err(u) => {
                pending = Some(u);
                None
            }
        };
        let before = (self.accept_deadline, self.decide_deadline);
        if self.status == Status::Received && self.accept_deadline.is_none() {
            if let Some(p) = rule.accept {
                self.accept_deadline = count(self.received_on, p);
            }
        }
        if self.decide_deadline.is_none() {
            let start = match rule.decide_from {
                Start::Receipt => Some(self.received_on),
                Start::Acceptance => self.accepted_on,
            };
            if let Some(start) = start {
                self.decide_deadline = count(start, rule.decide);
            }
        }
        let pending = pending.map(|u| u.to_string());
        let changed = before != (self.accept_deadline, self.decide_deadline)
            || pending != self.deadline_pending;
        self.deadline_pending = pending;
        changed
    }
}

/// At start: counts the deadlines of open cases flagged 期限待定 that the calendar now covers,
/// each change with its audit event and the submitter's mail ([`cases::record`]). Returns how
/// many cases got a deadline.
pub async fn recount_pending(state: &AppState) -> Result<usize, crate::Error> {
    let rows = sqlx::query(
        "SELECT id FROM cases WHERE deadline_pending IS NOT NULL AND \
         status IN ('received', 'accepted') ORDER BY id",
    )
    .fetch_all(state.db.reader())
    .await?;
    let mut n = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut tx = state.db.begin().await?;
        let Some(mut case) = cases::get_in(&mut tx, id).await? else {
            continue;
        };
        if !case.recount(&state.content.calendar, &state.config.deadlines) {
            continue;
        }
        cases::save(&mut tx, &case).await?;
        let note = match (case.current_deadline(), &case.deadline_pending) {
            (Some(d), _) => format!("办理期限：{d}（{}）", case.rule_name().basis()),
            (None, Some(why)) => format!("部分期限仍待定：{why}"),
            (None, None) => String::new(),
        };
        cases::record(
            &mut tx,
            state,
            &case,
            "system",
            Action::DeadlineCounted,
            &note,
        )
        .await?;
        tx.commit().await?;
        n += 1;
    }
    if n > 0 {
        state.mailer.wake.notify_one();
    }
    Ok(n)
}

/// Finds open cases past their deadline that were not escalated yet, flags them, records an
/// audit event and mails the committee office (and the department). Returns how many.
pub async fn escalate_overdue(state: &AppState) -> Result<usize, crate::Error> {
    let now = state.clock.now();
    let today = crate::clock::local_date(now);
    let today_s = today.to_string();
    let rows = sqlx::query(
        "SELECT id FROM cases WHERE overdue_escalated_at IS NULL AND paused_on IS NULL AND \
         ((status = 'received' AND COALESCE(accept_deadline, decide_deadline) < $1) OR \
          (status = 'accepted' AND decide_deadline < $1)) ORDER BY id",
    )
    .bind(&today_s)
    .fetch_all(state.db.reader())
    .await?;
    let office = state.content.departments.fallback();
    let mut n = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut tx = state.db.begin().await?;
        // Re-read inside the transaction: staff may have acted meanwhile.
        let Some(mut case) = cases::get_in(&mut tx, id).await? else {
            continue;
        };
        if case.overdue_escalated_at.is_some() || !case.is_overdue(today) {
            continue;
        }
        let deadline = case
            .current_deadline()
            .map(|d| d.to_string())
            .unwrap_or_default();
        case.overdue_escalated_at = Some(stamp(now));
        cases::save(&mut tx, &case).await?;
        let department = state
            .content
            .departments
            .get(&case.department)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| case.department.clone());
        let note = format!("期限 {deadline} 已过，承办部门：{department}");
        audit::append(
            &mut tx,
            Some(case.id),
            now,
            "system",
            Action::Overdue,
            &note,
        )
        .await?;
        let body = format!(
            "{}（{}）已超过办理期限 {deadline}，尚未办结。\n承办部门：{department}\n请督办。\n\n{}/staff/cases/{}\n",
            case.tracking_number,
            case.kind.label(),
            state.content.site.base_url,
            case.tracking_number,
        );
        let subject = format!(
            "【超期督办】{} {}",
            case.tracking_number,
            case.title_short()
        );
        let mut recipients = vec![office.email.clone()];
        if let Some(d) = state.content.departments.get(&case.department) {
            if d.email != office.email {
                recipients.push(d.email.clone());
            }
        }
        for recipient in recipients {
            mail::enqueue(
                &mut tx,
                &state.mailer,
                now,
                &Outgoing {
                    case_id: Some(case.id),
                    recipient,
                    subject: subject.clone(),
                    body: body.clone(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        n += 1;
    }
    if n > 0 {
        state.mailer.wake.notify_one();
    }
    Ok(n)
}

/// The periodic overdue check (every `mail.overdue_check_secs`).
pub async fn run_overdue_checker(state: AppState) {
    let every = Duration::from_secs(state.config.mail.overdue_check_secs.max(1));
    loop {
        match escalate_overdue(&state).await {
            Ok(n) if n > 0 => tracing::info!("escalated {n} overdue case(s)"),
            Ok(_) => {}
            Err(e) => tracing::error!("overdue check: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

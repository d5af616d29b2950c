//! The life of a case: what it is due by and how it moves ([`Case::accept`], [`Case::pause`],
//! [`Case::resume`], [`Case::recount`], [`Case::escalate`]), and **the one writer** of a case,
//! [`write`]: it saves the case, appends its audit event and queues the mail the change causes,
//! in the caller's transaction. A new case is written by [`open`] the same way.
//!
//! The writer is the only way to save a case: the function that writes the row (`save`, and
//! `insert` for a new case) is private to this module, so code elsewhere that tried to save a
//! case without its audit event and mail would not compile. That is a compile-time property,
//! not something a test can check at run time. (Raw SQL can still write the `cases` table from
//! anywhere; the only other writer is the staff side's `queries::save_extra`, which writes the
//! staff's own columns — outcome, published title — that are neither [`Case`] fields nor covered
//! by the audit chain, in the same transaction before calling [`write`].)
//!
//! The order inside the writer matters: the audit chain covers the case row
//! ([`audit::append`] reads it in the same transaction), so the case is saved first, then the
//! event appended, then the mail queued.
//!
//! The periodic jobs that change cases — the overdue escalation ([`escalate_overdue`]) and the
//! recount of deadlines once the calendar covers their year ([`recount_pending`]) — go through
//! the same writer. The working-day arithmetic itself is [`crate::deadline`].

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use disclosure::{Calendar, Uncovered};
use sqlx::Row;

use super::notices::{department_mail, escalation_mails, submitter_mail};
use super::{opt_date, Case, Status};
use crate::attachments::StoredFile;
use crate::audit::{self, Action};
use crate::clock::{local_date, stamp};
use crate::config::{DeadlineRules, Period, Start};
use crate::db::Tx;
use crate::deadline::{end_of, extend, rule_for, RuleName};
use crate::mail::{self, Outgoing};
use crate::AppState;

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

    /// Marks the case escalated to the committee office at `now` because its deadline passed on
    /// `today`; `false` (and nothing changed) when it is not overdue or was escalated already.
    pub fn escalate(&mut self, today: NaiveDate, now: DateTime<Utc>) -> bool {
        if self.overdue_escalated_at.is_some() || !self.is_overdue(today) {
            return false;
        }
        self.overdue_escalated_at = Some(stamp(now));
        true
    }
}

/// What happened to a case, as [`write`] records it: who did it, the action and the note on the
/// audit event, and any mail beyond what the action itself causes.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub action: Action,
    pub note: &'a str,
    /// Queued after the action's own mail (see [`write`]).
    pub mail: Vec<Outgoing>,
}

impl<'a> Change<'a> {
    pub fn new(actor: &'a str, action: Action, note: &'a str) -> Change<'a> {
        Change {
            actor,
            action,
            note,
            mail: Vec::new(),
        }
    }

    /// Also queues `mail` with the change (the department's notice that material arrived).
    pub fn with_mail(mut self, mail: Outgoing) -> Change<'a> {
        self.mail.push(mail);
        self
    }
}

/// **The writer**: saves `case` as changed, appends the audit event of `change` and queues the
/// mail it causes, in the caller's transaction. The mail: the submitter's (when they gave an
/// address) on every change they see, the new department's on a transfer, the committee
/// office's and the department's on an overdue escalation, then `change.mail`. Commit, then
/// `state.mailer.wake.notify_one()`.
///
/// This is the only way to save a case (the row writer is private to this module; see the
/// module documentation — a compile-time property).
pub async fn write(
    tx: &mut Tx,
    state: &AppState,
    case: &Case,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    // Saved first: the audit event digests the row as this transaction leaves it.
    save(tx, case).await?;
    record(tx, state, state.clock.now(), case, &change).await
}

/// Writes a new case (its id is set here), the attachments that came with it, its `submitted`
/// event and the department's mail, in the caller's transaction.
pub(super) async fn open(
    tx: &mut Tx,
    state: &AppState,
    now: DateTime<Utc>,
    mut case: Case,
    files: &[StoredFile],
) -> Result<Case, sqlx::Error> {
    case.id = insert(tx, &case).await?;
    for f in files {
        sqlx::query(
            "INSERT INTO attachments (case_id, file_name, content_type, size_bytes, sha256, \
             stored_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case.id)
        .bind(&f.file_name)
        .bind(f.content_type)
        .bind(f.size as i64)
        .bind(&f.sha256)
        .bind(&f.stored_path)
        .bind(&case.received_at)
        .execute(&mut **tx)
        .await?;
    }
    let reason = case.routing_reason.clone();
    record(
        tx,
        state,
        now,
        &case,
        &Change::new("public", Action::Submitted, &reason),
    )
    .await?;
    Ok(case)
}

/// Inserts a new case row (the submission and its first deadlines); returns its id. Private:
/// only [`open`] calls it.
async fn insert(tx: &mut Tx, case: &Case) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO cases (tracking_number, kind, title, content, project, category, \
         submitter_name, submitter_phone, submitter_email, department, routing_reason, status, \
         received_at, received_on, rule, accept_deadline, decide_deadline, access_key_hash, \
         deadline_pending) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19) \
         RETURNING id",
    )
    .bind(&case.tracking_number)
    .bind(case.kind.key())
    .bind(&case.title)
    .bind(&case.content)
    .bind(&case.project)
    .bind(&case.category)
    .bind(&case.submitter_name)
    .bind(&case.submitter_phone)
    .bind(&case.submitter_email)
    .bind(&case.department)
    .bind(&case.routing_reason)
    .bind(case.status.key())
    .bind(&case.received_at)
    .bind(case.received_on.to_string())
    .bind(&case.rule)
    .bind(opt_date(case.accept_deadline))
    .bind(opt_date(case.decide_deadline))
    .bind(&case.access_key_hash)
    .bind(&case.deadline_pending)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")
}

/// Writes every changeable column of `case` back (not the submission itself, which never
/// changes, nor the access key). Private: only [`write`] calls it.
async fn save(tx: &mut Tx, case: &Case) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE cases SET department = $1, routing_reason = $2, status = $3, \
         accept_deadline = $4, decide_deadline = $5, accepted_on = $6, closed_at = $7, \
         paused_on = $8, status_before_pause = $9, paused_days_total = $10, \
         overdue_escalated_at = $11, decision = $12, published = $13, published_decision = $14, \
         published_at = $15, deadline_pending = $16 WHERE id = $17",
    )
    .bind(&case.department)
    .bind(&case.routing_reason)
    .bind(case.status.key())
    .bind(opt_date(case.accept_deadline))
    .bind(opt_date(case.decide_deadline))
    .bind(opt_date(case.accepted_on))
    .bind(&case.closed_at)
    .bind(opt_date(case.paused_on))
    .bind(case.status_before_pause.map(|s| s.key()))
    .bind(case.paused_days_total)
    .bind(&case.overdue_escalated_at)
    .bind(&case.decision)
    .bind(i64::from(case.published))
    .bind(&case.published_decision)
    .bind(&case.published_at)
    .bind(&case.deadline_pending)
    .bind(case.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends the audit event of `change` and queues its mail (after the case row was written).
async fn record(
    tx: &mut Tx,
    state: &AppState,
    now: DateTime<Utc>,
    case: &Case,
    change: &Change<'_>,
) -> Result<(), sqlx::Error> {
    let action = change.action;
    audit::append(tx, Some(case.id), now, change.actor, action, change.note).await?;
    let mut mails = Vec::new();
    if action.notifies_submitter() {
        if let Some(email) = &case.submitter_email {
            mails.push(submitter_mail(state, case, action, change.note, email));
        }
    }
    match action {
        Action::Submitted | Action::Transferred => mails.push(department_mail(state, case)),
        Action::Overdue => mails.extend(escalation_mails(state, case)),
        _ => {}
    }
    for m in mails.iter().chain(&change.mail) {
        mail::enqueue(tx, &state.mailer, now, m).await?;
    }
    Ok(())
}

/// At start: counts the deadlines of open cases flagged 期限待定 that the calendar now covers,
/// each change through [`write`] (its audit event and the submitter's mail). Returns how many
/// cases got a deadline.
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
        let Some(mut case) = super::get_in(&mut tx, id).await? else {
            continue;
        };
        if !case.recount(&state.content.calendar, &state.config.deadlines) {
            continue;
        }
        let note = match (case.current_deadline(), &case.deadline_pending) {
            (Some(d), _) => format!("办理期限：{d}（{}）", case.rule_name().basis()),
            (None, Some(why)) => format!("部分期限仍待定：{why}"),
            (None, None) => String::new(),
        };
        let change = Change::new("system", Action::DeadlineCounted, &note);
        write(&mut tx, state, &case, change).await?;
        tx.commit().await?;
        n += 1;
    }
    if n > 0 {
        state.mailer.wake.notify_one();
    }
    Ok(n)
}

/// Finds open cases past their deadline that were not escalated yet and escalates each through
/// [`write`]: the case flagged, an `overdue` audit event, mail to the committee office (and the
/// department). Returns how many.
pub async fn escalate_overdue(state: &AppState) -> Result<usize, crate::Error> {
    let now = state.clock.now();
    let today = local_date(now);
    let rows = sqlx::query(
        "SELECT id FROM cases WHERE overdue_escalated_at IS NULL AND paused_on IS NULL AND \
         ((status = 'received' AND COALESCE(accept_deadline, decide_deadline) < $1) OR \
          (status = 'accepted' AND decide_deadline < $1)) ORDER BY id",
    )
    .bind(today.to_string())
    .fetch_all(state.db.reader())
    .await?;
    let mut n = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut tx = state.db.begin().await?;
        // Re-read inside the transaction: staff may have acted meanwhile.
        let Some(mut case) = super::get_in(&mut tx, id).await? else {
            continue;
        };
        if !case.escalate(today, now) {
            continue;
        }
        let deadline = case
            .current_deadline()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let department = state.content.departments.name(&case.department);
        let note = format!("期限 {deadline} 已过，承办部门：{department}");
        write(
            &mut tx,
            state,
            &case,
            Change::new("system", Action::Overdue, &note),
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

//! The audit trail: every action on a case (and every staff view of one) is an event appended in
//! the same transaction as the change, chained by SHA-256 so that an edited, removed or
//! reordered event is found by [`verify`] (`intake audit verify`).
//!
//! `hash = sha256(prev_hash, seq, case_id, at, actor, action, note)`, each field length-prefixed
//! so that no two different events hash alike. `chain_head` holds the last seq and hash: every
//! append updates it first, which serialises appends on PostgreSQL (row lock) as SQLite's single
//! writer already does, and lets `verify` notice a removed last event. The database also refuses
//! UPDATE and DELETE on `events` (triggers); the chain catches whoever drops them.
//!
//! Two things a database owner could still do are caught as well:
//! - Edit a case row (status, department, deadlines, decision) without an event: every event
//!   about a case carries `case_state`, a digest of those fields as they stood when it was
//!   appended (read in the same transaction, after the change), and [`verify`] compares each
//!   case's row with its last event's digest.
//! - Rewrite history and recompute every hash, or delete the last events and move `chain_head`:
//!   the chain is anchored outside the database. `intake export` appends the chain head (seq,
//!   hash) to `audit-anchors.json` in the content folder, site-gen publishes it at
//!   `/data/audit-anchors.json`, and [`verify_anchors`] checks the chain against every anchor (the
//!   local file and any published copy), so a rewrite of anything up to the last export shows.
//!   Events after the last export are covered by the chain alone, until the next export.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::clock::stamp;
use crate::db::{Db, Tx};

/// The hash the chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. The key is stored; the label is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The public submitted the case.
    Submitted,
    Accepted,
    Rejected,
    Transferred,
    /// Staff asked for more material: the clock stops.
    MaterialRequested,
    /// The material arrived: the clock runs again, the deadline moves by the paused days.
    MaterialReceived,
    Concluded,
    Published,
    /// The system found the case past its deadline and escalated it.
    Overdue,
    /// A member of staff opened the case (not shown to the public).
    Viewed,
    /// A member of staff opened an attachment (not shown to the public).
    AttachmentViewed,
    /// Staff accounts and sign-ins (no case).
    StaffAdded,
    SignedIn,
    SignInFailed,
    SignedOut,
    Exported,
    /// `intake staff disable|enable|reset-password` (no case).
    StaffDisabled,
    StaffEnabled,
    PasswordReset,
    /// One account's staff requests were refused repeatedly (other departments' cases, forged
    /// forms, steps it may not take) within a short time (no case).
    RefusalsRepeated,
    /// A deadline that could not be counted (its year was not in `calendar.toml`) was counted
    /// once the calendar covered it.
    DeadlineCounted,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::Submitted,
        Action::Accepted,
        Action::Rejected,
        Action::Transferred,
        Action::MaterialRequested,
        Action::MaterialReceived,
        Action::Concluded,
        Action::Published,
        Action::Overdue,
        Action::Viewed,
        Action::AttachmentViewed,
        Action::StaffAdded,
        Action::SignedIn,
        Action::SignInFailed,
        Action::SignedOut,
        Action::Exported,
        Action::StaffDisabled,
        Action::StaffEnabled,
        Action::PasswordReset,
        Action::RefusalsRepeated,
        Action::DeadlineCounted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Submitted => "submitted",
            Action::Accepted => "accepted",
            Action::Rejected => "rejected",
            Action::Transferred => "transferred",
            Action::MaterialRequested => "material_requested",
            Action::MaterialReceived => "material_received",
            Action::Concluded => "concluded",
            Action::Published => "published",
            Action::Overdue => "overdue",
            Action::Viewed => "viewed",
            Action::AttachmentViewed => "attachment_viewed",
            Action::StaffAdded => "staff_added",
            Action::SignedIn => "signed_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignedOut => "signed_out",
            Action::Exported => "exported",
            Action::StaffDisabled => "staff_disabled",
            Action::StaffEnabled => "staff_enabled",
            Action::PasswordReset => "password_reset",
            Action::RefusalsRepeated => "refusals_repeated",
            Action::DeadlineCounted => "deadline_counted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submitted => "已提交",
            Action::Accepted => "已受理",
            Action::Rejected => "不予受理",
            Action::Transferred => "已转办",
            Action::MaterialRequested => "请补充材料（暂停计时）",
            Action::MaterialReceived => "已收到补充材料（恢复计时）",
            Action::Concluded => "已办结",
            Action::Published => "处理结果已公开",
            Action::Overdue => "已超期，已报公管办督办",
            Action::Viewed => "工作人员查阅",
            Action::AttachmentViewed => "工作人员查阅附件",
            Action::StaffAdded => "新增工作人员账号",
            Action::SignedIn => "登录",
            Action::SignInFailed => "登录失败",
            Action::SignedOut => "退出登录",
            Action::Exported => "导出公开结果",
            Action::StaffDisabled => "停用工作人员账号",
            Action::StaffEnabled => "启用工作人员账号",
            Action::PasswordReset => "重置工作人员密码",
            Action::RefusalsRepeated => "多次请求被拒绝",
            Action::DeadlineCounted => "办理期限已确定",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Whether the submitter sees this event on the tracking page.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Action::Submitted
                | Action::Accepted
                | Action::Rejected
                | Action::Transferred
                | Action::MaterialRequested
                | Action::MaterialReceived
                | Action::Concluded
                | Action::Published
                | Action::DeadlineCounted
        )
    }

    /// Whether the submitter is mailed (when they gave an address) about this event.
    pub fn notifies_submitter(self) -> bool {
        self.is_public() && self != Action::Submitted
    }
}

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub case_id: Option<i64>,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub note: String,
    pub prev_hash: String,
    pub hash: String,
    /// Digest of the case's covered fields after this event; empty for events about no case.
    pub case_state: String,
}

/// The hash of one event. `case_state` joins the hashed fields only when present, so events from
/// before it keep their hashes.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    prev_hash: &str,
    seq: i64,
    case_id: Option<i64>,
    at: &str,
    actor: &str,
    action: &str,
    note: &str,
    case_state: &str,
) -> String {
    let mut h = Sha256::new();
    let case = case_id.map(|c| c.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    let mut fields = vec![prev_hash, &seq, &case, at, actor, action, note];
    if !case_state.is_empty() {
        fields.push(case_state);
    }
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The case fields the chain covers (a macro: sqlx takes only static SQL).
macro_rules! case_state_columns {
    () => {
        "status, department, accept_deadline, decide_deadline, paused_on, decision, published, \
         published_decision"
    };
}

/// A digest of the case fields the chain covers, from a row with `case_state_columns!()`.
fn case_state(row: &sqlx::any::AnyRow) -> Result<String, sqlx::Error> {
    let mut h = Sha256::new();
    for name in [
        "status",
        "department",
        "accept_deadline",
        "decide_deadline",
        "paused_on",
        "decision",
    ] {
        let v: Option<String> = row.try_get(name)?;
        let v = v.unwrap_or_else(|| "\u{0}".to_string());
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    }
    let published: i64 = row.try_get("published")?;
    h.update(published.to_be_bytes());
    let text: Option<String> = row.try_get("published_decision")?;
    let text = text.unwrap_or_else(|| "\u{0}".to_string());
    h.update((text.len() as u64).to_be_bytes());
    h.update(text.as_bytes());
    Ok(hex::encode(h.finalize()))
}

/// Appends an event inside `tx`; returns its sequence number.
pub async fn append(
    tx: &mut Tx,
    case_id: Option<i64>,
    at: DateTime<Utc>,
    actor: &str,
    action: Action,
    note: &str,
) -> Result<i64, sqlx::Error> {
    // Taking the head row first is the lock that orders appends.
    let head = sqlx::query("UPDATE chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let at = stamp(at);
    // The case as this transaction leaves it: callers save the change before recording it.
    let state = match case_id {
        Some(id) => {
            let row = sqlx::query(concat!(
                "SELECT ",
                case_state_columns!(),
                " FROM cases WHERE id = $1"
            ))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
            case_state(&row)?
        }
        None => String::new(),
    };
    let hash = event_hash(&prev, seq, case_id, &at, actor, action.key(), note, &state);
    sqlx::query(
        "INSERT INTO events (seq, case_id, at, actor, action, note, prev_hash, hash, case_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(case_id)
    .bind(&at)
    .bind(actor)
    .bind(action.key())
    .bind(note)
    .bind(&prev)
    .bind(&hash)
    .bind(&state)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE chain_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<Event, sqlx::Error> {
    Ok(Event {
        seq: row.try_get("seq")?,
        case_id: row.try_get("case_id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        note: row.try_get("note")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        case_state: row.try_get("case_state")?,
    })
}

/// A case's events, oldest first.
pub async fn for_case(db: &Db, case_id: i64) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, case_id, at, actor, action, note, prev_hash, hash, case_state FROM events \
         WHERE case_id = $1 ORDER BY seq",
    )
    .bind(case_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub events: u64,
    /// One line per problem, naming the event(s).
    pub problems: Vec<String>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks the whole chain and names every edited, removed or reordered event.
pub async fn verify(db: &Db) -> Result<Verification, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, case_id, at, actor, action, note, prev_hash, hash, case_state FROM events \
         ORDER BY seq",
    )
    .fetch_all(db.reader())
    .await?;
    let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1")
        .fetch_one(db.reader())
        .await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;

    let mut out = Verification::default();
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS.to_string();
    // Each case's last recorded state, and the seq of the event that recorded it.
    let mut last_state: std::collections::HashMap<i64, (String, i64)> =
        std::collections::HashMap::new();
    let mut with_events: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut prev_seq = 0i64;
    for row in &rows {
        let e = event_from_row(row)?;
        out.events += 1;
        if e.seq > expected_seq {
            out.problems.push(if e.seq == expected_seq + 1 {
                format!("event {expected_seq} is missing (removed)")
            } else {
                format!(
                    "events {expected_seq} to {} are missing (removed)",
                    e.seq - 1
                )
            });
        }
        let recomputed = event_hash(
            &e.prev_hash,
            e.seq,
            e.case_id,
            &e.at,
            &e.actor,
            &e.action,
            &e.note,
            &e.case_state,
        );
        if recomputed != e.hash {
            out.problems.push(format!(
                "event {} ({} by {} at {}) was edited: its content does not match its hash",
                e.seq, e.action, e.actor, e.at
            ));
        }
        if e.prev_hash != prev_hash {
            out.problems.push(if prev_seq == 0 {
                format!(
                    "event {} does not start the chain: events before it were removed or reordered",
                    e.seq
                )
            } else {
                format!(
                    "event {} does not follow event {prev_seq}: an event between them was removed, or they were reordered",
                    e.seq
                )
            });
        }
        if let Some(case) = e.case_id {
            with_events.insert(case);
            if !e.case_state.is_empty() {
                last_state.insert(case, (e.case_state.clone(), e.seq));
            }
        }
        prev_hash = e.hash.clone();
        prev_seq = e.seq;
        expected_seq = e.seq + 1;
    }
    if head_seq > prev_seq {
        out.problems.push(if head_seq == prev_seq + 1 {
            format!("event {head_seq}, the last one, is missing (removed)")
        } else {
            format!(
                "events {} to {head_seq}, the last ones, are missing (removed)",
                prev_seq + 1
            )
        });
    } else if head_seq < prev_seq || head_hash != prev_hash {
        out.problems.push(format!(
            "event {prev_seq}, the last one, does not match the chain head (edited or added outside the service)"
        ));
    }
    // The case rows the chain covers must be as their last event left them.
    let cases = sqlx::query(concat!(
        "SELECT id, tracking_number, ",
        case_state_columns!(),
        " FROM cases ORDER BY id"
    ))
    .fetch_all(db.reader())
    .await?;
    for row in &cases {
        let id: i64 = row.try_get("id")?;
        let number: String = row.try_get("tracking_number")?;
        if !with_events.contains(&id) {
            out.problems.push(format!(
                "case {number} has no audit event: it was added outside the service"
            ));
            continue;
        }
        if let Some((state, seq)) = last_state.get(&id) {
            if *state != case_state(row)? {
                out.problems.push(format!(
                    "case {number} was changed outside the service: its status, department, deadlines or decision no longer match its last audit event ({seq})"
                ));
            }
        }
    }
    Ok(out)
}

/// The file, in the content folder, that `intake export` appends the chain head to and site-gen
/// publishes as `/data/audit-anchors.json`.
pub const ANCHORS_FILE: &str = "audit-anchors.json";

/// The chain head as it stood at an export, published outside the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// When it was taken (RFC 3339 UTC).
    pub at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchors {
    pub anchors: Vec<Anchor>,
}

/// Reads an anchors file; a missing file holds no anchors.
pub fn read_anchors(path: &std::path::Path) -> anyhow::Result<Vec<Anchor>> {
    use anyhow::Context;
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice::<Anchors>(&bytes)
            .with_context(|| format!("{}: not an audit anchors file", path.display()))?
            .anchors),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Appends the current chain head to the anchors file at `path` unless it is already the last
/// anchor; written beside and renamed, so a reader never sees half a file. Returns the new anchor.
pub async fn write_anchor(
    db: &Db,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Anchor>> {
    use anyhow::Context;
    let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1")
        .fetch_one(db.reader())
        .await?;
    let anchor = Anchor {
        seq: head.try_get("seq")?,
        hash: head.try_get("hash")?,
        at: stamp(now),
    };
    let mut anchors = read_anchors(path)?;
    if anchor.seq == 0 || anchors.last().is_some_and(|a| a.seq == anchor.seq) {
        return Ok(None);
    }
    anchors.push(anchor.clone());
    let mut json = serde_json::to_string_pretty(&Anchors { anchors })?;
    json.push('\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Some(anchor))
}

/// Checks the chain against anchors taken outside the database (`source` names where each set
/// came from): every anchored event must still be there with the anchored hash. One line per
/// problem.
pub async fn verify_anchors(
    db: &Db,
    source: &str,
    anchors: &[Anchor],
) -> Result<Vec<String>, sqlx::Error> {
    let mut problems = Vec::new();
    for a in anchors {
        let row = sqlx::query("SELECT hash FROM events WHERE seq = $1")
            .bind(a.seq)
            .fetch_optional(db.reader())
            .await?;
        match row {
            None => problems.push(format!(
                "event {} is missing but {source} anchored it on {}: the chain was cut back",
                a.seq, a.at
            )),
            Some(row) => {
                let hash: String = row.try_get("hash")?;
                if hash != a.hash {
                    problems.push(format!(
                        "event {} does not match the anchor {source} published on {}: the history up to it was rewritten",
                        a.seq, a.at
                    ));
                }
            }
        }
    }
    Ok(problems)
}

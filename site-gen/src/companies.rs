//! Market entities (市场主体): every organisation named anywhere in the public content by a valid
//! unified social credit code — bidder, winner, penalty or credit-list subject, inspected party,
//! buyer, agency — gathered into one record per code, and the credit check that follows a company
//! into every trade (一处失信，处处受限).
//!
//! Natural persons never get a page: a masked personal id is not a credit code, and only codes
//! that pass GB 32100 are gathered. Pure: built from the [`Site`] on the build date, read by the
//! company pages and their JSON.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use disclosure::ident::check_uscc;
use disclosure::model::{Bidder, CreditList, CreditStatus, Details};
use disclosure::{Category, Disclosure, Stage, Yuan};
use foldhash::fast::RandomState as FastHash;

use crate::site::Site;

/// One bid: the result that lists it and the bidder's line.
#[derive(Debug, Clone, Copy)]
pub struct Bid<'a> {
    pub result: &'a Disclosure,
    pub bidder: &'a Bidder,
    pub project: &'a str,
    pub stage: Stage,
    pub category: Category,
    /// What the company won: the result's amount for a single winner, else its own bid.
    pub amount: Option<Yuan>,
}

/// Why a company was barred from bidding on a day: the credit entry or penalty that says so.
#[derive(Debug, Clone, Copy)]
pub struct Bar<'a> {
    pub by: &'a Disclosure,
    /// Until when (inclusive).
    pub until: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Buyer,
    Agency,
}

#[derive(Debug, Default)]
pub struct Company<'a> {
    pub code: &'a str,
    /// Every name it appears under, with the first and last date it was used, oldest first.
    pub names: Vec<(&'a str, NaiveDate, NaiveDate)>,
    /// Its bids: per project, the award stage's bidders table where there is one, else the
    /// candidates'. Newest first.
    pub bids: Vec<Bid<'a>>,
    pub penalties: Vec<&'a Disclosure>,
    pub credit: Vec<&'a Disclosure>,
    pub inspections: Vec<&'a Disclosure>,
    /// Notices and results where it was the buyer or the agency.
    pub roles: Vec<(&'a Disclosure, Role)>,
}

impl<'a> Company<'a> {
    /// The name it is known by now: the one used last.
    pub fn name(&self) -> &'a str {
        self.names
            .iter()
            .max_by_key(|(_, _, last)| *last)
            .map_or(self.code, |(n, _, _)| n)
    }

    pub fn wins(&self) -> impl Iterator<Item = &Bid<'a>> {
        self.bids
            .iter()
            .filter(|b| b.bidder.won && b.stage != Stage::Candidates)
    }

    pub fn won_amount(&self) -> Yuan {
        Yuan(self.wins().filter_map(|b| b.amount).map(|y| y.0).sum())
    }

    /// Wins by year and category: (count, amount).
    pub fn wins_by_year(&self) -> BTreeMap<(i32, Category), (usize, Yuan)> {
        let mut out: BTreeMap<(i32, Category), (usize, Yuan)> = BTreeMap::new();
        for b in self.wins() {
            let e = out
                .entry((b.result.date.year(), b.category))
                .or_insert((0, Yuan(0)));
            e.0 += 1;
            e.1 .0 += b.amount.map_or(0, |y| y.0);
        }
        out
    }

    /// The credit entries and penalties that barred it from bidding on `day` (a penalty past
    /// its publicity included: see [`Site::restrictions`]).
    pub fn bars_on(&self, site: &Site<'a>, day: NaiveDate) -> Vec<Bar<'a>> {
        site.restrictions
            .get(self.code)
            .map_or_else(Vec::new, |docs| bars(docs, day))
    }
}

/// Of a company's credit entries and penalties, those that barred it from bidding on `day`: an
/// entry of the current black list (active, not repaired or revoked) whose period holds the
/// day, or a penalty that bans it from bidding for a period that holds the day. A red-list
/// entry, an expired or not yet valid one, and a penalty without a ban (a fine) bar nothing.
pub fn bars<'a>(docs: &[&'a Disclosure], day: NaiveDate) -> Vec<Bar<'a>> {
    let mut bars = Vec::new();
    for d in docs {
        match &d.details {
            Details::Credit(c)
                if c.list == CreditList::Black
                    && c.status == CreditStatus::Active
                    && c.from <= day
                    && day <= c.until =>
            {
                bars.push(Bar {
                    by: d,
                    until: c.until,
                })
            }
            Details::Penalty(p) => {
                if let Some(until) = bidding_ban_until(&p.penalty, p.decision_date) {
                    if p.decision_date <= day && day <= until {
                        bars.push(Bar { by: d, until });
                    }
                }
            }
            _ => {}
        }
    }
    bars
}

/// The winners of an award (or contract) that were barred on its date, with what barred them:
/// what the result page, its project's page and the build summary flag. A candidates'
/// announcement names no winner yet.
pub fn barred_award<'a>(site: &Site<'a>, d: &'a Disclosure) -> Vec<(&'a Bidder, Vec<Bar<'a>>)> {
    match d.trade() {
        Some(t) if t.stage != Stage::Candidates => barred_winners(site, d),
        _ => Vec::new(),
    }
}

/// The winners of a result that were barred on its date, with what barred them.
pub fn barred_winners<'a>(site: &Site<'a>, d: &'a Disclosure) -> Vec<(&'a Bidder, Vec<Bar<'a>>)> {
    let Details::Result { bidders, .. } = &d.details else {
        return Vec::new();
    };
    bidders
        .iter()
        .filter(|b| b.won)
        .filter_map(|b| {
            let docs = site.restrictions.get(b.credit_code.as_str())?;
            let bars = bars(docs, d.date);
            (!bars.is_empty()).then_some((b, bars))
        })
        .collect()
}

/// What the pages of other disclosures read of a credit entry or penalty, hashed (`None` for
/// any other disclosure): what they show of it (its link, title, date and time, whether it is
/// still public) and what says whether it barred its subject from bidding on a day ([`bars`]): a
/// credit entry's list, status, period and subject; a penalty's subject, decision date and the
/// end of the ban its wording imposes. A result's barred-winner flag, its project's and the
/// supervision signals read no more of it: a penalty reworded with the same ban changes none of
/// them.
pub fn bar_inputs(d: &Disclosure, today: NaiveDate) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = crate::cache::InputsHasher::default();
    let shown = (&d.id, &d.title, d.date, d.time, d.is_public(today));
    match &d.details {
        Details::Credit(c) => {
            let bar = (c.list, c.status, c.from, c.until, &c.credit_code);
            (1u8, shown, bar).hash(&mut h);
        }
        Details::Penalty(p) => {
            let ban = bidding_ban_until(&p.penalty, p.decision_date);
            (2u8, shown, (&p.subject_credit_code, p.decision_date, ban)).hash(&mut h);
        }
        _ => return None,
    }
    Some(h.finish())
}

/// When a penalty that bars its subject from tendering or procurement ends: the penalty says
/// 禁止 or 暂停 … 投标 / 采购 … with a period (一年, 6个月, 三年). `None` for any other penalty.
pub fn bidding_ban_until(penalty: &str, from: NaiveDate) -> Option<NaiveDate> {
    let bars = (penalty.contains("禁止") || penalty.contains("暂停") || penalty.contains("取消"))
        && (penalty.contains("投标") || penalty.contains("采购") || penalty.contains("招标"));
    if !bars {
        return None;
    }
    let numeral = |c: char| c.is_ascii_digit() || "零一二两三四五六七八九十".contains(c);
    let mut before = None;
    for (i, c) in penalty.char_indices() {
        // A number starts here only if none runs on from before ("2026年" is not "6年").
        if before.is_some_and(numeral) {
            before = Some(c);
            continue;
        }
        before = Some(c);
        // The next six characters (no allocation: this runs for every win of a penalised
        // company).
        let rest = &penalty[i..];
        let rest = &rest[..rest.char_indices().nth(6).map_or(rest.len(), |(at, _)| at)];
        // A period, not a year of the calendar ("2026年"): at most ten years or 120 months.
        for (unit, months, max) in [("年", 12u32, 10u32), ("个月", 1, 120)] {
            if let Some(n) = leading_number(rest, unit).filter(|n| *n <= max) {
                let end = from.checked_add_months(Months::new(n * months))?;
                return end.pred_opt();
            }
        }
    }
    None
}

/// `一年` → 1, `6个月` → 6, `两年` → 2, `十二个月` → 12: a number right before `unit` at the start.
fn leading_number(s: &str, unit: &str) -> Option<u32> {
    let at = s.find(unit)?;
    let number = &s[..at];
    if number.is_empty() {
        return None;
    }
    if let Ok(n) = number.parse::<u32>() {
        return (n > 0).then_some(n);
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or((c == '两').then_some(2))
    };
    let chars: Vec<char> = number.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).filter(|n| *n > 0),
        ['十', c] => Some(10 + digit(*c)?),
        [c, '十'] => Some(digit(*c)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// Per project, the bidders table that counts: the award stage's (or the contract's), else the
/// candidates' — the latest of the best stage.
pub fn bid_tables<'a>(site: &Site<'a>) -> BTreeMap<&'a str, &'a Disclosure> {
    let mut tables: BTreeMap<&'a str, &'a Disclosure> = BTreeMap::new();
    for d in &site.public {
        if let Details::Result { trade, bidders, .. } = &d.details {
            if bidders.is_empty() {
                continue;
            }
            let rank = |s: Stage| match s {
                Stage::Award => 2,
                Stage::Contract => 1,
                _ => 0,
            };
            let better = tables.get(trade.project.as_str()).is_none_or(|old| {
                let old_stage = old.trade().map_or(Stage::Candidates, |t| t.stage);
                (rank(trade.stage), d.date) > (rank(old_stage), old.date)
            });
            if better {
                tables.insert(&trade.project, d);
            }
        }
    }
    tables
}

/// Every company of the public content, by credit code.
pub fn companies<'a>(site: &Site<'a>) -> BTreeMap<&'a str, Company<'a>> {
    // Gathered in a hash map (a code is met once per bid and role: 300,000 times at 100,000
    // disclosures), its check digit checked the first time, then put in order.
    type ByCode<'a> = HashMap<&'a str, Company<'a>, FastHash>;
    let mut out: ByCode<'a> = HashMap::default();
    fn entry<'a, 'm>(
        out: &'m mut ByCode<'a>,
        code: &'a str,
        name: &'a str,
        date: NaiveDate,
    ) -> Option<&'m mut Company<'a>> {
        let c = match out.entry(code) {
            Entry::Occupied(c) => c.into_mut(),
            Entry::Vacant(_) if check_uscc(code).is_err() => return None,
            Entry::Vacant(e) => e.insert(Company {
                code,
                ..Company::default()
            }),
        };
        match c.names.iter_mut().find(|(n, _, _)| *n == name) {
            Some(n) => {
                n.1 = n.1.min(date);
                n.2 = n.2.max(date);
            }
            None => c.names.push((name, date, date)),
        }
        Some(c)
    }

    let tables = bid_tables(site);
    for d in tables.values() {
        let Details::Result {
            trade,
            amount,
            bidders,
        } = &d.details
        else {
            continue;
        };
        let winners = bidders.iter().filter(|b| b.won).count();
        for b in bidders {
            if let Some(c) = entry(&mut out, &b.credit_code, &b.name, d.date) {
                c.bids.push(Bid {
                    result: d,
                    bidder: b,
                    project: &trade.project,
                    stage: trade.stage,
                    category: trade.category,
                    amount: if b.won && winners == 1 {
                        amount.or(Some(b.bid))
                    } else if b.won {
                        Some(b.bid)
                    } else {
                        None
                    },
                });
            }
        }
    }
    for d in &site.public {
        match &d.details {
            Details::Notice { trade } | Details::Result { trade, .. } => {
                for (o, role) in [(&trade.buyer, Role::Buyer), (&trade.agency, Role::Agency)] {
                    if let Some(o) = o {
                        if let Some(code) = &o.credit_code {
                            if let Some(c) = entry(&mut out, code, &o.name, d.date) {
                                c.roles.push((d, role));
                            }
                        }
                    }
                }
            }
            Details::Penalty(p) => {
                if let Some(c) = entry(&mut out, &p.subject_credit_code, &p.subject, d.date) {
                    c.penalties.push(d);
                }
            }
            Details::Credit(e) => {
                if let Some(c) = entry(&mut out, &e.credit_code, &e.subject, d.date) {
                    c.credit.push(d);
                }
            }
            Details::Inspection(i) => {
                if let Some(c) = entry(&mut out, &i.credit_code, &i.subject, d.date) {
                    c.inspections.push(d);
                }
            }
            _ => {}
        }
    }
    for c in out.values_mut() {
        c.names.sort_by_key(|(n, first, _)| (*first, *n));
        c.bids
            .sort_by(|a, b| crate::site::newest_first(a.result, b.result));
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_bidding_ban_and_its_period() {
        let from = d("2026-03-10");
        assert_eq!(
            bidding_ban_until(
                "罚款5万元，并禁止参加依法必须进行招标的项目的投标一年",
                from
            ),
            Some(d("2027-03-09"))
        );
        assert_eq!(
            bidding_ban_until("暂停参加政府采购活动6个月", from),
            Some(d("2026-09-09"))
        );
        assert_eq!(
            bidding_ban_until("取消投标资格两年", from),
            Some(d("2028-03-09"))
        );
        assert_eq!(bidding_ban_until("罚款人民币贰万元", from), None);
        assert_eq!(
            bidding_ban_until("自2026年3月起暂停投标资格一年", from),
            Some(d("2027-03-09"))
        );
        assert_eq!(
            bidding_ban_until("禁止参加投标", from),
            None,
            "no period: not a dated bar"
        );
    }
}

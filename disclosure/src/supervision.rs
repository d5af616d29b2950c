//! Which department supervises a project: the one place that decides it, for the project page of
//! `site-gen` and for the routing of complaints in `intake`.
//!
//! The rule (SPEC, intake: Routing): the supervising department is the department of the
//! project's tender notices (`kind = "notice"`, `stage = "tender"`) and result disclosures
//! (`kind = "result"`: candidates, award, contract, …). The approval stage is published by the
//! department that approved the project (usually 发展改革委), which does not supervise its
//! tendering, so it never counts; nor do change, opening or termination notices.
//!
//! - When those disclosures name more than one department, the department named by the most of
//!   them wins; on a tie, the department of the earliest of them (by date, then id).
//! - When the project has no tender notice and no result, there is no supervising department
//!   (`None`): the caller falls back to the department for the category, then the committee office.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::kind::{Kind, Stage};
use crate::model::Disclosure;

/// Whether a disclosure decides its project's supervising department.
pub fn decides_supervision(d: &Disclosure) -> bool {
    match (d.kind(), d.trade()) {
        (Kind::Notice, Some(t)) => t.stage == Stage::Tender,
        (Kind::Result, Some(_)) => true,
        _ => false,
    }
}

/// The id of the department supervising the project whose disclosures are given (see the module
/// documentation for the rule, ties and `None`). Disclosures of other projects are not filtered
/// out: pass one project's disclosures.
pub fn supervising_department<'a, I>(disclosures: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a Disclosure>,
{
    // department → (count, earliest (date, id))
    let mut tally: BTreeMap<&'a str, (usize, (NaiveDate, &'a str))> = BTreeMap::new();
    for d in disclosures {
        let Some(department) = d.department.as_deref() else {
            continue;
        };
        if !decides_supervision(d) {
            continue;
        }
        let key = (d.date, d.id.as_str());
        let entry = tally.entry(department).or_insert((0, key));
        entry.0 += 1;
        entry.1 = entry.1.min(key);
    }
    tally
        .into_iter()
        .max_by(|a, b| {
            // More disclosures first; then the earlier first disclosure (reversed: max picks it).
            a.1 .0.cmp(&b.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1))
        })
        .map(|(department, _)| department)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Category;
    use crate::model::{Details, Trade};

    fn d(id: &str, date: &str, department: &str, result: bool, stage: Stage) -> Disclosure {
        let trade = Trade {
            category: Category::Construction,
            project: "P-1".into(),
            stage,
            buyer: None,
            agency: None,
        };
        Disclosure {
            id: id.into(),
            source: format!("{id}.md"),
            title: id.into(),
            date: date.parse().unwrap(),
            time: None,
            updated: None,
            department: Some(department.into()),
            department_line: 1,
            region: None,
            body: String::new(),
            body_line: 1,
            details: if result {
                Details::Result {
                    trade,
                    amount: None,
                    bidders: Vec::new(),
                }
            } else {
                Details::Notice { trade }
            },
            public_numbers: Vec::new(),
        }
    }

    #[test]
    fn the_approval_department_never_supervises() {
        let docs = [
            d("a", "2026-01-20", "fzgg", false, Stage::Approval),
            d("t", "2026-03-10", "zjj", false, Stage::Tender),
            d("w", "2026-04-20", "zjj", true, Stage::Award),
        ];
        assert_eq!(supervising_department(&docs), Some("zjj"));
        assert_eq!(supervising_department(&docs[..1]), None, "approval only");
    }

    #[test]
    fn change_and_opening_notices_do_not_count() {
        let docs = [
            d("c", "2026-03-20", "fzgg", false, Stage::Change),
            d("o", "2026-04-08", "fzgg", false, Stage::Opening),
            d("w", "2026-04-20", "jtj", true, Stage::Award),
        ];
        assert_eq!(supervising_department(&docs), Some("jtj"));
        assert_eq!(supervising_department(&docs[..2]), None);
    }

    #[test]
    fn the_most_named_wins_and_a_tie_goes_to_the_earliest() {
        let docs = [
            d("t", "2026-03-10", "slj", false, Stage::Tender),
            d("w", "2026-04-20", "zjj", true, Stage::Award),
            d("k", "2026-05-12", "zjj", true, Stage::Contract),
        ];
        assert_eq!(
            supervising_department(&docs),
            Some("zjj"),
            "two against one"
        );
        assert_eq!(
            supervising_department(&docs[..2]),
            Some("slj"),
            "tie: earliest"
        );
        let reversed = [docs[1].clone(), docs[0].clone()];
        assert_eq!(
            supervising_department(&reversed),
            Some("slj"),
            "order of input"
        );
        let same_day = [
            d("b", "2026-03-10", "zjj", false, Stage::Tender),
            d("a", "2026-03-10", "slj", true, Stage::Candidates),
        ];
        assert_eq!(
            supervising_department(&same_day),
            Some("slj"),
            "same day: by id"
        );
    }
}

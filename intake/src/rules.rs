//! The rules per kind and category, in one table ([`TABLE`]): which statute a case is handled
//! under, what it says about the deadline, and which periods of the config file
//! ([`crate::config::DeadlineRules`]) count it. The submitter sees the table on `/submit` and the
//! rule of their case on the receipt and on `/track`; staff see it on the case page.
//!
//! - 政府采购 (procurement): a 质疑 is answered by the buyer or its agency within 7 working days
//!   of receipt (政府采购法 第五十二条、第五十三条; 财政部令第94号 第十条、第十三条); a 投诉 is
//!   reviewed within 5 working days and decided within 30 working days of receipt (政府采购法
//!   第五十五条、第五十六条; 财政部令第94号 第二十一条、第二十六条).
//! - 工程建设 (construction) and other tendering, and a case naming no category: a 异议 is
//!   answered within 3 days (招标投标法实施条例 第二十二条、第四十四条、第五十四条); a 投诉 is
//!   accepted or not within 3 working days and decided within 30 working days of acceptance
//!   (招标投标法实施条例 第六十条至第六十二条).
//! - 土地使用权, 矿业权, 国有产权, 其他: no statute of their own sets these periods; the platform
//!   handles them with the tendering periods (参照), and says so.
//! - 举报 and 建议: the platform's own periods, in every category.

use disclosure::Category;

use crate::config::{DayUnit, DeadlineRules, Period, Rule, Start};
use crate::tracking::CaseKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleName {
    ComplaintTendering,
    ComplaintProcurement,
    /// Land, mining rights, state assets, other: the tendering periods by reference.
    ComplaintOther,
    /// 异议 in construction and other tendering (and when no category is named).
    Objection,
    /// 质疑 in government procurement.
    ObjectionProcurement,
    /// Land, mining rights, state assets, other: the tendering periods by reference.
    ObjectionOther,
    Report,
    Suggestion,
}

/// Which categories a row of the table covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Categories {
    /// 工程建设, and a case that names no category.
    Tendering,
    Procurement,
    /// 土地使用权, 矿业权, 国有产权, 其他.
    Others,
    All,
}

impl Categories {
    pub fn label(self) -> &'static str {
        match self {
            Categories::Tendering => "工程建设（及未注明类别）",
            Categories::Procurement => "政府采购",
            Categories::Others => "土地使用权、矿业权、国有产权、其他",
            Categories::All => "全部类别",
        }
    }

    fn of(category: Option<Category>) -> Categories {
        match category {
            Some(Category::Procurement) => Categories::Procurement,
            None | Some(Category::Construction) => Categories::Tendering,
            Some(_) => Categories::Others,
        }
    }
}

/// The table: kind, categories, rule. [`rule_for`] reads it; `/submit` shows it.
pub const TABLE: [(CaseKind, Categories, RuleName); 8] = [
    (
        CaseKind::Complaint,
        Categories::Tendering,
        RuleName::ComplaintTendering,
    ),
    (
        CaseKind::Complaint,
        Categories::Procurement,
        RuleName::ComplaintProcurement,
    ),
    (
        CaseKind::Complaint,
        Categories::Others,
        RuleName::ComplaintOther,
    ),
    (
        CaseKind::Objection,
        Categories::Tendering,
        RuleName::Objection,
    ),
    (
        CaseKind::Objection,
        Categories::Procurement,
        RuleName::ObjectionProcurement,
    ),
    (
        CaseKind::Objection,
        Categories::Others,
        RuleName::ObjectionOther,
    ),
    (CaseKind::Report, Categories::All, RuleName::Report),
    (CaseKind::Suggestion, Categories::All, RuleName::Suggestion),
];

impl RuleName {
    pub const ALL: [RuleName; 8] = [
        RuleName::ComplaintTendering,
        RuleName::ComplaintProcurement,
        RuleName::ComplaintOther,
        RuleName::Objection,
        RuleName::ObjectionProcurement,
        RuleName::ObjectionOther,
        RuleName::Report,
        RuleName::Suggestion,
    ];

    /// Stored with the case. `objection` keeps its earlier key (construction and tendering).
    pub fn key(self) -> &'static str {
        match self {
            RuleName::ComplaintTendering => "complaint-tendering",
            RuleName::ComplaintProcurement => "complaint-procurement",
            RuleName::ComplaintOther => "complaint-other",
            RuleName::Objection => "objection",
            RuleName::ObjectionProcurement => "objection-procurement",
            RuleName::ObjectionOther => "objection-other",
            RuleName::Report => "report",
            RuleName::Suggestion => "suggestion",
        }
    }

    pub fn from_key(key: &str) -> Option<RuleName> {
        RuleName::ALL.into_iter().find(|r| r.key() == key)
    }

    /// What the case is called under this rule, e.g. 政府采购质疑.
    pub fn label(self) -> &'static str {
        match self {
            RuleName::ComplaintTendering => "招标投标投诉",
            RuleName::ComplaintProcurement => "政府采购投诉",
            RuleName::ComplaintOther => "其他交易投诉",
            RuleName::Objection => "招标投标异议",
            RuleName::ObjectionProcurement => "政府采购质疑",
            RuleName::ObjectionOther => "其他交易异议",
            RuleName::Report => "举报",
            RuleName::Suggestion => "建议",
        }
    }

    /// The legal basis, shown beside the deadline.
    pub fn basis(self) -> &'static str {
        match self {
            RuleName::ComplaintTendering => "《中华人民共和国招标投标法实施条例》第六十条至第六十二条",
            RuleName::ComplaintProcurement => {
                "《中华人民共和国政府采购法》第五十五条、第五十六条；《政府采购质疑和投诉办法》（财政部令第94号）第二十一条、第二十六条"
            }
            RuleName::ComplaintOther => {
                "本平台投诉办理规定（参照《中华人民共和国招标投标法实施条例》第六十一条的时限）"
            }
            RuleName::Objection => {
                "《中华人民共和国招标投标法实施条例》第二十二条、第四十四条、第五十四条"
            }
            RuleName::ObjectionProcurement => {
                "《中华人民共和国政府采购法》第五十二条、第五十三条；《政府采购质疑和投诉办法》（财政部令第94号）第十条、第十三条"
            }
            RuleName::ObjectionOther => {
                "本平台异议办理规定（参照《中华人民共和国招标投标法实施条例》第二十二条、第五十四条的时限）"
            }
            RuleName::Report => "本平台举报办理规定",
            RuleName::Suggestion => "本平台建议办理规定",
        }
    }

    /// The periods, from the config file. The rules by reference use the tendering periods.
    pub fn rule(self, rules: &DeadlineRules) -> Rule {
        match self {
            RuleName::ComplaintTendering | RuleName::ComplaintOther => rules.complaint_tendering,
            RuleName::ComplaintProcurement => rules.complaint_procurement,
            RuleName::Objection | RuleName::ObjectionOther => rules.objection,
            RuleName::ObjectionProcurement => rules.objection_procurement,
            RuleName::Report => rules.report,
            RuleName::Suggestion => rules.suggestion,
        }
    }

    /// The periods in words, e.g. "收到之日起5个工作日内审查；收到之日起30个工作日内作出处理决定".
    pub fn describe(self, rules: &DeadlineRules) -> String {
        let rule = self.rule(rules);
        let (accept, decide) = match self {
            RuleName::ComplaintProcurement => ("审查", "作出处理决定"),
            RuleName::ComplaintTendering | RuleName::ComplaintOther => {
                ("决定是否受理", "作出书面处理决定")
            }
            RuleName::Objection | RuleName::ObjectionProcurement | RuleName::ObjectionOther => {
                ("决定是否受理", "作出答复")
            }
            RuleName::Report => ("决定是否受理", "办结"),
            RuleName::Suggestion => ("决定是否受理", "答复"),
        };
        let mut parts = Vec::new();
        if let Some(p) = rule.accept {
            parts.push(format!("收到之日起{}内{accept}", period(p)));
        }
        let from = match rule.decide_from {
            Start::Receipt => "收到",
            Start::Acceptance => "受理",
        };
        parts.push(format!("{from}之日起{}内{decide}", period(rule.decide)));
        parts.join("；")
    }
}

fn period(p: Period) -> String {
    match p.unit {
        DayUnit::Working => format!("{}个工作日", p.days),
        DayUnit::Calendar => format!("{}日（末日为节假日的顺延至节假日后第一个工作日）", p.days),
    }
}

/// The rule for a case of `kind` in `category`, from [`TABLE`].
pub fn rule_for(kind: CaseKind, category: Option<Category>) -> RuleName {
    let group = Categories::of(category);
    TABLE
        .iter()
        .find(|(k, c, _)| *k == kind && (*c == group || *c == Categories::All))
        .map(|(_, _, r)| *r)
        .expect("the table has a row for every kind and category")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_category_has_one_row() {
        let categories = [
            None,
            Some(Category::Construction),
            Some(Category::Procurement),
            Some(Category::Land),
            Some(Category::Mining),
            Some(Category::Assets),
            Some(Category::Other),
        ];
        for kind in CaseKind::ALL {
            for c in categories {
                let group = Categories::of(c);
                let rows = TABLE
                    .iter()
                    .filter(|(k, g, _)| *k == kind && (*g == group || *g == Categories::All))
                    .count();
                assert_eq!(rows, 1, "{kind:?} {c:?}");
            }
        }
        assert_eq!(
            rule_for(CaseKind::Objection, Some(Category::Procurement)),
            RuleName::ObjectionProcurement
        );
        assert_eq!(
            rule_for(CaseKind::Complaint, Some(Category::Land)),
            RuleName::ComplaintOther
        );
        for r in RuleName::ALL {
            assert_eq!(RuleName::from_key(r.key()), Some(r));
        }
    }

    #[test]
    fn the_words_follow_the_periods() {
        let rules = DeadlineRules::default();
        assert_eq!(
            RuleName::ObjectionProcurement.describe(&rules),
            "收到之日起7个工作日内作出答复"
        );
        assert_eq!(
            RuleName::ComplaintTendering.describe(&rules),
            "收到之日起3个工作日内决定是否受理；受理之日起30个工作日内作出书面处理决定"
        );
        assert!(RuleName::Objection
            .describe(&rules)
            .contains("3日（末日为节假日的顺延"));
    }
}

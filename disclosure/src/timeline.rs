//! A project's whole life: its disclosures stage by stage, and the stages the rules require that
//! are missing or late.
//!
//! The rules checked, each shown on the project page with its source:
//! - 中标候选人公示 is required before the award in construction tendering, and publicity lasts at
//!   least 3 days (招标投标法实施条例 第五十四条); wherever candidates are published, the award
//!   comes at least 3 days after them.
//! - The award comes after the candidates.
//! - The contract is signed within 30 days of the award (招标投标法 第四十六条; 政府采购法
//!   第四十六条), for construction and procurement.

use chrono::NaiveDate;
use serde::Serialize;

use crate::kind::{Category, Stage};
use crate::model::Disclosure;

/// What is wrong with a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Flag {
    /// The stage should exist by now but does not.
    Missing { stage: Stage, rule: &'static str },
    /// The stage exists but came too early or too late.
    Late {
        stage: Stage,
        rule: &'static str,
        detail: String,
    },
}

impl Flag {
    pub fn stage(&self) -> Stage {
        match self {
            Flag::Missing { stage, .. } | Flag::Late { stage, .. } => *stage,
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            Flag::Missing { rule, .. } | Flag::Late { rule, .. } => rule,
        }
    }

    /// A sentence for readers, e.g. "缺少：中标候选人公示".
    pub fn summary(&self) -> String {
        match self {
            Flag::Missing { stage, .. } => format!("缺少：{}", stage.label()),
            Flag::Late { stage, detail, .. } => format!("{}：{detail}", stage.label()),
        }
    }
}

pub const RULE_CANDIDATES: &str = "依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人，公示期不得少于3日（《中华人民共和国招标投标法实施条例》第五十四条）";
pub const RULE_AWARD_AFTER_CANDIDATES: &str = "中标结果应在中标候选人公示期满后公告（《中华人民共和国招标投标法实施条例》第五十四条、第五十五条）";
pub const RULE_CONTRACT: &str = "招标人和中标人应当自中标通知书发出之日起三十日内订立书面合同（《中华人民共和国招标投标法》第四十六条；《中华人民共和国政府采购法》第四十六条）";
pub const RULE_TENDER: &str = "结果公告须有对应的招标（采购）公告（《中华人民共和国招标投标法》第十六条；《中华人民共和国政府采购法》第十一条）";

/// The minimum candidate publicity, in days.
pub const CANDIDATE_DAYS: i64 = 3;
/// The longest allowed time between award and contract, in days.
pub const CONTRACT_DAYS: i64 = 30;

#[derive(Debug, Clone)]
pub struct ProjectTimeline<'a> {
    pub code: String,
    /// The project's disclosures, in stage order, then by date.
    pub entries: Vec<&'a Disclosure>,
    pub flags: Vec<Flag>,
}

impl<'a> ProjectTimeline<'a> {
    /// Orders a project's disclosures and checks the rules as of `today`.
    pub fn new(code: &str, mut entries: Vec<&'a Disclosure>, today: NaiveDate) -> Self {
        let stage = |d: &Disclosure| d.trade().map(|t| t.stage);
        entries.sort_by(|a, b| (a.date, stage(a), &a.id).cmp(&(b.date, stage(b), &b.id)));
        let first = |s: Stage| {
            entries
                .iter()
                .filter(|d| stage(d) == Some(s))
                .map(|d| d.date)
                .min()
        };
        let last = |s: Stage| {
            entries
                .iter()
                .filter(|d| stage(d) == Some(s))
                .map(|d| d.date)
                .max()
        };
        let category = entries.iter().find_map(|d| d.trade()).map(|t| t.category);
        let tendered = matches!(
            category,
            Some(Category::Construction | Category::Procurement)
        );
        let terminated = first(Stage::Termination).is_some();

        let mut flags = Vec::new();
        let award = first(Stage::Award);
        let candidates = last(Stage::Candidates);
        if award.is_some() || first(Stage::Contract).is_some() {
            if first(Stage::Tender).is_none() && tendered {
                flags.push(Flag::Missing {
                    stage: Stage::Tender,
                    rule: RULE_TENDER,
                });
            }
            if candidates.is_none() && category == Some(Category::Construction) {
                flags.push(Flag::Missing {
                    stage: Stage::Candidates,
                    rule: RULE_CANDIDATES,
                });
            }
        }
        if let (Some(c), Some(a)) = (candidates, award) {
            let days = (a - c).num_days();
            if days < 0 {
                flags.push(Flag::Late {
                    stage: Stage::Award,
                    rule: RULE_AWARD_AFTER_CANDIDATES,
                    detail: format!("中标结果（{a}）早于中标候选人公示（{c}）"),
                });
            } else if days < CANDIDATE_DAYS {
                flags.push(Flag::Late {
                    stage: Stage::Candidates,
                    rule: RULE_CANDIDATES,
                    detail: format!("公示期仅 {days} 日（{c} 至 {a}），不足 {CANDIDATE_DAYS} 日"),
                });
            }
        }
        if let (Some(a), true, false) = (award, tendered, terminated) {
            match first(Stage::Contract) {
                Some(k) if (k - a).num_days() > CONTRACT_DAYS => flags.push(Flag::Late {
                    stage: Stage::Contract,
                    rule: RULE_CONTRACT,
                    detail: format!(
                        "中标结果 {a} 后 {} 日才公开合同，超过 {CONTRACT_DAYS} 日",
                        (k - a).num_days()
                    ),
                }),
                Some(k) if k < a => flags.push(Flag::Late {
                    stage: Stage::Contract,
                    rule: RULE_CONTRACT,
                    detail: format!("合同（{k}）早于中标结果（{a}）"),
                }),
                None if (today - a).num_days() > CONTRACT_DAYS => flags.push(Flag::Missing {
                    stage: Stage::Contract,
                    rule: RULE_CONTRACT,
                }),
                _ => {}
            }
        }
        ProjectTimeline {
            code: code.to_string(),
            entries,
            flags,
        }
    }

    pub fn flags_for(&self, stage: Stage) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(move |f| f.stage() == stage)
    }

    /// The stages this project shows, in the order a project passes through them.
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages: Vec<Stage> = self
            .entries
            .iter()
            .filter_map(|d| d.trade())
            .map(|t| t.stage)
            .collect();
        stages.extend(self.flags.iter().map(Flag::stage));
        stages.sort();
        stages.dedup();
        stages
    }

    /// The department supervising the project (`crate::supervision`): from its tender and result
    /// disclosures, never the approval stage's issuing department.
    pub fn supervising_department(&self) -> Option<&'a str> {
        crate::supervision::supervising_department(self.entries.iter().copied())
    }

    pub fn title(&self) -> &str {
        self.entries
            .iter()
            .find(|d| d.trade().is_some_and(|t| t.stage == Stage::Tender))
            .or(self.entries.first())
            .map(|d| d.title.as_str())
            .unwrap_or("")
    }
}

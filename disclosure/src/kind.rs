//! The closed vocabularies of the content format: disclosure kinds, trading categories and
//! project stages, with their Chinese labels and URL segments.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $key:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $key)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The key used in front matter and URLs.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }

            /// The Chinese label shown to readers.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)* _ => None }
            }

            /// The accepted keys, for error messages.
            pub fn keys() -> String {
                [$($key,)*].join(" | ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

vocabulary! {
    /// What a disclosure is. `kind` in the front matter is authoritative, not the folder.
    Kind {
        Notice = "notice", "交易公告";
        Result = "result", "交易结果";
        Penalty = "penalty", "行政处罚";
        Credit = "credit", "信用名单";
        Power = "power", "权责清单";
        Inspection = "inspection", "双随机抽查结果";
        ComplaintResult = "complaint-result", "投诉处理结果";
        Page = "page", "普通页面";
    }
}

vocabulary! {
    /// The trading category of a notice or result.
    Category {
        Construction = "construction", "工程建设";
        Procurement = "procurement", "政府采购";
        Land = "land", "土地使用权";
        Mining = "mining", "矿业权";
        Assets = "assets", "国有产权";
        Other = "other", "其他";
    }
}

vocabulary! {
    /// A project's stage, in the order a project normally passes through them.
    Stage {
        Approval = "approval", "项目审批核准";
        Tender = "tender", "招标/采购公告";
        Change = "change", "变更/澄清";
        Opening = "opening", "开标记录";
        Candidates = "candidates", "中标候选人公示";
        Award = "award", "中标（成交）结果";
        Contract = "contract", "合同订立";
        Termination = "termination", "终止/流标";
    }
}

impl Kind {
    /// The first URL segment of this kind's pages: `/notices/<id>/`. Pages live at `/<id>/`.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Notice => "notices",
            Kind::Result => "results",
            Kind::Penalty => "penalties",
            Kind::Credit => "credit",
            Kind::Power => "powers",
            Kind::Inspection => "inspections",
            Kind::ComplaintResult => "complaint-results",
            Kind::Page => "",
        }
    }

    /// Kinds that belong to a trading project and carry `category`, `project` and `stage`.
    pub fn is_trade(self) -> bool {
        matches!(self, Kind::Notice | Kind::Result)
    }

    /// Pages about persons, where an unmasked mobile number is personal data.
    pub fn is_about_persons(self) -> bool {
        matches!(self, Kind::Penalty | Kind::Credit | Kind::ComplaintResult)
    }
}

//! The vocabulary of the supervision signals (智慧监管), shared by site-gen, which computes them
//! into `signals/signals.json`, and intake, whose staff pages show them: the kinds in the order
//! pages list them, their Chinese labels, severities and the wording every page carries.

/// The wording every signal page and card carries: a hint, never a finding.
pub const RISK_HINT: &str = "风险提示，供监督部门核查，不作为违法认定依据。";

/// Every kind, in the order the pages list them (most severe first).
pub const KINDS: [&str; 11] = [
    "bid_rotation",
    "identical_bids",
    "all_but_winner_disqualified",
    "listed_winner",
    "co_bidding_group",
    "cover_bidder",
    "dominant_winner",
    "low_bid_spread",
    "close_runner_up",
    "lowest_bid_disqualified",
    "single_bidder",
];

/// Severities, most severe first.
pub const SEVERITIES: [&str; 3] = ["high", "medium", "low"];

/// The label of a kind, for the pages.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "cover_bidder" => "陪标嫌疑：投标多、中标少",
        "dominant_winner" => "标王：对同一采购人中标占比过高",
        "co_bidding_group" => "抱团投标：经常共同投标",
        "bid_rotation" => "轮流中标",
        "identical_bids" => "报价完全相同",
        "low_bid_spread" => "报价异常接近",
        "close_runner_up" => "最低两个报价过近",
        "all_but_winner_disqualified" => "除中标人外全部被否决",
        "lowest_bid_disqualified" => "最低报价被否决",
        "single_bidder" => "只有一家投标",
        "listed_winner" => "失信主体中标",
        _ => "其他",
    }
}

/// Severity by kind: `high` where the pattern is itself a statutory case of collusion or of a
/// barred winner, `medium` for the statistical company patterns and bunched bids, `low` for the
/// single screens.
pub fn severity(kind: &str) -> &'static str {
    match kind {
        "bid_rotation" | "identical_bids" | "all_but_winner_disqualified" | "listed_winner" => {
            "high"
        }
        "co_bidding_group" | "cover_bidder" | "dominant_winner" | "low_bid_spread" => "medium",
        _ => "low",
    }
}

pub fn severity_label(severity: &str) -> &'static str {
    match severity {
        "high" => "高",
        "medium" => "中",
        _ => "低",
    }
}

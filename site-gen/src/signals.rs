//! Supervision signals (智慧监管): risk hints computed from every result's bidders, for
//! regulators to verify — never findings (风险提示，不作为违法认定依据).
//!
//! A tender is a project's bidders table that counts (the award stage's, else the candidates',
//! [`crate::companies::bid_tables`]). Methods, so that a regulator can judge each hint:
//! - Peer fences as Cardinal uses them: a value is unusual below Q1 − 1.5·IQR or above
//!   Q3 + 1.5·IQR of its peers, and only with enough peers ([`MIN_PEERS`]) and enough own
//!   observations (a company with 2 bids is never a 陪标 case: [`MIN_BIDS`]).
//! - Co-bidding: pairs that bid together more often than their bid frequencies predict under
//!   independent bidding (lift = observed / expected, expected = nₐ·n_b / tenders), with at least
//!   [`MIN_CO_BIDS`] joint bids, grouped into clusters (connected pairs).
//! - Rotation: a cluster whose members win the tenders they bid in together by turns.
//! - Price screens (Imhof 2017): per tender the coefficient of variation of the bids and the
//!   relative distance (gap between the two lowest bids over the spread of the losing bids).
//!
//! Pure: built from the [`Site`], written by the build to `signals/` beside the output, never
//! into the public site.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use disclosure::model::{Bidder, Details};
use disclosure::{Disclosure, Stage};

use crate::site::Site;

/// The fewest peers a fence is computed from.
pub const MIN_PEERS: usize = 8;
/// The fewest bids a company needs before its win rate says anything.
pub const MIN_BIDS: usize = 5;
/// The fewest tenders a pair must have bid in together.
pub const MIN_CO_BIDS: usize = 3;
/// How many times more often than chance a pair must bid together.
pub const MIN_LIFT: f64 = 2.0;
/// The fewest awards of one buyer (or category and region) before a winner's share is judged.
pub const MIN_AWARDS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub id: String,
    pub kind: &'static str,
    pub companies: Vec<String>,
    pub projects: Vec<String>,
    pub value: f64,
    pub threshold: f64,
    pub explanation: String,
    pub basis: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signals {
    pub generated: chrono::NaiveDate,
    pub signals: Vec<Signal>,
}

/// The legal clauses the hints relate to.
const COLLUSION: &str = "《招标投标法实施条例》第三十九条、第四十条（串通投标的情形）";
const BUYER_COLLUSION: &str = "《招标投标法实施条例》第四十一条（招标人与投标人串通）";
const TOO_FEW: &str = "《招标投标法》第二十八条；《政府采购法》第三十六条（投标人不足三个）";
const DISHONEST: &str =
    "《招标投标法实施条例》第三十二条；《政府采购法》第二十二条（失信主体不得参加投标）";

/// First and third quartiles (linear interpolation) of `values`, sorted.
fn quartiles(sorted: &[f64]) -> (f64, f64) {
    let q = |p: f64| {
        let pos = p * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    (q(0.25), q(0.75))
}

/// The peer distribution a value is judged against: quartiles and the two fences.
#[derive(Debug, Clone, Copy)]
struct Fence {
    q1: f64,
    q3: f64,
    n: usize,
}

impl Fence {
    fn of(mut values: Vec<f64>) -> Option<Fence> {
        if values.len() < MIN_PEERS {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let (q1, q3) = quartiles(&values);
        Some(Fence {
            q1,
            q3,
            n: values.len(),
        })
    }
    fn lower(self) -> f64 {
        self.q1 - 1.5 * (self.q3 - self.q1)
    }
    fn upper(self) -> f64 {
        self.q3 + 1.5 * (self.q3 - self.q1)
    }
    fn describe(self) -> String {
        format!(
            "同类 {} 个样本：Q1 = {}，Q3 = {}",
            self.n,
            round(self.q1),
            round(self.q3)
        )
    }
}

fn round(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    format!("{r}")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

struct Tender<'a> {
    result: &'a Disclosure,
    project: &'a str,
    bidders: &'a [Bidder],
    /// Who awards it: the buyer's credit code or name, else category and region.
    group: String,
}

fn tenders<'a>(site: &Site<'a>) -> Vec<Tender<'a>> {
    crate::companies::bid_tables(site)
        .into_iter()
        .filter_map(|(project, d)| {
            let Details::Result { trade, bidders, .. } = &d.details else {
                return None;
            };
            let group = match &trade.buyer {
                Some(b) => format!("采购人 {}", b.name),
                None => format!(
                    "{}·{}",
                    trade.category.label(),
                    d.region.as_deref().unwrap_or("全市")
                ),
            };
            Some(Tender {
                result: d,
                project,
                bidders,
                group,
            })
        })
        .collect()
}

/// Coefficient of variation of the bids (σ / mean).
fn cv(bids: &[f64]) -> f64 {
    let n = bids.len() as f64;
    let mean = bids.iter().sum::<f64>() / n;
    let var = bids.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / n;
    if mean == 0.0 {
        0.0
    } else {
        var.sqrt() / mean
    }
}

/// Every signal, in a stable order (kind, then id).
pub fn compute(site: &Site) -> Signals {
    let tenders = tenders(site);
    let mut out = Vec::new();
    let mut push = |kind: &'static str,
                    companies: Vec<String>,
                    projects: Vec<String>,
                    value: f64,
                    threshold: f64,
                    explanation: String,
                    basis: &'static str| {
        let id = format!(
            "{kind}-{}",
            projects
                .first()
                .or(companies.first())
                .map_or("", |s| s.as_str())
        );
        out.push(Signal {
            id,
            kind,
            companies,
            projects,
            value,
            threshold,
            explanation,
            basis,
        });
    };

    // Per tender: single bidder, identical bids, disqualifications, price screens.
    let mut spreads: Vec<(usize, f64)> = Vec::new();
    let mut gaps: Vec<(usize, f64)> = Vec::new();
    for (i, t) in tenders.iter().enumerate() {
        let codes = |bs: &mut dyn Iterator<Item = &Bidder>| {
            bs.map(|b| b.credit_code.clone()).collect::<Vec<_>>()
        };
        let project = vec![t.project.to_string()];
        if t.bidders.len() == 1 {
            push(
                "single_bidder",
                codes(&mut t.bidders.iter()),
                project.clone(),
                1.0,
                3.0,
                format!(
                    "项目 {} 只有 1 家投标人（{}）",
                    t.project, t.bidders[0].name
                ),
                TOO_FEW,
            );
        }
        let mut by_bid: BTreeMap<i64, Vec<&Bidder>> = BTreeMap::new();
        for b in t.bidders {
            by_bid.entry(b.bid.0).or_default().push(b);
        }
        for same in by_bid.values().filter(|v| v.len() >= 2) {
            push(
                "identical_bids",
                codes(&mut same.iter().copied()),
                project.clone(),
                same.len() as f64,
                2.0,
                format!(
                    "项目 {} 中 {} 家投标人报价完全相同（{}）：{}",
                    t.project,
                    same.len(),
                    same[0].bid.display(),
                    same.iter()
                        .map(|b| b.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                COLLUSION,
            );
        }
        let winners: Vec<&Bidder> = t.bidders.iter().filter(|b| b.won).collect();
        let others: Vec<&Bidder> = t.bidders.iter().filter(|b| !b.won).collect();
        if t.bidders.len() >= 3 && !winners.is_empty() && others.iter().all(|b| b.disqualified) {
            push(
                "all_but_winner_disqualified",
                codes(&mut t.bidders.iter()),
                project.clone(),
                others.len() as f64,
                others.len() as f64,
                format!(
                    "项目 {} 除中标人外的 {} 家投标人全部被否决",
                    t.project,
                    others.len()
                ),
                BUYER_COLLUSION,
            );
        }
        if let Some(lowest) = t.bidders.iter().min_by_key(|b| b.bid) {
            if t.bidders.len() >= 2 && lowest.disqualified && !winners.is_empty() {
                push(
                    "lowest_bid_disqualified",
                    vec![lowest.credit_code.clone()],
                    project.clone(),
                    lowest.bid.0 as f64 / 100.0,
                    0.0,
                    format!(
                        "项目 {} 最低报价 {}（{}）被否决，原因：{}",
                        t.project,
                        lowest.bid.display(),
                        lowest.name,
                        lowest.reason.as_deref().unwrap_or("未说明")
                    ),
                    BUYER_COLLUSION,
                );
            }
        }
        let mut bids: Vec<f64> = t
            .bidders
            .iter()
            .filter(|b| !b.disqualified)
            .map(|b| b.bid.0 as f64)
            .collect();
        bids.sort_by(f64::total_cmp);
        if bids.len() >= 3 {
            spreads.push((i, cv(&bids)));
        }
        if bids.len() >= 2 && bids[0] > 0.0 {
            gaps.push((i, (bids[1] - bids[0]) / bids[0]));
        }
    }
    if let Some(f) = Fence::of(spreads.iter().map(|s| s.1).collect()) {
        for &(i, v) in spreads
            .iter()
            .filter(|s| s.1 < f.lower().max(0.0) || s.1 == 0.0)
        {
            let t = &tenders[i];
            push(
                "low_bid_spread",
                t.bidders.iter().map(|b| b.credit_code.clone()).collect(),
                vec![t.project.to_string()],
                v,
                f.lower(),
                format!(
                    "项目 {} 有效报价的变异系数 {}，低于同类下限 {}（{}）：报价异常接近",
                    t.project,
                    round(v),
                    round(f.lower()),
                    f.describe()
                ),
                COLLUSION,
            );
        }
    }
    if let Some(f) = Fence::of(gaps.iter().map(|s| s.1).collect()) {
        for &(i, v) in gaps
            .iter()
            .filter(|s| s.1 < f.lower().max(0.0) || s.1 == 0.0)
        {
            let t = &tenders[i];
            push(
                "close_runner_up",
                t.bidders.iter().map(|b| b.credit_code.clone()).collect(),
                vec![t.project.to_string()],
                v,
                f.lower(),
                format!(
                    "项目 {} 最低两个有效报价相差 {}，低于同类下限 {}（{}）",
                    t.project,
                    pct(v),
                    pct(f.lower().max(0.0)),
                    f.describe()
                ),
                COLLUSION,
            );
        }
    }

    // Per company: many bids, (almost) no wins.
    let mut bids_of: BTreeMap<&str, (usize, usize, BTreeSet<&str>, &str)> = BTreeMap::new();
    for t in &tenders {
        for b in t.bidders {
            let e = bids_of
                .entry(&b.credit_code)
                .or_insert((0, 0, BTreeSet::new(), &b.name));
            e.0 += 1;
            e.1 += usize::from(b.won);
            e.2.insert(t.project);
        }
    }
    let rates: Vec<f64> = bids_of
        .values()
        .filter(|e| e.0 >= MIN_BIDS)
        .map(|e| e.1 as f64 / e.0 as f64)
        .collect();
    if let Some(f) = Fence::of(rates) {
        let fence = f.lower().max(0.0);
        for (code, (n, w, projects, name)) in &bids_of {
            let rate = *w as f64 / *n as f64;
            if *n >= MIN_BIDS && rate <= fence {
                push(
                    "cover_bidder",
                    vec![code.to_string()],
                    projects.iter().map(|p| p.to_string()).collect(),
                    rate,
                    fence,
                    format!(
                        "{name} 投标 {n} 次，中标 {w} 次（中标率 {}），不高于同类下限 {}（投标不少于 {MIN_BIDS} 次的主体，{}）",
                        pct(rate),
                        pct(fence),
                        f.describe()
                    ),
                    COLLUSION,
                );
            }
        }
    }

    // Per buyer (or category and region): a winner's share of the awards, by count and amount.
    let mut groups: BTreeMap<&str, Vec<&Tender>> = BTreeMap::new();
    for t in &tenders {
        if t.bidders.iter().any(|b| b.won)
            && t.result
                .trade()
                .is_some_and(|x| x.stage != Stage::Candidates)
        {
            groups.entry(&t.group).or_default().push(t);
        }
    }
    let mut shares: Vec<(&str, &str, &str, f64, f64, usize, usize)> = Vec::new();
    for (group, ts) in &groups {
        if ts.len() < MIN_AWARDS {
            continue;
        }
        let total: f64 = ts
            .iter()
            .flat_map(|t| t.bidders.iter().filter(|b| b.won))
            .map(|b| b.bid.0 as f64)
            .sum();
        let mut by: BTreeMap<&str, (usize, f64, &str)> = BTreeMap::new();
        for b in ts.iter().flat_map(|t| t.bidders.iter().filter(|b| b.won)) {
            let e = by.entry(&b.credit_code).or_insert((0, 0.0, &b.name));
            e.0 += 1;
            e.1 += b.bid.0 as f64;
        }
        for (code, (n, amount, name)) in by {
            shares.push((
                group,
                code,
                name,
                n as f64 / ts.len() as f64,
                if total > 0.0 { amount / total } else { 0.0 },
                n,
                ts.len(),
            ));
        }
    }
    let count_fence = Fence::of(shares.iter().map(|s| s.3).collect());
    let amount_fence = Fence::of(shares.iter().map(|s| s.4).collect());
    for (group, code, name, by_count, by_amount, n, of) in &shares {
        for (what, share, fence) in [
            ("次数", *by_count, count_fence),
            ("金额", *by_amount, amount_fence),
        ] {
            let Some(f) = fence else { continue };
            if share > f.upper().max(0.5) {
                let projects = groups[group]
                    .iter()
                    .filter(|t| t.bidders.iter().any(|b| b.won && b.credit_code == *code))
                    .map(|t| t.project.to_string())
                    .collect();
                push(
                    "dominant_winner",
                    vec![code.to_string()],
                    projects,
                    share,
                    f.upper().max(0.5),
                    format!(
                        "{name} 在{group}的 {of} 次授标中中标 {n} 次，按{what}占 {}，高于同类上限 {}（{}）",
                        pct(share),
                        pct(f.upper().max(0.5)),
                        f.describe()
                    ),
                    COLLUSION,
                );
            }
        }
    }

    // Co-bidding pairs, clusters and rotation.
    let tender_count = tenders.len() as f64;
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for t in &tenders {
        let mut codes: Vec<&str> = t.bidders.iter().map(|b| b.credit_code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        for (i, a) in codes.iter().enumerate() {
            for b in &codes[i + 1..] {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut linked: Vec<((&str, &str), usize, f64)> = Vec::new();
    for (&(a, b), &c) in &pairs {
        let (na, nb) = (bids_of[a].0 as f64, bids_of[b].0 as f64);
        let expected = na * nb / tender_count;
        let lift = c as f64 / expected;
        if c >= MIN_CO_BIDS && lift >= MIN_LIFT {
            linked.push(((a, b), c, lift));
        }
    }
    // Clusters: connected components of the linked pairs.
    let mut cluster_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut clusters: Vec<BTreeSet<&str>> = Vec::new();
    for ((a, b), _, _) in &linked {
        match (cluster_of.get(a).copied(), cluster_of.get(b).copied()) {
            (None, None) => {
                clusters.push([*a, *b].into());
                cluster_of.insert(a, clusters.len() - 1);
                cluster_of.insert(b, clusters.len() - 1);
            }
            (Some(i), None) => {
                clusters[i].insert(b);
                cluster_of.insert(b, i);
            }
            (None, Some(i)) => {
                clusters[i].insert(a);
                cluster_of.insert(a, i);
            }
            (Some(i), Some(j)) if i != j => {
                let moved = std::mem::take(&mut clusters[j]);
                for m in &moved {
                    cluster_of.insert(m, i);
                }
                clusters[i].extend(moved);
            }
            _ => {}
        }
    }
    for members in clusters.iter().filter(|c| !c.is_empty()) {
        let pair_lifts: Vec<f64> = linked
            .iter()
            .filter(|((a, b), _, _)| members.contains(a) && members.contains(b))
            .map(|(_, _, l)| *l)
            .collect();
        let max_lift = pair_lifts.iter().copied().fold(0.0, f64::max);
        let mut joint: Vec<&Tender> = tenders
            .iter()
            .filter(|t| {
                t.bidders
                    .iter()
                    .filter(|b| members.contains(b.credit_code.as_str()))
                    .count()
                    >= 2
            })
            .collect();
        joint.sort_by_key(|t| (t.result.date, t.project));
        let names: Vec<&str> = members.iter().map(|c| bids_of[c].3).collect();
        push(
            "co_bidding_group",
            members.iter().map(|c| c.to_string()).collect(),
            joint.iter().map(|t| t.project.to_string()).collect(),
            max_lift,
            MIN_LIFT,
            format!(
                "{} 在 {} 次招标中共同投标；两两共同投标次数最高为独立投标预期的 {} 倍（阈值 {} 倍，且至少 {MIN_CO_BIDS} 次）",
                names.join("、"),
                joint.len(),
                round(max_lift),
                MIN_LIFT
            ),
            COLLUSION,
        );
        // Rotation: the members win the joint tenders by turns.
        let winners: Vec<&str> = joint
            .iter()
            .filter_map(|t| {
                t.bidders
                    .iter()
                    .find(|b| b.won && members.contains(b.credit_code.as_str()))
                    .map(|b| b.credit_code.as_str())
            })
            .collect();
        let distinct: BTreeSet<&str> = winners.iter().copied().collect();
        let turns = winners.windows(2).filter(|w| w[0] != w[1]).count();
        if winners.len() >= 3 && distinct.len() >= 2 && turns * 3 >= (winners.len() - 1) * 2 {
            push(
                "bid_rotation",
                members.iter().map(|c| c.to_string()).collect(),
                joint.iter().map(|t| t.project.to_string()).collect(),
                distinct.len() as f64,
                2.0,
                format!(
                    "{} 共同投标的 {} 次招标中，成员 {} 家轮流中标（中标人更替 {} 次）",
                    names.join("、"),
                    joint.len(),
                    distinct.len(),
                    turns
                ),
                COLLUSION,
            );
        }
    }

    // A winner on a black list or barred by a penalty on the award date.
    for t in &tenders {
        for (b, bars) in crate::companies::barred_winners(site, t.result) {
            push(
                "listed_winner",
                vec![b.credit_code.clone()],
                vec![t.project.to_string()],
                bars.len() as f64,
                0.0,
                format!(
                    "{} 于 {} 中标项目 {}，当日处于限制期间：{}",
                    b.name,
                    t.result.date,
                    t.project,
                    bars.iter()
                        .map(|x| format!("{}（至 {}）", x.by.title, x.until))
                        .collect::<Vec<_>>()
                        .join("；")
                ),
                DISHONEST,
            );
        }
    }

    out.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    // Ids unique: a second signal of the same kind and first project gets a suffix.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for s in &mut out {
        let n = seen.entry(s.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            s.id = format!("{}-{n}", s.id);
        }
    }
    Signals {
        generated: site.today,
        signals: out,
    }
}

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

/// `signals.json` and one HTML page per signal plus an index, into `dir` (beside the site, for
/// signed-in staff; never the public site). Written beside and renamed, file by file.
pub fn write(site: &Site, dir: &std::path::Path) -> anyhow::Result<usize> {
    use anyhow::Context;
    use maud::html;
    let signals = compute(site);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let put = |name: &str, bytes: Vec<u8>| -> anyhow::Result<()> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    };
    let mut json = serde_json::to_vec_pretty(&signals)?;
    json.push(b'\n');
    put("signals.json", json)?;
    let meta = |title: &'static str| themes::Meta {
        title,
        description: "风险提示，供监督部门核查，不作为违法认定依据",
        path: "",
        feed: None,
        noindex: true,
    };
    let note = html! {
        p.note { "风险提示，供监督部门核查，不作为违法认定依据。阈值和同类分布见各条说明；判断方法见 ARCHITECTURE.md“智慧监管”。" }
    };
    let mut kinds: BTreeMap<&str, Vec<&Signal>> = BTreeMap::new();
    for s in &signals.signals {
        kinds.entry(s.kind).or_default().push(s);
    }
    let index = html! {
        h1 { "智慧监管风险提示" }
        (note)
        p { "共 " (signals.signals.len()) " 条，生成于 " (signals.generated) "。" }
        @for (kind, list) in &kinds {
            section {
                h2 { (kind_label(kind)) "（" (list.len()) "）" }
                ul {
                    @for s in list {
                        li { a href=(format!("{}.html", s.id)) { (s.explanation) } }
                    }
                }
            }
        }
    };
    let page = themes::page(
        &site.content.site,
        &meta("智慧监管风险提示"),
        themes::Nav::Other,
        index,
    );
    put("index.html", page.into_string().into_bytes())?;
    for s in &signals.signals {
        let main = html! {
            h1 { (kind_label(s.kind)) }
            (note)
            p { (s.explanation) }
            dl.fields {
                dt { "数值" } dd { (s.value) }
                dt { "阈值" } dd { (s.threshold) }
                dt { "相关规定" } dd { (s.basis) }
                dt { "涉及主体" }
                dd { ul { @for c in &s.companies { li { a href=(disclosure::routes::company(c)) { code { (c) } } } } } }
                dt { "涉及项目" }
                dd { ul { @for p in &s.projects { li { a href=(disclosure::routes::project(p)) { code { (p) } } } } } }
            }
            p { a href="index.html" { "全部风险提示" } }
        };
        let page = themes::page(
            &site.content.site,
            &meta("风险提示"),
            themes::Nav::Other,
            main,
        );
        put(&format!("{}.html", s.id), page.into_string().into_bytes())?;
    }
    Ok(signals.signals.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_need_peers_and_follow_the_quartiles() {
        assert!(Fence::of(vec![1.0; MIN_PEERS - 1]).is_none());
        let f = Fence::of((1..=9).map(f64::from).collect()).unwrap();
        assert_eq!((f.q1, f.q3), (3.0, 7.0));
        assert_eq!((f.lower(), f.upper()), (-3.0, 13.0));
        assert!((cv(&[100.0, 100.0, 100.0])).abs() < 1e-12);
    }
}

//! Supervision signals (智慧监管): risk hints computed from every result's bidders, for
//! regulators to verify — never findings (风险提示，不作为违法认定依据).
//!
//! A tender is a project's bidders table that counts (the award stage's, else the candidates',
//! [`crate::companies::bid_tables`]). Every threshold is in `site.toml`'s `[signals]`
//! ([`SignalsConfig`], defaults documented there). Methods, so that a regulator can judge each hint:
//! - Peer fences as Cardinal uses them: a value is unusual below Q1 − k·IQR or above Q3 + k·IQR
//!   of its peers (k = 1.5), and only with enough peers (`min_peers`) and enough own observations
//!   (`min_bids`: a company with 2 bids is never a 陪标 case).
//! - 陪标 (cover bidder): a win rate at or below the lower fence *and* so few wins that honest
//!   bidding would give them rarely: the chance of at most that many wins, each tender won with
//!   probability 1 / its bidders, is below `max_chance`. (The fence alone is 0 on most markets,
//!   and a company with a few bids and no win is common under honest bidding.)
//! - Co-bidding: pairs that bid together more often than their bid counts predict under
//!   independent bidding (lift = observed / expected, expected = nₐ·n_b / tenders), with at
//!   least `min_co_bids` joint bids, and a hypergeometric chance of that many joint bids below
//!   `max_chance` divided by the pairs tested (Bonferroni); grouped into clusters (connected
//!   pairs).
//! - Rotation: a cluster whose members win the tenders they bid in together by turns: the winner
//!   changes in at least `min_turns` of the steps, and the next win goes to the member that has
//!   waited longest so often that the same wins in a random order would do it with a chance
//!   below `max_chance` (20,000 fixed-seed shuffles). Three members winning at random change
//!   hands two steps in three, so the share of changes alone would flag them.
//! - 标王: a winner's share of one buyer's (else one category's and region's) awards, by count
//!   and by amount, above the upper fence of all such shares and at least `min_share`; over all
//!   years and, where the whole span is not already flagged, per year.
//! - Price screens (Imhof 2017), see `price_screens`: a tender's coefficient of variation of
//!   the valid bids, and that of its losing bids with the lowest's distance under them (the
//!   relative distance), each judged by its chance under honest bidding (χ² at the market's
//!   spread), the tests kept to a false-discovery rate (Benjamini–Hochberg); the gap between
//!   the two lowest bids, fenced on a log scale (the gaps pile up near 0, so Cardinal's R024
//!   fence Q1 − k·IQR is negative and never fires) and judged per pair: the same company just
//!   above the same lowest bidder again and again. Precision and recall are measured on
//!   `bench`'s planted market.
//! - Too many of one kind: a kind that fires for more than `too_many_share` of the companies
//!   (company kinds) or tenders (tender kinds), and at least `too_many_min` of them, is itself
//!   reported ([`Warning`]): so many hints
//!   say more about the threshold or the market's data than about the companies.
//!
//! Severity is by kind ([`disclosure::signals::severity`]): 高 where the pattern is itself a
//! statutory case of collusion or of a barred winner, 中 for the statistical company patterns
//! and bunched bids, 低 for single screens.
//!
//! Pure: built from the [`Site`]. The build writes `signals.json`, an evidence card per signal
//! (`cards/<id>.html`, a fragment intake's staff pages wrap) and standalone pages to `signals/`
//! beside the output; into the public site only when `[signals] publish = true`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Datelike;
use foldhash::fast::RandomState as FastHash;
use maud::{html, Markup};
use rayon::prelude::*;
use serde::Serialize;

use disclosure::model::{Bidder, CreditList, CreditStatus, Details};
use disclosure::{Disclosure, SignalsConfig, Stage};

use crate::output::OutFile;
use crate::site::Site;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub id: String,
    pub kind: &'static str,
    /// 高, 中 or 低 as `high`, `medium`, `low` (see the module).
    pub severity: &'static str,
    pub companies: Vec<String>,
    /// The companies' names, in the order of `companies`.
    pub names: Vec<String>,
    pub projects: Vec<String>,
    /// The categories of the projects (keys), for routing a signal to its departments.
    pub categories: Vec<&'static str>,
    /// The result pages behind the signal.
    pub results: Vec<String>,
    pub value: f64,
    pub threshold: f64,
    pub explanation: String,
    pub basis: &'static str,
}

/// A kind that fired for too many companies or tenders to be a hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: &'static str,
    /// Companies or tenders flagged …
    pub count: usize,
    /// … of these many.
    pub of: usize,
    pub share: f64,
    pub threshold: f64,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signals {
    pub generated: chrono::NaiveDate,
    pub signals: Vec<Signal>,
    pub warnings: Vec<Warning>,
}

/// The legal clauses the hints relate to.
const COLLUSION: &str = "《招标投标法实施条例》第三十九条、第四十条（串通投标的情形）";
const BUYER_COLLUSION: &str = "《招标投标法实施条例》第四十一条（招标人与投标人串通）";
const TOO_FEW: &str = "《招标投标法》第二十八条；《政府采购法》第三十六条（投标人不足三个）";
const DISHONEST: &str =
    "《招标投标法实施条例》第三十二条；《政府采购法》第二十二条（失信主体不得参加投标）";

pub use disclosure::signals::{kind_label, severity, severity_label, KINDS, RISK_HINT};

/// Kinds about companies (a share of the companies); the others are about tenders.
fn about_companies(kind: &str) -> bool {
    matches!(
        kind,
        "cover_bidder" | "dominant_winner" | "co_bidding_group" | "bid_rotation"
    )
}

/// First and third quartiles (linear interpolation) of `values`, sorted.
fn quartiles(sorted: &[f64]) -> (f64, f64) {
    let q = |p: f64| {
        let pos = p * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    (q(0.25), q(0.75))
}

/// The peer distribution a value is judged against: quartiles and the two fences, of the values
/// themselves or of their logarithms. The price screens (a tender's spread of bids, the gap
/// between its two lowest) are ratios piled up near 0 with a long tail: their lower fence
/// Q1 − 1.5·IQR is below 0, so no tender could ever fall under it. On a log scale the same rule
/// finds the ratios that are small by a factor, as bunched bids are.
#[derive(Debug, Clone, Copy)]
struct Fence {
    q1: f64,
    q3: f64,
    k: f64,
    n: usize,
    log: bool,
}

impl Fence {
    fn of(values: Vec<f64>, cfg: &SignalsConfig) -> Option<Fence> {
        Fence::new(values, cfg, false)
    }

    /// The fences of the logarithms of `values`, all above 0.
    fn of_log(values: Vec<f64>, cfg: &SignalsConfig) -> Option<Fence> {
        debug_assert!(values.iter().all(|v| *v > 0.0));
        Fence::new(values.into_iter().map(f64::ln).collect(), cfg, true)
    }

    fn new(mut values: Vec<f64>, cfg: &SignalsConfig, log: bool) -> Option<Fence> {
        if values.len() < cfg.min_peers {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let (q1, q3) = quartiles(&values);
        Some(Fence {
            q1,
            q3,
            k: cfg.fence_iqr,
            n: values.len(),
            log,
        })
    }

    /// A value on the scale of the values (back from the logarithm).
    fn unscale(self, x: f64) -> f64 {
        if self.log {
            x.exp()
        } else {
            x
        }
    }

    fn lower(self) -> f64 {
        self.unscale(self.q1 - self.k * (self.q3 - self.q1))
    }
    fn upper(self) -> f64 {
        self.unscale(self.q3 + self.k * (self.q3 - self.q1))
    }
    fn describe(self) -> String {
        let (q1, q3) = (self.unscale(self.q1), self.unscale(self.q3));
        if self.log {
            format!(
                "同类 {} 个样本：Q1 = {}，Q3 = {}，界限按对数计算：ln Q1 − {k}×(ln Q3 − ln Q1)",
                self.n,
                round(q1),
                round(q3),
                k = self.k
            )
        } else {
            format!(
                "同类 {} 个样本：Q1 = {}，Q3 = {}，界限 Q1 − {k}×IQR / Q3 + {k}×IQR",
                self.n,
                round(q1),
                round(q3),
                k = self.k
            )
        }
    }
}

/// Three decimals, or three significant digits for a smaller number (a spread of 0.000612
/// is not 0.001).
fn round(x: f64) -> String {
    let digits = if x == 0.0 || !x.is_finite() {
        3
    } else {
        (2 - x.abs().log10().floor() as i32).clamp(3, 12)
    };
    let scale = 10f64.powi(digits);
    let r = (x * scale).round() / scale;
    format!("{r}")
}

fn pct(x: f64) -> String {
    if x.abs() >= 0.01 {
        format!("{:.1}%", x * 100.0)
    } else {
        format!("{}%", round(x * 100.0))
    }
}

/// A chance as a reader reads it: 0.3%, or 1e-9 written as 0.0000001% would not be: 小于 0.001%.
fn chance(p: f64) -> String {
    if p < 0.00001 {
        "小于 0.001%".to_string()
    } else {
        format!("{:.3}%", p * 100.0)
    }
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
                Some(b) => format!("采购人{}", b.name),
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

/// The chance of at most `wins` wins when tender i is won with probability `p[i]` (independent
/// tenders: the Poisson binomial distribution).
fn at_most(p: &[f64], wins: usize) -> f64 {
    let mut dist = vec![0.0; wins + 2];
    dist[0] = 1.0;
    for &pi in p {
        for k in (0..dist.len()).rev() {
            let stay = dist[k] * (1.0 - pi);
            let come = if k > 0 { dist[k - 1] * pi } else { 0.0 };
            dist[k] = stay + come;
        }
    }
    dist[..=wins].iter().sum::<f64>().min(1.0)
}

/// ln k! for k up to n.
fn ln_factorials(n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for k in 1..=n {
        acc += (k as f64).ln();
        out.push(acc);
    }
    out
}

/// The chance that two companies with `na` and `nb` bids among `t` tenders, each choosing its
/// tenders at random, bid together in at least `c` (hypergeometric upper tail).
fn co_bid_chance(lf: &[f64], t: usize, na: usize, nb: usize, c: usize) -> f64 {
    let ln_choose = |n: usize, k: usize| lf[n] - lf[k] - lf[n - k];
    let total = ln_choose(t, nb);
    (c..=na.min(nb))
        .filter(|&k| nb - k <= t - na)
        .map(|k| (ln_choose(na, k) + ln_choose(t - na, nb - k) - total).exp())
        .sum::<f64>()
        .min(1.0)
}

/// Of a sequence of wins (members numbered 0..k), the steps where the winner is a member that
/// has waited longest since its last win (one that has not won yet has waited longest of all).
fn in_turn(seq: &[usize], k: usize) -> usize {
    let mut last: Vec<Option<usize>> = vec![None; k];
    let mut count = 0;
    for (i, &w) in seq.iter().enumerate() {
        let waited = |m: usize| last[m].map_or(-1, |at| at as i64);
        if i > 0 && (0..k).all(|m| waited(w) <= waited(m)) {
            count += 1;
        }
        last[w] = Some(i);
    }
    count
}

/// The chance that the same wins in a random order go to the longest-waiting member at least
/// `observed` times: the share of 20,000 shuffles that do (a fixed seed, so every build gives
/// the same figure), counted as (hits + 1) / (shuffles + 1) so that it is never 0.
fn rotation_chance(seq: &[usize], k: usize, observed: usize) -> f64 {
    const SHUFFLES: u32 = 20_000;
    let mut order = seq.to_vec();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut hits = 0u32;
    for _ in 0..SHUFFLES {
        for i in (1..order.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        hits += u32::from(in_turn(&order, k) >= observed);
    }
    f64::from(hits + 1) / f64::from(SHUFFLES + 1)
}

/// A tender's valid bids (three or more, not all equal) as the price screens read them.
struct Screened<'a> {
    tender: usize,
    n: usize,
    /// Coefficient of variation of the valid bids.
    cv: f64,
    /// The losing bids (all but the lowest) as Imhof's relative distance reads them, where they
    /// are not all equal.
    losing: Option<Losing>,
    /// The gap between the two lowest, relative to the lowest.
    gap: f64,
    /// The same gap as a share of the range of the valid bids.
    range_share: f64,
    /// The credit codes of the lowest and the second-lowest valid bid.
    lowest: [&'a str; 2],
}

/// A tender's losing bids b₂ ≤ … ≤ bₙ beside its lowest b₁ (Imhof 2017): when bidders rig
/// without side payments the cover bids bunch together above a winner set apart.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Losing {
    /// Coefficient of variation of the losing bids (σ over the mean, of n − 1 bids).
    cv: f64,
    /// Relative distance RD = (b₂ − b₁) / σ of the losing bids.
    rd: f64,
    /// Normalised relative distance RDNOR = (b₂ − b₁) over the mean step between adjacent
    /// losing bids, (bₙ − b₂) / (n − 2).
    rd_nor: f64,
    /// How far the lowest bid lies under the mean of the losing bids, relative to that mean
    /// (as `cv` is).
    under: f64,
}

impl Losing {
    /// Of valid bids sorted ascending; none unless there are two losing bids not all equal.
    fn of(bids: &[f64]) -> Option<Losing> {
        let (lowest, losing) = bids.split_first()?;
        let last = *losing.last()?;
        if losing.len() < 2 || last == losing[0] {
            return None;
        }
        let n = losing.len() as f64;
        let mean = losing.iter().sum::<f64>() / n;
        let sd = (losing.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / n).sqrt();
        let gap = losing[0] - lowest;
        Some(Losing {
            cv: sd / mean,
            rd: gap / sd,
            rd_nor: gap * (n - 1.0) / (last - losing[0]),
            under: (mean - lowest) / mean,
        })
    }
}

/// The chance, under honest bidding (normal bids, market spread σ²), of losing bids as bunched
/// as `l`'s with the lowest bid as far under them — bounded from above, so never understated.
///
/// Take one of the n bids and the n − 1 others. The others' spread is as small as the losing
/// bids' with the chance u = P(χ²ₙ₋₂ ≤ (n − 1)·cv²/σ²); the one lies as far under their mean with
/// the chance v = P(Z ≤ −d / (σ·√(n / (n − 1)))), and the two are independent (the mean and the
/// spread of normal draws are). Both are uniform, so their product is at most s with the chance
/// s·(1 − ln s) (a small product is likelier than a small u alone). The lowest bid is one of
/// the n, so a product as small as `l`'s comes with a chance of at most n·s·(1 − ln s).
fn losing_chance(n: usize, l: &Losing, sigma2: f64) -> f64 {
    let m = (n - 1) as f64;
    let bunched = chi_square_cdf(m * l.cv * l.cv / sigma2, m - 1.0);
    n as f64 * product_chance(bunched * apart_chance(n, l, sigma2))
}

/// P(U·V ≤ s) for independent uniform U and V: s·(1 − ln s).
fn product_chance(s: f64) -> f64 {
    if s <= 0.0 {
        0.0
    } else {
        (s * (1.0 - s.ln())).min(1.0)
    }
}

/// The product s with `product_chance(s)` = `chance` (bisection on a log scale).
fn product_at(chance: f64) -> f64 {
    let (mut lo, mut hi) = (-745.0f64, chance.min(1.0).ln());
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if product_chance(mid.exp()) < chance {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo.exp()
}

/// The chance that one honest bid lies as far under the mean of n − 1 others as the lowest of
/// `l` does.
fn apart_chance(n: usize, l: &Losing, sigma2: f64) -> f64 {
    normal_below(l.under / (sigma2 * n as f64 / (n - 1) as f64).sqrt())
}

/// P(Z ≤ −z) for a standard normal Z and z ≥ 0: half of P(χ²₁ ≥ z²).
fn normal_below(z: f64) -> f64 {
    (0.5 * (1.0 - chi_square_cdf(z * z, 1.0))).max(0.0)
}

/// The price screens (Imhof 2017) with the chance each figure has under honest bidding.
///
/// - `low_bid_spread`: honest bids of a tender scatter around its price with the market's
///   relative spread σ (estimated from every screened tender: the median of the tenders'
///   relative sample variances, corrected by the median of χ²/k); so n·cv²/σ² follows χ² with
///   n − 1 degrees of freedom, and a spread this small has the chance P(χ² ≤ n·cv²/σ²): three
///   honest bids within 0.07% of each other happen about once in 8,000 tenders, and a market of
///   100,000 has a dozen. Beside it, where there are three or more losing bids, the same for the
///   losing bids alone with the lowest's distance under them (Imhof's relative distance: cover
///   bids bunched above a winner set apart, which the spread of all the bids hides), the chance
///   bounded by [`losing_chance`]. Every test of every tender together is kept to a
///   false-discovery rate of `max_chance` ([`false_discovery_cut`]): where nothing is amiss, a
///   hint comes out with a chance of at most `max_chance`, as with Bonferroni's division by the
///   tests, and where some are, weaker ones come through beside them. One hint per tender, by
///   the smaller chance; the card gives RD and RDNOR ([`Losing`]).
/// - `close_runner_up`: the gap between the two lowest valid bids, fenced as Cardinal's R024
///   on a log scale (the gaps pile up near 0, so Q1 − k·IQR of the gaps themselves is below 0),
///   and small within the tender's own range: with the other bids spread evenly over it, a gap
///   this small comes with the chance 1 − (1 − gap / range)^(n − 2), below 5%. One such
///   tender proves little — one honest tender in twenty is that close — so the hint is about a
///   pair: the same company just above the same lowest bidder in m of the j tenders where they
///   were the two lowest, with the binomial chance of m in j (at 5% each) below `max_chance`
///   divided by the pairs (or, for one tender alone, its chance times the tenders screened).
fn price_screens(
    tenders: &[Tender],
    screened: &[Screened<'_>],
    cfg: &SignalsConfig,
    push: &mut Push<'_>,
) {
    if screened.len() < cfg.min_peers {
        return;
    }
    let codes = |t: &Tender| {
        t.bidders
            .iter()
            .map(|b| b.credit_code.clone())
            .collect::<Vec<_>>()
    };
    // σ²: the median relative sample variance, over the median of χ²_k / k (k = 3, the
    // typical tender's degrees of freedom: (1 − 2/(9k))³ ≈ 0.794).
    let mut variances: Vec<f64> = screened
        .iter()
        .map(|s| s.n as f64 * s.cv * s.cv / (s.n - 1) as f64)
        .collect();
    variances.sort_by(f64::total_cmp);
    let sigma2 = variances[variances.len() / 2] / 0.794;
    // One test per tender of all its bids, and one of its losing bids where there are three.
    let chances: Vec<(f64, Option<(Losing, f64)>)> = screened
        .iter()
        .map(|s| {
            let all = chi_square_cdf(s.n as f64 * s.cv * s.cv / sigma2, (s.n - 1) as f64);
            let losing = s
                .losing
                .filter(|_| s.n >= 4)
                .map(|l| (l, losing_chance(s.n, &l, sigma2)));
            (all, losing)
        })
        .collect();
    let mut all_chances: Vec<f64> = chances
        .iter()
        .flat_map(|(all, losing)| std::iter::once(*all).chain(losing.map(|(_, p)| p)))
        .collect();
    let tests = all_chances.len();
    let Some((level, cut)) = false_discovery_cut(&mut all_chances, cfg.max_chance) else {
        return close_runner_up(tenders, screened, cfg, push);
    };
    // What every hint says of the market and the threshold; what it says of its tender's
    // relative distance, made only for the tenders that are hints.
    let typical = format!(
        "同类 {} 次招标的典型相对离散度 {}",
        screened.len(),
        round(sigma2.sqrt())
    );
    let shared = format!(
        "阈值 {}（所筛查的 {} 项检验按 Benjamini–Hochberg 方法控制误报比例不超过 {}）",
        chance(level),
        tests,
        chance(cfg.max_chance)
    );
    let distance = |s: &Screened| {
        s.losing.map_or(String::new(), |l| {
            format!(
                "；最低两价之差为落标报价标准差的 {} 倍（相对距离 RD），为落标报价相邻间距均值的 {} 倍（标准化相对距离 RDNOR）",
                round(l.rd),
                round(l.rd_nor)
            )
        })
    };
    for (s, &(all, losing)) in screened.iter().zip(&chances) {
        let t = &tenders[s.tender];
        match losing {
            Some((l, p)) if p <= cut && p < all => push(
                "low_bid_spread",
                codes(t),
                vec![t.project.to_string()],
                l.cv,
                // The spread of the losing bids at which, with this gap, the chance is the
                // threshold.
                spread_at_chance(
                    product_at(level / s.n as f64) / apart_chance(s.n, &l, sigma2),
                    s.n - 1,
                    sigma2,
                ),
                format!(
                    "项目 {} 的 {} 个有效报价中，最低价之外的 {} 个落标报价变异系数 {}（全部报价 {}），{}{}；诚实独立报价时落标报价这样集中、最低价又低出这么多的概率上限：{}，低于{}：落标报价异常集中，与最低价拉开距离",
                    t.project,
                    s.n,
                    s.n - 1,
                    round(l.cv),
                    round(s.cv),
                    typical,
                    distance(s),
                    chance(p),
                    shared
                ),
                COLLUSION,
            ),
            _ if all <= cut => push(
                "low_bid_spread",
                codes(t),
                vec![t.project.to_string()],
                s.cv,
                spread_at_chance(level, s.n, sigma2),
                format!(
                    "项目 {} 的 {} 个有效报价变异系数 {}，{}{}；诚实独立报价时离散度这样小的概率为 {}，低于{}：报价异常接近",
                    t.project,
                    s.n,
                    round(s.cv),
                    typical,
                    distance(s),
                    chance(all),
                    shared
                ),
                COLLUSION,
            ),
            _ => {}
        }
    }
    close_runner_up(tenders, screened, cfg, push);
}

/// Benjamini and Hochberg's step-up rule at false-discovery rate `q`: of m chances sorted
/// ascending, the largest k with p₍ₖ₎ ≤ k·q/m; every chance up to p₍ₖ₎ is a discovery. Returns
/// the level k·q/m and p₍ₖ₎, or none when there is no discovery. Where nothing is planted it
/// finds something with a chance of at most q, as Bonferroni's q/m would; where some hints are
/// real, it lets weaker ones through as long as the expected share of false ones stays under q.
fn false_discovery_cut(chances: &mut [f64], q: f64) -> Option<(f64, f64)> {
    chances.sort_by(f64::total_cmp);
    let m = chances.len() as f64;
    chances
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &p)| ((i + 1) as f64 * q / m, p))
        .find(|&(level, p)| p <= level)
}

/// `close_runner_up`, per pair: the tenders where a company's bid came just above another's
/// lowest one, each close by the chance `p` below `CLOSE_CHANCE` (see [`price_screens`]).
fn close_runner_up(
    tenders: &[Tender],
    screened: &[Screened<'_>],
    cfg: &SignalsConfig,
    push: &mut Push<'_>,
) {
    let Some(f) = Fence::of_log(screened.iter().map(|s| s.gap).collect(), cfg) else {
        return;
    };
    let mut close: BTreeMap<[&str; 2], Vec<(&Screened, f64)>> = BTreeMap::new();
    for s in screened.iter().filter(|s| s.gap < f.lower()) {
        let p = 1.0 - (1.0 - s.range_share).powi(s.n as i32 - 2);
        if p < CLOSE_CHANCE {
            close.entry(s.lowest).or_default().push((s, p));
        }
    }
    // How often each pair was the two lowest bidders at all: its chances to be close.
    let mut together: BTreeMap<[&str; 2], usize> = BTreeMap::new();
    for s in screened {
        if close.contains_key(&s.lowest) {
            *together.entry(s.lowest).or_default() += 1;
        }
    }
    let pairs = close.len().max(1) as f64;
    for (pair, found) in &close {
        let m = found.len();
        let j = together[pair];
        // A pair close in m of its j tenders as the two lowest: under honest bidding each is
        // close with a chance below CLOSE_CHANCE, so at least m of j has a chance below the
        // binomial tail; a single tender must be close beyond the tenders screened.
        let chance_of = if m == 1 {
            found[0].1 * screened.len() as f64
        } else {
            binomial_at_least(j, m, CLOSE_CHANCE) * pairs
        };
        if chance_of >= cfg.max_chance {
            continue;
        }
        let t = &tenders[found[0].0.tender];
        let name = |code: &str| {
            t.bidders
                .iter()
                .chain(
                    found
                        .iter()
                        .flat_map(|(s, _)| tenders[s.tender].bidders.iter()),
                )
                .find(|b| b.credit_code == code)
                .map_or(code.to_string(), |b| b.name.clone())
        };
        let gaps: Vec<String> = found
            .iter()
            .map(|(s, p)| {
                format!(
                    "{}：相差 {}，占报价极差 {}，概率 {}",
                    tenders[s.tender].project,
                    pct(s.gap),
                    pct(s.range_share),
                    chance(*p)
                )
            })
            .collect();
        push(
            "close_runner_up",
            pair.iter().map(|c| c.to_string()).collect(),
            found
                .iter()
                .map(|(s, _)| tenders[s.tender].project.to_string())
                .collect(),
            found.iter().map(|(s, _)| s.gap).fold(f64::INFINITY, f64::min),
            f.lower(),
            format!(
                "{} 的报价在 {} 次招标中紧贴最低价 {} 之上（两者同为最低两家的招标共 {} 次）：{}。相差低于同类下限 {}（{}），且其余报价均匀分布时各次出现的概率低于 {}；诚实投标下出现这样的情形的概率为 {}（阈值 {}，已按筛查的招标次数或组合数分摊）",
                name(pair[1]),
                m,
                name(pair[0]),
                j,
                gaps.join("；"),
                pct(f.lower()),
                f.describe(),
                chance(CLOSE_CHANCE),
                chance(chance_of.min(1.0)),
                chance(cfg.max_chance)
            ),
            COLLUSION,
        );
    }
}

/// The chance below which a tender's two lowest bids count as close for `close_runner_up`
/// (one honest tender in twenty): what makes the hint is the same pair close again and again.
const CLOSE_CHANCE: f64 = 0.05;

/// P(X ≥ m) for X ~ Binomial(n, p).
fn binomial_at_least(n: usize, m: usize, p: f64) -> f64 {
    let lf = ln_factorials(n);
    (m..=n)
        .map(|k| {
            (lf[n] - lf[k] - lf[n - k] + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp()
        })
        .sum::<f64>()
        .min(1.0)
}

/// The coefficient of variation of `n` bids below which honest bidding (relative spread σ²)
/// gives a spread that small with a chance under `chance`: the threshold the card shows.
fn spread_at_chance(chance: f64, n: usize, sigma2: f64) -> f64 {
    let k = (n - 1) as f64;
    let p = |cv: f64| chi_square_cdf(n as f64 * cv * cv / sigma2, k);
    let (mut lo, mut hi) = (0.0, sigma2.sqrt() * 4.0);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if p(mid) < chance {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// P(X ≤ x) for X ~ χ² with `k` degrees of freedom: the regularized lower incomplete gamma
/// function P(k/2, x/2), by its series (x is small where it matters here).
fn chi_square_cdf(x: f64, k: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let (a, x) = (k / 2.0, x / 2.0);
    let mut term = 1.0 / a;
    let mut sum = term;
    for n in 1..500 {
        term *= x / (a + n as f64);
        sum += term;
        if term < sum * 1e-15 {
            break;
        }
    }
    (a * x.ln() - x - ln_gamma(a) + sum.ln()).exp().min(1.0)
}

/// ln Γ(a) for a a positive multiple of ½ (the χ² degrees of freedom halved).
fn ln_gamma(a: f64) -> f64 {
    // Γ(½) = √π, Γ(1) = 1, Γ(a + 1) = a·Γ(a).
    let (mut x, mut acc) = if (a.fract() - 0.5).abs() < 1e-9 {
        (0.5, 0.5 * std::f64::consts::PI.ln())
    } else {
        (1.0, 0.0)
    };
    while x + 0.5 < a {
        acc += x.ln();
        x += 1.0;
    }
    acc
}

/// What a signal is made of before its id, severity and names are set.
struct Draft {
    kind: &'static str,
    companies: Vec<String>,
    projects: Vec<String>,
    value: f64,
    threshold: f64,
    explanation: String,
    basis: &'static str,
}

/// What one part of [`compute`] reports each signal it finds with: kind, companies, projects,
/// value, threshold, explanation and basis.
type Push<'p> =
    dyn FnMut(&'static str, Vec<String>, Vec<String>, f64, f64, String, &'static str) + 'p;

/// The signals `find` (one part of [`compute`]) reports, in the order it reports them.
fn collected(find: impl FnOnce(&mut Push<'_>)) -> Vec<Draft> {
    let mut out = Vec::new();
    find(
        &mut |kind, companies, projects, value, threshold, explanation, basis| {
            out.push(Draft {
                kind,
                companies,
                projects,
                value,
                threshold,
                explanation,
                basis,
            })
        },
    );
    out
}

/// Every signal, in a stable order (kind, then id), with the warnings of kinds that fired too
/// often. Thresholds from `site.toml`'s `[signals]`.
pub fn compute(site: &Site) -> Signals {
    let cfg = &site.content.site.signals;
    let tenders = tenders(site);
    let codes = |bs: &mut dyn Iterator<Item = &Bidder>| {
        bs.map(|b| b.credit_code.clone()).collect::<Vec<_>>()
    };

    // The kinds are worked out side by side: each is produced by one of these, and the signals
    // are sorted by kind and id at the end. A full recomputation (a penalty changed) ran on one
    // core for a tenth of a one-file rebuild.
    let per_tender = || {
        collected(|push| {
            // Per tender: single bidder, identical bids, disqualifications, price screens.
            let mut screened: Vec<Screened> = Vec::new();
            for (i, t) in tenders.iter().enumerate() {
                let project = vec![t.project.to_string()];
                if t.bidders.len() == 1 {
                    push(
                        "single_bidder",
                        codes(&mut t.bidders.iter()),
                        project.clone(),
                        1.0,
                        3.0,
                        format!(
                            "项目 {} 只有 1 家投标人（{}），法定不少于 3 家",
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
                if t.bidders.len() >= 3
                    && !winners.is_empty()
                    && others.iter().all(|b| b.disqualified)
                {
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
                let mut valid: Vec<&Bidder> =
                    t.bidders.iter().filter(|b| !b.disqualified).collect();
                valid.sort_by_key(|b| b.bid);
                let bids: Vec<f64> = valid.iter().map(|b| b.bid.0 as f64).collect();
                // Identical bids are their own kind: the screens judge the rest.
                if bids.len() >= 3 && bids[0] > 0.0 && bids[0] < bids[bids.len() - 1] {
                    screened.push(Screened {
                        tender: i,
                        n: bids.len(),
                        cv: cv(&bids),
                        losing: Losing::of(&bids),
                        gap: (bids[1] - bids[0]) / bids[0],
                        range_share: (bids[1] - bids[0]) / (bids[bids.len() - 1] - bids[0]),
                        lowest: [&valid[0].credit_code, &valid[1].credit_code],
                    });
                }
            }
            price_screens(&tenders, &screened, cfg, push);
        })
    };
    // Per company: many bids, (almost) no wins.
    struct Bids<'a> {
        n: usize,
        wins: usize,
        projects: BTreeSet<&'a str>,
        name: &'a str,
        /// Per bid, the chance of winning under honest bidding: 1 / bidders.
        chances: Vec<f64>,
    }
    let mut bids_of: BTreeMap<&str, Bids> = BTreeMap::new();
    for t in &tenders {
        for b in t.bidders {
            let e = bids_of.entry(&b.credit_code).or_insert(Bids {
                n: 0,
                wins: 0,
                projects: BTreeSet::new(),
                name: &b.name,
                chances: Vec::new(),
            });
            e.n += 1;
            e.wins += usize::from(b.won);
            e.projects.insert(t.project);
            e.chances.push(1.0 / t.bidders.len() as f64);
        }
    }
    let cover_bidders = || {
        collected(|push| {
            let rates: Vec<f64> = bids_of
                .values()
                .filter(|e| e.n >= cfg.min_bids)
                .map(|e| e.wins as f64 / e.n as f64)
                .collect();
            if let Some(f) = Fence::of(rates, cfg) {
                let fence = f.lower().max(0.0);
                for (code, e) in &bids_of {
                    let rate = e.wins as f64 / e.n as f64;
                    if e.n < cfg.min_bids || rate > fence {
                        continue;
                    }
                    let p = at_most(&e.chances, e.wins);
                    if p >= cfg.max_chance {
                        continue;
                    }
                    let expected: f64 = e.chances.iter().sum();
                    push(
                        "cover_bidder",
                        vec![code.to_string()],
                        e.projects.iter().map(|p| p.to_string()).collect(),
                        rate,
                        fence,
                        format!(
                            "{} 投标 {} 次，中标 {} 次（中标率 {}），不高于同类下限 {}（投标不少于 {} 次的主体，{}）；按各次投标人数平均分配中标机会，应中标约 {} 次，只中标 {} 次或更少的概率为 {}（阈值 {}）",
                            e.name,
                            e.n,
                            e.wins,
                            pct(rate),
                            pct(fence),
                            cfg.min_bids,
                            f.describe(),
                            round(expected),
                            e.wins,
                            chance(p),
                            chance(cfg.max_chance)
                        ),
                        COLLUSION,
                    );
                }
            }
        })
    };
    let dominant_winners = || {
        collected(|push| {
            // Per buyer (or category and region), over all years and per year: a winner's share of
            // the awards, by count and by amount.
            struct Share<'a> {
                group: &'a str,
                year: Option<i32>,
                code: &'a str,
                name: &'a str,
                by_count: f64,
                by_amount: f64,
                n: usize,
                of: usize,
                projects: Vec<&'a str>,
            }
            let mut groups: BTreeMap<(&str, Option<i32>), Vec<&Tender>> = BTreeMap::new();
            for t in &tenders {
                if t.bidders.iter().any(|b| b.won)
                    && t.result
                        .trade()
                        .is_some_and(|x| x.stage != Stage::Candidates)
                {
                    groups.entry((&t.group, None)).or_default().push(t);
                    groups
                        .entry((&t.group, Some(t.result.date.year())))
                        .or_default()
                        .push(t);
                }
            }
            let mut shares: Vec<Share> = Vec::new();
            for (&(group, year), ts) in &groups {
                if ts.len() < cfg.min_awards {
                    continue;
                }
                let total: f64 = ts
                    .iter()
                    .flat_map(|t| t.bidders.iter().filter(|b| b.won))
                    .map(|b| b.bid.0 as f64)
                    .sum();
                let mut by: BTreeMap<&str, (usize, f64, &str, Vec<&str>)> = BTreeMap::new();
                for t in ts {
                    for b in t.bidders.iter().filter(|b| b.won) {
                        let e = by
                            .entry(&b.credit_code)
                            .or_insert((0, 0.0, &b.name, Vec::new()));
                        e.0 += 1;
                        e.1 += b.bid.0 as f64;
                        e.3.push(t.project);
                    }
                }
                for (code, (n, amount, name, projects)) in by {
                    shares.push(Share {
                        group,
                        year,
                        code,
                        name,
                        by_count: n as f64 / ts.len() as f64,
                        by_amount: if total > 0.0 { amount / total } else { 0.0 },
                        n,
                        of: ts.len(),
                        projects,
                    });
                }
            }
            // Fences over the shares of the same span: all years, or one year.
            let fence_of = |yearly: bool, f: fn(&Share) -> f64| {
                Fence::of(
                    shares
                        .iter()
                        .filter(|s| s.year.is_some() == yearly)
                        .map(f)
                        .collect(),
                    cfg,
                )
            };
            let fences = [
                (
                    fence_of(false, |s| s.by_count),
                    fence_of(false, |s| s.by_amount),
                ),
                (
                    fence_of(true, |s| s.by_count),
                    fence_of(true, |s| s.by_amount),
                ),
            ];
            let mut flagged_overall: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
            // Overall first (year None sorts first within a group), so a year is flagged only
            // when the whole span is not.
            shares.sort_by_key(|s| s.year.is_some());
            for s in &shares {
                let (count_fence, amount_fence) = fences[usize::from(s.year.is_some())];
                for (what, share, fence) in [
                    ("次数", s.by_count, count_fence),
                    ("金额", s.by_amount, amount_fence),
                ] {
                    let Some(f) = fence else { continue };
                    let threshold = f.upper().max(cfg.min_share);
                    if share <= threshold {
                        continue;
                    }
                    if s.year.is_none() {
                        flagged_overall.insert((s.group, s.code, what));
                    } else if flagged_overall.contains(&(s.group, s.code, what)) {
                        continue;
                    }
                    let span = s.year.map_or("历年".to_string(), |y| format!("{y} 年"));
                    push(
                        "dominant_winner",
                        vec![s.code.to_string()],
                        s.projects.iter().map(|p| p.to_string()).collect(),
                        share,
                        threshold,
                        format!(
                            "{} 在{}{}的 {} 次授标中中标 {} 次，按{what}占 {}，高于同类上限 {}（{}；且不低于 {}）",
                            s.name,
                            s.group,
                            span,
                            s.of,
                            s.n,
                            pct(share),
                            pct(threshold),
                            f.describe(),
                            pct(cfg.min_share)
                        ),
                        COLLUSION,
                    );
                }
            }
        })
    };
    let co_bidding = || {
        collected(|push| {
            // Co-bidding pairs, clusters and rotation.
            let tender_count = tenders.len();
            // Counted in a hash map (400,000 pairs at 100,000 disclosures), then the pairs bid
            // together often enough are taken in order.
            let mut pairs: HashMap<(&str, &str), usize, FastHash> = HashMap::default();
            for t in &tenders {
                let mut codes: Vec<&str> =
                    t.bidders.iter().map(|b| b.credit_code.as_str()).collect();
                codes.sort_unstable();
                codes.dedup();
                for (i, a) in codes.iter().enumerate() {
                    for b in &codes[i + 1..] {
                        *pairs.entry((a, b)).or_default() += 1;
                    }
                }
            }
            let mut pairs: Vec<((&str, &str), usize)> = pairs
                .into_iter()
                .filter(|&(_, c)| c >= cfg.min_co_bids)
                .collect();
            pairs.sort_unstable();
            let lf = ln_factorials(tender_count);
            // Bonferroni: the chance allowed to each pair tested.
            let tested = pairs.len().max(1);
            let per_pair = cfg.max_chance / tested as f64;
            let mut linked: Vec<((&str, &str), usize, f64, f64)> = Vec::new();
            for &((a, b), c) in &pairs {
                let (na, nb) = (bids_of[a].n, bids_of[b].n);
                let expected = na as f64 * nb as f64 / tender_count as f64;
                let lift = c as f64 / expected;
                if lift < cfg.min_lift {
                    continue;
                }
                let p = co_bid_chance(&lf, tender_count, na, nb, c);
                if p < per_pair {
                    linked.push(((a, b), c, lift, p));
                }
            }
            // Clusters: connected components of the linked pairs.
            let mut cluster_of: BTreeMap<&str, usize> = BTreeMap::new();
            let mut clusters: Vec<BTreeSet<&str>> = Vec::new();
            for ((a, b), _, _, _) in &linked {
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
            // Which tenders each company bid in: a cluster's joint tenders are found among its
            // members', not by scanning every tender for every cluster.
            let mut tenders_of: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, t) in tenders.iter().enumerate() {
                for b in t.bidders {
                    let at = tenders_of.entry(b.credit_code.as_str()).or_default();
                    if at.last() != Some(&i) {
                        at.push(i);
                    }
                }
            }
            for members in clusters.iter().filter(|c| !c.is_empty()) {
                let inside: Vec<&((&str, &str), usize, f64, f64)> = linked
                    .iter()
                    .filter(|((a, b), _, _, _)| members.contains(a) && members.contains(b))
                    .collect();
                let max_lift = inside.iter().map(|l| l.2).fold(0.0, f64::max);
                let most = inside.iter().map(|l| l.1).max().unwrap_or(0);
                let least_chance = inside.iter().map(|l| l.3).fold(1.0, f64::min);
                // The tenders two members bid in: among those any member bid in.
                let mut joint: Vec<&Tender> = members
                    .iter()
                    .flat_map(|c| tenders_of.get(c).into_iter().flatten().copied())
                    .collect::<BTreeSet<usize>>()
                    .into_iter()
                    .map(|i| &tenders[i])
                    .filter(|t| {
                        t.bidders
                            .iter()
                            .filter(|b| members.contains(b.credit_code.as_str()))
                            .count()
                            >= 2
                    })
                    .collect();
                joint.sort_by_key(|t| (t.result.date, t.project));
                let names: Vec<&str> = members.iter().map(|c| bids_of[c].name).collect();
                push(
                    "co_bidding_group",
                    members.iter().map(|c| c.to_string()).collect(),
                    joint.iter().map(|t| t.project.to_string()).collect(),
                    max_lift,
                    cfg.min_lift,
                    format!(
                        "{} 在 {} 次招标中共同投标；两两共同投标最多 {most} 次，最高为独立投标预期的 {} 倍（阈值 {} 倍，且至少 {} 次）；各自随机选择投标项目时出现这样多共同投标的概率为 {}（阈值 {}，已按检验的 {tested} 对分摊）",
                        names.join("、"),
                        joint.len(),
                        round(max_lift),
                        cfg.min_lift,
                        cfg.min_co_bids,
                        chance(least_chance),
                        chance(per_pair)
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
                let steps = winners.len().saturating_sub(1);
                if winners.len() < cfg.min_rotation_wins
                    || distinct.len() < 2
                    || (turns as f64) < cfg.min_turns * steps as f64
                {
                    continue;
                }
                // Three members winning at random change hands two steps in three anyway: what
                // tells rotation is that the next win goes to the member that has waited longest,
                // more often than the same wins in a random order would.
                let seq: Vec<usize> = winners
                    .iter()
                    .map(|w| distinct.iter().position(|d| d == w).unwrap_or(0))
                    .collect();
                let in_turn = in_turn(&seq, distinct.len());
                let by_chance = rotation_chance(&seq, distinct.len(), in_turn);
                if by_chance <= cfg.max_chance {
                    push(
                        "bid_rotation",
                        members.iter().map(|c| c.to_string()).collect(),
                        joint.iter().map(|t| t.project.to_string()).collect(),
                        turns as f64 / steps.max(1) as f64,
                        cfg.min_turns,
                        format!(
                            "{} 共同投标的 {} 次招标中，组内中标 {} 次，由 {} 家轮流中标（{} 次相邻中标中更替 {} 次，阈值 {}；其中 {} 次由最久未中标的成员中标，同样的中标次数随机排序时达到这样规律的概率为 {}，阈值 {}）",
                            names.join("、"),
                            joint.len(),
                            winners.len(),
                            distinct.len(),
                            steps,
                            turns,
                            pct(cfg.min_turns),
                            in_turn,
                            chance(by_chance),
                            chance(cfg.max_chance)
                        ),
                        COLLUSION,
                    );
                }
            }
        })
    };
    let listed_winners = || {
        collected(|push| {
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
        })
    };
    let ((per_tender, cover_bidders), (dominant_winners, (co_bidding, listed_winners))) =
        rayon::join(
            || rayon::join(per_tender, cover_bidders),
            || rayon::join(dominant_winners, || rayon::join(co_bidding, listed_winners)),
        );
    let out = [
        per_tender,
        cover_bidders,
        dominant_winners,
        co_bidding,
        listed_winners,
    ]
    .into_iter()
    .flatten();

    // Names, categories and result pages from the tenders behind each signal.
    let by_project: BTreeMap<&str, &Tender> = tenders.iter().map(|t| (t.project, t)).collect();
    let mut signals: Vec<Signal> = out
        .into_iter()
        .map(|d| {
            let behind: Vec<&Tender> = d
                .projects
                .iter()
                .filter_map(|p| by_project.get(p.as_str()).copied())
                .collect();
            let categories: BTreeSet<&'static str> = behind
                .iter()
                .filter_map(|t| t.result.trade().map(|x| x.category.key()))
                .collect();
            let names = d
                .companies
                .iter()
                .map(|c| {
                    bids_of
                        .get(c.as_str())
                        .map_or(c.as_str(), |e| e.name)
                        .to_string()
                })
                .collect();
            let id = format!(
                "{}-{}",
                d.kind,
                d.projects
                    .first()
                    .or(d.companies.first())
                    .map_or("", |s| s.as_str())
            );
            Signal {
                id,
                kind: d.kind,
                severity: severity(d.kind),
                companies: d.companies,
                names,
                projects: d.projects,
                categories: categories.into_iter().collect(),
                results: behind.iter().map(|t| t.result.url()).collect(),
                value: d.value,
                threshold: d.threshold,
                explanation: d.explanation,
                basis: d.basis,
            }
        })
        .collect();
    signals.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    // Ids unique: a second signal of the same kind and first project gets a suffix.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for s in &mut signals {
        let n = seen.entry(s.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            s.id = format!("{}-{n}", s.id);
        }
    }

    // Too many of one kind.
    let mut warnings = Vec::new();
    for kind in KINDS {
        let of_kind = signals.iter().filter(|s| s.kind == kind);
        let (count, of, what) = if about_companies(kind) {
            let flagged: BTreeSet<&str> = of_kind
                .flat_map(|s| s.companies.iter().map(|c| c.as_str()))
                .collect();
            (flagged.len(), bids_of.len(), "投标主体")
        } else {
            let flagged: BTreeSet<&str> = of_kind
                .flat_map(|s| s.projects.iter().map(|p| p.as_str()))
                .collect();
            (flagged.len(), tenders.len(), "招标项目")
        };
        let share = count as f64 / of.max(1) as f64;
        if count >= cfg.too_many_min.max(1) && share > cfg.too_many_share {
            warnings.push(Warning {
                kind,
                count,
                of,
                share,
                threshold: cfg.too_many_share,
                explanation: format!(
                    "“{}”涉及 {count} 个{what}，占全部 {of} 个的 {}，超过 {}：提示过多时，应先核查阈值（site.toml [signals]）和数据质量，而不是逐条认定",
                    kind_label(kind),
                    pct(share),
                    pct(cfg.too_many_share)
                ),
            });
        }
    }
    Signals {
        generated: site.today,
        signals,
        warnings,
    }
}

/// A company's black-list entries and penalties, for the card: each with its link, and whether
/// it bars the company from bidding on the build date.
fn restrictions(site: &Site, code: &str) -> Markup {
    let docs = site.restrictions.get(code).map_or(&[][..], |v| &v[..]);
    let barring: BTreeSet<&str> = crate::companies::bars(docs, site.today)
        .iter()
        .map(|b| b.by.id.as_str())
        .collect();
    let shown: Vec<&&Disclosure> = docs
        .iter()
        .filter(|d| match &d.details {
            Details::Credit(c) => c.list == CreditList::Black && c.status != CreditStatus::Revoked,
            Details::Penalty(_) => true,
            _ => false,
        })
        .collect();
    html! {
        @if !shown.is_empty() {
            ul.flags {
                @for d in shown {
                    li {
                        strong.badge.badge-warn {
                            @if matches!(d.details, Details::Credit(_)) { "黑名单" } @else { "行政处罚" }
                        }
                        " "
                        a href=(d.url()) { (d.title) }
                        " （" (d.date) "）"
                        @if barring.contains(d.id.as_str()) { " " strong { "目前处于限制投标期间" } }
                    }
                }
            }
        }
    }
}

/// The evidence card of a signal: figures, the distribution judged against, the clause, the
/// companies (with their black-list entries and penalties) and the projects and results behind
/// it. `staff`: links to the staff view of each company's signals.
pub fn card(site: &Site, s: &Signal, staff: bool) -> Markup {
    html! {
        article.signal-card id=(s.id) {
            h1 { (kind_label(s.kind)) }
            p.flag role="note" { (RISK_HINT) }
            p { (s.explanation) }
            dl.fields {
                dt { "风险等级" } dd { (severity_label(s.severity)) }
                dt { "数值" } dd { (round(s.value)) }
                dt { "阈值" } dd { (round(s.threshold)) }
                dt { "相关规定" } dd { (s.basis) }
            }
            h2 { "涉及主体" }
            ul {
                @for (code, name) in s.companies.iter().zip(&s.names) {
                    li {
                        a href=(disclosure::routes::company(code)) { (name) }
                        " " code { (code) }
                        @if staff {
                            " · " a href=(format!("/staff/signals/companies/{code}/")) { "该主体的全部风险提示" }
                        }
                        (restrictions(site, code))
                    }
                }
            }
            h2 { "涉及项目" }
            ul {
                @for (i, p) in s.projects.iter().enumerate() {
                    li {
                        a href=(disclosure::routes::project(p)) { code { (p) } }
                        @if let Some(r) = s.results.get(i) {
                            " · " a href=(r) { "结果公告" }
                        }
                    }
                }
            }
        }
    }
}

/// The files of the signals: `signals.json`, a card fragment per signal (`cards/<id>.html`) and
/// standalone pages (`index.html`, `<id>.html`), as (path, bytes).
fn files(site: &Site, signals: &Signals, staff: bool) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut json = serde_json::to_vec_pretty(signals)?;
    json.push(b'\n');
    out.push(("signals.json".to_string(), json));
    let meta = |title: &'static str| themes::Meta {
        title,
        description: "风险提示，供监督部门核查，不作为违法认定依据",
        path: "",
        feed: None,
        noindex: true,
    };
    let index = html! {
        h1 { "智慧监管风险提示" }
        p.flag role="note" { (RISK_HINT) }
        p { "共 " (signals.signals.len()) " 条，生成于 " (signals.generated) "。阈值见 site.toml 的 [signals]。" }
        (warnings(&signals.warnings))
        @for kind in KINDS {
            @let list: Vec<&Signal> = signals.signals.iter().filter(|s| s.kind == kind).collect();
            @if !list.is_empty() {
                section {
                    h2 { (kind_label(kind)) "（" (list.len()) "，风险等级" (severity_label(severity(kind))) "）" }
                    ul {
                        @for s in list {
                            li { a href=(format!("{}.html", s.id)) { (s.explanation) } }
                        }
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
    out.push(("index.html".to_string(), page.into_string().into_bytes()));
    let pages: Vec<Vec<(String, Vec<u8>)>> = signals
        .signals
        .par_iter()
        .map(|s| {
            let mut files = Vec::with_capacity(2);
            let card = card(site, s, staff);
            if staff {
                files.push((
                    format!("cards/{}.html", s.id),
                    card.clone().into_string().into_bytes(),
                ));
            }
            let main = html! {
                (card)
                p { a href="index.html" { "全部风险提示" } }
            };
            let page = themes::page(
                &site.content.site,
                &meta("风险提示"),
                themes::Nav::Other,
                main,
            );
            files.push((format!("{}.html", s.id), page.into_string().into_bytes()));
            files
        })
        .collect();
    out.extend(pages.into_iter().flatten());
    Ok(out)
}

/// The warnings of kinds that fired too often, for a list page.
pub fn warnings(warnings: &[Warning]) -> Markup {
    html! {
        @if !warnings.is_empty() {
            section.warnings aria-label="提示过多" {
                h2 { "提示过多" }
                ul {
                    @for w in warnings {
                        li.flag { (w.explanation) }
                    }
                }
            }
        }
    }
}

/// The signals of a build, worked out before they are written: [`prepare`] computes them (on a
/// thread of their own while the site is rendered and published), [`Prepared::write`] writes
/// them once the site is published.
pub enum Prepared {
    /// The folder holds the signals of the same inputs: they stand, this many.
    Standing(usize),
    /// Computed anew: the files and the stamp to write.
    New {
        inputs: String,
        count: usize,
        files: Vec<(String, Vec<u8>)>,
    },
}

/// Works out the signals for `dir` (beside the site, for signed-in staff; never the public
/// site) without writing anything: when the folder holds signals of the same inputs (a rebuild
/// after a notice, a page or a result's title changed), they stand; a clean build computes them
/// anew.
pub fn prepare(site: &Site, dir: &std::path::Path, clean: bool) -> anyhow::Result<Prepared> {
    let inputs = format!("{:016x}", inputs_hash(site));
    if let Some(previous) = (!clean)
        .then(|| std::fs::read_to_string(dir.join(INPUTS_FILE)).ok())
        .flatten()
    {
        if let Some(count) = previous
            .strip_prefix(&inputs)
            .and_then(|rest| rest.trim().parse::<usize>().ok())
        {
            if dir.join("signals.json").is_file() {
                return Ok(Prepared::Standing(count));
            }
        }
    }
    let signals = compute(site);
    Ok(Prepared::New {
        inputs,
        count: signals.signals.len(),
        files: files(site, &signals, true)?,
    })
}

impl Prepared {
    /// `signals.json`, the cards and the pages, into `dir`: each file written beside and
    /// renamed, a file that already holds its bytes left alone, cards of signals gone removed.
    /// Returns how many signals there are.
    pub fn write(self, dir: &std::path::Path) -> anyhow::Result<usize> {
        use anyhow::Context;
        let (inputs, count, files) = match self {
            Prepared::Standing(count) => return Ok(count),
            Prepared::New {
                inputs,
                count,
                files,
            } => (inputs, count, files),
        };
        let stamp = dir.join(INPUTS_FILE);
        let cards = dir.join("cards");
        std::fs::create_dir_all(&cards)
            .with_context(|| format!("cannot create {}", cards.display()))?;
        let keep: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        // The stamp goes first and last: a build stopped half-way leaves none, so the next one
        // writes every file again.
        let _ = std::fs::remove_file(&stamp);
        files.par_iter().try_for_each(|(name, bytes)| {
            let path = dir.join(name);
            // A file already holding these bytes is left alone (most cards outlive a change).
            if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
                return Ok(());
            }
            let tmp = dir.join(format!("{name}.tmp"));
            std::fs::write(&tmp, bytes)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
        })?;
        // What an earlier build wrote for signals that are gone.
        for sub in ["", "cards/"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for e in entries.flatten() {
                let name = format!("{sub}{}", e.file_name().to_string_lossy());
                if name.ends_with(".html") && !keep.contains(name.as_str()) {
                    std::fs::remove_file(e.path())
                        .with_context(|| format!("cannot remove {}", e.path().display()))?;
                }
            }
        }
        std::fs::write(&stamp, format!("{inputs} {count}\n"))
            .with_context(|| format!("cannot write {}", stamp.display()))?;
        Ok(count)
    }
}

/// Beside the signals: the hash of what they were computed from, and how many there were.
const INPUTS_FILE: &str = "inputs.hash";

/// A hash of everything the signals and their pages read: the build date, the `[signals]`
/// settings, this version's methods, every result's id, date, region and details (parties,
/// bidders, amount; not its title or body), and of every credit entry and penalty what the cards
/// show of it and whether it bars its subject ([`crate::companies::bar_inputs`]), not the rest
/// of its wording (a penalty reworded with the same ban changes no signal; at 100,000
/// disclosures, working them all out again took 0.3-0.5 s of CPU beside a one-file rebuild of
/// about a second).
fn inputs_hash(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    // Hashed field by field (`Hash`), not formatted.
    let mut h = crate::cache::InputsHasher::default();
    SIGNALS_FORMAT.hash(&mut h);
    site.today.hash(&mut h);
    // The settings have floats: their JSON form stands for them.
    serde_json::to_string(&site.content.site.signals)
        .unwrap_or_default()
        .hash(&mut h);
    // The disclosures signals read, in chunks of a fixed size hashed on both cores. Taken out of
    // the others first: a notice that moves in the site's order moves no chunk's boundary.
    let read: Vec<&Disclosure> = site
        .public
        .iter()
        .chain(&site.withdrawn)
        .copied()
        .filter(|d| {
            matches!(
                d.details,
                Details::Result { .. } | Details::Credit(_) | Details::Penalty(_)
            )
        })
        .collect();
    let chunk = |docs: &[&Disclosure]| {
        let mut h = crate::cache::InputsHasher::default();
        for d in docs {
            match &d.details {
                Details::Result { .. } => {
                    (0u8, &d.id, d.date, &d.region, &d.details).hash(&mut h);
                }
                Details::Credit(_) | Details::Penalty(_) => {
                    (1u8, crate::companies::bar_inputs(d, site.today)).hash(&mut h);
                }
                _ => {}
            }
        }
        h.finish()
    };
    let chunks: Vec<u64> = read.par_chunks(4096).map(chunk).collect();
    chunks.hash(&mut h);
    h.finish()
}

/// Part of the inputs: bump it when the methods or the pages change, so that an incremental
/// build after an upgrade computes them anew (a clean build always does).
const SIGNALS_FORMAT: &str = concat!("signals-3-", env!("CARGO_PKG_VERSION"));

/// Where the signals go unless `--signals` says: `signals/` beside the output folder (beside
/// `public/`), so that two sites built from one working folder keep their own.
pub fn beside(out: &std::path::Path) -> std::path::PathBuf {
    out.parent()
        .unwrap_or_else(|| std::path::Path::new(""))
        .join("signals")
}

/// The signal pages for the public site under `/signals/`, when `[signals] publish = true`;
/// nothing otherwise.
pub fn public_files(site: &Site) -> Vec<OutFile> {
    if !site.content.site.signals.publish {
        return Vec::new();
    }
    let signals = compute(site);
    files(site, &signals, false)
        .unwrap_or_default()
        .into_iter()
        .map(|(path, bytes)| OutFile {
            path: format!("signals/{path}"),
            bytes,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the signals are computed from changes with a result, not with a notice that moves
    /// among them (at 100,000 a notice's new date recomputed every signal).
    #[test]
    fn the_inputs_of_the_signals_are_the_results_not_their_place_among_notices() {
        let today = crate::testing::today();
        let log = crate::log::PublicationLog::default();
        let mut content = crate::testing::generated(12_000);
        let before = inputs_hash(&Site::new(&content, today, &log));
        // The newest notice, which moves past every other disclosure.
        let notice = (0..content.docs.len())
            .filter(|&i| matches!(content.docs[i].details, Details::Notice { .. }))
            .max_by_key(|&i| content.docs[i].date)
            .unwrap();
        content.docs[notice].date = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
        assert_eq!(inputs_hash(&Site::new(&content, today, &log)), before);
        let result = content
            .docs
            .iter()
            .position(|d| matches!(d.details, Details::Result { .. }))
            .unwrap();
        if let Details::Result { bidders, .. } = &mut content.docs[result].details {
            bidders[1].bid.0 += 100;
        }
        assert_ne!(inputs_hash(&Site::new(&content, today, &log)), before);
    }

    #[test]
    fn chi_square_matches_its_tables() {
        // k = 2: 1 − e^(−x/2) exactly; k = 1 and 3: the 95% points of the tables.
        for x in [0.001, 0.1, 1.0, 5.0] {
            let exact = 1.0 - (-x / 2.0f64).exp();
            assert!((chi_square_cdf(x, 2.0) - exact).abs() < 1e-12, "{x}");
        }
        assert!((chi_square_cdf(3.841, 1.0) - 0.95).abs() < 1e-3);
        assert!((chi_square_cdf(7.815, 3.0) - 0.95).abs() < 1e-3);
        assert!((chi_square_cdf(9.488, 4.0) - 0.95).abs() < 1e-3);
        // The threshold the card shows is where the chance crosses.
        let cv = spread_at_chance(1e-4, 4, 0.03f64.powi(2));
        let p = chi_square_cdf(4.0 * cv * cv / 0.03f64.powi(2), 3.0);
        assert!((p - 1e-4).abs() < 1e-8, "{cv} {p}");
    }

    #[test]
    fn relative_distance_by_hand() {
        // The lowest 6% under three losing bids 50 apart: their σ = √((50² + 0 + 50²) / 3).
        let l = Losing::of(&[1_000_000.0, 1_060_000.0, 1_060_050.0, 1_060_100.0]).unwrap();
        let sd = (5_000.0f64 / 3.0).sqrt();
        assert!((l.cv - sd / 1_060_050.0).abs() < 1e-15, "{l:?}");
        assert!((l.rd - 60_000.0 / sd).abs() < 1e-9, "{l:?}");
        // Over the mean step between adjacent losing bids, (1,060,100 − 1,060,000) / 2.
        assert!((l.rd_nor - 1_200.0).abs() < 1e-9, "{l:?}");
        assert!((l.under - 60_050.0 / 1_060_050.0).abs() < 1e-15, "{l:?}");
        // One losing bid, or losing bids all equal (identical bids, a kind of their own): none.
        assert_eq!(Losing::of(&[1.0, 2.0]), None);
        assert_eq!(Losing::of(&[1.0, 2.0, 2.0, 2.0]), None);
    }

    /// The chance `losing_chance` gives bounds what honest bidding does: of 60,000 honest
    /// tenders per size (normal bids, the spread known), no more than a share α come out with a
    /// chance under α.
    #[test]
    fn the_chance_of_bunched_losing_bids_is_never_understated() {
        let mut state = 7u64;
        let mut unit = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let sigma = 0.03;
        for n in 4..=6 {
            let mut under = [0usize; 3];
            const TENDERS: usize = 60_000;
            for _ in 0..TENDERS {
                let mut bids: Vec<f64> = (0..n)
                    .map(|_| {
                        // Box–Muller.
                        let (u, v) = (1.0 - unit(), unit());
                        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
                        1.0 + sigma * z
                    })
                    .collect();
                bids.sort_by(f64::total_cmp);
                let l = Losing::of(&bids).unwrap();
                let p = losing_chance(n, &l, sigma * sigma);
                for (k, alpha) in [0.1, 0.01, 0.001].into_iter().enumerate() {
                    under[k] += usize::from(p < alpha);
                }
            }
            // Allowing three standard deviations of the count.
            for (k, alpha) in [0.1, 0.01, 0.001].into_iter().enumerate() {
                let expected = alpha * TENDERS as f64;
                assert!(
                    (under[k] as f64) <= expected + 3.0 * expected.sqrt(),
                    "n = {n}: {} of {TENDERS} under {alpha}",
                    under[k]
                );
            }
        }
    }

    #[test]
    fn false_discoveries_are_cut_as_benjamini_and_hochberg() {
        // q = 5%, four tests: the levels are 1.25%, 2.5%, 3.75% and 5%; the third chance is
        // under its level, so the first three are discoveries (Bonferroni's 1.25% keeps one).
        let mut p = [0.5, 0.03, 0.01, 0.02];
        let (level, cut) = false_discovery_cut(&mut p, 0.05).unwrap();
        assert!(
            (level - 0.0375).abs() < 1e-15 && cut == 0.03,
            "{level} {cut}"
        );
        // The smallest chance above its level: none.
        assert_eq!(false_discovery_cut(&mut [0.02, 0.6], 0.03), None);
        assert_eq!(false_discovery_cut(&mut [], 0.03), None);
    }

    #[test]
    fn the_normal_tail_matches_its_table() {
        assert!((normal_below(0.0) - 0.5).abs() < 1e-9);
        assert!((normal_below(1.96) - 0.025).abs() < 1e-4);
        assert!((normal_below(3.0) - 0.00135).abs() < 1e-5);
    }

    #[test]
    fn rotation_is_judged_against_the_same_wins_in_random_orders() {
        // Three members by turns, five rounds: the longest-waiting member wins every step.
        let by_turns: Vec<usize> = (0..15).map(|i| i % 3).collect();
        assert_eq!(in_turn(&by_turns, 3), 14);
        assert!(rotation_chance(&by_turns, 3, 14) < 0.001);
        // Changing hands 11 times in 14 steps, at random: common by chance.
        let at_random = [0, 1, 1, 2, 0, 0, 2, 1, 2, 0, 1, 0, 2, 2, 1];
        let seen = in_turn(&at_random, 3);
        assert!(rotation_chance(&at_random, 3, seen) > 0.05, "{seen}");
    }

    #[test]
    fn fences_need_peers_and_follow_the_quartiles() {
        let cfg = SignalsConfig::default();
        assert!(Fence::of(vec![1.0; cfg.min_peers - 1], &cfg).is_none());
        let f = Fence::of((1..=9).map(f64::from).collect(), &cfg).unwrap();
        assert_eq!((f.q1, f.q3), (3.0, 7.0));
        assert_eq!((f.lower(), f.upper()), (-3.0, 13.0));
        assert!((cv(&[100.0, 100.0, 100.0])).abs() < 1e-12);
    }

    #[test]
    fn chances_under_honest_bidding() {
        // No win in 20 tenders of 4 bidders: 0.75²⁰.
        let p = at_most(&[0.25; 20], 0);
        assert!((p - 0.75f64.powi(20)).abs() < 1e-12, "{p}");
        // At most one win in two coin tosses: 3/4.
        assert!((at_most(&[0.5, 0.5], 1) - 0.75).abs() < 1e-12);
        // Two companies with 12 bids each of 33 tenders, all 12 together: 1 / C(33, 12).
        let lf = ln_factorials(33);
        let p = co_bid_chance(&lf, 33, 12, 12, 12);
        assert!((p * 354_817_320.0 - 1.0).abs() < 1e-6, "{p}");
        // At least 0 joint bids: certain.
        assert!((co_bid_chance(&lf, 33, 12, 12, 0) - 1.0).abs() < 1e-9);
    }
}

//! A planted-collusion market for the supervision signals' benchmark: a deterministic content
//! folder of award results where ordinary companies bid honestly (each tender draws 3–6 of
//! them, each bids the estimate less 0–10% independently, the lowest bid wins) and, among them,
//! known patterns are planted:
//! - cover bidders (陪标): companies that join many ordinary tenders and always bid above the rest;
//! - dominant winners (标王): two buyers whose favourite wins about 70% of their awards;
//! - co-bidding rings that rotate wins (抱团, 轮流中标): rings of three and four companies with
//!   tenders of their own where every member bids and the winner goes round in turn, the others
//!   bidding 3–8% above it (honest-looking spread: rotation without bunching);
//! - identical bids (two bidders of a tender bid the same amount), bunched bids (every bid of
//!   a tender within ±0.1% of one amount), cover bids bunched above a winner set apart (the
//!   losing bids within ±0.1% of one amount, the lowest 4–8% under them: Imhof's relative
//!   distance, which the spread of all the bids hides) and cover bids just above the winner (two
//!   pairs of companies, each in four tenders: the second bids 0.01–0.03% over the first, the
//!   lowest);
//! - barred winners: companies on a black list that win during their listing;
//! - single-bidder tenders, tenders where all but the winner are disqualified, tenders where the
//!   lowest bid is disqualified.
//!
//! [`write`] writes the folder and returns the [`Truth`]: which companies (company kinds) or
//! projects (tender kinds) are planted per kind. [`score`] compares the signals of a build with
//! it: precision and recall per kind. Used by the `gen-planted` binary (the benchmark) and by
//! this crate's test (`tests/it/planted.rs`). Bench tooling: nothing of the site depends on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

const SITE_TOML: &str = include_str!("../../content/site.toml");
const DEPARTMENTS_TOML: &str = include_str!("../../content/departments.toml");
const CALENDAR_TOML: &str = include_str!("../../content/calendar.toml");

const REGIONS: [&str; 4] = ["新华区", "卫东区", "湛河区", "石龙区"];

/// The size of the market.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub seed: u64,
    /// Ordinary tenders (the rings' own tenders and the planted single-bidder ones come on top).
    pub tenders: usize,
    /// Ordinary companies.
    pub companies: usize,
    /// Buyers of the ordinary tenders (two of them get a favourite).
    pub buyers: usize,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            seed: 1,
            tenders: 600,
            companies: 150,
            buyers: 20,
        }
    }
}

/// What was planted, per kind: the companies (company kinds) or projects (tender kinds).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Truth {
    pub companies: BTreeMap<&'static str, BTreeSet<String>>,
    pub projects: BTreeMap<&'static str, BTreeSet<String>>,
}

/// Kinds judged by the companies they name; the others by their projects.
pub const COMPANY_KINDS: [&str; 4] = [
    "cover_bidder",
    "dominant_winner",
    "co_bidding_group",
    "bid_rotation",
];

/// splitmix64: small, fast, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// `k` distinct values of `0..n`.
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all
    }
}

#[derive(Debug, Clone)]
struct Company {
    name: String,
    code: String,
}

fn company(n: usize, prefix: &str) -> Company {
    let first = format!("91410400MA{n:07}");
    let check = disclosure::ident::uscc_check_char(&first).expect("17 characters");
    Company {
        name: format!("{prefix}{n:04}建设有限公司"),
        code: format!("{first}{check}"),
    }
}

#[derive(Debug, Clone)]
struct Bid {
    company: usize,
    /// Fen.
    amount: i64,
    disqualified: bool,
}

#[derive(Debug, Clone)]
struct Tender {
    project: String,
    date: (i32, u32, u32),
    region: &'static str,
    buyer: usize,
    estimate: f64,
    bids: Vec<Bid>,
    /// The winner, when it is not the lowest valid bid (never, in this market) — kept explicit.
    winner: Option<usize>,
}

fn date(rng: &mut Rng) -> (i32, u32, u32) {
    // 2024-01 … 2026-10, the 1st to the 28th.
    let month = rng.below(34);
    (
        2024 + (month / 12) as i32,
        1 + (month % 12) as u32,
        1 + rng.below(28) as u32,
    )
}

fn honest_bid(rng: &mut Rng, estimate: f64, company: usize) -> Bid {
    Bid {
        company,
        amount: (estimate * (0.90 + 0.10 * rng.unit())).round() as i64,
        disqualified: false,
    }
}

/// Bids bunched around `centre`: the k-th (0.04·k − 0.1)% off it, plus up to 0.01% at random
/// (all within ±0.1%, none equal).
fn bunch(rng: &mut Rng, centre: f64, bids: &mut [Bid]) {
    for (k, b) in bids.iter_mut().enumerate() {
        b.amount =
            (centre * (1.0 + 0.0004 * k as f64 - 0.001 + 0.0001 * rng.unit())).round() as i64;
    }
}

/// Writes the planted market into `out` (which must not exist or be empty) and returns what
/// was planted.
pub fn write(out: &Path, plan: Plan) -> anyhow::Result<Truth> {
    let mut rng = Rng(plan.seed);
    let mut truth = Truth::default();
    // Companies: ordinary ones first, then the planted ones.
    let mut companies: Vec<Company> = (0..plan.companies).map(|n| company(n, "诚信")).collect();
    let add = |prefix: &str, companies: &mut Vec<Company>| {
        let n = companies.len();
        companies.push(company(n, prefix));
        n
    };
    let covers: Vec<usize> = (0..5).map(|_| add("陪标", &mut companies)).collect();
    let favourites: Vec<usize> = (0..2).map(|_| add("标王", &mut companies)).collect();
    let rings: Vec<Vec<usize>> = [3, 4]
        .iter()
        .map(|&k| (0..k).map(|_| add("抱团", &mut companies)).collect())
        .collect();
    // Barred winners are ordinary companies that happen to be on a black list.
    let barred: Vec<usize> = rng.sample(plan.companies, 3);

    let buyer_name = |b: usize| format!("平顶山市第{}采购单位", b + 1);
    let mut tenders: Vec<Tender> = Vec::new();
    let mut next_project = 0usize;
    let mut new_tender = |rng: &mut Rng, buyer: usize| {
        next_project += 1;
        let estimate = 50_000_000.0 + 450_000_000.0 * rng.unit();
        Tender {
            project: format!("PL-{next_project:05}"),
            date: date(rng),
            region: REGIONS[rng.below(REGIONS.len())],
            buyer,
            estimate,
            bids: Vec::new(),
            winner: None,
        }
    };

    // Ordinary tenders, honest bidding.
    for _ in 0..plan.tenders {
        let buyer = rng.below(plan.buyers);
        let mut t = new_tender(&mut rng, buyer);
        let n = 3 + rng.below(4);
        for c in rng.sample(plan.companies, n) {
            t.bids.push(honest_bid(&mut rng, t.estimate, c));
        }
        tenders.push(t);
    }
    // Disjoint sets of ordinary tenders for the patterns planted into them.
    let mut order = rng.sample(tenders.len(), tenders.len());
    let mut take = |k: usize| -> Vec<usize> { order.drain(..k.min(order.len())).collect() };
    let dominated: Vec<Vec<usize>> = (0..2).map(|_| take(20)).collect();
    let identical = take(6);
    let bunched = take(6);
    let apart = take(6);
    let close = take(8);
    let barred_wins = take(6);
    let all_out = take(3);
    let lowest_out = take(3);
    let plain = order;

    // 标王: the buyer's favourite wins 14 of its 20 tenders.
    for (k, set) in dominated.iter().enumerate() {
        let buyer = plan.buyers + k;
        for (i, &ti) in set.iter().enumerate() {
            let t = &mut tenders[ti];
            t.buyer = buyer;
            if i < 14 {
                let low = t.bids.iter().map(|b| b.amount).min().unwrap_or(0);
                t.bids.push(Bid {
                    company: favourites[k],
                    amount: low - 1 - (t.estimate * 0.01 * rng.unit()) as i64,
                    disqualified: false,
                });
                truth
                    .projects
                    .entry("dominant_winner")
                    .or_default()
                    .insert(t.project.clone());
            }
        }
        truth
            .companies
            .entry("dominant_winner")
            .or_default()
            .insert(companies[favourites[k]].code.clone());
    }
    // Identical bids: the second-lowest bidder bids exactly what the highest does.
    for &ti in &identical {
        let t = &mut tenders[ti];
        t.bids.sort_by_key(|b| b.amount);
        let top = t.bids.last().map(|b| b.amount).unwrap_or(0);
        t.bids[1].amount = top;
        truth
            .projects
            .entry("identical_bids")
            .or_default()
            .insert(t.project.clone());
    }
    // Bunched bids: all within ±0.1% of one amount, none equal.
    for &ti in &bunched {
        let t = &mut tenders[ti];
        bunch(&mut rng, t.estimate * 0.95, &mut t.bids);
        truth
            .projects
            .entry("low_bid_spread")
            .or_default()
            .insert(t.project.clone());
    }
    // Cover bids bunched above a winner set apart: at least four bids, the losing ones within
    // ±0.1% of one amount, the lowest 4–8% under it.
    for &ti in &apart {
        let t = &mut tenders[ti];
        while t.bids.len() < 4 {
            let c = rng.below(plan.companies);
            if t.bids.iter().all(|b| b.company != c) {
                let bid = honest_bid(&mut rng, t.estimate, c);
                t.bids.push(bid);
            }
        }
        t.bids.sort_by_key(|b| b.amount);
        let centre = t.estimate * 0.97;
        t.bids[0].amount = (centre * (0.92 + 0.04 * rng.unit())).round() as i64;
        bunch(&mut rng, centre, &mut t.bids[1..]);
        truth
            .projects
            .entry("low_bid_spread")
            .or_default()
            .insert(t.project.clone());
    }
    // A cover bid just above the winner, again and again: two pairs of ordinary companies, in
    // four tenders each, the first bids lowest and the second 0.01–0.03% above it, the others as
    // they would (at least four valid bids, so that there is a range to judge by).
    let pairs: Vec<usize> = (0..plan.companies)
        .filter(|c| !barred.contains(c))
        .take(4)
        .collect();
    for (k, set) in close.chunks(4).enumerate() {
        let (low, cover) = (pairs[2 * k], pairs[2 * k + 1]);
        for &ti in set {
            let t = &mut tenders[ti];
            t.bids.retain(|b| b.company != low && b.company != cover);
            while t.bids.len() < 2 {
                let c = rng.below(plan.companies);
                if !pairs.contains(&c) && t.bids.iter().all(|b| b.company != c) {
                    let bid = honest_bid(&mut rng, t.estimate, c);
                    t.bids.push(bid);
                }
            }
            let lowest = t.bids.iter().map(|b| b.amount).min().unwrap_or(0);
            let amount = lowest - 1 - (t.estimate * 0.01 * rng.unit()) as i64;
            t.bids.push(Bid {
                company: low,
                amount,
                disqualified: false,
            });
            t.bids.push(Bid {
                company: cover,
                amount: (amount as f64 * (1.0001 + 0.0002 * rng.unit())).round() as i64,
                disqualified: false,
            });
            truth
                .projects
                .entry("close_runner_up")
                .or_default()
                .insert(t.project.clone());
        }
    }
    // Barred winners: each wins two tenders in 2025–2026, while listed.
    for (i, &ti) in barred_wins.iter().enumerate() {
        let c = barred[i / 2];
        let t = &mut tenders[ti];
        t.date = (2025 + (i % 2) as i32, 3 + i as u32, 10);
        t.bids.retain(|b| b.company != c);
        let low = t.bids.iter().map(|b| b.amount).min().unwrap_or(0);
        t.bids.push(Bid {
            company: c,
            amount: low - 1 - (t.estimate * 0.01 * rng.unit()) as i64,
            disqualified: false,
        });
    }
    // All but the winner disqualified; the lowest bid disqualified (the next one wins).
    for &ti in &all_out {
        let t = &mut tenders[ti];
        t.bids.sort_by_key(|b| b.amount);
        for b in t.bids.iter_mut().skip(1) {
            b.disqualified = true;
        }
        truth
            .projects
            .entry("all_but_winner_disqualified")
            .or_default()
            .insert(t.project.clone());
    }
    for &ti in &lowest_out {
        let t = &mut tenders[ti];
        t.bids.sort_by_key(|b| b.amount);
        t.bids[0].disqualified = true;
        truth
            .projects
            .entry("lowest_bid_disqualified")
            .or_default()
            .insert(t.project.clone());
    }
    // Cover bidders: each joins 30 plain tenders and bids above everyone.
    for &c in &covers {
        for k in rng.sample(plain.len(), 30) {
            let t = &mut tenders[plain[k]];
            let top = t.bids.iter().map(|b| b.amount).max().unwrap_or(0);
            t.bids.push(Bid {
                company: c,
                amount: top + 1 + (t.estimate * (0.01 + 0.05 * rng.unit())) as i64,
                disqualified: false,
            });
        }
        truth
            .companies
            .entry("cover_bidder")
            .or_default()
            .insert(companies[c].code.clone());
    }
    // Rings: 15 tenders of their own each; every member bids, the winner goes round, one or
    // two ordinary companies bid above the winner; each member also bids in 3 plain tenders.
    for ring in &rings {
        // The turns follow the calendar: the i-th tender by date goes to member i mod k.
        let mut dates: Vec<(i32, u32, u32)> = (0..15).map(|_| date(&mut rng)).collect();
        dates.sort_unstable();
        dates.dedup();
        for (i, &day) in dates.iter().enumerate() {
            let buyer = rng.below(plan.buyers);
            let mut t = new_tender(&mut rng, buyer);
            t.date = day;
            let winner = ring[i % ring.len()];
            let win = t.estimate * (0.90 + 0.02 * rng.unit());
            for &m in ring {
                let factor = if m == winner {
                    1.0
                } else {
                    1.03 + 0.05 * rng.unit()
                };
                t.bids.push(Bid {
                    company: m,
                    amount: (win * factor).round() as i64,
                    disqualified: false,
                });
            }
            let outsiders = 1 + rng.below(2);
            for c in rng.sample(plan.companies, outsiders) {
                t.bids.push(Bid {
                    company: c,
                    amount: (win * (1.01 + 0.08 * rng.unit())).round() as i64,
                    disqualified: false,
                });
            }
            truth
                .projects
                .entry("co_bidding_group")
                .or_default()
                .insert(t.project.clone());
            tenders.push(t);
        }
        for &m in ring {
            for k in rng.sample(plain.len(), 3) {
                let t = &mut tenders[plain[k]];
                let b = honest_bid(&mut rng, t.estimate, m);
                t.bids.push(b);
            }
            for kind in ["co_bidding_group", "bid_rotation"] {
                truth
                    .companies
                    .entry(kind)
                    .or_default()
                    .insert(companies[m].code.clone());
            }
        }
    }
    // Single bidder: five tenders of their own.
    for _ in 0..5 {
        let buyer = rng.below(plan.buyers);
        let mut t = new_tender(&mut rng, buyer);
        let c = rng.below(plan.companies);
        t.bids.push(honest_bid(&mut rng, t.estimate, c));
        truth
            .projects
            .entry("single_bidder")
            .or_default()
            .insert(t.project.clone());
        tenders.push(t);
    }

    // The winner: the lowest valid bid.
    for t in &mut tenders {
        t.bids.sort_by_key(|b| (b.amount, b.company));
        t.winner = t.bids.iter().position(|b| !b.disqualified);
    }
    // Listed winners: every win of a listed company while listed (the six planted ones and
    // any it won by honest bidding then).
    for t in &tenders {
        let won = t.winner.map(|w| t.bids[w].company);
        if won.is_some_and(|c| barred.contains(&c)) && t.date >= (2025, 1, 1) {
            truth
                .projects
                .entry("listed_winner")
                .or_default()
                .insert(t.project.clone());
        }
    }

    // Write the folder.
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, text) in [
        ("site.toml", SITE_TOML),
        ("departments.toml", DEPARTMENTS_TOML),
        ("calendar.toml", CALENDAR_TOML),
    ] {
        std::fs::write(out.join(name), text)
            .with_context(|| format!("cannot write {}", out.join(name).display()))?;
    }
    let results = out.join("results");
    for (i, t) in tenders.iter().enumerate() {
        let dir = results.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        let (y, m, d) = t.date;
        let mut s = String::new();
        let winner = t.winner.map(|w| &t.bids[w]);
        let _ = write!(
            s,
            "+++\nkind = \"result\"\ntitle = \"{}施工中标结果公告\"\ndate = {y}-{m:02}-{d:02}\ndepartment = \"zjj\"\nregion = \"{}\"\ncategory = \"construction\"\nproject = \"{}\"\nstage = \"award\"\nbuyer = \"{}\"\n",
            t.project,
            t.region,
            t.project,
            buyer_name(t.buyer)
        );
        if let Some(w) = winner {
            let _ = writeln!(s, "amount = {}", yuan(w.amount));
        }
        for (rank, b) in t.bids.iter().enumerate() {
            let c = &companies[b.company];
            let _ = write!(
                s,
                "\n[[bidders]]\nname = \"{}\"\ncredit_code = \"{}\"\nbid = {}\nrank = {}\nwon = {}\n",
                c.name,
                c.code,
                yuan(b.amount),
                rank + 1,
                Some(rank) == t.winner
            );
            if b.disqualified {
                s.push_str("disqualified = true\nreason = \"资格审查不合格\"\n");
            }
        }
        let _ = write!(s, "+++\n{}中标结果公告。\n", t.project);
        std::fs::write(dir.join(format!("{}.md", t.project.to_lowercase())), s)?;
    }
    let credit = out.join("credit");
    std::fs::create_dir_all(&credit)?;
    for &c in &barred {
        let c = &companies[c];
        let text = format!(
            "+++\nkind = \"credit\"\ntitle = \"{name}列入建筑市场严重失信主体名单\"\ndate = 2024-12-20\ndepartment = \"zjj\"\nlist = \"black\"\nsubject = \"{name}\"\ncredit_code = \"{code}\"\nreason = \"以欺骗手段取得资质\"\nbasis = \"《建筑市场信用管理暂行办法》第八条\"\nfrom = 2025-01-01\nuntil = 2027-12-31\nstatus = \"active\"\nmeasures = [\"限制参加工程建设项目招标投标\"]\n+++\n列入名单。\n",
            name = c.name,
            code = c.code
        );
        std::fs::write(
            credit.join(format!("black-{}.md", c.code.to_lowercase())),
            text,
        )?;
    }
    let mut json = serde_json::to_vec_pretty(&truth)?;
    json.push(b'\n');
    std::fs::write(out.with_extension("truth.json"), json)?;
    Ok(truth)
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Precision and recall of one kind against what was planted.
#[derive(Debug, Clone, Serialize)]
pub struct KindScore {
    pub kind: &'static str,
    /// Companies or projects.
    pub unit: &'static str,
    pub planted: usize,
    pub flagged: usize,
    pub found: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

/// Every kind's precision and recall: the companies (company kinds) or projects (tender kinds)
/// its signals name, against the planted ones.
pub fn score(truth: &Truth, signals: &site_gen::signals::Signals) -> Vec<KindScore> {
    site_gen::signals::KINDS
        .iter()
        .map(|&kind| {
            let by_company = COMPANY_KINDS.contains(&kind);
            let flagged: BTreeSet<&str> = signals
                .signals
                .iter()
                .filter(|s| s.kind == kind)
                .flat_map(|s| {
                    if by_company {
                        &s.companies
                    } else {
                        &s.projects
                    }
                })
                .map(String::as_str)
                .collect();
            let empty = BTreeSet::new();
            let planted = if by_company {
                truth.companies.get(kind)
            } else {
                truth.projects.get(kind)
            }
            .unwrap_or(&empty);
            let found = flagged.iter().filter(|x| planted.contains(**x)).count();
            KindScore {
                kind,
                unit: if by_company { "companies" } else { "projects" },
                planted: planted.len(),
                flagged: flagged.len(),
                found,
                precision: (!flagged.is_empty()).then(|| found as f64 / flagged.len() as f64),
                recall: (!planted.is_empty()).then(|| found as f64 / planted.len() as f64),
            }
        })
        .collect()
}

/// The scores as a table for the benchmark's output.
pub fn table(scores: &[KindScore]) -> String {
    let mut s = String::from(
        "kind                          unit       planted  flagged  found  precision  recall\n",
    );
    let f = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{:.2}", v));
    for k in scores {
        let _ = writeln!(
            s,
            "{:<29} {:<10} {:>7}  {:>7}  {:>5}  {:>9}  {:>6}",
            k.kind,
            k.unit,
            k.planted,
            k.flagged,
            k.found,
            f(k.precision),
            f(k.recall)
        );
    }
    s
}

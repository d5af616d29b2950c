//! Supervision signals from a market built to show each pattern: a ring of three that bid
//! together and win by turns, a company that bids in every tender and never wins, identical bids,
//! bunched bids and a tender with one bidder — beside ten ordinary companies. Each signal names
//! its figures and the peer distribution; a company with few bids is never a 陪标 case; nothing of
//! it reaches the public site.

use std::collections::BTreeSet;

use disclosure::ident::uscc_check_char;
use serde_json::Value;

use crate::support::{content_with, day, edit, stamps};

fn code(n: usize) -> String {
    let first = format!("91410400MA{n:07}");
    format!("{first}{}", uscc_check_char(&first).unwrap())
}

fn result(t: usize, bidders: &[(usize, &str, i64, bool)]) -> String {
    result_on(
        t,
        &format!("2026-{:02}-{:02}", 1 + t / 28, 1 + t % 28),
        None,
        bidders,
    )
}

/// A result of tender `t` on `date`, of `buyer` (else none), with its bidders table.
fn result_on(
    t: usize,
    date: &str,
    buyer: Option<&str>,
    bidders: &[(usize, &str, i64, bool)],
) -> String {
    let mut s = format!(
        "+++\nkind = \"result\"\ntitle = \"测试工程{t}施工中标结果公告\"\ndate = {date}\ndepartment = \"zjj\"\nregion = \"新华区\"\ncategory = \"construction\"\nproject = \"SIG-{t}\"\nstage = \"award\"\n"
    );
    if let Some(b) = buyer {
        s.push_str(&format!("buyer = \"{b}\"\n"));
    }
    for (rank, (n, name, bid, won)) in bidders.iter().enumerate() {
        s.push_str(&format!(
            "\n[[bidders]]\nname = \"{name}\"\ncredit_code = \"{}\"\nbid = {bid}\nrank = {}\nwon = {won}\n",
            code(*n),
            rank + 1
        ));
    }
    s.push_str("+++\n中标结果公告。\n");
    s
}

#[test]
fn each_pattern_gives_its_signal_with_its_evidence() {
    let (tmp, content) = content_with(&[]);
    let dir = content.join("results/signals");
    std::fs::create_dir_all(&dir).unwrap();
    const NAMES: [&str; 14] = [
        "甲建设有限公司",
        "乙建设有限公司",
        "丙建设有限公司",
        "丁建设有限公司",
        "戊建设有限公司",
        "己建设有限公司",
        "庚建设有限公司",
        "辛建设有限公司",
        "壬建设有限公司",
        "癸建设有限公司",
        "环一建设有限公司",
        "环二建设有限公司",
        "环三建设有限公司",
        "陪标建设有限公司",
    ];
    let (ring, cover) = ([10, 11, 12], 13);
    let bid = |t: usize, k: usize| 1_000_000 + (30_000 + 5_000 * (t % 4) as i64) * k as i64;
    for t in 0..32 {
        let bidders: Vec<(usize, &str, i64, bool)> = if t < 20 {
            let who = [t % 10, (t + 3) % 10, (t + 6) % 10, cover];
            who.iter()
                .enumerate()
                .map(|(k, &n)| {
                    // Tender 3: bids bunched within 0.03%; tender 5: two identical bids;
                    // tender 7: the three losing bids within 0.01% (50 apart), the lowest 6%
                    // under them (Imhof's relative distance).
                    let amount = match t {
                        3 => 1_000_000 + 100 * k as i64,
                        5 if k == 2 => bid(t, 1),
                        7 if k == 0 => 1_000_000,
                        7 => 1_059_950 + 50 * k as i64,
                        _ => bid(t, k),
                    };
                    (n, NAMES[n], amount, k == 0)
                })
                .collect()
        } else {
            let winner = ring[t % 3];
            ring.iter()
                .chain(&[t % 10])
                .enumerate()
                .map(|(k, &n)| (n, NAMES[n], bid(t, k), n == winner))
                .collect()
        };
        std::fs::write(dir.join(format!("sig-{t}.md")), result(t, &bidders)).unwrap();
    }
    std::fs::write(
        dir.join("sig-32.md"),
        result(32, &[(1, NAMES[1], 2_000_000, true)]),
    )
    .unwrap();

    // The cover bidder is on a black list: its card says so.
    std::fs::create_dir_all(content.join("credit")).unwrap();
    std::fs::write(
        content.join("credit/black-cover.md"),
        format!(
            "+++\nkind = \"credit\"\ntitle = \"陪标建设有限公司列入严重失信主体名单\"\ndate = 2026-06-01\ndepartment = \"zjj\"\nlist = \"black\"\nsubject = \"陪标建设有限公司\"\ncredit_code = \"{}\"\nreason = \"串通投标\"\nbasis = \"《建筑市场信用管理暂行办法》第八条\"\nfrom = 2026-06-01\nuntil = 2029-05-31\nstatus = \"active\"\nmeasures = [\"限制参加工程建设项目招标投标\"]\n+++\n列入名单。\n",
            code(cover)
        ),
    )
    .unwrap();

    let out = tmp.path().join("public");
    let signals_dir = tmp.path().join("signals");
    let mut opts = crate::support::options(&content, &out, day("2026-12-04"));
    opts.signals = Some(signals_dir.clone());
    let summary = site_gen::build::build(&opts).unwrap();
    assert!(summary.signals > 0, "{summary}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(signals_dir.join("signals.json")).unwrap())
            .unwrap();
    let signals = json["signals"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> { signals.iter().filter(|s| s["kind"] == kind).collect() };
    let companies = |s: &Value| -> BTreeSet<String> {
        s["companies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    let ring_codes: BTreeSet<String> = ring.iter().map(|n| code(*n)).collect();

    let covers = of("cover_bidder");
    assert_eq!(covers.len(), 1, "{covers:?}");
    assert_eq!(companies(covers[0]), [code(cover)].into());
    let e = covers[0]["explanation"].as_str().unwrap();
    assert!(
        e.contains("投标 20 次，中标 0 次") && e.contains("Q1 ="),
        "{e}"
    );

    assert!(
        of("co_bidding_group")
            .iter()
            .any(|s| companies(s) == ring_codes),
        "{signals:?}"
    );
    let rotation = of("bid_rotation");
    assert!(
        rotation.iter().any(|s| companies(s) == ring_codes),
        "{rotation:?}"
    );
    assert!(rotation[0]["explanation"]
        .as_str()
        .unwrap()
        .contains("轮流中标"));

    let projects = |kind: &str| -> Vec<String> {
        of(kind)
            .iter()
            .flat_map(|s| {
                s["projects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string())
            })
            .collect()
    };
    assert_eq!(projects("identical_bids"), ["SIG-5"]);
    // The base fixture's one-bidder award counts as well.
    assert!(
        projects("single_bidder").contains(&"SIG-32".to_string()),
        "{:?}",
        projects("single_bidder")
    );
    assert!(
        projects("low_bid_spread").contains(&"SIG-3".to_string()),
        "{:?}",
        projects("low_bid_spread")
    );

    // Tender 7, worked out by hand. The losing bids 1,060,000, 1,060,050 and 1,060,100 have
    // σ = √((50² + 0 + 50²) / 3) = 40.825 and a coefficient of variation of 40.825 / 1,060,050 =
    // 0.0000385; the lowest bid is 60,000 under them: RD = 60,000 / 40.825 = 1,469.694 and
    // RDNOR = 60,000 / (100 / 2) = 1,200. All four bids spread as much as the market's do
    // (σ / mean = 26,002 / 1,045,038 = 0.0249), so only the losing bids tell.
    let apart: Vec<&Value> = of("low_bid_spread")
        .into_iter()
        .filter(|s| s["projects"] == serde_json::json!(["SIG-7"]))
        .collect();
    assert_eq!(apart.len(), 1, "{:?}", of("low_bid_spread"));
    let e = apart[0]["explanation"].as_str().unwrap();
    for needle in [
        "最低价之外的 3 个落标报价变异系数 0.0000385",
        "全部报价 0.0249",
        "标准差的 1469.694 倍（相对距离 RD）",
        "相邻间距均值的 1200 倍（标准化相对距离 RDNOR）",
        "落标报价异常集中",
    ] {
        assert!(e.contains(needle), "{needle} not in {e}");
    }
    let (value, threshold) = (
        apart[0]["value"].as_f64().unwrap(),
        apart[0]["threshold"].as_f64().unwrap(),
    );
    assert!((value - 40.824_829 / 1_060_050.0).abs() < 1e-10, "{value}");
    assert!(value < threshold, "{value} {threshold}");

    // The evidence card: figures and distribution, clause, risk-hint wording, the company's
    // black-list entry, links to the public company, project and result pages and to the staff
    // view of the company's signals.
    let card = std::fs::read_to_string(
        signals_dir
            .join("cards")
            .join(format!("{}.html", covers[0]["id"].as_str().unwrap())),
    )
    .unwrap();
    for needle in [
        "投标 20 次，中标 0 次",
        "Q1 =",
        "第三十九条",
        "风险提示，供监督部门核查，不作为违法认定依据",
        "黑名单",
        "陪标建设有限公司列入严重失信主体名单",
        "目前处于限制投标期间",
        &format!("href=\"/companies/{}/\"", code(cover)),
        &format!("href=\"/staff/signals/companies/{}/\"", code(cover)),
        "href=\"/projects/SIG-0/\"",
        "href=\"/results/sig-0/\"",
    ] {
        assert!(card.contains(needle), "{needle} in {card}");
    }
    // A company without an entry has no such line.
    let identical = std::fs::read_to_string(signals_dir.join("cards").join(format!(
        "{}.html",
        of("identical_bids")[0]["id"].as_str().unwrap()
    )))
    .unwrap();
    assert!(!identical.contains("黑名单"), "{identical}");
    // One ring of three is not "too many".
    assert_eq!(
        json["warnings"],
        serde_json::json!([]),
        "{}",
        json["warnings"]
    );

    for s in signals {
        assert!(s["basis"].as_str().unwrap().contains("法"), "{s}");
        assert!(!s["explanation"].as_str().unwrap().is_empty());
    }
    // Staff pages beside the site; nothing in the public site.
    assert!(signals_dir.join("index.html").exists());
    assert!(std::fs::read_to_string(signals_dir.join("index.html"))
        .unwrap()
        .contains("不作为违法认定依据"));
    for entry in walkdir::WalkDir::new(&out) {
        let p = entry.unwrap().into_path();
        assert!(!p.to_string_lossy().contains("signals"), "{}", p.display());
    }
}

/// The signals of a market written by `files` (tender number → result text), built on
/// 2026-12-04: `signals.json` and the folder.
fn build_market(
    files: &[(usize, String)],
    site_toml_extra: &str,
) -> (tempfile::TempDir, std::path::PathBuf, Value) {
    let (tmp, content) = content_with(&[]);
    let dir = content.join("results/signals");
    std::fs::create_dir_all(&dir).unwrap();
    for (t, text) in files {
        std::fs::write(dir.join(format!("sig-{t}.md")), text).unwrap();
    }
    if !site_toml_extra.is_empty() {
        let mut site = std::fs::read_to_string(content.join("site.toml")).unwrap();
        site.push_str(site_toml_extra);
        std::fs::write(content.join("site.toml"), site).unwrap();
    }
    let out = tmp.path().join("public");
    let mut opts = crate::support::options(&content, &out, day("2026-12-04"));
    opts.signals = Some(tmp.path().join("signals"));
    site_gen::build::build(&opts).unwrap();
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("signals/signals.json")).unwrap(),
    )
    .unwrap();
    (tmp, out, json)
}

/// A buyer's awards: in 2025 ten companies win one each; in 2026 company 20 wins six of eight.
/// Over both years it holds 6 of 18 (33%, under the 50% a 标王 needs at least); in 2026 it
/// holds 75%, above the upper fence of the yearly shares (Q1 = 0.1, Q3 = 0.125: 0.1625).
#[test]
fn a_dominant_winner_of_one_year_is_found_when_the_whole_span_is_not() {
    let buyer = Some("测试市教育局");
    let mut files = Vec::new();
    for t in 0..10 {
        let date = format!("2025-{:02}-10", 1 + t);
        files.push((
            t,
            result_on(
                t,
                &date,
                buyer,
                &[
                    (t, "中标建设有限公司", 1_000_000, true),
                    (30 + t, "投标甲建设有限公司", 1_050_000, false),
                    (40 + t, "投标乙建设有限公司", 1_080_000, false),
                ],
            ),
        ));
    }
    for t in 10..18 {
        let date = format!("2026-{:02}-10", t - 9);
        let winner = match t {
            16 => 0,
            17 => 1,
            _ => 20,
        };
        files.push((
            t,
            result_on(
                t,
                &date,
                buyer,
                &[
                    (winner, "中标建设有限公司", 1_000_000, true),
                    (30 + t, "投标甲建设有限公司", 1_050_000, false),
                    (60 + t % 10, "投标乙建设有限公司", 1_080_000, false),
                ],
            ),
        ));
    }
    let (_tmp, out, json) = build_market(&files, "");
    let dominant: Vec<&Value> = json["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "dominant_winner")
        .collect();
    assert!(!dominant.is_empty(), "{json}");
    for s in &dominant {
        assert_eq!(s["companies"], serde_json::json!([code(20)]), "{s}");
        let e = s["explanation"].as_str().unwrap();
        assert!(
            e.contains("采购人测试市教育局2026 年的 8 次授标中中标 6 次") && e.contains("75.0%"),
            "{e}"
        );
        assert!(!e.contains("历年"), "{e}");
        assert_eq!(s["projects"].as_array().unwrap().len(), 6);
    }
    // Not published: the public site has no /signals/.
    assert!(!out.join("signals").exists());
}

/// A market where 12 of 30 tenders had one bidder: the kind fires for 40% of the tenders, over
/// the 10% (and the 10 tenders) of the default, and is reported as too many — in signals.json
/// and on the list page. With `[signals] publish = true` the pages are in the public site too.
#[test]
fn too_many_of_one_kind_is_reported_and_publishing_is_a_setting() {
    let files: Vec<(usize, String)> = (0..30)
        .map(|t| {
            let bidders: Vec<(usize, &str, i64, bool)> = if t < 12 {
                vec![(t, "独家投标有限公司", 1_000_000, true)]
            } else {
                (0..3)
                    .map(|k| {
                        (
                            12 + (t + 5 * k) % 18,
                            "普通建设有限公司",
                            1_000_000 + 37_000 * k as i64 + 1_000 * t as i64,
                            k == 0,
                        )
                    })
                    .collect()
            };
            (t, result(t, &bidders))
        })
        .collect();
    let (tmp, out, json) = build_market(&files, "\n[signals]\npublish = true\n");
    let warnings = json["warnings"].as_array().unwrap();
    let single: Vec<&Value> = warnings
        .iter()
        .filter(|w| w["kind"] == "single_bidder")
        .collect();
    assert_eq!(single.len(), 1, "{warnings:?}");
    // The base fixture's one-bidder award is a tender too: 13 of 31.
    assert_eq!(single[0]["count"], 13);
    assert_eq!(single[0]["of"], 31);
    let e = single[0]["explanation"].as_str().unwrap();
    assert!(
        e.contains("13 个招标项目") && e.contains("超过 10.0%"),
        "{e}"
    );
    let index = std::fs::read_to_string(tmp.path().join("signals/index.html")).unwrap();
    assert!(index.contains("提示过多") && index.contains(e), "{index}");

    // Published: the same pages under /signals/ in the public site, and in the list of
    // published files.
    let public = std::fs::read_to_string(out.join("signals/index.html")).unwrap();
    assert!(public.contains("不作为违法认定依据") && public.contains("只有一家投标"));
    let first = json["signals"][0]["id"].as_str().unwrap();
    assert!(out.join(format!("signals/{first}.html")).exists());
    assert!(
        std::fs::read_to_string(out.join(site_gen::files::FILES_PATH))
            .unwrap()
            .contains("signals/index.html")
    );
    // The public pages link no staff page.
    assert!(!public.contains("/staff/"));
}

/// A small deterministic generator (xorshift64*), so the honest market is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Honest bidding of the hand-made market's size (33 tenders, 14 companies): each tender draws
/// 3 to 5 of the companies at random, each bids the estimate ±8% independently, the lowest bid
/// wins. No pattern is planted, so no signal may come out — on several draws, not one lucky one.
#[test]
fn honest_random_bidding_gives_no_signal() {
    const NAMES: [&str; 14] = [
        "甲建设有限公司",
        "乙建设有限公司",
        "丙建设有限公司",
        "丁建设有限公司",
        "戊建设有限公司",
        "己建设有限公司",
        "庚建设有限公司",
        "辛建设有限公司",
        "壬建设有限公司",
        "癸建设有限公司",
        "子建设有限公司",
        "丑建设有限公司",
        "寅建设有限公司",
        "卯建设有限公司",
    ];
    for seed in 1..=8u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0001));
        let (tmp, content) = content_with(&[]);
        // The base fixture's one-bidder award would be a (true) single_bidder signal.
        std::fs::remove_file(content.join("results/p1-award.md")).unwrap();
        let dir = content.join("results/signals");
        std::fs::create_dir_all(&dir).unwrap();
        for t in 0..33 {
            let n = 3 + rng.below(3);
            let mut who: Vec<usize> = (0..14).collect();
            for i in 0..n {
                let j = i + rng.below(14 - i);
                who.swap(i, j);
            }
            let estimate = 500_000.0 + 2_000_000.0 * rng.unit();
            let mut bids: Vec<(usize, i64)> = who[..n]
                .iter()
                .map(|&c| (c, (estimate * (0.92 + 0.16 * rng.unit())).round() as i64))
                .collect();
            bids.sort_by_key(|b| b.1);
            let bidders: Vec<(usize, &str, i64, bool)> = bids
                .iter()
                .enumerate()
                .map(|(k, &(c, bid))| (c, NAMES[c], bid, k == 0))
                .collect();
            std::fs::write(dir.join(format!("sig-{t}.md")), result(t, &bidders)).unwrap();
        }
        let out = tmp.path().join("public");
        let mut opts = crate::support::options(&content, &out, day("2026-12-04"));
        opts.signals = Some(tmp.path().join("signals"));
        site_gen::build::build(&opts).unwrap();
        let json: Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join("signals/signals.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json["signals"],
            serde_json::json!([]),
            "seed {seed}: {:#}",
            json["signals"]
        );
        assert_eq!(json["warnings"], serde_json::json!([]), "seed {seed}");
    }
}

/// A ring of three bids together in 15 tenders of its own; what decides rotation is the order
/// of its wins. Won by turns (each time the member that waited longest), it is a rotation. Won
/// in a random order — changing hands 11 times in 14 steps, as three members winning at random
/// often do — it is a co-bidding group and no rotation: the chance of so regular an order by
/// chance is what the hint is judged on, not the share of changes alone.
#[test]
fn a_ring_is_a_rotation_only_when_its_wins_go_round() {
    let names = |n: usize| format!("公司{n}建设有限公司");
    let market = |order: &[usize]| -> Vec<(usize, String)> {
        let mut files = Vec::new();
        let bid = |t: usize, k: usize| 1_000_000 + (30_000 + 5_000 * (t % 4) as i64) * k as i64;
        for t in 0..20 {
            let who = [t % 10, (t + 3) % 10, (t + 6) % 10];
            let bidders: Vec<(usize, String, i64, bool)> = who
                .iter()
                .enumerate()
                .map(|(k, &n)| (n, names(n), bid(t, k), k == 0))
                .collect();
            files.push((t, bidders));
        }
        for (i, &w) in order.iter().enumerate() {
            let t = 20 + i;
            let winner = 10 + w;
            let mut who = vec![winner];
            who.extend((10..13).filter(|&n| n != winner));
            who.push(t % 10);
            let bidders = who
                .iter()
                .enumerate()
                .map(|(k, &n)| (n, names(n), bid(t, k), n == winner))
                .collect();
            files.push((t, bidders));
        }
        files
            .into_iter()
            .map(|(t, b)| {
                let b: Vec<(usize, &str, i64, bool)> = b
                    .iter()
                    .map(|(n, name, bid, won)| (*n, name.as_str(), *bid, *won))
                    .collect();
                (t, result(t, &b))
            })
            .collect()
    };
    let ring: BTreeSet<String> = (10..13).map(code).collect();
    let kinds = |json: &Value, kind: &str| -> Vec<BTreeSet<String>> {
        json["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == kind)
            .map(|s| {
                s["companies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect()
            })
            .collect()
    };

    let by_turns: Vec<usize> = (0..15).map(|i| i % 3).collect();
    let (_tmp, _, json) = build_market(&market(&by_turns), "");
    assert!(kinds(&json, "co_bidding_group").contains(&ring), "{json:#}");
    assert_eq!(kinds(&json, "bid_rotation"), vec![ring.clone()], "{json:#}");

    let at_random = [0, 1, 1, 2, 0, 0, 2, 1, 2, 0, 1, 0, 2, 2, 1];
    let changes = at_random.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(changes, 11, "the order changes hands often");
    let (_tmp, _, json) = build_market(&market(&at_random), "");
    assert!(kinds(&json, "co_bidding_group").contains(&ring), "{json:#}");
    assert!(kinds(&json, "bid_rotation").is_empty(), "{json:#}");
}

/// The signals stand while what they are computed from does: a rebuild after a notice's body
/// or a result's title changed leaves the signals folder as it was (not one file written); a
/// change to a result's bidders computes them anew, and the folder is then what a clean build
/// writes, byte for byte.
#[test]
fn signals_are_computed_again_only_when_their_inputs_change() {
    let (tmp, content) = content_with(&[]);
    let out = tmp.path().join("public");
    let signals = tmp.path().join("signals");
    let mut opts = crate::support::options(&content, &out, day("2026-12-04"));
    opts.signals = Some(signals.clone());
    let first = site_gen::build::build(&opts).unwrap();
    // The base fixture's award has one bidder.
    assert_eq!(first.signals, 1, "{first}");
    let before = stamps(&signals);
    std::thread::sleep(std::time::Duration::from_millis(20));

    let notice = content.join("notices/p1-tender.md");
    let text = std::fs::read_to_string(&notice).unwrap();
    std::fs::write(&notice, format!("{text}\n补充说明：内容不变。\n")).unwrap();
    let award = content.join("results/p1-award.md");
    let text = std::fs::read_to_string(&award).unwrap();
    std::fs::write(&award, text.replace("title = \"", "title = \"（更正）")).unwrap();
    let second = site_gen::build::build(&opts).unwrap();
    assert_eq!(second.signals, 1, "{second}");
    assert_eq!(stamps(&signals), before, "the signals were written again");

    // Two more bidders: no longer a single-bidder tender.
    let text = std::fs::read_to_string(&award).unwrap();
    let more = format!(
        "\n[[bidders]]\nname = \"乙建设有限公司\"\ncredit_code = \"{}\"\nbid = 1100000.00\nrank = 2\nwon = false\n\n[[bidders]]\nname = \"丙建设有限公司\"\ncredit_code = \"{}\"\nbid = 1200000.00\nrank = 3\nwon = false\n+++",
        code(100),
        code(101)
    );
    let (head, body) = text.split_once("\n+++\n").unwrap();
    std::fs::write(&award, format!("{head}{more}\n{body}")).unwrap();
    let third = site_gen::build::build(&opts).unwrap();
    assert_eq!(third.signals, 0, "{third}");

    let clean_signals = tmp.path().join("signals-clean");
    let mut clean = crate::support::options(&content, &tmp.path().join("clean"), day("2026-12-04"));
    clean.signals = Some(clean_signals.clone());
    clean.clean = true;
    site_gen::build::build(&clean).unwrap();
    assert_eq!(
        crate::support::snapshot(&signals),
        crate::support::snapshot(&clean_signals)
    );
}

/// Of a penalty, the signals read what their cards show (its title and date) and whether it bars
/// its subject from bidding, not its wording: a penalty reworded with the same ban leaves the
/// signals standing (at 100,000 disclosures, working them all out again took 0.3-0.5 s of CPU
/// beside a one-file rebuild); a penalty that no longer bars, or a new title, computes them anew,
/// and the folder is then what a clean build writes, byte for byte.
#[test]
fn a_penalty_reworded_with_the_same_ban_leaves_the_signals_standing() {
    let (tmp, content) = content_with(&[]);
    let penalty = crate::support::a_year_barred(&content);
    let out = tmp.path().join("public");
    let signals = tmp.path().join("signals");
    let mut opts = crate::support::options(&content, &out, day("2026-12-04"));
    opts.signals = Some(signals.clone());
    let first = site_gen::build::build(&opts).unwrap();
    let listed_winners = || -> usize {
        let json: Value =
            serde_json::from_slice(&std::fs::read(signals.join("signals.json")).unwrap()).unwrap();
        let all = json["signals"].as_array().unwrap();
        all.iter().filter(|s| s["kind"] == "listed_winner").count()
    };
    assert_eq!(listed_winners(), 1, "{first}");
    let before = stamps(&signals);
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Reworded: the violation and the penalty's wording; the same ban.
    edit(
        &penalty,
        "violation = \"串通投标\"",
        "violation = \"与其他投标人串通投标\"",
    );
    edit(&penalty, "penalty = \"罚款", "penalty = \"（更正）罚款");
    let second = site_gen::build::build(&opts).unwrap();
    assert_eq!(second.signals, first.signals, "{second}");
    assert_eq!(
        stamps(&signals),
        before,
        "the signals were worked out again"
    );

    let matches_a_clean_build = |what: &str| {
        let clean_signals = tmp.path().join(format!("signals-{what}"));
        let mut clean = crate::support::options(
            &content,
            &tmp.path().join(format!("clean-{what}")),
            day("2026-12-04"),
        );
        clean.signals = Some(clean_signals.clone());
        clean.clean = true;
        site_gen::build::build(&clean).unwrap();
        assert!(
            crate::support::snapshot(&signals) == crate::support::snapshot(&clean_signals),
            "after {what}, the signals are not what a clean build writes"
        );
    };
    // A fine alone bars nothing: the winner was not barred on the award's date.
    edit(&penalty, "，禁止参加依法必须进行招标的项目投标一年", "");
    let third = site_gen::build::build(&opts).unwrap();
    assert_eq!(listed_winners(), 0, "{third}");
    matches_a_clean_build("the ban lifted");

    // The cards name the company's penalties by their titles.
    edit(&penalty, "title = \"", "title = \"（更正）");
    site_gen::build::build(&opts).unwrap();
    matches_a_clean_build("a new title");
}

/// Without `--signals`, the signals go to `signals/` beside the output folder (SPEC), not into
/// the working folder: two sites built from one folder keep their own.
#[test]
fn the_signals_go_beside_the_output_unless_told() {
    let (tmp, content) = content_with(&[]);
    let cwd = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    for site in ["one", "two"] {
        let out = tmp.path().join(site).join("public");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_site-gen"))
            .args(["--quiet", "build", "--no-index", "--today", "2026-12-04"])
            .arg("--content")
            .arg(&content)
            .arg("--out")
            .arg(&out)
            .current_dir(&cwd)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join(site).join("signals/signals.json")).unwrap(),
        )
        .unwrap();
        // The fixture's one-bidder award.
        assert!(
            json["signals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == "single_bidder"),
            "{json:#}"
        );
    }
    assert!(!cwd.join("signals").exists());
}

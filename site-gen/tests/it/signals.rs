//! Supervision signals from a market built to show each pattern: a ring of three that bid
//! together and win by turns, a company that bids in every tender and never wins, identical bids,
//! bunched bids and a tender with one bidder — beside ten ordinary companies. Each signal names
//! its figures and the peer distribution; a company with few bids is never a 陪标 case; nothing of
//! it reaches the public site.

use std::collections::BTreeSet;

use disclosure::ident::uscc_check_char;
use serde_json::Value;

use crate::support::{content_with, day};

fn code(n: usize) -> String {
    let first = format!("91410400MA{n:07}");
    format!("{first}{}", uscc_check_char(&first).unwrap())
}

fn result(t: usize, bidders: &[(usize, &str, i64, bool)]) -> String {
    let mut s = format!(
        "+++\nkind = \"result\"\ntitle = \"测试工程{t}施工中标结果公告\"\ndate = 2026-{:02}-{:02}\ndepartment = \"zjj\"\nregion = \"新华区\"\ncategory = \"construction\"\nproject = \"SIG-{t}\"\nstage = \"award\"\n",
        1 + t / 28,
        1 + t % 28
    );
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
                    // Tender 3: bids bunched within 0.03%; tender 5: two identical bids.
                    let amount = match t {
                        3 => 1_000_000 + 100 * k as i64,
                        5 if k == 2 => bid(t, 1),
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

//! The planted-collusion market scored: the supervision signals of a real build against what
//! was planted, per kind (issue 12 §5).

use serde_json::Value;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// The planted-collusion market (`bench::planted`, the benchmark's generator) at its default
/// size: the signals of a real build scored against what was planted. The floors below are the
/// figures this market gives (printed with `--nocapture`); where a method misses, the comment
/// says why.
#[test]
fn planted_collusion_is_found_with_known_precision_and_recall() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    let truth = bench::planted::write(&content, bench::planted::Plan::default()).unwrap();
    assert!(tmp.path().join("content.truth.json").exists());
    let out = tmp.path().join("public");
    site_gen::build::build(&site_gen::build::Options {
        content: content.clone(),
        out: out.clone(),
        index: None,
        today: day("2026-12-04"),
        clean: false,
        progress: false,
        signals: Some(tmp.path().join("signals")),
    })
    .unwrap();
    let json = std::fs::read_to_string(tmp.path().join("signals/signals.json")).unwrap();
    let signals: Value = serde_json::from_str(&json).unwrap();

    let content = site_gen::content::load(&content, &|| {}).unwrap();
    let log = site_gen::log::PublicationLog::default();
    let site = site_gen::site::Site::new(&content, day("2026-12-04"), &log);
    let computed = site_gen::signals::compute(&site);
    assert_eq!(
        computed.signals.len(),
        signals["signals"].as_array().unwrap().len()
    );
    let scores = bench::planted::score(&truth, &computed);
    println!("{}", bench::planted::table(&scores));
    let get = |kind: &str| scores.iter().find(|s| s.kind == kind).unwrap();
    for s in &scores {
        assert!(s.planted > 0, "{} is planted", s.kind);
    }
    // The rules that read one tender: exact.
    for kind in [
        "identical_bids",
        "single_bidder",
        "all_but_winner_disqualified",
        "lowest_bid_disqualified",
        "listed_winner",
    ] {
        let s = get(kind);
        assert_eq!((s.precision, s.recall), (Some(1.0), Some(1.0)), "{s:?}");
    }
    let at_least = |kind: &str, precision: f64, recall: f64| {
        let s = get(kind);
        assert!(
            s.precision.unwrap_or(0.0) >= precision && s.recall.unwrap_or(0.0) >= recall,
            "{s:?}"
        );
    };
    at_least("cover_bidder", 1.0, 1.0);
    at_least("dominant_winner", 1.0, 1.0);
    at_least("co_bidding_group", 1.0, 1.0);
    at_least("bid_rotation", 1.0, 1.0);
    // Bunched bids: the spread of all the bids, or of the losing bids beside a lowest set apart
    // (Imhof's relative distance), judged by its chance under honest bidding (χ² at the market's
    // spread); the ~1,140 tests of the ~630 tenders screened are kept to a false-discovery rate
    // of `max_chance` (Benjamini–Hochberg), which here lets through chances under 1 in 12,500.
    // Eight of the twelve are found. The four missed are the weakest: a tender of three bids
    // all within ±0.03% (honest bidding does that about once in 5,000 tenders), and three
    // tenders of four bids where three losing bids within 0.08% sit 4–8% above the lowest
    // (honest bidding: a chance of 2 to 8 in 10,000 for so small a spread with so large a gap).
    // Four or more losing bids that close are found.
    at_least("low_bid_spread", 1.0, 0.66);
    // A cover bid just above the winner, by two pairs in four tenders each: one close tender is
    // common by chance (one in twenty), the same pair close in four of four is not.
    at_least("close_runner_up", 1.0, 1.0);
}

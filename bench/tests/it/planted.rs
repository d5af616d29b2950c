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
    // The six bunched tenders are found; one of the ~600 honest tenders has its bids as close
    // by chance (precision 6/7 on this seed).
    at_least("low_bid_spread", 0.85, 1.0);
    // The gap between the two lowest bids of honest tenders piles up near 0 (for n bids spread
    // over 10%, about n·g/10% of tenders have a gap below g), so its lower fence is negative and
    // no tender falls below it: the screen cannot tell the bunched tenders apart by this gap
    // alone. They are found by their spread (low_bid_spread) instead.
    assert_eq!(get("close_runner_up").flagged, 0);
}

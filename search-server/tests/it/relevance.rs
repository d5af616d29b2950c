//! The relevance suite (`tests/relevance.toml`): judged queries over the demo site, each with
//! the disclosures that must be in the first ten results and, for some, the ones that must not
//! be in the first three. Every failure is listed at once.

use serde::Deserialize;

use crate::support::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    query: Vec<Judged>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Judged {
    q: String,
    #[serde(default)]
    extra: String,
    top10: Vec<String>,
    #[serde(default)]
    not_top3: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

#[tokio::test]
async fn judged_queries_over_the_demo_site() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance.toml"))
            .unwrap();
    let suite: Suite = toml::from_str(&text).unwrap();
    assert!(
        suite.query.len() >= 40,
        "at least 40 judged queries: {}",
        suite.query.len()
    );
    let s = demo_server().await;
    let mut failures = Vec::new();
    for j in &suite.query {
        let ids = s.ids(&j.q, &j.extra).await;
        for want in &j.top10 {
            if !ids.contains(want) {
                failures.push(format!(
                    "{:?}{}: {want} not in the top 10: {ids:?}",
                    j.q, j.extra
                ));
            }
        }
        for unwanted in &j.not_top3 {
            if ids.iter().take(3).any(|id| id == unwanted) {
                failures.push(format!(
                    "{:?}{}: {unwanted} in the top 3: {ids:?}",
                    j.q, j.extra
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} judged queries fail:\n{}",
        failures.len(),
        suite.query.len(),
        failures.join("\n")
    );
}

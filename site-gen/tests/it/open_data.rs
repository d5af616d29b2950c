//! The OCDS release package validates against the standard's own schemas and merges: one award
//! per contracting process whatever the number of releases, the buyer and the procuring entity
//! named, the category a procurement really is, and the ocid prefix the publisher registered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{build_at, day, demo_copy};

fn package(out: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(out.join("data/ocds/release-package.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn releases_of_one_process_merge_into_one_award_with_its_buyer() {
    let (tmp, content) = demo_copy();
    let site = std::fs::read_to_string(content.join("site.toml")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        site.replacen("[footer]", "ocid_prefix = \"ocds-a1b2c3\"\n\n[footer]", 1),
    )
    .unwrap();
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-12-04")).unwrap();
    let package = package(&out);
    let releases = package["releases"].as_array().unwrap();

    let mut awards: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in releases {
        let ocid = r["ocid"].as_str().unwrap();
        assert!(ocid.starts_with("ocds-a1b2c3-"), "{ocid}");
        for a in r["awards"].as_array().into_iter().flatten() {
            awards
                .entry(ocid)
                .or_default()
                .insert(a["id"].as_str().unwrap());
        }
        for c in r["contracts"].as_array().into_iter().flatten() {
            let award = c["awardID"].as_str().unwrap();
            assert!(
                awards[ocid].contains(award),
                "{ocid}: contract refers to award {award}, not one of {:?}",
                awards[ocid]
            );
        }
    }
    let processes_with_awards = awards.len();
    assert!(processes_with_awards >= 5, "{awards:?}");
    for (ocid, ids) in &awards {
        assert_eq!(
            ids.len(),
            1,
            "{ocid} has awards {ids:?}: merged, one award became several"
        );
    }

    let of = |project: &str| -> Vec<&Value> {
        releases
            .iter()
            .filter(|r| r["ocid"] == format!("ocds-a1b2c3-{project}"))
            .collect()
    };
    let property = of("PDSCG-2026-038");
    assert!(property.len() >= 4, "{}", property.len());
    for r in &property {
        assert_eq!(r["buyer"]["name"], "平顶山市机关事务管理局", "{r}");
        assert_eq!(r["buyer"]["id"], "CN-USCC-11410400MB1583620F");
        assert_eq!(
            r["tender"]["procuringEntity"]["name"],
            "平顶山市博远工程项目管理有限公司"
        );
        // 物业管理服务 is a service, not goods.
        assert_eq!(
            r["tender"]["mainProcurementCategory"], "services",
            "{}",
            r["tender"]["title"]
        );
        let roles: Vec<&Value> = r["parties"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["roles"].as_array().unwrap())
            .collect();
        assert!(
            roles.contains(&&Value::from("buyer"))
                && roles.contains(&&Value::from("procuringEntity")),
            "{roles:?}"
        );
    }
    for r in of("PDSCG-2026-031") {
        assert_eq!(
            r["tender"]["mainProcurementCategory"], "goods",
            "{}",
            r["tender"]["title"]
        );
    }

    // The disclosure's own JSON carries the same fields, named as in the content format.
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("data/disclosures/2026-cg-038-tender.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["buyer"], "平顶山市机关事务管理局");
    assert_eq!(json["agency_credit_code"], "91410400MA8432QEBL");
}

#[test]
fn a_malformed_ocid_prefix_is_refused_naming_the_line() {
    let (tmp, content) = demo_copy();
    let site = std::fs::read_to_string(content.join("site.toml")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        site.replacen("[footer]", "ocid_prefix = \"yg0000\"\n\n[footer]", 1),
    )
    .unwrap();
    let e = build_at(&content, &tmp.path().join("public"), day("2026-12-04")).unwrap_err();
    let e = format!("{e:#}");
    assert!(
        e.contains("content/site.toml:6: ocid_prefix: \"yg0000\" is not an OCDS ocid prefix"),
        "{e}"
    );
}

#[test]
fn the_audit_anchors_intake_writes_are_published_and_checked() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-12-04")).unwrap();
    assert!(!out.join("data/audit-anchors.json").exists());

    // `intake export` appended an anchor: the next build, incremental, publishes it.
    let hash = "ab".repeat(32);
    std::fs::write(
        content.join("audit-anchors.json"),
        format!("{{\"anchors\":[{{\"seq\":41,\"hash\":\"{hash}\",\"at\":\"2026-12-04T02:00:00.000000Z\"}}]}}"),
    )
    .unwrap();
    build_at(&content, &out, day("2026-12-04")).unwrap();
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("data/audit-anchors.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(published["anchors"][0]["seq"], 41);
    assert_eq!(published["anchors"][0]["hash"], hash.as_str());

    // An anchor that moves backwards is refused, naming the file; nothing is published.
    std::fs::write(
        content.join("audit-anchors.json"),
        format!("{{\"anchors\":[{{\"seq\":41,\"hash\":\"{hash}\",\"at\":\"a\"}},{{\"seq\":7,\"hash\":\"{hash}\",\"at\":\"b\"}}]}}"),
    )
    .unwrap();
    let e = format!(
        "{:#}",
        build_at(&content, &out, day("2026-12-04")).unwrap_err()
    );
    assert!(
        e.contains("content/audit-anchors.json")
            && e.contains("anchors[2]: seq 7 does not follow 41"),
        "{e}"
    );
}

#[test]
fn the_handling_statistics_page_shows_what_intake_exported_and_refuses_small_counts() {
    let (tmp, content) = demo_copy();
    let stats = r#"{"generated":"2026-12-04","min_cell":3,"rows":[
        {"department":"zjj","quarter":"2026-Q4","received":7,"concluded":4,"on_time":3,"overdue":null,"median_working_days":18.5},
        {"department":"czj","quarter":"2026-Q4","received":null,"concluded":0,"on_time":0,"overdue":0,"median_working_days":null},
        {"department":"zjj","quarter":"2026-Q3","received":5,"concluded":5,"on_time":5,"overdue":0,"median_working_days":12.0}]}"#;
    std::fs::write(content.join("complaint-statistics.json"), stats).unwrap();
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-12-04")).unwrap();
    let page =
        std::fs::read_to_string(out.join("complaint-results/statistics/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&page);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let headings: Vec<String> = doc.select(&sel("h2")).map(|h| h.text().collect()).collect();
    assert_eq!(
        headings[..2],
        ["2026年第4季度", "2026年第3季度"],
        "{headings:?}"
    );
    let first_rows: Vec<String> = doc
        .select(&sel("section:first-of-type tbody tr"))
        .map(|r| r.text().collect::<Vec<_>>().join("|"))
        .collect();
    assert!(
        first_rows[0].contains("|7|4|3|少于3件|18.5"),
        "{first_rows:?}"
    );
    assert!(first_rows[1].contains("|少于3件|0|0|0|—"), "{first_rows:?}");

    // A count of 2 could point at a submitter: refused, naming the row.
    std::fs::write(
        content.join("complaint-statistics.json"),
        stats.replace("\"received\":7", "\"received\":2"),
    )
    .unwrap();
    let e = format!(
        "{:#}",
        build_at(&content, &out, day("2026-12-04")).unwrap_err()
    );
    assert!(
        e.contains("content/complaint-statistics.json")
            && e.contains("rows[1].received: 2: a count below 3"),
        "{e}"
    );
}

/// The OCDS 1.1.5 schemas in `../shared/ocds/` (read at run time, never copied into the
/// repository): (release package schema, release schema), or `None` with a line saying so.
fn ocds_schemas() -> Option<(Value, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/ocds");
    let read = |name: &str| -> Option<Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}")))
    };
    match (
        read("release-package-schema.json"),
        read("release-schema.json"),
    ) {
        (Some(package), Some(release)) => Some((package, release)),
        _ => {
            println!(
                "OCDS schemas: {} is absent (it exists in the workplace and in CI); this test checks nothing here",
                dir.display()
            );
            None
        }
    }
}

/// Answers the package schema's `$ref` to the release schema's URL with the local file; any
/// other reference is an error (no network).
struct LocalSchemas(Vec<(String, Value)>);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .iter()
            .find(|(id, _)| id == uri.as_str())
            .map(|(_, schema)| schema.clone())
            .ok_or_else(|| format!("{uri}: not a local OCDS schema, and nothing is fetched").into())
    }
}

/// Draft 4 validators (the OCDS schemas' draft) of the package and of one release, formats
/// (`date-time`, `uri`) checked.
fn ocds_validators(
    package: &Value,
    release: &Value,
) -> (jsonschema::Validator, jsonschema::Validator) {
    let release_id = release["id"]
        .as_str()
        .expect("the release schema has an id");
    assert!(
        package.to_string().contains(release_id),
        "the package schema refers to the release schema as {release_id}"
    );
    let build = |schema: &Value| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .with_retriever(LocalSchemas(vec![(
                release_id.to_string(),
                release.clone(),
            )]))
            .build(schema)
            .unwrap_or_else(|e| panic!("the OCDS schema compiles: {e}"))
    };
    (build(package), build(release))
}

/// Every schema violation of the package and of each release in it, one line each, naming the
/// release (its id) and the JSON path.
fn ocds_violations(
    package_validator: &jsonschema::Validator,
    release_validator: &jsonschema::Validator,
    package: &Value,
) -> Vec<String> {
    let mut out: Vec<String> = package_validator
        .iter_errors(package)
        .map(|e| format!("package {}: {e}", e.instance_path()))
        .collect();
    for (i, r) in package["releases"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let id = r["id"].as_str().unwrap_or("?");
        out.extend(
            release_validator
                .iter_errors(r)
                .map(|e| format!("release {i} ({id}) {}: {e}", e.instance_path())),
        );
    }
    out
}

/// Validates the release package a build wrote to `out` (and each release in it) against the
/// OCDS schemas; panics listing every violation. Returns the number of releases, or `None` when
/// the schemas are absent.
pub fn assert_valid_ocds(out: &Path) -> Option<usize> {
    let (package_schema, release_schema) = ocds_schemas()?;
    let (package_validator, release_validator) = ocds_validators(&package_schema, &release_schema);
    let package = package(out);
    let violations = ocds_violations(&package_validator, &release_validator, &package);
    assert!(
        violations.is_empty(),
        "{} OCDS schema violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
    package["releases"].as_array().map(Vec::len)
}

#[test]
fn the_release_package_and_every_release_validate_against_the_ocds_schemas() {
    let Some((package_schema, release_schema)) = ocds_schemas() else {
        return;
    };
    let (package_validator, release_validator) = ocds_validators(&package_schema, &release_schema);
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-12-04")).unwrap();
    let package = package(&out);
    let releases = package["releases"].as_array().unwrap();
    assert!(releases.len() >= 20, "{} releases", releases.len());
    // Every kind of release the demo publishes is checked: planning to contract, cancellations.
    let tags: BTreeSet<&str> = releases
        .iter()
        .flat_map(|r| r["tag"].as_array().unwrap())
        .map(|t| t.as_str().unwrap())
        .collect();
    for tag in ["tender", "award", "contract"] {
        assert!(tags.contains(tag), "no {tag} release in {tags:?}");
    }
    let violations = ocds_violations(&package_validator, &release_validator, &package);
    assert!(
        violations.is_empty(),
        "{} OCDS schema violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
    println!(
        "OCDS: the package and its {} releases ({tags:?}) validate against OCDS 1.1.5",
        releases.len()
    );

    // The validation can fail: a release with a tag the codelist does not have, one without its
    // ocid and one with a date that is not a date-time are each reported, in the package and
    // alone.
    let mut broken = package.clone();
    let rs = broken["releases"].as_array_mut().unwrap();
    rs[0]["tag"] = serde_json::json!(["awarded"]);
    rs[1].as_object_mut().unwrap().remove("ocid");
    rs[2]["date"] = Value::from("2026-12-04");
    let violations = ocds_violations(&package_validator, &release_validator, &broken);
    let report = violations.join("\n");
    for (path, what) in [
        ("/releases/0/tag/0", "\"awarded\""),
        ("/releases/1", "\"ocid\" is a required property"),
        ("/releases/2/date", "date-time"),
        ("release 0 (", "\"awarded\""),
        ("release 1 (", "\"ocid\" is a required property"),
        ("release 2 (", "date-time"),
    ] {
        assert!(
            violations
                .iter()
                .any(|v| v.contains(path) && v.contains(what)),
            "not reported: {path} {what}\n{report}"
        );
    }
    // And the package's own fields: a version that is not major.minor.
    let mut broken = package.clone();
    broken["version"] = Value::from("1.1.5");
    let violations = ocds_violations(&package_validator, &release_validator, &broken);
    assert!(
        violations.iter().any(|v| v.contains("package /version")),
        "{violations:?}"
    );
}

//! The export for OpenSearch (`site-gen build --export-bulk DIR`): `_bulk` NDJSON a cluster
//! takes as it is, every public disclosure once, a deletion for each that left the site, files
//! of bounded size, an index template whose mappings cover every field the documents carry, and
//! no personal data beyond what the pages publish. No cluster is needed: the files are read as
//! the `_bulk` API reads them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use site_gen::build::{build_exporting, Summary};
use site_gen::bulk::{Export, MANIFEST_FILE, TEMPLATE_FILE};

use crate::support::{content_with, copy_tree, day, demo_copy, options, snapshot};

/// A bound small enough that the demo's months need several files.
const BOUND: usize = 16 * 1024;

fn export_at(content: &Path, out: &Path, dir: &Path, today: &str) -> anyhow::Result<Summary> {
    build_exporting(
        &options(content, out, day(today)),
        Some(&Export {
            dir: dir.to_path_buf(),
            max_file_bytes: BOUND,
        }),
    )
}

/// The export's `_bulk` files as the API reads them: per file, its lines parsed.
struct Bulk {
    /// `_id` → source, for every `index` action.
    indexed: BTreeMap<String, Value>,
    /// Every `_id` of a `delete` action.
    deleted: Vec<String>,
    /// `_id`s of `index` actions in file order (to count duplicates).
    index_order: Vec<String>,
    files: usize,
}

fn read_bulk(dir: &Path) -> Bulk {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    let listed: Vec<&Value> = manifest["files"].as_array().unwrap().iter().collect();
    // Every `_bulk` file in the folder is listed, and every listed one is there.
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| site_gen::bulk::is_bulk_file(n))
        .collect();
    let names: BTreeSet<String> = listed
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        on_disk, names,
        "the manifest lists exactly the files in the folder"
    );
    assert_eq!(manifest["max_file_bytes"], BOUND);

    let mut bulk = Bulk {
        indexed: BTreeMap::new(),
        deleted: Vec::new(),
        index_order: Vec::new(),
        files: listed.len(),
    };
    for entry in listed {
        let name = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert!(
            bytes.len() <= BOUND,
            "{name}: {} bytes, over {BOUND}",
            bytes.len()
        );
        assert_eq!(entry["bytes"], bytes.len(), "{name}");
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            site_gen::log::sha256_hex(&bytes),
            "{name}"
        );
        assert!(
            bytes.ends_with(b"\n"),
            "{name}: _bulk needs a newline after the last line too"
        );
        let text = std::str::from_utf8(&bytes).unwrap();
        let lines: Vec<Value> = text
            .strip_suffix('\n')
            .unwrap()
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                assert!(!l.is_empty(), "{name}:{}: an empty line", i + 1);
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{name}:{}: not JSON ({e}): {l}", i + 1))
            })
            .collect();
        let mut documents = 0;
        match entry["action"].as_str().unwrap() {
            "index" => {
                assert!(name.starts_with("disclosures-"), "{name}");
                assert_eq!(lines.len() % 2, 0, "{name}: action and source alternate");
                for pair in lines.chunks(2) {
                    let (action, source) = (&pair[0], &pair[1]);
                    let meta = action["index"]
                        .as_object()
                        .unwrap_or_else(|| panic!("{name}: an index action: {action}"));
                    assert_eq!(action.as_object().unwrap().len(), 1, "{action}");
                    assert!(!meta.contains_key("_index"), "the URL names the index");
                    let id = meta["_id"].as_str().unwrap().to_string();
                    assert_eq!(
                        source["id"],
                        id.as_str(),
                        "{name}: _id is the disclosure's id"
                    );
                    assert!(source.get("index").is_none() && source.get("delete").is_none());
                    // Month files hold their month's disclosures.
                    let month = &name["disclosures-".len()..]["YYYY-MM".len()..];
                    let month = &name["disclosures-".len()..name.len() - month.len()];
                    assert!(
                        source["date"].as_str().unwrap().starts_with(month),
                        "{name}: {id} of {}",
                        source["date"]
                    );
                    bulk.index_order.push(id.clone());
                    bulk.indexed.insert(id, source.clone());
                    documents += 1;
                }
            }
            "delete" => {
                assert!(name.starts_with("deletions-"), "{name}");
                for action in &lines {
                    let meta = action["delete"]
                        .as_object()
                        .unwrap_or_else(|| panic!("{name}: a delete action: {action}"));
                    assert_eq!(meta.len(), 1, "{action}");
                    bulk.deleted.push(meta["_id"].as_str().unwrap().to_string());
                    documents += 1;
                }
            }
            other => panic!("{name}: unknown action {other}"),
        }
        assert_eq!(entry["documents"], documents, "{name}");
    }
    assert_eq!(manifest["documents"], bulk.indexed.len());
    assert_eq!(manifest["deletions"], bulk.deleted.len());
    bulk
}

/// Ids of the public disclosures, from the site's own open data (`/data/disclosures.json`).
fn public_ids(out: &Path) -> BTreeSet<String> {
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("data/disclosures.json")).unwrap()).unwrap();
    let items = index
        .as_object()
        .unwrap()
        .values()
        .find_map(Value::as_array)
        .expect("the list of disclosures");
    items
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every field of `doc` has a mapping in `properties` (recursively; an object mapped with
/// `enabled: false` is kept whole, not indexed).
fn check_mapped(path: &str, doc: &Value, properties: &Value) {
    for (key, value) in doc.as_object().unwrap() {
        let at = format!("{path}{key}");
        let mapping = properties
            .get(key)
            .unwrap_or_else(|| panic!("{at}: the template has no mapping for this field"));
        if mapping["enabled"] == false {
            assert!(value.is_object(), "{at}");
            continue;
        }
        let values: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for v in values {
            match (v, mapping.get("properties")) {
                (Value::Object(_), Some(inner)) => check_mapped(&format!("{at}."), v, inner),
                (Value::Object(_), None) => panic!("{at}: an object mapped as {mapping}"),
                (_, Some(_)) => panic!("{at}: a value mapped as an object"),
                (_, None) => assert!(mapping.get("type").is_some(), "{at}: {mapping}"),
            }
        }
    }
}

/// Every analyzer, normalizer, tokenizer, token filter and char filter the template names is
/// defined in it or built in (smartcn's come with the `analysis-smartcn` plugin).
fn check_analysis(template: &Value) {
    const BUILT_IN_TOKENIZERS: &[&str] = &["standard", "keyword", "smartcn_tokenizer"];
    const BUILT_IN_FILTERS: &[&str] = &["cjk_width", "lowercase", "reverse", "smartcn_stop"];
    let settings = &template["template"]["settings"];
    let analysis = &settings["analysis"];
    let defined = |kind: &str| -> BTreeSet<String> {
        analysis[kind]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (analyzers, filters, char_filters) = (
        defined("analyzer"),
        defined("filter"),
        defined("char_filter"),
    );
    let known_filters = |name: &str| filters.contains(name) || BUILT_IN_FILTERS.contains(&name);
    for (name, a) in analysis["analyzer"].as_object().unwrap() {
        assert_eq!(a["type"], "custom", "{name}");
        let tokenizer = a["tokenizer"].as_str().unwrap();
        assert!(
            BUILT_IN_TOKENIZERS.contains(&tokenizer),
            "{name}: tokenizer {tokenizer}"
        );
        for f in a["filter"].as_array().into_iter().flatten() {
            let f = f.as_str().unwrap();
            assert!(known_filters(f), "{name}: filter {f} is not defined");
        }
        for c in a["char_filter"].as_array().into_iter().flatten() {
            let c = c.as_str().unwrap();
            assert!(
                char_filters.contains(c),
                "{name}: char filter {c} is not defined"
            );
        }
    }
    for (name, f) in analysis["filter"].as_object().unwrap() {
        let kind = f["type"].as_str().unwrap();
        assert!(
            ["cjk_bigram", "synonym_graph", "edge_ngram"].contains(&kind),
            "{name}: {kind}"
        );
        if kind == "synonym_graph" {
            let rules = f["synonyms"].as_array().unwrap();
            assert!(rules.len() > 20, "our synonyms: {rules:?}");
            assert!(rules
                .iter()
                .any(|r| r == "串通投标, 串标, 围标, 陪标, 相互串通投标"));
        }
    }
    // The analyzers the mappings name, at any depth.
    fn named(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    if ["analyzer", "search_analyzer"].contains(&k.as_str()) {
                        out.push(v.as_str().unwrap().to_string());
                    } else {
                        named(v, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| named(v, out)),
            _ => {}
        }
    }
    let mut used = Vec::new();
    named(&template["template"]["mappings"], &mut used);
    assert!(used.len() >= 10, "{used:?}");
    for a in &used {
        assert!(
            analyzers.contains(a),
            "the mappings name analyzer {a}, not defined"
        );
    }
    // Recall by bigrams, ranking by a segmenter, codes by any part: as our index matches.
    let a = &analysis["analyzer"];
    assert_eq!(a["yg_cjk_index"]["tokenizer"], "standard");
    assert!(a["yg_cjk_index"]["filter"]
        .as_array()
        .unwrap()
        .contains(&"cjk_width".into()));
    assert_eq!(
        analysis["filter"]["yg_bigrams_and_unigrams"]["output_unigrams"],
        true
    );
    assert_eq!(a["yg_words_index"]["tokenizer"], "smartcn_tokenizer");
    assert!(a["yg_words_search"]["filter"]
        .as_array()
        .unwrap()
        .contains(&"yg_synonyms".into()));
    let mappings = &template["template"]["mappings"];
    assert_eq!(mappings["dynamic"], "strict");
    for facet in [
        "kind",
        "category",
        "stage",
        "department",
        "buyer",
        "agency",
        "project",
        "credit_codes",
        "id",
    ] {
        assert_eq!(mappings["properties"][facet]["type"], "keyword", "{facet}");
    }
    assert_eq!(mappings["properties"]["date"]["type"], "date");
    assert_eq!(
        mappings["properties"]["title"]["fields"]["words"]["type"],
        "text"
    );
    assert_eq!(template["index_patterns"][0], "yangguang-*");
}

/// The numbers the personal-data guard would flag in `text`'s JSON strings.
fn flagged_numbers(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn strings<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(value, &mut all);
    for s in all {
        for f in disclosure::guard::find_personal_data(s, true) {
            out.insert(f.digits);
        }
    }
    out
}

#[test]
fn bulk_export_holds_every_public_disclosure_once_and_deletes_the_withdrawn() {
    let (tmp, content) = demo_copy();
    // A disclosure whose body alone is larger than a file: cut, flagged, still exported.
    let long = std::fs::read_to_string(content.join("notices/2026-cg-031-opening.md")).unwrap();
    let paragraph = "本项目开标记录如下，各供应商报价及承诺事项均已当场公布，接受社会监督。\n\n";
    std::fs::write(
        content.join("notices/2026-cg-031-long.md"),
        format!("{long}\n{}", paragraph.repeat(400)),
    )
    .unwrap();
    let out = tmp.path().join("public");
    let dir = tmp.path().join("bulk");

    // In May three penalties are public that leave the site by December.
    let may = export_at(&content, &out, &dir, "2026-05-15").unwrap();
    let before = read_bulk(&dir);
    // A disclosure whose file is deleted leaves the site too: only the log remembers it.
    std::fs::remove_file(content.join("inspections/ins-2026-gg-01.md")).unwrap();
    let summary = export_at(&content, &out, &dir, "2026-12-06").unwrap();
    let bulk = read_bulk(&dir);
    let exported = summary.bulk.clone().expect("the export ran");
    assert_eq!(exported.files, bulk.files);
    assert!(summary.to_string().contains("bulk export:"), "{summary}");
    assert!(may.bulk.unwrap().indexed > 50);

    // Every public disclosure exactly once, with its id; nothing else.
    let public = public_ids(&out);
    let mut seen = BTreeSet::new();
    for id in &bulk.index_order {
        assert!(seen.insert(id.clone()), "{id} is exported twice");
    }
    assert_eq!(
        seen, public,
        "the export's documents are the site's public disclosures"
    );
    assert!(
        bulk.files > 12,
        "small files: months cut into several ({})",
        bulk.files
    );

    // What left the site since May is deleted, and not indexed.
    let left: Vec<&String> = before
        .indexed
        .keys()
        .filter(|id| !bulk.indexed.contains_key(*id))
        .collect();
    assert!(left.len() >= 2, "penalties past their publicity: {left:?}");
    for id in &left {
        assert!(
            bulk.deleted.contains(id),
            "{id} left the site but has no delete action"
        );
        assert!(
            !std::fs::exists(out.join(format!("data/disclosures/{id}.json"))).unwrap(),
            "{id}"
        );
    }
    for id in &bulk.deleted {
        assert!(
            !bulk.indexed.contains_key(id),
            "{id} is both indexed and deleted"
        );
    }
    assert!(left.iter().any(|id| *id == "ins-2026-gg-01"), "{left:?}");
    // Including a penalty whose publicity had ended before the first export.
    assert!(
        bulk.deleted.iter().any(|id| id == "pjf-2026-03"),
        "{:?}",
        bulk.deleted
    );
    assert!(!before.indexed.contains_key("pjf-2026-03"));

    // The long body was cut to fit and says so; the other bodies are whole.
    assert_eq!(exported.truncated, ["2026-cg-031-long"]);
    let long = &bulk.indexed["2026-cg-031-long"];
    assert_eq!(long["truncated"], true);
    assert!(long["body"].as_str().unwrap().contains("接受社会监督"));
    assert!(bulk.indexed["2026-cg-031-opening"]
        .get("truncated")
        .is_none());

    // The template parses, maps every field the documents carry, defines what it names.
    let template: Value =
        serde_json::from_slice(&std::fs::read(dir.join(TEMPLATE_FILE)).unwrap()).unwrap();
    check_analysis(&template);
    let properties = &template["template"]["mappings"]["properties"];
    let mut fields = BTreeSet::new();
    for (id, source) in &bulk.indexed {
        check_mapped(&format!("{id}: "), source, properties);
        fields.extend(source.as_object().unwrap().keys().cloned());
    }
    for f in [
        "kind",
        "category",
        "stage",
        "department",
        "buyer",
        "agency",
        "date",
        "project",
        "credit_codes",
        "companies",
        "codes",
        "names",
        "meta",
        "body",
        "title",
        "amount",
        "url",
    ] {
        assert!(fields.contains(f), "no document carries {f}: {fields:?}");
    }

    // What a source says is what the page and its open data publish: its details are the
    // published JSON's, and it holds no number the guard would flag that the published file
    // does not hold too.
    for (id, source) in &bulk.indexed {
        let json = std::fs::read(out.join(format!("data/disclosures/{id}.json"))).unwrap();
        let published: Value = serde_json::from_slice(&json).unwrap();
        for (key, value) in source["details"].as_object().unwrap() {
            assert_eq!(&published[key], value, "{id}: details.{key}");
        }
        assert_eq!(source["title"], published["title"], "{id}");
        assert_eq!(source["url"], published["url"], "{id}");
        let extra: Vec<String> = flagged_numbers(source)
            .difference(&flagged_numbers(&published))
            .cloned()
            .collect();
        assert!(
            extra.is_empty(),
            "{id}: the export holds {extra:?} beyond the page"
        );
    }
    // The text a document is searched by is the text our own index searches: its stored
    // title and body, document for document.
    let index = tantivy::Index::open_in_dir(tmp.path().join("public-index")).unwrap();
    let (_, f) = disclosure::search::schema();
    let searcher = index.reader().unwrap().searcher();
    let all = searcher
        .search(
            &tantivy::query::AllQuery,
            &tantivy::collector::DocSetCollector,
        )
        .unwrap();
    assert_eq!(all.len(), bulk.indexed.len());
    for address in all {
        use tantivy::schema::Value as _;
        let doc: tantivy::TantivyDocument = searcher.doc(address).unwrap();
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap()
                .to_string()
        };
        let id = text(f.id);
        let source = &bulk.indexed[&id];
        assert_eq!(source["title"], text(f.title).as_str(), "{id}");
        if source.get("truncated").is_none() {
            assert_eq!(source["body"], text(f.body).as_str(), "{id}: body");
        }
    }

    // A result names its companies by credit code, for the facet and the company pages.
    let result = bulk
        .indexed
        .values()
        .find(|s| s["kind"] == "result" && s["companies"].is_array())
        .expect("a result with winners");
    assert!(
        result["credit_codes"].as_array().unwrap().len() >= 2,
        "{result}"
    );
    assert!(result["amount"].is_number(), "{result}");
}

#[test]
fn an_incremental_build_exports_what_a_clean_one_does() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let dir = tmp.path().join("bulk");
    export_at(&content, &out, &dir, "2026-11-26").unwrap();

    let file = content.join("notices/2026-cg-031-opening.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n补充说明：开标过程全程录像。\n")).unwrap();
    // The clean build starts from the same published site (the same log).
    let copy = tempfile::tempdir().unwrap();
    let (clean_out, clean_dir) = (copy.path().join("public"), copy.path().join("bulk"));
    copy_tree(&out, &clean_out);

    let inc = export_at(&content, &out, &dir, "2026-11-26").unwrap();
    assert!(inc.incremental, "{inc}");
    let exported = inc.bulk.unwrap();
    assert!(
        exported.changed >= 1 && exported.changed < exported.files,
        "only the changed month's files are rewritten: {exported:?}"
    );
    let mut opts = options(&content, &clean_out, day("2026-11-26"));
    opts.clean = true;
    let export = Export {
        dir: clean_dir.clone(),
        max_file_bytes: BOUND,
    };
    build_exporting(&opts, Some(&export)).unwrap();
    assert_eq!(snapshot(&dir), snapshot(&clean_dir));
    let bulk = read_bulk(&dir);
    assert!(bulk.indexed["2026-cg-031-opening"]["body"]
        .as_str()
        .unwrap()
        .contains("开标过程全程录像"));
    // Bodies the incremental build did not read were read again, not left out.
    assert!(bulk
        .indexed
        .values()
        .all(|s| !s["body"].as_str().unwrap().is_empty()));
}

#[test]
fn a_failed_build_exports_nothing_and_an_unwritable_folder_is_named() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let dir = tmp.path().join("bulk");
    let broken = content.join("notices/broken.md");
    std::fs::write(&broken, "+++\nkind = \"notice\"\n+++\n").unwrap();
    assert!(export_at(&content, &out, &dir, "2026-11-26").is_err());
    assert!(!dir.exists(), "a failed build writes no export");
    std::fs::remove_file(&broken).unwrap();

    let blocked = tmp.path().join("blocked");
    std::fs::write(&blocked, "a file where the folder should be").unwrap();
    let e = export_at(&content, &out, &blocked, "2026-11-26").unwrap_err();
    let message = format!("{e:#}");
    assert!(
        message.contains(&blocked.display().to_string())
            && message.contains("cannot write the bulk export"),
        "{message}"
    );
}

#[test]
fn the_command_line_takes_the_folder_and_the_bound() {
    let (tmp, content) = demo_copy();
    let dir = tmp.path().join("bulk");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .arg("build")
        .arg("--content")
        .arg(&content)
        .arg("--out")
        .arg(tmp.path().join("public"))
        .arg("--index")
        .arg(tmp.path().join("index"))
        .arg("--signals")
        .arg(tmp.path().join("signals"))
        .args(["--today", "2026-11-26", "--export-bulk"])
        .arg(&dir)
        .args(["--bulk-file-bytes", "65536"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("bulk export:"), "{stdout}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(manifest["max_file_bytes"], 65536);
    assert!(dir.join(TEMPLATE_FILE).exists());
}

/// The exact lines of a small site's result, so that a change in what a cluster receives is
/// reviewed.
#[test]
fn a_result_as_the_cluster_receives_it() {
    let (tmp, content) = content_with(&[]);
    let dir = tmp.path().join("bulk");
    export_at(&content, &tmp.path().join("public"), &dir, "2026-11-26").unwrap();
    let text = std::fs::read_to_string(dir.join("disclosures-2026-04-001.ndjson")).unwrap();
    let shown: Vec<String> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            serde_json::to_string_pretty(&v).unwrap()
        })
        .collect();
    expect_test::expect![[r#"
        {
          "index": {
            "_id": "p1-award"
          }
        }
        {
          "amount": 1000000.0,
          "body": "测试建设工程有限公司\n见招标公告。",
          "category": "construction",
          "codes": [
            "91350100M000100Y43",
            "CS-2026-001"
          ],
          "companies": [
            {
              "credit_code": "91350100M000100Y43",
              "name": "测试建设工程有限公司"
            }
          ],
          "credit_codes": [
            "91350100M000100Y43"
          ],
          "date": "2026-04-20",
          "department": "zjj",
          "department_name": "测试市住房和城乡建设局",
          "details": {
            "amount": "1000000.00",
            "bidders": [
              {
                "bid": "1000000.00",
                "credit_code": "91350100M000100Y43",
                "disqualified": false,
                "name": "测试建设工程有限公司",
                "rank": 1,
                "reason": null,
                "won": true
              }
            ],
            "category": "construction",
            "project": "CS-2026-001",
            "stage": "award"
          },
          "id": "p1-award",
          "kind": "result",
          "kind_label": "交易结果",
          "meta": "交易结果\n测试市住房和城乡建设局 住建局\n工程建设\n中标（成交）结果\n91350100M000100Y43\nCS-2026-001",
          "names": [
            "测试建设工程有限公司"
          ],
          "path": "/results/p1-award/",
          "project": "CS-2026-001",
          "site": "https://ggzy.test.example.gov.cn",
          "site_name": "测试市公共资源交易信息公开网",
          "stage": "award",
          "title": "测试市第一小学教学楼施工中标结果公告",
          "url": "https://ggzy.test.example.gov.cn/results/p1-award/"
        }"#]].assert_eq(&shown.join("\n"));
}

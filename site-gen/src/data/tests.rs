use super::sitemap::xml;
use super::*;
use crate::cache::item_key;
use crate::log::PublicationLog;
use crate::testing::{self, fixture, today};
use disclosure::routes;
use expect_test::expect;
use rayon::prelude::*;
use serde_json::Value as Json;

fn file<'a>(files: &'a [OutFile], path: &str) -> &'a OutFile {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
}

fn json(f: &OutFile) -> Json {
    serde_json::from_slice(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.path))
}

#[test]
fn the_ocds_release_of_a_result_lists_losing_and_disqualified_bids() {
    let content = fixture();
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let files = data_files(&site);
    let package = json(file(&files, "data/ocds/release-package.json"));
    assert_eq!(package["version"], "1.1");
    assert_eq!(package["publishedDate"], "2026-04-01T00:00:00+08:00");
    let releases = package["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 2, "one release per notice and result");
    let release = releases.iter().find(|r| r["id"] == "r1").unwrap();
    let statuses: Vec<(&str, &str)> = release["bids"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["tenderers"][0]["name"].as_str().unwrap(),
                b["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("河南九州建设有限公司", "valid"),
            ("郑州康华建筑有限公司", "valid"),
            ("平顶山市康泰工程有限公司", "disqualified"),
        ]
    );
    expect![[r#"
        {
          "awards": [
            {
              "id": "SLZJ-2026-001-award",
              "status": "active",
              "suppliers": [
                {
                  "id": "CN-USCC-91410100MATLA0KD19",
                  "name": "河南九州建设有限公司"
                }
              ],
              "value": {
                "amount": 11860000,
                "currency": "CNY"
              }
            }
          ],
          "bids": {
            "details": [
              {
                "id": "1",
                "status": "valid",
                "tenderers": [
                  {
                    "id": "CN-USCC-91410100MATLA0KD19",
                    "name": "河南九州建设有限公司"
                  }
                ],
                "value": {
                  "amount": 11860000,
                  "currency": "CNY"
                }
              },
              {
                "id": "2",
                "status": "valid",
                "tenderers": [
                  {
                    "id": "CN-USCC-91410100MATY9NTX62",
                    "name": "郑州康华建筑有限公司"
                  }
                ],
                "value": {
                  "amount": 11925000.5,
                  "currency": "CNY"
                }
              },
              {
                "description": "投标保证金未按规定递交",
                "id": "3",
                "status": "disqualified",
                "tenderers": [
                  {
                    "id": "CN-USCC-91410400MAWN8TU8LR",
                    "name": "平顶山市康泰工程有限公司"
                  }
                ],
                "value": {
                  "amount": 10980000,
                  "currency": "CNY"
                }
              }
            ]
          },
          "date": "2026-03-26T09:30:00+08:00",
          "id": "r1",
          "initiationType": "tender",
          "language": "zh",
          "ocid": "ocds-yg0000-SLZJ-2026-001",
          "parties": [
            {
              "id": "department-zjj",
              "name": "示例市住房和城乡建设局",
              "roles": [
                "reviewBody"
              ]
            },
            {
              "id": "CN-USCC-91410100MATLA0KD19",
              "identifier": {
                "id": "91410100MATLA0KD19",
                "scheme": "CN-USCC"
              },
              "name": "河南九州建设有限公司",
              "roles": [
                "tenderer",
                "supplier"
              ]
            },
            {
              "id": "CN-USCC-91410100MATY9NTX62",
              "identifier": {
                "id": "91410100MATY9NTX62",
                "scheme": "CN-USCC"
              },
              "name": "郑州康华建筑有限公司",
              "roles": [
                "tenderer"
              ]
            },
            {
              "id": "CN-USCC-91410400MAWN8TU8LR",
              "identifier": {
                "id": "91410400MAWN8TU8LR",
                "scheme": "CN-USCC"
              },
              "name": "平顶山市康泰工程有限公司",
              "roles": [
                "tenderer"
              ]
            }
          ],
          "tag": [
            "award"
          ],
          "tender": {
            "documents": [
              {
                "datePublished": "2026-03-26T09:30:00+08:00",
                "documentType": "awardNotice",
                "format": "text/html",
                "id": "r1",
                "url": "https://ggzy.example.gov.cn/results/r1/"
              }
            ],
            "id": "SLZJ-2026-001",
            "mainProcurementCategory": "works",
            "status": "complete",
            "title": "示例市第一中学教学楼建设工程施工中标结果公告"
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(release).unwrap());
}

#[test]
fn disclosure_json_has_every_field_and_exact_amounts() {
    let content = fixture();
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let r1 = site.get("r1").unwrap();
    let f = disclosure_json(&site, r1);
    assert_eq!(f.path, "data/disclosures/r1.json");
    let j = json(&f);
    assert_eq!(j["url"], "https://ggzy.example.gov.cn/results/r1/");
    assert_eq!(j["department_name"], "示例市住房和城乡建设局");
    assert_eq!(j["amount"], "11860000.00");
    assert_eq!(j["bidders"][1]["bid"], "11925000.50");
    assert_eq!(j["bidders"][2]["reason"], "投标保证金未按规定递交");
    assert_eq!(j["time"], "09:30:00");
    assert_eq!(j["source_sha256"].as_str().unwrap().len(), 64);
    let p1 = json(&disclosure_json(&site, site.get("p1").unwrap()));
    assert_eq!(p1["fine"], "20000.00");
    assert_eq!(p1["public_until"], "2027-03-09");
    let c1 = json(&disclosure_json(&site, site.get("c1").unwrap()));
    assert_eq!(c1["list"], "black");
    assert_eq!(c1["measures"][0], "列为重点监管对象");
    let about = json(&disclosure_json(&site, site.get("about").unwrap()));
    assert_eq!(about["kind"], "page");
    assert_eq!(about["department"], Json::Null);

    // The same disclosure on another build date gives the same bytes.
    let later = Site::new(&content, today() + chrono::Days::new(400), &log);
    assert_eq!(disclosure_json(&later, r1), f);
}

#[test]
fn the_index_lists_public_disclosures_only() {
    let content = fixture();
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let files = data_files(&site);
    let index = json(file(&files, "data/disclosures.json"));
    let ids: Vec<&str> = index["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r1", "c1", "p1", "n1", "i1", "about"]);
    assert_eq!(
        index["disclosures"][0]["json"],
        "https://ggzy.example.gov.cn/data/disclosures/r1.json"
    );
    assert_eq!(data_files(&site), files, "deterministic");
}

#[test]
fn sitemap_robots_and_opensearch() {
    let content = fixture();
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let files = sitemap(&site);
    let map = std::str::from_utf8(&file(&files, "sitemap.xml").bytes).unwrap();
    for loc in [
        "<url><loc>https://ggzy.example.gov.cn/</loc><lastmod>2026-03-26</lastmod></url>",
        "<url><loc>https://ggzy.example.gov.cn/notices/</loc></url>",
        "<url><loc>https://ggzy.example.gov.cn/results/r1/</loc><lastmod>2026-03-26</lastmod></url>",
        "<url><loc>https://ggzy.example.gov.cn/about/</loc><lastmod>2026-01-01</lastmod></url>",
        "<url><loc>https://ggzy.example.gov.cn/projects/SLZJ-2026-001/</loc><lastmod>2026-03-26</lastmod></url>",
        "<url><loc>https://ggzy.example.gov.cn/departments/gongguan/</loc><lastmod>2026-02-10</lastmod></url>",
    ] {
        assert!(map.contains(loc), "{loc} not in\n{map}");
    }
    assert!(!map.contains("old-penalty"));
    let robots = std::str::from_utf8(&file(&files, "robots.txt").bytes).unwrap();
    expect![[r#"
        User-agent: *
        Allow: /
        Disallow: /staff/
        Disallow: /api/

        Sitemap: https://ggzy.example.gov.cn/sitemap.xml
    "#]]
    .assert_eq(robots);
    let os = std::str::from_utf8(&file(&files, "opensearch.xml").bytes).unwrap();
    expect![[r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
          <ShortName>示例市公共资源交易信息公开网</ShortName>
          <Description>示例市公共资源交易公开信息 &amp; 监督</Description>
          <InputEncoding>UTF-8</InputEncoding>
          <OutputEncoding>UTF-8</OutputEncoding>
          <Language>zh-CN</Language>
          <Url type="text/html" method="get" template="https://ggzy.example.gov.cn/search?q={searchTerms}"/>
          <Url type="application/rss+xml" method="get" template="https://ggzy.example.gov.cn/search.rss?q={searchTerms}"/>
          <Url type="application/opensearchdescription+xml" rel="self" template="https://ggzy.example.gov.cn/opensearch.xml"/>
        </OpenSearchDescription>
    "#]].assert_eq(os);
}

#[test]
fn a_large_sitemap_becomes_an_index() {
    let content = testing::generated(SITEMAP_URLS);
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let files = sitemap(&site);
    let index = std::str::from_utf8(&file(&files, "sitemap.xml").bytes).unwrap();
    assert!(index.contains("<sitemapindex"), "{}", &index[..200]);
    assert_eq!(index.matches("<sitemap>").count(), 2);
    assert!(
        index.contains("<sitemap><loc>https://ggzy.example.gov.cn/sitemaps/sitemap-2.xml</loc>")
    );
    let count = |path: &str| {
        std::str::from_utf8(&file(&files, path).bytes)
            .unwrap()
            .matches("<url>")
            .count()
    };
    assert_eq!(count("sitemaps/sitemap-1.xml"), SITEMAP_URLS);
    let total = count("sitemaps/sitemap-1.xml") + count("sitemaps/sitemap-2.xml");
    assert_eq!(
        total,
        1 + routes::LISTS.len() + site.public.len() + site.projects.len() + 2
    );
    assert_eq!(xml("a&b<'\">\u{1}"), "a&amp;b&lt;&apos;&quot;&gt;");
}

#[test]
fn the_sitemap_inputs_name_its_files_and_change_with_what_it_shows() {
    let paths = |files: &[OutFile]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    let log = PublicationLog::default();
    let content = fixture();
    let inputs = |content: &crate::content::Content| {
        let site = Site::new(content, today(), &log);
        let (named, inputs) = sitemap_inputs(&site);
        assert_eq!(named, paths(&sitemap(&site)));
        inputs
    };
    inputs(&content);
    // Whenever a disclosure's date moves and the sitemap changes with it, so do its inputs
    // (whether or not the disclosure was its project's, department's or the site's newest);
    // a body is not in the sitemap and leaves them alone.
    let content = testing::generated(60);
    let before = inputs(&content);
    let bytes = |content: &crate::content::Content| {
        let site = Site::new(content, today(), &log);
        sitemap(&site)
            .into_iter()
            .map(|f| f.bytes)
            .collect::<Vec<_>>()
    };
    let sitemap_before = bytes(&content);
    let mut moved = 0;
    for i in 0..content.docs.len() {
        let mut changed = content.clone();
        changed.docs[i].body.push_str("\n补充说明。\n");
        assert_eq!(
            inputs(&changed),
            before,
            "{}: a body changed",
            content.docs[i].id
        );
        let d = &mut changed.docs[i];
        d.date = d.date.pred_opt().unwrap();
        if bytes(&changed) != sitemap_before {
            assert_ne!(
                inputs(&changed),
                before,
                "{}: its date moved",
                content.docs[i].id
            );
            moved += 1;
        }
    }
    assert!(moved > 10, "only {moved} dates moved the sitemap");
    // A site whose sitemap is an index over several files.
    let large = testing::generated(SITEMAP_URLS);
    let site = Site::new(&large, today(), &log);
    let (named, _) = sitemap_inputs(&site);
    assert_eq!(named, paths(&sitemap(&site)));
    assert!(named.len() > 3, "{named:?}");
}

/// The file `pieces` make, with `old` as the previous file.
fn assemble(pieces: &[Piece], old: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::New(b) => out.extend_from_slice(b),
            Piece::Old(r) => out.extend_from_slice(&old[r.start as usize..r.end as usize]),
        }
    }
    out
}

#[test]
fn items_copied_from_the_previous_file_make_the_same_file() {
    let content = testing::generated(60);
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    for make in [index_file, ocds_file] {
        let first = make(&site, &|_| None);
        let old = assemble(&first.pieces, &[]);
        assert_eq!(first.items.len, old.len() as u64);
        let ranges = first.items.ranges().unwrap();
        for &(_, start, len) in &first.items.items {
            let item = &old[start as usize..start as usize + len as usize];
            assert!(item.starts_with(b"{") && item.ends_with(b"}"));
        }

        // Everything reused: one run of the old file between the head and the tail.
        let all = make(&site, &|d| ranges.get(&item_key(d)).cloned());
        assert_eq!(assemble(&all.pieces, &old), old);
        assert_eq!(all.items, first.items);
        let runs = all
            .pieces
            .iter()
            .filter(|p| matches!(p, Piece::Old(_)))
            .count();
        assert_eq!(runs, 1, "{:?}", all.pieces.len());

        // Every third item made anew: the same bytes, in runs around them.
        let some = make(&site, &|d| {
            (!item_key(d).is_multiple_of(3)).then(|| ranges.get(&item_key(d)).cloned())?
        });
        assert_eq!(assemble(&some.pieces, &old), old);
        assert_eq!(some.items, first.items);
        assert!(some
            .pieces
            .iter()
            .any(|p| matches!(p, Piece::New(b) if b.len() > 10)));
    }
}

/// `YG_BENCH=100000 cargo test -p site-gen --release -- --nocapture bench_open_data`:
/// times feeds, disclosure JSON, the index, the OCDS package and the sitemap at scale.
#[test]
fn bench_open_data() {
    let Some(n) = std::env::var("YG_BENCH").ok().and_then(|v| v.parse().ok()) else {
        return;
    };
    let content = testing::generated(n);
    let log = PublicationLog::default();
    let site = Site::new(&content, today(), &log);
    let time = |what: &str, f: &dyn Fn() -> usize| {
        let t = std::time::Instant::now();
        let bytes = f();
        eprintln!(
            "{what:<16} {:>8.3} s {:>12} bytes",
            t.elapsed().as_secs_f64(),
            bytes
        );
    };
    let size = |files: Vec<OutFile>| files.iter().map(|f| f.bytes.len()).sum();
    let all = std::time::Instant::now();
    time("feeds", &|| size(crate::feeds::feeds(&site)));
    time("disclosure json", &|| {
        site.public
            .par_iter()
            .map(|d| disclosure_json(&site, d).bytes.len())
            .sum()
    });
    time("index + ocds", &|| {
        let files = data_files(&site);
        for f in &files {
            eprintln!("  {} {} bytes", f.path, f.bytes.len());
        }
        size(files)
    });
    time("sitemap", &|| size(sitemap(&site)));
    eprintln!(
        "{n} disclosures: {:.3} s in all",
        all.elapsed().as_secs_f64()
    );
}

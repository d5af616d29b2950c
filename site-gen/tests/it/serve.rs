//! The site as served: feeds with their media type, a category feed whose channel link lists
//! what it carries, and the footer's 网站地图 as a page.

use std::io::{Read, Write};

use scraper::{Html, Selector};

use crate::support::*;

/// `GET path` on `addr` over HTTP/1.1: the status line, headers (lowercased names) and body.
fn get(addr: std::net::SocketAddr, path: &str) -> (String, Vec<(String, String)>, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[test]
fn feeds_are_served_as_rss_and_lead_to_what_they_carry() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let mut opts = options(&demo_content(), &out, day("2026-11-26"));
    opts.index = None;
    site_gen::build::build(&opts).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let router = site_gen::serve::static_router(out.clone());
    runtime.spawn(async move { axum::serve(listener, router).await });

    for feed in [
        "/feeds/all.xml",
        "/feeds/category/construction.xml",
        "/feeds/department/zjj.xml",
    ] {
        let (status, headers, _) = get(addr, feed);
        assert!(status.contains("200"), "{feed}: {status}");
        assert_eq!(
            header(&headers, "content-type"),
            "application/rss+xml; charset=utf-8",
            "{feed}"
        );
    }
    let (_, headers, _) = get(addr, "/notices/");
    assert!(header(&headers, "content-type").starts_with("text/html"));
    let (_, headers, _) = get(addr, "/sitemap.xml");
    assert!(header(&headers, "content-type").contains("xml"));

    // Each category feed's channel link is a list of the same notices and results.
    let base = "https://";
    for c in disclosure::Category::ALL {
        let path = disclosure::routes::category_feed(*c);
        let (_, _, body) = get(addr, &path);
        let channel = rss::Channel::read_from(body.as_bytes()).unwrap();
        let link = channel.link();
        let list_path = &link[link
            .find("/categories/")
            .unwrap_or_else(|| panic!("{path}: {link}"))..];
        assert!(link.starts_with(base), "{link}");
        let (status, _, list) = get(addr, list_path);
        assert!(status.contains("200"), "{list_path}: {status}");
        for item in channel.items() {
            let url = item.link().unwrap();
            let rel = &url[url.find("/notices/").or(url.find("/results/")).unwrap()..];
            assert!(
                list.contains(&format!("href=\"{rel}\"")) || channel.items().len() > 20,
                "{list_path} does not list {rel}, which {path} carries"
            );
        }
    }

    // The footer's 网站地图 is a page listing the sections.
    let (_, _, home) = get(addr, "/");
    assert!(
        home.contains("href=\"/sitemap/\""),
        "the footer links the page"
    );
    let (status, headers, map) = get(addr, "/sitemap/");
    assert!(status.contains("200"), "{status}");
    assert!(header(&headers, "content-type").starts_with("text/html"));
    let doc = Html::parse_document(&map);
    let hrefs: Vec<String> = doc
        .select(&Selector::parse("main a[href]").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    for section in [
        "/notices/",
        "/results/",
        "/penalties/",
        "/credit/red/",
        "/credit/history/",
        "/powers/",
        "/inspections/",
        "/complaint-results/",
        "/projects/",
        "/departments/",
        "/feeds/",
        "/data/",
        "/categories/construction/",
        "/notices/stage/tender/",
    ] {
        assert!(
            hrefs.iter().any(|h| h == section),
            "网站地图 misses {section}"
        );
    }
}

#[test]
fn every_response_has_the_security_headers_text_is_compressed_and_assets_cached() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let mut opts = options(&demo_content(), &out, day("2026-11-26"));
    opts.index = None;
    site_gen::build::build(&opts).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let router = site_gen::serve::security_headers(site_gen::serve::static_router(out.clone()));
    runtime.spawn(async move { axum::serve(listener, router).await });

    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let css = format!("/assets/style.css?v={}", themes::asset_version());
    assert!(
        home.contains(&format!("href=\"{css}\"")),
        "pages link the versioned stylesheet"
    );
    for path in [
        "/",
        "/results/",
        "/feeds/all.xml",
        css.as_str(),
        "/no-such-page/",
    ] {
        let (status, headers, _) = get(addr, path);
        for (name, value) in themes::SECURITY_HEADERS {
            assert_eq!(header(&headers, name), value, "{path} {status}: {name}");
        }
    }
    let (_, headers, _) = get(addr, &css);
    assert_eq!(header(&headers, "cache-control"), themes::ASSET_CACHE);
    let (_, headers, _) = get(addr, "/results/");
    assert_eq!(header(&headers, "cache-control"), themes::PAGE_CACHE);

    // Compressed when the browser asks.
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /results/ HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let head =
        String::from_utf8_lossy(&bytes[..bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap()])
            .to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
}

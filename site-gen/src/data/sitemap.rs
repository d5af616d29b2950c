//! The files crawlers and browsers look for: `/sitemap.xml` (an index of several once the
//! sitemap protocol's limit is passed), `/robots.txt` and `/opensearch.xml`.

use std::fmt::Write as _;

use chrono::NaiveDate;
use disclosure::{routes, Disclosure};

use crate::output::OutFile;
use crate::site::Site;

/// The sitemap protocol's limit of URLs per file.
pub const SITEMAP_URLS: usize = 50_000;

/// Appends `s` to `out` with the five XML special characters escaped and the control characters
/// XML 1.0 forbids removed.
fn push_xml(out: &mut String, s: &str) {
    // Most text (every address, most titles) has nothing to escape or remove: copied whole.
    // 0xC2 and 0xEF lead the control characters U+0080–U+009F and U+FFFE/U+FFFF.
    let plain = !s.bytes().any(|b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xC2 | 0xEF) || b < 0x20 || b == 0x7F
    });
    if plain {
        out.push_str(s);
    } else {
        push_xml_chars(out, s);
    }
}

/// [`push_xml`] character by character.
fn push_xml_chars(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

pub(super) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml(&mut out, s);
    out
}

/// `/sitemap.xml` (a sitemap index over `/sitemaps/sitemap-<n>.xml` beyond [`SITEMAP_URLS`]
/// URLs), `/robots.txt` and `/opensearch.xml`.
pub fn sitemap(site: &Site) -> Vec<OutFile> {
    let base = &site.content.site.base_url;
    let newest = |docs: &[&Disclosure]| docs.iter().map(|d| d.last_changed()).max();
    let mut urls: Vec<(String, Option<NaiveDate>)> =
        Vec::with_capacity(site.public.len() + site.projects.len() + routes::LISTS.len() + 16);
    urls.push(("/".to_string(), newest(&site.public)));
    urls.extend(routes::LISTS.iter().map(|l| (l.to_string(), None)));
    urls.extend(
        site.public
            .iter()
            .map(|d| (d.url(), Some(d.last_changed()))),
    );
    urls.extend(
        site.projects
            .iter()
            .map(|(code, p)| (routes::project(code), newest(&p.entries))),
    );
    urls.extend(site.content.departments.all().iter().map(|dep| {
        let docs = site.by_department.get(dep.id.as_str());
        (
            routes::department(&dep.id),
            docs.and_then(|docs| newest(docs)),
        )
    }));

    let mut files = Vec::new();
    if urls.len() <= SITEMAP_URLS {
        files.push(OutFile::at_url("/sitemap.xml", urlset(base, &urls)));
    } else {
        let mut index = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (n, chunk) in urls.chunks(SITEMAP_URLS).enumerate() {
            let path = format!("/sitemaps/sitemap-{}.xml", n + 1);
            index.push_str("<sitemap><loc>");
            push_xml(&mut index, &format!("{base}{path}"));
            index.push_str("</loc>");
            if let Some(last) = chunk.iter().filter_map(|u| u.1).max() {
                let _ = write!(index, "<lastmod>{last}</lastmod>");
            }
            index.push_str("</sitemap>\n");
            files.push(OutFile::at_url(&path, urlset(base, chunk)));
        }
        index.push_str("</sitemapindex>\n");
        files.insert(0, OutFile::at_url("/sitemap.xml", index));
    }
    files.push(OutFile::at_url("/robots.txt", robots(base)));
    files.push(OutFile::at_url("/opensearch.xml", opensearch(site)));
    files
}

/// The paths of the files [`sitemap`] makes, and a hash of everything they are made from: the
/// site's name, description and address, and the address and last change of everything listed,
/// in order (each disclosure by kind and id, which its address is made of). A build keeps the
/// files, without making their 10 MB again, while it is the same.
pub fn sitemap_inputs(site: &Site) -> (Vec<String>, u64) {
    use std::hash::{Hash, Hasher};
    let config = &site.content.site;
    let newest = |docs: &[&Disclosure]| docs.iter().map(|d| d.last_changed()).max();
    let mut h = crate::cache::InputsHasher::default();
    (&config.base_url, &config.name, &config.description).hash(&mut h);
    newest(&site.public).hash(&mut h);
    for d in &site.public {
        (d.kind(), &d.id, d.last_changed()).hash(&mut h);
    }
    for (code, p) in &site.projects {
        (code, newest(&p.entries)).hash(&mut h);
    }
    let departments = site.content.departments.all();
    for dep in departments {
        let docs = site.by_department.get(dep.id.as_str());
        (&dep.id, docs.and_then(|docs| newest(docs))).hash(&mut h);
    }
    let urls =
        1 + routes::LISTS.len() + site.public.len() + site.projects.len() + departments.len();
    let mut paths = vec!["sitemap.xml".to_string()];
    if urls > SITEMAP_URLS {
        paths
            .extend((1..=urls.div_ceil(SITEMAP_URLS)).map(|n| format!("sitemaps/sitemap-{n}.xml")));
    }
    paths.extend(["robots.txt".to_string(), "opensearch.xml".to_string()]);
    (paths, h.finish())
}

fn urlset(base: &str, urls: &[(String, Option<NaiveDate>)]) -> String {
    let mut s = String::with_capacity(urls.len() * 110 + 200);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let base = xml(base);
    for (path, lastmod) in urls {
        s.push_str("<url><loc>");
        s.push_str(&base);
        push_xml(&mut s, path);
        s.push_str("</loc>");
        if let Some(date) = lastmod {
            s.push_str("<lastmod>");
            push_date(&mut s, *date);
            s.push_str("</lastmod>");
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

/// Appends `date` as `YYYY-MM-DD`, as its `Display` does for years 0 to 9999, without the
/// formatting machinery (130,000 dates per sitemap).
fn push_date(out: &mut String, date: NaiveDate) {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&y) {
        let _ = write!(out, "{date}");
        return;
    }
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    two(out, y as u32 / 100);
    two(out, y as u32 % 100);
    out.push('-');
    two(out, m);
    out.push('-');
    two(out, d);
}

fn robots(base: &str) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /staff/\nDisallow: /api/\n\nSitemap: {base}/sitemap.xml\n"
    )
}

/// The OpenSearch 1.1 description that lets a browser add the site's search.
fn opensearch(site: &Site) -> String {
    let config = &site.content.site;
    let base = &config.base_url;
    // The specification limits ShortName to 16 characters and Description to 1024.
    let short: String = config.name.chars().take(16).collect();
    let description = if config.description.is_empty() {
        &config.name
    } else {
        &config.description
    };
    let description: String = description.chars().take(1024).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{short}</ShortName>
  <Description>{description}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <OutputEncoding>UTF-8</OutputEncoding>
  <Language>zh-CN</Language>
  <Url type="text/html" method="get" template="{html}"/>
  <Url type="application/rss+xml" method="get" template="{rss}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="{this}"/>
</OpenSearchDescription>
"#,
        short = xml(&short),
        description = xml(&description),
        html = xml(&format!("{base}/search?q={{searchTerms}}")),
        rss = xml(&format!("{base}/search.rss?q={{searchTerms}}")),
        this = xml(&format!("{base}/opensearch.xml")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_text_are_written_as_the_slow_way_writes_them() {
        for date in [
            "0001-01-01",
            "0999-12-31",
            "2026-02-09",
            "2026-11-26",
            "9999-12-31",
        ] {
            let date: NaiveDate = date.parse().unwrap();
            let mut s = String::new();
            push_date(&mut s, date);
            assert_eq!(s, date.to_string());
        }
        let slow = |s: &str| {
            let mut out = String::new();
            push_xml_chars(&mut out, s);
            out
        };
        for s in [
            "/notices/gc-2026-0001/",
            "平顶山市政道路改造工程",
            "A&B <c> \"d\" 'e'",
            "x\u{1}y\u{7f}z\u{85}w",
            "tab\tand\nline",
            "\u{FFFE}\u{FFFF}\u{FFFD}¢©",
        ] {
            assert_eq!(xml(s), slow(s), "{s:?}");
        }
    }
}

//! Open data under `/data/`: JSON of every disclosure, an index of them, and an Open Contracting
//! Data Standard 1.1 release package for notices and results; also the files crawlers and
//! browsers look for: the sitemap, robots.txt and opensearch.xml.
//!
//! Like the renderers, these are pure functions of the [`Site`] that return files. A disclosure's
//! own JSON depends only on that disclosure and the site configuration, so the incremental build
//! may rewrite it alone. Nothing here reads the clock: the build date is `site.today`.
//!
//! Choices the OCDS leaves to the publisher, made here:
//! - ocid: `ocid_prefix` from `site.toml` (the prefix the Open Contracting Partnership registered
//!   for the publisher; [`OCID_PREFIX`], a placeholder, when absent), then the project code: one
//!   contracting process per project, one release per notice or result. A process's award keeps
//!   one id in every release (`<project>-award`: pending at the candidates stage, active at the
//!   award, referred to by the contract), so merged releases hold one award, not three.
//! - `mainProcurementCategory`: 工程建设 → `works`; 政府采购 by what its title buys (服务, 物业,
//!   咨询, 设计, 监理 … → `services`; 工程, 施工, 修缮 … → `works`; otherwise `goods`); 其他 →
//!   `services`; 土地使用权, 矿业权 and 国有产权 are sales by the state, for which the codelist has
//!   no value, so the field is left out.
//! - Parties: organisations with a unified social credit code are identified by it (scheme
//!   `CN-USCC`, party id `CN-USCC-<code>`), others by name (`org-<name>`); the supervising
//!   department is the `reviewBody`, id `department-<id>`. The front matter's `buyer` is the
//!   release's `buyer` (role `buyer`); its `agency` is the tender's `procuringEntity`.
//! - Losing and disqualified bids are published with the bids extension (`bids.details`); the
//!   disqualification reason is the bid's `description`.
//! - Amounts are numbers in yuan (OCDS `value.amount`), currency `CNY`.
//!
//! One file per part: `json` (a disclosure's own JSON and the index of them), `pieces` (the
//! open-data files made of pieces, so that the incremental build copies unchanged items from the
//! previous file), `ocds` (the release package) and `sitemap` (sitemap, robots.txt,
//! opensearch.xml); here, what they share and the audit anchors `intake export` writes.

mod json;
mod ocds;
mod pieces;
mod sitemap;
#[cfg(test)]
mod tests;

use serde::{Serialize, Serializer};

pub use json::{disclosure_json, index_file};
pub(crate) use json::{DetailsJson, PartiesJson};
pub use ocds::{ocds_file, BIDS_EXTENSION, OCID_PREFIX};
pub use pieces::{data_files, ItemFile, Piece, Reuse};
pub use sitemap::{sitemap, sitemap_inputs, SITEMAP_URLS};

use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// The licence of the open data: Creative Commons Attribution 4.0.
pub const DATA_LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";
pub const INDEX_URL: &str = "/data/disclosures.json";
pub const OCDS_URL: &str = "/data/ocds/release-package.json";

/// `/data/disclosures/<id>.json`
pub fn disclosure_json_url(id: &str) -> String {
    format!("/data/disclosures/{id}.json")
}

/// Strings serialised as one JSON string without building it first: ids and absolute URLs are
/// most of the strings in the index and the release package.
struct Concat<'a, const N: usize>([&'a str; N]);

impl<const N: usize> Serialize for Concat<'_, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Parts<'p>(&'p [&'p str]);
        impl std::fmt::Display for Parts<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.iter().try_for_each(|p| f.write_str(p))
            }
        }
        s.collect_str(&Parts(&self.0))
    }
}

/// A site path made absolute when serialised.
struct Absolute<'a> {
    base: &'a str,
    path: String,
}

impl Serialize for Absolute<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Concat([self.base, &self.path]).serialize(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Audit anchors

/// Where the site publishes it, so that anyone can check intake's audit trail against it.
pub const AUDIT_ANCHORS_URL: &str = "/data/audit-anchors.json";

/// `/data/audit-anchors.json`, when the content folder has anchors.
pub fn audit_anchors(site: &Site) -> Vec<OutFile> {
    let path = site.content.dir.join(crate::content::AUDIT_ANCHORS_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    // Checked when the content was loaded; a file replaced since is published only if valid.
    let file = crate::content::AUDIT_ANCHORS_FILE;
    let Ok(anchors) = crate::content::parse_audit_anchors(file, &text) else {
        return Vec::new();
    };
    let mut json = serde_json::to_string_pretty(&anchors).expect("anchors serialise");
    json.push('\n');
    vec![OutFile {
        path: file_for_url(AUDIT_ANCHORS_URL),
        bytes: json.into_bytes(),
    }]
}

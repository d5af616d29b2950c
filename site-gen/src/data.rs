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

use std::fmt::Write as _;
use std::ops::Range;

use chrono::{NaiveDate, SecondsFormat};
use disclosure::model::{Bidder, CreditList, CreditStatus, Details, Organisation, Trade};
use disclosure::{routes, Category, Disclosure, Kind, Stage, Yuan};
use serde::{Serialize, Serializer};

use crate::cache::{item_key, ItemIndex};
use crate::companies::Bar;
use crate::feeds::published_at;
use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// The OCDS ocid prefix (`ocds-` and six characters). A placeholder: a real publisher registers
/// its own with the Open Contracting Partnership and sets it here.
pub const OCID_PREFIX: &str = "ocds-yg0000";
/// The licence of the open data: Creative Commons Attribution 4.0.
pub const DATA_LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";
/// The OCDS bids extension, for losing and disqualified bids.
pub const BIDS_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";
/// The sitemap protocol's limit of URLs per file.
pub const SITEMAP_URLS: usize = 50_000;

pub const INDEX_URL: &str = "/data/disclosures.json";
pub const OCDS_URL: &str = "/data/ocds/release-package.json";

/// `/data/disclosures/<id>.json`
pub fn disclosure_json_url(id: &str) -> String {
    format!("/data/disclosures/{id}.json")
}

// ---------------------------------------------------------------------------------------------
// One disclosure as JSON

/// An amount as a decimal string in yuan, `18650000.00`: exact, unlike a JSON number.
struct Decimal(Yuan);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.decimal())
    }
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

#[derive(Serialize)]
struct DisclosureJson<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
    date: NaiveDate,
    time: Option<chrono::NaiveTime>,
    updated: Option<NaiveDate>,
    url: String,
    department: Option<&'a str>,
    department_name: Option<&'a str>,
    region: Option<&'a str>,
    #[serde(flatten)]
    details: DetailsJson<'a>,
    /// A result's winners that were barred from bidding on its date, with what barred them, as
    /// the result page flags them (一处失信，处处受限); absent when none was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    barred_winners: Vec<BarredWinnerJson<'a>>,
    source_sha256: String,
    /// The Markdown body, as the page publishes it.
    body: &'a str,
}

/// The kind-specific fields, named as in the content format.
#[derive(Serialize)]
#[serde(untagged)]
enum DetailsJson<'a> {
    Notice {
        category: Category,
        project: &'a str,
        stage: Stage,
        #[serde(flatten)]
        parties: PartiesJson<'a>,
    },
    Result {
        category: Category,
        project: &'a str,
        stage: Stage,
        #[serde(flatten)]
        parties: PartiesJson<'a>,
        amount: Option<Decimal>,
        bidders: Vec<BidderJson<'a>>,
    },
    Penalty {
        decision_no: &'a str,
        subject: &'a str,
        subject_credit_code: &'a str,
        violation: &'a str,
        basis: &'a str,
        penalty: &'a str,
        fine: Option<Decimal>,
        decision_date: NaiveDate,
        public_until: NaiveDate,
        #[serde(skip_serializing_if = "Option::is_none")]
        project: Option<&'a str>,
    },
    Credit {
        list: CreditList,
        subject: &'a str,
        credit_code: &'a str,
        reason: &'a str,
        basis: &'a str,
        from: NaiveDate,
        until: NaiveDate,
        status: CreditStatus,
        measures: &'a [String],
    },
    Power {
        code: &'a str,
        power_type: &'a str,
        basis: &'a str,
        responsibilities: &'a [String],
        accountability: &'a str,
    },
    Inspection {
        plan: &'a str,
        subject: &'a str,
        credit_code: &'a str,
        method: &'a str,
        finding: &'a str,
        checked_on: NaiveDate,
    },
    ComplaintResult {
        case_no: &'a str,
        outcome: &'a str,
        decision_date: NaiveDate,
        #[serde(skip_serializing_if = "Option::is_none")]
        project: Option<&'a str>,
    },
    Page {},
}

/// `buyer`, `buyer_credit_code`, `agency`, `agency_credit_code`, as in the content format; absent
/// when not given.
#[derive(Serialize)]
struct PartiesJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer_credit_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency_credit_code: Option<&'a str>,
}

impl<'a> PartiesJson<'a> {
    fn of(trade: &'a Trade) -> Self {
        let name = |o: &'a Option<Organisation>| o.as_ref().map(|o| o.name.as_str());
        let code = |o: &'a Option<Organisation>| o.as_ref().and_then(|o| o.credit_code.as_deref());
        PartiesJson {
            buyer: name(&trade.buyer),
            buyer_credit_code: code(&trade.buyer),
            agency: name(&trade.agency),
            agency_credit_code: code(&trade.agency),
        }
    }
}

/// A winner barred on the award date: the addresses of the credit entries and penalties that
/// barred it, and how many penalties past their publicity did (counted, not named: their pages
/// are gone), as the company page's JSON gives them.
#[derive(Serialize)]
struct BarredWinnerJson<'a> {
    name: &'a str,
    credit_code: &'a str,
    barred_by: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    withdrawn_penalties: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct BidderJson<'a> {
    name: &'a str,
    credit_code: &'a str,
    bid: Decimal,
    rank: u32,
    won: bool,
    disqualified: bool,
    reason: Option<&'a str>,
}

impl<'a> DetailsJson<'a> {
    fn of(d: &'a Disclosure) -> Self {
        match &d.details {
            Details::Notice { trade } => DetailsJson::Notice {
                category: trade.category,
                project: &trade.project,
                stage: trade.stage,
                parties: PartiesJson::of(trade),
            },
            Details::Result {
                trade,
                amount,
                bidders,
            } => DetailsJson::Result {
                category: trade.category,
                project: &trade.project,
                stage: trade.stage,
                parties: PartiesJson::of(trade),
                amount: amount.map(Decimal),
                bidders: bidders
                    .iter()
                    .map(|b| BidderJson {
                        name: &b.name,
                        credit_code: &b.credit_code,
                        bid: Decimal(b.bid),
                        rank: b.rank,
                        won: b.won,
                        disqualified: b.disqualified,
                        reason: b.reason.as_deref(),
                    })
                    .collect(),
            },
            Details::Penalty(p) => DetailsJson::Penalty {
                decision_no: &p.decision_no,
                subject: &p.subject,
                subject_credit_code: &p.subject_credit_code,
                violation: &p.violation,
                basis: &p.basis,
                penalty: &p.penalty,
                fine: p.fine.map(Decimal),
                decision_date: p.decision_date,
                public_until: p.public_until,
                project: p.project.as_deref(),
            },
            Details::Credit(c) => DetailsJson::Credit {
                list: c.list,
                subject: &c.subject,
                credit_code: &c.credit_code,
                reason: &c.reason,
                basis: &c.basis,
                from: c.from,
                until: c.until,
                status: c.status,
                measures: &c.measures,
            },
            Details::Power(p) => DetailsJson::Power {
                code: &p.code,
                power_type: &p.power_type,
                basis: &p.basis,
                responsibilities: &p.responsibilities,
                accountability: &p.accountability,
            },
            Details::Inspection(i) => DetailsJson::Inspection {
                plan: &i.plan,
                subject: &i.subject,
                credit_code: &i.credit_code,
                method: &i.method,
                finding: &i.finding,
                checked_on: i.checked_on,
            },
            Details::ComplaintResult(c) => DetailsJson::ComplaintResult {
                case_no: &c.case_no,
                outcome: &c.outcome,
                decision_date: c.decision_date,
                project: c.project.as_deref(),
            },
            Details::Page => DetailsJson::Page {},
        }
    }
}

/// `/data/disclosures/<id>.json`: every field of the disclosure as its page publishes it, its
/// absolute URL, its department's name, the SHA-256 of its source and its Markdown body.
/// Depends on `d` and the site configuration, and for a result on the credit entries and
/// penalties of its winners (the barred-winner flag; the incremental build renders again the
/// results a changed entry's subject won), not on the build date otherwise.
pub fn disclosure_json<'a>(site: &Site<'a>, d: &'a Disclosure) -> OutFile {
    let base = &site.content.site.base_url;
    let json = DisclosureJson {
        id: &d.id,
        kind: d.kind(),
        title: &d.title,
        date: d.date,
        time: d.time,
        updated: d.updated,
        url: format!("{base}{}", d.url()),
        department: d.department.as_deref(),
        department_name: d.department.as_deref().map(|id| site.department_name(id)),
        region: d.region.as_deref(),
        details: DetailsJson::of(d),
        barred_winners: crate::companies::barred_award(site, d)
            .into_iter()
            .map(|(b, bars)| {
                let (named, withdrawn): (Vec<&Bar>, Vec<&Bar>) =
                    bars.iter().partition(|bar| bar.by.is_public(site.today));
                BarredWinnerJson {
                    name: &b.name,
                    credit_code: &b.credit_code,
                    barred_by: named
                        .iter()
                        .map(|bar| format!("{base}{}", bar.by.url()))
                        .collect(),
                    withdrawn_penalties: withdrawn.len(),
                }
            })
            .collect(),
        source_sha256: site.source_hash(d),
        body: &d.body,
    };
    let mut bytes = serde_json::to_vec_pretty(&json).expect("disclosure JSON serialises");
    bytes.push(b'\n');
    OutFile::at_url(&disclosure_json_url(&d.id), bytes)
}

// ---------------------------------------------------------------------------------------------
// The index and the OCDS release package

#[derive(Serialize)]
struct IndexHead<'a> {
    publisher: &'a str,
    license: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    id: &'a str,
    kind: Kind,
    title: &'a str,
    date: NaiveDate,
    url: Absolute<'a>,
    department: Option<&'a str>,
    department_name: Option<&'a str>,
    json: Concat<'a, 4>,
    sha256: String,
}

/// `/data/disclosures.json` (every public disclosure, newest first) and
/// `/data/ocds/release-package.json`.
pub fn data_files(site: &Site) -> Vec<OutFile> {
    [index_file(site, &|_| None), ocds_file(site, &|_| None)]
        .into_iter()
        .map(|f| OutFile {
            path: f.path,
            bytes: f
                .pieces
                .into_iter()
                .flat_map(Piece::into_new)
                .flatten()
                .collect(),
        })
        .collect()
}

/// Where the previous build put a disclosure's item in the same file, if the item is still
/// good. An item of the open-data files depends only on its disclosure, the site's
/// configuration and the build date, so an unchanged disclosure's item is copied from the
/// previous file rather than serialised again: at 100,000 disclosures these two files are
/// 140 MB, most of a one-file rebuild's work if made anew.
pub type Reuse<'r> = dyn Fn(&Disclosure) -> Option<Range<u64>> + Sync + 'r;

/// A piece of an open-data file: bytes made now, or a range of the previous build's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    New(Vec<u8>),
    Old(Range<u64>),
}

impl Piece {
    fn into_new(self) -> Option<Vec<u8>> {
        match self {
            Piece::New(bytes) => Some(bytes),
            Piece::Old(_) => None,
        }
    }
}

/// An open-data file in pieces, and where each item is in it, for the next build.
#[derive(Debug)]
pub struct ItemFile {
    /// Path inside the output folder.
    pub path: String,
    pub pieces: Vec<Piece>,
    pub items: ItemIndex,
}

/// `/data/disclosures.json`: every public disclosure, newest first.
pub fn index_file(site: &Site, reuse: &Reuse<'_>) -> ItemFile {
    let base = &site.content.site.base_url;
    let head = IndexHead {
        publisher: &site.content.site.organisation,
        license: DATA_LICENSE,
        count: site.public.len(),
    };
    let (pieces, items) =
        object_with_array(&head, "disclosures", &site.public, reuse, |d| IndexEntry {
            id: &d.id,
            kind: d.kind(),
            title: &d.title,
            date: d.date,
            url: Absolute {
                base,
                path: d.url(),
            },
            department: d.department.as_deref(),
            department_name: d.department.as_deref().map(|id| site.department_name(id)),
            json: Concat([base, "/data/disclosures/", &d.id, ".json"]),
            sha256: site.source_hash(d),
        });
    ItemFile {
        path: file_for_url(INDEX_URL),
        pieces,
        items,
    }
}

/// `/data/ocds/release-package.json`.
pub fn ocds_file(site: &Site, reuse: &Reuse<'_>) -> ItemFile {
    let (pieces, items) = release_package(site, reuse);
    ItemFile {
        path: file_for_url(OCDS_URL),
        pieces,
        items,
    }
}

/// `head`'s JSON object with one more member, `name`, the array of `item(d)` for every `d`,
/// and a final newline, in pieces: an item that `reuse` finds in the previous file is a range
/// of it (consecutive ones, with the comma between them, one range), the rest is made now.
/// Returns the pieces and where each item is in the file they make.
fn object_with_array<'d, H, T>(
    head: &H,
    name: &str,
    docs: &[&'d Disclosure],
    reuse: &Reuse<'_>,
    item: impl Fn(&'d Disclosure) -> T + Sync,
) -> (Vec<Piece>, ItemIndex)
where
    H: Serialize,
    T: Serialize,
{
    let mut buf = serde_json::to_vec(head).expect("open data serialises");
    let closing = buf.pop();
    assert_eq!(closing, Some(b'}'), "the head is a JSON object");
    if buf.len() > 1 {
        buf.push(b',');
    }
    serde_json::to_writer(&mut buf, name).expect("a name serialises");
    buf.extend_from_slice(b":[");
    // `pos`: the length of the pieces before `buf`, the bytes being made now.
    let (mut pieces, mut pos) = (Vec::new(), 0u64);
    let mut items = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let start;
        match reuse(d) {
            Some(old) => {
                match pieces.last_mut() {
                    // Only the comma between this item and the one copied before it.
                    Some(Piece::Old(run)) if buf == b"," && run.end + 1 == old.start => {
                        run.end = old.end;
                        start = pos + 1;
                    }
                    _ => {
                        pos += buf.len() as u64;
                        pieces.push(Piece::New(std::mem::take(&mut buf)));
                        pieces.push(Piece::Old(old.clone()));
                        start = pos;
                    }
                }
                buf.clear();
                pos = start + (old.end - old.start);
            }
            None => {
                start = pos + buf.len() as u64;
                serde_json::to_writer(&mut buf, &item(d)).expect("open data serialises");
            }
        }
        let end = pos + buf.len() as u64;
        items.push((item_key(d), start, (end - start) as u32));
    }
    buf.extend_from_slice(b"]}\n");
    let len = pos + buf.len() as u64;
    pieces.push(Piece::New(buf));
    pieces.retain(|p| !matches!(p, Piece::New(b) if b.is_empty()));
    (pieces, ItemIndex { len, items })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageHead<'a> {
    uri: String,
    version: &'static str,
    extensions: [&'static str; 1],
    published_date: String,
    publisher: Publisher<'a>,
    license: &'static str,
}

#[derive(Serialize)]
struct Publisher<'a> {
    name: &'a str,
    uri: &'a str,
}

/// The release package: one release per public notice or result, grouped by project (ocid),
/// each project's releases oldest first.
fn release_package(site: &Site, reuse: &Reuse<'_>) -> (Vec<Piece>, ItemIndex) {
    let config = &site.content.site;
    let head = PackageHead {
        uri: format!("{}{OCDS_URL}", config.base_url),
        version: "1.1",
        extensions: [BIDS_EXTENSION],
        published_date: disclosure::china_time::instant(
            site.today.and_time(chrono::NaiveTime::MIN),
        )
        .to_rfc3339_opts(SecondsFormat::Secs, false),
        publisher: Publisher {
            name: &config.organisation,
            uri: &config.base_url,
        },
        license: DATA_LICENSE,
    };
    // Project entries are notices and results only, so every one has its trade.
    let docs: Vec<&Disclosure> = site
        .projects
        .values()
        .flat_map(|p| p.entries.iter().copied())
        .filter(|d| d.trade().is_some())
        .collect();
    object_with_array(&head, "releases", &docs, reuse, |d| {
        release(site, d, d.trade().expect("filtered on trade"))
    })
}

/// An OCDS amount: a JSON number of yuan, an integer when there are no fen (so that it is exact).
struct Amount(Yuan);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fen() % 100 == 0 {
            s.serialize_i64(self.0.fen() / 100)
        } else {
            // Exact to the fen below 2^53 fen: the shortest decimal that rounds to this f64.
            s.serialize_f64(self.0.fen() as f64 / 100.0)
        }
    }
}

#[derive(Serialize)]
struct Value {
    amount: Amount,
    currency: &'static str,
}

fn cny(y: Yuan) -> Value {
    Value {
        amount: Amount(y),
        currency: "CNY",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Release<'a> {
    ocid: Concat<'a, 3>,
    id: &'a str,
    date: String,
    tag: [&'static str; 1],
    initiation_type: &'static str,
    language: &'static str,
    parties: Vec<Party<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer: Option<OrgRef<'a>>,
    tender: Tender<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bids: Option<Bids<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    awards: Vec<Award<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contracts: Vec<Contract>,
}

#[derive(Serialize)]
struct Party<'a> {
    id: Concat<'a, 2>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<Identifier<'a>>,
    roles: Vec<&'static str>,
}

#[derive(Serialize)]
struct Identifier<'a> {
    scheme: &'static str,
    id: &'a str,
}

#[derive(Serialize)]
struct OrgRef<'a> {
    id: Concat<'a, 2>,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tender<'a> {
    id: &'a str,
    title: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    main_procurement_category: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    procuring_entity: Option<OrgRef<'a>>,
    documents: [Document<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    id: &'a str,
    document_type: &'static str,
    url: Absolute<'a>,
    date_published: String,
    format: &'static str,
}

#[derive(Serialize)]
struct Bids<'a> {
    details: Vec<Bid<'a>>,
}

#[derive(Serialize)]
struct Bid<'a> {
    id: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    tenderers: [OrgRef<'a>; 1],
    value: Value,
}

#[derive(Serialize)]
struct Award<'a> {
    id: String,
    status: &'static str,
    suppliers: Vec<OrgRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contract {
    id: String,
    #[serde(rename = "awardID")]
    award_id: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
}

/// The OCDS release tag of a stage.
fn tag(stage: Stage) -> &'static str {
    match stage {
        Stage::Approval => "planning",
        Stage::Tender | Stage::Opening => "tender",
        Stage::Change => "tenderAmendment",
        Stage::Candidates | Stage::Award => "award",
        Stage::Contract => "contract",
        Stage::Termination => "tenderCancellation",
    }
}

/// The tender's status once a disclosure of this stage is published.
fn tender_status(stage: Stage) -> &'static str {
    match stage {
        Stage::Approval => "planning",
        Stage::Tender | Stage::Change | Stage::Opening | Stage::Candidates => "active",
        Stage::Award | Stage::Contract => "complete",
        Stage::Termination => "cancelled",
    }
}

/// The OCDS document type of the disclosure's own page.
fn document_type(stage: Stage) -> &'static str {
    match stage {
        Stage::Approval => "plannedProcurementNotice",
        Stage::Tender => "tenderNotice",
        Stage::Change => "clarifications",
        Stage::Opening => "bidders",
        Stage::Candidates => "evaluationReports",
        Stage::Award => "awardNotice",
        Stage::Contract => "contractNotice",
        Stage::Termination => "cancellationDetails",
    }
}

/// Words in a procurement's title that say it buys a service, or works.
const SERVICE_WORDS: &[&str] = &[
    "服务", "物业", "咨询", "设计", "监理", "审计", "保险", "培训", "运维", "维护", "维保", "租赁",
    "印刷", "检测", "评估", "法律", "保洁", "安保", "保安", "餐饮", "运营", "外包", "代理", "测绘",
];
const WORKS_WORDS: &[&str] = &["工程", "施工", "修缮", "装修", "改造", "安装"];

fn main_procurement_category(category: Category, title: &str) -> Option<&'static str> {
    match category {
        Category::Construction => Some("works"),
        Category::Procurement if SERVICE_WORDS.iter().any(|w| title.contains(w)) => {
            Some("services")
        }
        Category::Procurement if WORKS_WORDS.iter().any(|w| title.contains(w)) => Some("works"),
        Category::Procurement => Some("goods"),
        Category::Other => Some("services"),
        Category::Land | Category::Mining | Category::Assets => None,
    }
}

fn party_id(credit_code: &str) -> Concat<'_, 2> {
    Concat(["CN-USCC-", credit_code])
}

/// A buyer's or agency's party id: by credit code when known, else by name.
fn organisation_id(o: &Organisation) -> Concat<'_, 2> {
    match &o.credit_code {
        Some(code) => party_id(code),
        None => Concat(["org-", &o.name]),
    }
}

fn organisation_ref(o: &Organisation) -> OrgRef<'_> {
    OrgRef {
        id: organisation_id(o),
        name: &o.name,
    }
}

fn org_ref(b: &Bidder) -> OrgRef<'_> {
    OrgRef {
        id: party_id(&b.credit_code),
        name: &b.name,
    }
}

/// The bidders an award of this stage goes to: the winners; for a candidates notice that names
/// no winner yet, the first-ranked qualified candidate, as a pending award.
fn awarded(stage: Stage, bidders: &[Bidder]) -> Vec<&Bidder> {
    let winners: Vec<&Bidder> = bidders.iter().filter(|b| b.won).collect();
    if winners.is_empty() && stage == Stage::Candidates {
        return bidders
            .iter()
            .filter(|b| !b.disqualified)
            .min_by_key(|b| b.rank)
            .into_iter()
            .collect();
    }
    winners
}

fn release<'a>(site: &Site<'a>, d: &'a Disclosure, trade: &'a Trade) -> Release<'a> {
    let base = &site.content.site.base_url;
    let date = published_at(d).to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut parties = Vec::new();
    if let Some(dep) = d.department.as_deref() {
        parties.push(Party {
            id: Concat(["department-", dep]),
            name: site.department_name(dep),
            identifier: None,
            roles: vec!["reviewBody"],
        });
    }
    for (o, role) in [(&trade.buyer, "buyer"), (&trade.agency, "procuringEntity")] {
        if let Some(o) = o {
            parties.push(Party {
                id: organisation_id(o),
                name: &o.name,
                identifier: o.credit_code.as_deref().map(|id| Identifier {
                    scheme: "CN-USCC",
                    id,
                }),
                roles: vec![role],
            });
        }
    }
    let (mut bids, mut awards, mut contracts) = (None, Vec::new(), Vec::new());
    if let Details::Result {
        amount, bidders, ..
    } = &d.details
    {
        let stage = trade.stage;
        let suppliers = if matches!(stage, Stage::Candidates | Stage::Award | Stage::Contract) {
            awarded(stage, bidders)
        } else {
            Vec::new()
        };
        for (i, b) in bidders.iter().enumerate() {
            if bidders[..i].iter().any(|o| o.credit_code == b.credit_code) {
                continue;
            }
            let mut roles = vec!["tenderer"];
            if suppliers.iter().any(|s| s.credit_code == b.credit_code) {
                roles.push("supplier");
            }
            parties.push(Party {
                id: party_id(&b.credit_code),
                name: &b.name,
                identifier: Some(Identifier {
                    scheme: "CN-USCC",
                    id: &b.credit_code,
                }),
                roles,
            });
        }
        if !bidders.is_empty() {
            bids = Some(Bids {
                details: bidders
                    .iter()
                    .enumerate()
                    .map(|(i, b)| Bid {
                        id: (i + 1).to_string(),
                        status: if b.disqualified {
                            "disqualified"
                        } else {
                            "valid"
                        },
                        description: b.reason.as_deref(),
                        tenderers: [org_ref(b)],
                        value: cny(b.bid),
                    })
                    .collect(),
            });
        }
        if !suppliers.is_empty() {
            let value = amount.or(match suppliers.as_slice() {
                [only] => Some(only.bid),
                _ => None,
            });
            // One award per process, the same id in each release that speaks of it.
            let award_id = format!("{}-award", trade.project);
            if stage == Stage::Contract {
                contracts.push(Contract {
                    id: format!("{}-contract", trade.project),
                    award_id: award_id.clone(),
                    status: "active",
                    value: value.map(cny),
                });
            }
            awards.push(Award {
                id: award_id,
                status: if stage == Stage::Candidates {
                    "pending"
                } else {
                    "active"
                },
                suppliers: suppliers.iter().map(|b| org_ref(b)).collect(),
                value: value.map(cny),
            });
        }
    }
    Release {
        ocid: Concat([
            site.content
                .site
                .ocid_prefix
                .as_deref()
                .unwrap_or(OCID_PREFIX),
            "-",
            &trade.project,
        ]),
        id: &d.id,
        date: date.clone(),
        tag: [tag(trade.stage)],
        initiation_type: "tender",
        language: "zh",
        parties,
        buyer: trade.buyer.as_ref().map(organisation_ref),
        tender: Tender {
            id: &trade.project,
            title: &d.title,
            status: tender_status(trade.stage),
            main_procurement_category: main_procurement_category(trade.category, &d.title),
            procuring_entity: trade.agency.as_ref().map(organisation_ref),
            documents: [Document {
                id: &d.id,
                document_type: document_type(trade.stage),
                url: Absolute {
                    base,
                    path: d.url(),
                },
                date_published: date,
                format: "text/html",
            }],
        },
        bids,
        awards,
        contracts,
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

// ---------------------------------------------------------------------------------------------
// Sitemap, robots.txt, opensearch.xml

/// Appends `s` to `out` with the five XML special characters escaped and the control characters
/// XML 1.0 forbids removed.
fn push_xml(out: &mut String, s: &str) {
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

fn xml(s: &str) -> String {
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

fn urlset(base: &str, urls: &[(String, Option<NaiveDate>)]) -> String {
    let mut s = String::with_capacity(urls.len() * 110 + 200);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (path, lastmod) in urls {
        s.push_str("<url><loc>");
        push_xml(&mut s, base);
        push_xml(&mut s, path);
        s.push_str("</loc>");
        if let Some(date) = lastmod {
            let _ = write!(s, "<lastmod>{date}</lastmod>");
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
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
pub(crate) mod testing {
    //! A small site built from inline sources, shared by the feed and open-data tests.

    use std::path::PathBuf;

    use chrono::NaiveDate;
    use disclosure::model::Penalty;
    use disclosure::parse::parse_disclosure;
    use disclosure::validate::internal_links;
    use disclosure::{
        Bidder, Calendar, Category, Departments, Details, Disclosure, SiteConfig, Stage, Trade,
        Yuan,
    };
    use sha2::{Digest, Sha256};

    use crate::content::Content;

    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
    }

    const SITE: &str = r#"
name = "示例市公共资源交易信息公开网"
base_url = "https://ggzy.example.gov.cn/"
organisation = "示例市公共资源交易管理委员会办公室"
description = "示例市公共资源交易公开信息 & 监督"

[footer]
site_code = "0000000001"
icp = "ICP备00000000号"
police = "公网安备00000000号"
contact = "电话 0000-0000000"
"#;

    const DEPARTMENTS: &str = r#"
[[department]]
id = "gongguan"
name = "示例市公共资源交易管理委员会办公室"
short = "公管办"
email = "gongguan@example.gov.cn"
categories = ["other"]
fallback = true

[[department]]
id = "zjj"
name = "示例市住房和城乡建设局"
short = "住建局"
email = "zjj@example.gov.cn"
categories = ["construction"]
"#;

    const CALENDAR: &str = "[[year]]\nyear = 2026\nholidays = [2026-01-01]\n";

    const SOURCES: &[(&str, &str)] = &[
        (
            "n1",
            r#"+++
kind = "notice"
title = "示例市第一中学教学楼建设工程施工招标公告"
date = 2026-03-02
department = "zjj"
category = "construction"
project = "SLZJ-2026-001"
stage = "tender"
+++
## 招标条件

本招标项目已由示例市发展和改革委员会批准建设，招标人为**示例市第一中学**。

| 标段 | 估算价 |
|---|---|
| 一标段 | 1200 万元 |
"#,
        ),
        (
            "r1",
            r#"+++
kind = "result"
title = "示例市第一中学教学楼建设工程施工中标结果公告"
date = 2026-03-26T09:30:00
department = "zjj"
category = "construction"
project = "SLZJ-2026-001"
stage = "award"
amount = 11860000.00

[[bidders]]
name = "河南九州建设有限公司"
credit_code = "91410100MATLA0KD19"
bid = 11860000.00
rank = 1
won = true

[[bidders]]
name = "郑州康华建筑有限公司"
credit_code = "91410100MATY9NTX62"
bid = 11925000.50
rank = 2
won = false

[[bidders]]
name = "平顶山市康泰工程有限公司"
credit_code = "91410400MAWN8TU8LR"
bid = 10980000.00
rank = 3
won = false
disqualified = true
reason = "投标保证金未按规定递交"
+++
经评标委员会评审，确定中标人如下。
"#,
        ),
        (
            "p1",
            r#"+++
kind = "penalty"
title = "示例市鹰城客运有限公司未按规定发布招标公告行政处罚决定"
date = 2026-03-10
department = "zjj"
decision_no = "示建罚〔2026〕3号"
subject = "示例市鹰城客运有限公司"
subject_credit_code = "91410400MA903FNDEB"
violation = "未按规定在指定媒介发布招标公告"
basis = "《中华人民共和国招标投标法》第五十一条"
penalty = "责令改正，罚款人民币贰万元"
fine = 20000.00
decision_date = 2026-03-09
public_until = 2027-03-09
+++
当事人未在指定媒介发布招标公告 <b>限制</b> 了潜在投标人。
"#,
        ),
        (
            "old-penalty",
            r#"+++
kind = "penalty"
title = "旧处罚：某公司串通投标行政处罚决定"
date = 2025-08-01
department = "zjj"
decision_no = "示建罚〔2025〕1号"
subject = "舞钢市钢都建筑工程有限公司"
subject_credit_code = "91410481MANEH249RG"
violation = "串通投标"
basis = "《中华人民共和国招标投标法》第五十三条"
penalty = "罚款"
decision_date = 2025-07-30
public_until = 2026-02-01
+++
公示期已满。
"#,
        ),
        (
            "c1",
            r#"+++
kind = "credit"
title = "示例市鹰城客运有限公司不良信用信息"
date = 2026-03-15
department = "zjj"
list = "black"
subject = "示例市鹰城客运有限公司"
credit_code = "91410400MA903FNDEB"
reason = "未按规定发布招标公告"
basis = "《建筑市场信用管理暂行办法》"
from = 2026-03-15
until = 2027-03-14
status = "active"
measures = ["列为重点监管对象"]
+++
见[处罚决定](/penalties/p1/)。
"#,
        ),
        (
            "i1",
            r#"+++
kind = "inspection"
title = "2026年第一季度招标代理机构双随机抽查结果"
date = 2026-02-10
department = "gongguan"
plan = "2026年第一季度双随机抽查计划"
subject = "郑州康华建筑有限公司"
credit_code = "91410100MATY9NTX62"
method = "书面检查"
finding = "未发现问题"
checked_on = 2026-02-05
+++
抽查未发现问题。
"#,
        ),
        (
            "about",
            r#"+++
kind = "page"
title = "关于本站"
date = 2026-01-01
+++
本站公开示例市公共资源交易信息。
"#,
        ),
    ];

    /// `n` generated disclosures on the fixture's configuration: projects of a tender notice, a
    /// candidates notice and an award with four bidders (one disqualified), plus penalties and
    /// credit entries; for the split sitemap and for timing at scale.
    pub fn generated(n: usize) -> Content {
        let mut content = fixture();
        let codes = [
            "91410100MATLA0KD19",
            "91410100MATY9NTX62",
            "91410400MAWN8TU8LR",
            "91410400MA903FNDEB",
        ];
        let bidders: Vec<Bidder> = codes
            .iter()
            .enumerate()
            .map(|(i, code)| Bidder {
                name: format!("示例第{}建设工程有限公司", i + 1),
                credit_code: code.to_string(),
                bid: Yuan(1_234_567_800 + i as i64 * 1_000_050),
                rank: i as u32 + 1,
                won: i == 0,
                disqualified: i == 3,
                reason: (i == 3).then(|| "投标文件未按规定签章".to_string()),
            })
            .collect();
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let body = "## 项目概况\n\n本项目位于示例市新城区，建设规模约 12000 平方米，计划工期 365 日历天。\n\n| 标段 | 估算价 |\n|---|---|\n| 一标段 | 1200 万元 |\n".repeat(3);
        let (docs, hashes): (Vec<Disclosure>, Vec<[u8; 32]>) = (0..n)
            .map(|i| {
                let project = format!("GEN-{:06}", i / 3);
                let trade = |stage| Trade {
                    category: Category::ALL[(i / 3) % Category::ALL.len()],
                    project: project.clone(),
                    stage,
                    buyer: None,
                    agency: None,
                };
                let details = match i % 10 {
                    8 => Details::Penalty(Penalty {
                        decision_no: format!("示建罚〔2026〕{i}号"),
                        subject: "示例第四建设工程有限公司".to_string(),
                        subject_credit_code: codes[3].to_string(),
                        violation: "未按规定发布招标公告".to_string(),
                        basis: "《中华人民共和国招标投标法》第五十一条".to_string(),
                        penalty: "责令改正，罚款人民币贰万元".to_string(),
                        fine: Some(Yuan(2_000_000)),
                        decision_date: start,
                        public_until: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                        project: None,
                    }),
                    _ => match i % 3 {
                        0 => Details::Notice {
                            trade: trade(Stage::Tender),
                        },
                        1 => Details::Result {
                            trade: trade(Stage::Candidates),
                            amount: None,
                            bidders: bidders.clone(),
                        },
                        _ => Details::Result {
                            trade: trade(Stage::Award),
                            amount: Some(bidders[0].bid),
                            bidders: bidders.clone(),
                        },
                    },
                };
                let d = Disclosure {
                    id: format!("gen-{i:06}"),
                    source: format!("gen/gen-{i:06}.md"),
                    title: format!("示例市第{i}号建设工程施工项目公告"),
                    date: start + chrono::Days::new((i / 40) as u64),
                    time: None,
                    updated: None,
                    department: Some(if i % 2 == 0 { "zjj" } else { "gongguan" }.to_string()),
                    department_line: 5,
                    region: Some("新城区".to_string()),
                    body: body.clone(),
                    body_line: 12,
                    details,
                    public_numbers: Vec::new(),
                };
                let hash: [u8; 32] = Sha256::digest(d.id.as_bytes()).into();
                (d, hash)
            })
            .unzip();
        content.links = vec![Vec::new(); docs.len()];
        content.excerpts = docs
            .iter()
            .map(|d| crate::content::excerpt(&d.body))
            .collect();
        content.docs = docs;
        content.hashes = hashes;
        content
    }

    /// The content of the small site, as `content::load` would return it.
    pub fn fixture() -> Content {
        let site = SiteConfig::parse("content/site.toml", SITE).unwrap();
        let departments = Departments::parse("content/departments.toml", DEPARTMENTS).unwrap();
        let calendar = Calendar::parse("content/calendar.toml", CALENDAR).unwrap();
        let mut docs: Vec<_> = SOURCES
            .iter()
            .map(|(stem, text)| {
                let d = parse_disclosure(&format!("content/{stem}.md"), stem, text)
                    .unwrap_or_else(|e| panic!("{stem}: {e:?}"));
                let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
                (d, hash)
            })
            .collect();
        docs.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (docs, hashes): (Vec<Disclosure>, _) = docs.into_iter().unzip();
        Content {
            dir: PathBuf::from("content"),
            site,
            departments,
            calendar,
            links: docs.iter().map(internal_links).collect(),
            excerpts: docs
                .iter()
                .map(|d| crate::content::excerpt(&d.body))
                .collect(),
            docs,
            hashes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{fixture, today};
    use super::*;
    use crate::log::PublicationLog;
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
        assert!(index
            .contains("<sitemap><loc>https://ggzy.example.gov.cn/sitemaps/sitemap-2.xml</loc>"));
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
}

//! `/data/ocds/release-package.json`: an Open Contracting Data Standard 1.1 release package, one
//! release per public notice or result, grouped by project (the choices the standard leaves to
//! the publisher are in [`super`]'s header). Never reads the clock: the package's date is the
//! build date.

use chrono::SecondsFormat;
use disclosure::model::{Bidder, Details, Organisation, Trade};
use disclosure::{Category, Disclosure, Stage, Yuan};

use super::pieces::{object_with_array, ItemFile, Piece, Reuse};
use super::{Absolute, Concat, DATA_LICENSE, OCDS_URL};
use crate::cache::ItemIndex;
use crate::feeds::published_at;
use serde::{Serialize, Serializer};

use crate::output::file_for_url;
use crate::site::Site;

/// The OCDS ocid prefix (`ocds-` and six characters). A placeholder: a real publisher registers
/// its own with the Open Contracting Partnership and sets it here.
pub const OCID_PREFIX: &str = "ocds-yg0000";
/// The OCDS bids extension, for losing and disqualified bids.
pub const BIDS_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

/// `/data/ocds/release-package.json`.
pub fn ocds_file(site: &Site, reuse: &Reuse<'_>) -> ItemFile {
    let (pieces, items) = release_package(site, reuse);
    ItemFile {
        path: file_for_url(OCDS_URL),
        pieces,
        items,
    }
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

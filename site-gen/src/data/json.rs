//! A disclosure's own JSON, `/data/disclosures/<id>.json` (every field, amounts as exact decimal
//! strings, barred winners as the result's page flags them), and the index of every public
//! disclosure, `/data/disclosures.json`. A disclosure's JSON depends only on that disclosure and
//! the site configuration, so the incremental build may rewrite it alone.

use chrono::NaiveDate;
use disclosure::model::{CreditList, CreditStatus, Details, Organisation, Trade};
use disclosure::{Category, Disclosure, Kind, Stage, Yuan};

use super::pieces::{object_with_array, ItemFile, Reuse};
use super::{disclosure_json_url, Absolute, Concat, DATA_LICENSE, INDEX_URL};
use crate::companies::Bar;
use serde::{Serialize, Serializer};

use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// An amount as a decimal string in yuan, `18650000.00`: exact, unlike a JSON number.
pub(crate) struct Decimal(Yuan);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.decimal())
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

/// The kind-specific fields, named as in the content format (also the `details` of the bulk
/// export, [`crate::bulk`]).
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum DetailsJson<'a> {
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
pub(crate) struct PartiesJson<'a> {
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
    pub(crate) fn of(trade: &'a Trade) -> Self {
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
pub(crate) struct BidderJson<'a> {
    name: &'a str,
    credit_code: &'a str,
    bid: Decimal,
    rank: u32,
    won: bool,
    disqualified: bool,
    reason: Option<&'a str>,
}

impl<'a> DetailsJson<'a> {
    pub(crate) fn of(d: &'a Disclosure) -> Self {
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

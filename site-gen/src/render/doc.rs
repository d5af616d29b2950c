//! One disclosure's page: title, meta, the fields of its kind (the bidders table, the penalty
//! decision, the credit entry judged on the build date, …), the Markdown body, and the publication
//! record (content hash and revisions).
//!
//! This page must depend only on the disclosure itself, the site configuration and departments,
//! the build date and the disclosure's own publication record: never on another disclosure's
//! content, with two exceptions. Whether a page its body links to has left the site (a link to a
//! penalty past its publicity is text marked 已过公示期); that changes with the build date (a clean
//! build) or with the linked file, and an incremental build in which a linked file changes its
//! publicity is made a clean one. And a result's barred-winner flag, read from the credit entries
//! and penalties of its winners' credit codes; an incremental build re-renders the results won by
//! the subject of a changed credit entry or penalty (before and after the change). The
//! incremental build re-renders one page per changed file and relies on this.

use disclosure::model::{Bidder, CreditEntry, CreditList, CreditStatus, Organisation, Penalty};
use disclosure::{routes, Details, Disclosure};
use maud::{html, Markup};

use super::{breadcrumb, list_of, nav_for, page_file};
use crate::log::Event;
use crate::markdown;
use crate::output::OutFile;
use crate::site::Site;

/// The page of one disclosure, at `d.url()`.
pub fn disclosure_page(site: &Site, d: &Disclosure) -> OutFile {
    let url = d.url();
    let department = d
        .department
        .as_deref()
        .and_then(|id| site.content.departments.get(id));
    let body = markdown::to_html_with(&d.body, &|path| site.is_withdrawn_url(path));
    let description = markdown::excerpt(&d.body, 120);
    let trail: Vec<(&str, &str)> = list_of(d).into_iter().collect();
    let main = html! {
        (breadcrumb(&trail, &d.title))
        article.doc {
            h1 { (d.title) }
            p.doc-meta {
                span { "发布日期：" time datetime=(d.date) { (d.date) @if let Some(t) = d.time { " " (t.format("%H:%M")) } } }
                @if let Some(u) = d.updated { span { "更新日期：" time datetime=(u) { (u) } } }
                @if let Some(dep) = department {
                    span { "发布部门：" a href=(routes::department(&dep.id)) { (dep.name) } }
                }
                @if let Some(r) = &d.region { span { "地区：" (r) } }
            }
            (details(site, d))
            (barred_winners(site, d))
            @if !body.is_empty() {
                div.body { (maud::PreEscaped(body)) }
            }
            (record(site, d))
        }
    };
    page_file(
        site,
        &url,
        &d.title,
        &description,
        None,
        nav_for(d.kind()),
        main,
    )
}

/// The kind-specific fields.
fn details(site: &Site, d: &Disclosure) -> Markup {
    match &d.details {
        Details::Notice { .. } | Details::Result { .. } => trade(d),
        Details::Penalty(p) => penalty(p),
        Details::Credit(c) => credit(site, c),
        Details::Power(p) => html! {
            dl.fields {
                div { dt { "权力编码" } dd { (p.code) } }
                div { dt { "权力类型" } dd { (p.power_type) } }
                div { dt { "设定依据" } dd { (p.basis) } }
                div { dt { "责任事项" } dd { ul { @for r in &p.responsibilities { li { (r) } } } } }
                div { dt { "追责情形" } dd { (p.accountability) } }
            }
        },
        Details::Inspection(i) => html! {
            dl.fields {
                div { dt { "抽查计划" } dd { (i.plan) } }
                div { dt { "检查对象" } dd { (company_link(&i.subject, &i.credit_code)) } }
                div { dt { "统一社会信用代码" } dd.code { (i.credit_code) } }
                div { dt { "检查方式" } dd { (i.method) } }
                div { dt { "检查结果" } dd { strong { (i.finding) } } }
                div { dt { "检查日期" } dd { time datetime=(i.checked_on) { (i.checked_on) } } }
            }
        },
        Details::ComplaintResult(c) => html! {
            dl.fields {
                div { dt { "投诉编号" } dd.code { (c.case_no) } }
                div { dt { "处理结果" } dd { strong { (c.outcome) } } }
                div { dt { "处理决定日期" } dd { time datetime=(c.decision_date) { (c.decision_date) } } }
            }
        },
        Details::Page => html! {},
    }
}

/// Notices and results: the project and stage, and for results the amount and the bidders.
fn trade(d: &Disclosure) -> Markup {
    let Some(t) = d.trade() else {
        return html! {};
    };
    html! {
        dl.fields {
            div { dt { "项目编号" } dd { a href=(routes::project(&t.project)) { (t.project) } " " span.muted { "（查看项目全流程）" } } }
            div { dt { "交易类别" } dd { (t.category.label()) } }
            div { dt { "项目阶段" } dd { (t.stage.label()) } }
            @if let Some(o) = &t.buyer { div { dt { (super::buyer_label(t.category)) } dd { (organisation(o)) } } }
            @if let Some(o) = &t.agency { div { dt { "代理机构" } dd { (organisation(o)) } } }
            @if let Details::Result { amount: Some(amount), .. } = &d.details {
                div { dt { (super::amount_label(d)) } dd.amount { (amount.display()) } }
            }
        }
        @if let Details::Result { bidders, .. } = &d.details {
            @if !bidders.is_empty() { (bidders_table(bidders)) }
        }
    }
}

/// The bidders in rank order: who won, who was disqualified and why, each name linking to the
/// company's page. On a phone each bidder is a card (the theme's CSS), every value labelled
/// from its cell's `data-label`, so a long reason wraps across the screen and the credit code
/// stays on it.
fn bidders_table(bidders: &[Bidder]) -> Markup {
    let mut rows: Vec<&Bidder> = bidders.iter().collect();
    // Ranked bidders first in rank order; disqualified ones (often unranked) after them.
    rows.sort_by_key(|b| (b.disqualified, b.rank == 0, b.rank));
    html! {
        div.table-scroll role="region" aria-labelledby="bidders-caption" tabindex="0" {
            table.bidders {
                caption #bidders-caption { "投标人及评审结果" }
                thead {
                    tr {
                        th scope="col" { "排名" }
                        th scope="col" { "投标人" }
                        th.num scope="col" { "投标报价" }
                        th scope="col" { "结果" }
                        th scope="col" { "统一社会信用代码" }
                    }
                }
                tbody {
                    @for b in rows {
                        @let class = if b.won { Some("won") } else if b.disqualified { Some("disqualified") } else { None };
                        tr class=[class] {
                            td.num data-label="排名" { @if b.rank > 0 && !b.disqualified { (b.rank) } @else { "—" } }
                            th.name scope="row" {
                                (company_link(&b.name, &b.credit_code))
                            }
                            td.num data-label="投标报价" { (b.bid.display()) }
                            td data-label="结果" {
                                @if b.won { span.badge.badge-won { "中标" } }
                                @else if b.disqualified {
                                    span.badge.badge-bad { "否决投标" }
                                    @if let Some(r) = &b.reason { span.reason { "原因：" (r) } }
                                } @else { "未中标" }
                            }
                            td.code data-label="统一社会信用代码" { (b.credit_code) }
                        }
                    }
                }
            }
        }
    }
}

/// A market entity's name, linking to its company page when it has a valid credit code (a
/// natural person's masked id has none).
fn company_link(name: &str, credit_code: &str) -> Markup {
    html! {
        @if disclosure::ident::check_uscc(credit_code).is_ok() {
            a href=(disclosure::routes::company(credit_code)) { (name) }
        } @else { (name) }
    }
}

/// A buyer or agency: its name, linking to its company page when a credit code is given.
fn organisation(o: &Organisation) -> Markup {
    company_link(&o.name, o.credit_code.as_deref().unwrap_or_default())
}

fn penalty(p: &Penalty) -> Markup {
    html! {
        dl.fields {
            div { dt { "决定文书号" } dd { (p.decision_no) } }
            div { dt { "当事人" } dd { (company_link(&p.subject, &p.subject_credit_code)) } }
            div { dt { "统一社会信用代码（证件号）" } dd.code { (p.subject_credit_code) } }
            div { dt { "违法行为" } dd { (p.violation) } }
            div { dt { "处罚依据" } dd { (p.basis) } }
            div { dt { "处罚内容" } dd { (p.penalty) } }
            @if let Some(fine) = p.fine { div { dt { "罚款金额" } dd.amount { (fine.display()) } } }
            div { dt { "处罚决定日期" } dd { time datetime=(p.decision_date) { (p.decision_date) } } }
            div { dt { "公示截止日期" } dd { time datetime=(p.public_until) { (p.public_until) } } }
        }
    }
}

/// The credit entry, with its state as of the build date.
fn credit(site: &Site, c: &CreditEntry) -> Markup {
    let state = c.state_label(site.today);
    let current = c.is_current(site.today);
    let measures = match c.list {
        CreditList::Red => "激励措施",
        CreditList::Black => "惩戒措施",
    };
    html! {
        dl.fields {
            div { dt { "名单" } dd { span.badge.badge-red[c.list == CreditList::Red].badge-black[c.list == CreditList::Black] { (c.list.label()) } } }
            div { dt { "主体名称" } dd { (company_link(&c.subject, &c.credit_code)) } }
            div { dt { "统一社会信用代码" } dd.code { (c.credit_code) } }
            div { dt { "列入事由" } dd { (c.reason) } }
            div { dt { "列入依据" } dd { (c.basis) } }
            div { dt { "有效期" } dd { time datetime=(c.from) { (c.from) } " 至 " time datetime=(c.until) { (c.until) } } }
            div {
                dt { "当前状态" }
                dd {
                    span.badge.badge-ok[current].badge-warn[!current && c.status == CreditStatus::Active] { (state) }
                    " " span.muted { "（按 " (site.today) " 判断）" }
                }
            }
            @if !c.measures.is_empty() {
                div { dt { (measures) } dd { ul { @for m in &c.measures { li { (m) } } } } }
            }
        }
    }
}

/// On an award (or contract): a winner that was, on its date, on the current black list or
/// inside a penalty that bars it from bidding (一处失信，处处受限), with the entry that barred it.
/// The one thing on this page read from other disclosures — its winners' credit entries and
/// penalties — so the incremental build re-renders the results a changed entry's subject won.
fn barred_winners(site: &Site, d: &Disclosure) -> Markup {
    let barred = crate::companies::barred_award(site, d);
    html! {
        @if !barred.is_empty() {
            section.alert role="alert" {
                h2 { "失信主体中标" }
                p { "以下中标人在中标之日处于失信名单或禁止投标期间（一处失信，处处受限），请监督部门核查：" }
                ul {
                    @for (b, bars) in &barred {
                        li { (company_link(&b.name, &b.credit_code)) "：" (super::bar_notes(site, bars)) }
                    }
                }
            }
        }
    }
}

/// 发布记录: what each date is. 发布日期 and 更新日期 are the disclosure's own (`date`,
/// `updated`: the day the issuing body published or revised it); 本站收录 and 本站收录修订稿 are
/// the days this site's publication log recorded the page and each revision. A page imported
/// months after it was issued is dated by the first and received by the second, so the two must
/// never share a label. Then the SHA-256 of the source file.
fn record(site: &Site, d: &Disclosure) -> Markup {
    let hash = site.source_hash(d);
    let received: Vec<(&str, chrono::NaiveDate)> = site
        .revisions(d)
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let label = match r.event {
                Event::Published if i == 0 => "本站收录",
                Event::Published => "本站重新收录",
                _ => "本站收录修订稿",
            };
            (label, r.date)
        })
        .collect();
    html! {
        aside.record aria-labelledby="record-title" {
            h2 #record-title { "发布记录" }
            dl.record-dates {
                div { dt { "发布日期" } dd { time datetime=(d.date) { (d.date) } " " span.muted { "（发布机关公布之日）" } } }
                @if let Some(u) = d.updated {
                    div { dt { "更新日期" } dd { time datetime=(u) { (u) } " " span.muted { "（发布机关最后修订之日）" } } }
                }
                @for (label, date) in &received {
                    div { dt { (label) } dd { time datetime=(date) { (date) } " " span.muted { "（记入本站发布日志之日）" } } }
                }
            }
            p {
                "内容指纹（SHA-256）："
                code.hash { (hash) }
            }
            p.note {
                "发布日期、更新日期由发布机关确定；本站收录日期是本站将该信息（或其修订稿）上网并记入 "
                a href="/data/log.json" { "公开的发布日志" }
                " 的日期，可据此核验页面未被改动。"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::Fixture;
    use expect_test::expect;
    use scraper::{Html, Selector};

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    fn pretty(html: &str) -> String {
        // One element per line, so a snapshot diff points at the row that changed.
        html.replace("<tr", "\n<tr")
            .replace("</tbody>", "\n</tbody>")
    }

    #[test]
    fn bidders_table_shows_rank_winner_and_disqualification() {
        let fx = Fixture::new();
        let site = fx.site();
        let Details::Result { bidders, .. } = &site.get("r-award").unwrap().details else {
            panic!("r-award is a result")
        };
        expect![[r#"
            <div class="table-scroll" role="region" aria-labelledby="bidders-caption" tabindex="0"><table class="bidders"><caption id="bidders-caption">投标人及评审结果</caption><thead>
            <tr><th scope="col">排名</th><th scope="col">投标人</th><th class="num" scope="col">投标报价</th><th scope="col">结果</th><th scope="col">统一社会信用代码</th></tr></thead><tbody>
            <tr class="won"><td class="num" data-label="排名">1</td><th class="name" scope="row"><a href="/companies/91410400MA0000001D/">河南某建设集团有限公司</a></th><td class="num" data-label="投标报价">12,860,000.00 元</td><td data-label="结果"><span class="badge badge-won">中标</span></td><td class="code" data-label="统一社会信用代码">91410400MA0000001D</td></tr>
            <tr><td class="num" data-label="排名">2</td><th class="name" scope="row"><a href="/companies/91410400MA0000002G/">平顶山某建工有限公司</a></th><td class="num" data-label="投标报价">13,125,500.50 元</td><td data-label="结果">未中标</td><td class="code" data-label="统一社会信用代码">91410400MA0000002G</td></tr>
            <tr class="disqualified"><td class="num" data-label="排名">—</td><th class="name" scope="row"><a href="/companies/91410400MA0000003K/">郑州某路桥工程有限公司</a></th><td class="num" data-label="投标报价">11,990,000.00 元</td><td data-label="结果"><span class="badge badge-bad">否决投标</span><span class="reason">原因：投标保证金未按招标文件要求提交</span></td><td class="code" data-label="统一社会信用代码">91410400MA0000003K</td></tr>
            </tbody></table></div>"#]]
        .assert_eq(&pretty(&bidders_table(bidders).into_string()));
    }

    #[test]
    fn credit_entry_state_is_judged_on_the_build_date() {
        let fx = Fixture::new();
        let site = fx.site();
        let state = |id: &str| {
            let Details::Credit(c) = &site.get(id).unwrap().details else {
                panic!("{id} is a credit entry")
            };
            let html = credit(&site, c).into_string();
            let start = html.find("<div><dt>当前状态").unwrap();
            let end = html[start..].find("</div>").unwrap() + start + 6;
            html[start..end].to_string()
        };
        expect![[r#"<div><dt>当前状态</dt><dd><span class="badge badge-ok">有效</span> <span class="muted">（按 2026-06-30 判断）</span></dd></div>"#]]
            .assert_eq(&state("black-current"));
        expect![[r#"<div><dt>当前状态</dt><dd><span class="badge badge-warn">已到期</span> <span class="muted">（按 2026-06-30 判断）</span></dd></div>"#]]
            .assert_eq(&state("black-expired"));
    }

    #[test]
    fn a_result_page_has_landmarks_one_h1_fields_body_and_record() {
        let fx = Fixture::new();
        let site = fx.site();
        let d = site.get("r-award").unwrap();
        let file = disclosure_page(&site, d);
        assert_eq!(file.path, "results/r-award/index.html");
        let html = String::from_utf8(file.bytes).unwrap();
        let doc = Html::parse_document(&html);
        assert_eq!(
            doc.select(&sel("html"))
                .next()
                .unwrap()
                .value()
                .attr("lang"),
            Some("zh-CN")
        );
        for landmark in ["header", "nav[aria-label=主导航]", "main#main", "footer"] {
            assert_eq!(doc.select(&sel(landmark)).count(), 1, "{landmark}");
        }
        assert_eq!(doc.select(&sel("h1")).count(), 1);
        assert_eq!(
            doc.select(&sel("a.skip"))
                .next()
                .unwrap()
                .value()
                .attr("href"),
            Some("#main")
        );
        // Every input has a label.
        for input in doc.select(&sel("input")) {
            let id = input.value().attr("id").expect("inputs have ids");
            assert_eq!(doc.select(&sel(&format!("label[for={id}]"))).count(), 1);
        }
        let project = doc
            .select(&sel("a[href='/projects/PDSJS-2026-001/']"))
            .count();
        assert_eq!(project, 1);
        assert!(html.contains("12,860,000.00 元"));
        assert_eq!(doc.select(&sel(".body .table-scroll table")).count(), 1);
        let hash: String = doc
            .select(&sel(".record .hash"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert_eq!(hash, site.source_hash(d));
        assert_eq!(hash.len(), 64);
        assert!(html.contains("本站收录"));
        let footer: String = doc.select(&sel("footer")).next().unwrap().text().collect();
        for id in [
            "4104000001",
            "豫ICP备00000000号-1",
            "豫公网安备 41040202000001号",
        ] {
            assert!(footer.contains(id), "{id}");
        }
    }

    #[test]
    fn raw_html_in_a_body_is_escaped_on_the_page() {
        let fx = Fixture::new();
        let site = fx.site();
        let file = disclosure_page(&site, site.get("n-tender").unwrap());
        let html = String::from_utf8(file.bytes).unwrap();
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    }

    #[test]
    fn every_kind_renders_its_fields() {
        let fx = Fixture::new();
        let site = fx.site();
        let text = |id: &str| {
            String::from_utf8(disclosure_page(&site, site.get(id).unwrap()).bytes).unwrap()
        };
        let p = text("p-1");
        for s in [
            "平建罚〔2026〕12号",
            "64,000.00 元",
            "公示截止日期",
            "2026-12-31",
        ] {
            assert!(p.contains(s), "{s}");
        }
        let power = text("power-zjj-1");
        assert!(power.contains("XZCF-ZJJ-001") && power.contains("调查责任"));
        let ins = text("ins-1");
        assert!(ins.contains("书面检查") && ins.contains("责令整改"));
        let ts = text("ts-1");
        assert!(ts.contains("TS-20260414-000003-X") && ts.contains("驳回投诉"));
        let about = disclosure_page(&site, site.get("about").unwrap());
        assert_eq!(about.path, "about/index.html");
    }
}

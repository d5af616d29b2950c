//! Project timelines: one page per project code with every stage in order and the stages the
//! rules require that are missing or late, each shown with the rule it breaks, its buyer and
//! agency, a winner that was barred on the award date, and the complaints and penalties about the
//! project with their outcomes; and the index of all projects.

use disclosure::timeline::Flag;
use disclosure::{routes, Details, Disclosure, ProjectTimeline};
use maud::{html, Markup};
use rayon::prelude::*;
use themes::Nav;

use super::{bar_notes, breadcrumb, page_count, page_file, page_suffix, pagination, PER_PAGE};
use crate::output::OutFile;
use crate::site::Site;

/// The timeline, as an ordered list of stages.
fn timeline(p: &ProjectTimeline) -> Markup {
    html! {
        ol.timeline {
            @for stage in p.stages() {
                @let docs: Vec<_> = p.entries.iter().filter(|d| d.trade().is_some_and(|t| t.stage == stage)).collect();
                @let flags: Vec<&Flag> = p.flags_for(stage).collect();
                @let missing = docs.is_empty();
                li.stage.stage-missing[missing].stage-flagged[!missing && !flags.is_empty()] id={ "stage-" (stage.key()) } {
                    h2 {
                        (stage.label())
                        @if missing { " " span.badge.badge-bad { "缺少" } }
                        @else if !flags.is_empty() { " " span.badge.badge-warn { "不合规" } }
                    }
                    @if missing {
                        p.muted { "本阶段应公开的信息尚未发布。" }
                    } @else {
                        ul {
                            @for d in &docs {
                                li {
                                    time datetime=(d.date) { (d.date) } " "
                                    a href=(d.url()) { (d.title) }
                                }
                            }
                        }
                    }
                    @for f in &flags {
                        div.flag.flag-missing[matches!(f, Flag::Missing { .. })] {
                            p.flag-summary { (f.summary()) }
                            p.flag-rule { "依据：" (f.rule()) }
                        }
                    }
                }
            }
        }
    }
}

/// A project's whole life on one page, at `/projects/<code>/`.
pub fn project_page(site: &Site, p: &ProjectTimeline) -> OutFile {
    let url = routes::project(&p.code);
    let title = p.title();
    let first = p.entries.iter().find_map(|d| d.trade().map(|t| (d, t)));
    let department = p
        .supervising_department()
        .and_then(|id| site.content.departments.get(id));
    let about: &[&Disclosure] = site
        .about_project
        .get(p.code.as_str())
        .map_or(&[], |v| v.as_slice());
    let complaints: Vec<&Disclosure> = about
        .iter()
        .copied()
        .filter(|d| matches!(d.details, Details::ComplaintResult(_)))
        .collect();
    let penalties: Vec<&Disclosure> = about
        .iter()
        .copied()
        .filter(|d| matches!(d.details, Details::Penalty(_)))
        .collect();
    let barred: Vec<_> = p
        .entries
        .iter()
        .flat_map(|d| {
            crate::companies::barred_award(site, d)
                .into_iter()
                .map(move |(b, bars)| (*d, b, bars))
        })
        .collect();
    let main = html! {
        (breadcrumb(&[("/projects/", "项目全流程")], &p.code))
        h1 { (title) }
        dl.fields {
            div { dt { "项目编号" } dd.code { (p.code) } }
            @if let Some((_, t)) = first { div { dt { "交易类别" } dd { (t.category.label()) } } }
            @if let Some(dep) = department {
                div { dt { "监督部门" } dd { a href=(routes::department(&dep.id)) { (dep.name) } } }
            }
            @if let Some(o) = p.entries.iter().rev().find_map(|d| d.trade().and_then(|t| t.buyer.as_ref())) {
                div { dt { "采购人（招标人）" } dd { (organisation(o)) } }
            }
            @if let Some(o) = p.entries.iter().rev().find_map(|d| d.trade().and_then(|t| t.agency.as_ref())) {
                div { dt { "代理机构" } dd { (organisation(o)) } }
            }
            div {
                dt { "合规检查" }
                dd {
                    @if p.flags.is_empty() { span.badge.badge-ok { "未发现问题" } }
                    @else {
                        span.flag-count { "发现 " (p.flags.len()) " 处问题" }
                        ul {
                            @for f in &p.flags {
                                li { a href={ "#stage-" (f.stage().key()) } { (f.summary()) } }
                            }
                        }
                    }
                }
            }
        }
        @if !barred.is_empty() {
            section.alert role="alert" {
                h2 { "失信主体中标" }
                p { "以下中标人在中标之日处于失信名单或禁止投标期间（一处失信，处处受限），请监督部门核查：" }
                ul {
                    @for (d, b, bars) in &barred {
                        li {
                            a href=(routes::company(&b.credit_code)) { (b.name) }
                            "（" a href=(d.url()) { (d.title) } "，" (d.date) "）："
                            (bar_notes(site, bars))
                        }
                    }
                }
            }
        }
        h2.visually-hidden { "项目各阶段" }
        (timeline(p))
        @if !complaints.is_empty() {
            section {
                h2 { "投诉处理结果" }
                ul {
                    @for d in &complaints {
                        li {
                            a href=(d.url()) { (d.title) } "（" (d.date) "）"
                            @if let Details::ComplaintResult(c) = &d.details { "：" (c.outcome) }
                        }
                    }
                }
            }
        }
        @if !penalties.is_empty() {
            section {
                h2 { "本项目中的行政处罚" }
                ul {
                    @for d in &penalties {
                        li {
                            a href=(d.url()) { (d.title) } "（" (d.date) "）"
                            @if let Details::Penalty(x) = &d.details { "：" (x.penalty) }
                        }
                    }
                }
            }
        }
        p.note {
            "阶段按项目流程排列；标为“缺少”或“不合规”的阶段依据所列法规条款，按 "
            (site.today) " 的公开情况自动检查。如有异议，可"
            a href="/submit" { "在线提交" } "。"
        }
    };
    let description = format!("项目 {} 的全流程公开信息：{}", p.code, title);
    page_file(site, &url, title, &description, None, Nav::Projects, main)
}

/// A buyer or agency: its company page when it has a credit code, else its name.
fn organisation(o: &disclosure::model::Organisation) -> Markup {
    html! {
        @match &o.credit_code {
            Some(code) => a href=(routes::company(code)) { (o.name) },
            None => (o.name),
        }
    }
}

/// The date of a project's latest disclosure, for ordering newest first.
fn latest(p: &ProjectTimeline) -> chrono::NaiveDate {
    p.entries.iter().map(|d| d.date).max().unwrap_or_default()
}

/// `/projects/`: every project, newest first, with its current stage and its problems count.
pub fn projects_index(site: &Site) -> Vec<OutFile> {
    let mut projects: Vec<(&ProjectTimeline, chrono::NaiveDate)> =
        site.projects.values().map(|p| (p, latest(p))).collect();
    projects.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.code.cmp(&b.0.code)));
    let flagged = projects.iter().filter(|(p, _)| !p.flags.is_empty()).count();
    let pages = page_count(projects.len());
    (1..=pages)
        .into_par_iter()
        .map(|n| {
            let start = (n - 1) * PER_PAGE;
            let slice = &projects[start.min(projects.len())..(start + PER_PAGE).min(projects.len())];
            let title = page_suffix("项目全流程", n);
            let main = html! {
                (breadcrumb(&[], "项目全流程"))
                h1 { (title) }
                p.lede {
                    "每个项目从审批、招标到中标、合同的全部公开信息集中在一页；"
                    "依法应公开但缺少或逾期的阶段会标出并注明依据。共 " (projects.len()) " 个项目，其中 "
                    (flagged) " 个发现问题。"
                }
                @if slice.is_empty() {
                    p.empty { "暂无项目。交易公告和结果发布后，项目会按项目编号自动归集到这里。" }
                } @else {
                    ul.items {
                        @for (p, date) in slice {
                            @let last_stage = p.entries.iter().filter_map(|d| d.trade()).map(|t| t.stage).max();
                            @let category = p.entries.iter().find_map(|d| d.trade()).map(|t| t.category);
                            li.item {
                                a.item-title href=(routes::project(&p.code)) { (p.title()) }
                                p.item-meta {
                                    span { (p.code) }
                                    time datetime=(date) { (date) }
                                    @if let Some(c) = category { span.badge.badge-cat { (c.label()) } }
                                    @if let Some(s) = last_stage { span.badge.badge-stage { "进展：" (s.label()) } }
                                    @if p.flags.is_empty() { span { "未发现问题" } }
                                    @else { span.flag-count { (p.flags.len()) " 处问题" } }
                                }
                            }
                        }
                    }
                }
                (pagination("/projects/", n, pages, projects.len()))
            };
            page_file(
                site,
                &routes::list_page("/projects/", n),
                &title,
                "公共资源交易项目全流程信息及合规检查",
                None,
                Nav::Projects,
                main,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::Fixture;
    use expect_test::expect;
    use scraper::{Html, Selector};

    #[test]
    fn timeline_marks_a_late_and_a_missing_stage_with_their_rules() {
        let fx = Fixture::new();
        let site = fx.site();
        let p = &site.projects["PDSJS-2026-001"];
        let html = timeline(p)
            .into_string()
            .replace("<li class=\"stage", "\n<li class=\"stage");
        expect![[r#"
            <ol class="timeline">
            <li class="stage" id="stage-tender"><h2>招标/采购公告</h2><ul><li><time datetime="2026-03-02">2026-03-02</time> <a href="/notices/n-tender/">新城区第一小学教学楼建设工程施工招标公告</a></li></ul></li>
            <li class="stage stage-flagged" id="stage-candidates"><h2>中标候选人公示 <span class="badge badge-warn">不合规</span></h2><ul><li><time datetime="2026-04-01">2026-04-01</time> <a href="/results/r-candidates/">新城区第一小学教学楼建设工程中标候选人公示</a></li></ul><div class="flag"><p class="flag-summary">中标候选人公示：公示期仅 1 日（2026-04-01 至 2026-04-02），不足 3 日</p><p class="flag-rule">依据：依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人，公示期不得少于3日（《中华人民共和国招标投标法实施条例》第五十四条）</p></div></li>
            <li class="stage" id="stage-award"><h2>中标（成交）结果</h2><ul><li><time datetime="2026-04-02">2026-04-02</time> <a href="/results/r-award/">新城区第一小学教学楼建设工程中标结果公告</a></li></ul></li>
            <li class="stage stage-missing" id="stage-contract"><h2>合同订立 <span class="badge badge-bad">缺少</span></h2><p class="muted">本阶段应公开的信息尚未发布。</p><div class="flag flag-missing"><p class="flag-summary">缺少：合同订立</p><p class="flag-rule">依据：招标人和中标人应当自中标通知书发出之日起三十日内订立书面合同（《中华人民共和国招标投标法》第四十六条；《中华人民共和国政府采购法》第四十六条）</p></div></li></ol>"#]].assert_eq(&html);
    }

    #[test]
    fn project_page_shows_the_rule_text_and_links_each_disclosure() {
        let fx = Fixture::new();
        let site = fx.site();
        let p = &site.projects["PDSJS-2026-001"];
        let file = project_page(&site, p);
        assert_eq!(file.path, "projects/PDSJS-2026-001/index.html");
        let html = String::from_utf8(file.bytes).unwrap();
        let doc = Html::parse_document(&html);
        let sel = |s: &str| Selector::parse(s).unwrap();
        assert_eq!(doc.select(&sel("h1")).count(), 1);
        let text: String = doc.select(&sel("main")).next().unwrap().text().collect();
        assert!(
            text.contains("第五十四条"),
            "the rule is on the page, not in a tooltip"
        );
        assert!(text.contains("第四十六条"));
        for id in ["n-tender", "r-candidates", "r-award"] {
            assert_eq!(
                doc.select(&sel(&format!("a[href$='/{id}/']"))).count(),
                1,
                "{id}"
            );
        }
        let stages: Vec<String> = doc
            .select(&sel("ol.timeline > li"))
            .map(|li| li.value().attr("id").unwrap().to_string())
            .collect();
        assert_eq!(
            stages,
            [
                "stage-tender",
                "stage-candidates",
                "stage-award",
                "stage-contract"
            ]
        );
    }

    #[test]
    fn projects_index_counts_problems() {
        let fx = Fixture::new();
        let site = fx.site();
        let files = projects_index(&site);
        assert_eq!(files.len(), 1);
        let html = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(html.contains("2 处问题"), "{html}");
    }
}

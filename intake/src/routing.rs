//! Which department receives a case, and why: the department supervising the named project
//! (from the disclosures), else the department whose categories include the submission's
//! category (`departments.toml`), else the committee office. The reason is stored with the case
//! and shown to the submitter.

use disclosure::Category;

use crate::content::ContentData;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Department id.
    pub department: String,
    /// Why, in Chinese, for the submitter.
    pub reason: String,
    /// The category the rules apply (the project's when a project was named).
    pub category: Option<Category>,
}

pub fn route(content: &ContentData, project: Option<&str>, category: Option<Category>) -> Route {
    let departments = &content.departments;
    if let Some(code) = project {
        if let Some(p) = content.projects.get(code) {
            if let Some(d) = departments.get(&p.department) {
                return Route {
                    department: d.id.clone(),
                    reason: format!("项目 {code} 由 {} 监督", d.short),
                    category: Some(p.category),
                };
            }
        }
    }
    if let Some(category) = category {
        if let Some(d) = departments.for_category(category) {
            let unknown = project
                .map(|code| format!("项目编号 {code} 未在公开信息中找到；"))
                .unwrap_or_default();
            return Route {
                department: d.id.clone(),
                reason: format!("{unknown}按类别“{}”由 {} 受理", category.label(), d.short),
                category: Some(category),
            };
        }
    }
    let fallback = departments.fallback();
    let reason = match (project, category) {
        (Some(code), _) => format!(
            "项目编号 {code} 未在公开信息中找到，由{}受理",
            fallback.short
        ),
        (None, Some(c)) => format!(
            "类别“{}”无对应监督部门，由{}受理",
            c.label(),
            fallback.short
        ),
        (None, None) => format!("未指明项目与类别，由{}受理", fallback.short),
    };
    Route {
        department: fallback.id.clone(),
        reason,
        category,
    }
}

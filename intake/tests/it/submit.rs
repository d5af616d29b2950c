//! Submitting: the JSON API and the form, every rule of every kind, routing, attachments.

use serde_json::json;

use crate::support::{Options, TestApp, PROJECT};

fn number_format(n: &str) -> bool {
    let parts: Vec<&str> = n.split('-').collect();
    parts.len() == 4
        && ["TS", "YY", "JB", "JY"].contains(&parts[0])
        && parts[1].len() == 8
        && parts[1].bytes().all(|b| b.is_ascii_digit())
        && parts[2].len() == 6
        && parts[2].bytes().all(|b| b.is_ascii_digit())
        && parts[3].len() == 1
}

#[tokio::test]
async fn complaint_is_numbered_routed_by_project_and_given_a_deadline() {
    let app = TestApp::start().await;
    let (status, v) = app
        .submit_json(json!({
            "kind": "complaint", "title": "评标不公", "content": "评标委员会未按招标文件评审。",
            "project": PROJECT, "name": "测试建设有限公司", "phone": "13800000000",
        }))
        .await;
    assert_eq!(status, 201, "{v}");
    let number = v["tracking_number"].as_str().unwrap();
    assert!(number.starts_with("TS-20260928-000001-"), "{number}");
    assert!(number_format(number), "{number}");
    assert_eq!(
        intake::tracking::normalize_key(v["access_key"].as_str().unwrap()).len(),
        26
    );
    assert_eq!(v["department"], "测试市住房和城乡建设局");
    // Received Monday 28 September: 3 working days are 29, 30 September and 8 October.
    assert_eq!(v["deadline"], "2026-10-08");

    // The key is stored only as an argon2id hash.
    let case = intake::cases::find_by_number(&app.state.db, number)
        .await
        .unwrap()
        .unwrap();
    assert!(case.access_key_hash.starts_with("$argon2id$"));
    assert!(!case
        .access_key_hash
        .contains(v["access_key"].as_str().unwrap()));
    assert_eq!(
        case.routing_reason,
        format!("项目 {PROJECT} 由 住建局 监督")
    );

    // The sequence counts up within the day, across kinds.
    let (status, v) = app
        .submit_json(
            json!({"kind": "suggestion", "title": "建议", "content": "建议公开更多信息。"}),
        )
        .await;
    assert_eq!(status, 201);
    assert!(v["tracking_number"]
        .as_str()
        .unwrap()
        .starts_with("JY-20260928-000002-"));
    // 15 working days from 28 September, across the holiday and the make-up Saturday.
    assert_eq!(v["deadline"], "2026-10-23");
}

#[tokio::test]
async fn routing_by_project_then_category_then_committee_office() {
    let app = TestApp::start().await;
    let report = |extra: serde_json::Value| {
        let mut b = json!({"kind": "report", "title": "举报", "content": "有人围标。"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    // The project's department wins over its category (a procurement project under 住建局).
    let (_, v) = app
        .submit_json(report(
            json!({"project": "PDSCG-2026-002", "category": "construction"}),
        ))
        .await;
    assert_eq!(v["department"], "测试市住房和城乡建设局");
    let (_, v) = app
        .submit_json(report(json!({"category": "procurement"})))
        .await;
    assert_eq!(v["department"], "测试市财政局");
    let (_, v) = app
        .submit_json(report(
            json!({"project": "NO-SUCH-1", "category": "procurement"}),
        ))
        .await;
    assert_eq!(v["department"], "测试市财政局");
    let (_, v) = app.submit_json(report(json!({}))).await;
    assert_eq!(v["department"], "测试市公共资源交易管理委员会办公室");
    let case = intake::cases::find_by_number(&app.state.db, v["tracking_number"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.routing_reason, "未指明项目与类别，由公管办受理");
    assert!(case.is_anonymous(), "a report may be anonymous");
}

#[tokio::test]
async fn every_missing_or_bad_field_is_named_in_chinese() {
    let app = TestApp::start().await;
    let complaint = json!({
        "kind": "complaint", "title": "标题", "content": "内容", "name": "张三", "phone": "13800000000",
    });
    for (field, expect) in [
        ("kind", "请选择类型"),
        ("title", "请填写标题"),
        ("content", "请填写具体内容"),
        ("name", "投诉须提供真实姓名"),
    ] {
        let mut b = complaint.clone();
        b.as_object_mut().unwrap().remove(field);
        let (status, v) = app.submit_json(b).await;
        assert_eq!(status, 422, "{field}: {v}");
        let msg = v["errors"][field].as_str().unwrap_or_default();
        assert!(msg.contains(expect), "{field}: {v}");
    }
    let mut no_contact = complaint.clone();
    no_contact.as_object_mut().unwrap().remove("phone");
    let (status, v) = app.submit_json(no_contact).await;
    assert_eq!(status, 422);
    assert!(
        v["errors"]["phone"]
            .as_str()
            .unwrap()
            .contains("联系电话或电子邮箱"),
        "{v}"
    );

    let cases = [
        (
            json!({"kind": "objection", "title": "t", "content": "c"}),
            "project",
            "异议须填写所涉项目编号",
        ),
        (
            json!({"kind": "objection", "title": "t", "content": "c", "project": "PDSJS-2099-999"}),
            "project",
            "未找到该项目编号",
        ),
        (
            json!({"kind": "letter", "title": "t", "content": "c"}),
            "kind",
            "类型无效",
        ),
        (
            json!({"kind": "report", "title": "t", "content": "c", "category": "food"}),
            "category",
            "类别无效",
        ),
        (
            json!({"kind": "report", "title": "t", "content": "c", "email": "not-an-address"}),
            "email",
            "电子邮箱格式不正确",
        ),
        (
            json!({"kind": "report", "title": "t", "content": "c", "phone": "call me"}),
            "phone",
            "联系电话格式不正确",
        ),
        (
            json!({"kind": "report", "title": "t".repeat(201), "content": "c"}),
            "title",
            "不能超过 200 个字",
        ),
        (
            json!({"kind": "report", "title": "t", "content": "c", "extra": "x"}),
            "extra",
            "未知字段",
        ),
        (
            json!({"kind": "report", "title": 5, "content": "c"}),
            "title",
            "应为字符串",
        ),
        (
            json!({"kind": "report", "title": "   ", "content": "c"}),
            "title",
            "请填写标题",
        ),
    ];
    for (body, field, expect) in cases {
        let (status, v) = app.submit_json(body.clone()).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert!(
            v["errors"][field]
                .as_str()
                .unwrap_or_default()
                .contains(expect),
            "{body}: {v}"
        );
    }
    // Not JSON at all.
    let r = app
        .client
        .post(app.url("/api/submissions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Nothing was stored.
    assert!(intake::cases::list(&app.state.db, None)
        .await
        .unwrap()
        .is_empty());
    // An objection to a published project and an anonymous report are fine.
    let (status, _) = app
        .submit_json(json!({"kind": "objection", "title": "t", "content": "c", "project": PROJECT}))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn json_body_over_the_limit_is_refused() {
    let app = TestApp::start().await;
    let r = app
        .client
        .post(app.url("/api/submissions"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"kind\":\"report\",\"title\":\"t\",\"content\":\"{}\"}}",
            "x".repeat(300_000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

fn form(fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut f = reqwest::multipart::Form::new();
    for (k, v) in fields {
        f = f.text(k.to_string(), v.to_string());
    }
    f
}

fn file(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes).file_name(name.to_string())
}

pub fn pdf_bytes(n: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec();
    b.resize(n.max(b.len()), b' ');
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

/// A minimal DOCX: a ZIP whose first entries are [Content_Types].xml, _rels/.rels and word/….
fn docx_bytes() -> Vec<u8> {
    let mut out = Vec::new();
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/_rels/document.xml.rels",
    ] {
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        out.extend_from_slice(&[0; 4]); // crc
        out.extend_from_slice(&100u32.to_le_bytes()); // compressed size
        out.extend_from_slice(&100u32.to_le_bytes()); // size
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&[b' '; 100]);
    }
    out
}

fn small_limits() -> Options {
    Options {
        extra_config: "[limits]\nmax_attachment_bytes = 4096\n".into(),
        ..Options::default()
    }
}

#[tokio::test]
async fn the_form_works_without_javascript_and_keeps_what_was_typed() {
    let app = TestApp::with(small_limits()).await;
    let page = app.client.get(app.url("/submit")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\""));
    for id in [
        "title",
        "content",
        "project",
        "category",
        "name",
        "phone",
        "email",
        "attachments",
    ] {
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "label for {id}"
        );
    }
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(!html.contains("<script"), "no JavaScript");

    // A complaint without a name: the error is next to the name field, the rest is kept.
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(form(&[
            ("kind", "complaint"),
            ("title", "开标时间被擅自更改"),
            (
                "content",
                "<script>alert(1)</script>开标时间未经公告即提前。",
            ),
            ("phone", "13800000000"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(html.contains("投诉须提供真实姓名或单位名称"));
    assert!(html.contains("value=\"开标时间被擅自更改\""));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;开标时间未经公告即提前。"));
    assert!(!html.contains("<script>alert(1)"), "typed text is escaped");
    assert!(html.contains("value=\"complaint\" checked"));
    assert!(html.contains("aria-describedby=\"name-error\""));
}

#[tokio::test]
async fn attachments_are_recognised_by_content_and_stored_privately() {
    let app = TestApp::with(small_limits()).await;
    let fields = [
        ("kind", "report"),
        ("title", "围标"),
        ("content", "多家投标人标书雷同。"),
    ];
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(
            form(&fields)
                .part("attachments", file("证据.pdf", pdf_bytes(1000)))
                .part("attachments", file("比对.docx", docx_bytes())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let number = html
        .split("id=\"tracking-number\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let case = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    let files = intake::cases::attachments(&app.state.db, case.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].content_type, "application/pdf");
    assert_eq!(files[0].file_name, "证据.pdf");
    assert!(
        files[1].content_type.contains("wordprocessingml"),
        "{:?}",
        files[1]
    );
    let stored = app.state.attachments_dir.join(&files[0].stored_path);
    assert_eq!(std::fs::read(&stored).unwrap(), pdf_bytes(1000));
    // Never served: no public route reaches the attachment folder.
    for path in [
        format!("/{}", files[0].stored_path),
        format!("/attachments/{}", files[0].stored_path),
    ] {
        let r = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }

    // A program renamed to .pdf, a text file, an empty file, an oversized file, six files.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00PE\0\0".to_vec();
    for (name, bytes, expect) in [
        ("invoice.pdf", exe, "类型不支持"),
        ("note.pdf", b"hello, I am text".to_vec(), "类型不支持"),
        ("empty.pdf", Vec::new(), "为空"),
        ("big.pdf", pdf_bytes(5000), "超过"),
    ] {
        let r = app
            .client
            .post(app.url("/submit"))
            .multipart(form(&fields).part("attachments", file(name, bytes)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"attachments-error\""), "{name}");
        assert!(html.contains(expect), "{name}: {expect}");
    }
    let mut six = form(&fields);
    for i in 0..6 {
        six = six.part("attachments", file(&format!("{i}.pdf"), pdf_bytes(100)));
    }
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(six)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("附件最多 5 个"));
    // Refused submissions left nothing behind: one case, two files.
    assert_eq!(
        intake::cases::list(&app.state.db, None)
            .await
            .unwrap()
            .len(),
        1
    );
    let mut stored_files = 0;
    for e in walk(&app.state.attachments_dir) {
        if !e
            .strip_prefix(app.state.attachments_dir.as_path())
            .unwrap()
            .starts_with("tmp")
        {
            stored_files += 1;
        }
    }
    assert_eq!(stored_files, 2);

    // A whole body over the limit (5 × 4 KiB + 1 MiB of form) is cut off with 413.
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(form(&fields).part("attachments", file("huge.pdf", pdf_bytes(2 * 1024 * 1024))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

//! What the public side takes and how it refuses: text that is not UTF-8 or holds control
//! characters is a 422 naming the field (form, urlencoded and JSON alike); every error of the
//! JSON API, axum's own rejections included, answers in one Chinese JSON shape; a long list of
//! errors is capped; `/api/submissions` takes `application/json` only.

use serde_json::{json, Value};

use crate::support::{Options, TestApp};

fn is_error_shape(v: &Value) -> bool {
    v["error"].as_str().is_some_and(|m| {
        // Chinese, not axum's English.
        m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    })
}

async fn raw_post(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, String, String) {
    let mut r = app.client.post(app.url(path)).body(body);
    if let Some(t) = content_type {
        r = r.header("content-type", t);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

async fn count_cases(app: &TestApp) -> usize {
    intake::cases::list(&app.state.db, None)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn text_that_is_not_utf8_is_refused_naming_the_field() {
    let app = TestApp::start().await;
    // Multipart: the title's bytes are GBK, not UTF-8.
    let form = reqwest::multipart::Form::new()
        .text("kind", "report")
        .part(
            "title",
            reqwest::multipart::Part::bytes(b"\xb9\xab\xb8\xe6".to_vec()),
        )
        .text("content", "内容");
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"title-error\""), "{html}");
    assert!(html.contains("不是有效的 UTF-8 编码"), "{html}");
    assert!(!html.contains('\u{fffd}'), "no replacement character shown");

    // Urlencoded, as a form without enctype or a script sends it.
    let (status, _, html) = raw_post(
        &app,
        "/submit",
        Some("application/x-www-form-urlencoded"),
        b"kind=report&title=%E6%A0%87%E9%A2%98&content=%B9%AB%B8%E6".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"content-error\""), "{html}");
    assert!(html.contains("value=\"标题\""), "what was typed is kept");
    assert_eq!(count_cases(&app).await, 0);

    // A good urlencoded form is received.
    let (status, _, html) = raw_post(
        &app,
        "/submit",
        Some("application/x-www-form-urlencoded"),
        b"kind=report&title=%E6%A0%87%E9%A2%98&content=%E5%86%85%E5%AE%B9%0D%0A%E7%AC%AC%E4%BA%8C%E8%A1%8C"
            .to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{html}");
    assert!(html.contains("id=\"tracking-number\""));
}

#[tokio::test]
async fn control_characters_are_refused_naming_the_field() {
    let app = TestApp::start().await;
    for (field, value) in [
        ("title", "标题\u{0}隐藏"),
        ("title", "标题\u{1b}[2J"),
        ("title", "第一行\n第二行"),
        ("name", "张\u{7}三"),
        ("project", "PDSJS-2026-001\u{0}"),
        ("content", "内容\u{0}"),
        ("content", "内容\u{9b}31m"),
    ] {
        let mut body = json!({"kind": "report", "title": "t", "content": "c"});
        body[field] = value.into();
        let (status, v) = app.submit_json(body).await;
        assert_eq!(status, 422, "{field} {value:?}: {v}");
        let msg = v["errors"][field].as_str().unwrap_or_default();
        assert!(
            msg.contains("控制字符") || msg.contains("不能换行"),
            "{field} {value:?}: {v}"
        );
    }
    // The form refuses them the same way.
    let form = reqwest::multipart::Form::new()
        .text("kind", "report")
        .text("title", "标题\u{0}")
        .text("content", "内容");
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"title-error\""));
    assert_eq!(count_cases(&app).await, 0);
    // Line breaks and tabs in the content are what content is made of.
    let (status, v) = app
        .submit_json(
            json!({"kind": "report", "title": "t", "content": "第一段\r\n\t第二段\n第三段"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
}

#[tokio::test]
async fn every_error_of_the_json_api_has_one_chinese_shape() {
    let app = TestApp::with(Options {
        extra_config: "[limits]\nmax_attachments = 5\n".into(),
        ..Options::default()
    })
    .await;
    let big = format!(
        "{{\"kind\":\"report\",\"title\":\"t\",\"content\":\"{}\"}}",
        "x".repeat(300_000)
    );
    // Too large, with a length…
    let (status, ct, body) = raw_post(
        &app,
        "/api/submissions",
        Some("application/json"),
        big.clone().into_bytes(),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(is_error_shape(&v), "{v}");
    assert!(
        v["errors"]["body"].as_str().unwrap().contains("256 KB"),
        "{v}"
    );
    // …and streamed without one (chunked).
    let head = chunked_post(&app, "/api/submissions", big.as_bytes()).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let json = head.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(json.contains("\"error\""), "{head}");

    for (what, ct, body, expect) in [
        ("not JSON", Some("application/json"), "{not json", 400),
        (
            "a raw NUL",
            Some("application/json"),
            "{\"title\":\"\u{0}\"}",
            400,
        ),
        ("an array", Some("application/json"), "[1,2]", 422),
        (
            "a wrong type",
            Some("application/json"),
            "{\"title\":[1]}",
            422,
        ),
        ("no content type", None, "{}", 415),
        (
            "text/plain",
            Some("text/plain"),
            "{\"kind\":\"report\"}",
            415,
        ),
        (
            "a form",
            Some("application/x-www-form-urlencoded"),
            "kind=report&title=t&content=c",
            415,
        ),
        (
            "multipart",
            Some("multipart/form-data; boundary=x"),
            "--x--\r\n",
            415,
        ),
        (
            "another charset",
            Some("application/json; charset=gbk"),
            "{}",
            415,
        ),
        ("JSON look-alike", Some("application/jsonp"), "{}", 415),
    ] {
        let (status, ct, text) =
            raw_post(&app, "/api/submissions", ct, body.as_bytes().to_vec()).await;
        assert_eq!(status, expect, "{what}: {text}");
        assert!(ct.starts_with("application/json"), "{what}: {ct}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
        assert!(is_error_shape(&v), "{what}: {v}");
    }
    let bad_utf8 = b"{\"kind\":\"report\",\"title\":\"\xff\xfe\",\"content\":\"c\"}".to_vec();
    let (status, _, text) =
        raw_post(&app, "/api/submissions", Some("application/json"), bad_utf8).await;
    assert_eq!(status, 400, "{text}");
    assert!(is_error_shape(&serde_json::from_str(&text).unwrap()));

    // What the router answers by itself: a wrong method.
    let r = app
        .client
        .get(app.url("/api/submissions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().contains_key("allow"));
    let v: Value = r.json().await.unwrap();
    assert!(is_error_shape(&v), "{v}");
    // A multipart form without its boundary.
    let (status, ct, text) = raw_post(
        &app,
        "/submit",
        Some("multipart/form-data"),
        b"kind=report".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(ct.starts_with("application/json"));
    assert!(is_error_shape(&serde_json::from_str(&text).unwrap()));

    // JSON with its charset is fine, and nothing refused was stored.
    assert_eq!(count_cases(&app).await, 0);
    let (status, _, text) = raw_post(
        &app,
        "/api/submissions",
        Some("application/json; charset=UTF-8"),
        br#"{"kind":"report","title":"t","content":"c"}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{text}");
}

/// POSTs `body` as JSON in 16 KiB chunks (no Content-Length); returns what the server said.
async fn chunked_post(app: &TestApp, path: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(16 * 1024) {
        let mut c = format!("{:x}\r\n", chunk.len()).into_bytes();
        c.extend_from_slice(chunk);
        c.extend_from_slice(b"\r\n");
        // The server may answer and close before the whole body is sent.
        if s.write_all(&c).await.is_err() {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_long_list_of_errors_is_capped() {
    let app = TestApp::start().await;
    let mut body = String::from("{");
    for i in 0..20_000 {
        body.push_str(&format!("\"k{i:05}\":\"\","));
    }
    body.push_str("\"kind\":\"report\"}");
    assert!(body.len() < 256 * 1024, "{}", body.len());
    let (status, ct, text) = raw_post(
        &app,
        "/api/submissions",
        Some("application/json"),
        body.into_bytes(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(ct.starts_with("application/json"));
    assert!(text.len() < 4096, "the answer is {} bytes", text.len());
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(is_error_shape(&v), "{v}");
    let listed = v["errors"].as_object().unwrap();
    assert!(!listed.is_empty() && listed.len() <= 20, "{v}");
    assert!(listed.values().all(|m| m == "未知字段"), "{v}");
    assert_eq!(
        v["omitted"].as_u64().unwrap() as usize + listed.len(),
        20_000
    );
}

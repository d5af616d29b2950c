//! Publishing a complaint result judges the text as the site will publish it: a citizen id or a
//! mobile number in disguise (full-width, grouped, zero-width) is refused at publication, and a
//! result that reached the database some other way is not exported.

use intake::staff::access::Act;
use reqwest::StatusCode;

use crate::staff_harness::Harness;

#[tokio::test]
async fn disguised_personal_data_is_refused_at_publication_and_at_export() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let s = h.sign_in("zjj.li").await;
    let number = h.case_ready_for("zjj", Act::Publish).await;

    let full_width_id = "１１０１０５１９４９１２３１００２Ｘ";
    let full_width_mobile = "１３９１２３４５６７８";
    for (field, bad) in [
        ("text", format!("经查，当事人身份证号{full_width_id}。")),
        ("text", "当事人证件号 110105 19491231 002X。".to_string()),
        ("text", format!("已电话{full_width_mobile}告知。")),
        (
            "text",
            "已电话 139\u{200B}1234\u{200B}5678 告知。".to_string(),
        ),
        ("title", format!("关于{full_width_id}投诉的处理决定")),
        ("outcome", "驳回（139-1234-5678）".to_string()),
    ] {
        let mut form = [
            ("title", "关于某工程评标结果投诉的处理决定".to_string()),
            ("outcome", "驳回投诉".to_string()),
            ("text", "经查，投诉事项缺乏事实依据。".to_string()),
        ];
        form.iter_mut().find(|(k, _)| *k == field).unwrap().1 = bad.clone();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = s
            .post(&format!("/staff/cases/{number}/publish"), &form)
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {bad}"
        );
        let page = r.text().await.unwrap();
        assert!(
            page.contains("公开内容未通过网站发布检查"),
            "{field}: {bad}\n{page}"
        );
    }
    let case = intake::cases::find_by_number(&h.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert!(!case.published, "a refused text must not publish the case");

    // Published properly, then rewritten in the database with a full-width id: export refuses it
    // and writes no file.
    assert_eq!(
        s.act(&number, Act::Publish, "").await.status(),
        StatusCode::SEE_OTHER
    );
    sqlx::query("UPDATE cases SET published_decision = $1 WHERE tracking_number = $2")
        .bind(format!("当事人{full_width_id}"))
        .bind(&number)
        .execute(h.state.db.reader())
        .await
        .unwrap();
    let out = h.path().join("complaint-results");
    let e = intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap_err();
    assert!(format!("{e:#}").contains("citizen id"), "{e:#}");
    let stem = intake::staff::export::file_stem(&number);
    assert!(!out.join(format!("{stem}.md")).exists());
}

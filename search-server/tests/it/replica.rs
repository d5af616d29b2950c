//! A search replica needs only a copy of the index folder: site name, footer and departments come
//! with it (SPEC).

use crate::support::*;

#[tokio::test]
async fn a_copy_of_the_index_folder_alone_serves_search() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: tmp.path().join("public"),
        index: Some(index.clone()),
        today: today(),
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");
    let replica = tmp.path().join("replica");
    std::fs::create_dir_all(&replica).unwrap();
    for entry in std::fs::read_dir(&index).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), replica.join(entry.file_name())).unwrap();
        }
    }
    let server = serve(&replica, &tmp.path().join("no-content-here"), unlimited()).await;
    let page = server
        .get("/search?q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE")
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("平顶山市公共资源交易信息公开网"),
        "the site's name from the carried site.toml"
    );
    let api = server.search("鹰城建设", "&department=zjj").await;
    assert!(api["total"].as_u64().unwrap() > 0, "{api}");
}

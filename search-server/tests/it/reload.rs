//! Hot reload: a new index committed by a build is served without a restart, and no request
//! fails while the index changes under it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::*;

fn notice(id: &str, title: &str) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"notice\"\ntitle = \"{title}\"\ndate = 2026-05-01\ndepartment = \"zjj\"\ncategory = \"construction\"\nproject = \"PDSZJ-2026-{id}\"\nstage = \"tender\"\n+++\n平顶山市鹰城建设工程有限公司参与的工程。\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuilds_are_picked_up_without_a_failed_request() {
    let content = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let mut docs: Vec<(String, String)> = (0..30)
        .map(|i| notice(&format!("{i:04}"), &format!("第{i}号道路工程招标公告")))
        .collect();
    let write = |docs: &[(String, String)]| {
        let docs: Vec<(&str, String)> = docs.iter().map(|(i, s)| (i.as_str(), s.clone())).collect();
        write_content(content.path(), &docs);
    };
    write(&docs);
    build_index(content.path(), index.path(), today());
    let s = Arc::new(serve(index.path(), content.path(), unlimited()).await);

    let stop = Arc::new(AtomicBool::new(false));
    let querying = {
        let (s, stop) = (s.clone(), stop.clone());
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let r = s
                    .get(&format!("/api/search?q={}", encode("鹰城建设")))
                    .await;
                statuses.push(r.status().as_u16());
                let _ = r.bytes().await;
            }
            statuses
        })
    };

    for round in 0..2 {
        docs.push(notice(
            &format!("90{round:02}"),
            &format!("新增第{round}号桥梁工程招标公告"),
        ));
        write(&docs);
        let (c, i) = (content.path().to_path_buf(), index.path().to_path_buf());
        tokio::task::spawn_blocking(move || build_index(&c, &i, today()))
            .await
            .unwrap();
        let wanted = format!("90{round:02}");
        let started = Instant::now();
        loop {
            let ids = s.ids(&format!("新增第{round}号桥梁"), "").await;
            if ids.contains(&wanted) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "round {round}: new index not served: {ids:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let statuses = querying.await.unwrap();
    assert!(
        statuses.len() > 10,
        "queried during the rebuilds: {}",
        statuses.len()
    );
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let v = s.search("道路工程", "").await;
    assert_eq!(v["total"], 30, "no duplicates after rebuilding: {v}");
}

//! The home page and a result page in headless Chromium at phone and desktop widths: the
//! screenshots must show a page, not a blank or an error.

use std::path::Path;

use crate::support::{chromium, start};

/// Fraction of pixels that differ from the most common colour: a blank page is ~0.
pub fn ink(png_path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for px in bytes.chunks(step) {
        *counts.entry(px[..3.min(step)].to_vec()).or_insert(0u64) += 1;
    }
    let total: u64 = counts.values().sum();
    let background = counts.values().max().copied().unwrap_or(0);
    (
        info.width,
        info.height,
        1.0 - background as f64 / total as f64,
    )
}

#[test]
fn home_and_result_pages_render_at_phone_and_desktop_widths() {
    let server = start();
    let shots = server.dir.path().join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let result = "/results/2026-zj-0012-award/";
    assert_eq!(
        reqwest::blocking::get(format!("{}{result}", server.base))
            .unwrap()
            .status(),
        200
    );
    for (page, name) in [("/", "home"), (result, "result")] {
        for (w, h) in [(390, 844), (1280, 900)] {
            let file = shots.join(format!("{name}-{w}.png"));
            let profile = tempfile::tempdir().unwrap();
            let status = chromium(profile.path())
                .stderr(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .arg(format!("--window-size={w},{h}"))
                .arg(format!("--screenshot={}", file.display()))
                .arg(format!("{}{page}", server.base))
                .status()
                .expect("chromium runs (apt-get install chromium)");
            assert!(status.success(), "chromium failed on {page}");
            let (width, height, ink) = ink(&file);
            assert_eq!((width, height), (w, h), "{name} at {w}px");
            assert!(
                ink > 0.02,
                "{name} at {w}px looks blank ({:.3} of pixels differ from the background)",
                ink
            );
            if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
                std::fs::copy(&file, Path::new(&dir).join(file.file_name().unwrap())).unwrap();
            }
        }
    }
}

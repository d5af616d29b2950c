//! Cross-crate end-to-end tests: the whole product on one port, as a newcomer starts it with
//! `cargo run --release -- serve`, looked at through a real HTTP client and headless Chromium.

mod metrics;
mod one_port;
mod screenshots;
mod staff_signals;
mod support;

//! The search service's integration tests: the real server on 127.0.0.1:0, a real HTTP client,
//! indexes built by `site-gen`'s writer from inline fixtures and from the demo `content/`.

mod api;
mod browser;
mod companies;
mod fixtures;
mod hostile;
mod meaning;
mod metrics;
mod real_samples;
mod relevance;
mod reload;
mod replica;
mod support;

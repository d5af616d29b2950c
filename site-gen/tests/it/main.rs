//! site-gen's integration tests: whole fixture sites built on disk, checked as a reader would.

mod bad_input;
mod browser;
mod bulk;
mod companies;
mod demo;
mod incremental;
mod metrics;
mod open_data;
mod parties;
mod real_samples;
mod samples;
mod serve;
mod signals;
mod support;
mod time;
mod verify;
mod watch;

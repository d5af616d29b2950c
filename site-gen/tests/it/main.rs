//! site-gen's integration tests: whole fixture sites built on disk, checked as a reader would.

mod bad_input;
mod demo;
mod incremental;
mod serve;
mod support;
mod time;
mod verify;
mod watch;

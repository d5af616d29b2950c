//! The intake integration tests: the real server on 127.0.0.1:0, real SQLite files in temp
//! dirs, a real SMTP listener on loopback, the real binary killed with SIGKILL, PostgreSQL when
//! `INTAKE_TEST_POSTGRES_URL` is set, and headless Chromium through chromedriver.

mod abuse;
mod audit;
mod backup;
mod binary;
mod browser;
mod calendar;
mod export_public;
mod health;
mod input;
mod instances;
mod lifecycle;
mod logs;
mod mail;
mod material;
mod metrics;
mod postgres;
mod routing;
mod rules;
mod staff_auth;
mod staff_browser;
mod staff_commands;
mod staff_guard;
mod staff_harness;
mod staff_matrix;
mod staff_postgres;
mod staff_publish_guard;
mod staff_signals;
mod staff_stats;
mod staff_workflow;
mod storage;
mod submit;
mod support;
mod track;
mod uploads;
mod webdriver;

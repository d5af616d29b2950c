//! `site-gen`: turns the Markdown disclosures in `content/` into the static site, its feeds, its
//! open data, the publication log and the search index.
//!
//! A build reads as the steps a person would name ([`build::build`]): load and validate the
//! content, render pages, lists, project timelines and department pages, write feeds, sitemap and
//! open data, append to the publication log, update the search index, then publish; on request,
//! export the public disclosures for OpenSearch ([`bulk`]). Nothing is written before the whole
//! content has validated.

pub mod build;
pub mod bulk;
pub mod cache;
pub mod companies;
pub mod content;
pub mod data;
pub mod feeds;
pub mod files;
pub mod index;
pub mod log;
pub mod markdown;
pub mod metrics;
pub mod output;
pub mod render;
pub mod serve;
pub mod signals;
pub mod site;
#[cfg(test)]
pub(crate) mod testing;

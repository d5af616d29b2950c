//! The content model of 阳光交易: what a disclosure is, which kinds, categories and stages exist,
//! the site-wide configuration (site, departments, working-day calendar), and every rule a
//! disclosure must satisfy before it may be published.
//!
//! This crate is shared by `site-gen`, `search-server` and `intake`. It knows nothing of HTTP,
//! SQL, mail or the file system: callers hand it text and get back typed values or diagnostics
//! that name the file, the line and the field.

pub mod calendar;
pub mod china_time;
pub mod diagnostic;
pub mod front_matter;
pub mod guard;
pub mod ident;
pub mod kind;
pub mod model;
pub mod parse;
pub mod routes;
#[cfg(feature = "search")]
pub mod search;
pub mod signals;
pub mod site;
pub mod supervision;
pub mod text;
pub mod timeline;
pub mod validate;

pub use calendar::{Calendar, Uncovered};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use kind::{Category, Kind, Stage};
pub use model::{Bidder, Details, Disclosure, Trade, Yuan};
pub use site::{Department, Departments, SignalsConfig, SiteConfig};
pub use supervision::supervising_department;
pub use timeline::ProjectTimeline;

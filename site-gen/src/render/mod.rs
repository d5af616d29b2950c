//! HTML pages, rendered with maud into the site's layout ([`crate::layout`]).
//!
//! Every function here is pure: it reads the [`Site`] and returns files. The build calls them per
//! unit of work (one disclosure page, one list, one project, …) so that an incremental build can
//! re-render only what a changed file touches.

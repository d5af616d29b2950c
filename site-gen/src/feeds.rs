//! RSS 2.0 feeds via the `rss` crate: all, per kind, per category, per department.

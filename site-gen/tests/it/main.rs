//! site-gen integration tests (being written).

//! Cross-crate end-to-end tests: the whole product on one port.

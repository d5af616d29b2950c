//! site-gen's integration tests: whole fixture sites built on disk, checked as a reader would.

//! The build: load, validate, render, write aside, publish.

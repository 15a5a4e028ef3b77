//! Integration tests: one binary, one module per area.

mod cli;
mod common;
mod determinism;
mod mechanisms;
mod properties;
mod scenarios;
mod story;

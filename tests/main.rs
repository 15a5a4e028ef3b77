//! Integration tests: one binary, one module per area.

mod bad_scenarios;
mod cli;
mod common;
mod determinism;
mod mechanisms;
mod properties;
mod report;
mod scenarios;
mod story;

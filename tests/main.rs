//! Integration tests: one binary, one module per area (the allocation
//! count is `tests/allocations.rs`, alone in its own binary).

mod bad_scenarios;
mod cli;
mod common;
mod detail;
mod determinism;
mod explore;
mod fuzz_corpus;
mod mechanisms;
#[cfg(unix)]
mod output_safety;
mod properties;
mod readings;
mod report;
mod scenarios;
mod sensitivity;
mod size;
mod story;
mod sweeps;
mod workshop;

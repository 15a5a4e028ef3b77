//! empathy-gap: an agent-based simulation of leaders who block each other
//! because each sees only a sliver of what the other is juggling.
//!
//! The crate is laid out by the concepts of the model: [`scenario`] (input),
//! [`model`] (state), [`engine`] (the weekly step), [`interventions`],
//! [`metrics`], [`runner`] (replicates in parallel), [`output`] (CSV and
//! manifest), [`report`] (charts and HTML) and [`workshop`] (the story told
//! step by step for a room). See the README's architecture map.

pub mod calibrate;
pub mod detail;
pub mod engine;
pub mod explore;
pub mod interventions;
pub mod logit;
pub mod metrics;
pub mod model;
pub mod morris;
pub mod output;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod staging;
pub mod stats;
pub mod steady;
pub mod sweep;
pub mod words;
pub mod workshop;

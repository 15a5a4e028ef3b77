//! Fuzz target: the input is a scenario file (see ../checks.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)] // each target uses its part of the shared checks
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::scenario_bytes(data);
});

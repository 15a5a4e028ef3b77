//! Fuzz target: each line of the input is a `--set PATH=VALUE` argument,
//! applied to scenarios/two-managers.toml (see ../checks.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)] // each target uses its part of the shared checks
#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::set_override_bytes(data);
});

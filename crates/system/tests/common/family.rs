//! The tight-memory family issue 8's plannability is measured on, shared
//! by `tests/plannable.rs` and `examples/feasible_plans.rs`: 2–3 modes,
//! 12–20 programs on 4 modules of 2 cores, 10 messages, 60 % of the
//! programs with a `max_unavailability` (`seamless_gen::feasible` then keeps
//! module memory tight).

/// The generator's parameters for `seed`.
pub fn family(seed: u64) -> seamless_gen::GenParams {
    seamless_gen::GenParams {
        programs: 12 + (seed % 3) as usize * 4,
        modules: 4,
        cores: 2,
        messages: 10,
        modes: 2 + (seed % 2) as usize,
        seed,
        unavailability_percent: 60,
        ..seamless_gen::GenParams::default()
    }
}

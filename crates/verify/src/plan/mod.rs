//! The independent transition-plan verifier (docs/format.md §10).
//!
//! [`verify_plan`] checks a plan (§11.2, from any tool) against a loaded
//! system: both tables with [`crate::verify_schedule`], then every rule of
//! §10, recomputing from the plan's choices (switch point, B start, schemes,
//! intermediaries, chunk hops) everything that can be derived — the program
//! classification, suspensions, round sizes, the instant each program may run,
//! skipped and extended jobs, memory, unavailability, and every reported
//! value. The interpretation decisions where §10 leaves room are written in
//! `crates/verify/PLAN_RULES.md`. It shares no code with the planner.

mod check;
mod chunks;
mod dest;
mod parse;
mod table;
mod totals;
mod violation;

pub use check::verify_plan;
pub use parse::{parse_plan_json, parse_plan_ron};
pub use violation::{ChunkHop, ChunkRef, List, PlanRule, PlanViolation, Side, ViaProblem};

use crate::{MAX_PER_RULE, Report};
use std::collections::BTreeMap;
use std::fmt;

/// The outcome of a plan verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanReport {
    /// The old mode's table (`from_schedule`) against §9.
    pub from_schedule: Report,
    /// The new mode's table (`to_schedule`) against §9.
    pub to_schedule: Report,
    /// The §10 violations, at most [`MAX_PER_RULE`] of each rule, in the
    /// order found (deterministic for a given plan).
    pub violations: Vec<PlanViolation>,
    /// §10 violations found past the cap, per rule.
    pub suppressed: BTreeMap<PlanRule, u64>,
}

impl PlanReport {
    /// Whether both tables and the plan obey every rule.
    pub fn is_valid(&self) -> bool {
        self.from_schedule.is_valid()
            && self.to_schedule.is_valid()
            && self.violations.is_empty()
            && self.suppressed.is_empty()
    }

    /// §10 violations of `rule` found (kept and suppressed).
    pub fn count(&self, rule: PlanRule) -> u64 {
        self.violations.iter().filter(|v| v.rule() == rule).count() as u64
            + self.suppressed.get(&rule).copied().unwrap_or(0)
    }

    /// Whether some §10 violation of `rule` was found.
    pub fn has(&self, rule: PlanRule) -> bool {
        self.count(rule) > 0
    }

    /// Every violation found, in the tables and the plan, kept or not.
    pub fn total(&self) -> u64 {
        self.from_schedule.total()
            + self.to_schedule.total()
            + self.violations.len() as u64
            + self.suppressed.values().sum::<u64>()
    }

    /// The §10 rules broken, each once, in rule order.
    pub fn rules(&self) -> Vec<PlanRule> {
        let mut r: Vec<PlanRule> = self.violations.iter().map(PlanViolation::rule).collect();
        r.extend(self.suppressed.keys().copied());
        r.sort_unstable();
        r.dedup();
        r
    }
}

impl fmt::Display for PlanReport {
    /// The tables' violations (prefixed by the table), one line per plan
    /// violation (`error[code]: text`), the suppressed counts, a summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, rep) in [("from", &self.from_schedule), ("to", &self.to_schedule)] {
            for v in &rep.violations {
                writeln!(f, "error[{}]: {name}_schedule: {v}", v.rule())?;
            }
            for (rule, n) in &rep.suppressed {
                writeln!(
                    f,
                    "... and {n} more [{rule}] violation(s) of {name}_schedule not shown"
                )?;
            }
        }
        for v in &self.violations {
            writeln!(f, "error[{}]: {v}", v.rule())?;
        }
        for (rule, n) in &self.suppressed {
            writeln!(f, "... and {n} more [{rule}] violation(s) not shown")?;
        }
        if self.is_valid() {
            writeln!(f, "the plan is valid")
        } else {
            writeln!(
                f,
                "the plan is invalid: {} violation{}",
                self.total(),
                if self.total() == 1 { "" } else { "s" }
            )
        }
    }
}

/// Collects plan violations with the per-rule cap.
#[derive(Default)]
pub(crate) struct PlanSink {
    violations: Vec<PlanViolation>,
    suppressed: BTreeMap<PlanRule, u64>,
    kept: BTreeMap<PlanRule, usize>,
}

impl PlanSink {
    pub(crate) fn push(&mut self, v: PlanViolation) {
        let rule = v.rule();
        let k = self.kept.entry(rule).or_insert(0);
        if *k < MAX_PER_RULE {
            *k += 1;
            self.violations.push(v);
        } else {
            *self.suppressed.entry(rule).or_insert(0) += 1;
        }
    }

    /// Whether another violation of `rule` would be kept.
    pub(crate) fn keeps(&self, rule: PlanRule) -> bool {
        self.kept.get(&rule).copied().unwrap_or(0) < MAX_PER_RULE
    }

    /// Counts `n` violations without building them.
    pub(crate) fn count_many(&mut self, rule: PlanRule, n: u64) {
        if n > 0 {
            *self.suppressed.entry(rule).or_insert(0) += n;
        }
    }
}

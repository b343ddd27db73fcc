//! The independent schedule verifier.
//!
//! [`verify_schedule`] checks a mode's schedule (docs/format.md §11.1, from any tool)
//! against every rule of docs/format.md §9, recomputing everything that can be
//! derived from the system (expected jobs, windows, routes, transmission
//! times) and trusting nothing in the schedule but the choices it states.
//! Every violation is reported, as data ([`Violation`]) with a readable
//! [`Display`](std::fmt::Display); at most [`MAX_PER_RULE`] per rule are
//! kept, the rest counted. It uses no synthesis code.
//!
//! Cost: `O(n log n)` in the size of the schedule (two sorts, for the
//! overlap of jobs on cores and of hops on link directions).
//!
//! [`verify_plan`] does the same for a transition plan (docs/format.md §10):
//! it verifies both tables with [`verify_schedule`], then recomputes from the
//! plan's choices everything the transition rules determine and reports each
//! difference as a [`PlanViolation`] in a [`PlanReport`]. Where §10 leaves
//! room, its reading is written down in `crates/verify/PLAN_RULES.md`.
//!
//! [`parse_schedule_json`], [`parse_schedule_ron`], [`parse_plan_json`] and
//! [`parse_plan_ron`] read documents written by other tools (§11.1, §11.2),
//! with errors that give line and column.

#![deny(missing_docs)]

mod check;
mod parse;
mod plan;
mod violation;

pub use check::verify_schedule;
pub use parse::{parse_schedule_json, parse_schedule_ron};
pub use plan::{
    ChunkHop, ChunkRef, List, PlanReport, PlanRule, PlanViolation, Side, ViaProblem,
    parse_plan_json, parse_plan_ron, verify_plan,
};
pub use violation::{Entry, HopRef, JobRef, Rule, Violation};

use std::collections::BTreeMap;
use std::fmt;

/// Violations of one rule kept in a report; the rest are only counted.
pub const MAX_PER_RULE: usize = 1000;

/// The outcome of a verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The violations found, at most [`MAX_PER_RULE`] of each rule, in the
    /// order found (deterministic for a given schedule).
    pub violations: Vec<Violation>,
    /// Violations found past the cap, per rule.
    pub suppressed: BTreeMap<Rule, u64>,
}

impl Report {
    /// Whether the schedule obeys every rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty() && self.suppressed.is_empty()
    }

    /// Violations of `rule` found (kept and suppressed).
    pub fn count(&self, rule: Rule) -> u64 {
        self.violations.iter().filter(|v| v.rule() == rule).count() as u64
            + self.suppressed.get(&rule).copied().unwrap_or(0)
    }

    /// Whether some violation of `rule` was found.
    pub fn has(&self, rule: Rule) -> bool {
        self.count(rule) > 0
    }

    /// Every violation found, kept or not.
    pub fn total(&self) -> u64 {
        self.violations.len() as u64 + self.suppressed.values().sum::<u64>()
    }

    /// The rules broken, each once, in rule order.
    pub fn rules(&self) -> Vec<Rule> {
        let mut r: Vec<Rule> = self.violations.iter().map(Violation::rule).collect();
        r.extend(self.suppressed.keys().copied());
        r.sort_unstable();
        r.dedup();
        r
    }
}

impl fmt::Display for Report {
    /// One line per violation (`error[code]: text`), then the suppressed
    /// counts, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in &self.violations {
            writeln!(f, "error[{}]: {v}", v.rule())?;
        }
        for (rule, n) in &self.suppressed {
            writeln!(f, "... and {n} more [{rule}] violation(s) not shown")?;
        }
        if self.is_valid() {
            writeln!(f, "the schedule is valid")
        } else {
            writeln!(
                f,
                "the schedule is invalid: {} violation{}",
                self.total(),
                if self.total() == 1 { "" } else { "s" }
            )
        }
    }
}

/// Collects violations with the per-rule cap.
#[derive(Default)]
pub(crate) struct Sink {
    report: Report,
    kept: BTreeMap<Rule, usize>,
}

impl Sink {
    pub(crate) fn push(&mut self, v: Violation) {
        let rule = v.rule();
        let k = self.kept.entry(rule).or_insert(0);
        if *k < MAX_PER_RULE {
            *k += 1;
            self.report.violations.push(v);
        } else {
            *self.report.suppressed.entry(rule).or_insert(0) += 1;
        }
    }

    /// Whether another violation of `rule` would be kept (to skip building
    /// costly data for one that would only be counted).
    pub(crate) fn keeps(&self, rule: Rule) -> bool {
        self.kept.get(&rule).copied().unwrap_or(0) < MAX_PER_RULE
    }

    /// Counts a violation without building it.
    pub(crate) fn count_only(&mut self, rule: Rule) {
        *self.report.suppressed.entry(rule).or_insert(0) += 1;
    }

    pub(crate) fn finish(self) -> Report {
        self.report
    }
}

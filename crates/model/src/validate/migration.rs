//! The system's `migration` parameters, with their defaults.

use super::quantity::{Q, V};
use crate::diag::Diagnostic;
use crate::raw::SystemFile;
use crate::system::MigrationParams;

/// Checks `sys.migration` (file `f`), filling in the defaults.
pub(super) fn migration(v: &mut V, sys: &SystemFile, f: usize) -> MigrationParams {
    let mig = sys.migration.clone().unwrap_or_default();
    let size_or =
        |v: &mut V, field: &str, text: &Option<String>, default: u64, zero_ok: bool| -> u64 {
            match text {
                Some(t) => v
                    .size(
                        "`migration`",
                        field,
                        Q {
                            file: f,
                            path: &format!("migration.{field}"),
                            text: t,
                        },
                        zero_ok,
                    )
                    .unwrap_or(default),
                None => default,
            }
        };
    let page_size = size_or(&mut *v, "page_size", &mig.page_size, 4096, false);
    let cpu_state = size_or(&mut *v, "cpu_state", &mig.cpu_state, 16 << 10, false);
    let chunk = size_or(&mut *v, "chunk", &mig.chunk, 64 << 10, false);
    let stop_below = size_or(&mut *v, "stop_below", &mig.stop_below, 256 << 10, true);
    let max_rounds = match mig.max_rounds {
        Some(0) => {
            v.err(
                Diagnostic::error(
                    "zero-quantity",
                    "`migration`: `max_rounds` must be at least 1",
                )
                .at(f, "migration.max_rounds", "must be at least 1"),
            );
            1
        }
        Some(r) if r > 1000 => {
            v.err(
                Diagnostic::error(
                    "quantity-overflow",
                    "`migration`: `max_rounds` is too large",
                )
                .at(f, "migration.max_rounds", "at most 1000"),
            );
            1000
        }
        Some(r) => r as u32,
        None => 5,
    };
    let fault_handling = match &mig.fault_handling {
        Some(t) => v
            .dur(
                "`migration`",
                "fault_handling",
                Q {
                    file: f,
                    path: "migration.fault_handling",
                    text: t,
                },
            )
            .unwrap_or(0),
        // 20 µs, rounded up to whole ticks
        None => 20_000u64.div_ceil(v.tick.ns),
    };
    MigrationParams {
        page_size,
        cpu_state,
        chunk,
        max_rounds,
        stop_below,
        fault_handling,
    }
}

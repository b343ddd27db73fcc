//! Diagnostics: with `SYSTEM_TRACE` set in the environment, each mode
//! synthesis and each plan is reported on stderr with its wall-clock time.
//! Only for finding where the time goes; nothing depends on it.

use std::time::Instant;

/// When the process first asked (for the trace's time stamps).
fn start() -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Whether tracing is on (read once).
pub(crate) fn on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SYSTEM_TRACE").is_some())
}

/// Runs `f`, and reports `what` with its time when tracing is on.
pub(crate) fn span<T>(what: impl FnOnce(&T) -> String, f: impl FnOnce() -> T) -> T {
    if !on() {
        return f();
    }
    start();
    let t = Instant::now();
    let r = f();
    eprintln!(
        "[trace] at {:>9.3} s: {:>9.3} s  {}",
        start().elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64(),
        what(&r)
    );
    r
}

/// "ok" or "failed".
pub(crate) fn verdict<T, E>(r: &Result<T, E>) -> &'static str {
    if r.is_ok() { "ok" } else { "failed" }
}

//! A progress bar on the terminal for runs longer than a second.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shows a bar on stderr once `delay` has passed (and only on a terminal:
/// indicatif hides the stderr target otherwise).
pub struct Bar {
    started: Instant,
    delay: Duration,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Bar {
        Bar {
            started: Instant::now(),
            delay: Duration::from_secs(1),
            bar: Mutex::new(None),
        }
    }

    /// Reports `done` of `total` with a message.
    pub fn update(&self, msg: &str, done: u64, total: u64) {
        if self.started.elapsed() < self.delay {
            return;
        }
        let Ok(mut guard) = self.bar.lock() else {
            return;
        };
        let bar = guard.get_or_insert_with(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        bar.set_length(total.max(1));
        bar.set_position(done.min(total));
        bar.set_message(msg.to_string());
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Ok(mut guard) = self.bar.lock()
            && let Some(b) = guard.take()
        {
            b.finish_and_clear();
        }
    }
}

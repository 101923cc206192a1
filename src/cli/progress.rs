//! Progress on the terminal for the long commands (demo, backup, restore, compact, export),
//! drawn by indicatif on stderr from the callbacks the library offers; nothing is drawn when
//! stderr is not a terminal (a script, a pipe, a test), so output stays as it was.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `what`, counting `unit`s (rows, days, bytes) once the total is known.
pub fn bar(what: impl Into<String>, bytes: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let counts = if bytes { "{bytes}/{total_bytes}" } else { "{pos}/{len}" };
    if let Ok(style) = ProgressStyle::with_template(&format!("{{msg}} [{{wide_bar}}] {counts} {{eta}}")) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.into());
    bar
}

/// A spinner for `what`, for work that cannot say how far it is.
pub fn spinner(what: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(what.into());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The library's progress callback, moving `bar`.
pub fn callback(bar: &ProgressBar) -> impl Fn(u64, u64) + '_ {
    move |done, total| {
        if total > 0 {
            bar.set_length(total);
        }
        bar.set_position(done);
    }
}

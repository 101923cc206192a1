//! The log: one plain-text file per day in a `logs` folder beside the database (a window
//! working through a server: in this PC's data folder), never the
//! terminal (the interface draws there). Logging never makes an action fail.

use std::io::Write;
use std::path::Path;

use crate::domain::text::escape_for_output;

/// Appends `line` to `logs/yimen-<date>.log` in `home` (the database's folder), stamped with
/// the hall's time.
pub fn write(home: &Path, clock: &crate::clock::Clock, line: &str) {
    let now = clock.local(clock.now());
    let dir = home.join("logs");
    let path = dir.join(format!("yimen-{}.log", now.date()));
    let stamp = format!("{} {:02}:{:02}:{:02}", now.date(), now.hour(), now.minute(), now.second());
    let _ = std::fs::create_dir_all(&dir).and_then(|_| {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        writeln!(f, "{stamp} {}", escape_for_output(line, false))
    });
}

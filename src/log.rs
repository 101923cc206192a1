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
        writeln!(f, "{stamp} {}", escape_for_output(&mask_digit_runs(line), false))
    });
}

/// Masks every run of six or more digits (an ID number, a phone, a bank card typed where a
/// ticket was expected), with a trailing ID check letter X: a log never holds personal
/// numbers, whatever a refusal quotes.
pub fn mask_digit_runs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        // Any script's digits: an input method may type full-width ones (４３０８…).
        if chars[i].is_numeric() {
            let start = i;
            while i < chars.len() && chars[i].is_numeric() {
                i += 1;
            }
            let mut end = i;
            if end - start >= 6 && end < chars.len() && matches!(chars[end], 'X' | 'x') {
                end += 1;
                i = end;
            }
            if end - start >= 6 {
                out.extend(std::iter::repeat_n('*', end - start));
            } else {
                out.extend(&chars[start..end]);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn personal_numbers_never_reach_the_log() {
        let m = super::mask_digit_runs;
        assert_eq!(m("no ticket 430822195602294056"), "no ticket ******************");
        assert_eq!(m("id 43082219560229405X!"), "id ******************!");
        assert_eq!(
            m("phone 13812341234, ticket 12345, at 2026-11-30 09:00:00"),
            "phone ***********, ticket 12345, at 2026-11-30 09:00:00"
        );
    }
}

//! The `yimen` binary: parse, run, print one line on failure, exit 0 / 1 / 2.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::ExitCode;

use yimen::cli::Failure;

fn main() -> ExitCode {
    let cli = yimen::cli::Cli::parse_with_path();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match yimen::cli::run(cli, &mut out) {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Message(m)) => {
            let _ = out.flush();
            // Errors may quote what was typed; hidden and control characters are shown, not sent.
            eprintln!("yimen: {}", yimen::domain::text::escape_for_output(&m, false));
            ExitCode::from(1)
        }
    }
}

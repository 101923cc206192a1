//! The `yimen` binary: parse, run, print one line on failure, exit 0 / 1 / 2.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use yimen::cli::Failure;

fn main() -> ExitCode {
    let cli = yimen::cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match yimen::cli::run(cli, &mut out) {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Message(m)) => {
            let _ = out.flush();
            eprintln!("yimen: {m}");
            ExitCode::from(1)
        }
    }
}

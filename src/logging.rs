//! The log: `tracing` events from every floor go to one file per day in a `logs` folder
//! beside the database (tracing-appender; a window working through a server: this PC's data
//! folder), never to the terminal, which the interface draws on. Every line is stamped with the
//! hall's time, has its runs of digits masked (a log never holds an ID number or a phone,
//! whatever a refusal quotes) and its hidden characters shown. `YIMEN_LOG` sets the level
//! (`info` by default; `debug`, `warn` …, or any `tracing` filter). Logging never makes an
//! action fail: a folder that cannot be written means no log.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use yimen_domain::clock::Clock;
use yimen_domain::text::escape_for_output;

/// The hall's UTC offset in seconds for the log's times: the default (+08:00) until the
/// hall's file is open and says its own (`set_hall_offset`).
static HALL_OFFSET: AtomicI32 = AtomicI32::new(8 * 3600);

/// Stamps this process's log lines with the hall's configured offset from now on.
pub fn set_hall_offset(offset: time::UtcOffset) {
    HALL_OFFSET.store(offset.whole_seconds(), Ordering::Relaxed);
}

/// The hall's time for each line ("2026-11-30 09:05:03"), from the one injected clock.
struct HallTime(Clock);

impl FormatTime for HallTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let offset =
            time::UtcOffset::from_whole_seconds(HALL_OFFSET.load(Ordering::Relaxed)).unwrap_or(time::UtcOffset::UTC);
        let l = self.0.now().to_offset(offset);
        w.write_str(&yimen_domain::clock::Shown::DaySecond.write(l))
    }
}

/// Writes what it is given with digit runs masked and hidden characters shown, line by line.
struct Masked<M>(M);

struct MaskedWriter<W>(W);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Masked<M> {
    type Writer = MaskedWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter(self.0.make_writer())
    }
}

impl<W: Write> Write for MaskedWriter<W> {
    /// One event per call (the formatter writes a whole event at once): its closing newline is
    /// the line's end, and any newline or return inside it (a name typed with one) is shown as
    /// `<U+000A>`, so no one can write a line of the log that looks like another event.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let mut out = escape_for_output(&yimen_app::log::mask_digit_runs(body), false);
        if body.len() < text.len() {
            out.push('\n');
        }
        self.0.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Sends this process's events to `home/logs/yimen.<date>.log`, and logs a panic before the
/// terminal is restored. Once per process; later calls do nothing.
pub fn install(home: &Path, clock: Clock) {
    let Ok(files) = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("yimen")
        .filename_suffix("log")
        .build(home.join("logs"))
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("YIMEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(false)
        .with_timer(HallTime(clock))
        // A log that cannot be written is no log; it never adds a line to the user's screen.
        .log_internal_errors(false)
        .with_writer(Masked(files))
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_ok() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
            previous(info);
        }));
    }
}

//! Sending a saved PDF to a printer through the operating system: CUPS's `lp` on Linux and
//! macOS, the PDF reader's "print to" verb on Windows (docs/deployment.md). The file is always
//! saved first and kept, so a printer that is off, stopped or missing loses nothing: the
//! clerk gets one line saying why and where the file is.

use std::path::Path;
use std::process::Command;

use yimen_domain::Lang;

/// Why a paper did not reach the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintError {
    /// No printer is set (`config set printer NAME`).
    NoPrinter,
    /// The operating system's print commands are missing (CUPS not installed).
    NoSpooler,
    /// The print system is not running (CUPS's scheduler).
    NotRunning,
    /// No printer of that name.
    NotFound(String),
    /// The printer is stopped (`cupsdisable`, paused in Windows) or not accepting jobs.
    Stopped(String),
    /// The print command refused, with its first line.
    Refused(String, String),
}

impl PrintError {
    /// One line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (PrintError::NoPrinter, Lang::Zh) => {
                "未设置打印机（请管理员运行 yimen config set printer 打印机名称）".into()
            }
            (PrintError::NoPrinter, Lang::En) => "no printer set (an admin runs: yimen config set printer NAME)".into(),
            (PrintError::NoSpooler, Lang::Zh) => "本机没有打印系统（Linux 请安装 cups）".into(),
            (PrintError::NoSpooler, Lang::En) => "this PC has no print system (on Linux, install cups)".into(),
            (PrintError::NotRunning, Lang::Zh) => "打印服务没有运行（请启动 CUPS）".into(),
            (PrintError::NotRunning, Lang::En) => "the print service is not running (start CUPS)".into(),
            (PrintError::NotFound(p), Lang::Zh) => format!("没有名为「{p}」的打印机（lpstat -p 可列出打印机）"),
            (PrintError::NotFound(p), Lang::En) => format!("there is no printer named '{p}' (lpstat -p lists them)"),
            (PrintError::Stopped(p), Lang::Zh) => format!("打印机「{p}」已停止或不接收任务，请检查打印机"),
            (PrintError::Stopped(p), Lang::En) => format!("printer '{p}' is stopped or not accepting jobs; check it"),
            (PrintError::Refused(p, why), Lang::Zh) => format!("打印机「{p}」未能打印（打印系统的回答：{why}）"),
            (PrintError::Refused(p, why), Lang::En) => format!("printer '{p}' did not print: {why}"),
        }
    }
}

/// The printer a paper goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    pub name: String,
    /// A roll sent to the A4 printer because no receipt printer is set: said, so the clerk
    /// knows why a small ticket came out on a sheet.
    pub roll_on_a4: bool,
}

/// The printer a paper goes to: `YIMEN_PRINTER` (or, for a roll, `YIMEN_RECEIPT_PRINTER`)
/// on this PC when set, else the hall's setting; a roll falls back to the A4 printer.
///
/// A name from the environment is checked like a setting (`yimen_app::printer_name`); one
/// that is not a printer's name is ignored, so it never reaches `lpstat` or `lp` as an option.
pub fn printer_for(settings: &yimen_app::Settings, roll: bool) -> Option<Printer> {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| yimen_app::printer_name(&v).ok().flatten());
    let a4 = env("YIMEN_PRINTER").or_else(|| settings.printer.clone());
    if !roll {
        return a4.map(|name| Printer { name, roll_on_a4: false });
    }
    match env("YIMEN_RECEIPT_PRINTER").or_else(|| settings.receipt_printer.clone()) {
        Some(name) => Some(Printer { name, roll_on_a4: false }),
        None => a4.map(|name| Printer { name, roll_on_a4: true }),
    }
}

/// "已发送到打印机 P（任务 P-12）", with a word when a roll went to the A4 printer.
pub fn sent_line(p: &Printer, job: &str, lang: Lang) -> String {
    let job = if job.is_empty() {
        String::new()
    } else {
        format!("{}{job}{}", lang.pick("（任务 ", " (job "), lang.pick("）", ")"))
    };
    let roll = if p.roll_on_a4 {
        lang.pick(
            "；未设置小票打印机（receipt_printer），已发到 A4 打印机",
            "; no receipt printer (receipt_printer) is set, so it went to the A4 printer",
        )
    } else {
        ""
    };
    format!("{}{}{job}{roll}", lang.pick("已发送到打印机 ", "sent to printer "), p.name)
}

fn first_line(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let line = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string();
    yimen_domain::text::escape_for_output(&line, false)
}

/// Sends the PDF at `file` to `printer`, titled `title` in the queue. Returns the job's name
/// in the spooler (CUPS: `P-12`), or "" when it gives none.
///
/// # Errors
/// A [`PrintError`] saying why; the file is left where it is.
#[cfg(not(windows))]
pub fn print(file: &Path, printer: &str, title: &str) -> Result<String, PrintError> {
    // Asked first: CUPS queues a job for a stopped printer without a word, and the clerk
    // would wait at a silent printer.
    let state = match Command::new("lpstat").args(["-p", printer]).env("LC_ALL", "C").output() {
        Ok(o) => o,
        Err(_) => return Err(PrintError::NoSpooler),
    };
    let said = format!("{}{}", String::from_utf8_lossy(&state.stdout), String::from_utf8_lossy(&state.stderr));
    if !state.status.success() || said.contains("Invalid destination") || said.trim().is_empty() {
        if said.contains("scheduler is not running") || said.contains("connect") {
            return Err(PrintError::NotRunning);
        }
        return Err(PrintError::NotFound(printer.to_string()));
    }
    if said.contains("disabled") {
        return Err(PrintError::Stopped(printer.to_string()));
    }
    let out = Command::new("lp")
        .args(["-d", printer, "-t", title, "--"])
        .arg(file)
        .env("LC_ALL", "C")
        .output()
        .map_err(|_| PrintError::NoSpooler)?;
    if out.status.success() {
        // "request id is P-12 (1 file(s))"
        let said = first_line(&out.stdout);
        let job = said.strip_prefix("request id is ").and_then(|r| r.split_whitespace().next()).unwrap_or("");
        return Ok(job.to_string());
    }
    let why = first_line(&out.stderr);
    if why.contains("not accepting") {
        return Err(PrintError::Stopped(printer.to_string()));
    }
    Err(PrintError::Refused(printer.to_string(), why))
}

/// Sends the PDF at `file` to `printer` through the PDF reader registered for "print to"
/// (Windows has no spooler command for PDF itself; docs/deployment.md names readers that
/// register one, such as SumatraPDF).
///
/// # Errors
/// A [`PrintError`] saying why; the file is left where it is.
#[cfg(windows)]
pub fn print(file: &Path, printer: &str, _title: &str) -> Result<String, PrintError> {
    let quote = |s: &str| s.replace('\'', "''");
    let script = format!(
        "$ErrorActionPreference='Stop'; if (-not (Get-Printer -Name '{p}' -ErrorAction SilentlyContinue)) {{ exit 3 }}; \
         $s=(Get-Printer -Name '{p}').PrinterStatus; if ($s -eq 'Paused' -or $s -eq 'Offline') {{ exit 4 }}; \
         Start-Process -FilePath '{f}' -Verb PrintTo -ArgumentList '\"{p}\"' -WindowStyle Hidden",
        p = quote(printer),
        f = quote(&file.display().to_string())
    );
    let out = Command::new("powershell")
        .args(["-NoProfile", "-NonInteractive", "-Command", &script])
        .output()
        .map_err(|_| PrintError::NoSpooler)?;
    match out.status.code() {
        Some(0) => Ok(String::new()),
        Some(3) => Err(PrintError::NotFound(printer.to_string())),
        Some(4) => Err(PrintError::Stopped(printer.to_string())),
        _ => Err(PrintError::Refused(printer.to_string(), first_line(&out.stderr))),
    }
}

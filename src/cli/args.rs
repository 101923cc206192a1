//! The command line, declared with clap. Every command has `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use yimen_domain::Lang;
use yimen_domain::queue::Priority;
use yimen_domain::ticket::{Status, SuspendReason};

#[derive(Debug, Parser)]
#[command(
    name = "yimen",
    version,
    about = "一门 — 便民服务大厅前台：取号叫号、一窗受理、办件跟踪、日报\nyimen — the front desk of a township convenience service hall"
)]
pub struct Cli {
    /// The database file (default: yimen.redb in the platform's data directory)
    #[arg(long, global = true, env = "YIMEN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Work through the hall server at this address (e.g. http://192.168.1.10:7878) instead
    /// of a database file on this PC
    #[arg(long, global = true, env = "YIMEN_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// The clerk doing the action (recorded in every event)
    #[arg(long, global = true, env = "YIMEN_CLERK", value_name = "NAME")]
    pub clerk: Option<String>,
    /// Interface language
    #[arg(long, global = true, env = "YIMEN_LANG", value_parser = choice(&Lang::ALL), default_value = "zh")]
    pub lang: Lang,
    /// Machine-readable JSON output
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the PIN or password from the first line of standard input (else YIMEN_PIN, else a
    /// prompt on the terminal)
    #[arg(long, global = true)]
    pub pin_stdin: bool,
    /// The window this desk serves (the terminal interface)
    #[arg(long, value_name = "W", default_value = "1")]
    pub window: String,
    /// Categories this window calls (letters or names, comma-separated; default all)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub categories: Vec<String>,
    /// Draw borders with plain ASCII (for old consoles that draw box lines double width)
    #[arg(long, global = true, env = "YIMEN_ASCII")]
    pub ascii: bool,
    /// Without a command: open the terminal interface on the database
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The command's path as typed (`user add`), set from the parsed arguments: the key of
    /// its row in `app::authority::COMMANDS`.
    #[arg(skip)]
    pub path: String,
}

impl Cli {
    /// Parses the process's arguments (exits with clap's message on bad ones), noting the
    /// command's path.
    pub fn parse_with_path() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        // The help speaks the interface's language (Chinese unless English is asked for).
        let cmd = match help_language(&args) {
            Lang::Zh => super::help_zh::localize(Cli::command()),
            Lang::En => Cli::command(),
        };
        let lang = help_language(&args);
        let matches = cmd.try_get_matches_from(args).unwrap_or_else(|e| usage_exit(&e, lang));
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_exit(&e, lang));
        cli.path = command_path(&matches);
        cli
    }
}

/// Ends the process on a command line that does not parse: help and version as clap prints
/// them; anything else as one line in the user's language, exit code 2.
fn usage_exit(e: &clap::Error, lang: Lang) -> ! {
    use clap::error::ErrorKind as K;
    if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand) {
        e.exit();
    }
    eprintln!("yimen: {}", usage_line(e, lang));
    std::process::exit(2);
}

/// A usage error as one line: the argument, the value and what is allowed, named in Chinese
/// (clap's own message, which is English and spans several lines, for `--lang en`).
pub fn usage_line(e: &clap::Error, lang: Lang) -> String {
    use clap::error::{ContextKind as C, ContextValue as V, ErrorKind as K};
    let text = |k: C| match e.get(k) {
        Some(V::String(s)) => yimen_domain::text::escape_for_output(s, false),
        Some(V::Strings(v)) => yimen_domain::text::escape_for_output(&v.join("、"), false),
        Some(V::StyledStr(s)) => yimen_domain::text::escape_for_output(&s.to_string(), false),
        Some(V::StyledStrs(v)) => yimen_domain::text::escape_for_output(
            &v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、"),
            false,
        ),
        Some(V::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    // At most a line's worth of what was typed is shown back.
    let cut =
        |s: String| if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s };
    let arg = cut(text(C::InvalidArg));
    let value = cut(text(C::InvalidValue));
    let valid = text(C::ValidValue);
    let suggested = text(C::SuggestedArg) + &text(C::SuggestedSubcommand);
    let (zh_hint, en_hint) = if suggested.is_empty() {
        (String::new(), String::new())
    } else {
        (format!("（是不是 {suggested}？）"), format!(" (did you mean {suggested}?)"))
    };
    let (zh, en) = match e.kind() {
        K::MissingRequiredArgument => (format!("缺少必需的参数：{arg}"), format!("missing required arguments: {arg}")),
        K::InvalidValue | K::ValueValidation => {
            let (za, ea) = if valid.is_empty() {
                (String::new(), String::new())
            } else {
                (format!("（可用：{valid}）"), format!(" (allowed: {})", valid.replace('、', ", ")))
            };
            (format!("参数 {arg} 的值「{value}」不对{za}"), format!("'{value}' is not a value for {arg}{ea}"))
        }
        K::UnknownArgument => (format!("不认识的参数：{arg}{zh_hint}"), format!("unknown argument {arg}{en_hint}")),
        K::InvalidSubcommand => {
            let sub = cut(text(C::InvalidSubcommand));
            (format!("没有这个命令：{sub}{zh_hint}"), format!("no such command: {sub}{en_hint}"))
        }
        K::ArgumentConflict => {
            let prior = cut(text(C::PriorArg));
            (format!("参数 {arg} 不能与 {prior} 同时使用"), format!("{arg} cannot be used with {prior}"))
        }
        K::MissingSubcommand => ("缺少子命令".to_string(), "a subcommand is missing".to_string()),
        K::NoEquals | K::TooManyValues | K::TooFewValues | K::WrongNumberOfValues => {
            (format!("参数 {arg} 的值的个数不对"), format!("wrong number of values for {arg}"))
        }
        K::InvalidUtf8 => {
            ("参数里有无法识别的字符（不是 UTF-8）".to_string(), "an argument is not valid UTF-8".to_string())
        }
        _ => {
            let first = cut(e
                .render()
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_string());
            (first.clone(), first)
        }
    };
    match lang {
        Lang::Zh => format!("{zh}；用 --help 查看用法"),
        Lang::En => format!("{en}; see --help"),
    }
}

/// The language the help is given in, before the arguments are parsed: `--lang X` or
/// `--lang=X` on the command line, else `YIMEN_LANG`, else Chinese.
pub fn help_language(args: &[std::ffi::OsString]) -> Lang {
    let mut given: Option<String> = None;
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        if a == "--lang" {
            given = it.next();
        } else if let Some(v) = a.strip_prefix("--lang=") {
            given = Some(v.to_string());
        }
    }
    let lang = given.or_else(|| std::env::var("YIMEN_LANG").ok()).unwrap_or_default();
    if lang.trim().eq_ignore_ascii_case("en") { Lang::En } else { Lang::Zh }
}

/// `user add` from parsed arguments (empty without a command).
pub fn command_path(m: &clap::ArgMatches) -> String {
    let mut parts = Vec::new();
    let mut m = m;
    while let Some((name, sub)) = m.subcommand() {
        parts.push(name.to_string());
        m = sub;
    }
    parts.join(" ")
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or name the hall of an existing one)
    Init {
        /// The hall's name, printed on slips and reports
        #[arg(long)]
        hall: Option<String>,
        /// The first admin's name (default: --clerk); the password comes like a PIN
        #[arg(long)]
        admin: Option<String>,
        /// The hall's UTC offset (default +08:00)
        #[arg(long, value_name = "OFFSET")]
        utc_offset: Option<String>,
    },
    /// Take a queue number for an item (prints the number and the ticket id)
    Take(TakeArgs),
    /// Call the next waiting ticket to a window (priority first, then the oldest)
    Call {
        /// The window calling, e.g. 3
        #[arg(long)]
        window: String,
        /// Only these categories (letters or names, comma-separated), e.g. A,B
        #[arg(long, value_delimiter = ',')]
        categories: Vec<String>,
    },
    /// Call a called ticket again (up to 3 times)
    Recall(TicketArg),
    /// Mark a recalled ticket as a no-show (过号)
    Noshow(TicketArg),
    /// Put a no-show back in the queue
    Requeue(TicketArg),
    /// Accept the case (受理); with --defer, accept with materials to bring later (容缺受理)
    Accept(AcceptArgs),
    /// Suspend an accepted case; the deadline clock pauses
    Suspend {
        #[command(flatten)]
        ticket: TicketArg,
        /// Why: materials (待补正), notice (公示中) or assessment (鉴定评审)
        #[arg(long, value_parser = choice(&SuspendReason::ALL))]
        reason: SuspendReason,
        /// A missing material (repeat for each; required with --reason materials)
        #[arg(long, value_name = "MATERIAL")]
        missing: Vec<String>,
        /// A note kept in the history
        #[arg(long)]
        note: Option<String>,
    },
    /// Resume a suspended case; the clock runs again
    Resume(TicketArg),
    /// Send a case up to a county department
    Transfer {
        #[command(flatten)]
        ticket: TicketArg,
        /// The department, e.g. 县民政局
        #[arg(long)]
        to: String,
        /// That department's own limit in working days (the deadline moves to it)
        #[arg(long)]
        days: Option<u32>,
    },
    /// Complete a case (办结); an on-the-spot item may complete straight from a call
    Complete {
        #[command(flatten)]
        ticket: TicketArg,
        /// A note kept in the history, e.g. 已发放
        #[arg(long)]
        note: Option<String>,
    },
    /// Refuse the case (不予受理/不予批准), with a written reason
    Reject(ReasonArgs),
    /// The citizen withdraws
    Withdraw(ReasonArgs),
    /// End a 容缺 case whose make-good date passed without the materials
    Terminate {
        #[command(flatten)]
        ticket: TicketArg,
        /// A note kept in the history
        #[arg(long)]
        note: Option<String>,
    },
    /// Record that a deferred (容缺) material was brought
    Supply {
        #[command(flatten)]
        ticket: TicketArg,
        /// The deferred material brought (its name on the case)
        #[arg(long)]
        material: String,
    },
    /// Record the citizen's rating of a completed ticket (1 very dissatisfied … 5 very satisfied)
    Rate {
        #[command(flatten)]
        ticket: TicketArg,
        /// The rating: 1 very dissatisfied, 2 dissatisfied, 3 fairly, 4 satisfied, 5 very satisfied
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
        score: u8,
        /// The citizen's words, if any
        #[arg(long)]
        comment: Option<String>,
    },
    /// Reopen a completed case (supervisor), with a reason
    Reopen(ReasonArgs),
    /// Record a step of a bad rating's follow-up (supervisor): callback, verify, fix, report
    Followup {
        #[command(flatten)]
        ticket: TicketArg,
        /// The next step: callback, verify, fix, report
        #[arg(long, value_parser = choice(&yimen_domain::ticket::FollowUp::ORDER))]
        step: yimen_domain::ticket::FollowUp,
        /// What was done in this step
        #[arg(long)]
        note: String,
    },
    /// Correct a mistyped detail (更正): the applicant's or the proxy's name, ID number, phone
    /// or village; the history keeps the value before and after, and the reason
    Correct {
        #[command(flatten)]
        ticket: TicketArg,
        /// Which detail
        #[arg(long, value_parser = choice(&yimen_domain::ticket::CorrectField::ALL))]
        field: yimen_domain::ticket::CorrectField,
        /// The right value (empty: clear the field)
        #[arg(long, allow_hyphen_values = true)]
        to: String,
        /// Why it is corrected (kept in the history)
        #[arg(long)]
        reason: String,
    },
    /// Hand a case to another clerk (supervisor)
    Reassign {
        #[command(flatten)]
        ticket: TicketArg,
        /// The clerk who takes the case over
        #[arg(long)]
        to: String,
    },
    /// Give the one-time notice (一次性告知) of every missing material; the visit ends
    Notice {
        #[command(flatten)]
        ticket: TicketArg,
        /// A missing material (repeat for each)
        #[arg(long, value_name = "MATERIAL", required = true)]
        missing: Vec<String>,
        #[command(flatten)]
        paper: PaperOut,
    },
    /// Print a ticket's paper: by default the one it calls for (the receipt 受理回执, the
    /// one-time notice, or the 补正告知书 of a case suspended for materials)
    Slip {
        #[command(flatten)]
        ticket: TicketArg,
        /// Which paper: receipt, notice, supply-notice (补正告知书), deferral-notice
        /// (容缺受理通知书) or queue-ticket (排队号票)
        #[arg(long, value_enum)]
        kind: Option<SlipKind>,
        #[command(flatten)]
        paper: PaperOut,
    },
    /// Everything about one ticket, with its full history
    Show {
        #[command(flatten)]
        ticket: TicketArg,
        /// Show ID numbers and phones whole (recorded in the audit chain; otherwise the text
        /// shows them masked for every role, and `--json` masks them for clerks)
        #[arg(long)]
        reveal: bool,
    },
    /// Tickets of a day (default today), or every open case by deadline
    List {
        /// The day, YYYY-MM-DD
        #[arg(long)]
        date: Option<String>,
        /// Only tickets in this state
        #[arg(long, value_parser = choice(&Status::ALL))]
        status: Option<Status>,
        /// Every accepted, suspended or transferred case, by deadline
        #[arg(long, conflicts_with_all = ["date", "status"])]
        open: bool,
        /// At most this many rows for --open (1–10000)
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(1..=10000))]
        limit: u16,
    },
    /// Today's waiting queue in call order
    Queue,
    /// Find tickets by number, name, ID number, phone (or their last 4 digits), village or pinyin initials
    Search {
        /// A number, a name, an ID number or phone (or the last 4 digits), a village, or pinyin
        query: String,
        /// At most this many tickets
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Reports: the end-of-day summary, or a week/month/period report
    #[command(subcommand)]
    Report(ReportCmd),
    /// One row per ticket taken in a period, personal data masked (CSV, JSON Lines or an Excel workbook)
    Export {
        /// First day, YYYY-MM-DD (default: the last day)
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: today)
        #[arg(long)]
        to: Option<String>,
        /// The file format; default: from the --out file's extension (.xlsx, .jsonl), else CSV
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// Write to this file instead of the screen
        #[arg(long)]
        out: Option<PathBuf>,
        /// CSV for a spreadsheet: headers and values in the interface language, long digit
        /// strings kept as text, UTF-8 with a byte-order mark
        #[arg(long)]
        excel: bool,
        /// Full ID numbers instead of masked ones (supervisor; recorded in the audit chain)
        #[arg(long)]
        full_ids: bool,
    },
    /// The service catalog: list, show one item, or import a replacement
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// The holiday calendar: show a year, or import the State Council's arrangement for one
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Hall settings: show, or set one
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Clerk accounts: add, list, change a PIN, disable, unlock (admin)
    #[command(subcommand)]
    User(UserCmd),
    /// The hall's kiosks and rating pads: pair one, list them, revoke one (on the hall's file)
    #[command(subcommand)]
    Device(DeviceCmd),
    /// The audit chain of every event
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Check the whole file: redb's page checksums, the audit chain and every ticket record
    /// against the chain (supervisor)
    Check,
    /// Write a checked copy of the database (default: backups/ beside it)
    Backup {
        /// Where to write the copy
        file: Option<PathBuf>,
    },
    /// Give the space of rewritten pages back to the disk (admin; a large file takes a while)
    Compact,
    /// The display board for a screen facing the hall (叫号屏): the latest calls in big
    /// letters and how many wait; numbers and windows only, never a name; no sign-in.
    /// `--json` prints it once
    Board,
    /// Run the hall server: this PC owns the database and serves every window over HTTP/JSON
    /// (docs/api.md). Stops on Ctrl-C.
    Serve {
        /// Address to listen on; the default serves this PC only. Give 0.0.0.0:7878 to serve
        /// the hall's network.
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: String,
        /// Hours a sign-in lasts
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=72))]
        session_hours: u32,
        /// Test helper: seconds a sign-in lasts (overrides --session-hours)
        #[arg(long, hide = true)]
        session_secs: Option<u64>,
        /// Also send the hall's records to the town's PostgreSQL, continuously, while the link
        /// is up (as `yimen sync --to`; password from PGPASSWORD or the URL)
        #[arg(long, value_name = "URL")]
        sync_to: Option<String>,
        /// Seconds between syncs with --sync-to
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
        sync_every: u64,
    },
    /// Put a backup back as the database (checked first; the replaced file is kept)
    Restore {
        /// The backup file
        file: PathBuf,
        /// Replace an existing database
        #[arg(long)]
        force: bool,
    },
    /// Test helper: take numbers forever, printing each acknowledged ticket (the crash test)
    #[command(hide = true, name = "_crash-writer")]
    CrashWriter,
    /// Send this hall's records to the town's PostgreSQL (admin, on the file itself): the audit
    /// chain from where the last sync stopped, and the records it touched, personal data masked
    Sync {
        /// The town database, postgres://user@host[:port]/db (password from PGPASSWORD or the
        /// URL; never printed); default: YIMEN_TOWN_URL
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        to: String,
    },
    /// The town's view of its halls, from its PostgreSQL
    #[command(subcommand)]
    Town(TownCmd),
    /// Build a demo database with a realistic history (a separate file, never the hall's own)
    Demo {
        /// Working days of history (1–5000)
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=5000))]
        days: u32,
        /// Tickets per day (1–5000)
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=5000))]
        per_day: u32,
        /// The random seed (the same seed builds the same history)
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Only build the database; do not open the terminal interface
        #[arg(long)]
        no_tui: bool,
        /// Build it again even if it holds practice (otherwise practice is kept and opened)
        #[arg(long)]
        fresh: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Markdown,
    Csv,
    Json,
    Pdf,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    Xlsx,
}

/// The kinds of paper `yimen slip` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlipKind {
    Receipt,
    Notice,
    SupplyNotice,
    DeferralNotice,
    QueueTicket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperFormat {
    Text,
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperSize {
    A4,
    #[value(name = "80mm")]
    Roll80,
    #[value(name = "58mm")]
    Roll58,
}

/// Where a slip goes: the screen, a file, a printer.
#[derive(Debug, Args)]
pub struct PaperOut {
    /// Text (for the screen or a receipt printer) or PDF (print-ready); default: from the
    /// --out file's extension (.pdf), else text
    #[arg(long, value_enum)]
    pub format: Option<PaperFormat>,
    /// The paper: a4, 80mm or 58mm (default: a4 for notices, 80mm for the queue ticket)
    #[arg(long, value_enum)]
    pub paper: Option<PaperSize>,
    /// Also save it to this file
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Send it to the printer set by `config set printer` (a roll to `receipt_printer`); the
    /// PDF is saved whatever happens
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct ReportOut {
    /// The output format; default: from the --out file's extension (.pdf, .xlsx, .csv, .md,
    /// .json), else CSV with --excel, else text
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to this file instead of the screen
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CSV for a spreadsheet: headers and values in the interface language, long digit
    /// strings kept as text, UTF-8 with a byte-order mark
    #[arg(long)]
    pub excel: bool,
    /// Send the PDF to the printer set by `config set printer` (saved whatever happens)
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The end-of-day summary a supervisor signs (default: today)
    Daily {
        /// The day, YYYY-MM-DD
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Totals over a period with the day-by-day trend and the 诉求/纠纷 cases
    Range {
        #[command(flatten)]
        period: Period,
        #[command(flatten)]
        out: ReportOut,
    },
}

/// A report's period: from and to, a week or a month.
#[derive(Debug, Args)]
pub struct Period {
    /// First day, YYYY-MM-DD
    #[arg(long, required_unless_present_any = ["week", "month"], conflicts_with_all = ["week", "month"])]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today)
    #[arg(long, conflicts_with_all = ["week", "month"])]
    pub to: Option<String>,
    /// The week (Monday to Sunday) holding this day; `--week` alone means the last full
    /// week (the one before this week)
    #[arg(long, num_args = 0..=1, default_missing_value = "last", value_name = "DATE", conflicts_with = "month")]
    pub week: Option<String>,
    /// A month, YYYY-MM; `--month` alone means this month
    #[arg(long, num_args = 0..=1, default_missing_value = "this", value_name = "YYYY-MM")]
    pub month: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add an account; its PIN comes from YIMEN_NEW_PIN or a prompt
    Add {
        /// The clerk's name, as it shows on the sign-in screen
        name: String,
        /// clerk (窗口工作人员), supervisor (大厅负责人) or admin (管理员)
        #[arg(long, value_parser = choice(&yimen_domain::account::Role::ALL))]
        role: yimen_domain::account::Role,
    },
    /// Every account with its role and state
    List,
    /// Change a PIN or password (your own, or anyone's as admin); from YIMEN_NEW_PIN or a prompt
    Passwd {
        /// The account
        name: String,
    },
    /// Disable an account (its history stays; it can no longer sign in)
    Disable {
        /// The account
        name: String,
    },
    /// Lift a lockout (or re-enable a disabled account)
    Unlock {
        /// The account
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Make a one-time code (valid 30 minutes) to type once on a kiosk or a window's pad (admin)
    Pair {
        /// kiosk (取号机) or pad (评价器)
        #[arg(long, value_parser = choice(&[yimen_domain::device::DeviceKind::Kiosk, yimen_domain::device::DeviceKind::Pad]))]
        kind: yimen_domain::device::DeviceKind,
        /// The window a pad faces (its visits are the ones it rates); not for a kiosk
        #[arg(long)]
        window: Option<String>,
        /// What the hall calls it (default: from its window or its number)
        #[arg(long)]
        name: Option<String>,
    },
    /// Every device with its kind, window and state (supervisor)
    List,
    /// Stop a device at once: its pairing ends, its record stays (admin)
    Revoke {
        /// The device's number from `yimen device list`
        id: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Walk the whole chain: OK with the count and head hash, or the first broken link
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCmd {
    /// Every item with its code, category, kind and promised days
    List,
    /// One item with its materials
    Show {
        /// The item's code, e.g. MZ01
        code: String,
    },
    /// Replace the catalog with a TOML file (see data/catalog.toml)
    Import {
        /// The TOML file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// A year's days off and make-up working days, and whether they are official or estimated
    Show {
        /// The year (default: this year)
        year: Option<i32>,
    },
    /// Import a holidays file (data/holidays.toml's format) with one or more years (admin)
    Import {
        /// The TOML file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TownCmd {
    /// Every hall with its events received, its last sync and its lag (a hall silent for more
    /// than a day is marked), and how many flags it has
    Halls {
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
    },
    /// The town's reports, every hall's figures by the hall's own definitions
    #[command(subcommand)]
    Report(TownReportCmd),
    /// The problems the town found in a hall's records: chain gaps or mismatches, records
    /// changed outside yimen
    Flags {
        /// The hall's code
        hall_code: String,
        /// The resolved ones too, with their resolutions
        #[arg(long)]
        all: bool,
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
    },
    /// Mark a flag resolved, saying what was found and decided (it is kept, with the note)
    Resolve {
        /// The hall's code
        hall_code: String,
        /// The flag's number (`yimen town flags CODE`)
        id: u64,
        /// What was found and decided
        #[arg(long)]
        note: String,
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
    },
    /// Accept a hall's history as it now stands (restored from an older backup, or refused as
    /// another hall after losing its secret): the town's copy of the hall is set aside (kept in
    /// town.superseded_events) and the hall sends its whole history again at its next sync
    Accept {
        /// The hall's code
        hall_code: String,
        /// Why (kept with the set-aside history and on the resolved flags)
        #[arg(long)]
        note: String,
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TownReportCmd {
    /// The town's daily report: each hall's own daily figures, open, overdue and due-soon
    /// cases, ratings and follow-ups per hall, the sums by category and item, the year's
    /// one-window cases; halls silent for more than a day marked (default: today)
    Daily {
        /// The day, YYYY-MM-DD
        #[arg(long)]
        date: Option<String>,
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The town's period report: each hall's own period figures, the sums by category, item
    /// and day, the 诉求/纠纷 cases opened and closed
    Range {
        #[command(flatten)]
        period: Period,
        /// The town database (default: YIMEN_TOWN_URL)
        #[arg(long, env = "YIMEN_TOWN_URL", hide_env_values = true)]
        town: String,
        #[command(flatten)]
        out: ReportOut,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    Show,
    /// Set hall, utc_offset, follow_up_days, hall_phone, backup_keep, printer, receipt_printer,
    /// hall_code, town_personal_data, the board's voice (board_call_text, board_call_repeat,
    /// board_quiet_hours, board_call_name) or kiosk_print
    Set {
        /// The setting: hall, utc_offset, follow_up_days, hall_phone, backup_keep, printer (the A4
        /// printer's name, `lpstat -p`), receipt_printer (the receipt roll's), hall_code (the
        /// 12-digit statistical division code the town knows the hall by), town_personal_data
        /// (masked, the default, or full: what of the citizens' data the town's copy holds),
        /// board_call_text (what the board says, with {number}, {window}, {name}),
        /// board_call_repeat (1–3), board_quiet_hours (e.g. 12:00-14:00), board_call_name (none
        /// or masked) or kiosk_print (browser: the kiosk's own printer; server: the hall's
        /// receipt printer)
        key: String,
        /// Its new value
        value: String,
    },
}

#[derive(Debug, Args)]
pub struct TicketArg {
    /// The ticket: its id, today's number such as A012, or 2026-11-29/A012
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    #[command(flatten)]
    pub ticket: TicketArg,
    /// The reason, in words the citizen is told
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args, Default)]
pub struct CitizenArgs {
    /// Applicant's name
    #[arg(long)]
    pub name: Option<String>,
    /// Applicant's resident ID number (18 digits, or 15 for an old card)
    #[arg(long)]
    pub id_number: Option<String>,
    /// Mobile or landline with area code
    #[arg(long)]
    pub phone: Option<String>,
    /// Village or community
    #[arg(long)]
    pub village: Option<String>,
    /// Proxy's name (代办人), when someone files for the applicant
    #[arg(long)]
    pub proxy: Option<String>,
    /// The proxy's phone
    #[arg(long)]
    pub proxy_phone: Option<String>,
    /// The proxy's resident ID number
    #[arg(long)]
    pub proxy_id_number: Option<String>,
}

#[derive(Debug, Args)]
pub struct TakeArgs {
    /// The item: its code (see `yimen catalog list`) or its exact name
    pub item: String,
    /// Call first: elderly, disability, pregnant or military (80+ is set from the ID number)
    #[arg(long, value_parser = choice(&Priority::ALL))]
    pub priority: Option<Priority>,
    #[command(flatten)]
    pub citizen: CitizenArgs,
    /// A note kept with the ticket
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub ticket: TicketArg,
    #[command(flatten)]
    pub citizen: CitizenArgs,
    /// A non-key material accepted as missing, to bring by the make-good date (repeat)
    #[arg(long, value_name = "MATERIAL")]
    pub defer: Vec<String>,
    /// The item, when the number was taken for the wrong one (a catalog code)
    #[arg(long, value_name = "CODE")]
    pub item: Option<String>,
}

/// A value parser for a domain enum, named as its serde name with `-` for `_` (`no-show`), so
/// the domain needs no clap derive and the command line lists the choices in `--help` and in
/// its error.
fn choice<T>(all: &'static [T]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: serde::Serialize + Copy + Send + Sync + 'static,
{
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    let names: Vec<String> = all.iter().map(choice_name).collect();
    PossibleValuesParser::new(names)
        .try_map(move |s| all.iter().copied().find(|c| choice_name(c) == s).ok_or("not one of the choices"))
}

fn choice_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s.replace('_', "-"),
        _ => String::new(),
    }
}

//! The scriptable command line. Each command calls one method of the application layer and
//! prints its result as text (in the chosen language) or JSON.

pub mod args;
mod catalog;
mod devices;
mod help_zh;
mod paper;
mod progress;
mod records;
mod report;
mod town;
pub mod view;

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

pub use args::Cli;
use args::Command;

use view::clean;
use yimen_api::{Client, Local, Remote};
use yimen_app::{CitizenInput, Desk, DeskError, HallContext, TakeRequest};
use yimen_domain::Lang;
use yimen_domain::lang::Localized;
use yimen_domain::ticket::Ticket;

/// The file used when neither `--db` nor `YIMEN_DB` is given.
pub fn default_db_path(file: &str) -> PathBuf {
    directories::ProjectDirs::from("", "", "yimen")
        .map(|d| d.data_local_dir().join(file))
        .unwrap_or_else(|| PathBuf::from(file))
}

/// Why a command did not finish.
#[derive(Debug)]
pub enum Failure {
    /// The one line to print, already in the user's language.
    Message(String),
    /// The reader of our output went away (`yimen list | head`): not an error.
    BrokenPipe,
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe { Failure::BrokenPipe } else { Failure::Message(e.to_string()) }
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(std::io::ErrorKind::BrokenPipe) => Failure::BrokenPipe,
            _ => Failure::Message(e.to_string()),
        }
    }
}

struct Ctx<'a> {
    lang: Lang,
    json: bool,
    out: &'a mut dyn Write,
}

impl Ctx<'_> {
    fn fail(&self, e: DeskError) -> Failure {
        Failure::Message(e.localized(self.lang))
    }

    fn ticket(&mut self, desk: &dyn Client, t: &Ticket, extra: Vec<String>) -> Result<(), Failure> {
        if self.json {
            let mut v = view::ticket_json(desk, t, false);
            v["hints"] = json!(extra);
            writeln!(self.out, "{v}")?;
        } else {
            writeln!(self.out, "{}", view::outcome_line(desk, t, self.lang))?;
            for e in extra {
                writeln!(self.out, "{e}")?;
            }
        }
        Ok(())
    }

    fn list(&mut self, desk: &dyn Client, tickets: &[Ticket], empty: &str) -> Result<(), Failure> {
        if self.json {
            let v: Vec<_> = tickets.iter().map(|t| view::ticket_json(desk, t, false)).collect();
            writeln!(self.out, "{}", serde_json::Value::Array(v))?;
        } else if tickets.is_empty() {
            writeln!(self.out, "{empty}")?;
        } else {
            let mut rows = vec![view::list_header(self.lang)];
            rows.extend(tickets.iter().map(|t| view::list_row(desk, t, self.lang)));
            write!(self.out, "{}", view::table(&rows))?;
        }
        Ok(())
    }
}

/// Where a window working through a server keeps its own files: slips, saved reports, logs.
pub fn client_home() -> PathBuf {
    default_db_path("yimen.redb").parent().map(std::path::Path::to_path_buf).unwrap_or_default()
}

/// The hall's records: the server when one is named, else the database file.
fn open_client(server: Option<&str>, db: &std::path::Path, lang: Lang) -> Result<Box<dyn Client>, DeskError> {
    let client: Box<dyn Client> = match server {
        Some(url) => Box::new(Remote::connect(url, lang, client_home())?),
        None => Box::new(Local::new(Desk::open(db)?)),
    };
    crate::logging::set_hall_offset(client.clock().offset());
    Ok(client)
}

/// Runs one command, writing its output to `out`. Errors come back as one line, and are also
/// written to the log beside the database (when it exists).
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let db = cli.db.clone().unwrap_or_else(|| default_db_path("yimen.redb"));
    // Only the command's name: its arguments may hold citizens' data.
    let name = match &cli.command {
        Some(c) => format!("{c:?}").split([' ', '(', '{']).next().unwrap_or_default().to_lowercase(),
        None => "interface".into(),
    };
    let what = format!("{name} clerk={}", cli.clerk.clone().unwrap_or_else(|| "-".into()));
    let home = match &cli.server {
        Some(_) => Some(client_home()),
        None if db.exists() => Some(db.parent().map(std::path::Path::to_path_buf).unwrap_or_default()),
        None => None,
    };
    if let Some(home) = &home {
        let clock = yimen_domain::clock::Clock::from_env(yimen_domain::clock::DEFAULT_OFFSET)
            .unwrap_or_else(|_| yimen_domain::clock::Clock::new(yimen_domain::clock::DEFAULT_OFFSET, None));
        crate::logging::install(home, clock);
    }
    let result = run_command(cli, out);
    match &result {
        Ok(()) | Err(Failure::BrokenPipe) => tracing::info!("cli {what}: ok"),
        Err(Failure::Message(m)) => tracing::warn!("cli {what}: refused: {m}"),
    }
    result
}

fn run_command(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    let lang = cli.lang;
    let mut c = Ctx { lang, json: cli.json, out };
    let db = cli.db.clone().unwrap_or_else(|| default_db_path("yimen.redb"));
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let Some(command) = cli.command else {
        // No command: the terminal interface on the hall's database.
        let mut desk = open_client(cli.server.as_deref(), &db, lang).map_err(|e| c.fail(e))?;
        if !desk.has_accounts() {
            return Err(no_admin_yet(lang));
        }
        // With no PIN given, the interface opens on its sign-in screen.
        if cli.pin_stdin || std::env::var_os("YIMEN_PIN").is_some() {
            sign_in(&mut c, desk.as_mut(), cli.clerk.as_deref(), cli.pin_stdin)?;
        }
        let clerk = desk.clerk().map(str::to_string).or_else(|| cli.clerk.clone()).unwrap_or_default();
        let opts = yimen_tui::Options {
            lang,
            ascii: cli.ascii,
            clerk,
            window: cli.window,
            categories: cli.categories,
            notice: None,
        };
        return open_tui(&mut c, desk, opts);
    };

    if let Command::Town(cmd) = command {
        return town::town(&mut c, cmd);
    }
    let file_only = matches!(
        command,
        Command::Init { .. }
            | Command::Sync { .. }
            | Command::Device(_)
            | Command::Serve { .. }
            | Command::Restore { .. }
            | Command::Demo { .. }
            | Command::CrashWriter
    );
    if cli.server.is_some() && file_only {
        return Err(on_the_file_itself(lang));
    }

    match command {
        Command::Init { hall, utc_offset, admin } => {
            let fresh = !db.exists();
            let mut desk = if fresh {
                // The file and its first admin come in one step, or nothing is left behind.
                let name = admin.or_else(|| cli.clerk.clone()).ok_or_else(|| {
                    Failure::Message(t("请用 --admin 姓名 指定第一个管理员", "name the first admin with --admin NAME"))
                })?;
                let secret = read_secret(cli.pin_stdin, "YIMEN_PIN", &t("管理员密码：", "admin password: "), lang)?;
                let desk =
                    Desk::create(&db, hall.as_deref(), utc_offset.as_deref(), &name, &secret).map_err(|e| c.fail(e))?;
                writeln!(c.out, "{}{}", t("已创建管理员：", "admin created: "), clean(&name))?;
                Local::new(desk)
            } else {
                // Renaming the hall or changing its offset on an existing file: an admin, here.
                let mut desk = Local::new(Desk::open(&db).map_err(|e| c.fail(e))?);
                sign_in(&mut c, &mut desk, cli.clerk.as_deref(), cli.pin_stdin)?;
                authorize(&c, "init", desk.clerk(), desk.role(), true)?;
                desk.acting().update_identity(hall.as_deref(), utc_offset.as_deref()).map_err(|e| c.fail(e))?;
                desk
            };
            let n = desk.ticket_count().map_err(|e| c.fail(e))?;
            desk.sign_out();
            if c.json {
                writeln!(
                    c.out,
                    "{}",
                    json!({"db": db.display().to_string(), "created": fresh, "hall": desk.settings().hall, "tickets": n})
                )?;
            } else if fresh {
                writeln!(
                    c.out,
                    "{}{}（{}）",
                    t("已创建数据库 ", "created database "),
                    db.display(),
                    clean(&desk.settings().hall)
                )?;
            } else {
                writeln!(
                    c.out,
                    "{}{}（{}，{n} {}）",
                    t("数据库已存在：", "database exists: "),
                    db.display(),
                    clean(&desk.settings().hall),
                    t("条办件", "tickets")
                )?;
            }
            return Ok(());
        }
        Command::Serve { listen, session_hours, session_secs, sync_to, sync_every } => {
            let addr: std::net::SocketAddr = listen.trim().parse().map_err(|_| {
                Failure::Message(format!(
                    "{}{}",
                    t(
                        "监听地址应如 127.0.0.1:7878 或 0.0.0.0:7878：",
                        "listen on an address such as 127.0.0.1:7878 or 0.0.0.0:7878: "
                    ),
                    clean(&listen)
                ))
            })?;
            let desk = Desk::open(&db).map_err(|e| c.fail(e))?;
            if !desk.has_accounts() {
                return Err(Failure::Message(t(
                    "服务需要工作人员账号：先用 `yimen user add 姓名 --role admin` 建立管理员",
                    "the server needs clerk accounts: create an admin first with `yimen user add NAME --role admin`",
                )));
            }
            // A retry comes within minutes; a week of keys is plenty.
            desk.prune_idempotency_keys(7).map_err(|e| c.fail(e))?;
            let opts = yimen_server::Options {
                listen: addr,
                session: std::time::Duration::from_secs(session_secs.unwrap_or(u64::from(session_hours) * 3600)),
                lang,
            };
            if let Some(url) = sync_to {
                // The hall's records go to the town every few seconds while the link is up; a
                // failure is logged and tried again later, and the hall never waits on it.
                let hall = desk.fork();
                std::thread::spawn(move || {
                    town_sync_loop(&hall, &url, std::time::Duration::from_secs(sync_every), lang)
                });
            }
            let out = &mut *c.out;
            yimen_server::run(desk, opts, |a| {
                let scope = if a.ip().is_loopback() {
                    lang.pick("仅本机可访问", "this PC only")
                } else {
                    lang.pick(
                        "大厅局域网可访问，请确认防火墙只对大厅开放",
                        "open to the hall's network: keep the firewall to the hall",
                    )
                };
                let _ = writeln!(
                    out,
                    "{}http://{a} ({scope})",
                    lang.pick("一门服务已启动：", "yimen server listening on ")
                );
                let _ = out.flush();
            })
            .map_err(|e| {
                Failure::Message(format!("{}{listen}: {e}", t("无法在此地址提供服务：", "cannot serve on ")))
            })?;
            return Ok(());
        }
        Command::Sync { to } => {
            let mut desk = Local::new(Desk::open(&db).map_err(|e| c.fail(e))?);
            sign_in(&mut c, &mut desk, cli.clerk.as_deref(), cli.pin_stdin)?;
            authorize(&c, "sync", desk.clerk(), desk.role(), true)?;
            let mut town = yimen_town::Town::connect(&to).map_err(|e| Failure::Message(e.text(lang)))?;
            let bar = progress::bar(t("正在同步到镇（事件）", "syncing to the town (events)"), false);
            let done = yimen_town::sync(&desk.desk, &mut town, true, &progress::callback(&bar));
            bar.finish_and_clear();
            let r = done.map_err(|e| Failure::Message(e.text(lang)))?;
            // Flags are the town's to act on, and a script's to notice: the run fails.
            let trouble = r.flags.first().map(|first| {
                format!(
                    "{}{}{}{}",
                    t("镇里标记了本大厅的问题（", "the town flagged this hall ("),
                    flag_kind(&first.kind, lang),
                    if r.stopped { t("），同步在此停下", "); the sync stops there") } else { t("）", ")") },
                    t(
                        "：请用 yimen audit verify 核对本大厅的数据，并联系镇里",
                        ": check the hall with yimen audit verify and tell the town"
                    ),
                )
            });
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(&r)?)?;
            } else {
                writeln!(
                    c.out,
                    "{}{}{}{}{}{}",
                    t("已同步到镇：新事件 ", "synced to the town: new events "),
                    r.events,
                    t("，办件记录 ", ", ticket records sent "),
                    r.tickets,
                    t("，已送达到第 ", ", delivered up to position "),
                    r.position
                )?;
                for f in &r.flags {
                    let kind = flag_kind(&f.kind, lang);
                    writeln!(
                        c.out,
                        "{}{kind}{}{}",
                        t("！镇里标记了问题：", "! flagged by the town: "),
                        t("：", ": "),
                        clean(&f.detail)
                    )?;
                }
            }
            return match trouble {
                Some(line) => Err(Failure::Message(line)),
                None => Ok(()),
            };
        }
        Command::Device(cmd) => {
            // Pairing writes the hall's file itself (beside a running server too).
            let mut desk = Local::new(Desk::open(&db).map_err(|e| c.fail(e))?);
            if !desk.desk.has_accounts() {
                return Err(no_admin_yet(lang));
            }
            sign_in(&mut c, &mut desk, cli.clerk.as_deref(), cli.pin_stdin)?;
            authorize(&c, &cli.path, desk.clerk(), desk.role(), true)?;
            return devices::device(&mut c, &desk, cmd);
        }
        Command::Restore { file, force } => {
            // An admin of the hall's file (or, when there is none or it is too damaged to read,
            // of the backup being put back) signs in first.
            let (clerk, pin_stdin) = (cli.clerk.clone(), cli.pin_stdin);
            let bar = progress::bar(t("正在复制备份", "copying the backup"), true);
            let (kept, n) = yimen_app::restore(&db, &file, force, &progress::callback(&bar), |desk| {
                use yimen_domain::account::{AccountError, Role};
                let name = clerk.as_deref().ok_or(AccountError::NotSignedIn)?;
                let secret = read_secret(pin_stdin, "YIMEN_PIN", &format!("{name} PIN: "), lang)
                    .map_err(|_| AccountError::NotSignedIn)?;
                let who = desk.sign_in(name, &secret)?;
                desk.acting(&who).require(Role::Admin)
            })
            .map_err(|e| c.fail(e))?;
            bar.finish_and_clear();
            writeln!(c.out, "{}{}（{n} {}）", t("已恢复到 ", "restored to "), db.display(), t("条办件", "tickets"))?;
            if let Some(k) = kept {
                writeln!(c.out, "{}{}", t("原数据库已保留为 ", "the replaced database is kept as "), k.display())?;
            }
            return Ok(());
        }
        Command::Demo { days, per_day, seed, no_tui, fresh } => {
            // The demo lives in its own folder: its slips, reports and backups never mix with
            // a real hall's.
            let path = cli.db.clone().unwrap_or_else(|| default_db_path("demo/yimen-demo.redb"));
            let opts = yimen_app::demo::Options { days, per_day, seed };
            // A trainee's practice is kept: the demo opens as it was left unless --fresh.
            let keep = !fresh && yimen_app::demo::has_practice(&path).map_err(|e| c.fail(e))?;
            let summary = if keep {
                writeln!(
                    c.out,
                    "{}{}",
                    t(
                        "打开已有的演示数据库（保留了练习记录；要重新生成请加 --fresh）：",
                        "opening the demo as it was left (practice kept; --fresh builds it again): "
                    ),
                    path.display()
                )?;
                None
            } else {
                let bar = progress::bar(t("正在生成演示数据（天）", "building the demo (days)"), false);
                let summary = yimen_app::demo::build_with_progress(&path, &opts, &progress::callback(&bar))
                    .map_err(|e| c.fail(e))?;
                bar.finish_and_clear();
                Some(summary)
            };
            let mut desk = Local::new(Desk::open(&path).map_err(|e| c.fail(e))?);
            let accounts: Vec<String> = yimen_app::demo::ACCOUNTS.iter().map(|(n, _, p)| format!("{n} {p}")).collect();
            // Two short lines, so they fit an 80-column screen: the clerks, then the others.
            let on_screen = format!(
                "{}{}\n{}",
                t("演示账号：", "demo accounts: "),
                accounts[..3].join("  "),
                accounts[3..].join("  ")
            );
            if c.json {
                let v = match &summary {
                    Some(s) => {
                        json!({"db": path.display().to_string(), "tickets": s.tickets, "days": s.days, "seconds": s.seconds, "kept": false})
                    }
                    None => json!({"db": path.display().to_string(), "kept": true}),
                };
                writeln!(c.out, "{v}")?;
                return Ok(());
            }
            if let Some(summary) = &summary {
                writeln!(
                    c.out,
                    "{}{}：{} {}，{} {}（{:.1} s）",
                    t("演示数据库 ", "demo database "),
                    path.display(),
                    summary.tickets,
                    t("条办件", "tickets"),
                    summary.days,
                    t("天", "days"),
                    summary.seconds
                )?;
            }
            writeln!(c.out, "{}{}", t("演示账号：", "demo accounts: "), accounts.join("  "))?;
            if no_tui || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                // Without a terminal (a script, a pipe) the demo shows today's queue instead.
                if !no_tui {
                    let q = desk.queue().map_err(|e| c.fail(e))?;
                    writeln!(c.out, "\n{}", t("今日排队：", "Today's queue:"))?;
                    c.list(&desk, &q, &t("（无人等候）", "(no one waiting)"))?;
                }
                writeln!(
                    c.out,
                    "{}{} --clerk 李娟",
                    t("打开界面：yimen --db ", "open it: yimen --db "),
                    path.display()
                )?;
                return Ok(());
            }
            // The demo signs in as a demo clerk at window 1.
            let opts = yimen_tui::Options {
                lang,
                ascii: cli.ascii,
                clerk: cli.clerk.clone().unwrap_or_else(|| "李娟".into()),
                window: cli.window.clone(),
                categories: cli.categories.clone(),
                notice: Some(on_screen),
            };
            let pin = yimen_app::demo::pin_of(&opts.clerk).ok_or_else(|| {
                Failure::Message(format!("{}{}", t("演示账号只有：", "the demo accounts are: "), accounts.join("  ")))
            })?;
            Client::sign_in(&mut desk, &opts.clerk, pin).map_err(|e| c.fail(e))?;
            return open_tui(&mut c, Box::new(desk), opts);
        }
        Command::Board => {
            // The board shows no names, so it needs no sign-in: a screen in the hall runs it.
            if c.json {
                let mut client = open_client(cli.server.as_deref(), &db, lang).map_err(|e| c.fail(e))?;
                let board = client.board().map_err(|e| c.fail(e))?;
                writeln!(c.out, "{}", serde_json::to_string(&board)?)?;
                return Ok(());
            }
            if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Failure::Message(t(
                    "叫号屏需要在终端中运行；脚本请用 yimen --json board",
                    "the board needs a terminal; scripts use yimen --json board",
                )));
            }
            let server = cli.server.clone();
            yimen_tui::board::run(|| open_client(server.as_deref(), &db, lang), lang, cli.ascii)?;
            return Ok(());
        }
        Command::CrashWriter => {
            // Each line is printed only after the write is committed: what the crash test may
            // hold us to after a SIGKILL.
            let mut desk = Local::new(Desk::open(&db).map_err(|e| c.fail(e))?);
            sign_in(&mut c, &mut desk, cli.clerk.as_deref(), cli.pin_stdin)?;
            let items = ["MZ01", "SB03", "YB01", "SB04", "SQ01"];
            for i in 0u64.. {
                let req = TakeRequest {
                    item: items[(i % 5) as usize].into(),
                    citizen: CitizenInput {
                        name: Some("张三".into()),
                        village: Some("青龙村".into()),
                        ..Default::default()
                    },
                    note: Some(format!("第 {i} 号写入")),
                    ..Default::default()
                };
                let (tk, _) = desk.take(&req).map_err(|e| c.fail(e))?;
                writeln!(c.out, "ACK {}", serde_json::to_string(&tk)?)?;
                c.out.flush()?;
            }
            return Ok(());
        }
        _ => {}
    }

    if matches!(command, Command::Compact) && cli.server.is_none() && db.exists() {
        // Compaction rewrites the whole file: with the hall closed (no other program on it).
        yimen_app::require_file_to_itself(&db).map_err(|e| c.fail(e))?;
    }
    let mut client = open_client(cli.server.as_deref(), &db, lang).map_err(|e| c.fail(e))?;
    if !client.has_accounts() {
        // A file without any account (made before accounts, or by hand): only its first admin
        // may be added; nothing else runs without a sign-in.
        if !matches!(&command, Command::User(args::UserCmd::Add { role: yimen_domain::account::Role::Admin, .. })) {
            return Err(no_admin_yet(lang));
        }
    }
    sign_in(&mut c, client.as_mut(), cli.clerk.as_deref(), cli.pin_stdin)?;
    if client.has_accounts() {
        authorize(&c, &cli.path, client.clerk(), client.role(), cli.server.is_none())?;
    }
    let result = records::command_on(&mut c, client.as_mut(), command);
    // A sign-in through a server ends with the command.
    client.sign_out();
    result
}

/// A file without any account (made before accounts, or by hand) runs nothing until its first
/// admin exists: there is no one to ask.
fn no_admin_yet(lang: Lang) -> Failure {
    Failure::Message(
        lang.pick(
            "此数据库还没有管理员：先用 `yimen user add 姓名 --role admin` 建立管理员",
            "this database has no admin yet: create one first with `yimen user add NAME --role admin`",
        )
        .to_string(),
    )
}

/// A command that works on the database file itself, asked for through a server.
fn on_the_file_itself(lang: Lang) -> Failure {
    Failure::Message(
        lang.pick(
            "此命令直接操作数据库文件，请在服务器电脑上运行（不带 --server）",
            "this command works on the database file itself: run it on the server PC (without --server)",
        )
        .to_string(),
    )
}

/// Refuses a command its row in `app::authority::COMMANDS` does not allow for `role` (a
/// command without a row is refused too).
fn authorize(
    c: &Ctx<'_>,
    path: &str,
    who: Option<&str>,
    role: Option<yimen_domain::account::Role>,
    local: bool,
) -> Result<(), Failure> {
    use yimen_app::authority::{Need, allows, need_of_command};
    use yimen_domain::account::{AccountError, Role};
    let lang = c.lang;
    let Some(need) = need_of_command(path) else {
        return Err(Failure::Message(format!("{}{path}", lang.pick("此命令未开放：", "this command is not open: "))));
    };
    if allows(need, role, local) {
        return Ok(());
    }
    Err(match (need, role) {
        (_, None) => c.fail(AccountError::NotSignedIn.into()),
        (Need::Role(r), Some(has)) => c.fail(AccountError::NeedsRole(r, who.unwrap_or_default().into(), has).into()),
        (Need::LocalAdmin, Some(Role::Admin)) => on_the_file_itself(lang),
        (_, Some(has)) => c.fail(AccountError::NeedsRole(Role::Admin, who.unwrap_or_default().into(), has).into()),
    })
}

/// A PIN or password: the first line of stdin with `--pin-stdin`, else the environment
/// variable, else a prompt on the terminal without echo.
fn read_secret(stdin: bool, env: &str, prompt: &str, lang: Lang) -> Result<String, Failure> {
    if stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(v);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return rpassword::prompt_password(prompt).map_err(Failure::from);
    }
    Err(Failure::Message(yimen_domain::lang::Localized::localized(
        &yimen_domain::account::AccountError::NotSignedIn,
        lang,
    )))
}

/// Names the acting clerk: with accounts, signs in with the PIN; in setup mode, just names.
fn sign_in(c: &mut Ctx<'_>, desk: &mut dyn Client, clerk: Option<&str>, pin_stdin: bool) -> Result<(), Failure> {
    if !desk.has_accounts() {
        return desk.set_clerk(clerk).map_err(|e| c.fail(e));
    }
    let Some(name) = clerk else {
        return Err(c.fail(yimen_domain::account::AccountError::NotSignedIn.into()));
    };
    let secret = read_secret(pin_stdin, "YIMEN_PIN", &format!("{name} PIN: "), c.lang)?;
    desk.sign_in(name, &secret).map_err(|e| c.fail(e))?;
    Ok(())
}

fn parse_day(s: &str, lang: Lang) -> Result<time::Date, Failure> {
    yimen_domain::calendar::parse_date(s).ok_or_else(|| {
        Failure::Message(format!("{}{}", lang.pick("日期格式应为 YYYY-MM-DD：", "a date is YYYY-MM-DD: "), clean(s)))
    })
}

fn check_period(from: time::Date, to: time::Date, lang: Lang) -> Result<(), Failure> {
    yimen_app::report::check_period(from, to).map_err(|e| Failure::Message(e.localized(lang)))
}

/// Writes a command's output file (`--out`). A database — any redb file, this hall's or
/// another — is never written over: a slip or a report aimed at one by mistake would destroy
/// the hall's records.
///
/// # Errors
/// One line: the target is a database, or the file system's refusal.
pub(crate) fn write_out(path: &std::path::Path, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    use std::io::Read;
    let mut head = [0u8; 4];
    // Only a regular file is looked into: reading a pipe or a device (`--out /dev/stdout`)
    // would wait for ever.
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let is_database =
        regular && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"redb";
    if is_database {
        return Err(Failure::Message(format!(
            "{}{}",
            path.display(),
            lang.pick(
                " 是数据库文件，不能用输出覆盖它（请换一个文件名）",
                " is a database file; output never overwrites one (give another file name)"
            )
        )));
    }
    std::fs::write(path, bytes).map_err(|e| Failure::Message(format!("{}: {}", path.display(), io_why(&e, lang))))
}

/// Why a file could not be written, in the user's language (the system's own words for a
/// kind without a name here).
fn io_why(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::IsADirectory => lang.pick("这是一个文件夹，请给出文件名", "this is a folder; give a file name").into(),
        K::StorageFull => lang.pick("磁盘已满，文件没有写入", "the disk is full; nothing was written").into(),
        K::PermissionDenied => lang.pick("没有写入这里的权限", "no permission to write here").into(),
        K::NotFound => lang.pick("所在的文件夹不存在", "its folder does not exist").into(),
        K::ReadOnlyFilesystem => lang.pick("这里是只读的", "this place is read-only").into(),
        _ => e.to_string(),
    }
}

/// Writes output to a file (saying where) or to the screen.
fn emit(c: &mut Ctx<'_>, bytes: &[u8], out: Option<&std::path::Path>) -> Result<(), Failure> {
    match out {
        Some(path) => {
            write_out(path, bytes, c.lang)?;
            eprintln!("{}{}", c.lang.pick("已保存到 ", "saved to "), path.display());
        }
        None => c.out.write_all(bytes)?,
    }
    Ok(())
}

/// `serve --sync-to`: sync, wait, sync again, for as long as the server runs. A lost link is
/// logged once when it goes and once when it comes back, not every few seconds.
fn town_sync_loop(hall: &Desk, url: &str, every: std::time::Duration, lang: Lang) {
    let mut town: Option<yimen_town::Town> = None;
    let mut down = false;
    // The whole file's records are checked on the first sync and then once a day.
    let mut checked: Option<time::Date> = None;
    loop {
        let today = hall.clock().today();
        let check = checked != Some(today);
        // Checked once a day whatever the sync's outcome (the walk reads the whole file).
        if check {
            checked = Some(today);
        }
        let done = match town.as_mut() {
            Some(t) => yimen_town::sync(hall, t, check, &|_, _| {}),
            None => yimen_town::Town::connect(url).and_then(|mut t| {
                let r = yimen_town::sync(hall, &mut t, check, &|_, _| {});
                town = Some(t);
                r
            }),
        };
        match done {
            Ok(r) => {
                if down || r.events > 0 {
                    tracing::info!("town sync: {} new events, at position {}", r.events, r.position);
                }
                for f in &r.flags {
                    tracing::warn!("town sync: the town flagged {}: {}", f.kind, f.detail);
                }
                down = false;
            }
            Err(e) => {
                if !down {
                    tracing::warn!("town sync: {}", e.text(lang));
                }
                down = true;
                // Connect afresh next time: the connection may be the thing that broke.
                town = None;
            }
        }
        std::thread::sleep(every);
    }
}

/// A flag's kind in the user's language.
fn flag_kind(kind: &str, lang: Lang) -> String {
    match kind {
        "gap" => lang.pick("审计链缺失", "a gap in the chain"),
        "mismatch" => lang.pick("与镇里已有的记录不一致", "differs from what the town holds"),
        "broken" => lang.pick("审计链断开", "a broken chain"),
        "hall_broken" => lang.pick("大厅自己的审计链断开", "the hall's own chain is broken"),
        "record_changed" => lang.pick("记录在一门之外被改动", "a record changed outside yimen"),
        "code_taken" => lang.pick("另一份历史试图用这个代码同步", "another history tried to sync under this code"),
        other => other,
    }
    .to_string()
}

/// Runs the terminal interface, then says where the slips printed during it went.
fn open_tui(c: &mut Ctx<'_>, mut desk: Box<dyn Client>, mut opts: yimen_tui::Options) -> Result<(), Failure> {
    let lang = opts.lang;
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(Failure::Message(
            lang.pick(
                "界面需要在终端中运行；脚本请使用子命令（yimen --help）",
                "the interface needs a terminal; scripts use the commands (yimen --help)",
            )
            .to_string(),
        ));
    }
    // The first start of each day takes a checked backup before the clerks begin. A failed
    // backup does not keep the hall closed: the interface opens and says so.
    let backup = match desk.daily_backup() {
        Ok(b) => b,
        Err(e) => {
            let warn = format!(
                "{}{}",
                lang.pick("今日自动备份失败：", "today's automatic backup failed: "),
                e.localized(lang)
            );
            tracing::warn!("{warn}");
            opts.notice = Some(match opts.notice.take() {
                Some(n) => format!("{warn}\n{n}"),
                None => warn,
            });
            None
        }
    };
    let slips = yimen_tui::run(desk, opts)?;
    if let Some(b) = backup {
        writeln!(c.out, "{}{}", lang.pick("今日自动备份：", "today's automatic backup: "), b.display())?;
    }
    for s in slips {
        writeln!(c.out, "{}{s}", lang.pick("凭条已保存：", "slip saved: "))?;
    }
    Ok(())
}

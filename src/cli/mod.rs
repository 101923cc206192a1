//! The scriptable command line. Each command calls one method of the application layer and
//! prints its result as text (in the chosen language) or JSON.

pub mod args;
pub mod view;

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

pub use args::Cli;
use args::{CatalogCmd, CitizenArgs, Command, ConfigCmd, ExportFormat, ReportCmd, ReportFormat, ReportOut};

use crate::app::{AcceptRequest, Act, CitizenInput, Desk, DeskError, ProxyInput, TakeRequest};
use crate::client::{Client, Remote};
use crate::domain::Lang;
use crate::domain::lang::Localized;
use crate::domain::ticket::Ticket;
use view::clean;

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
    Ok(match server {
        Some(url) => Box::new(Remote::connect(url, lang, client_home())?),
        None => Box::new(Desk::open(db)?),
    })
}

fn citizen(a: &CitizenArgs) -> (CitizenInput, ProxyInput) {
    (
        CitizenInput {
            name: a.name.clone(),
            id_number: a.id_number.clone(),
            phone: a.phone.clone(),
            village: a.village.clone(),
        },
        ProxyInput { name: a.proxy.clone(), phone: a.proxy_phone.clone(), id_number: a.proxy_id_number.clone() },
    )
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
    let result = run_command(cli, out);
    if let Some(home) = home {
        let clock = crate::clock::Clock::from_env(crate::clock::DEFAULT_OFFSET)
            .unwrap_or_else(|_| crate::clock::Clock::new(crate::clock::DEFAULT_OFFSET, None));
        let outcome = match &result {
            Ok(()) | Err(Failure::BrokenPipe) => "ok".to_string(),
            Err(Failure::Message(m)) => format!("refused: {m}"),
        };
        crate::log::write(&home, &clock, &format!("cli {what}: {outcome}"));
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
        // With accounts and no PIN given, the interface opens on its sign-in screen.
        let pin_given = cli.pin_stdin || std::env::var_os("YIMEN_PIN").is_some();
        if !desk.has_accounts() || pin_given {
            sign_in(&mut c, desk.as_mut(), cli.clerk.as_deref(), cli.pin_stdin)?;
        }
        let clerk = match desk.clerk() {
            Some(name) => name.to_string(),
            None if desk.has_accounts() => cli.clerk.clone().unwrap_or_default(),
            None => return Err(c.fail(DeskError::NoClerk)),
        };
        let opts = crate::tui::Options {
            lang,
            ascii: cli.ascii,
            clerk,
            window: cli.window,
            categories: cli.categories,
            notice: None,
        };
        return open_tui(&mut c, desk, opts);
    };

    let file_only = matches!(
        command,
        Command::Init { .. }
            | Command::Serve { .. }
            | Command::Restore { .. }
            | Command::Demo { .. }
            | Command::CrashWriter
    );
    if cli.server.is_some() && file_only {
        return Err(Failure::Message(t(
            "此命令直接操作数据库文件，请在服务器电脑上运行（不带 --server）",
            "this command works on the database file itself: run it on the server PC (without --server)",
        )));
    }

    match command {
        Command::Init { hall, utc_offset, admin } => {
            let (mut desk, fresh) = Desk::init(&db, hall.as_deref(), utc_offset.as_deref()).map_err(|e| c.fail(e))?;
            if !desk.has_accounts() {
                // The first admin: named by --admin or --clerk, with a password.
                let name = admin.or_else(|| cli.clerk.clone()).ok_or_else(|| {
                    Failure::Message(t("请用 --admin 姓名 指定第一个管理员", "name the first admin with --admin NAME"))
                })?;
                let secret = read_secret(cli.pin_stdin, "YIMEN_PIN", &t("管理员密码：", "admin password: "), lang)?;
                desk.add_user(&name, crate::domain::account::Role::Admin, &secret).map_err(|e| c.fail(e))?;
                writeln!(c.out, "{}{}", t("已创建管理员：", "admin created: "), clean(&name))?;
            }
            let n = desk.ticket_count().map_err(|e| c.fail(e))?;
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
        Command::Serve { listen, session_hours, session_secs } => {
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
            desk.enable_journal().map_err(|e| c.fail(e))?;
            // A retry comes within minutes; a week of keys is plenty.
            desk.prune_idempotency_keys(7).map_err(|e| c.fail(e))?;
            let opts = crate::server::Options {
                listen: addr,
                session: std::time::Duration::from_secs(session_secs.unwrap_or(u64::from(session_hours) * 3600)),
                lang,
            };
            let out = &mut *c.out;
            crate::server::run(desk, opts, |a| {
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
        Command::Restore { file, force } => {
            let (kept, n) = crate::app::restore(&db, &file, force).map_err(|e| c.fail(e))?;
            writeln!(c.out, "{}{}（{n} {}）", t("已恢复到 ", "restored to "), db.display(), t("条办件", "tickets"))?;
            if let Some(k) = kept {
                writeln!(c.out, "{}{}", t("原数据库已保留为 ", "the replaced database is kept as "), k.display())?;
            }
            return Ok(());
        }
        Command::Demo { days, per_day, seed, no_tui } => {
            let path = cli.db.clone().unwrap_or_else(|| default_db_path("yimen-demo.redb"));
            let opts = crate::demo::Options { days, per_day, seed };
            let summary = crate::demo::build(&path, &opts).map_err(|e| c.fail(e))?;
            let mut desk = Desk::open(&path).map_err(|e| c.fail(e))?;
            let accounts: Vec<String> = crate::demo::ACCOUNTS.iter().map(|(n, _, p)| format!("{n} {p}")).collect();
            // Two short lines, so they fit an 80-column screen: the clerks, then the others.
            let on_screen = format!(
                "{}{}\n{}",
                t("演示账号：", "demo accounts: "),
                accounts[..3].join("  "),
                accounts[3..].join("  ")
            );
            if c.json {
                writeln!(
                    c.out,
                    "{}",
                    json!({"db": path.display().to_string(), "tickets": summary.tickets, "days": summary.days, "seconds": summary.seconds})
                )?;
                return Ok(());
            }
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
            let opts = crate::tui::Options {
                lang,
                ascii: cli.ascii,
                clerk: cli.clerk.clone().unwrap_or_else(|| "李娟".into()),
                window: cli.window.clone(),
                categories: cli.categories.clone(),
                notice: Some(on_screen),
            };
            let pin = crate::demo::pin_of(&opts.clerk).ok_or_else(|| {
                Failure::Message(format!("{}{}", t("演示账号只有：", "the demo accounts are: "), accounts.join("  ")))
            })?;
            desk.sign_in(&opts.clerk, pin).map_err(|e| c.fail(e))?;
            return open_tui(&mut c, Box::new(desk), opts);
        }
        Command::Board => {
            // The board shows no names, so it needs no sign-in: a screen in the hall runs it.
            let mut client = open_client(cli.server.as_deref(), &db, lang).map_err(|e| c.fail(e))?;
            if c.json {
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
            crate::tui::board::run(client, lang, cli.ascii)?;
            return Ok(());
        }
        Command::CrashWriter => {
            // Each line is printed only after the write is committed: what the crash test may
            // hold us to after a SIGKILL.
            let mut desk = Desk::open(&db).map_err(|e| c.fail(e))?;
            sign_in(&mut c, &mut desk, cli.clerk.as_deref(), cli.pin_stdin)?;
            desk.enable_journal().map_err(|e| c.fail(e))?;
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

    let mut client = open_client(cli.server.as_deref(), &db, lang).map_err(|e| c.fail(e))?;
    sign_in(&mut c, client.as_mut(), cli.clerk.as_deref(), cli.pin_stdin)?;
    let result = command_on(&mut c, client.as_mut(), command);
    // A sign-in through a server ends with the command.
    client.sign_out();
    result
}

/// Runs a command that works on the hall's records, through the file or the server alike.
fn command_on(c: &mut Ctx<'_>, desk: &mut dyn Client, command: Command) -> Result<(), Failure> {
    let lang = c.lang;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let hints = |h: &[crate::app::Hint]| h.iter().map(|h| view::hint_text(h, lang)).collect::<Vec<_>>();

    match command {
        Command::Init { .. }
        | Command::Demo { .. }
        | Command::Restore { .. }
        | Command::Serve { .. }
        | Command::CrashWriter => {}
        Command::Board => {}
        Command::Compact => {
            let (before, after) = desk.compact().map_err(|e| c.fail(e))?;
            let mib = |b: u64| format!("{:.1} MiB", b as f64 / 1024.0 / 1024.0);
            writeln!(
                c.out,
                "{}{} → {}",
                t("已整理数据库文件：", "database file compacted: "),
                mib(before),
                mib(after)
            )?;
        }
        Command::Backup { file } => {
            let (path, n) = desk.backup(file.as_deref()).map_err(|e| c.fail(e))?;
            writeln!(
                c.out,
                "{}{}（{n} {}）",
                t("已备份并校验：", "backed up and checked: "),
                path.display(),
                t("条办件", "tickets")
            )?;
        }
        Command::Notice { ticket, missing } => {
            let (tk, _) = desk.perform(&ticket.id, &Act::Notice { missing: missing.clone() }).map_err(|e| c.fail(e))?;
            let slip = crate::slip::notice(desk, &tk, &missing, lang);
            if c.json {
                c.ticket(desk, &tk, vec![])?;
            } else {
                writeln!(c.out, "{slip}")?;
            }
        }
        Command::Slip { ticket, out } => {
            let (tk, _) = desk.show(&ticket.id).map_err(|e| c.fail(e))?;
            let (text, _) = crate::slip::for_ticket(desk, &tk, lang);
            writeln!(c.out, "{text}")?;
            if let Some(path) = out {
                std::fs::write(&path, &text).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))?;
            }
        }
        Command::Catalog(cmd) => catalog(c, desk, cmd)?,
        Command::Report(cmd) => report(c, desk, cmd)?,
        Command::User(cmd) => {
            use args::UserCmd;
            let new_secret = || read_secret(false, "YIMEN_NEW_PIN", &t("新 PIN/密码：", "new PIN/password: "), lang);
            match cmd {
                UserCmd::Add { name, role } => {
                    let secret = new_secret()?;
                    desk.add_user(&name, role, &secret).map_err(|e| c.fail(e))?;
                    writeln!(c.out, "{}{}（{}）", t("已添加：", "added: "), clean(&name), role.label(lang))?;
                }
                UserCmd::List => {
                    let users = desk.users().map_err(|e| c.fail(e))?;
                    if c.json {
                        let v: Vec<_> = users
                            .iter()
                            .map(|u| json!({"name": u.name, "role": u.role, "disabled": u.disabled, "locked": u.locked_until.is_some_and(|l| l > desk.clock().now())}))
                            .collect();
                        writeln!(c.out, "{}", serde_json::Value::Array(v))?;
                    } else {
                        let rows: Vec<Vec<String>> = users
                            .iter()
                            .map(|u| {
                                let state = if u.disabled {
                                    t("已停用", "disabled")
                                } else if u.locked_until.is_some_and(|l| l > desk.clock().now()) {
                                    t("已锁定", "locked")
                                } else {
                                    String::new()
                                };
                                vec![clean(&u.name), u.role.label(lang).to_string(), state]
                            })
                            .collect();
                        write!(c.out, "{}", view::table(&rows))?;
                    }
                }
                UserCmd::Passwd { name } => {
                    let secret = new_secret()?;
                    desk.set_secret(&name, &secret).map_err(|e| c.fail(e))?;
                    writeln!(c.out, "{}{}", t("已更改：", "changed: "), clean(&name))?;
                }
                UserCmd::Disable { name } => {
                    desk.disable_user(&name).map_err(|e| c.fail(e))?;
                    writeln!(c.out, "{}{}", t("已停用：", "disabled: "), clean(&name))?;
                }
                UserCmd::Unlock { name } => {
                    desk.unlock_user(&name).map_err(|e| c.fail(e))?;
                    writeln!(c.out, "{}{}", t("已解锁：", "unlocked: "), clean(&name))?;
                }
            }
        }
        Command::Audit(args::AuditCmd::Verify) => {
            use crate::store::chain::Verdict;
            match desk.verify_chain().map_err(|e| c.fail(e))? {
                Verdict::Intact { events, head } => {
                    if c.json {
                        writeln!(c.out, "{}", json!({"ok": true, "events": events, "head": head}))?;
                    } else {
                        writeln!(
                            c.out,
                            "{}{events}{}{head}",
                            t("审计链完整：", "audit chain intact: "),
                            t(" 条事件，链头 ", " events, head ")
                        )?;
                    }
                }
                Verdict::Broken { position, ticket, seq, at, why } => {
                    let which = match desk.show(&ticket.to_string()) {
                        Ok((tk, _)) => format!("{}（#{ticket}，{}）", tk.number, tk.date),
                        Err(_) => format!("#{ticket}"),
                    };
                    let when = at.map(|a| view::stamp(desk, a)).unwrap_or_default();
                    return Err(Failure::Message(match lang {
                        Lang::Zh => format!(
                            "审计链在第 {} 条事件处断开：办件 {which} 第 {} 个事件 {when}（{why}）",
                            position + 1,
                            seq + 1
                        ),
                        Lang::En => format!(
                            "the audit chain breaks at event {}: ticket {which}, event {} {when} ({why})",
                            position + 1,
                            seq + 1
                        ),
                    }));
                }
            }
        }
        Command::Export { from, to, format, out, excel, full_ids } => {
            let today = desk.clock().today();
            let to = match to {
                Some(d) => parse_day(&d, lang)?,
                None => today,
            };
            let from = match from {
                Some(d) => parse_day(&d, lang)?,
                None => to,
            };
            check_period(from, to, lang)?;
            let rows = desk.export_rows(from, to, full_ids).map_err(|e| c.fail(e))?;
            let bytes = match format {
                ExportFormat::Csv => crate::report::export::csv(&rows, excel).map_err(Failure::Message)?,
                ExportFormat::Jsonl => crate::report::export::jsonl(&rows).map_err(Failure::Message)?.into_bytes(),
            };
            emit(c, &bytes, out.as_deref())?;
        }
        Command::Config(cmd) => {
            if let ConfigCmd::Set { key, value } = &cmd {
                desk.set_setting(key, value).map_err(|e| c.fail(e))?;
            }
            let pairs = desk.settings().pairs();
            if c.json {
                let m: serde_json::Map<_, _> = pairs.into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                writeln!(c.out, "{}", serde_json::Value::Object(m))?;
            } else {
                let rows: Vec<Vec<String>> = pairs.into_iter().map(|(k, v)| vec![k.to_string(), clean(&v)]).collect();
                write!(c.out, "{}", view::table(&rows))?;
            }
        }
        Command::Take(a) => {
            let (citizen, proxy) = citizen(&a.citizen);
            let req = TakeRequest { item: a.item, priority: a.priority, citizen, proxy, note: a.note };
            let (tk, h) = desk.take(&req).map_err(|e| c.fail(e))?;
            if c.json {
                c.ticket(desk, &tk, hints(&h))?;
            } else {
                let prio = tk
                    .priority
                    .map(|p| format!("（{}{}）", t("优先：", "priority: "), p.label(lang)))
                    .unwrap_or_default();
                writeln!(
                    c.out,
                    "{}{}  {}{}  {}{}",
                    t("取号成功：", "number "),
                    tk.number,
                    t("办件编号 ", "ticket id "),
                    tk.id,
                    clean(&tk.item_name),
                    prio
                )?;
                for l in hints(&h) {
                    writeln!(c.out, "{l}")?;
                }
            }
        }
        Command::Call { window, categories } => {
            let tk = desk.call(&window, &categories).map_err(|e| c.fail(e))?;
            c.ticket(desk, &tk, vec![])?;
        }
        Command::Recall(a) => act(c, desk, &a.id, Act::Recall)?,
        Command::Noshow(a) => act(c, desk, &a.id, Act::NoShow)?,
        Command::Requeue(a) => act(c, desk, &a.id, Act::Requeue)?,
        Command::Accept(a) => {
            let (citizen, proxy) = citizen(&a.citizen);
            act(c, desk, &a.ticket.id, Act::Accept(AcceptRequest { citizen, proxy, deferred: a.defer }))?
        }
        Command::Suspend { ticket, reason, missing, note } => {
            act(c, desk, &ticket.id, Act::Suspend { reason, missing, note })?
        }
        Command::Resume(a) => act(c, desk, &a.id, Act::Resume)?,
        Command::Transfer { ticket, to, days } => act(c, desk, &ticket.id, Act::Transfer { to, days })?,
        Command::Complete { ticket, note } => {
            let (tk, _) = desk.perform(&ticket.id, &Act::Complete { note }).map_err(|e| c.fail(e))?;
            let invite = t(
                "请邀请群众评价（不要暗示评价等级）：yimen rate ",
                "invite a rating (never suggest one): yimen rate ",
            );
            c.ticket(desk, &tk, vec![format!("{invite}{} --score 1..5", tk.id)])?;
        }
        Command::Reject(a) => act(c, desk, &a.ticket.id, Act::Reject { reason: a.reason })?,
        Command::Withdraw(a) => act(c, desk, &a.ticket.id, Act::Withdraw { reason: a.reason })?,
        Command::Terminate { ticket, note } => act(c, desk, &ticket.id, Act::Terminate { note })?,
        Command::Supply { ticket, material } => act(c, desk, &ticket.id, Act::Supply { material })?,
        Command::Rate { ticket, score, comment } => act(c, desk, &ticket.id, Act::Rate { score, comment })?,
        Command::Followup { ticket, step, note } => act(c, desk, &ticket.id, Act::FollowUp { step, note })?,
        Command::Reassign { ticket, to } => act(c, desk, &ticket.id, Act::Reassign { to })?,
        Command::Reopen(a) => act(c, desk, &a.ticket.id, Act::Reopen { reason: a.reason })?,
        Command::Show(a) => {
            let (tk, events) = desk.show(&a.id).map_err(|e| c.fail(e))?;
            if c.json {
                let mut v = view::ticket_json(desk, &tk, true);
                v["events"] = json!(events.iter().map(|e| view::event_json(desk, e)).collect::<Vec<_>>());
                writeln!(c.out, "{v}")?;
            } else {
                write!(c.out, "{}", view::detail(desk, &tk, &events, lang))?;
            }
        }
        Command::List { date, status, open, limit } => {
            let tickets = if open {
                desk.open_cases(usize::from(limit)).map_err(|e| c.fail(e))?
            } else {
                let day = match date {
                    Some(d) => crate::domain::calendar::parse_date(&d).ok_or_else(|| {
                        Failure::Message(format!(
                            "{}{}",
                            t("日期格式应为 YYYY-MM-DD：", "a date is YYYY-MM-DD: "),
                            clean(&d)
                        ))
                    })?,
                    None => desk.clock().today(),
                };
                desk.list_day(day, status).map_err(|e| c.fail(e))?
            };
            c.list(desk, &tickets, &t("（没有办件）", "(no tickets)"))?;
        }
        Command::Queue => {
            let q = desk.queue().map_err(|e| c.fail(e))?;
            c.list(desk, &q, &t("（无人等候）", "(no one waiting)"))?;
        }
        Command::Search { query, limit } => {
            let found = desk.search(&query, limit.clamp(1, 1000)).map_err(|e| c.fail(e))?;
            c.list(desk, &found, &t("（没有找到）", "(nothing found)"))?;
        }
    }
    Ok(())
}

/// Does one action on a ticket and says how it stands now, with any hints.
fn act(c: &mut Ctx<'_>, desk: &mut dyn Client, r: &str, act: Act) -> Result<(), Failure> {
    let (tk, hints) = desk.perform(r, &act).map_err(|e| c.fail(e))?;
    let hints = hints.iter().map(|h| view::hint_text(h, c.lang)).collect();
    c.ticket(desk, &tk, hints)
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
    Err(Failure::Message(crate::domain::lang::Localized::localized(
        &crate::domain::account::AccountError::NotSignedIn,
        lang,
    )))
}

/// Names the acting clerk: with accounts, signs in with the PIN; in setup mode, just names.
fn sign_in(c: &mut Ctx<'_>, desk: &mut dyn Client, clerk: Option<&str>, pin_stdin: bool) -> Result<(), Failure> {
    if !desk.has_accounts() {
        return desk.set_clerk(clerk).map_err(|e| c.fail(e));
    }
    let Some(name) = clerk else {
        return Err(c.fail(crate::domain::account::AccountError::NotSignedIn.into()));
    };
    let secret = read_secret(pin_stdin, "YIMEN_PIN", &format!("{name} PIN: "), c.lang)?;
    desk.sign_in(name, &secret).map_err(|e| c.fail(e))?;
    Ok(())
}

fn parse_day(s: &str, lang: Lang) -> Result<time::Date, Failure> {
    crate::domain::calendar::parse_date(s).ok_or_else(|| {
        Failure::Message(format!("{}{}", lang.pick("日期格式应为 YYYY-MM-DD：", "a date is YYYY-MM-DD: "), clean(s)))
    })
}

fn check_period(from: time::Date, to: time::Date, lang: Lang) -> Result<(), Failure> {
    if from > to {
        return Err(Failure::Message(format!(
            "{}{from} > {to}",
            lang.pick("开始日期晚于结束日期：", "the period starts after it ends: ")
        )));
    }
    if (to - from).whole_days() > 3660 {
        return Err(Failure::Message(lang.pick("时间段最长十年", "a period is at most ten years").to_string()));
    }
    Ok(())
}

/// Writes output to a file (saying where) or to the screen.
fn emit(c: &mut Ctx<'_>, bytes: &[u8], out: Option<&std::path::Path>) -> Result<(), Failure> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))?;
            eprintln!("{}{}", c.lang.pick("已保存到 ", "saved to "), path.display());
        }
        None => c.out.write_all(bytes)?,
    }
    Ok(())
}

fn report(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: ReportCmd) -> Result<(), Failure> {
    use crate::report::{self, render};
    let lang = c.lang;
    let today = desk.clock().today();
    let write = |c: &mut Ctx<'_>,
                 out: &ReportOut,
                 title: &str,
                 when: &str,
                 header: &report::Header,
                 sections: &[render::Section],
                 json: Result<String, String>|
     -> Result<(), Failure> {
        let format = if c.json { ReportFormat::Json } else { out.format };
        let bytes = match format {
            ReportFormat::Text => render::text(title, when, header, sections, lang).into_bytes(),
            ReportFormat::Markdown => render::markdown(title, when, header, sections, lang).into_bytes(),
            ReportFormat::Csv => render::csv(sections, out.excel).map_err(Failure::Message)?,
            ReportFormat::Json => {
                let mut s = json.map_err(Failure::Message)?;
                s.push('\n');
                s.into_bytes()
            }
        };
        emit(c, &bytes, out.out.as_deref())
    };
    match cmd {
        ReportCmd::Daily { date, out } => {
            let day = match date {
                Some(d) => parse_day(&d, lang)?,
                None => today,
            };
            let r = desk.daily_report(day, lang).map_err(|e| c.fail(e))?;
            let sections = render::daily_sections(&r, lang);
            write(c, &out, lang.pick("便民服务日报", "Daily summary"), &r.date, &r.header, &sections, render::json(&r))
        }
        ReportCmd::Range { from, to, week, month, out } => {
            let (from, to) = if let Some(w) = week {
                let d = if w == "today" { today } else { parse_day(&w, lang)? };
                let monday = d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
                (monday, monday + time::Duration::days(6))
            } else if let Some(m) = month {
                let first = if m == "this" {
                    today.replace_day(1).unwrap_or(today)
                } else {
                    parse_day(&format!("{m}-01"), lang)?
                };
                let next = if first.month() == time::Month::December {
                    time::Date::from_calendar_date(first.year() + 1, time::Month::January, 1)
                } else {
                    time::Date::from_calendar_date(first.year(), first.month().next(), 1)
                }
                .unwrap_or(first);
                (first, next.previous_day().unwrap_or(first))
            } else {
                let to = match to {
                    Some(d) => parse_day(&d, lang)?,
                    None => today,
                };
                (parse_day(from.as_deref().unwrap_or_default(), lang)?, to)
            };
            check_period(from, to, lang)?;
            let r = desk.range_report(from, to, lang).map_err(|e| c.fail(e))?;
            let sections = render::range_sections(&r, lang);
            let when = format!("{from} ~ {to}");
            write(
                c,
                &out,
                lang.pick("便民服务周期报告", "Period report"),
                &when,
                &r.header,
                &sections,
                render::json(&r),
            )
        }
    }
}

/// Runs the terminal interface, then says where the slips printed during it went.
fn open_tui(c: &mut Ctx<'_>, mut desk: Box<dyn Client>, mut opts: crate::tui::Options) -> Result<(), Failure> {
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
            crate::log::write(&desk.home(), desk.clock(), &warn);
            opts.notice = Some(match opts.notice.take() {
                Some(n) => format!("{warn}\n{n}"),
                None => warn,
            });
            None
        }
    };
    // The interface writes all day: each action becomes one synced journal append, and redb is
    // made durable in batches and on quit.
    desk.keep_open().map_err(|e| c.fail(e))?;
    let slips = crate::tui::run(desk, opts)?;
    if let Some(b) = backup {
        writeln!(c.out, "{}{}", lang.pick("今日自动备份：", "today's automatic backup: "), b.display())?;
    }
    for s in slips {
        writeln!(c.out, "{}{s}", lang.pick("凭条已保存：", "slip saved: "))?;
    }
    Ok(())
}

fn catalog(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: CatalogCmd) -> Result<(), Failure> {
    let lang = c.lang;
    match cmd {
        CatalogCmd::List => {
            let cat = desk.catalog();
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(cat)?)?;
                return Ok(());
            }
            let head: [&str; 6] = match lang {
                Lang::Zh => ["代码", "类别", "事项", "类型", "承诺时限", "年龄"],
                Lang::En => ["code", "category", "item", "kind", "days", "min age"],
            };
            let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for i in &cat.items {
                let cg =
                    cat.category_of(i).map(|g| format!("{} {}", g.letter, g.display_name(lang))).unwrap_or_default();
                rows.push(vec![
                    i.code.clone(),
                    clean(&cg),
                    clean(i.display_name(lang)),
                    i.kind.label(lang).to_string(),
                    if i.days == 0 {
                        "-".into()
                    } else {
                        format!("{} {}", i.days, lang.pick("个工作日", "working days"))
                    },
                    i.min_age.map(|a| format!("{a}+")).unwrap_or_default(),
                ]);
            }
            write!(c.out, "{}", view::table(&rows))?;
        }
        CatalogCmd::Show { code } => {
            let item = desk.catalog().item(&code).ok_or_else(|| c.fail(DeskError::UnknownItem(code.clone())))?;
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(item)?)?;
                return Ok(());
            }
            writeln!(c.out, "{} {}（{}）", item.code, clean(&item.name), clean(&item.name_en))?;
            writeln!(c.out, "{}{}", lang.pick("类型：", "kind: "), item.kind.label(lang))?;
            if item.days > 0 {
                writeln!(c.out, "{}{}", lang.pick("承诺时限（工作日）：", "promised working days: "), item.days)?;
            }
            if let Some(a) = item.min_age {
                writeln!(c.out, "{}{a}", lang.pick("申请人年龄不低于：", "minimum age: "))?;
            }
            writeln!(c.out, "{}", lang.pick("材料：", "materials:"))?;
            for m in &item.materials {
                let flag = match (m.key, m.may_defer) {
                    (true, _) => lang.pick("必备", "key"),
                    (false, true) => lang.pick("可容缺", "may be brought later"),
                    (false, false) => lang.pick("可选", "optional"),
                };
                writeln!(c.out, "  - {}（{flag}）", clean(&m.name))?;
            }
        }
        CatalogCmd::Import { file } => {
            let src = std::fs::read_to_string(&file).map_err(|e| {
                Failure::Message(format!("{}{}: {e}", lang.pick("无法读取 ", "cannot read "), file.display()))
            })?;
            desk.import_catalog(&src).map_err(|e| Failure::Message(e.localized(lang)))?;
            let cat = desk.catalog();
            writeln!(
                c.out,
                "{}{} {}，{} {}",
                lang.pick("已导入事项清单：", "catalog imported: "),
                cat.categories.len(),
                lang.pick("个类别", "categories"),
                cat.items.len(),
                lang.pick("个事项", "items")
            )?;
        }
    }
    Ok(())
}

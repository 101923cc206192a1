//! The commands on the hall's records — taking, calling, every action on a ticket, lookups,
//! reports, the export, accounts, settings and the catalog — written once against the client,
//! so they run the same on the file and through the hall server.

use serde_json::json;

use super::args::{self, CitizenArgs, Command, ConfigCmd, ExportFormat};
use super::catalog::catalog;
use super::report::report;
use super::view::{self, clean};
use super::{Ctx, Failure, check_period, emit, parse_day, read_secret};
use yimen_api::Client;
use yimen_app::{AcceptRequest, Act, CitizenInput, ProxyInput, TakeRequest};
use yimen_domain::Lang;

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

/// Runs a command that works on the hall's records, through the file or the server alike.
pub(super) fn command_on(c: &mut Ctx<'_>, desk: &mut dyn Client, command: Command) -> Result<(), Failure> {
    let lang = c.lang;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let hints = |h: &[yimen_app::Hint]| h.iter().map(|h| view::hint_text(h, lang)).collect::<Vec<_>>();

    match command {
        Command::Init { .. }
        | Command::Sync { .. }
        | Command::Device(_)
        | Command::Town(_)
        | Command::Demo { .. }
        | Command::Restore { .. }
        | Command::Serve { .. }
        | Command::CrashWriter => {}
        Command::Board => {}
        Command::Compact => {
            let spin = super::progress::spinner(t("正在整理数据库文件", "compacting the database file"));
            let done = desk.compact();
            spin.finish_and_clear();
            let (before, after) = done.map_err(|e| c.fail(e))?;
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
            let bar = super::progress::bar(t("正在备份（行）", "backing up (rows)"), false);
            let done = desk.backup_with_progress(file.as_deref(), &super::progress::callback(&bar));
            bar.finish_and_clear();
            let (path, n) = done.map_err(|e| c.fail(e))?;
            writeln!(
                c.out,
                "{}{}（{n} {}）",
                t("已备份并校验：", "backed up and checked: "),
                path.display(),
                t("条办件", "tickets")
            )?;
        }
        Command::Notice { ticket, missing, paper } => {
            use yimen_present::slip::{self, Kind};
            let (tk, _) = desk.perform(&ticket.id, &Act::Notice { missing: missing.clone() }).map_err(|e| c.fail(e))?;
            let doc = slip::notice(
                desk,
                &tk,
                &missing,
                super::paper::paper_of(paper.paper, Kind::Notice.default_paper()),
                lang,
            );
            if c.json {
                c.ticket(desk, &tk, vec![])?;
                if paper.format == Some(args::PaperFormat::Pdf)
                    || paper
                        .out
                        .as_deref()
                        .and_then(std::path::Path::extension)
                        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
                    || paper.print
                {
                    let pdf = args::PaperOut { format: Some(args::PaperFormat::Pdf), ..paper };
                    let mut quiet = super::Ctx { lang, json: true, out: &mut std::io::sink() };
                    super::paper::deliver_slip(&mut quiet, desk, &doc, &pdf, |ext| {
                        slip::slip_path(desk, &tk, Kind::Notice, ext)
                    })?;
                }
            } else {
                super::paper::deliver_slip(c, desk, &doc, &paper, |ext| slip::slip_path(desk, &tk, Kind::Notice, ext))?;
            }
        }
        Command::Slip { ticket, kind, paper } => {
            use yimen_present::slip::{self, Kind};
            let (tk, _) = desk.show(&ticket.id).map_err(|e| c.fail(e))?;
            let kind = match kind {
                None => slip::papers_for(&tk).first().copied().unwrap_or(Kind::Receipt),
                Some(args::SlipKind::Receipt) => Kind::Receipt,
                Some(args::SlipKind::Notice) => Kind::Notice,
                Some(args::SlipKind::SupplyNotice) => Kind::SupplyNotice,
                Some(args::SlipKind::DeferralNotice) => Kind::DeferralNotice,
                Some(args::SlipKind::QueueTicket) => Kind::QueueTicket,
            };
            // The queue ticket says how many wait before this number, as the queue stands now.
            let ahead = if kind == Kind::QueueTicket {
                desk.queue().map_err(|e| c.fail(e))?.iter().position(|q| q.id == tk.id)
            } else {
                None
            };
            let doc =
                slip::of_kind(desk, &tk, kind, ahead, super::paper::paper_of(paper.paper, kind.default_paper()), lang)
                    .map_err(|e| c.fail(e))?;
            super::paper::deliver_slip(c, desk, &doc, &paper, |ext| slip::slip_path(desk, &tk, kind, ext))?;
        }
        Command::Catalog(cmd) => catalog(c, desk, cmd)?,
        Command::Calendar(cmd) => super::catalog::calendar(c, desk, cmd)?,
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
        Command::Check => {
            let report = desk.check().map_err(|e| c.fail(e))?;
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(&report)?)?;
            }
            let pages = if report.pages_intact {
                t("文件页校验通过", "file pages intact")
            } else {
                t("文件页有损坏，已修复分配信息", "file pages damaged; redb repaired its allocator state")
            };
            if !c.json {
                writeln!(c.out, "{pages}")?;
            }
            return command_on(c, desk, Command::Audit(args::AuditCmd::Verify));
        }
        Command::Audit(args::AuditCmd::Verify) => {
            use yimen_app::Verdict;
            match desk.verify_chain().map_err(|e| c.fail(e))? {
                Verdict::Intact { events, head, uncovered } => {
                    if c.json {
                        writeln!(
                            c.out,
                            "{}",
                            json!({"ok": true, "events": events, "head": head, "uncovered": uncovered})
                        )?;
                    } else {
                        writeln!(
                            c.out,
                            "{}{events}{}{head}",
                            t("审计链完整：", "audit chain intact: "),
                            t(" 条事件，链头 ", " events, head ")
                        )?;
                        if uncovered > 0 {
                            writeln!(
                                c.out,
                                "{uncovered}{}",
                                t(
                                    " 条办件的最后一次操作早于数据版本 7，其办件记录不在链的保护范围内（事件仍受保护）",
                                    " tickets were last changed before data version 7: their events are covered, their records are not"
                                )
                            )?;
                        }
                    }
                }
                Verdict::Altered { tickets, .. } => {
                    let list: Vec<String> = tickets
                        .iter()
                        .take(20)
                        .map(|(id, why)| {
                            let what = match (why.as_str(), lang) {
                                ("record changed", Lang::Zh) => "记录被改动",
                                ("record missing", Lang::Zh) => "记录缺失",
                                (w, _) => w,
                            };
                            if *id == 0 { what.to_string() } else { format!("#{id} {what}") }
                        })
                        .collect();
                    let more =
                        if tickets.len() > 20 { format!(" …（+{}）", tickets.len() - 20) } else { String::new() };
                    return Err(Failure::Message(format!(
                        "{}{}{more}",
                        t(
                            "审计链本身完整，但以下办件记录与链上记载的不一致（文件被改动过）：",
                            "the audit chain holds, but these ticket records differ from what it recorded (the file was edited): "
                        ),
                        list.join("；")
                    )));
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
            // Checked before the rows are read: a refused export records no reveal.
            let table = [("csv", ExportFormat::Csv), ("jsonl", ExportFormat::Jsonl), ("xlsx", ExportFormat::Xlsx)];
            let format = super::paper::format_for(format, out.as_deref(), &table, ExportFormat::Csv, lang)?;
            if excel && format != ExportFormat::Csv {
                return Err(Failure::Message(t(
                    "--excel 只用于 CSV（Excel 文件请用 --format xlsx）",
                    "--excel is for CSV only (for an Excel file use --format xlsx)",
                )));
            }
            let spin = super::progress::spinner(t("正在导出", "exporting"));
            let rows = desk.export_rows(from, to, full_ids);
            spin.finish_and_clear();
            let rows = rows.map_err(|e| c.fail(e))?;
            let bytes = match format {
                ExportFormat::Csv => {
                    yimen_present::export::csv(&rows, excel, desk.catalog(), lang).map_err(Failure::Message)?
                }
                ExportFormat::Jsonl => yimen_present::export::jsonl(&rows).map_err(Failure::Message)?.into_bytes(),
                ExportFormat::Xlsx => {
                    let people = yimen_present::export::people(&rows, desk.catalog(), lang);
                    let head = yimen_present::export::people_head(lang);
                    let book = yimen_present::xlsx::export(&format!("{from} ~ {to}"), &head, &people)
                        .map_err(Failure::Message)?;
                    let name = format!("export-{from}-{to}.xlsx");
                    let fallback = super::paper::beside_database(desk, "exports", &name);
                    return super::paper::emit_binary(c, &book, out.as_deref(), fallback);
                }
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
            let req = TakeRequest { item: a.item, priority: a.priority, citizen, proxy, note: a.note, at_kiosk: false };
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
            act(c, desk, &a.ticket.id, Act::Accept(AcceptRequest { item: a.item, citizen, proxy, deferred: a.defer }))?
        }
        Command::Suspend { ticket, reason, missing, note } => {
            act(c, desk, &ticket.id, Act::Suspend { reason, missing, note })?
        }
        Command::Resume(a) => act(c, desk, &a.id, Act::Resume)?,
        Command::Transfer { ticket, to, days } => act(c, desk, &ticket.id, Act::Transfer { to, days })?,
        Command::Complete { ticket, note } => {
            let (tk, _) = desk.perform(&ticket.id, &Act::Complete { note }).map_err(|e| c.fail(e))?;
            let invite = t(
                "请群众在本窗口的评价器上评价；没有评价器时请邀请群众评价（不要暗示评价等级，记为窗口录入）：yimen rate ",
                "the citizen rates on the window's pad; without one, invite a rating (never suggest one; recorded as keyed): yimen rate ",
            );
            c.ticket(desk, &tk, vec![format!("{invite}{} --score 1..5", tk.id)])?;
        }
        Command::Reject(a) => act(c, desk, &a.ticket.id, Act::Reject { reason: a.reason })?,
        Command::Withdraw(a) => act(c, desk, &a.ticket.id, Act::Withdraw { reason: a.reason })?,
        Command::Terminate { ticket, note } => act(c, desk, &ticket.id, Act::Terminate { note })?,
        Command::Supply { ticket, material } => act(c, desk, &ticket.id, Act::Supply { material })?,
        Command::Rate { ticket, score, comment } => {
            act(c, desk, &ticket.id, Act::Rate { score, comment, reasons: Vec::new() })?
        }
        Command::Followup { ticket, step, note } => act(c, desk, &ticket.id, Act::FollowUp { step, note })?,
        Command::Reassign { ticket, to } => act(c, desk, &ticket.id, Act::Reassign { to })?,
        Command::Reopen(a) => act(c, desk, &a.ticket.id, Act::Reopen { reason: a.reason })?,
        Command::Correct { ticket, field, to, reason } => act(c, desk, &ticket.id, Act::Correct { field, to, reason })?,
        Command::Show { ticket: a, reveal } => {
            let shown = if reveal { desk.reveal(&a.id) } else { desk.show(&a.id) };
            let (mut tk, mut events) = shown.map_err(|e| c.fail(e))?;
            // On a screen anyone nearby can read, the numbers are masked for every role unless
            // asked for (`--reveal`, on the audit chain); `--json` is for programs.
            if !reveal && !c.json {
                tk.mask_personal_data();
                for e in events.iter_mut().filter(|e| e.action == yimen_domain::ticket::Action::Correct) {
                    e.note = e.note.as_deref().map(yimen_domain::ticket::mask_correction_note);
                }
            }
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
                    Some(d) => yimen_domain::calendar::parse_date(&d).ok_or_else(|| {
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

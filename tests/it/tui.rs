//! The terminal interface: rendered screens (TestBackend) in both languages and two sizes,
//! whole flows driven by keys through `update` against a real database, every size from 1x1
//! to 200x60, and every kind of key on every screen without a panic.

use std::sync::mpsc::{self, Receiver};

use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::common::Hall;
use yimen::app::{Act, TakeRequest};
use yimen::client::{Client, Local};
use yimen::domain::Lang;
use yimen::domain::ticket::Status;
use yimen::tui::app::{App, Msg, Setup};
use yimen::tui::keymap::Screen;
use yimen::tui::worker::{self, Job};

const NOW: &str = "2026-11-30T09:30:00+08:00";

/// An interface over a real database, with the worker's jobs run in line so tests are
/// deterministic.
struct Ui {
    desk: Local,
    app: App,
    jobs: Receiver<Job>,
    lang: Lang,
}

impl Ui {
    fn new(hall: &Hall, lang: Lang) -> Ui {
        Ui::with_desk(hall.desk("李娟", NOW), lang, vec![])
    }

    /// An interface over `desk`; with `users`, it starts on the sign-in screen.
    fn with_desk(desk: Local, lang: Lang, users: Vec<(String, yimen::domain::account::Role)>) -> Ui {
        let (tx, jobs) = mpsc::channel();
        let setup = Setup {
            lang,
            ascii: false,
            clerk: "李娟".into(),
            window: "1".into(),
            categories: vec![],
            hall: desk.settings().hall.clone(),
            catalog: desk.catalog().clone(),
            calendar: desk.calendar().clone(),
            clock: *desk.clock(),
            signed_in: users.is_empty(),
            users,
            notice: None,
        };
        let app = App::new(setup, tx);
        let mut ui = Ui { desk, app, jobs, lang };
        ui.settle();
        ui
    }

    /// Runs every job the interface asked for and hands back the replies.
    fn settle(&mut self) {
        while let Ok(job) = self.jobs.try_recv() {
            let reply = worker::run(&mut self.desk, self.lang, job);
            self.app.update(Msg::Reply(Box::new(reply)));
        }
    }

    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app.update(Msg::Key(KeyEvent::new(code, mods)));
        self.settle();
    }

    /// Types keys written like "c<Tab>张三<C-s><Esc>".
    fn keys(&mut self, s: &str) {
        let mut rest = s;
        while !rest.is_empty() {
            if let Some(end) = rest.strip_prefix('<').and_then(|r| r.find('>')) {
                let name = &rest[1..=end];
                let (code, mods) = match name {
                    "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
                    "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
                    "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
                    "Down" => (KeyCode::Down, KeyModifiers::NONE),
                    "Up" => (KeyCode::Up, KeyModifiers::NONE),
                    "Left" => (KeyCode::Left, KeyModifiers::NONE),
                    "Right" => (KeyCode::Right, KeyModifiers::NONE),
                    "Space" => (KeyCode::Char(' '), KeyModifiers::NONE),
                    "BS" => (KeyCode::Backspace, KeyModifiers::NONE),
                    "C-s" => (KeyCode::Char('s'), KeyModifiers::CONTROL),
                    other => panic!("unknown key <{other}>"),
                };
                self.key(code, mods);
                rest = &rest[end + 2..];
            } else {
                let c = rest.chars().next().unwrap();
                self.key(KeyCode::Char(c), KeyModifiers::NONE);
                rest = &rest[c.len_utf8()..];
            }
        }
    }

    fn draw(&self, w: u16, h: u16) -> (String, Option<(u16, u16)>) {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let text = text_of(term.draw(|f| yimen::tui::screens::render(&self.app, f)).unwrap().buffer);
        let p = term.backend_mut().get_cursor_position().unwrap();
        (text, Some((p.x, p.y)))
    }

    fn screen(&self) -> String {
        self.draw(100, 30).0
    }
}

/// The buffer as lines of text, skipping the cells hidden behind wide characters.
fn text_of(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn seed(ui: &mut Ui) {
    for item in ["MZ01", "SB03", "SB04"] {
        ui.desk.take(&TakeRequest { item: item.into(), ..Default::default() }).unwrap();
    }
}

#[test]
fn every_screen_renders_in_both_languages_at_both_sizes() {
    for lang in [Lang::Zh, Lang::En] {
        let hall = Hall::new();
        let mut ui = Ui::new(&hall, lang);
        seed(&mut ui);
        ui.app.update(Msg::Tick);
        ui.settle();
        ui.keys("c");
        ui.keys("i");
        for c in "张𠈌三".chars() {
            ui.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
        for (w, h) in [(80, 24), (120, 40)] {
            let (queue, _) = {
                ui.app.screen = Screen::Queue;
                ui.draw(w, h)
            };
            let want = if lang == Lang::Zh {
                ["排队叫号", "叫下一位", "B001", "正在办理"]
            } else {
                ["Queue", "call next", "B001", "Being served"]
            };
            for s in want {
                assert!(queue.contains(s), "{lang:?} {w}x{h} queue lacks {s}:\n{queue}");
            }
            assert!(queue.contains("A001"), "the called ticket is shown:\n{queue}");
            ui.app.screen = Screen::Intake;
            let (intake, cursor) = ui.draw(w, h);
            assert!(intake.contains("张𠈌三"), "{intake}");
            let label = if lang == Lang::Zh { "身份证号" } else { "ID number" };
            assert!(intake.contains(label), "{intake}");
            // The real cursor sits right after the typed name: label column + 6 cells.
            let (x, y) = cursor.expect("the caret is shown for the IME");
            let row: Vec<&str> = intake.lines().collect();
            assert!(row[y as usize].contains("张𠈌三"), "cursor row {y}: {}", row[y as usize]);
            assert_eq!(x, 1 + 12 + 6, "caret after three wide characters");
        }
        // An accepted case for the detail and open-cases screens, with its light.
        let accept = yimen::app::AcceptRequest {
            citizen: yimen::app::CitizenInput {
                name: Some("阿依古丽·买买提".into()),
                id_number: Some("430822195602294056".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        ui.desk.perform("A001", &Act::Accept(accept.clone())).unwrap();
        ui.app.form = Default::default();
        ui.keys("1");
        ui.app.update(Msg::Tick);
        ui.settle();
        ui.keys("4");
        for (w, h) in [(80, 24), (120, 40)] {
            let (open, _) = ui.draw(w, h);
            let (light, title) =
                if lang == Lang::Zh { ("绿灯 剩25", "在办件") } else { ("25 left", "Open cases") };
            assert!(
                open.contains(light) && open.contains(title) && open.contains("阿依古丽·***"),
                "{lang:?} {w}x{h}:\n{open}"
            );
        }
        ui.keys("<Enter>");
        assert_eq!(ui.app.screen, Screen::Detail);
        for (w, h) in [(80, 24), (120, 40)] {
            let (detail, _) = ui.draw(w, h);
            let want: &[&str] = if lang == Lang::Zh {
                &["办件详情", "阿依古丽·买买提", "2027-01-05", "绿灯", "办理过程", "挂起", "办结"]
            } else {
                &["Case", "阿依古丽·买买提", "2027-01-05", "25 left", "History", "suspend", "complete"]
            };
            for s in want {
                assert!(detail.contains(s), "{lang:?} {w}x{h} detail lacks {s}:\n{detail}");
            }
            let not_allowed = if lang == Lang::Zh { " 恢复" } else { " resume" };
            assert!(!detail.contains(not_allowed), "an accepted case offers no resume:\n{detail}");
        }
    }
}

#[test]
fn take_call_register_accept_complete_and_rate_by_keys() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    // A walk-in takes a number through the item picker, filtered by pinyin initials.
    ui.keys("t");
    ui.keys("zdsh<Enter>"); // 最低生活保障申请（低保）, by pinyin initials
    // Then the priority and an optional ID number: a wrong one keeps the popup and the digits.
    let s = ui.screen();
    assert!(s.contains("不优先") && s.contains("80岁以上老人") && s.contains("Enter 取号"), "{s}");
    ui.keys("<Right><Right>43082219560229405");
    ui.keys("7<Enter>");
    assert!(ui.screen().contains("校验不通过"), "{}", ui.screen());
    assert!(ui.desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap().is_empty());
    ui.keys("<BS>6<Enter>");
    let taken = ui.desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].item, "MZ01");
    assert_eq!(taken[0].priority, Some(yimen::domain::queue::Priority::Disability), "the choice was kept");
    assert_eq!(taken[0].citizen.id_number.as_ref().map(|i| i.to_string()).as_deref(), Some("430822195602294056"));
    ui.keys("c");
    assert!(ui.screen().contains("A001"));
    ui.keys("i");
    assert_eq!(ui.app.screen, Screen::Intake);
    // Name, then a wrong ID number: the error shows beside it and nothing typed is lost.
    // The ID number given at the take is in the form already, masked like on the case screen;
    // typing replaces it, and the field takes 18 characters.
    assert_eq!(ui.app.form.id_number.value(), "430822********4056");
    ui.keys("张三<Tab>43082219560229405799<Tab>13812341234<Tab>");
    assert_eq!(ui.app.form.id_number.value(), "430822195602294057", "no 19th character");
    let s = ui.screen();
    assert!(s.contains("校验不通过") && !s.contains("应为 6"), "live ID check, never the right digit:\n{s}");
    ui.keys("<C-s>");
    assert_eq!(ui.app.screen, Screen::Intake);
    assert_eq!(ui.app.form.name.value(), "张三");
    assert!(ui.app.form.error(yimen::tui::form::FieldId::IdNumber).is_some());
    assert_eq!(ui.desk.show("A001").unwrap().0.status, Status::Called, "nothing was saved");
    // Fix the last digit.
    ui.app.form.focus = yimen::tui::form::FieldId::IdNumber.index();
    ui.keys("<BS>6");
    assert!(ui.screen().contains("1956-02-29"), "derived birth date");
    // Village by pinyin, then tick every material and save.
    ui.app.form.focus = yimen::tui::form::FieldId::Village.index();
    ui.keys("<Enter>qlc<Enter>");
    assert_eq!(ui.app.form.village.value(), "青龙村");
    ui.app.form.focus = yimen::tui::form::FieldId::Materials.index();
    for _ in 0..5 {
        ui.keys("<Space>");
    }
    ui.keys("<C-s>");
    let t = ui.desk.show("A001").unwrap().0;
    assert_eq!(t.status, Status::Accepted);
    assert_eq!(t.citizen.name.as_deref(), Some("张三"));
    assert_eq!(t.citizen.village.as_deref(), Some("青龙村"));
    assert_eq!(ui.app.screen, Screen::Detail, "the case opens after registering");
    assert!(!ui.app.form.dirty, "the form is cleared once stored");
    // Calling the next citizen while A001 is at this window is refused with what to do.
    ui.keys("1");
    ui.app.update(Msg::Tick);
    ui.settle();
    ui.keys("c");
    ui.keys("3");
    // 办结 asks first, with an optional note; Esc leaves the case as it was.
    ui.keys("d");
    let s = ui.screen();
    assert!(s.contains("办结 A001") && s.contains("备注") && s.contains("Enter 确认"), "{s}");
    ui.keys("<Esc>");
    assert_eq!(ui.desk.show("A001").unwrap().0.status, Status::Accepted);
    ui.keys("d已发放<Enter>");
    let (t, events) = ui.desk.show("A001").unwrap();
    assert_eq!(t.status, Status::Completed);
    assert_eq!(events.last().unwrap().note.as_deref(), Some("已发放"));
    // A digit only chooses the rating; Enter records it.
    ui.keys("p5");
    assert_eq!(ui.desk.show("A001").unwrap().0.rating, None, "nothing recorded before Enter");
    ui.keys("4<Enter>");
    assert_eq!(ui.desk.show("A001").unwrap().0.rating.map(|r| r.score), Some(4));
    let s = ui.screen();
    assert!(s.contains("满意") && s.contains("办理过程"), "{s}");
    // Found again from the queue screen by search.
    ui.keys("1/zs<Enter>");
    assert_eq!(ui.app.screen, Screen::Open);
    assert!(ui.screen().contains("A001"));
}

#[test]
fn missing_key_materials_offer_the_notice_and_deferrable_ones_the_gap() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    ui.desk.take(&TakeRequest { item: "SB04".into(), ..Default::default() }).unwrap();
    ui.desk.take(&TakeRequest { item: "MZ03".into(), ..Default::default() }).unwrap();
    ui.keys("c"); // B001 社会保障卡申领: 身份证 (key) + 照片 (may be deferred)
    ui.keys("i李四<Tab>430822195602294056");
    ui.app.form.focus = yimen::tui::form::FieldId::Materials.index();
    ui.keys("<Space><C-s>");
    assert!(ui.screen().contains("容缺受理"), "{}", ui.screen());
    ui.keys("2");
    let t = ui.desk.show("B001").unwrap().0;
    assert_eq!((t.status, t.owed().count()), (Status::Accepted, 1));
    // A missing key material: only the notice is offered, and it ends the visit with a slip.
    ui.keys("1c");
    ui.keys("i王五<Tab>430822195602294056");
    ui.keys("<C-s>");
    let s = ui.screen();
    assert!(s.contains("一次性告知") && !s.contains("2 容缺受理"), "{s}");
    ui.keys("1");
    let t = ui.desk.show("A001").unwrap().0;
    assert_eq!(t.status, Status::Notified);
    assert!(t.close_reason.unwrap().contains("身份证"));
    assert_eq!(ui.app.slips.len(), 1, "the notice slip was saved");
    let slip = std::fs::read_to_string(&ui.app.slips[0]).unwrap();
    assert!(slip.contains("一次性告知单") && slip.contains("困难情况证明"), "{slip}");
    let pdf = std::fs::read(std::path::Path::new(&ui.app.slips[0]).with_extension("pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "the same notice as a print-ready PDF beside it");
}

#[test]
fn the_print_key_keeps_every_paper_and_says_in_one_line_why_the_printer_did_not_print() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    ui.desk.set_setting("printer", "no-such-printer-yimen").unwrap();
    ui.desk.take(&TakeRequest { item: "SB04".into(), ..Default::default() }).unwrap();
    ui.desk.take(&TakeRequest { item: "SB04".into(), ..Default::default() }).unwrap();
    ui.keys("c");
    ui.keys("i李四<Tab>430822195602294056");
    ui.app.form.focus = yimen::tui::form::FieldId::Materials.index();
    ui.keys("<Space><C-s>2");
    assert_eq!(ui.desk.show("B001").unwrap().0.owed().count(), 1, "accepted with the photo to follow");
    // The case accepted with a material owed: the receipt and the 容缺受理通知书, both kept.
    ui.keys("3o");
    let slips = hall.dir.path().join("slips");
    let mut files: Vec<String> =
        std::fs::read_dir(&slips).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    for kind in ["receipt", "deferral_notice"] {
        for ext in ["pdf", "txt"] {
            assert!(files.iter().any(|f| f.ends_with(&format!("-{kind}.{ext}"))), "{kind}.{ext} in {files:?}");
        }
    }
    let (line, is_error) = ui.app.status.clone().expect("a status line");
    assert!(is_error, "the printer's trouble is shown as an error: {line}");
    assert!(line.contains("receipt.pdf") && !line.contains('\n'), "one line with the saved file: {line}");
    let deferral = files.iter().find(|f| f.ends_with("deferral_notice.txt")).unwrap();
    let text = std::fs::read_to_string(slips.join(deferral)).unwrap();
    assert!(text.contains("容缺受理通知书") && text.contains("照片") && text.contains("申请人承诺"), "{text}");
    // A number not yet accepted gets its queue ticket, with how many wait before it.
    assert_eq!(ui.desk.show("B002").unwrap().0.status, Status::Waiting);
    ui.keys("1<Enter>");
    assert!(ui.screen().contains("B002"), "{}", ui.screen());
    ui.keys("o");
    let ticket = std::fs::read_dir(&slips)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-B002-2-queue_ticket.txt"))
        .expect("the queue ticket of B002");
    let text = std::fs::read_to_string(ticket).unwrap();
    assert!(text.contains("B002") && text.contains("前面还有 0 人") && text.contains("请备齐以下材料"), "{text}");
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::En);
    ui.keys("i<Tab>王五");
    ui.keys("<Esc>");
    assert!(ui.screen().contains("Discard what was typed?"));
    ui.keys("n");
    assert_eq!(ui.app.form.name.value(), "王五");
    ui.keys("<Esc>y");
    assert_eq!(ui.app.screen, Screen::Queue);
    assert_eq!(ui.app.form.name.value(), "");
}

#[test]
fn key_releases_are_ignored() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    seed(&mut ui);
    let mut release = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    ui.app.update(Msg::Key(release));
    ui.settle();
    assert!(ui.desk.queue().unwrap().len() == 3, "a release does not call anyone");
}

#[test]
fn pasted_text_is_cleaned() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    ui.keys("i<Tab>");
    ui.app.update(Msg::Paste("张\u{202E}三\u{1b}[31m\r\n".into()));
    assert_eq!(ui.app.form.name.value(), "张三[31m");
}

#[test]
fn any_size_and_any_key_never_panics() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    seed(&mut ui);
    ui.keys("ci");
    // Every size from 1x1 to 200x60, on the two busiest screens.
    for screen in [Screen::Queue, Screen::Intake] {
        ui.app.screen = screen;
        for w in 1..=200u16 {
            for h in 1..=60u16 {
                let (s, _) = ui.draw(w, h);
                if (w < 80 || h < 24) && w >= 8 {
                    assert!(s.contains("窗口太小"), "{w}x{h}: {s}");
                }
            }
        }
    }
    let codes: Vec<KeyCode> = ('\u{20}'..='\u{7e}')
        .map(KeyCode::Char)
        .chain(['张', '𠈌', '😀', '·', '\u{202E}', '\u{200B}'].map(KeyCode::Char))
        .chain([
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::F(1),
            KeyCode::F(2),
            KeyCode::F(3),
            KeyCode::F(4),
            KeyCode::F(10),
        ])
        .collect();
    for screen in Screen::ALL {
        for mods in [KeyModifiers::NONE, KeyModifiers::SHIFT, KeyModifiers::ALT] {
            for code in &codes {
                if *code == KeyCode::Char('q') {
                    continue;
                }
                ui.app.screen = screen;
                ui.app.quit = false;
                ui.key(*code, mods);
                ui.draw(80, 24);
            }
        }
    }
}

#[test]
fn a_walk_in_is_registered_at_the_window_in_one_go() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    // Typing on the item field opens the picker with what was typed.
    ui.keys("i");
    ui.keys("gl<Enter>"); // 高龄津贴申请
    assert_eq!(ui.app.form.item.as_deref(), Some("MZ05"));
    ui.keys("向秀英<Tab>430822195602294056");
    let s = ui.screen();
    assert!(s.contains("年龄低于此事项要求"), "eligibility hint for a 70-year-old:\n{s}");
    ui.app.form.focus = yimen::tui::form::FieldId::Materials.index();
    ui.keys("<Space><Space><Space><C-s>");
    let t = ui.desk.show("A001").unwrap().0;
    assert_eq!((t.status, t.window.as_deref()), (Status::Accepted, Some("1")));
    assert_eq!(ui.desk.show("A001").unwrap().1.len(), 3, "take, call, accept");
}

#[test]
fn the_report_screen_moves_by_day_and_saves_the_printable_page() {
    for lang in [Lang::Zh, Lang::En] {
        let hall = Hall::new();
        let mut ui = Ui::new(&hall, lang);
        seed(&mut ui);
        ui.keys("5");
        assert_eq!(ui.app.screen, Screen::Report);
        for (w, h) in [(80, 24), (120, 40)] {
            let (s, _) = ui.draw(w, h);
            let want: &[&str] = if lang == Lang::Zh {
                &["日报  2026-11-30", "取号 3", "民政", "每小时取号"]
            } else {
                &["Daily report  2026-11-30", "taken 3", "Civil", "Arrivals by hour"]
            };
            for x in want {
                assert!(s.contains(x), "{lang:?} {w}x{h} lacks {x}:\n{s}");
            }
        }
        ui.key(KeyCode::Left, KeyModifiers::NONE);
        assert!(ui.screen().contains("2026-11-29"));
        ui.key(KeyCode::Right, KeyModifiers::NONE);
        ui.key(KeyCode::Right, KeyModifiers::NONE);
        assert!(ui.screen().contains("2026-11-30"), "no report for tomorrow");
        ui.keys("p");
        let saved = ui.app.slips.last().expect("a saved report").clone();
        let text = std::fs::read_to_string(&saved).unwrap();
        assert!(text.contains(if lang == Lang::Zh { "便民服务日报" } else { "Daily summary" }), "{text}");
    }
}

#[test]
fn the_sign_in_screen_checks_the_pin_and_the_lock_key_keeps_the_form() {
    use yimen::domain::account::Role;
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", NOW);
    desk.add_user("管理员", Role::Admin, "admin-pass-2026").unwrap();
    desk.sign_in("管理员", "admin-pass-2026").unwrap();
    desk.add_user("张三", Role::Clerk, "246810").unwrap();
    desk.sign_out();
    let users = vec![("管理员".to_string(), Role::Admin), ("张三".to_string(), Role::Clerk)];
    let mut ui = Ui::with_desk(desk, Lang::Zh, users);
    // The demo's PINs fit an 80x24 screen, before and after signing in.
    let notice = "演示账号：李娟 111111  向红 222222  田国庆 333333\n王主任 boss-demo-26  管理员 admin-demo-26";
    ui.app.cfg.notice = Some(notice.into());
    ui.app.status = Some((notice.into(), false));
    let (small, _) = ui.draw(80, 24);
    assert!(small.contains("田国庆 333333") && small.contains("管理员 admin-demo-26"), "{small}");
    let s = ui.screen();
    assert!(s.contains("登录") && s.contains("张三（窗口工作人员）"), "{s}");
    assert!(!s.contains("排队叫号"), "nothing else shows before sign-in:\n{s}");
    // Nobody is chosen yet: Enter tries no one's PIN (so no one is charged a failure).
    ui.keys("123456<Enter>");
    assert!(ui.screen().contains("请先用 ↑↓ 选择您的名字"), "{}", ui.screen());
    assert_eq!(ui.app.signin.pin.value(), "", "nothing typed before a clerk was chosen");
    // The window field takes digits only: a PIN typed there by mistake never shows.
    ui.keys("<Tab><Tab>");
    assert_eq!(ui.app.signin.focus, 2);
    ui.keys("2111111abc");
    assert!(!ui.screen().contains("2111111") && !ui.screen().contains("abc"), "{}", ui.screen());
    ui.keys("<BS><BS><BS><BS>1");
    // ↑↓ choose from any field; pick 张三, a wrong PIN: refused, and the PIN is never drawn.
    ui.keys("<Down><Down><Tab>");
    assert!(ui.screen().contains("▶ 张三"), "the chosen clerk is plain to see:\n{}", ui.screen());
    ui.keys("999999");
    assert!(!ui.screen().contains("999999"), "the PIN shows as stars");
    ui.keys("<Enter>");
    assert!(ui.screen().contains("PIN 错误"));
    assert!(!ui.app.signed_in);
    ui.keys("246810<Enter>");
    assert!(ui.app.signed_in);
    assert_eq!(ui.app.cfg.clerk, "张三");
    assert!(ui.screen().contains("工作人员：张三"));
    // The clerk's actions are theirs.
    ui.keys("t");
    ui.keys("gl<Enter><Enter>");
    let t = ui.desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap();
    assert_eq!(ui.desk.show(&t[0].id.to_string()).unwrap().1[0].clerk, "张三");
    // Lock while typing: the form waits behind the sign-in screen.
    ui.keys("i<Tab>王五");
    ui.key(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert!(!ui.app.signed_in);
    assert!(ui.screen().contains("登录"));
    ui.keys("246810<Enter>");
    assert_eq!(ui.app.form.name.value(), "王五");
}

#[test]
fn a_supervisor_follows_up_reopens_and_reassigns_from_the_case_screen_and_a_clerk_cannot() {
    use yimen::domain::account::Role;
    use yimen::domain::ticket::FollowUp;
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", NOW);
    desk.add_user("管理员", Role::Admin, "admin-pass-2026").unwrap();
    desk.sign_in("管理员", "admin-pass-2026").unwrap();
    desk.add_user("王主任", Role::Supervisor, "boss-pass-2026").unwrap();
    desk.add_user("张三", Role::Clerk, "246810").unwrap();
    desk.sign_in("张三", "246810").unwrap();
    // An on-the-spot item done at the window and rated 不满意.
    let (t, _) = desk.take(&TakeRequest { item: "SB03".into(), ..Default::default() }).unwrap();
    desk.call("1", &[]).unwrap();
    desk.perform("B001", &Act::Complete { note: None }).unwrap();
    desk.perform("B001", &Act::Rate { score: 2, comment: Some("等太久".into()), reasons: vec![] }).unwrap();
    desk.sign_out();
    let users = vec![
        ("管理员".to_string(), Role::Admin),
        ("王主任".to_string(), Role::Supervisor),
        ("张三".to_string(), Role::Clerk),
    ];
    let mut ui = Ui::with_desk(desk, Lang::Zh, users);
    let id = t.id.to_string();

    // The clerk sees the case but not the supervisor's keys, and they do nothing.
    ui.keys("<Down><Down><Down><Tab>246810<Enter>");
    assert_eq!(ui.app.cfg.clerk, "张三");
    ui.keys("1/B001<Enter><Enter>");
    assert_eq!(ui.app.screen, Screen::Detail, "{}", ui.screen());
    let s = ui.screen();
    assert!(!s.contains("差评回访") && !s.contains("重新办理") && !s.contains("改派"), "{s}");
    // Who rated what is confidential: the clerk sees that it was rated, not how.
    assert!(s.contains("已评价（评价内容仅大厅负责人可见）") && !s.contains("不满意"), "{s}");
    ui.keys("hyg");
    assert!(ui.app.modal.is_none(), "no prompt opens for a clerk");

    // 王主任 signs in at the same screen: the keys are offered and work.
    ui.key(KeyCode::Char('l'), KeyModifiers::CONTROL);
    ui.keys("<Up>boss-pass-2026<Enter>");
    assert_eq!(ui.app.cfg.clerk, "王主任", "{}", ui.screen());
    let s = ui.screen();
    assert!(s.contains("差评回访") && s.contains("重新办理"), "{s}");
    assert!(s.contains("2 不满意"), "a supervisor sees the rating:\n{s}");
    ui.keys("h");
    assert!(ui.screen().contains("差评回访记录：回访"), "{}", ui.screen());
    ui.keys("已电话回访，群众反映等候太久<Enter>");
    ui.keys("h");
    assert!(ui.screen().contains("差评回访记录：核实"), "{}", ui.screen());
    ui.keys("属实<Enter>");
    let rating = ui.desk.show(&id).unwrap().0.rating.unwrap();
    let steps: Vec<FollowUp> = rating.follow_up.iter().map(|s| s.step).collect();
    assert_eq!(steps, [FollowUp::Callback, FollowUp::Verify]);
    assert_eq!(rating.follow_up[0].clerk, "王主任");
    // Reopen with a reason, then hand the case to the clerk by picking a name.
    ui.keys("y复核材料<Enter>");
    let t = ui.desk.show(&id).unwrap().0;
    assert_eq!(t.status, Status::Accepted, "reopened");
    ui.keys("g");
    assert!(ui.screen().contains("改派给哪位工作人员"), "{}", ui.screen());
    ui.keys("zs<Enter>");
    assert_eq!(ui.desk.show(&id).unwrap().0.clerk.as_deref(), Some("张三"));
    let (_, events) = ui.desk.show(&id).unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.action, last.clerk.as_str()), (yimen::domain::ticket::Action::Reassign, "王主任"));
}

#[test]
fn the_display_board_shows_calls_and_counts_never_a_name_at_any_size() {
    use yimen::client::Client;
    use yimen::tui::board::{View, render};
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", NOW);
    let named = |item: &str, name: &str| TakeRequest {
        item: item.into(),
        citizen: yimen::app::CitizenInput { name: Some(name.into()), ..Default::default() },
        ..Default::default()
    };
    desk.take(&named("SB03", "欧阳娜娜")).unwrap();
    desk.take(&named("SB04", "阿依古丽·买买提")).unwrap();
    desk.take(&named("MZ03", "龚德明")).unwrap();
    desk.call("2", &["B".into()]).unwrap();
    desk.call("3", &["B".into()]).unwrap();
    desk.perform("B002", &Act::Recall).unwrap();
    let board = Client::board(&mut desk).unwrap();
    assert_eq!(board.headline().map(|c| (c.number.as_str(), c.window.as_str())), Some(("B002", "3")));
    for lang in [Lang::Zh, Lang::En] {
        let view = View {
            hall: desk.settings().hall.clone(),
            now: time::macros::datetime!(2026-11-30 09:30 +8),
            board: Ok(board.clone()),
            lang,
            ascii: false,
        };
        let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
        let s = text_of(term.draw(|f| render(&view, f)).unwrap().buffer);
        let words = if lang == Lang::Zh { "请 B002 号到 3 号窗口" } else { "Number B002, please go to window 3" };
        assert!(s.contains(words), "{s}");
        assert!(s.contains("B001") && s.contains(if lang == Lang::Zh { "重呼1" } else { "again 1" }), "{s}");
        assert!(s.contains(if lang == Lang::Zh { "A 民政  1 人" } else { "A Civil affairs  1" }), "{s}");
        for name in ["欧阳", "阿依古丽", "龚德明"] {
            assert!(!s.contains(name), "a name on the board:\n{s}");
        }
        // Every size, from a corner of a screen to a wall: no panic.
        for (w, h) in [(1, 1), (10, 3), (40, 12), (80, 24), (200, 60)] {
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| render(&view, f)).unwrap();
        }
    }
    // A server that went away: the board says so instead of going blank.
    let view = View {
        hall: "利福塔镇便民服务中心".into(),
        now: time::macros::datetime!(2026-11-30 09:30 +8),
        board: Err("连不上大厅服务器".into()),
        lang: Lang::Zh,
        ascii: true,
    };
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let s = text_of(term.draw(|f| render(&view, f)).unwrap().buffer);
    assert!(s.contains("正在重新连接") && s.contains("连不上大厅服务器"), "{s}");
}

/// The clerk 张三 signed in at an interface over a hall where a citizen with an ID number and a
/// phone took a number for `item`.
fn clerk_with_a_citizens_ticket(hall: &Hall, item: &str) -> Ui {
    use yimen::app::CitizenInput;
    use yimen::domain::account::Role;
    let mut desk = hall.desk("李娟", NOW);
    desk.add_user("张三", Role::Clerk, "246810").unwrap();
    let citizen = CitizenInput {
        name: Some("张三丰".into()),
        id_number: Some("430822195602294056".into()),
        phone: Some("13812341234".into()),
        ..Default::default()
    };
    desk.take(&TakeRequest { item: item.into(), citizen, ..Default::default() }).unwrap();
    desk.sign_in("张三", "246810").unwrap();
    Ui::with_desk(desk, Lang::Zh, vec![])
}

#[test]
fn a_clerk_sees_the_case_masked_and_one_key_shows_it_whole_on_the_record() {
    let hall = Hall::new();
    let mut ui = clerk_with_a_citizens_ticket(&hall, "SB03");
    ui.keys("1/B001<Enter><Enter>");
    assert_eq!(ui.app.screen, Screen::Detail, "{}", ui.screen());
    let s = ui.screen();
    assert!(s.contains("430822********4056") && !s.contains("430822195602294056"), "{s}");
    assert!(s.contains("查看完整证件号"), "the key is offered while something is masked: {s}");
    let (_, events_before) = ui.desk.chain_state().unwrap();
    ui.keys("v");
    let s = ui.screen();
    assert!(s.contains("430822195602294056") && s.contains("13812341234"), "{s}");
    assert!(!s.contains("查看完整证件号"), "nothing left to reveal: {s}");
    // On the record: one more event in the audit chain, and the chain holds.
    assert_eq!(ui.desk.chain_state().unwrap().1, events_before + 1);
    ui.desk.sign_in("李娟", crate::common::TEST_PASSWORD).unwrap();
    assert!(matches!(ui.desk.verify_chain().unwrap(), yimen_store::chain::Verdict::Intact { .. }));
}

#[test]
fn a_clerk_accepts_a_case_whose_numbers_came_masked_and_the_stored_ones_stay_whole() {
    let hall = Hall::new();
    let mut ui = clerk_with_a_citizens_ticket(&hall, "MZ01");
    ui.keys("ci");
    assert_eq!(ui.app.screen, Screen::Intake, "{}", ui.screen());
    // The form shows what the clerk may see: the masked numbers, and no error for them.
    assert_eq!(ui.app.form.id_number.value(), "430822********4056");
    assert!(ui.app.form.error(yimen::tui::form::FieldId::IdNumber).is_none());
    ui.app.form.focus = yimen::tui::form::FieldId::Materials.index();
    for _ in 0..5 {
        ui.keys("<Space>");
    }
    ui.keys("<C-s>");
    ui.desk.sign_in("李娟", crate::common::TEST_PASSWORD).unwrap();
    let t = ui.desk.show("A001").unwrap().0;
    assert_eq!(t.status, Status::Accepted, "{}", ui.screen());
    assert_eq!(t.citizen.id_number.map(|i| i.to_string()).as_deref(), Some("430822195602294056"));
    assert_eq!(t.citizen.phone.map(|p| p.to_string()).as_deref(), Some("13812341234"));
}

/// Every screen, its help and a confirmation, in both languages at 80x24 and 120x40, against
/// reviewed snapshots (tests/it/snapshots): a change to any drawing shows up as a diff to
/// read, not only as a missing word.
#[test]
fn snapshots_of_every_screen_in_both_languages_at_both_sizes() {
    use yimen::domain::account::Role;
    for lang in [Lang::Zh, Lang::En] {
        let code = if lang == Lang::Zh { "zh" } else { "en" };
        let hall = Hall::new();
        let mut ui = Ui::new(&hall, lang);
        seed(&mut ui);
        let accept = yimen::app::AcceptRequest {
            citizen: yimen::app::CitizenInput {
                name: Some("阿依古丽·买买提".into()),
                id_number: Some("430822195602294056".into()),
                phone: Some("13812341234".into()),
                village: Some("青龙村".into()),
            },
            ..Default::default()
        };
        ui.desk.call("1", &[]).unwrap();
        ui.desk.perform("A001", &Act::Accept(accept.clone())).unwrap();
        ui.app.update(Msg::Tick);
        ui.settle();
        let mut shots: Vec<(String, String)> = Vec::new();
        let mut shoot = |ui: &Ui, name: &str| {
            for (w, h) in [(80, 24), (120, 40)] {
                shots.push((format!("{name}-{code}-{w}x{h}"), ui.draw(w, h).0));
            }
        };
        ui.keys("1");
        shoot(&ui, "queue");
        ui.keys("?");
        shoot(&ui, "help");
        ui.keys("<Esc>");
        ui.keys("c");
        ui.keys("i");
        for c in "张三".chars() {
            ui.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
        shoot(&ui, "intake");
        ui.keys("<Esc>");
        shoot(&ui, "intake-discard");
        ui.keys("y");
        ui.keys("4");
        shoot(&ui, "open");
        ui.keys("<Enter>");
        shoot(&ui, "detail");
        ui.keys("5");
        shoot(&ui, "report");
        let mut sign_in = Ui::with_desk(
            hall.desk("李娟", NOW),
            lang,
            vec![("李娟".into(), Role::Admin), ("张三".into(), Role::Clerk)],
        );
        sign_in.settle();
        shoot(&sign_in, "sign-in");
        for (name, text) in shots {
            insta::assert_snapshot!(name, text);
        }
    }
}

/// Another program on the same file (the CLI on this PC) renames the hall and imports a
/// catalog: the open interface shows both at its next refresh, without a restart.
#[test]
fn the_interface_shows_what_another_program_changed_at_its_next_refresh() {
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    ui.app.update(Msg::Tick);
    ui.settle();
    assert!(!ui.screen().contains("凤栖镇"));
    let mut other = hall.desk("李娟", NOW);
    other.set_setting("hall", "凤栖镇便民服务中心").unwrap();
    ui.app.update(Msg::Tick);
    ui.settle();
    ui.app.update(Msg::Changed);
    ui.settle();
    let screen = ui.screen();
    assert!(screen.contains("凤栖镇便民服务中心"), "{screen}");
    assert_eq!(ui.desk.settings().hall, "凤栖镇便民服务中心", "the desk underneath too");
}

/// On a console that draws ambiguous-width characters two cells wide (`--ascii`), none is
/// left in the frame: the middle dot of 阿依古丽·买买提, arrows and box lines become one-cell
/// ASCII, so every column after them stays where it is.
#[test]
fn an_ascii_console_gets_no_ambiguous_width_character_on_any_screen() {
    use unicode_width::UnicodeWidthStr;
    let hall = Hall::new();
    let mut ui = Ui::new(&hall, Lang::Zh);
    let named = TakeRequest {
        item: "MZ01".into(),
        citizen: yimen::app::CitizenInput { name: Some("阿依古丽·买买提".into()), ..Default::default() },
        ..Default::default()
    };
    ui.desk.take(&named).unwrap();
    ui.app.cfg.ascii = true;
    ui.app.update(Msg::Tick);
    ui.settle();
    for screen in ["1", "<Enter>", "4", "5"] {
        ui.keys(screen);
        ui.settle();
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let frame = term
            .draw(|f| {
                yimen::tui::screens::render(&ui.app, f);
                yimen::tui::screens::narrow_ambiguous(f.buffer_mut());
            })
            .unwrap();
        let buf = frame.buffer.clone();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let sym = buf[(x, y)].symbol();
                assert_eq!(sym.width(), sym.width_cjk(), "ambiguous {sym:?} at {x},{y} on screen {screen}");
            }
        }
        if screen == "<Enter>" {
            // The case screen: the name whole, its middle dot one ASCII cell.
            let text = text_of(&buf);
            assert!(text.contains("阿依古丽.买买提"), "{text}");
        }
    }
}

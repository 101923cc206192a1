//! A clerk's day without traps (issue: the interface as a tool a hall can rely on): each kind
//! of trap driven through the real binary, with keys as a clerk types them, in both languages.

use crate::common::{Hall, TEST_PASSWORD};
use crate::pty::Pty;
use yimen::client::Client;

const NOW: &str = "2026-11-30T09:30:00+08:00";

fn hall_with_clerk() -> Hall {
    let hall = Hall::new();
    hall.cmd(NOW).args(["init", "--hall", "青龙镇便民服务中心"]).assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    hall
}

fn json(hall: &Hall, args: &[&str]) -> serde_json::Value {
    let out = hall.cmd(NOW).arg("--json").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn terminal(hall: &Hall, lang: &str, clerk: &str, pin: &str, cols: u16, rows: u16) -> Pty {
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let db = hall.db.display().to_string();
    let home = hall.dir.path().display().to_string();
    let mut env = vec![("YIMEN_DB", db.as_str()), ("YIMEN_NOW", NOW), ("YIMEN_LANG", lang), ("HOME", home.as_str())];
    // No clerk named: the interface opens on its sign-in screen.
    if !clerk.is_empty() {
        env.extend([("YIMEN_CLERK", clerk), ("YIMEN_PIN", pin)]);
    }
    Pty::spawn(&bin, &["--window", "2"], &env, cols, rows)
}

#[test]
fn a_correction_is_audited_with_before_and_after_and_masked_for_a_clerk() {
    let hall = hall_with_clerk();
    let clerk = |args: &[&str]| {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_CLERK", "张三").env("YIMEN_PIN", "246810").args(args);
        c.output().unwrap()
    };
    hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    hall.cmd(NOW)
        .args(["accept", "A001", "--name", "张三", "--id-number", "430822195602294056", "--phone", "13812341234"])
        .assert()
        .success();
    // The clerk corrects the ID number: the record changes, the history keeps both, masked.
    let out = clerk(&["correct", "A001", "--field", "id-number", "--to", "430822194503153325", "--reason", "录错"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = clerk(&["show", "A001"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("更正") && text.contains("430822********4056 → 430822********3325；录错"), "{text}");
    assert!(!text.contains("430822194503153325") && !text.contains("430822195602294056"), "{text}");
    // A supervisor (the admin) reads the whole values; the search finds the new number.
    let t = json(&hall, &["show", "A001"]);
    assert_eq!(t["citizen"]["id_number"], "430822194503153325");
    let last = t["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "correct");
    assert_eq!(last["clerk"], "张三");
    assert_eq!(last["note"], "身份证号码：430822195602294056 → 430822194503153325；录错");
    let found = json(&hall, &["search", "430822194503153325"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    // A correction needs its reason, checks the value as the form does, and says so in one line.
    let no_reason = clerk(&["correct", "A001", "--field", "phone", "--to", "13900139000", "--reason", " "]);
    assert_eq!(no_reason.status.code(), Some(1));
    let bad = clerk(&["--lang", "en", "correct", "A001", "--field", "phone", "--to", "1390013", "--reason", "x"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!((bad.status.code(), err.lines().count()), (Some(1), 1), "{err}");
    assert_eq!(json(&hall, &["show", "A001"])["citizen"]["phone"], "13812341234", "nothing changed");
    // The audit chain covers the correction.
    hall.cmd(NOW).args(["audit", "verify"]).assert().success();
}

#[test]
fn no_key_acts_while_the_window_is_too_small_and_completing_asks_first() {
    for (lang, done) in [("zh", "状态：已办结"), ("en", "Status: completed")] {
        let hall = hall_with_clerk();
        hall.cmd(NOW).args(["take", "SB03"]).assert().success();
        hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
        let mut term = terminal(&hall, lang, "李娟", TEST_PASSWORD, 120, 40);
        term.wait_for("B001");
        term.keys(&["Enter"]);
        term.wait_for(if lang == "zh" { "办件详情" } else { "Case" });
        // Shrunk to 20x5, every key the clerk types lands on nothing.
        term.resize(20, 5);
        term.wait_for(if lang == "zh" { "窗口太小" } else { "Window too" });
        term.keys(&["d", "Enter", "x", "q"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        term.resize(120, 40);
        term.wait_for(if lang == "zh" { "办件详情" } else { "Case" });
        assert_eq!(json(&hall, &["show", "B001"])["status"], "called", "nothing acted while hidden");
        // Completing asks, and the footer shows the popup's keys, not the screen's.
        term.keys(&["d"]);
        let s = term.wait_for("B001");
        let confirm = if lang == "zh" { "Enter 确认  Esc 取消" } else { "Enter confirm  Esc cancel" };
        let s = if s.contains(confirm) { s } else { term.wait_for(confirm) };
        assert!(!s.contains(if lang == "zh" { "s  挂起" } else { "s  suspend" }), "{s}");
        term.keys(&["Escape"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(json(&hall, &["show", "B001"])["status"], "called", "Esc left it as it was");
        term.keys(&["d", "Enter"]);
        term.wait_for(done);
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
    }
}

#[test]
fn sign_in_chooses_a_clerk_first_and_never_charges_a_preselected_one() {
    // (language, title, "choose first", wrong PIN, signed in)
    let runs = [
        ("zh", "登录", "请先用 ↑↓ 选择您的名字", "PIN 错误", "工作人员：张三"),
        ("en", "Sign in", "First choose your name", "wrong PIN", "Clerk: 张三"),
    ];
    for (lang, title, choose, wrong, signed) in runs {
        sign_in_once(lang, title, choose, wrong, signed);
    }
}

fn sign_in_once(lang: &str, title: &str, choose: &str, wrong: &str, signed: &str) {
    let hall = hall_with_clerk();
    // No clerk named: the sign-in screen opens on the list with no one chosen.
    let mut term = terminal(&hall, lang, "", "", 80, 24);
    term.wait_for(title);
    term.type_text("000000");
    term.keys(&["Enter"]);
    term.wait_for(choose);
    let charged = || {
        let mut desk = hall.desk("李娟", NOW);
        desk.users().unwrap().iter().map(|u| (u.name.clone(), u.failures)).collect::<Vec<_>>()
    };
    assert!(charged().iter().all(|(_, n)| *n == 0), "a PIN typed before choosing charged someone: {:?}", charged());
    // Tab to the window field: letters and a PIN's worth of digits do not show in clear.
    term.keys(&["Tab", "Tab"]);
    term.type_text("2111111abc");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let s = term.screen();
    assert!(!s.contains("2111111") && !s.contains("abc"), "{s}");
    // ↓ chooses from any field; the wrong PIN is charged to the clerk chosen, and only to them.
    // (The list is 张三, 李娟: the first ↓ chooses the first name.)
    term.keys(&["Down"]);
    term.wait_for("▶ 张三");
    term.keys(&["BTab"]);
    term.type_text("999999");
    term.keys(&["Enter"]);
    term.wait_for(wrong);
    assert_eq!(charged().iter().find(|(n, _)| n == "张三").map(|(_, f)| *f), Some(1), "{:?}", charged());
    term.type_text("246810");
    term.keys(&["Enter"]);
    term.wait_for(signed);
    term.keys(&["q"]);
    assert_eq!(term.wait_exit(), 0);
    // The wrong PIN was charged to 张三 and reset by his sign-in; no one else was ever tried.
    assert!(charged().iter().all(|(_, n)| *n == 0), "{:?}", charged());
}

#[test]
fn a_walk_in_takes_a_number_with_priority_and_the_window_cannot_call_over_a_citizen() {
    for lang in ["zh", "en"] {
        let hall = hall_with_clerk();
        let (cols, rows) = if lang == "zh" { (80, 24) } else { (120, 40) };
        let mut term = terminal(&hall, lang, "张三", "246810", cols, rows);
        term.wait_for(if lang == "zh" { "叫下一位" } else { "call next" });
        term.keys(&["t"]);
        term.type_text("SB03");
        term.keys(&["Enter"]);
        term.wait_for(if lang == "zh" { "不优先" } else { "none" });
        // Military (four steps right), and an 18-digit ID number.
        term.keys(&["Right", "Right", "Right", "Right"]);
        term.type_text("430822195602294056");
        term.keys(&["Enter"]);
        term.wait_for("B001");
        let t = json(&hall, &["show", "B001"]);
        assert_eq!(t["priority"], "military", "{t}");
        // Calling B001, then trying to call the next while B001 is still here.
        hall.cmd(NOW).args(["take", "SB03"]).assert().success();
        term.keys(&["c"]);
        term.wait_for(if lang == "zh" { "请 B001 号到 2 号窗口" } else { "B001 please go to window 2" });
        term.keys(&["c"]);
        term.wait_for(if lang == "zh" { "本窗口正在办理 B001" } else { "This window is serving B001" });
        assert_eq!(json(&hall, &["show", "B002"])["status"], "waiting", "B002 was not called over B001");
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
    }
}

#[test]
fn a_typo_is_corrected_from_the_case_screen() {
    // (language, ready, case screen, popup, the history line after the correction)
    let runs = [
        ("zh", "叫下一位", "办件详情", "更正哪一项", "申请人姓名：张珊 → 张三；错字"),
        ("en", "call next", "Case", "Field", "applicant's name: 张珊 → 张三; 错字"),
    ];
    for (lang, ready, case, popup, history) in runs {
        let hall = hall_with_clerk();
        hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
        hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
        hall.cmd(NOW)
            .args(["accept", "A001", "--name", "张珊", "--id-number", "430822195602294056"])
            .assert()
            .success();
        let (cols, rows) = if lang == "zh" { (80, 24) } else { (120, 40) };
        let mut term = terminal(&hall, lang, "张三", "246810", cols, rows);
        term.wait_for(ready);
        term.keys(&["/"]);
        term.type_text("A001");
        term.keys(&["Enter", "Enter"]);
        term.wait_for(case);
        term.keys(&["f"]);
        term.wait_for(popup);
        // The name is the first field, filled in: change it, give the reason, save.
        term.keys(&["Tab", "BSpace"]);
        term.type_text("三");
        term.keys(&["Tab"]);
        term.type_text("错字");
        term.keys(&["Enter"]);
        term.wait_for(history);
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
        assert_eq!(json(&hall, &["show", "A001"])["citizen"]["name"], "张三");
    }
}

#[test]
fn slips_say_what_happened_and_when_in_the_citizens_language() {
    let hall = hall_with_clerk();
    let later = "2026-11-30T11:05:00+08:00";
    // A ticket never accepted calls for its queue ticket, with no personal data on it; it has
    // no receipt: asked for one, one line, nothing printed.
    hall.cmd(NOW).args(["take", "SB04", "--name", "王", "--phone", "13800138000"]).assert().success();
    let ticket = String::from_utf8(hall.cmd(NOW).args(["slip", "B001"]).output().unwrap().stdout).unwrap();
    assert!(ticket.contains("排队号") && ticket.contains("B001") && ticket.contains("请备齐以下材料"), "{ticket}");
    assert!(!ticket.contains("王") && !ticket.contains("8000") && !ticket.contains("申请人"), "{ticket}");
    let out = hall.cmd(NOW).args(["slip", "B001", "--kind", "receipt"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), err.lines().count()), (Some(1), 1), "{err}");
    assert!(err.contains("未经受理，没有受理回执") && out.stdout.is_empty(), "{err}");
    // Accepted at 09:30 with a proxy and the photo deferred; printed at 11:05.
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    hall.cmd(NOW)
        .args(["accept", "B001", "--id-number", "430822195602294056", "--proxy", "李四", "--defer", "照片"])
        .assert()
        .success();
    let receipt = String::from_utf8(hall.cmd(later).args(["slip", "B001"]).output().unwrap().stdout).unwrap();
    for want in
        ["受理回执", "申请人：王\n", "代办人：李四", "时间：2026-11-30 09:30", "已收材料：身份证", "容缺材料：照片"]
    {
        assert!(receipt.contains(want), "{want} on:\n{receipt}");
    }
    assert!(!receipt.contains("11:05") && !receipt.contains("申请人：*"), "{receipt}");
    // In English: English names of the item and the materials, English punctuation.
    let en =
        String::from_utf8(hall.cmd(later).args(["--lang", "en", "slip", "B001"]).output().unwrap().stdout).unwrap();
    for want in ["Receipt of acceptance", "Item: Social security card", "Received: ID card", "Bring later: photo"] {
        assert!(en.contains(want), "{want} on:\n{en}");
    }
    assert!(!en.contains('：') && !en.contains("照片"), "{en}");
    // Suspended for materials: the slip is the 补正告知书 with what to bring.
    hall.cmd(NOW).args(["take", "MZ03", "--name", "赵六"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    hall.cmd(NOW).args(["accept", "A001", "--id-number", "430822195602294056"]).assert().success();
    hall.cmd(later).args(["suspend", "A001", "--reason", "materials", "--missing", "困难情况证明"]).assert().success();
    let corr = String::from_utf8(hall.cmd(later).args(["slip", "A001"]).output().unwrap().stdout).unwrap();
    assert!(corr.contains("补正告知书") && corr.contains("1. 困难情况证明") && corr.contains("11:05"), "{corr}");
    // The one-time notice ends the visit as its own outcome, not as a withdrawal.
    hall.cmd(NOW).args(["take", "MZ01", "--name", "钱七"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    hall.cmd(NOW).args(["notice", "A002", "--missing", "户口簿"]).assert().success();
    let t = json(&hall, &["show", "A002"]);
    assert_eq!(t["status"], "notified", "{t}");
    let text = String::from_utf8(hall.cmd(NOW).args(["show", "A002"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("已告知未受理") && !text.contains("已撤回"), "{text}");
    let report = json(&hall, &["report", "daily"]);
    assert_eq!((report["notices"].as_u64(), report["withdrawn"].as_u64()), (Some(1), Some(0)), "{report}");
}

#[test]
fn the_screen_and_the_cli_mask_numbers_for_everyone_until_asked_and_the_ask_is_on_the_record() {
    let hall = hall_with_clerk();
    hall.cmd(NOW)
        .args(["take", "SB03", "--name", "张三", "--id-number", "430822195602294056", "--phone", "13812341234"])
        .assert()
        .success();
    // The admin's text view masks; --reveal shows whole and leaves an audit event.
    let text = String::from_utf8(hall.cmd(NOW).args(["show", "B001"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("430822********4056") && text.contains("138****1234"), "{text}");
    assert!(!text.contains("430822195602294056"), "{text}");
    let whole = String::from_utf8(hall.cmd(NOW).args(["show", "B001", "--reveal"]).output().unwrap().stdout).unwrap();
    assert!(whole.contains("430822195602294056"), "{whole}");
    // The interface: masked for the admin too, v shows it whole, and that is on the chain.
    let before = json(&hall, &["audit", "verify"]);
    for (lang, case) in [("zh", "办件详情"), ("en", "Case")] {
        let mut term = terminal(&hall, lang, "李娟", TEST_PASSWORD, 100, 30);
        term.wait_for("B001");
        term.keys(&["Enter"]);
        let s = term.wait_for(case);
        let s = if s.contains("430822********4056") { s } else { term.wait_for("430822********4056") };
        assert!(!s.contains("430822195602294056"), "{s}");
        term.keys(&["v"]);
        term.wait_for("430822195602294056");
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
    }
    let after = json(&hall, &["audit", "verify"]);
    assert_eq!(after["ok"], true);
    assert_eq!(
        after["events"].as_u64(),
        before["events"].as_u64().map(|n| n + 2),
        "each reveal (one per language) is one event on the chain"
    );
}

#[test]
fn lists_find_their_way_back_and_search_knows_every_reading() {
    let hall = hall_with_clerk();
    // 单乐乐 reads dan/shan/chan and le/yue: sll finds her; zhangguiying finds 张桂英 in full.
    for (item, name) in [("MZ03", "单乐乐"), ("MZ03", "张桂英"), ("MZ03", "李四")] {
        hall.cmd(NOW).args(["take", item, "--name", name]).assert().success();
        hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
        let n = json(&hall, &["queue"]);
        let _ = n;
    }
    for (i, name) in ["单乐乐", "张桂英", "李四"].iter().enumerate() {
        let number = format!("A00{}", i + 1);
        hall.cmd(NOW).args(["accept", &number, "--name", name, "--id-number", "430822195602294056"]).assert().success();
    }
    let found = |q: &str| -> Vec<String> {
        json(&hall, &["search", q])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["number"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(found("sll"), ["A001"], "单乐乐");
    assert_eq!(found("dll"), ["A001"], "单乐乐");
    assert_eq!(found("zhangguiying"), ["A002"], "张桂英");
    assert_eq!(found("zhanggui"), ["A002"], "张桂英");
    // The open-cases screen: a search, then Esc brings the whole list back; the list has
    // headers, filters say what they filter, and "mine only" keeps the clerk's own.
    // The same walk in both languages.
    let runs = [
        (
            "zh",
            "叫下一位",
            "在办件（按期限）（{n}）",
            ["号码", "期限灯", "f 类别：全部"],
            "搜索结果：zhangguiying（1）",
            "[m 只看我的]",
        ),
        (
            "en",
            "call next",
            "Open cases (by deadline) ({n})",
            ["No.", "Days", "f Category: all"],
            "Results: zhangguiying (1)",
            "[m mine only]",
        ),
    ];
    for (lang, ready, title, heads, results, mine) in runs {
        let count = |n: u32| title.replace("{n}", &n.to_string());
        let mut term = terminal(&hall, lang, "李娟", TEST_PASSWORD, 100, 30);
        term.wait_for(ready);
        term.keys(&["4"]);
        let s = term.wait_for(&count(3));
        assert!(heads.iter().all(|h| s.contains(h)), "{s}");
        term.keys(&["/"]);
        term.type_text("zhangguiying");
        term.keys(&["Enter"]);
        term.wait_for(results);
        term.keys(&["Escape"]);
        term.wait_for(&count(3));
        term.keys(&["m"]);
        term.wait_for(mine);
        term.wait_for(&count(3)); // all three are 李娟's
        term.keys(&["x"]);
        term.wait_for(&count(0)); // none is overdue
        term.keys(&["Escape"]);
        term.wait_for(&count(3));
        term.keys(&["End", "q"]);
        assert_eq!(term.wait_exit(), 0);
    }
}

#[test]
fn next_years_holidays_are_estimated_then_imported_and_the_header_says_when_they_are_missing() {
    let hall = hall_with_clerk();
    // Without the 2027 notice: the statutory days, marked estimated.
    let y = json(&hall, &["calendar", "show", "2027"]);
    assert_eq!(y["source"], "estimated");
    let spring = y["holidays"].as_array().unwrap().iter().find(|h| h["name"] == "春节").unwrap().clone();
    assert_eq!((spring["from"].as_str(), spring["to"].as_str()), (Some("2027-02-05"), Some("2027-02-08")));
    let text =
        String::from_utf8(hall.cmd(NOW).args(["--lang", "en", "calendar", "show", "2027"]).output().unwrap().stdout)
            .unwrap();
    assert!(text.contains("estimated") && text.contains("Spring Festival"), "{text}");
    // A promised case across the Spring Festival: 15 working days from 2027-01-25.
    let at = "2027-01-25T09:00:00+08:00";
    hall.cmd(at).args(["take", "MZ03"]).assert().success();
    hall.cmd(at).args(["call", "--window", "2"]).assert().success();
    hall.cmd(at).args(["accept", "A001", "--name", "张三", "--id-number", "430822195602294056"]).assert().success();
    let before = json(&hall, &["show", "2027-01-25/A001"]);
    assert_eq!(before["deadline_estimated"], true, "{before}");
    // The interface says in its header, from November on, that next year is missing.
    for (lang, said) in [("zh", "缺2027年放假安排"), ("en", "no 2027 holidays")] {
        let mut term = terminal(&hall, lang, "李娟", TEST_PASSWORD, 80, 24);
        term.wait_for(said);
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
    }
    // The notice arrives: a bad file is refused in one line and changes nothing.
    let dir = hall.dir.path();
    std::fs::write(dir.join("bad.toml"), "[[year]]\nyear = 2027\nworkdays = [\"2027-02-10\"]\n").unwrap();
    let out = hall.cmd(at).args(["calendar", "import", dir.join("bad.toml").to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), err.lines().count()), (Some(1), 1), "{err}");
    assert!(err.contains("2027-02-10"), "{err}");
    // Only an admin imports; then 2027 is official and the chain records the import.
    let notice = "[[year]]\nyear = 2027\nsource = \"国务院办公厅关于2027年部分节假日安排的通知\"\nholidays = [\n  { name = \"元旦\", from = \"2027-01-01\", to = \"2027-01-03\" },\n  { name = \"春节\", from = \"2027-02-05\", to = \"2027-02-12\" },\n]\nworkdays = [\"2027-02-20\"]\n";
    std::fs::write(dir.join("2027.toml"), notice).unwrap();
    let file = dir.join("2027.toml");
    let by_clerk = hall
        .cmd(at)
        .env("YIMEN_CLERK", "张三")
        .env("YIMEN_PIN", "246810")
        .args(["calendar", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(by_clerk.status.code(), Some(1), "a clerk cannot import");
    let chain_before = json(&hall, &["audit", "verify"])["events"].as_u64().unwrap();
    hall.cmd(at).args(["calendar", "import", file.to_str().unwrap()]).assert().success();
    let y = json(&hall, &["calendar", "show", "2027"]);
    assert_eq!((y["source"].as_str(), y["workdays"][0].as_str()), (Some("official"), Some("2027-02-20")));
    assert_eq!(json(&hall, &["audit", "verify"])["events"].as_u64(), Some(chain_before + 1));
    // New acceptances count with the official days (a case's stored deadline stays as accepted).
    hall.cmd(at).args(["take", "MZ03"]).assert().success();
    hall.cmd(at).args(["call", "--window", "2"]).assert().success();
    hall.cmd(at).args(["accept", "A002", "--name", "李四", "--id-number", "430822195602294056"]).assert().success();
    let after = json(&hall, &["show", "2027-01-25/A002"]);
    assert_eq!(after["deadline_estimated"], false, "{after}");
    assert_ne!(after["deadline"], before["deadline"], "the longer official holiday moves the date");
}

#[test]
fn the_demo_keeps_a_trainees_practice_and_lives_apart_from_the_hall() {
    let hall = Hall::new();
    let demo = hall.dir.path().join("demo").join("d.redb");
    let run = |extra: &[&str]| {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_DB", &demo).env("YIMEN_CLERK", "李娟").env("YIMEN_PIN", "111111");
        c.args(["demo", "--no-tui", "--days", "3", "--per-day", "20"]).args(extra);
        c.output().unwrap()
    };
    assert!(run(&[]).status.success());
    // A second run before any practice builds it again, as asked.
    assert!(run(&[]).status.success());
    // The trainee practises: a take.
    let mut c = hall.cmd(NOW);
    c.env("YIMEN_DB", &demo).env("YIMEN_CLERK", "李娟").env("YIMEN_PIN", "111111").args(["take", "SB03"]);
    assert!(c.output().unwrap().status.success());
    let count = || {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_DB", &demo).env("YIMEN_CLERK", "李娟").env("YIMEN_PIN", "111111").args(["--json", "list"]);
        serde_json::from_slice::<serde_json::Value>(&c.output().unwrap().stdout).unwrap().as_array().unwrap().len()
    };
    let practised = count();
    // Running the demo again keeps it, and says how to start over.
    let again = run(&[]);
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success() && out.contains("保留了练习记录") && out.contains("--fresh"), "{out}");
    assert_eq!(count(), practised, "the practice is still there");
    assert!(run(&["--fresh"]).status.success());
    assert_eq!(count(), practised - 1, "--fresh builds it again");
}

#[test]
fn a_supervisors_week_is_the_last_full_one_and_a_clerk_is_told_the_report_is_not_theirs() {
    let hall = hall_with_clerk();
    // Monday 30 November: --week means 23–29 November, not this (mostly future) week.
    let r = json(&hall, &["report", "range", "--week"]);
    assert_eq!((r["from"].as_str(), r["to"].as_str()), (Some("2026-11-23"), Some("2026-11-29")), "{r}");
    let r = json(&hall, &["report", "range", "--week", "2026-11-30"]);
    assert_eq!(r["from"], "2026-11-30");
    // A clerk pressing 5 reads a sentence, not "正在计算" forever; the help shows no
    // supervisor's keys. In both languages.
    // (language, ready, the report's sentence, the help's title, a clerk's key, two supervisor's)
    let runs = [
        ("zh", "叫下一位", "日报由大厅负责人查看", "按键说明", "办结", ["差评回访", "改派"]),
        (
            "en",
            "call next",
            "The daily report is for the hall's supervisor",
            "Keys",
            "complete",
            ["follow up rating", "reassign"],
        ),
    ];
    for (lang, ready, report, help, clerk_key, boss_keys) in runs {
        let help_of = |term: &Pty| {
            term.keys(&["?"]);
            let mut seen = term.wait_for(help);
            for _ in 0..12 {
                term.keys(&["Down", "Down", "Down", "Down", "Down"]);
                seen.push_str(&term.screen());
            }
            term.keys(&["Escape"]);
            seen
        };
        let mut term = terminal(&hall, lang, "张三", "246810", 80, 24);
        term.wait_for(ready);
        term.keys(&["5"]);
        term.wait_for(report);
        let clerks = help_of(&term);
        assert!(clerks.contains(clerk_key) && boss_keys.iter().all(|k| !clerks.contains(k)), "{clerks}");
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
        // The same help read by a supervisor lists them (so the check above can fail).
        let mut boss = terminal(&hall, lang, "李娟", TEST_PASSWORD, 80, 24);
        boss.wait_for(ready);
        let supervisors = help_of(&boss);
        assert!(boss_keys.iter().all(|k| supervisors.contains(k)), "{supervisors}");
        boss.keys(&["q"]);
        assert_eq!(boss.wait_exit(), 0);
    }
}

#[test]
fn a_form_marks_the_field_at_fault_says_the_whole_message_and_keeps_what_was_typed() {
    // (language, ready, form title, the marked label, the message's start, the last material)
    let runs = [
        ("zh", "叫下一位", "受理登记  A001", "!代办人电话", "代办人电话：", "困难情况证明"),
        ("en", "call next", "Intake  A001", "!Proxy ph", "Proxy phone: ", "proof of hardship"),
    ];
    for (lang, ready, title, marked, said, last) in runs {
        form_once(lang, ready, title, marked, said, last);
    }
}

fn form_once(lang: &str, ready: &str, title: &str, marked: &str, said: &str, last: &str) {
    let hall = hall_with_clerk();
    hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    let mut term = terminal(&hall, lang, "张三", "246810", 80, 24);
    term.wait_for(ready);
    term.keys(&["i"]);
    term.wait_for(title);
    term.type_text("王五");
    term.keys(&["Tab"]);
    term.type_text("430822195602294056");
    // To the proxy (4 fields on), a name and a phone one digit short.
    for _ in 0..3 {
        term.keys(&["Tab"]);
    }
    term.type_text("王六");
    term.keys(&["Tab"]);
    term.type_text("1381234123");
    term.keys(&["C-s"]);
    let s = term.wait_for(marked);
    // The whole message, not cut, and nothing of the form lost.
    assert!(s.contains("1381234123") && s.contains("王五") && s.contains("430822195602294056"), "{s}");
    let message = s.lines().find(|l| l.contains(said)).unwrap_or_default().to_string();
    assert!(!message.contains(".."), "the message is whole: {message}");
    // The focus is on the proxy's phone: the next digit lands there.
    term.type_text("4");
    term.wait_for("13812341234");
    // Up/Down stay inside the materials checklist.
    for _ in 0..3 {
        term.keys(&["Tab"]);
    }
    term.keys(&["Down", "Down", "Down", "Down", "Down", "Down", "Space"]);
    let s = term.wait_for("[x]");
    let ticked: Vec<&str> = s.lines().filter(|l| l.contains("[x]")).collect();
    assert_eq!(ticked.len(), 1, "{s}");
    assert!(ticked[0].contains(last), "the last material, not a field below: {s}");
    term.keys(&["Escape", "y", "q"]);
    assert_eq!(term.wait_exit(), 0);
    // A called ticket's item corrected at intake: from the command line too.
    hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "3"]).assert().success();
    hall.cmd(NOW)
        .args(["accept", "A002", "--item", "SB03", "--name", "赵六", "--id-number", "430822195602294056"])
        .assert()
        .success();
    let t = json(&hall, &["show", "A002"]);
    assert_eq!((t["item"].as_str(), t["kind"].as_str()), (Some("SB03"), Some("on_the_spot")), "{t}");
}

#[test]
fn overdue_figures_agree_on_the_screen_the_list_the_report_and_the_export_at_one_instant() {
    let hall = hall_with_clerk();
    // MZ03 promises 15 working days: accepted 2026-10-12, due 2026-11-02; on 2026-11-30 it
    // is 20 working days late. A second one is suspended with days left.
    let then = "2026-10-12T09:00:00+08:00";
    for _ in 0..2 {
        hall.cmd(then).args(["take", "MZ03"]).assert().success();
        hall.cmd(then).args(["call", "--window", "2"]).assert().success();
    }
    for n in ["A001", "A002"] {
        hall.cmd(then).args(["accept", n, "--name", "张三", "--id-number", "430822195602294056"]).assert().success();
    }
    hall.cmd(then).args(["suspend", "A002", "--reason", "materials", "--missing", "困难情况证明"]).assert().success();
    let listed = json(&hall, &["list", "--open"]);
    let left = |v: &serde_json::Value, id: u64| -> i64 {
        v.as_array().unwrap().iter().find(|t| t["id"] == id).unwrap()["working_days_left"].as_i64().unwrap()
    };
    let (late, paused) = (left(&listed, 1), left(&listed, 2));
    assert!(late < 0, "overdue: {late}");
    assert_eq!(paused, 15, "a suspended case keeps the days it had, not 0");
    let report = json(&hall, &["report", "daily"]);
    let in_report =
        report["overdue"].as_array().unwrap().iter().find(|r| r["id"] == 1).unwrap()["working_days_left"].clone();
    assert_eq!(in_report.as_i64(), Some(late), "{report}");
    let out = hall
        .cmd(NOW)
        .args(["export", "--from", "2026-10-12", "--to", "2026-10-12", "--format", "jsonl"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let exported = rows.iter().find(|r| r["id"] == 1).unwrap();
    assert_eq!(exported["working_days_left"].as_i64(), Some(late));
    assert_eq!(exported["deadline_estimated"], false);
    // The open-cases screen says the same number, in words.
    for (lang, ready, said) in
        [("zh", "叫下一位", format!("红灯 超{}", -late)), ("en", "call next", format!("{} over", -late))]
    {
        let mut term = terminal(&hall, lang, "李娟", TEST_PASSWORD, 100, 30);
        term.wait_for(ready);
        term.keys(&["4"]);
        term.wait_for(&said);
        term.keys(&["q"]);
        assert_eq!(term.wait_exit(), 0);
    }
}

#[test]
fn output_never_overwrites_a_database_and_corrections_keep_the_rules_of_acceptance() {
    let hall = hall_with_clerk();
    let clerk = |args: &[&str]| {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_CLERK", "张三").env("YIMEN_PIN", "246810").args(args);
        c.output().unwrap()
    };
    hall.cmd(NOW).args(["take", "SB01", "--name", "王五", "--id-number", "430822194001010025"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "2"]).assert().success();
    hall.cmd(NOW).args(["accept", "B001"]).assert().success();
    // A slip or an export aimed at the database file is refused; the file is untouched.
    let db = hall.db.to_str().unwrap().to_string();
    let before = std::fs::metadata(&hall.db).unwrap().len();
    let out = clerk(&["slip", "B001", "--out", &db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), err.lines().count()), (Some(1), 1), "{err}");
    assert!(err.contains("数据库文件"), "{err}");
    let out = hall.cmd(NOW).args(["export", "--out", &db]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::metadata(&hall.db).unwrap().len(), before);
    hall.cmd(NOW).args(["audit", "verify"]).assert().success();
    // SB01 needs the ID number: an accepted case keeps one.
    let out = clerk(&["correct", "B001", "--field", "id-number", "--to", "", "--reason", "清空"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    // A queued number follows its applicant's corrected age (80+ first, and back).
    hall.cmd(NOW).args(["take", "SB03", "--name", "中年", "--id-number", "430822194001010025"]).assert().success();
    assert_eq!(json(&hall, &["show", "B002"])["priority"], "elderly");
    let out = clerk(&["correct", "B002", "--field", "id-number", "--to", "430822198505051232", "--reason", "录错"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&hall, &["show", "B002"])["priority"], serde_json::Value::Null);
    // A proxy's phone and ID are cleared one by one, each on the record, before the name.
    hall.cmd(NOW)
        .args(["correct", "B001", "--field", "proxy-name", "--to", "李四", "--reason", "补登"])
        .assert()
        .success();
    hall.cmd(NOW)
        .args(["correct", "B001", "--field", "proxy-phone", "--to", "13900001111", "--reason", "补登"])
        .assert()
        .success();
    let out = clerk(&["correct", "B001", "--field", "proxy-name", "--to", "", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1), "the phone is still on record");
    assert_eq!(json(&hall, &["show", "B001"])["proxy"]["phone"], "13900001111");
    // A refused case's receipt promises nothing.
    hall.cmd(NOW).args(["reject", "B001", "--reason", "不符合条件"]).assert().success();
    let slip = String::from_utf8(clerk(&["slip", "B001"]).stdout).unwrap();
    assert!(slip.contains("办理结果：不予受理") && slip.contains("不符合条件") && !slip.contains("承诺办结"), "{slip}");
}

#[test]
fn a_setup_mode_clerk_does_not_become_the_account_of_the_same_name() {
    use yimen::client::{Client, Local};
    let hall = Hall::new();
    // A file without accounts (setup mode): 李娟 named, no PIN.
    let (desk, _) = yimen::app::Desk::init(&hall.db, None, None).unwrap();
    let mut window = Local::new(desk);
    window.set_clerk(Some("李娟")).unwrap();
    window.take(&yimen::app::TakeRequest { item: "SB03".into(), ..Default::default() }).unwrap();
    // Another program makes the first admin, named 李娟.
    let mut other = Local::new(yimen::app::Desk::open(&hall.db).unwrap());
    other.add_user("李娟", yimen::domain::account::Role::Admin, TEST_PASSWORD).unwrap();
    window.refresh_configuration().unwrap();
    // The window must sign in now: its setup name is not a sign-in.
    assert!(window.take(&yimen::app::TakeRequest { item: "SB03".into(), ..Default::default() }).is_err());
    assert!(window.users().is_err());
}

//! The hall's public side in a real browser (headless Chromium through WebDriver) against the
//! real server on loopback: the kiosk takes numbers the clerks' queue shows, the board shows and
//! says every call, each window's pad rates only its own window's visits, the pages fit their
//! screens, and ten minutes of a hall's traffic miss nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::browser::{Browser, Page};
use super::common::{Hall, skip};
use super::server::{Client, NOW, Server, agent};

fn hall() -> Hall {
    Hall::with_staff(NOW)
}

/// The clerk 张三 at the command line.
fn clerk(hall: &Hall, args: &[&str]) -> Value {
    as_(hall, "张三", "246810", args)
}

/// A visit at `window`: a citizen takes an on-the-spot item (SB03, numbered `number`), is called
/// there and served.
fn visit(hall: &Hall, window: &str, number: &str) {
    clerk(hall, &["take", "SB03"]);
    clerk(hall, &["call", "--window", window]);
    clerk(hall, &["complete", number]);
}

fn supervisor(hall: &Hall, args: &[&str]) -> Value {
    as_(hall, "王主任", "boss-pass-2026", args)
}

fn as_(hall: &Hall, who: &str, pin: &str, args: &[&str]) -> Value {
    let out = hall.cmd(NOW).env("YIMEN_CLERK", who).env("YIMEN_PIN", pin).arg("--json").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// A pairing code from the admin (李娟) for a kiosk or a window's pad.
fn pair(hall: &Hall, kind: &str, window: Option<&str>) -> String {
    let mut args = vec!["--json", "device", "pair", "--kind", kind];
    if let Some(w) = window {
        args.extend(["--window", w]);
    }
    let out = hall.cmd(NOW).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["code"].as_str().unwrap().to_string()
}

/// Opens `path` on `page` and pairs it with `code`.
fn paired(page: &Page<'_>, server: &Server, path: &str, code: &str) {
    page.goto(&format!("{}{path}", server.url));
    assert!(page.wait_for("#pair-code", Duration::from_secs(10)), "an unpaired device is asked for its code");
    page.type_into("#pair-code", code);
    page.click("#pair-submit");
}

/// The device cookie a page holds (HttpOnly: WebDriver reads it, the page's scripts cannot).
fn cookie_of(browser: &Browser, page: &Page<'_>) -> String {
    let cookies = browser.rt.block_on(page.c.get_all_cookies()).unwrap();
    let c = cookies.iter().find(|c| c.name() == "yimen_device").expect("the device cookie");
    assert_eq!(c.http_only(), Some(true), "the token is out of the page's reach");
    format!("yimen_device={}", c.value())
}

fn send(url: &str, cookie: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = agent().post(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let mut resp = req.send_json(&body).unwrap();
    (resp.status().as_u16(), resp.body_mut().read_json::<Value>().unwrap_or(Value::Null))
}

fn pdf_text(pdf: &[u8], dir: &Path) -> Option<String> {
    let path = dir.join("ticket.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_kiosk_tap_takes_a_number_the_clerks_queue_shows_and_its_ticket_says_what_to_bring() {
    let Some(browser) = Browser::start() else { return };
    let hall = hall();
    // A citizen already waits for the same service, taken at a window with a name.
    clerk(&hall, &["take", "MZ01", "--name", "王小明"]);
    let code = pair(&hall, "kiosk", None);
    let server = Server::start(&hall, "127.0.0.1:0", &[]);

    // Unpaired, a kiosk takes nothing.
    let (status, v) = send(&format!("{}/api/kiosk/take", server.url), None, json!({"item": "MZ01"}));
    assert_eq!(status, 401, "{v}");
    assert!(v["error"].as_str().unwrap().contains("未配对"), "{v}");

    let page = browser.page(1080, 1920);
    page.goto(&format!("{}/kiosk", server.url));
    assert!(page.wait_for("#pair-code", Duration::from_secs(10)));
    page.type_into("#pair-code", "AAAAA-BBBBB");
    page.click("#pair-submit");
    assert!(page.until(Duration::from_secs(5), || page.text("#pair-error").contains("配对码无效")));
    page.js("document.getElementById('pair-code').value = ''; return true");
    page.type_into("#pair-code", &code.to_lowercase());
    page.click("#pair-submit");
    assert!(page.wait_for(".cats", Duration::from_secs(10)), "paired, the kiosk shows its categories");
    assert!(page.text("[data-category=\"minzheng\"]").contains("等候 1 人"), "{}", page.text(".cats"));

    // A code pairs once.
    let (status, _) = send(&format!("{}/api/device/pair", server.url), None, json!({"code": code}));
    assert_eq!(status, 401);

    // Category, item, priority: the number.
    page.click("[data-category=\"minzheng\"]");
    page.click("[data-item=\"MZ01\"]");
    page.click("[data-priority=\"pregnant\"]");
    assert!(page.wait_for("#ticket-number", Duration::from_secs(10)));
    let shown_at = Instant::now();
    assert_eq!(page.text("#ticket-number"), "A002");
    assert!(page.text("#ticket-item").contains("最低生活保障"), "{}", page.text("#ticket"));
    // A priority comes before those without: no one is ahead of her.
    assert_eq!(page.text("#ticket-ahead"), "前面没有人等候，请留意叫号");
    let materials = page.text("#ticket-materials");
    for m in ["身份证", "户口簿", "申请书"] {
        assert!(materials.contains(m), "{materials}");
    }
    let body = page.text("body");
    assert!(!body.contains("王小明") && !body.contains("王*明"), "no one's data on the kiosk: {body}");

    // The printed queue ticket (the roll's print style): the number, the wait, the materials,
    // and none of the screen's buttons.
    let pdf = page.print_roll(8.0);
    match pdf_text(&pdf, hall.dir.path()) {
        Some(text) => {
            for want in ["A002", "前面没有人等候", "身份证", "最低生活保障", "待窗口核验"] {
                assert!(text.contains(want), "{want} on the printed ticket:\n{text}");
            }
            assert!(!text.contains("再打印一张") && !text.contains("完成"), "no buttons on paper:\n{text}");
        }
        None => skip("pdftotext (poppler-utils)"),
    }

    // The clerk's queue shows it, the priority to be checked.
    let queue = clerk(&hall, &["queue"]);
    let t = queue.as_array().unwrap().iter().find(|t| t["number"] == "A002").expect("in the queue");
    assert_eq!(t["priority"], "pregnant");
    let text = hall.cmd(NOW).env("YIMEN_CLERK", "张三").env("YIMEN_PIN", "246810").arg("queue").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("优先待核验"), "{}", String::from_utf8_lossy(&text.stdout));
    let shown = clerk(&hall, &["show", "A002"]);
    assert_eq!(shown["priority_unverified"], true, "{shown}");
    assert!(shown["events"][0]["clerk"].as_str().unwrap().starts_with("取号机"), "the kiosk took it: {shown}");

    // Untouched for 30 s, the kiosk goes back to its start.
    assert!(page.wait_for(".cats", Duration::from_secs(40)), "back to the start");
    assert!(shown_at.elapsed() >= Duration::from_secs(25), "by the idle timer: {:?}", shown_at.elapsed());

    // A kiosk takes numbers at a person's pace: a script at the screen is stopped (A002 and A003
    // were taken within the same minute as these).
    let cookie = cookie_of(&browser, &page);
    let url = format!("{}/api/kiosk/take", server.url);
    // Without a priority, two are ahead (王小明, and the priority), about five minutes each.
    let (status, t) = send(&url, Some(&cookie), json!({"item": "MZ03"}));
    assert_eq!(status, 200, "{t}");
    assert_eq!((t["number"].clone(), t["ahead"].clone(), t["minutes"].clone()), (json!("A003"), json!(2), json!(10)));
    assert!(t.get("citizen").is_none() && !t.to_string().contains("王小明"), "{t}");
    let statuses: Vec<u16> = (0..11).map(|_| send(&url, Some(&cookie), json!({"item": "SB03"})).0).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // A kiosk rates nothing.
    let (status, _) = send(&format!("{}/api/pad/rate", server.url), Some(&cookie), json!({"ticket": 1, "score": 5}));
    assert_eq!(status, 403);
    // Revoked, it is refused at once.
    hall.cmd(NOW).args(["device", "revoke", "1"]).assert().success();
    let (status, v) = send(&url, Some(&cookie), json!({"item": "SB03"}));
    assert_eq!(status, 401, "{v}");
    assert!(v["error"].as_str().unwrap().contains("已停用"), "{v}");
    page.close();
}

#[test]
fn a_call_is_on_the_board_within_a_second_and_spoken_in_chinese_and_the_board_outlives_a_restart() {
    let Some(browser) = Browser::start() else { return };
    let hall = hall();
    clerk(&hall, &["take", "SB03", "--name", "张三丰"]);
    clerk(&hall, &["take", "SB03", "--name", "李四光"]);
    let mut server = Server::start(&hall, "127.0.0.1:0", &[]);
    let page = browser.page(1920, 1080);
    page.goto(&format!("{}/board", server.url));
    assert!(page.until(Duration::from_secs(10), || page.text("#waiting").contains("2 人")), "{}", page.text("body"));
    page.spy_on_speech();

    clerk(&hall, &["call", "--window", "3"]);
    let called = Instant::now();
    assert!(page.until(Duration::from_secs(1), || page.text("#now-number") == "B001"), "on the board within 1 s");
    eprintln!("board showed the call after {:?}", called.elapsed());
    assert!(page.text("#now-window").contains("3号窗口"));
    assert!(page.until(Duration::from_secs(5), || page.said().len() == 2), "{:?}", page.said());
    let want = ("请B001号到3号窗口办理".to_string(), "zh-CN".to_string());
    assert_eq!(page.said(), vec![want.clone(), want.clone()], "said twice (the default repeat), in zh-CN");
    assert!(!page.text("body").contains("张三丰"), "no name on the board");

    // A recall is spoken again.
    // (Each call is given its time: the chime and two sentences come before the next.)
    clerk(&hall, &["recall", "B001"]);
    assert!(page.until(Duration::from_secs(10), || page.said().len() == 4), "{:?}", page.said());

    // Called by masked name, with the hall's own words; never the whole name.
    hall.cmd(NOW).args(["config", "set", "board_call_name", "masked"]).assert().success();
    hall.cmd(NOW).args(["config", "set", "board_call_text", "请{number}号{name}到{window}办理"]).assert().success();
    hall.cmd(NOW).args(["config", "set", "board_call_repeat", "1"]).assert().success();
    clerk(&hall, &["call", "--window", "2"]);
    assert!(page.until(Duration::from_secs(2), || page.text("#now-number") == "B002"));
    assert!(page.until(Duration::from_secs(10), || page.said().len() == 5), "{:?}", page.said());
    assert_eq!(page.said()[4].0, "请B002号李*光到2号窗口办理");
    let body = page.text("body");
    assert!(body.contains("李*光") && !body.contains("李四光") && !body.contains("张三丰"), "{body}");

    // In quiet hours the board shows but does not speak.
    hall.cmd(NOW).args(["config", "set", "board_quiet_hours", "08:30-10:00"]).assert().success();
    clerk(&hall, &["recall", "B002"]);
    let heard = || page.js("return window.yimenBoard.heard.get('B002') || ''").as_str().unwrap_or("").to_string();
    assert!(page.until(Duration::from_secs(3), || heard().ends_with("|1")), "the board saw the recall: {}", heard());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(page.said().len(), 5, "quiet: {:?}", page.said());

    // The server restarts: the board says it is reconnecting, then carries on by itself.
    let listen = server.url.trim_start_matches("http://").to_string();
    server.kill();
    assert!(page.until(Duration::from_secs(10), || page.exists("#link:not([hidden])")), "shows the reconnecting");
    assert!(page.text("#link").contains("正在重新连接"));
    hall.cmd(NOW).args(["config", "set", "board_quiet_hours", ""]).assert().success();
    clerk(&hall, &["take", "SB03"]);
    let _server = Server::start(&hall, &listen, &[]);
    assert!(page.until(Duration::from_secs(15), || page.exists("#link[hidden]")), "reconnected by itself");
    clerk(&hall, &["call", "--window", "1"]);
    assert!(page.until(Duration::from_secs(2), || page.text("#now-number") == "B003"));
    assert!(page.until(Duration::from_secs(10), || page.said().len() == 6), "{:?}", page.said());
    page.close();
}

#[test]
fn a_completion_at_window_3_asks_window_3s_pad_only_and_the_report_counts_pad_and_keyed_ratings() {
    let Some(browser) = Browser::start() else { return };
    let hall = hall();
    let (code3, code2) = (pair(&hall, "pad", Some("3")), pair(&hall, "pad", Some("2")));
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let pad3 = browser.page(1280, 800);
    let pad2 = browser.page(1280, 800);
    paired(&pad3, &server, "/pad", &code3);
    paired(&pad2, &server, "/pad", &code2);
    assert!(pad3.wait_for("#rest", Duration::from_secs(10)) && pad2.wait_for("#rest", Duration::from_secs(10)));
    assert!(pad3.text("#rest").contains("3号窗口"), "{}", pad3.text("body"));

    // B001 at window 3: only window 3's pad asks.
    clerk(&hall, &["take", "SB03", "--name", "赵六"]);
    clerk(&hall, &["call", "--window", "3"]);
    clerk(&hall, &["complete", "B001"]);
    assert!(pad3.wait_for("#prompt[data-ticket=\"1\"]", Duration::from_secs(2)), "{}", pad3.text("body"));
    assert!(pad3.text("#prompt").contains("请您对本次服务进行评价"));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(pad2.exists("#rest") && !pad2.exists("#prompt"), "not window 2's pad");
    pad3.click("[data-score=\"4\"]");
    assert!(pad3.wait_for("#thanks", Duration::from_secs(5)));

    // B002 at window 3, rated 1 with a reason and a comment.
    visit(&hall, "3", "B002");
    assert!(pad3.wait_for("#prompt[data-ticket=\"2\"]", Duration::from_secs(8)));
    pad3.click("[data-score=\"1\"]");
    pad3.click("#send");
    assert!(pad3.until(Duration::from_secs(2), || pad3.text(".error").contains("至少选择一个原因")));
    pad3.click("[data-reason=\"attitude\"]");
    pad3.type_into("#comment", "态度生硬");
    pad3.click("#send");
    assert!(pad3.wait_for("#thanks", Duration::from_secs(5)));

    // B003 at window 2, rated by the clerk at the keyboard: keyed.
    visit(&hall, "2", "B003");
    assert!(pad2.wait_for("#prompt[data-ticket=\"3\"]", Duration::from_secs(3)));
    clerk(&hall, &["rate", "B003", "--score", "5"]);
    assert!(pad2.wait_for("#rest", Duration::from_secs(8)), "rated elsewhere, the pad's prompt closes");

    // Pad 2 may not rate window 3's visits, nor any visit twice.
    visit(&hall, "3", "B004");
    let cookie2 = cookie_of(&browser, &pad2);
    let rate = format!("{}/api/pad/rate", server.url);
    let (status, v) = send(&rate, Some(&cookie2), json!({"ticket": 4, "score": 5}));
    assert_eq!(status, 409, "{v}");
    let cookie3 = cookie_of(&browser, &pad3);
    let (status, _) = send(&rate, Some(&cookie3), json!({"ticket": 1, "score": 5}));
    assert_eq!(status, 409, "once, and only the window's latest visit");
    let (status, v) = send(&rate, Some(&cookie3), json!({"ticket": 4, "score": 2}));
    assert_eq!(status, 422, "a 差评 names a reason: {v}");
    assert!(v["error"].as_str().unwrap().contains("原因"), "{v}");

    // The clerk cannot read a rating (command line and API); the supervisor reads it whole.
    let seen = clerk(&hall, &["show", "B001"]);
    assert_eq!((seen["rating"]["withheld"].clone(), seen["rating"]["score"].clone()), (json!(true), Value::Null));
    assert!(seen["rating"]["source"].is_null(), "{seen}");
    let rate_event = seen["events"].as_array().unwrap().iter().find(|e| e["action"] == "rate").unwrap().clone();
    assert_eq!(rate_event["clerk"], "", "who recorded it would tell pad from keyed: {rate_event}");
    let api = Client::sign_in(&server.url, "张三", "246810");
    let (status, v) = api.get("/api/tickets/B002");
    assert_eq!(status, 200);
    assert_eq!(v["ticket"]["rating"]["score"], 0, "{v}");
    assert!(v["ticket"]["rating"]["comment"].is_null() && v["ticket"]["rating"].get("reasons").is_none(), "{v}");
    assert!(v["ticket"]["rating"].get("source").is_none(), "{v}");
    let b1 = supervisor(&hall, &["show", "B001"]);
    assert_eq!((b1["rating"]["score"].clone(), b1["rating"]["source"].clone()), (json!(4), json!("pad")));
    let b2 = supervisor(&hall, &["show", "B002"]);
    assert_eq!(b2["rating"]["reasons"], json!(["attitude"]));
    assert_eq!(b2["rating"]["comment"], "态度生硬");
    assert!(b2["events"].as_array().unwrap().iter().any(|e| e["clerk"].as_str().unwrap().starts_with("评价器")));
    let b3 = supervisor(&hall, &["show", "B003"]);
    assert_eq!(b3["rating"]["source"], "keyed", "{b3}");

    // The supervisor's report: per clerk, from the pad and keyed.
    let report = supervisor(&hall, &["report", "daily"]);
    let row = report["by_clerk"].as_array().unwrap().iter().find(|r| r["clerk"] == "张三").unwrap().clone();
    assert_eq!((row["rated_pad"].clone(), row["rated_keyed"].clone()), (json!(2), json!(1)), "{row}");
    let out = hall
        .cmd(NOW)
        .env("YIMEN_CLERK", "王主任")
        .env("YIMEN_PIN", "boss-pass-2026")
        .args(["report", "daily"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("评价器评价") && out.contains("窗口录入评价"), "{out}");

    // Untouched, the prompt closes after three minutes and no rating is invented.
    assert!(pad3.wait_for("#prompt[data-ticket=\"4\"]", Duration::from_secs(3)));
    let asked = Instant::now();
    assert!(pad3.wait_for("#rest", Duration::from_secs(200)), "the prompt closes");
    assert!(asked.elapsed() >= Duration::from_secs(170), "after its minutes: {:?}", asked.elapsed());
    let b4 = supervisor(&hall, &["show", "B004"]);
    assert!(b4["rating"].is_null(), "{b4}");

    // Two visits at window 3 in a row: only the latest is asked about; rated, the older one is
    // not asked either (its citizen has left). A comment typed with emoji is kept, not refused.
    for n in ["B005", "B006"] {
        visit(&hall, "3", n);
    }
    assert!(pad3.wait_for("#prompt[data-ticket=\"6\"]", Duration::from_secs(5)), "{}", pad3.text("body"));
    pad3.click("[data-score=\"2\"]");
    pad3.click("[data-reason=\"efficiency\"]");
    pad3.type_into("#comment", "等太久了❤\u{FE0F}");
    pad3.click("#send");
    assert!(pad3.wait_for("#thanks", Duration::from_secs(5)), "{}", pad3.text("body"));
    assert_eq!(supervisor(&hall, &["show", "B006"])["rating"]["comment"], "等太久了❤");
    std::thread::sleep(Duration::from_secs(7));
    assert!(pad3.exists("#rest") && !pad3.exists("#prompt"), "B005 is not asked about: {}", pad3.text("body"));
    let (status, _) = send(&rate, Some(&cookie3), json!({"ticket": 5, "score": 5}));
    assert_eq!(status, 409);
    pad2.close();
    pad3.close();
}

#[test]
fn a_kiosk_beside_the_server_prints_its_ticket_on_the_halls_receipt_printer() {
    use std::process::Command as Std;
    // One CUPS and one cups-pdf folder for the whole machine: printing tests take turns.
    let _turn = super::common::machine_turn();
    let has =
        |c: &str| Std::new("sh").args(["-c", &format!("command -v {c}")]).output().is_ok_and(|o| o.status.success());
    let printer = if has("lpadmin") && Path::new("/usr/lib/cups/backend/cups-pdf").exists() {
        super::paper::PdfPrinter::new()
    } else {
        None
    };
    let Some(printer) = printer else {
        return skip("CUPS with the cups-pdf printer (Debian cups, printer-driver-cups-pdf), run as root");
    };
    let hall = hall();
    hall.cmd(NOW).args(["config", "set", "kiosk_print", "server"]).assert().success();
    hall.cmd(NOW).args(["config", "set", "receipt_printer", &printer.name]).assert().success();
    let code = pair(&hall, "kiosk", None);
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let mut resp = agent().post(format!("{}/api/device/pair", server.url)).send_json(json!({"code": code})).unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let _ = resp.body_mut().read_to_string();
    let started = std::time::SystemTime::now();
    let (status, t) = send(&format!("{}/api/kiosk/take", server.url), Some(&cookie), json!({"item": "MZ01"}));
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["print"], "server");
    assert!(t["printed"]["Ok"].is_string(), "printed: {t}");

    // The paper issue's 排队号票, kept in the slips folder, and the same job at the printer.
    let slips = hall.dir.path().join("slips");
    let saved = std::fs::read_dir(&slips)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains("A001-1-queue_ticket")));
    let saved = saved.unwrap_or_else(|| panic!("the ticket's PDF in {}", slips.display()));
    match pdf_text(&std::fs::read(&saved).unwrap(), hall.dir.path()) {
        Some(text) => {
            for want in ["排队号", "A001", "最低生活保障", "身份证"] {
                assert!(text.contains(want), "{want}:\n{text}");
            }
        }
        None => skip("pdftotext (poppler-utils)"),
    }
    let outdir = super::paper::cups_pdf_out();
    let printed = (0..300).find_map(|_| {
        let found = std::fs::read_dir(&outdir).ok().and_then(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                p.metadata().and_then(|m| m.modified()).is_ok_and(|m| m >= started)
                    && p.file_name().is_some_and(|n| n.to_string_lossy().contains("A001"))
                    && Std::new("pdfinfo").arg(p).output().is_ok_and(|o| o.status.success())
            })
        });
        if found.is_none() {
            std::thread::sleep(Duration::from_millis(100));
        }
        found
    });
    let printed = printed.unwrap_or_else(|| panic!("the printed ticket in {}", outdir.display()));
    let _ = std::fs::remove_file(&printed);

    // A stopped printer: the number is still given, and the kiosk is told why nothing came out.
    assert!(Std::new("cupsdisable").arg(&printer.name).status().unwrap().success());
    let (status, t) = send(&format!("{}/api/kiosk/take", server.url), Some(&cookie), json!({"item": "SB03"}));
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["number"], "B001");
    assert!(t["printed"]["Err"].as_str().unwrap().contains("已停止"), "{t}");
}

/// Where the screenshots go: docs/screenshots with `YIMEN_SCREENSHOTS=1` (to commit them after
/// a look), else the test's own folder.
fn shots(hall: &Hall) -> PathBuf {
    if std::env::var("YIMEN_SCREENSHOTS").as_deref() == Ok("1") {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    } else {
        hall.dir.path().to_path_buf()
    }
}

#[test]
fn every_page_fits_its_screens_in_chinese() {
    let Some(browser) = Browser::start() else { return };
    let hall = hall();
    hall.cmd(NOW).args(["config", "set", "hall", "利福塔镇便民服务中心"]).assert().success();
    // A busy morning: six windows have called, every category has people waiting.
    let takes = [
        ("MZ01", "王小明"),
        ("SB03", "李四"),
        ("SB03", "赵六"),
        ("YB01", "钱七"),
        ("MZ02", "孙八"),
        ("SQ01", "周九"),
        ("QT01", "吴十"),
        ("SB04", "郑一"),
        ("YB02", "冯二"),
        ("MZ03", "陈三"),
        ("SQ02", "褚四"),
        ("QT02", "卫五"),
    ];
    for (item, name) in takes {
        clerk(&hall, &["take", item, "--name", name]);
    }
    for w in ["1", "2", "3", "4", "5", "6"] {
        clerk(&hall, &["call", "--window", w]);
    }
    let kiosk = pair(&hall, "kiosk", None);
    let pad = pair(&hall, "pad", Some("3"));
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let dir = shots(&hall);
    let check = |page: &Page<'_>, name: &str, size: (u32, u32)| {
        let cut = page.overflowing();
        assert!(cut.is_empty(), "{name}: {cut:?}");
        assert_eq!(page.screenshot(&dir.join(format!("{name}.png"))), size, "{name}");
    };

    for (w, h) in [(1920, 1080), (1366, 768)] {
        let page = browser.page(w, h);
        page.goto(&format!("{}/board", server.url));
        assert!(page.until(Duration::from_secs(10), || page.text("#now-number") != "—"));
        assert!(page.text("#waiting").contains("E 其他"), "every category's queue is on the screen");
        check(&page, &format!("board-{w}x{h}"), (w, h));
        page.close();
    }

    for (w, h) in [(1080, 1920), (1920, 1080)] {
        let page = browser.page(w, h);
        paired(&page, &server, "/kiosk", &if w == 1080 { kiosk.clone() } else { pair(&hall, "kiosk", None) });
        assert!(page.wait_for(".cats", Duration::from_secs(10)));
        check(&page, &format!("kiosk-{w}x{h}"), (w, h));
        if w == 1080 {
            page.click("[data-category=\"minzheng\"]");
            page.click("[data-item=\"MZ01\"]");
            page.click("[data-priority=\"none\"]");
            assert!(page.wait_for("#ticket-number", Duration::from_secs(10)));
            check(&page, &format!("kiosk-ticket-{w}x{h}"), (w, h));
        }
        page.close();
    }

    let page = browser.page(1280, 800);
    paired(&page, &server, "/pad", &pad);
    assert!(page.wait_for("#rest", Duration::from_secs(10)));
    check(&page, "pad-rest-1280x800", (1280, 800));
    // The visit at window 3 (the pad's) is completed.
    let day = clerk(&hall, &["list"]);
    let at3 =
        day.as_array().unwrap().iter().find(|t| t["window"] == "3").unwrap()["number"].as_str().unwrap().to_string();
    clerk(&hall, &["complete", &at3]);
    assert!(page.wait_for("#prompt", Duration::from_secs(5)));
    check(&page, "pad-prompt-1280x800", (1280, 800));
    page.click("[data-score=\"2\"]");
    assert!(page.wait_for("#reasons", Duration::from_secs(5)));
    check(&page, "pad-reasons-1280x800", (1280, 800));
    page.close();
}

/// A resident set size in KiB (`/proc`), of the process `pid`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn ten_minutes_of_hall_traffic_with_three_boards_two_kiosks_and_five_pads_miss_nothing() {
    let Some(browser) = Browser::start() else { return };
    let secs: u64 = std::env::var("YIMEN_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let hall = hall();
    hall.cmd(NOW).args(["config", "set", "board_call_repeat", "1"]).assert().success();
    let kiosk_codes: Vec<String> = (0..2).map(|_| pair(&hall, "kiosk", None)).collect();
    let windows = ["1", "2", "3", "4", "5"];
    let pad_codes: Vec<String> = windows.iter().map(|w| pair(&hall, "pad", Some(w))).collect();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let pid = server.pid();

    let boards: Vec<Page<'_>> = (0..3).map(|_| browser.page(1366, 768)).collect();
    for b in &boards {
        b.goto(&format!("{}/board", server.url));
        assert!(b.wait_for("#waiting tr", Duration::from_secs(10)));
        b.spy_on_speech();
    }
    let kiosks: Vec<(Page<'_>, String)> = kiosk_codes
        .iter()
        .map(|code| {
            let p = browser.page(1080, 1920);
            paired(&p, &server, "/kiosk", code);
            assert!(p.wait_for(".cats", Duration::from_secs(10)));
            let cookie = cookie_of(&browser, &p);
            (p, cookie)
        })
        .collect();
    let pads: Vec<Page<'_>> = pad_codes
        .iter()
        .map(|code| {
            let p = browser.page(1280, 800);
            paired(&p, &server, "/pad", code);
            assert!(p.wait_for("#rest", Duration::from_secs(10)));
            p
        })
        .collect();
    let api = Client::sign_in(&server.url, "张三", "246810");

    let start = Instant::now();
    let mut said: Vec<String> = Vec::new();
    let mut rated = 0u32;
    let mut rss = Vec::new();
    let mut round = 0usize;
    while start.elapsed() < Duration::from_secs(secs) {
        // A citizen takes a number at one kiosk or the other (through the page's own API, as a
        // tap does; each kiosk well within its 12 a minute).
        let (_, cookie) = &kiosks[round % kiosks.len()];
        let (status, v) = send(&format!("{}/api/kiosk/take", server.url), Some(cookie), json!({"item": "SB03"}));
        assert_eq!(status, 200, "{v}");
        // A window calls, serves and completes; its pad asks and the citizen taps.
        let w = round % windows.len();
        let (status, t) = api.post("/api/call", None, json!({"window": windows[w]})).unwrap();
        assert_eq!(status, 200, "{t}");
        let number =
            serde_json::from_value::<yimen::domain::queue::QueueNumber>(t["number"].clone()).unwrap().to_string();
        said.push(format!("请{number}号到{}号窗口办理", windows[w]));
        let (status, v) = api.post(&format!("/api/tickets/{number}/complete"), None, json!({})).unwrap();
        assert_eq!(status, 200, "{v}");
        let pad = &pads[w];
        let css = format!("#prompt[data-ticket=\"{}\"]", t["id"]);
        assert!(pad.wait_for(&css, Duration::from_secs(5)), "window {}'s pad missed {number}", windows[w]);
        pad.click(&format!("{css} [data-score=\"5\"]"));
        assert!(pad.wait_for("#thanks", Duration::from_secs(5)));
        rated += 1;
        if round.is_multiple_of(20) {
            rss.push(rss_kib(pid));
        }
        round += 1;
        // A call about every four seconds: the board speaks each one whole before the next.
        std::thread::sleep(Duration::from_millis(3000));
    }
    rss.push(rss_kib(pid));
    // Every board spoke every call, in order, once (repeat 1).
    for (i, b) in boards.iter().enumerate() {
        assert!(
            b.until(Duration::from_secs(30), || b.said().len() >= said.len()),
            "board {i} said {} of {}",
            b.said().len(),
            said.len()
        );
        let heard: Vec<String> = b.said().into_iter().map(|(t, _)| t).collect();
        assert_eq!(heard, said, "board {i}");
    }
    let stored = supervisor(&hall, &["report", "daily"]);
    assert_eq!(stored["rated"], json!(rated), "every tap stored");
    let row = stored["by_clerk"].as_array().unwrap().iter().find(|r| r["clerk"] == "张三").unwrap().clone();
    assert_eq!(row["rated_pad"], json!(rated));
    // The server's memory is flat: after the first minutes it grows by less than a fifth.
    eprintln!("soak: {round} visits, server RSS (KiB) {rss:?}");
    let warm = rss[rss.len().min(2) - 1];
    let last = *rss.last().unwrap();
    assert!(last <= warm + warm / 5 + 4096, "server memory grew: {rss:?}");
    for p in boards.into_iter().chain(pads).chain(kiosks.into_iter().map(|(p, _)| p)) {
        p.close();
    }
}

//! Paper and spreadsheets, read back by independent readers: the .xlsx by calamine (and by
//! LibreOffice where it is installed), every PDF by poppler's `pdfinfo` and `pdftotext`, and
//! printing through a real CUPS with a virtual PDF printer (cups-pdf).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::{Hall, skip};

const NOW: &str = "2026-11-30T17:30:00+08:00";

/// A demo hall (a seeded history) whose supervisor runs the commands.
fn demo(days: &str, per_day: &str) -> Hall {
    let hall = Hall::new();
    hall.cmd(NOW).args(["demo", "--days", days, "--per-day", per_day, "--seed", "7", "--no-tui"]).assert().success();
    hall
}

fn boss(hall: &Hall) -> assert_cmd::Command {
    let mut c = hall.cmd(NOW);
    c.env("YIMEN_CLERK", "王主任").env("YIMEN_PIN", "boss-demo-26");
    c
}

fn admin(hall: &Hall) -> assert_cmd::Command {
    let mut c = hall.cmd(NOW);
    c.env("YIMEN_CLERK", "管理员").env("YIMEN_PIN", "admin-demo-26");
    c
}

fn run(mut c: assert_cmd::Command, args: &[&str]) -> std::process::Output {
    let out = c.args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

pub(crate) fn has(tool: &str) -> bool {
    Std::new(tool).arg("-v").output().is_ok()
}

fn sheet(book: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(book.to_vec())).expect("an xlsx calamine reads");
    wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn sheet_names(book: &[u8]) -> Vec<String> {
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(book.to_vec())).expect("an xlsx calamine reads");
    wb.sheet_names()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Excel's serial day number of a local "YYYY-MM-DDTHH:MM:SS" (days since 1899-12-30).
fn serial(local: &str) -> f64 {
    let d = time::Date::parse(&local[..10], &time::format_description::well_known::Iso8601::DATE).unwrap();
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).unwrap();
    let (h, m, s): (f64, f64, f64) =
        (local[11..13].parse().unwrap(), local[14..16].parse().unwrap(), local[17..19].parse().unwrap());
    (d - base).whole_days() as f64 + (h * 3600.0 + m * 60.0 + s) / 86400.0
}

#[test]
fn the_xlsx_export_keeps_every_id_number_and_gives_real_times_in_the_users_language() {
    let hall = demo("8", "40");
    let dir = hall.dir.path();
    let rows: Vec<Value> = String::from_utf8(
        run(boss(&hall), &["export", "--from", "2026-11-01", "--format", "jsonl", "--full-ids"]).stdout,
    )
    .unwrap()
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    assert!(rows.len() > 100, "a history to check: {}", rows.len());
    assert!(rows.iter().filter(|r| r["id_number"].as_str().is_some_and(|s| s.len() == 18)).count() > 50);
    let zh = dir.join("zh.xlsx");
    run(
        boss(&hall),
        &["export", "--from", "2026-11-01", "--format", "xlsx", "--full-ids", "--out", zh.to_str().unwrap()],
    );
    let book = std::fs::read(&zh).unwrap();
    let names = sheet_names(&book);
    let r = sheet(&book, &names[0]);
    let head: Vec<String> = r.rows().next().unwrap().iter().map(text).collect();
    let col = |h: &str| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("column {h} in {head:?}"));
    let (id, number, status, taken, category) =
        (col("身份证号码"), col("排队号"), col("状态"), col("取号时间"), col("类别"));
    assert_eq!(r.rows().count(), rows.len() + 1, "one row per ticket under the header");
    for (row, src) in r.rows().skip(1).zip(&rows) {
        // Every ID number equal to the source as a string: a text cell, no digit lost.
        let want = src["id_number"].as_str().unwrap();
        assert_eq!(text(&row[id]), want, "{src}");
        if !want.is_empty() {
            assert!(matches!(row[id], Data::String(_)), "an ID number is a text cell: {:?}", row[id]);
        }
        assert_eq!(text(&row[number]), src["number"].as_str().unwrap());
        // A real date-time, in the hall's local time, to the second.
        let Data::DateTime(t) = &row[taken] else { panic!("taken_at is a date-time: {:?}", row[taken]) };
        assert!(t.is_datetime());
        let want = serial(&src["taken_at"].as_str().unwrap()[..19]);
        assert!((t.as_f64() - want).abs() < 0.5 / 86400.0, "{} vs {want}", t.as_f64());
    }
    let statuses: Vec<String> = r.rows().skip(1).map(|row| text(&row[status])).collect();
    assert!(statuses.iter().any(|s| s == "已办结"), "Chinese values: {statuses:?}");
    assert!(!statuses.iter().any(|s| s == "completed"));
    assert!(r.rows().skip(1).any(|row| ["民政", "社保", "医保"].contains(&text(&row[category]).as_str())));

    let en = dir.join("en.xlsx");
    run(
        boss(&hall),
        &["--lang", "en", "export", "--from", "2026-11-01", "--format", "xlsx", "--out", en.to_str().unwrap()],
    );
    let book = std::fs::read(&en).unwrap();
    let r = sheet(&book, &sheet_names(&book)[0]);
    let head: Vec<String> = r.rows().next().unwrap().iter().map(text).collect();
    assert!(head.contains(&"ID number".to_string()) && head.contains(&"Status".to_string()), "{head:?}");
    let status = head.iter().position(|h| h == "Status").unwrap();
    assert!(r.rows().skip(1).any(|row| text(&row[status]) == "completed"));
    // Without --full-ids the numbers are masked, in the workbook as on the screen.
    let id = head.iter().position(|h| h == "ID number").unwrap();
    assert!(
        r.rows()
            .skip(1)
            .filter_map(|row| row.get(id))
            .all(|c| !text(c).chars().all(|ch| ch.is_ascii_digit()) || text(c).is_empty())
    );
}

#[test]
fn the_xlsx_report_has_a_sheet_per_section_with_figures_as_numbers_and_charts() {
    let hall = demo("8", "40");
    let report: Value = serde_json::from_slice(&run(boss(&hall), &["report", "daily", "--json"]).stdout).unwrap();
    let out = hall.dir.path().join("daily.xlsx");
    run(boss(&hall), &["report", "daily", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    let book = std::fs::read(&out).unwrap();
    let names = sheet_names(&book);
    for s in ["报告信息", "总量", "分类别", "分事项", "分时段取号", "好差评", "本年累计"] {
        assert!(names.iter().any(|n| n.starts_with(s)), "sheet {s} in {names:?}");
    }
    let totals = sheet(&book, "总量");
    let taken = totals.rows().find(|r| text(&r[0]) == "取号").expect("a 取号 row");
    assert_eq!(taken[1], Data::Float(report["taken"].as_f64().unwrap()), "a figure is a number cell");
    let about = sheet(&book, "报告信息");
    assert!(
        about.rows().any(|r| r.iter().any(|c| text(c) == report["chain_head"].as_str().unwrap())),
        "the audit anchor"
    );
    let hours = sheet(&book, names.iter().find(|n| n.starts_with("分时段取号")).unwrap());
    let sum: f64 = hours.rows().skip(1).map(|r| if let Data::Float(n) = r[1] { n } else { 0.0 }).sum();
    assert_eq!(sum, report["taken"].as_f64().unwrap(), "arrivals by hour add up to the numbers taken");
    // Two charts (by category, arrivals by hour): the parts are in the package.
    let has_part = |p: &str| book.windows(p.len()).any(|w| w == p.as_bytes());
    assert!(has_part("xl/charts/chart1.xml") && has_part("xl/charts/chart2.xml"), "two charts");
}

/// LibreOffice's own conversion, headless, with a private profile.
fn soffice(input: &Path, to: &str, filter: Option<&str>, outdir: &Path) -> PathBuf {
    let profile = format!("file://{}", outdir.join("lo-profile").display());
    let mut c = Std::new("soffice");
    c.arg(format!("-env:UserInstallation={profile}")).arg("--headless");
    if let Some(f) = filter {
        c.arg(format!("--infilter={f}"));
    }
    let out = c.args(["--convert-to", to, "--outdir"]).arg(outdir).arg(input).output().expect("soffice runs");
    assert!(out.status.success(), "soffice: {}", String::from_utf8_lossy(&out.stderr));
    let stem = input.file_stem().unwrap().to_string_lossy().to_string();
    let ext = to.split(':').next().unwrap();
    let path = outdir.join(format!("{stem}.{ext}"));
    assert!(path.exists(), "soffice wrote {}", path.display());
    path
}

#[test]
fn libreoffice_reads_every_digit_of_every_id_number_from_the_xlsx_and_the_excel_csv() {
    if !has("soffice") {
        return skip("LibreOffice (soffice, Debian libreoffice-calc-nogui)");
    }
    let hall = demo("3", "30");
    let dir = hall.dir.path();
    let ids: Vec<String> = String::from_utf8(
        run(boss(&hall), &["export", "--from", "2026-11-01", "--format", "jsonl", "--full-ids"]).stdout,
    )
    .unwrap()
    .lines()
    .map(|l| serde_json::from_str::<Value>(l).unwrap()["id_number"].as_str().unwrap().to_string())
    .filter(|s| s.len() == 18)
    .collect();
    assert!(ids.len() > 20);
    let lo = dir.join("lo");
    std::fs::create_dir_all(&lo).unwrap();
    // UTF-8 (76), comma (44), double quote (34), first line 1: how a supervisor's import
    // dialog reads a CSV with a byte-order mark.
    let csv_filter = "CSV:44,34,76,1";
    let cells_of = |book: &Path| -> Vec<String> {
        let bytes = std::fs::read(book).unwrap();
        let r = sheet(&bytes, &sheet_names(&bytes)[0]);
        r.rows().flat_map(|row| row.iter().map(text).collect::<Vec<_>>()).collect()
    };
    // The oracle works: LibreOffice turns the machine CSV's ID numbers into numbers, losing digits.
    let machine = dir.join("machine.csv");
    run(boss(&hall), &["export", "--from", "2026-11-01", "--full-ids", "--out", machine.to_str().unwrap()]);
    let seen = cells_of(&soffice(&machine, "xlsx", Some(csv_filter), &lo));
    assert!(
        ids.iter().any(|id| !seen.contains(id)),
        "the machine CSV loses digits in a spreadsheet (the oracle sees it)"
    );
    // The --excel CSV keeps every digit.
    let excel = dir.join("excel.csv");
    run(boss(&hall), &["export", "--from", "2026-11-01", "--full-ids", "--excel", "--out", excel.to_str().unwrap()]);
    let seen = cells_of(&soffice(&excel, "xlsx", Some(csv_filter), &lo));
    for id in &ids {
        assert!(seen.contains(id), "{id} from the --excel CSV, whole");
    }
    // The workbook, opened and saved again as CSV by LibreOffice, keeps every digit too.
    let book = dir.join("book.xlsx");
    run(
        boss(&hall),
        &["export", "--from", "2026-11-01", "--full-ids", "--format", "xlsx", "--out", book.to_str().unwrap()],
    );
    let csv = std::fs::read_to_string(soffice(&book, "csv:Text - txt - csv (StarCalc):44,34,76", None, &lo)).unwrap();
    for id in &ids {
        assert!(csv.contains(id.as_str()), "{id} through LibreOffice from the xlsx");
    }
}

fn pdf_tools() -> bool {
    has("pdftotext") && has("pdfinfo")
}

fn pdfinfo(path: &Path) -> String {
    let out = Std::new("pdfinfo").arg(path).output().unwrap();
    assert!(out.status.success(), "pdfinfo {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn pages(path: &Path) -> usize {
    pdfinfo(path).lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

/// The page's width and height in points.
fn page_size(path: &Path) -> (f64, f64) {
    let info = pdfinfo(path);
    let line = info.lines().find_map(|l| l.strip_prefix("Page size:")).unwrap();
    let v: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (v[0], v[1])
}

pub(crate) fn pdftotext(path: &Path, page: Option<usize>) -> String {
    let mut c = Std::new("pdftotext");
    if let Some(p) = page {
        c.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = c.arg(path).arg("-").output().unwrap();
    assert!(out.status.success());
    // Characters of one line may come out with spaces between them: compare without any.
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

/// One page's text with its layout kept (a table's row on one line).
fn pdftotext_layout(path: &Path, page: usize) -> String {
    let p = page.to_string();
    let out = Std::new("pdftotext").args(["-layout", "-f", &p, "-l", &p]).arg(path).arg("-").output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Page `page` drawn in grey at 30 dpi by poppler: (width, height, pixels).
fn raster(path: &Path, page: usize) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    let p = page.to_string();
    let ok = Std::new("pdftoppm")
        .args(["-gray", "-r", "30", "-singlefile", "-f", &p, "-l", &p])
        .arg(path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let bytes = std::fs::read(prefix.with_extension("pgm")).unwrap();
    // P5 <w> <h> 255, then one byte per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).to_string());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[i + 1..].to_vec())
}

/// The mean difference of two pages' grey pixels, 0–255, over the area they share (`None`
/// when their sizes differ by more than a pixel's rounding: 595 × 842 pt against
/// 595.276 × 841.89 pt is the same A4).
fn page_difference(a: &Path, b: &Path, page: usize) -> Option<f64> {
    difference(&raster(a, page), &raster(b, page))
}

fn difference(a: &(usize, usize, Vec<u8>), b: &(usize, usize, Vec<u8>)) -> Option<f64> {
    if a.0.abs_diff(b.0) > 1 || a.1.abs_diff(b.1) > 1 {
        return None;
    }
    let (w, h) = (a.0.min(b.0), a.1.min(b.1));
    let mut sum = 0u64;
    for y in 0..h {
        for x in 0..w {
            sum += u64::from(a.2[y * a.0 + x].abs_diff(b.2[y * b.0 + x]));
        }
    }
    Some(sum as f64 / (w * h) as f64)
}

/// An 18-digit resident ID number with its check digit (GB 11643-1999, ISO 7064 MOD 11-2).
fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{first17}{}", ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize])
}

const A4: (f64, f64) = (595.276, 841.89);
const MM: f64 = 72.0 / 25.4;

#[test]
fn every_paper_a_citizen_gets_comes_out_as_a_pdf_with_its_chinese_text() {
    if !pdf_tools() {
        return skip("poppler-utils (pdfinfo, pdftotext)");
    }
    let hall = Hall::new();
    let dir = hall.dir.path();
    hall.cmd(NOW).args(["init", "--hall", "测试镇便民服务中心"]).assert().success();
    run(hall.cmd(NOW), &["config", "set", "hall_phone", "0744-6221234"]);
    let take = |args: &[&str]| -> String {
        let out = run(hall.cmd(NOW), &[&["take", "--json"], args].concat());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["id"].as_u64().unwrap().to_string()
    };
    // A case accepted with a photo to follow (容缺受理).
    // 𠮷 (Extension B) is in the embedded font; U+31350 (Extension H) is not, and is printed
    // as its code point rather than dropped.
    let deferred = take(&["SB04", "--name", "张𠮷英", "--id-number", "430822194706061658", "--proxy", "李\u{31350}"]);
    run(hall.cmd(NOW), &["call", "--window", "3"]);
    run(hall.cmd(NOW), &["accept", &deferred, "--defer", "照片"]);
    // A visit that ends with the one-time notice.
    let noticed = take(&["MZ05", "--name", "李四", "--id-number", &id_number("43082219400101123")]);
    run(hall.cmd(NOW), &["call", "--window", "3"]);
    let notice_pdf = dir.join("notice.pdf");
    run(
        hall.cmd(NOW),
        &["notice", &noticed, "--missing", "户口簿", "--format", "pdf", "--out", notice_pdf.to_str().unwrap()],
    );
    // A case suspended for materials (补正).
    let supply = take(&["MZ05", "--name", "王五", "--id-number", &id_number("43082219410202234")]);
    run(hall.cmd(NOW), &["call", "--window", "3"]);
    run(hall.cmd(NOW), &["accept", &supply]);
    run(hall.cmd(NOW), &["suspend", &supply, "--reason", "materials", "--missing", "银行卡"]);
    // A number waiting, for its queue ticket.
    let waiting = take(&["YB01"]);

    let paper = |id: &str, kind: &str, size: &str| -> PathBuf {
        let path = dir.join(format!("{id}-{kind}-{size}.pdf"));
        run(
            hall.cmd(NOW),
            &["slip", id, "--kind", kind, "--paper", size, "--format", "pdf", "--out", path.to_str().unwrap()],
        );
        path
    };
    let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 0.5 && (a.1 - b.1).abs() < 0.5;
    let cases: Vec<(PathBuf, &[&str])> = vec![
        (
            paper(&deferred, "receipt", "a4"),
            &["受理回执", "张𠮷英", "代办人：李〔U+31350〕", "社会保障卡申领", "容缺材料：照片", "2026-12-07"],
        ),
        (
            paper(&deferred, "deferral-notice", "a4"),
            &["容缺受理通知书", "照片", "补交期限：2026-12-07", "申请人承诺", "申请人（签字）", "承诺办结日期"],
        ),
        (notice_pdf.clone(), &["一次性告知单", "李四", "户口簿", "以上为全部所缺材料"]),
        (paper(&supply, "supply-notice", "a4"), &["补正告知书", "王五", "银行卡", "暂停计算"]),
    ];
    for (path, words) in &cases {
        assert!(close(page_size(path), A4), "{} is A4: {:?}", path.display(), page_size(path));
        let text = pdftotext(path, None);
        for w in ["测试镇便民服务中心", "0744-6221234"].iter().chain(words.iter()) {
            assert!(text.contains(w), "{} says {w}: {text}", path.display());
        }
    }
    // The queue ticket on both roll widths: no personal data, the number, what to bring.
    for (size, mm) in [("80mm", 80.0), ("58mm", 58.0)] {
        let path = paper(&waiting, "queue-ticket", size);
        let (w, h) = page_size(&path);
        assert!((w - mm * MM).abs() < 0.5, "{size} wide: {w}");
        assert!(h > 60.0 * MM && h < 300.0 * MM, "as long as its content: {h}");
        let text = pdftotext(&path, None);
        for word in ["排队号", "C001", "城乡居民基本医疗保险参保登记", "前面还有0人", "请备齐以下材料"]
        {
            assert!(text.contains(word), "{size} ticket says {word}: {text}");
        }
    }
    // A paper the ticket has not got is refused in one line, and nothing is written.
    let missing = dir.join("none.pdf");
    let out = hall
        .cmd(NOW)
        .args(["slip", &waiting, "--kind", "receipt", "--format", "pdf", "--out", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim().lines().count(), 1);
    assert!(!missing.exists());
}

#[test]
fn a_long_report_numbers_its_pages_and_signs_on_the_last() {
    if !pdf_tools() {
        return skip("poppler-utils (pdfinfo, pdftotext)");
    }
    let hall = demo("30", "60");
    let report: Value =
        serde_json::from_slice(&run(boss(&hall), &["report", "range", "--from", "2026-10-01", "--json"]).stdout)
            .unwrap();
    let path = hall.dir.path().join("range.pdf");
    run(boss(&hall), &["report", "range", "--from", "2026-10-01", "--format", "pdf", "--out", path.to_str().unwrap()]);
    assert!(close_a4(page_size(&path)));
    let n = pages(&path);
    assert!(n >= 3, "two months of days make at least three pages: {n}");
    for k in 1..=n {
        let text = pdftotext(&path, Some(k));
        assert!(text.contains(&format!("第{k}页共{n}页")), "page {k} of {n}: {text}");
        assert!(text.contains("利福塔镇便民服务中心"), "the hall on page {k}");
        assert_eq!(text.contains("大厅负责人（签字）"), k == n, "the signature only on the last page");
        assert_eq!(text.contains(report["chain_head"].as_str().unwrap()), k == n, "the audit anchor on the last page");
    }
    let first = pdftotext_layout(&path, 1);
    let taken = first.lines().find(|l| l.split_whitespace().next() == Some("取号")).expect("a 取号 line");
    assert_eq!(taken.split_whitespace().nth(1), Some(report["taken"].to_string().as_str()), "the figures: {first}");
    // The same report through a pipe comes out as the same PDF bytes' kind.
    let piped = run(boss(&hall), &["report", "range", "--from", "2026-10-01", "--format", "pdf"]).stdout;
    assert!(piped.starts_with(b"%PDF-"));
}

fn close_a4(s: (f64, f64)) -> bool {
    (s.0 - A4.0).abs() < 0.5 && (s.1 - A4.1).abs() < 0.5
}

/// A CUPS queue with the cups-pdf backend, removed when dropped.
pub(super) struct PdfPrinter {
    pub name: String,
}

impl PdfPrinter {
    pub(super) fn new() -> Option<PdfPrinter> {
        let up = |c: &mut Std| c.output().is_ok_and(|o| o.status.success());
        if !up(Std::new("lpstat").arg("-r"))
            || !String::from_utf8_lossy(&Std::new("lpstat").arg("-r").output().ok()?.stdout).contains("is running")
        {
            // Start the scheduler when the machine has one but it is not running.
            let _ = Std::new("cupsd").output();
            for _ in 0..50 {
                if String::from_utf8_lossy(&Std::new("lpstat").arg("-r").output().ok()?.stdout).contains("is running") {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        let name = format!("yimen-test-{}", std::process::id());
        let ok = up(Std::new("lpadmin").args([
            "-p",
            &name,
            "-E",
            "-v",
            "cups-pdf:/",
            "-P",
            "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
        ]));
        ok.then_some(PdfPrinter { name })
    }
}

impl Drop for PdfPrinter {
    fn drop(&mut self) {
        let _ = Std::new("lpadmin").args(["-x", &self.name]).output();
    }
}

/// Where cups-pdf puts what it prints for this user: `~/PDF` of the account (not of $HOME).
pub(super) fn cups_pdf_out() -> PathBuf {
    let home = Std::new("sh").args(["-c", "getent passwd $(id -u) | cut -d: -f6"]).output().unwrap();
    PathBuf::from(String::from_utf8(home.stdout).unwrap().trim()).join("PDF")
}

#[test]
fn printing_goes_through_cups_and_a_stopped_or_missing_printer_keeps_the_file() {
    // One CUPS and one cups-pdf folder for the whole machine: printing tests take turns.
    let _turn = super::common::machine_turn();
    let Some(printer) =
        (if has("lpadmin") && Path::new("/usr/lib/cups/backend/cups-pdf").exists() { PdfPrinter::new() } else { None })
    else {
        return skip("CUPS with the cups-pdf printer (Debian cups, printer-driver-cups-pdf), run as root");
    };
    if !pdf_tools() {
        return skip("poppler-utils (pdfinfo, pdftotext)");
    }
    let hall = demo("3", "30");
    let dir = hall.dir.path();
    let marker = format!("打印测试厅{}", std::process::id());
    run(admin(&hall), &["config", "set", "hall", &marker]);
    run(admin(&hall), &["config", "set", "printer", &printer.name]);
    let started = std::time::SystemTime::now();
    let saved = dir.join("daily.pdf");
    let out = run(boss(&hall), &["report", "daily", "--format", "pdf", "--print", "--out", saved.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&printer.name), "says where it went: {said}");
    // The printed file appears in cups-pdf's folder and says what the saved one says.
    let outdir = cups_pdf_out();
    let mut printed = None;
    for _ in 0..300 {
        printed = std::fs::read_dir(&outdir).ok().and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.metadata().and_then(|m| m.modified()).is_ok_and(|m| m >= started))
                // cups-pdf names the file after the job's title (octal escapes for Chinese), which
                // ends in the hall's name with the test's process id.
                .filter(|p| {
                    p.file_name().is_some_and(|n| n.to_string_lossy().contains(&format!("{}", std::process::id())))
                })
                // Written while the job runs: wait until it is a whole PDF.
                .find(|p| Std::new("pdfinfo").arg(p).output().is_ok_and(|o| o.status.success()))
        });
        if printed.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let printed = printed.unwrap_or_else(|| panic!("a printed PDF with {marker} in {}", outdir.display()));
    // The printer's copy is redrawn by Ghostscript (its text layer is lost on the way), so it
    // is compared as pictures: every page the same as the saved file's, and clearly unlike
    // another page (the comparison can fail).
    assert_eq!(pages(&printed), pages(&saved));
    assert!(pages(&saved) >= 2);
    for k in 1..=pages(&saved) {
        let d = page_difference(&printed, &saved, k).expect("the same page size");
        assert!(d < 3.0, "page {k} as printed differs from the saved file by {d}");
    }
    let other = difference(&raster(&printed, 1), &raster(&saved, 2)).expect("A4 both");
    assert!(other > 6.0, "two different pages differ clearly: {other}");
    assert!(pdftotext(&saved, None).contains(&marker));
    let _ = std::fs::remove_file(&printed);

    // A stopped printer: one line, the file kept, nothing lost.
    assert!(Std::new("cupsdisable").arg(&printer.name).status().unwrap().success());
    let kept = dir.join("stopped.pdf");
    let out = boss(&hall)
        .args(["report", "daily", "--format", "pdf", "--print", "--out", kept.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("已停止") && err.contains("stopped.pdf"), "{err}");
    assert_eq!(err.trim().lines().filter(|l| !l.starts_with("已保存到")).count(), 1, "{err}");
    assert_eq!(pages(&kept), pages(&saved), "the file is kept whole");
    // A printer that is not there.
    run(admin(&hall), &["config", "set", "printer", "no-such-printer-here"]);
    let out = boss(&hall).args(["slip", "1", "--kind", "queue-ticket", "--print"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("没有名为「no-such-printer-here」的打印机"), "{err}");
}

#[test]
fn a_printer_name_that_is_not_one_is_refused() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    for bad in ["-o evil", "a\u{7}b", &"p".repeat(128)] {
        let out = hall.cmd(NOW).args(["config", "set", "--", "printer", bad]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("不是打印机名称") && err.trim().lines().count() == 1,
            "{bad:?}: {err}"
        );
    }
    run(hall.cmd(NOW), &["config", "set", "receipt_printer", "POS-80 Kitchen"]);
    let cfg = String::from_utf8(run(hall.cmd(NOW), &["config", "show"]).stdout).unwrap();
    assert!(cfg.contains("POS-80 Kitchen"), "{cfg}");
}

#[test]
fn the_file_name_decides_the_format_and_odd_targets_get_one_line() {
    let hall = demo("3", "30");
    let dir = hall.dir.path();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    // The extension names the format when --format is not given.
    run(boss(&hall), &["report", "daily", "--out", &p("d.pdf")]);
    assert!(std::fs::read(p("d.pdf")).unwrap().starts_with(b"%PDF-"));
    run(boss(&hall), &["export", "--out", &p("e.xlsx")]);
    assert!(std::fs::read(p("e.xlsx")).unwrap().starts_with(b"PK"), "a workbook is a zip package");
    run(boss(&hall), &["slip", "1", "--kind", "queue-ticket", "--out", &p("s.pdf")]);
    assert!(std::fs::read(p("s.pdf")).unwrap().starts_with(b"%PDF-"));
    run(boss(&hall), &["report", "daily", "--excel", "--out", &p("d.csv")]);
    assert!(std::fs::read_to_string(p("d.csv")).unwrap().starts_with('\u{feff}'), "CSV for a spreadsheet");
    // A format the name contradicts, or --excel with a workbook: one line, no file.
    for args in [
        vec!["report", "daily", "--format", "text", "--out", &p("x.pdf")],
        vec!["export", "--format", "csv", "--out", &p("x.xlsx")],
        vec!["export", "--excel", "--format", "xlsx", "--out", &p("y.xlsx")],
    ] {
        let out = boss(&hall).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
    assert!(!Path::new(&p("x.pdf")).exists() && !Path::new(&p("x.xlsx")).exists() && !Path::new(&p("y.xlsx")).exists());
    // A folder as the output: one line in Chinese.
    let out = boss(&hall).args(["report", "daily", "--format", "pdf", "--out"]).arg(dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("这是一个文件夹"), "{err}");
    // A pipe as the output is written, never read from (reading it would wait for ever).
    let out = boss(&hall)
        .timeout(std::time::Duration::from_secs(20))
        .args(["slip", "1", "--kind", "queue-ticket", "--format", "pdf", "--out", "/dev/stdout"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.starts_with(b"%PDF-"), "{}", String::from_utf8_lossy(&out.stderr));
    // A printer name from the environment that is an option, not a name, is never used.
    let out = boss(&hall)
        .env("YIMEN_PRINTER", "-hlocalhost:631")
        .args(["slip", "1", "--kind", "queue-ticket", "--print", "--out", &p("q.pdf")])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("未设置打印机"), "{err}");
    assert!(Path::new(&p("q.pdf")).exists(), "the paper is kept");
}

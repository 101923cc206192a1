//! The demo generator: a realistic, deterministic history of the reference town (利福塔镇,
//! 桑植县) — its villages, valid 430822 ID numbers, morning peaks, plausible waits and service
//! times, mostly good ratings with some 差评, and some overdue cases. It writes through the
//! same transitions as the clerks do, one transaction per day.

use std::path::Path;
use std::time::Instant;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use crate::{Actor, CitizenInput, Desk, DeskError, ProxyInput, Settings, TakeRequest};
use yimen_domain::account::Role;
use yimen_domain::calendar::{Calendar, add_days};
use yimen_domain::catalog::{Catalog, Kind};
use yimen_domain::id_number::check_char;
use yimen_domain::queue::Priority;
use yimen_domain::ticket::{BadReason, Command, Context, FollowUp, RatingSource, Status, SuspendReason, Ticket};
use yimen_store::WriteTx;

pub struct Options {
    /// Working days of history, ending today.
    pub days: u32,
    pub per_day: u32,
    pub seed: u64,
}

/// The demo's accounts: (name, role, PIN or password). Shown on screen by the demo; never
/// created anywhere but in a demo database.
pub const ACCOUNTS: [(&str, Role, &str); 5] = [
    ("李娟", Role::Clerk, "111111"),
    ("向红", Role::Clerk, "222222"),
    ("田国庆", Role::Clerk, "333333"),
    ("王主任", Role::Supervisor, "boss-demo-26"),
    ("管理员", Role::Admin, "admin-demo-26"),
];

/// The demo's PIN of `name`, if it is a demo account.
pub fn pin_of(name: &str) -> Option<&'static str> {
    ACCOUNTS.iter().find(|a| a.0 == name).map(|a| a.2)
}

pub struct Summary {
    pub tickets: u64,
    pub days: u32,
    pub seconds: f64,
}

const SURNAMES: &[&str] = &[
    "向", "田", "覃", "彭", "谷", "钟", "张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "龚", "唐", "符",
    "朱",
];
const GIVEN: &[&str] = &[
    "秀英", "桂兰", "玉梅", "建国", "志强", "红梅", "春花", "德明", "海燕", "金凤", "光荣", "世平", "兰芳", "家富",
    "冬梅", "明", "伟", "芳", "军", "勇", "静", "丽", "强", "敏", "华", "平", "霞", "林", "刚", "燕",
];
const CLERKS: &[(&str, &str)] = &[("1", "李娟"), ("2", "向红"), ("3", "田国庆")];
/// (item code, weight): what a township hall sees most.
const MIX: &[(&str, u32)] = &[
    ("SB03", 16),
    ("YB01", 14),
    ("SB01", 10),
    ("MZ01", 7),
    ("SB04", 8),
    ("YB02", 6),
    ("QT01", 6),
    ("SB02", 5),
    ("MZ03", 4),
    ("MZ05", 4),
    ("YB03", 4),
    ("SB05", 3),
    ("MZ04", 3),
    ("SQ01", 3),
    ("SQ02", 2),
    ("MZ02", 1),
    ("SB06", 1),
    ("QT02", 2),
    ("MZ06", 1),
];

/// SplitMix64: small, fast and the same on every platform, so a seed always gives the same town.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// The meta key holding how many events the demo wrote when it was built.
const BUILT_CHAIN: &str = "demo_built_chain";

/// Whether the demo database at `path` holds a trainee's practice: events written after the
/// demo was built. A file that is not a demo, or not there, holds none.
///
/// # Errors
/// The store's (a file that does not open).
pub fn has_practice(path: &Path) -> Result<bool, DeskError> {
    if !path.exists() {
        return Ok(false);
    }
    let desk = Desk::open(path)?;
    if !desk.settings().demo {
        return Ok(false);
    }
    let built = desk.store().read(|rx| rx.meta(BUILT_CHAIN))?;
    let built = built.and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok()).map(u64::from_be_bytes);
    let (_, now) = desk.chain_state()?;
    Ok(built.is_none_or(|b| now > b))
}

/// Builds the demo database at `path`, replacing an older demo there. A file holding real
/// tickets is refused.
pub fn build(path: &Path, opts: &Options) -> Result<Summary, DeskError> {
    build_with_progress(path, opts, &|_, _| {})
}

/// [`build`], telling `progress` how many days of how many are written.
///
/// # Errors
/// As [`build`].
pub fn build_with_progress(path: &Path, opts: &Options, progress: &dyn Fn(u64, u64)) -> Result<Summary, DeskError> {
    let started = Instant::now();
    if path.exists() {
        let (is_demo, count) = {
            let desk = Desk::open(path)?;
            (desk.settings().demo, desk.ticket_count()?)
        };
        // Only a demo is ever replaced: a new hall's file (accounts, no tickets yet) is not.
        if !is_demo {
            return Err(DeskError::DemoRefused(path.display().to_string(), count));
        }
        std::fs::remove_file(path).map_err(|e| DeskError::Io(format!("{}: {e}", path.display())))?;
    }
    let (mut desk, _) = Desk::init(path, Some("利福塔镇便民服务中心"), None)?;
    // Built in setup mode (no account yet), then the accounts are added last.
    let setup = Actor::default();
    desk.acting(&setup).set_setting("hall_phone", "0744-6221234")?;
    desk.reload_configuration()?;
    desk.store().write(|tx| {
        let mut s = Settings::load_w(tx)?;
        s.demo = true;
        s.save(tx)
    })?;
    let clock = *desk.clock();
    let now = clock.now();
    let today = clock.today();
    let calendar = desk.calendar().clone();
    let catalog = desk.catalog().clone();
    let world = World {
        catalog: &catalog,
        cal: &calendar,
        offset: clock.offset(),
        now,
        follow_up_days: desk.settings().follow_up_days,
    };
    // History is the working days before today; today is always there (even on a Sunday, so
    // the demo has a live queue), with a quarter of a day's arrivals in the two hours to now.
    let mut days = working_days_back(&calendar, today, opts.days.max(1));
    if days.last() == Some(&today) {
        days.pop();
    }
    let mut rng = Rng(opts.seed ^ 0x5EED_0F11_F07A);
    let mut tickets = 0u64;
    let total = days.len() as u64 + 1;
    for (i, &day) in days.iter().enumerate() {
        let arrivals = arrival_times(&mut rng, day, opts.per_day, clock.offset());
        tickets += write_day(&desk, &mut rng, &world, arrivals)?;
        progress(i as u64 + 1, total);
    }
    let morning: Vec<OffsetDateTime> = {
        let n = (opts.per_day / 4).max(1);
        let window = 120 * 60;
        let mut v: Vec<OffsetDateTime> =
            (0..n).map(|_| now - Duration::seconds(1 + rng.below(window) as i64)).collect();
        v.sort_unstable();
        v
    };
    tickets += write_day(&desk, &mut rng, &world, morning)?;
    // Accounts last, so the history above was written in setup mode.
    let (admin, _, admin_pw) = ACCOUNTS[4];
    desk.acting(&setup).add_user(admin, Role::Admin, admin_pw)?;
    let admin = desk.sign_in(admin, admin_pw)?;
    for (name, role, pin) in &ACCOUNTS[..4] {
        desk.acting(&admin).add_user(name, *role, pin)?;
    }
    // What the demo itself wrote, so a later run can tell a trainee's practice from it; written
    // before the compaction, so the file is left at its compact size.
    let (_, built) = desk.chain_state()?;
    desk.store().write(|tx| tx.set_meta(BUILT_CHAIN, &built.to_be_bytes()))?;
    desk.acting(&admin).compact()?;
    Ok(Summary { tickets, days: days.len() as u32 + 1, seconds: started.elapsed().as_secs_f64() })
}

/// One day's visits in one transaction.
fn write_day(desk: &Desk, rng: &mut Rng, world: &World<'_>, arrivals: Vec<OffsetDateTime>) -> Result<u64, DeskError> {
    let now = world.now;
    desk.store().write(|tx| {
        let mut n = 0u64;
        for at in arrivals.into_iter().filter(|&at| at <= now) {
            simulate(tx, rng, world, at)?;
            n += 1;
        }
        Ok::<u64, DeskError>(n)
    })
}

fn working_days_back(cal: &Calendar, today: Date, n: u32) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = today;
    while out.len() < n as usize {
        if cal.is_working_day(d) {
            out.push(d);
        }
        match d.previous_day() {
            Some(p) => d = p,
            None => break,
        }
    }
    out.reverse();
    out
}

fn at_local(day: Date, minutes: u32, offset: time::UtcOffset) -> OffsetDateTime {
    let t = Time::from_hms((minutes / 60).min(23) as u8, (minutes % 60) as u8, 0).unwrap_or(Time::MIDNIGHT);
    PrimitiveDateTime::new(day, t).assume_offset(offset)
}

/// Arrival times of a day: 8:30–17:00, with a morning peak (half arrive before 10:30).
fn arrival_times(rng: &mut Rng, day: Date, n: u32, offset: time::UtcOffset) -> Vec<OffsetDateTime> {
    let mut v: Vec<u32> = (0..n)
        .map(|_| {
            if rng.chance(50) {
                510 + rng.below(120) as u32 // 8:30–10:30
            } else if rng.chance(70) {
                630 + rng.below(90) as u32 // 10:30–12:00
            } else {
                870 + rng.below(150) as u32 // 14:30–17:00
            }
        })
        .collect();
    v.sort_unstable();
    v.into_iter().enumerate().map(|(i, m)| at_local(day, m, offset) + Duration::seconds((i % 60) as i64)).collect()
}

fn pick_item(rng: &mut Rng) -> &'static str {
    let total: u32 = MIX.iter().map(|m| m.1).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for (code, w) in MIX {
        if r < *w {
            return code;
        }
        r -= w;
    }
    MIX[0].0
}

fn id_number(rng: &mut Rng, today: Date, min_age: u32) -> String {
    let lo = min_age.clamp(18, 90);
    let age = lo + rng.below(u64::from(96 - lo)) as u32;
    let year = today.year() - age as i32;
    let birth = Date::from_ordinal_date(year, 1 + rng.below(365) as u16).unwrap_or(today);
    let first17 = format!("430822{:04}{:02}{:02}{:03}", birth.year(), birth.month() as u8, birth.day(), rng.below(999));
    format!("{first17}{}", check_char(first17.as_bytes()))
}

fn ctx<'a>(
    cal: &'a Calendar,
    offset: time::UtcOffset,
    at: OffsetDateTime,
    clerk: &str,
    window: Option<&str>,
) -> Context<'a> {
    Context {
        at,
        today: at.to_offset(offset).date(),
        clerk: clerk.to_string(),
        window: window.map(str::to_string),
        calendar: cal,
        clock_override: false,
    }
}

/// What every simulated visit shares.
struct World<'a> {
    catalog: &'a Catalog,
    cal: &'a Calendar,
    offset: time::UtcOffset,
    now: OffsetDateTime,
    follow_up_days: u32,
}

/// One citizen's visit and case, as far as `now`.
fn simulate(tx: &mut WriteTx<'_>, rng: &mut Rng, w: &World<'_>, taken: OffsetDateTime) -> Result<(), DeskError> {
    let (catalog, cal, offset, now) = (w.catalog, w.cal, w.offset, w.now);
    let code = pick_item(rng);
    let Some(item) = catalog.item(code) else {
        return Ok(());
    };
    let day = taken.to_offset(offset).date();
    let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
    let idn = id_number(rng, day, item.min_age.unwrap_or(18));
    let citizen = CitizenInput {
        name: Some(name),
        id_number: item.requires_id.then_some(idn),
        phone: Some(format!("1{}{:09}", rng.pick(&[3, 5, 7, 8, 9]), rng.below(1_000_000_000))),
        village: (!catalog.villages.is_empty()).then(|| rng.pick(&catalog.villages).clone()),
    };
    let proxy = if rng.chance(8) {
        ProxyInput { name: Some(format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))), ..Default::default() }
    } else {
        ProxyInput::default()
    };
    let priority = if rng.chance(3) {
        Some(*rng.pick(&[Priority::Disability, Priority::Military, Priority::Pregnant]))
    } else {
        None
    };
    let req = TakeRequest { item: code.to_string(), priority, citizen, proxy, note: None, at_kiosk: false };
    let &(window, clerk) = rng.pick(CLERKS);
    let t = crate::take_in(tx, catalog, &ctx(cal, offset, taken, crate::RECEPTION, None), &req)?;

    // Each step happens at `at`; nothing after `now` is written.
    let mut cur = t;
    let mut at = taken;
    let step =
        |tx: &mut WriteTx<'_>, cur: &mut Ticket, at: OffsetDateTime, cmd: Command<'_>| -> Result<bool, DeskError> {
            if at > now {
                return Ok(false);
            }
            let c = ctx(cal, offset, at, clerk, Some(window));
            *cur = crate::apply_in(tx, cur, cmd, &c)?;
            Ok(true)
        };
    if rng.chance(2) {
        let at = at + Duration::minutes(5 + rng.below(20) as i64);
        step(tx, &mut cur, at, Command::Withdraw { reason: "群众临时有事离开".into() })?;
        return Ok(());
    }
    let wait = if cur.priority.is_some() { 2 + rng.below(8) } else { 5 + rng.below(40) };
    at += Duration::minutes(wait as i64);
    if !step(tx, &mut cur, at, Command::Call { window: window.to_string() })? {
        return Ok(());
    }
    if rng.chance(4) {
        at += Duration::minutes(1);
        step(tx, &mut cur, at, Command::Recall)?;
        at += Duration::minutes(2);
        step(tx, &mut cur, at, Command::NoShow)?;
        return Ok(());
    }
    at += Duration::minutes(3 + rng.below(12) as i64);
    if item.kind == Kind::OnTheSpot {
        if !step(tx, &mut cur, at, Command::Complete { note: None })? {
            return Ok(());
        }
        return rate(tx, rng, &mut cur, at, w, &step);
    }
    if rng.chance(3) {
        step(tx, &mut cur, at, Command::Reject { reason: "不符合申请条件".into() })?;
        return Ok(());
    }
    let deferred: Vec<String> =
        item.materials.iter().filter(|m| m.may_defer && rng.chance(25)).map(|m| m.name.clone()).collect();
    let cmd = Command::Accept {
        item,
        citizen: Default::default(),
        proxy: None,
        deferred,
        make_good_days: catalog.make_good_days,
    };
    if !step(tx, &mut cur, at, cmd)? {
        return Ok(());
    }
    let working_after = |from: Date, n: u32, minute: u32| at_local(cal.add_working_days(from, n).date, minute, offset);
    // Deferred materials: most are brought in time, some never, and those cases end.
    for d in cur.deferred.clone() {
        if rng.chance(85) {
            let when = working_after(day, 1 + rng.below(3) as u32, 600);
            if !step(tx, &mut cur, when, Command::Supply { material: d.material.clone() })? {
                return Ok(());
            }
        } else {
            let when = at_local(add_days(d.due, 1), 540, offset);
            step(tx, &mut cur, when, Command::Terminate { note: None })?;
            return Ok(());
        }
    }
    let mut last = at.to_offset(offset).date();
    if item.code == "MZ01" && rng.chance(80) {
        let s = working_after(last, 3, 600);
        if !step(tx, &mut cur, s, Command::Suspend { reason: SuspendReason::Notice, missing: vec![], note: None })? {
            return Ok(());
        }
        let r = at_local(add_days(s.to_offset(offset).date(), 7 + rng.below(3) as i64), 570, offset);
        if !step(tx, &mut cur, r, Command::Resume)? {
            return Ok(());
        }
        last = r.to_offset(offset).date();
    }
    if matches!(item.code.as_str(), "MZ01" | "MZ02" | "YB03") && rng.chance(30) {
        let dept = if item.code == "YB03" { "县医保局" } else { "县民政局" };
        let tr = working_after(last, 2, 660);
        if !step(tx, &mut cur, tr, Command::Transfer { to: dept.into(), days: None })? {
            return Ok(());
        }
        last = tr.to_offset(offset).date();
    }
    // Most finish inside the promise; about one in twelve runs late.
    let promised = cur.deadline.map(|d| d.date).unwrap_or(last);
    let span = cal.working_days_between(last, promised).max(1);
    let n = if rng.chance(8) { span + 1 + rng.below(5) as u32 } else { 1 + rng.below(u64::from(span)) as u32 };
    let done = working_after(last, n, 600 + rng.below(300) as u32);
    if cur.status == Status::Suspended {
        return Ok(());
    }
    if !step(tx, &mut cur, done, Command::Complete { note: None })? {
        return Ok(());
    }
    rate(tx, rng, &mut cur, done, w, &step)
}

type Step<'s> = dyn Fn(&mut WriteTx<'_>, &mut Ticket, OffsetDateTime, Command<'_>) -> Result<bool, DeskError> + 's;

/// Three in four rate; ratings are mostly good, with some 差评.
fn rate(
    tx: &mut WriteTx<'_>,
    rng: &mut Rng,
    cur: &mut Ticket,
    at: OffsetDateTime,
    w: &World<'_>,
    step: &Step<'_>,
) -> Result<(), DeskError> {
    let follow_up_days = w.follow_up_days;
    if !rng.chance(75) {
        return Ok(());
    }
    let r = rng.below(100);
    let score = match r {
        0..=69 => 5,
        70..=89 => 4,
        90..=95 => 3,
        96..=98 => 2,
        _ => 1,
    };
    let comment = (score <= 2).then(|| "等待时间太长".to_string());
    let reasons = if score <= 2 { vec![BadReason::Efficiency] } else { Vec::new() };
    // Most windows have a pad; one visit in six is keyed by the clerk (no draw from `rng`, so
    // the demo's figures stay as they were).
    let source = if cur.id.is_multiple_of(6) { RatingSource::Keyed } else { RatingSource::Pad };
    if !step(tx, cur, at + Duration::minutes(1), Command::Rate { score, comment, follow_up_days, source, reasons })?
        || score > 2
    {
        return Ok(());
    }
    // The supervisor follows every 差评 up within the set days (回访, 核实, 整改, 反馈), as the
    // rules ask; the ones still open are the last few days' (a step after `now` is not written).
    let notes = ["已电话回访群众", "情况属实", "已整改：增开窗口、提醒叫号", "已向群众反馈整改情况"];
    let start = at.to_offset(w.offset).date();
    for (i, (s, note)) in FollowUp::ORDER.iter().zip(notes).enumerate() {
        let day = w.cal.add_working_days(start, 1 + i as u32 / 2).date;
        let when = at_local(day, 600 + 30 * i as u32, w.offset);
        if when > w.now {
            break;
        }
        let c = ctx(w.cal, w.offset, when, "王主任", None);
        *cur = crate::apply_in(tx, cur, Command::FollowUp { step: *s, note: note.into() }, &c)?;
    }
    Ok(())
}

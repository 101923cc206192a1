//! Reports: the end-of-day summary a supervisor signs, period (week/month) reports and the
//! per-ticket export. Each is computed as data first (`compute`) and rendered second
//! (`render`), so text, Markdown, CSV and JSON always carry the same figures. Every figure is
//! defined once, in docs/reports.md, and implemented once, here.

pub mod export;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use crate::{Acting, DeskError, HallContext};
use yimen_domain::Lang;
use yimen_domain::calendar::Light;
use yimen_domain::catalog::Kind;
use yimen_domain::ticket::{RatingSource, Status, Ticket};

/// Mean, median and 90th percentile of a list of minutes; `None` when there is nothing to measure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Minutes {
    pub count: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Minutes {
    pub fn of(mut v: Vec<f64>) -> Minutes {
        if v.is_empty() {
            return Minutes::default();
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let round = |x: f64| (x * 10.0).round() / 10.0;
        // Nearest-rank percentiles: the value at rank ceil(p·n).
        let rank = |p: f64| v[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        Minutes {
            count: n,
            mean: Some(round(v.iter().sum::<f64>() / n as f64)),
            median: Some(round(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })),
            p90: Some(round(rank(0.9))),
        }
    }
}

/// The counts of one period; a daily report, a range report and the year to date all use it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Totals {
    pub taken: u32,
    pub called: u32,
    pub served: u32,
    pub no_show: u32,
    pub waiting_at_close: u32,
    pub accepted: u32,
    pub deferred: u32,
    pub completed: u32,
    pub completed_on_the_spot: u32,
    pub completed_promised: u32,
    pub rejected: u32,
    pub withdrawn: u32,
    pub notices: u32,
    pub terminated: u32,
    pub transferred: u32,
    pub suspended: u32,
    pub rated: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CategoryRow {
    pub category: String,
    pub name: String,
    pub taken: u32,
    pub accepted: u32,
    pub completed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemRow {
    pub item: String,
    pub name: String,
    pub taken: u32,
    pub accepted: u32,
    pub completed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct WindowRow {
    pub window: String,
    pub called: u32,
    pub served: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ClerkRow {
    pub clerk: String,
    pub accepted: u32,
    pub completed: u32,
    pub rejected: u32,
    /// Ratings of this clerk's visits given in the period that the citizen pressed on the
    /// window's pad (评价器).
    #[serde(default)]
    pub rated_pad: u32,
    /// … and that a clerk keyed in: the share a 好差评 audit asks about (domain.md).
    #[serde(default)]
    pub rated_keyed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct VillageRow {
    pub village: String,
    pub taken: u32,
}

/// A case on the handover lists.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CaseRow {
    pub id: u64,
    pub number: String,
    pub date: String,
    pub item: String,
    pub status: String,
    pub clerk: Option<String>,
    pub deadline: Option<String>,
    /// Working days left on the report date; negative when overdue.
    pub working_days_left: Option<i64>,
    /// For the make-good list: the deferred material due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BadRating {
    pub id: u64,
    pub number: String,
    pub date: String,
    pub item: String,
    pub score: u8,
    pub clerk: Option<String>,
    pub follow_up_due: Option<String>,
}

/// The figures of a period from `from` to `to` (both included).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Figures {
    #[serde(flatten)]
    pub totals: Totals,
    pub by_category: Vec<CategoryRow>,
    pub by_item: Vec<ItemRow>,
    pub by_window: Vec<WindowRow>,
    pub by_clerk: Vec<ClerkRow>,
    pub by_village: Vec<VillageRow>,
    pub wait_minutes: Minutes,
    pub service_minutes: Minutes,
    /// Ratings given in the period, keyed "1" to "5".
    pub ratings: BTreeMap<String, u32>,
    /// Share of ratings 3–5 (基本满意 and better), 0–1; `None` without ratings.
    pub satisfaction_rate: Option<f64>,
    /// Numbers taken per hour of the day (0–23), in the hall's time.
    pub arrivals_by_hour: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Header {
    pub hall: String,
    pub printed_at: String,
    pub printed_by: Option<String>,
    /// Set when a deadline on the report lies in a year the holiday calendar lacks.
    pub calendar_note: Option<String>,
    /// The audit chain's head hash and length when the report was printed: the signed paper
    /// anchors the history outside the file.
    pub chain_head: String,
    pub chain_events: u64,
    /// SHA-256 (hex, first 32 digits) over every ticket record the report's figures and lists
    /// were computed from, as read: with the chain head, the signed paper anchors the figures
    /// themselves, so an edit of a record in the file changes it even where the chain would
    /// not (`yimen check` names the edited record).
    #[serde(default)]
    pub sources: String,
}

/// The digest of the tickets a report was computed from (see `Header::sources`): SHA-256 over
/// each record as the database stores it (MessagePack with field names), in id order — not over
/// any display or wire form, so a change of how JSON is written never changes it.
fn sources_digest<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> String {
    use sha2::Digest;
    let mut all: Vec<&Ticket> = tickets.into_iter().collect();
    all.sort_by_key(|t| t.id);
    all.dedup_by_key(|t| t.id);
    let mut h = sha2::Sha256::new();
    for t in all {
        h.update(rmp_serde::to_vec_named(t).unwrap_or_default());
        h.update(b"\n");
    }
    yimen_domain::token::hex(&h.finalize())[..32].to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DailyReport {
    pub date: String,
    #[serde(flatten)]
    pub header: Header,
    #[serde(flatten)]
    pub figures: Figures,
    pub overdue: Vec<CaseRow>,
    pub due_soon: Vec<CaseRow>,
    pub make_good_tomorrow: Vec<CaseRow>,
    pub open_bad_ratings: Vec<BadRating>,
    pub year_to_date: Totals,
    /// For a past day: when the handover lists were read (they show the cases as they stand
    /// then, judged against the report date).
    #[serde(default)]
    pub lists_as_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DayRow {
    pub date: String,
    pub taken: u32,
    pub served: u32,
    pub accepted: u32,
    pub completed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RangeReport {
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub header: Header,
    #[serde(flatten)]
    pub figures: Figures,
    pub days: Vec<DayRow>,
    /// 诉求 and 纠纷 cases (the 诉求 category) opened (taken) and closed in the period.
    pub requests_opened: u32,
    pub requests_closed: u32,
    pub requests: Vec<CaseRow>,
}

impl Totals {
    /// Adds another period's totals. Every figure counts each ticket on exactly one day, so
    /// the totals of consecutive days add up to the totals of the period.
    pub fn add(&mut self, o: &Totals) {
        self.taken += o.taken;
        self.called += o.called;
        self.served += o.served;
        self.no_show += o.no_show;
        self.waiting_at_close += o.waiting_at_close;
        self.accepted += o.accepted;
        self.deferred += o.deferred;
        self.completed += o.completed;
        self.completed_on_the_spot += o.completed_on_the_spot;
        self.completed_promised += o.completed_promised;
        self.rejected += o.rejected;
        self.withdrawn += o.withdrawn;
        self.notices += o.notices;
        self.terminated += o.terminated;
        self.transferred += o.transferred;
        self.suspended += o.suspended;
        self.rated += o.rated;
    }
}

/// What the reports read. The desk is the one real source; the benchmark's SQLite baseline is
/// another, so both compute their figures with the same code.
pub trait Source: HallContext {
    fn require_supervisor(&self) -> Result<(), DeskError>;
    /// Every ticket with an event on `day` or taken that day.
    fn active_on(&self, day: Date) -> Result<Vec<Ticket>, DeskError>;
    /// Open cases in deadline order, at most `limit`.
    fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, DeskError>;
    /// Bad ratings awaiting follow-up.
    fn followups(&self) -> Result<Vec<Ticket>, DeskError>;
    /// The cached totals of the days in `[from, to]` that have them.
    fn cached_day_totals(&self, from: Date, to: Date) -> Result<Vec<(Date, Vec<u8>)>, DeskError>;
    fn cache_day_totals(&self, days: &[(Date, Vec<u8>)]) -> Result<(), DeskError>;
    /// The audit chain's head and length, printed in the header.
    fn chain_state(&self) -> Result<(String, u64), DeskError>;
}

impl Source for Acting<'_> {
    fn require_supervisor(&self) -> Result<(), DeskError> {
        Acting::require_supervisor(self)
    }
    fn active_on(&self, day: Date) -> Result<Vec<Ticket>, DeskError> {
        Acting::active_on(self, day)
    }
    fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        Acting::open_cases(self, limit)
    }
    fn followups(&self) -> Result<Vec<Ticket>, DeskError> {
        Acting::followups(self)
    }
    fn cached_day_totals(&self, from: Date, to: Date) -> Result<Vec<(Date, Vec<u8>)>, DeskError> {
        crate::Desk::cached_day_totals(self, from, to)
    }
    fn cache_day_totals(&self, days: &[(Date, Vec<u8>)]) -> Result<(), DeskError> {
        crate::Desk::cache_day_totals(self, days)
    }
    fn chain_state(&self) -> Result<(String, u64), DeskError> {
        crate::Desk::chain_state(self)
    }
}

/// The totals of one day, reading only that day's activity (one day in memory at a time).
pub fn day_totals(desk: &dyn Source, d: Date) -> Result<Totals, DeskError> {
    Ok(figures(desk, &desk.active_on(d)?, d, d).totals)
}

/// Totals of the days in `[from, to]`: finished days come from the cache (one range read,
/// filled here when missing), so a year to date costs one small row per day however long the
/// history is. Any write to a ticket drops the cached days it counts on.
fn totals_of_days(desk: &dyn Source, from: Date, to: Date) -> Result<Vec<(Date, Totals)>, DeskError> {
    let today = desk.clock().today();
    let mut cache: HashMap<Date, Vec<u8>> = desk.cached_day_totals(from, to)?.into_iter().collect();
    let mut out = Vec::new();
    let mut fresh = Vec::new();
    for d in days_in(from, to) {
        let cached =
            if d < today { cache.remove(&d).and_then(|b| rmp_serde::from_slice::<Totals>(&b).ok()) } else { None };
        let t = match cached {
            Some(t) => t,
            None => {
                let t = day_totals(desk, d)?;
                if d < today
                    && let Ok(bytes) = rmp_serde::to_vec_named(&t)
                {
                    fresh.push((d, bytes));
                }
                t
            }
        };
        out.push((d, t));
    }
    if !fresh.is_empty() {
        desk.cache_day_totals(&fresh)?;
    }
    Ok(out)
}

fn days_in(from: Date, to: Date) -> impl Iterator<Item = Date> {
    let n = (to - from).whole_days().max(-1);
    (0..=n).map(move |i| from + Duration::days(i))
}

/// Every ticket with an event in `[from, to]`: the activity index of each day, never a scan.
fn tickets_in(desk: &dyn Source, from: Date, to: Date) -> Result<Vec<Ticket>, DeskError> {
    let mut seen: HashMap<u64, Ticket> = HashMap::new();
    for d in days_in(from, to) {
        for t in desk.active_on(d)? {
            seen.entry(t.id).or_insert(t);
        }
    }
    let mut v: Vec<Ticket> = seen.into_values().collect();
    v.sort_by_key(|t| t.id);
    Ok(v)
}

/// Served: called, and the window reached an outcome — accepted (on-the-spot completions
/// included), rejected, or the one-time notice given.
pub fn is_served(t: &Ticket) -> bool {
    t.called_at.is_some() && (t.accepted_at.is_some() || t.status == Status::Rejected || !t.notice.is_empty())
}

/// Minutes from the first call to acceptance or closing, whichever came first.
pub fn service_minutes(t: &Ticket) -> Option<f64> {
    let called = t.called_at?;
    let end = [t.accepted_at, t.closed_at].into_iter().flatten().min()?;
    Some((end - called).as_seconds_f64() / 60.0)
}

/// Minutes from taking the number to the first call.
pub fn wait_minutes(t: &Ticket) -> Option<f64> {
    Some((t.called_at? - t.taken_at).as_seconds_f64() / 60.0)
}

pub const NO_VILLAGE: &str = "未登记";

/// Computes the figures of `[from, to]` from the tickets active in it.
pub fn figures(desk: &dyn Source, tickets: &[Ticket], from: Date, to: Date) -> Figures {
    let clock = desk.clock();
    let within = |o: Option<OffsetDateTime>| o.is_some_and(|t| (from..=to).contains(&clock.date_of(t)));
    let catalog = desk.catalog();
    let mut f = Totals::default();
    let mut cats: BTreeMap<String, CategoryRow> = BTreeMap::new();
    let mut items: BTreeMap<String, ItemRow> = BTreeMap::new();
    let mut windows: BTreeMap<String, WindowRow> = BTreeMap::new();
    let mut clerks: BTreeMap<String, ClerkRow> = BTreeMap::new();
    let mut villages: BTreeMap<String, u32> = BTreeMap::new();
    let mut waits = Vec::new();
    let mut services = Vec::new();
    let mut ratings: BTreeMap<String, u32> = (1..=5).map(|s| (s.to_string(), 0)).collect();
    let mut hours = vec![0u32; 24];
    for t in tickets {
        let cat = cats.entry(t.category.clone()).or_insert_with(|| CategoryRow {
            category: t.category.clone(),
            name: catalog.category(&t.category).map(|c| c.name.clone()).unwrap_or_else(|| t.category.clone()),
            taken: 0,
            accepted: 0,
            completed: 0,
        });
        let item = items.entry(t.item.clone()).or_insert_with(|| ItemRow {
            item: t.item.clone(),
            name: t.item_name.clone(),
            taken: 0,
            accepted: 0,
            completed: 0,
        });
        let clerk_key = t.clerk.clone().unwrap_or_default();
        let taken = (from..=to).contains(&t.date);
        if taken {
            f.taken += 1;
            cat.taken += 1;
            item.taken += 1;
            *villages.entry(t.citizen.village.clone().unwrap_or_else(|| NO_VILLAGE.into())).or_default() += 1;
            hours[usize::from(clock.local(t.taken_at).hour())] += 1;
            match t.status {
                Status::NoShow => f.no_show += 1,
                Status::Waiting => f.waiting_at_close += 1,
                _ => {}
            }
            if t.called_at.is_some() {
                f.called += 1;
                let w = t.window.clone().unwrap_or_default();
                let row = windows.entry(w.clone()).or_insert(WindowRow { window: w, called: 0, served: 0 });
                row.called += 1;
                if is_served(t) {
                    f.served += 1;
                    row.served += 1;
                }
            }
            waits.extend(wait_minutes(t));
            if is_served(t) {
                services.extend(service_minutes(t));
            }
        }
        let clerk = || ClerkRow {
            clerk: clerk_key.clone(),
            accepted: 0,
            completed: 0,
            rejected: 0,
            rated_pad: 0,
            rated_keyed: 0,
        };
        if within(t.accepted_at) {
            f.accepted += 1;
            cat.accepted += 1;
            item.accepted += 1;
            clerks.entry(clerk_key.clone()).or_insert_with(clerk).accepted += 1;
            if !t.deferred.is_empty() {
                f.deferred += 1;
            }
        }
        if within(t.completed_at) {
            f.completed += 1;
            cat.completed += 1;
            item.completed += 1;
            clerks.entry(clerk_key.clone()).or_insert_with(clerk).completed += 1;
            match t.kind {
                Kind::OnTheSpot => f.completed_on_the_spot += 1,
                Kind::Promised => f.completed_promised += 1,
            }
        }
        if within(t.closed_at) {
            match t.status {
                Status::Rejected => {
                    f.rejected += 1;
                    clerks.entry(clerk_key.clone()).or_insert_with(clerk).rejected += 1;
                }
                // A visit ended with the one-time notice is not a withdrawal (those closed so
                // before `Notified` existed are stored as withdrawn with their notice list).
                Status::Notified => f.notices += 1,
                Status::Withdrawn if !t.notice.is_empty() => f.notices += 1,
                Status::Withdrawn => f.withdrawn += 1,
                Status::Terminated => f.terminated += 1,
                _ => {}
            }
        }
        if within(t.transferred_at) {
            f.transferred += 1;
        }
        if t.status == Status::Suspended && within(t.suspension.as_ref().map(|s| s.since)) {
            f.suspended += 1;
        }
        if let Some(r) = t.rating.as_ref().filter(|r| within(Some(r.at))) {
            f.rated += 1;
            *ratings.entry(r.score.to_string()).or_default() += 1;
            let row = clerks.entry(clerk_key.clone()).or_insert_with(clerk);
            match r.source {
                RatingSource::Pad => row.rated_pad += 1,
                RatingSource::Keyed => row.rated_keyed += 1,
            }
        }
    }
    let good: u32 = ["3", "4", "5"].iter().map(|k| ratings.get(*k).copied().unwrap_or(0)).sum();
    let by = |v: BTreeMap<String, u32>| {
        let mut rows: Vec<VillageRow> = v.into_iter().map(|(village, taken)| VillageRow { village, taken }).collect();
        rows.sort_by(|a, b| b.taken.cmp(&a.taken).then(a.village.cmp(&b.village)));
        rows
    };
    // Categories in catalog order, items by code; rows with nothing in the period are left out.
    let order = |code: &str| catalog.categories.iter().position(|c| c.code == code).unwrap_or(usize::MAX);
    let mut by_category: Vec<CategoryRow> =
        cats.into_values().filter(|c| c.taken + c.accepted + c.completed > 0).collect();
    by_category.sort_by_key(|c| (order(&c.category), c.category.clone()));
    Figures {
        satisfaction_rate: (f.rated > 0).then(|| (f64::from(good) / f64::from(f.rated) * 1000.0).round() / 1000.0),
        totals: f,
        by_category,
        by_item: items.into_values().filter(|i| i.taken + i.accepted + i.completed > 0).collect(),
        by_window: windows.into_values().collect(),
        by_clerk: clerks.into_values().collect(),
        by_village: by(villages),
        wait_minutes: Minutes::of(waits),
        service_minutes: Minutes::of(services),
        ratings,
        arrivals_by_hour: hours,
    }
}

fn case_row(desk: &dyn Source, t: &Ticket, on: Date) -> CaseRow {
    CaseRow {
        id: t.id,
        number: t.number.to_string(),
        date: t.date.to_string(),
        item: t.item_name.clone(),
        status: t.status.code().to_string(),
        clerk: t.clerk.clone(),
        deadline: t.deadline.map(|d| d.date.to_string()),
        // The one count every screen, list and export uses (a suspended case keeps its days).
        working_days_left: t.light(desk.calendar(), on).map(|(_, left)| left),
        material: None,
    }
}

fn header(desk: &dyn Source, lang: Lang, note_range: Option<(Date, Date)>) -> Result<Header, DeskError> {
    let (chain_head, chain_events) = desk.chain_state()?;
    Ok(Header {
        chain_head,
        chain_events,
        sources: String::new(),
        hall: desk.settings().hall.clone(),
        printed_at: desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::DayMinute),
        printed_by: desk.clerk().map(str::to_string),
        calendar_note: note_range.and_then(|(a, b)| desk.calendar().estimate_note(a, b, lang)),
    })
}

/// The longest period one report or export covers, in days (three years, leap day included):
/// a longer one would hold the hall's file for minutes and answer hundreds of megabytes.
pub const MAX_PERIOD_DAYS: i64 = 3 * 365 + 1;

/// Refuses a period that ends before it starts or is longer than [`MAX_PERIOD_DAYS`].
///
/// # Errors
/// `DeskError::Period`, saying how to split a long one.
pub fn check_period(from: Date, to: Date) -> Result<(), DeskError> {
    if from > to {
        return Err(DeskError::Period(from, to, false));
    }
    if (to - from).whole_days() + 1 > MAX_PERIOD_DAYS {
        return Err(DeskError::Period(from, to, true));
    }
    Ok(())
}

/// The end-of-day summary of `date`.
///
/// The handover lists (overdue, due within a working day, make-good dates tomorrow) and the
/// open bad ratings are read from the open-case and follow-up indexes as they stand when the
/// report is printed, judged against `date`.
pub fn daily(desk: &dyn Source, date: Date, lang: Lang) -> Result<DailyReport, DeskError> {
    desk.require_supervisor()?;
    let tickets = tickets_in(desk, date, date)?;
    let figures = figures(desk, &tickets, date, date);
    let cal = desk.calendar();
    let tomorrow = cal.add_working_days(date, 1).date;
    let (mut overdue, mut due_soon, mut make_good) = (Vec::new(), Vec::new(), Vec::new());
    let mut latest = date;
    let open = desk.open_cases(usize::MAX)?;
    let followups = desk.followups()?;
    let sources = sources_digest(tickets.iter().chain(&open).chain(&followups));
    for t in open {
        if let Some(d) = t.deadline {
            latest = latest.max(d.date);
        }
        if t.status != Status::Suspended {
            match t.deadline.map(|d| cal.light(d.date, date).0) {
                Some(Light::Red) => overdue.push(case_row(desk, &t, date)),
                Some(Light::Yellow) => due_soon.push(case_row(desk, &t, date)),
                _ => {}
            }
        }
        for d in t.owed().filter(|d| d.due == tomorrow) {
            make_good.push(CaseRow { material: Some(d.material.clone()), ..case_row(desk, &t, date) });
        }
    }
    let open_bad_ratings = followups
        .into_iter()
        .filter(|t| t.rating.as_ref().is_some_and(|r| desk.clock().date_of(r.at) <= date))
        .map(|t| BadRating {
            id: t.id,
            number: t.number.to_string(),
            date: t.date.to_string(),
            item: t.item_name.clone(),
            score: t.rating.as_ref().map(|r| r.score).unwrap_or(0),
            clerk: t.clerk.clone(),
            follow_up_due: t.rating.as_ref().and_then(|r| r.follow_up_due).map(|d| d.to_string()),
        })
        .collect();
    let jan1 = Date::from_ordinal_date(date.year(), 1).unwrap_or(date);
    let mut year_to_date = Totals::default();
    for (_, t) in totals_of_days(desk, jan1, date)? {
        year_to_date.add(&t);
    }
    Ok(DailyReport {
        date: date.to_string(),
        header: Header { sources, ..header(desk, lang, Some((date, latest)))? },
        figures,
        overdue,
        due_soon,
        make_good_tomorrow: make_good,
        open_bad_ratings,
        year_to_date,
        lists_as_of: (date < desk.clock().today())
            .then(|| desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::DayMinute)),
    })
}

/// The period report of `[from, to]`: the same figures, a day-by-day trend and the 诉求/纠纷
/// cases opened and closed.
pub fn range(desk: &dyn Source, from: Date, to: Date, lang: Lang) -> Result<RangeReport, DeskError> {
    desk.require_supervisor()?;
    check_period(from, to)?;
    let tickets = tickets_in(desk, from, to)?;
    let figures = figures(desk, &tickets, from, to);
    let mut days = Vec::new();
    for (d, f) in totals_of_days(desk, from, to)? {
        days.push(DayRow {
            date: d.to_string(),
            taken: f.taken,
            served: f.served,
            accepted: f.accepted,
            completed: f.completed,
        });
    }
    let letter = |code: &str| desk.catalog().category(code).map(|c| c.letter);
    let request_letter = desk.catalog().find_category("suqiu").map(|c| c.letter).unwrap_or('D');
    let is_request = |t: &Ticket| letter(&t.category) == Some(request_letter);
    let within = |o: Option<OffsetDateTime>| o.is_some_and(|t| (from..=to).contains(&desk.clock().date_of(t)));
    let mut requests = Vec::new();
    let (mut opened, mut closed) = (0, 0);
    for t in tickets.iter().filter(|t| is_request(t)) {
        let o = (from..=to).contains(&t.date);
        let c = within(t.closed_at);
        opened += u32::from(o);
        closed += u32::from(c);
        if o || c {
            requests.push(case_row(desk, t, to));
        }
    }
    Ok(RangeReport {
        from: from.to_string(),
        to: to.to_string(),
        header: Header { sources: sources_digest(&tickets), ..header(desk, lang, None)? },
        figures,
        days,
        requests_opened: opened,
        requests_closed: closed,
        requests,
    })
}

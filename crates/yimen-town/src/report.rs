//! Town reports from PostgreSQL, with the same definitions as a hall's (docs/reports.md): each
//! hall's figures are computed by the hall's own report code (`yimen_app::report`), reading
//! that hall's records from the town's tables instead of its file — so a hall's line in the
//! town's report is, by construction, its own daily report — and the town's totals are their
//! sums.

use std::cell::RefCell;
use std::collections::BTreeMap;

use postgres::Client;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use yimen_app::report::{self, DailyReport, DayRow, RangeReport, Source, Totals};
use yimen_app::{DeskError, HallContext, Settings};
use yimen_domain::Lang;
use yimen_domain::calendar::Calendar;
use yimen_domain::catalog::Catalog;
use yimen_domain::clock::Clock;
use yimen_domain::lang::Localized;
use yimen_domain::ticket::Ticket;

use crate::{Town, TownError, said};

/// One hall as the reports read it: its records in the town's tables, its clock (its own UTC
/// offset, the caller's moment), its imported holiday years, the built-in catalog.
struct TownHall<'a> {
    client: RefCell<&'a mut Client>,
    code: String,
    clock: Clock,
    calendar: Calendar,
    catalog: Catalog,
    settings: Settings,
    head: String,
    events: u64,
}

fn db(e: postgres::Error) -> DeskError {
    DeskError::Io(said(&e))
}

/// A ticket from its town record: the masked personal fields are left out (the figures never
/// read them), the rest read back as the hall wrote it.
fn ticket(mut record: serde_json::Value) -> Result<Ticket, DeskError> {
    for who in ["citizen", "proxy"] {
        if let Some(o) = record.get_mut(who).and_then(|v| v.as_object_mut()) {
            o.remove("id_number");
            o.remove("phone");
        }
    }
    serde_json::from_value(record).map_err(|e| DeskError::Io(format!("a town record does not read: {e}")))
}

impl TownHall<'_> {
    fn tickets(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<Ticket>, DeskError> {
        let rows = self.client.borrow_mut().query(sql, params).map_err(db)?;
        rows.into_iter().map(|r| ticket(r.get(0))).collect()
    }
}

impl HallContext for TownHall<'_> {
    fn clock(&self) -> &Clock {
        &self.clock
    }
    fn calendar(&self) -> &Calendar {
        &self.calendar
    }
    fn catalog(&self) -> &Catalog {
        &self.catalog
    }
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn clerk(&self) -> Option<&str> {
        None
    }
}

impl Source for TownHall<'_> {
    /// The town's database grants what its sign-in grants.
    fn require_supervisor(&self) -> Result<(), DeskError> {
        Ok(())
    }

    fn active_on(&self, day: Date) -> Result<Vec<Ticket>, DeskError> {
        let offset = self.clock.offset();
        let start = day.midnight().assume_offset(offset);
        let end = day.next_day().map(|d| d.midnight().assume_offset(offset)).unwrap_or(start);
        self.tickets(
            // The day's ticket ids first (the day's numbers; the tickets of the day's events,
            // index-only), then those records by key: never a walk of the hall's history. An OR
            // of the two reads every ticket the hall ever had, and `IN (…)` lets the planner
            // merge-join along the hall's whole key range (200 ms at a year of 400 a day,
            // against 8 ms so).
            "SELECT record FROM town.tickets WHERE hall_code = $1 AND ticket_id = ANY(ARRAY(
                 SELECT ticket_id FROM town.tickets WHERE hall_code = $1 AND date = $2
                 UNION
                 SELECT ticket_id FROM town.events WHERE hall_code = $1 AND at >= $3 AND at < $4))
             ORDER BY ticket_id",
            &[&self.code, &day, &start, &end],
        )
    }

    fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.tickets(
            "SELECT record FROM town.tickets WHERE hall_code = $1 AND status IN ('accepted', 'suspended', 'transferred')
             ORDER BY deadline NULLS LAST, ticket_id LIMIT $2",
            &[&self.code, &limit],
        )
    }

    fn followups(&self) -> Result<Vec<Ticket>, DeskError> {
        let all = self.tickets(
            "SELECT record FROM town.tickets WHERE hall_code = $1 AND follow_up_open ORDER BY ticket_id",
            &[&self.code],
        )?;
        // As the hall's index: awaiting follow-up, with a follow-up date.
        let mut due: Vec<Ticket> = all
            .into_iter()
            .filter(|t| t.rating.as_ref().is_some_and(|r| r.awaits_follow_up() && r.follow_up_due.is_some()))
            .collect();
        // By follow-up date, as the hall's own index orders them.
        due.sort_by_key(|t| (t.rating.as_ref().and_then(|r| r.follow_up_due), t.id));
        Ok(due)
    }

    fn cached_day_totals(&self, from: Date, to: Date) -> Result<Vec<(Date, Vec<u8>)>, DeskError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT day, totals FROM town.day_totals WHERE hall_code = $1 AND day BETWEEN $2 AND $3",
                &[&self.code, &from, &to],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Caches only while the hall is where it was when the report began (a sync between would
    /// make these totals stale), and never fails the report: a read-only account or a replica
    /// computes without caching.
    fn cache_day_totals(&self, days: &[(Date, Vec<u8>)]) -> Result<(), DeskError> {
        let mut client = self.client.borrow_mut();
        let events = i64::try_from(self.events).unwrap_or(i64::MAX);
        let cached = (|| -> Result<(), postgres::Error> {
            let mut tx = client.transaction()?;
            for (d, bytes) in days {
                tx.execute(
                    "INSERT INTO town.day_totals (hall_code, day, totals)
                     SELECT $1, $2, $3 WHERE (SELECT next_position FROM town.halls WHERE hall_code = $1) = $4
                     ON CONFLICT (hall_code, day) DO UPDATE SET totals = excluded.totals",
                    &[&self.code, d, bytes, &events],
                )?;
            }
            tx.commit()
        })();
        // Not cached is slower next time, never wrong.
        let _ = cached;
        Ok(())
    }

    fn chain_state(&self) -> Result<(String, u64), DeskError> {
        Ok((self.head.clone(), self.events))
    }
}

/// A hall as the town's reports show it beside its figures: who it is and how far to trust
/// them.
#[derive(Debug, Clone, Serialize)]
pub struct HallMeta {
    pub code: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync: Option<OffsetDateTime>,
    /// Not synced for more than a day (its figures may be behind).
    pub stale: bool,
    /// Problems the town found in the hall's records (`yimen town flags CODE`): its figures are
    /// to be checked before they are used.
    pub flags: u64,
}

/// What a town report was computed from, for its paper's closing lines: the halls, the events
/// the town held of them, and digests over each hall's chain head and each hall's report's
/// records digest (`Header::sources`), so a signed town report anchors every hall's history.
#[derive(Debug, Clone, Serialize)]
pub struct TownAnchor {
    pub halls: u64,
    pub events: u64,
    /// SHA-256 (hex, first 32 digits) over each hall's code, sealed chain head and length.
    pub heads: String,
    /// SHA-256 (hex, first 32 digits) over each hall's code and its report's records digest.
    pub sources: String,
}

/// One hall's line in the town's daily report: its own daily report, and how stale it is.
#[derive(Debug, Clone, Serialize)]
pub struct HallDaily {
    #[serde(flatten)]
    pub hall: HallMeta,
    /// The hall's open cases (受理, 中止 or 转办, not yet closed) when the report was made.
    pub open: u64,
    pub report: DailyReport,
}

/// The town's daily report: every hall's own, the sums, and the sums by category and item.
#[derive(Debug, Clone, Serialize)]
pub struct TownDaily {
    pub date: String,
    pub halls: Vec<HallDaily>,
    pub totals: Totals,
    /// The halls' year-to-date totals summed: `accepted` is the town's one-window cases.
    pub year_to_date: Totals,
    pub open: u64,
    pub overdue: u64,
    pub due_soon: u64,
    pub ratings: u64,
    pub follow_ups_open: u64,
    /// Category name → (taken, accepted, completed), over every hall.
    pub by_category: BTreeMap<String, [u32; 3]>,
    /// Item code and name → (taken, accepted, completed), over every hall.
    pub by_item: BTreeMap<String, [u32; 3]>,
    /// Village or community → numbers taken by its people, over every hall.
    pub by_village: BTreeMap<String, u32>,
    pub anchor: TownAnchor,
}

/// One hall's line in the town's period report: its own period report.
#[derive(Debug, Clone, Serialize)]
pub struct HallRange {
    #[serde(flatten)]
    pub hall: HallMeta,
    pub report: RangeReport,
}

/// The town's period report: every hall's own period report, the sums, the sums by category,
/// item and day, and the 诉求/纠纷 cases opened and closed over every hall.
#[derive(Debug, Clone, Serialize)]
pub struct TownRange {
    pub from: String,
    pub to: String,
    pub halls: Vec<HallRange>,
    pub totals: Totals,
    pub ratings: BTreeMap<String, u32>,
    /// Category name → (taken, accepted, completed), over every hall.
    pub by_category: BTreeMap<String, [u32; 3]>,
    /// Item code and name → (taken, accepted, completed), over every hall.
    pub by_item: BTreeMap<String, [u32; 3]>,
    /// Village or community → numbers taken by its people, over every hall.
    pub by_village: BTreeMap<String, u32>,
    /// Day by day over every hall.
    pub days: Vec<DayRow>,
    pub requests_opened: u32,
    pub requests_closed: u32,
    pub anchor: TownAnchor,
}

/// Adds a report's figures by category, item and village to the town's.
fn add_figures(
    f: &report::Figures,
    by_category: &mut BTreeMap<String, [u32; 3]>,
    by_item: &mut BTreeMap<String, [u32; 3]>,
    by_village: &mut BTreeMap<String, u32>,
) {
    for v in &f.by_village {
        *by_village.entry(v.village.clone()).or_default() += v.taken;
    }
    for c in &f.by_category {
        let e = by_category.entry(c.name.clone()).or_default();
        e[0] += c.taken;
        e[1] += c.accepted;
        e[2] += c.completed;
    }
    for i in &f.by_item {
        let e = by_item.entry(format!("{} {}", i.item, i.name)).or_default();
        e[0] += i.taken;
        e[1] += i.accepted;
        e[2] += i.completed;
    }
}

/// SHA-256 over lines, hex, first 32 digits (as a hall report's records digest).
fn digest(lines: &[String]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    yimen_domain::token::hex(&h.finalize())[..32].to_string()
}

impl Town {
    /// Runs `each` on every hall the town holds, in code order, as a report source over the
    /// town's tables with the hall's own offset, holidays and catalog; `now` is the caller's
    /// moment (for staleness and the lists' "as of").
    fn per_hall<T>(
        &mut self,
        now: OffsetDateTime,
        lang: Lang,
        mut each: impl FnMut(&TownHall<'_>) -> Result<(T, String), DeskError>,
    ) -> Result<(Vec<(HallMeta, T)>, TownAnchor), TownError> {
        let halls = self
            .client
            .query(
                "SELECT h.hall_code, h.name, h.utc_offset, h.head, h.next_position, h.last_sync, h.calendar,
                        (SELECT count(*) FROM town.flags f WHERE f.hall_code = h.hall_code AND f.resolved_at IS NULL),
                        h.catalog
                 FROM town.halls h ORDER BY h.hall_code",
                &[],
            )
            .map_err(|e| TownError::Database(said(&e)))?;
        let mut out = Vec::new();
        let (mut heads, mut sources, mut events) = (Vec::new(), Vec::new(), 0);
        for h in halls {
            let code: String = h.get(0);
            let name: String = h.get(1);
            let offset = yimen_domain::clock::parse_offset(&h.get::<_, String>(2))
                .unwrap_or(yimen_domain::clock::DEFAULT_OFFSET);
            let last_sync: Option<OffsetDateTime> = h.get(5);
            let flags = h.get::<_, i64>(7).max(0) as u64;
            let imported: BTreeMap<i32, String> = serde_json::from_value(h.get(6)).unwrap_or_default();
            // The hall's own catalog, as it last sent it; the built-in one before it has.
            let catalog = h
                .get::<_, Option<serde_json::Value>>(8)
                .and_then(|v| serde_json::from_value::<Catalog>(v).ok())
                .unwrap_or_else(Catalog::builtin);
            let settings = Settings { hall: name.clone(), utc_offset: offset, ..Settings::default() };
            let head: String = h.get(3);
            let held = h.get::<_, i64>(4).max(0) as u64;
            heads.push(format!("{code} {head} {held}"));
            events += held;
            let source = TownHall {
                client: RefCell::new(&mut self.client),
                code: code.clone(),
                clock: Clock::new(offset, Some(now)),
                calendar: yimen_app::calendar_with(&imported),
                catalog,
                settings,
                head,
                events: held,
            };
            let (r, digest) = each(&source).map_err(|e| TownError::Database(e.localized(lang)))?;
            sources.push(format!("{code} {digest}"));
            let stale = last_sync.is_none_or(|l| now - l > time::Duration::days(1));
            out.push((HallMeta { code, name, last_sync, stale, flags }, r));
        }
        let anchor = TownAnchor { halls: out.len() as u64, events, heads: digest(&heads), sources: digest(&sources) };
        Ok((out, anchor))
    }

    /// The town's daily report of `date`, `now` being the caller's moment (for staleness and
    /// for the lists' "as of").
    ///
    /// # Errors
    /// The database's, or a record that does not read.
    pub fn daily(&mut self, date: Date, now: OffsetDateTime, lang: Lang) -> Result<TownDaily, TownError> {
        let (halls, anchor) = self.per_hall(now, lang, |source| {
            let r = report::daily(source, date, lang)?;
            // Counted, not read again: the report has read the open cases once already.
            let open: i64 = source
                .client
                .borrow_mut()
                .query_one(
                    "SELECT count(*) FROM town.tickets WHERE hall_code = $1 AND status IN ('accepted', 'suspended', 'transferred')",
                    &[&source.code],
                )
                .map_err(db)?
                .get(0);
            let digest = r.header.sources.clone();
            Ok(((open.max(0) as u64, r), digest))
        })?;
        let mut out = TownDaily {
            date: date.to_string(),
            halls: Vec::new(),
            totals: Totals::default(),
            year_to_date: Totals::default(),
            open: 0,
            overdue: 0,
            due_soon: 0,
            ratings: 0,
            follow_ups_open: 0,
            by_category: BTreeMap::new(),
            by_item: BTreeMap::new(),
            by_village: BTreeMap::new(),
            anchor,
        };
        for (hall, (open, r)) in halls {
            out.totals.add(&r.figures.totals);
            out.year_to_date.add(&r.year_to_date);
            out.open += open;
            out.overdue += r.overdue.len() as u64;
            out.due_soon += r.due_soon.len() as u64;
            out.ratings += u64::from(r.figures.totals.rated);
            out.follow_ups_open += r.open_bad_ratings.len() as u64;
            add_figures(&r.figures, &mut out.by_category, &mut out.by_item, &mut out.by_village);
            out.halls.push(HallDaily { hall, open, report: r });
        }
        Ok(out)
    }

    /// The town's period report of `[from, to]` (at most three years, as a hall's), `now`
    /// being the caller's moment.
    ///
    /// # Errors
    /// A period a hall's report refuses; the database's, or a record that does not read.
    pub fn range(&mut self, from: Date, to: Date, now: OffsetDateTime, lang: Lang) -> Result<TownRange, TownError> {
        report::check_period(from, to).map_err(|e| TownError::Database(e.localized(lang)))?;
        let (halls, anchor) = self.per_hall(now, lang, |source| {
            let r = report::range(source, from, to, lang)?;
            let digest = r.header.sources.clone();
            Ok((r, digest))
        })?;
        let mut out = TownRange {
            from: from.to_string(),
            to: to.to_string(),
            halls: Vec::new(),
            totals: Totals::default(),
            ratings: BTreeMap::new(),
            by_category: BTreeMap::new(),
            by_item: BTreeMap::new(),
            by_village: BTreeMap::new(),
            days: Vec::new(),
            requests_opened: 0,
            requests_closed: 0,
            anchor,
        };
        let mut days: BTreeMap<String, DayRow> = BTreeMap::new();
        for (hall, r) in halls {
            out.totals.add(&r.figures.totals);
            for (k, n) in &r.figures.ratings {
                *out.ratings.entry(k.clone()).or_default() += n;
            }
            add_figures(&r.figures, &mut out.by_category, &mut out.by_item, &mut out.by_village);
            for d in &r.days {
                let e = days.entry(d.date.clone()).or_insert_with(|| DayRow {
                    date: d.date.clone(),
                    taken: 0,
                    served: 0,
                    accepted: 0,
                    completed: 0,
                });
                e.taken += d.taken;
                e.served += d.served;
                e.accepted += d.accepted;
                e.completed += d.completed;
            }
            out.requests_opened += r.requests_opened;
            out.requests_closed += r.requests_closed;
            out.halls.push(HallRange { hall, report: r });
        }
        out.days = days.into_values().collect();
        Ok(out)
    }
}

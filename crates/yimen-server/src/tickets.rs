//! The hall's records over the API: the change counter, the day's tickets, the queue, open
//! cases, search, one ticket, take, call, an action on a ticket, the reports and the export,
//! and what a window or the display board reads before anyone signs in.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, LONG_POLL, Shared};
use yimen_app::act::{Acted, BodyError};
use yimen_app::{Act, Desk, DeskError, TakeRequest};
use yimen_domain::ticket::Ticket;

#[derive(Deserialize)]
pub(super) struct Since {
    since: Option<u64>,
}

/// The change counter; with `since`, waits (up to 20 s) until it moves past it. It says only
/// that something changed, never what, so windows may wait on it before anyone signs in.
pub(super) async fn changes(State(h): Shared, Query(q): Query<Since>) -> Result<Json<Value>, ApiError> {
    let mut rx = h.changes.subscribe();
    if let Some(since) = q.since {
        let _ = tokio::time::timeout(LONG_POLL, rx.wait_for(|n| *n > since)).await;
    }
    let n = *rx.borrow();
    Ok(Json(json!({ "changes": n })))
}

pub(super) async fn queue(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let n = *h.changes.borrow();
    let (date, today) = h
        .run(c, false, |d| {
            let date = d.clock().today();
            d.list_day(date, None).map(|t| (date, t))
        })
        .await?;
    Ok(Json(json!({ "changes": n, "date": date, "today": today })))
}

#[derive(Deserialize)]
pub(super) struct Limit {
    limit: Option<usize>,
}

pub(super) async fn open_cases(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<Limit>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    let limit = q.limit.unwrap_or(yimen_app::OPEN_LIMIT).min(10_000);
    Ok(Json(h.run(c, false, move |d| d.open_cases(limit)).await?))
}

#[derive(Deserialize)]
pub(super) struct SearchQ {
    q: String,
    limit: Option<usize>,
}

pub(super) async fn search(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<SearchQ>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    let limit = q.limit.unwrap_or(100).min(1000);
    Ok(Json(h.run(c, false, move |d| d.search(&q.q, limit)).await?))
}

pub(super) async fn show(State(h): Shared, headers: HeaderMap, Path(r): Path<String>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (t, events) = h.run(c, false, move |d| d.show(&r)).await?;
    Ok(Json(json!({ "ticket": t, "events": events })))
}

/// One ticket with ID numbers and phones whole, for the case at the window: audited, one
/// ticket at a time (docs/api.md).
pub(super) async fn reveal(
    State(h): Shared,
    headers: HeaderMap,
    Path(r): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (t, events) = h.run(c, true, move |d| d.reveal(&r)).await?;
    Ok(Json(json!({ "ticket": t, "events": events })))
}

pub(super) async fn take(
    State(h): Shared,
    headers: HeaderMap,
    Json(req): Json<TakeRequest>,
) -> Result<Json<Acted>, ApiError> {
    let c = h.caller(&headers)?.binds("take", &req);
    let (ticket, hints) = h.run(c, true, move |d| d.take(&req)).await?;
    Ok(Json(Acted { ticket, hints }))
}

#[derive(Deserialize, serde::Serialize)]
pub(super) struct CallBody {
    window: String,
    #[serde(default)]
    categories: Vec<String>,
}

pub(super) async fn call(
    State(h): Shared,
    headers: HeaderMap,
    Json(b): Json<CallBody>,
) -> Result<Json<Ticket>, ApiError> {
    let c = h.caller(&headers)?.binds("call", &b);
    Ok(Json(h.run(c, true, move |d| d.call(&b.window, &b.categories)).await?))
}

pub(super) async fn act(
    State(h): Shared,
    headers: HeaderMap,
    Path((r, action)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Result<Json<Acted>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    let c = h.caller(&headers)?.binds(&format!("{r}/{action}"), &body);
    let lang = c.lang;
    let act = Act::from_json(&action, body).map_err(|e| match e {
        BodyError::NoSuchAction(a) => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{}{a}", lang.pick("没有这个操作：", "no such action: ")),
        ),
        BodyError::Body(why) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{}{why}", lang.pick("请求内容有误：", "bad request body: ")),
        ),
    })?;
    let (ticket, hints) = h.run(c, true, move |d| d.perform(&r, &act)).await?;
    Ok(Json(Acted { ticket, hints }))
}

#[derive(Deserialize)]
pub(super) struct DateQ {
    date: Option<String>,
}

pub(super) async fn daily(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<DateQ>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let r = h
        .run(c, false, move |d| {
            let date = date_or_today(d, q.date.as_deref())?;
            yimen_app::report::daily(d, date, lang)
        })
        .await?;
    to_json(r)
}

/// What a window needs before anyone signs in: the hall's settings and catalog, and the
/// active accounts' names and roles for the sign-in screen (the same list the interface shows
/// on the PC that holds the file).
pub(super) async fn setup(State(h): Shared) -> Result<Json<Value>, ApiError> {
    let hall = h.clone();
    let lang = h.lang;
    let v = tokio::task::spawn_blocking(move || {
        let desk = hall.fork();
        let accounts = desk.roster()?;
        Ok::<_, DeskError>(json!({
            "hall": desk.settings().hall,
            "settings": desk.settings().pairs(),
            "catalog": desk.catalog(),
            "accounts": accounts,
            "calendar": desk.imported_calendar()?,
            "version": env!("CARGO_PKG_VERSION"),
        }))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(|e| ApiError::desk(e, lang))?;
    Ok(Json(v))
}

/// The display board: numbers, windows and counts, never a name — so no token is needed, and
/// a screen in the hall can show it without anyone signed in.
pub(super) async fn board(State(h): Shared) -> Result<Json<yimen_domain::board::Board>, ApiError> {
    let hall = h.clone();
    let lang = h.lang;
    let b = tokio::task::spawn_blocking(move || hall.fork().board())
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| ApiError::desk(e, lang))?;
    Ok(Json(b))
}

pub(super) fn bad_date(s: &str) -> DeskError {
    DeskError::Setting("date".into(), yimen_app::SettingWhy::NotADate(s.chars().take(20).collect()))
}

pub(super) fn date_or_today(d: &Desk, s: Option<&str>) -> Result<time::Date, DeskError> {
    match s {
        Some(s) => yimen_domain::calendar::parse_date(s).ok_or_else(|| bad_date(s)),
        None => Ok(d.clock().today()),
    }
}

#[derive(Deserialize)]
pub(super) struct DayQ {
    date: Option<String>,
    status: Option<yimen_domain::ticket::Status>,
}

pub(super) async fn day(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<DayQ>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, false, move |d| d.list_day(date_or_today(d, q.date.as_deref())?, q.status)).await?))
}

pub(super) async fn waiting(State(h): Shared, headers: HeaderMap) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, false, |d| d.queue()).await?))
}

#[derive(Deserialize)]
pub(super) struct PeriodQ {
    from: String,
    to: String,
    #[serde(default)]
    full_ids: bool,
}

impl PeriodQ {
    fn dates(&self) -> Result<(time::Date, time::Date), DeskError> {
        let p = |s: &str| yimen_domain::calendar::parse_date(s).ok_or_else(|| bad_date(s));
        Ok((p(&self.from)?, p(&self.to)?))
    }
}

pub(super) fn to_json(v: impl serde::Serialize) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

pub(super) async fn range(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<PeriodQ>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let r = h
        .run(c, false, move |d| {
            let (from, to) = q.dates()?;
            yimen_app::report::range(d, from, to, lang)
        })
        .await?;
    to_json(r)
}

pub(super) async fn export(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<PeriodQ>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    // Full ID numbers are written to the audit chain: that is a write.
    let writes = q.full_ids;
    let rows = h
        .run(c, writes, move |d| {
            let (from, to) = q.dates()?;
            yimen_app::report::export::rows(d, from, to, q.full_ids)
        })
        .await?;
    to_json(rows)
}

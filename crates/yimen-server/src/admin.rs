//! Administration over the API: accounts, settings, the catalog, backups, compaction and the
//! audit chain (each checks the caller's role in the application layer).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::tickets::to_json;
use super::{ApiError, Shared};

/// Ends the sessions of `name` at once (its PIN changed or it was disabled).
async fn end_sessions(h: &std::sync::Arc<super::Hall>, name: &str) -> Result<(), ApiError> {
    let (hall, name) = (h.clone(), name.to_string());
    let lang = h.lang;
    tokio::task::spawn_blocking(move || {
        let desk = hall.fork();
        let mut sessions = hall.sessions.lock().unwrap_or_else(|p| p.into_inner());
        super::sessions::end_sessions_of(&desk, &mut sessions, &name)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(|e| ApiError::desk(e, lang))
}

pub(super) async fn users(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let mut users = h
        .run(c, false, |d| {
            d.require_supervisor()?;
            d.users()
        })
        .await?;
    // PIN hashes never leave the server.
    for u in &mut users {
        u.hash.clear();
    }
    to_json(users)
}

#[derive(Deserialize)]
pub(super) struct UserBody {
    name: String,
    role: Option<yimen_domain::account::Role>,
    pin: Option<String>,
}

pub(super) async fn user_change(
    State(h): Shared,
    headers: HeaderMap,
    Path(what): Path<String>,
    Json(b): Json<UserBody>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let missing = |f: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{}{f}", lang.pick("缺少字段：", "missing field: ")),
        )
    };
    match what.as_str() {
        "add" => {
            let role = b.role.ok_or_else(|| missing("role"))?;
            let pin = b.pin.ok_or_else(|| missing("pin"))?;
            h.run(c, true, move |d| d.add_user(&b.name, role, &pin)).await?
        }
        "pin" => {
            let pin = b.pin.ok_or_else(|| missing("pin"))?;
            let name = b.name.trim().to_string();
            h.run(c, true, move |d| d.set_secret(&b.name, &pin)).await?;
            end_sessions(&h, &name).await?
        }
        "disable" => {
            let name = b.name.trim().to_string();
            h.run(c, true, move |d| d.disable_user(&b.name)).await?;
            end_sessions(&h, &name).await?
        }
        "unlock" => h.run(c, true, move |d| d.unlock_user(&b.name)).await?,
        other => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "{}{}",
                    lang.pick("没有这个操作：", "no such action: "),
                    other.chars().take(40).collect::<String>()
                ),
            ));
        }
    }
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
pub(super) struct ConfigBody {
    key: String,
    value: String,
}

pub(super) async fn config(
    State(h): Shared,
    headers: HeaderMap,
    Json(b): Json<ConfigBody>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let pairs = h.run(c, true, move |d| d.set_setting(&b.key, &b.value).map(|s| s.pairs())).await?;
    to_json(pairs)
}

#[derive(Deserialize)]
pub(super) struct CatalogBody {
    toml: String,
}

pub(super) async fn catalog(
    State(h): Shared,
    headers: HeaderMap,
    Json(b): Json<CatalogBody>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (categories, items) =
        h.run(c, true, move |d| d.import_catalog(&b.toml).map(|c| (c.categories.len(), c.items.len()))).await?;
    Ok(Json(json!({ "categories": categories, "items": items })))
}

pub(super) async fn calendar(
    State(h): Shared,
    headers: HeaderMap,
    Json(b): Json<CatalogBody>,
) -> Result<Json<Vec<i32>>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, true, move |d| d.import_calendar(&b.toml)).await?))
}

pub(super) async fn backup(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (path, tickets) = h.run(c, false, |d| d.backup(None)).await?;
    Ok(Json(json!({ "path": path, "tickets": tickets })))
}

/// Compacts the file; every other window waits until it is done.
pub(super) async fn compact(State(h): Shared, headers: HeaderMap) -> Result<Json<(u64, u64)>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, true, |d| d.compact()).await?))
}

/// `yimen check` over the API: the audit chain and the records it anchors.
pub(super) async fn check(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    // On a fork: the copy is taken under a write transaction of its own, so the windows wait
    // only for the copy, not for the check.
    let v = h.run(c, false, |d| d.check()).await?;
    to_json(v)
}

pub(super) async fn audit(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let v = h.run(c, false, |d| d.verify_chain()).await?;
    to_json(v)
}

//! The per-ticket export as files: CSV (RFC 4180; for Excel with a BOM and formula-looking
//! cells escaped) and JSON Lines. The rows themselves come from `yimen_app::report::export`.

use yimen_app::report::export::{COLUMNS, Row};

use crate::render::{csv_cell, with_bom};

pub fn csv(rows: &[Row], excel: bool) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(|e| e.to_string())?;
    for r in rows {
        let v = serde_json::to_value(r).map_err(|e| e.to_string())?;
        let cells = COLUMNS.iter().map(|c| match &v[*c] {
            serde_json::Value::String(s) => csv_cell(s),
            other => other.to_string(),
        });
        w.write_record(cells).map_err(|e| e.to_string())?;
    }
    let body = w.into_inner().map_err(|e| e.to_string())?;
    Ok(with_bom(body, excel))
}

pub fn jsonl(rows: &[Row]) -> Result<String, String> {
    let mut out = String::new();
    for r in rows {
        out.push_str(&serde_json::to_string(r).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    Ok(out)
}

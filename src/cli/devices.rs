//! `yimen device …`: the hall's kiosks and rating pads, paired on the hall's own file.

use super::args::DeviceCmd;
use super::view::{self, clean};
use super::{Ctx, Failure};
use yimen_api::Local;
use yimen_domain::device::{Device, show_code};
use yimen_domain::lang::Lang;

pub(super) fn device(c: &mut Ctx<'_>, desk: &Local, cmd: DeviceCmd) -> Result<(), Failure> {
    let lang = c.lang;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let acting = desk.acting();
    let now = desk.desk.clock().now();
    match cmd {
        DeviceCmd::Pair { kind, window, name } => {
            let (d, code) = acting.pair_device(kind, window.as_deref(), name.as_deref()).map_err(|e| c.fail(e))?;
            let code = show_code(&code);
            if c.json {
                writeln!(c.out, "{}", serde_json::json!({ "device": shown(&d, now, lang), "code": code }))?;
                return Ok(());
            }
            let page = match d.kind {
                yimen_domain::device::DeviceKind::Kiosk => "/kiosk",
                yimen_domain::device::DeviceKind::Pad => "/pad",
            };
            // The running server's address when there is one (the note it leaves beside the
            // file); else where to put it.
            let server = std::fs::read_to_string(yimen_app::server_note(desk.desk.path()))
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| s.starts_with("http://") && !s.contains("0.0.0.0"));
            let base = server.unwrap_or_else(|| t("http://服务器地址:7878", "http://SERVER:7878"));
            writeln!(c.out, "{}{}（#{}）", t("待配对：", "to pair: "), clean(&d.name), d.id)?;
            writeln!(c.out, "{}{code}", t("配对码：", "pairing code: "))?;
            writeln!(
                c.out,
                "{}",
                lang.pick(
                    &format!(
                        "在该设备的浏览器中打开 {base}{page}，输入配对码（{} 分钟内有效，只能用一次）",
                        yimen_domain::device::PAIRING_MINUTES
                    ),
                    &format!(
                        "open {base}{page} in the device's browser and type the code (valid {} minutes, once)",
                        yimen_domain::device::PAIRING_MINUTES
                    ),
                )
            )?;
        }
        DeviceCmd::List => {
            let devices = acting.devices().map_err(|e| c.fail(e))?;
            if c.json {
                let v: Vec<_> = devices.iter().map(|d| shown(d, now, lang)).collect();
                writeln!(c.out, "{}", serde_json::Value::Array(v))?;
                return Ok(());
            }
            if devices.is_empty() {
                writeln!(
                    c.out,
                    "{}",
                    t("还没有设备；用 yimen device pair 配对", "no devices yet; pair one with yimen device pair")
                )?;
                return Ok(());
            }
            let mut rows = vec![vec![
                t("编号", "no."),
                t("类型", "kind"),
                t("名称", "name"),
                t("窗口", "window"),
                t("状态", "state"),
            ]];
            rows.extend(devices.iter().map(|d| {
                vec![
                    d.id.to_string(),
                    d.kind.label(lang).to_string(),
                    clean(&d.name),
                    d.window.as_deref().map(clean).unwrap_or_default(),
                    d.state(now, lang).to_string(),
                ]
            }));
            write!(c.out, "{}", view::table(&rows))?;
        }
        DeviceCmd::Revoke { id } => {
            let d = acting.revoke_device(id).map_err(|e| c.fail(e))?;
            writeln!(c.out, "{}{}（#{}）", t("已停用：", "revoked: "), clean(&d.name), d.id)?;
        }
    }
    Ok(())
}

/// A device as `--json` shows it: never the hashes.
fn shown(d: &Device, now: time::OffsetDateTime, lang: Lang) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "kind": d.kind.code(),
        "name": d.name,
        "window": d.window,
        "state": d.state(now, lang),
        "paired": d.token_hash.is_some(),
        "revoked": d.revoked_at.is_some(),
    })
}

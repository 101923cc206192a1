//! `yimen catalog list|show|import`: the service catalog.

use super::args::CatalogCmd;
use super::view::{self, clean};
use super::{Ctx, Failure};
use yimen_api::Client;
use yimen_app::DeskError;
use yimen_domain::Lang;
use yimen_domain::lang::Localized;

pub(super) fn catalog(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: CatalogCmd) -> Result<(), Failure> {
    let lang = c.lang;
    match cmd {
        CatalogCmd::List => {
            let cat = desk.catalog();
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(cat)?)?;
                return Ok(());
            }
            let head: [&str; 6] = match lang {
                Lang::Zh => ["代码", "类别", "事项", "类型", "承诺时限", "年龄"],
                Lang::En => ["code", "category", "item", "kind", "days", "min age"],
            };
            let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for i in &cat.items {
                let cg =
                    cat.category_of(i).map(|g| format!("{} {}", g.letter, g.display_name(lang))).unwrap_or_default();
                rows.push(vec![
                    i.code.clone(),
                    clean(&cg),
                    clean(i.display_name(lang)),
                    i.kind.label(lang).to_string(),
                    if i.days == 0 {
                        "-".into()
                    } else {
                        format!("{} {}", i.days, lang.pick("个工作日", "working days"))
                    },
                    i.min_age.map(|a| format!("{a}+")).unwrap_or_default(),
                ]);
            }
            write!(c.out, "{}", view::table(&rows))?;
        }
        CatalogCmd::Show { code } => {
            let item = desk.catalog().item(&code).ok_or_else(|| c.fail(DeskError::UnknownItem(code.clone())))?;
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(item)?)?;
                return Ok(());
            }
            writeln!(c.out, "{} {}（{}）", item.code, clean(&item.name), clean(&item.name_en))?;
            writeln!(c.out, "{}{}", lang.pick("类型：", "kind: "), item.kind.label(lang))?;
            if item.days > 0 {
                writeln!(c.out, "{}{}", lang.pick("承诺时限（工作日）：", "promised working days: "), item.days)?;
            }
            if let Some(a) = item.min_age {
                writeln!(c.out, "{}{a}", lang.pick("申请人年龄不低于：", "minimum age: "))?;
            }
            writeln!(c.out, "{}", lang.pick("材料：", "materials:"))?;
            for m in &item.materials {
                let flag = match (m.key, m.may_defer) {
                    (true, _) => lang.pick("必备", "key"),
                    (false, true) => lang.pick("可容缺", "may be brought later"),
                    (false, false) => lang.pick("可选", "optional"),
                };
                writeln!(c.out, "  - {}（{flag}）", clean(&m.name))?;
            }
        }
        CatalogCmd::Import { file } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                Failure::Message(format!("{}{}: {e}", lang.pick("无法读取 ", "cannot read "), file.display()))
            })?;
            let src = String::from_utf8(bytes).map_err(|e| {
                // Say where: the line of the first byte that is not UTF-8.
                let good = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1;
                Failure::Message(format!(
                    "{}{}{line}{}",
                    file.display(),
                    lang.pick("：第 ", ": line "),
                    lang.pick(
                        " 行不是 UTF-8 文本（请用 UTF-8 保存事项清单）",
                        " is not UTF-8 text (save the catalog as UTF-8)"
                    )
                ))
            })?;
            desk.import_catalog(&src).map_err(|e| Failure::Message(e.localized(lang)))?;
            let cat = desk.catalog();
            writeln!(
                c.out,
                "{}{} {}，{} {}",
                lang.pick("已导入事项清单：", "catalog imported: "),
                cat.categories.len(),
                lang.pick("个类别", "categories"),
                cat.items.len(),
                lang.pick("个事项", "items")
            )?;
        }
    }
    Ok(())
}

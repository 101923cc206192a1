//! The service catalog (事项清单): categories with their queue letters, and the items a citizen
//! can apply for, with promised working days and the materials each needs.
//!
//! The catalog is data: data/catalog.toml is built in as the default, and a hall replaces it
//! with its county's list. A bad file is refused with the line and column of the problem.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::lang::Lang;
use super::text::{self, Field};

/// The catalog shipped with the program.
pub const BUILTIN_CATALOG: &str = include_str!("../../data/catalog.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Working days a citizen has to bring a deferred (容缺) material.
    pub make_good_days: u32,
    pub categories: Vec<Category>,
    pub items: Vec<ServiceItem>,
    /// The villages and communities the hall serves, offered by the intake form's picker.
    #[serde(default)]
    pub villages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// The queue-number letter, A–Z.
    pub letter: char,
}

/// 即办件 (done on the spot) or 承诺件 (promised within N working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    #[serde(rename = "即办", alias = "on_the_spot")]
    OnTheSpot,
    #[serde(rename = "承诺", alias = "promised")]
    Promised,
}

impl Kind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Kind::OnTheSpot => lang.pick("即办件", "on the spot"),
            Kind::Promised => lang.pick("承诺件", "promised"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Kind::OnTheSpot => "on_the_spot",
            Kind::Promised => "promised",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// The code of its category.
    pub category: String,
    pub kind: Kind,
    /// Promised working days; 0 for an on-the-spot item.
    pub days: u32,
    #[serde(default)]
    pub legal_days: Option<u32>,
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default = "yes")]
    pub requires_id: bool,
    #[serde(default)]
    pub materials: Vec<Material>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    /// A key material must be present to accept the case.
    pub key: bool,
    /// A non-key material the citizen may bring later (容缺受理).
    pub may_defer: bool,
}

fn yes() -> bool {
    true
}

impl ServiceItem {
    pub fn display_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name,
            Lang::En => &self.name_en,
        }
    }

    pub fn material(&self, name: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.name == name.trim())
    }
}

impl Category {
    pub fn display_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name,
            Lang::En => &self.name_en,
        }
    }
}

impl Catalog {
    pub fn builtin() -> Catalog {
        // Checked by a unit test; an empty catalog would make every `take` fail loudly, not
        // silently.
        Catalog::from_toml(BUILTIN_CATALOG).unwrap_or(Catalog {
            make_good_days: 5,
            categories: vec![],
            items: vec![],
            villages: vec![],
        })
    }

    /// Finds an item by its code (case-insensitive) or its exact Chinese or English name.
    pub fn item(&self, key: &str) -> Option<&ServiceItem> {
        let key = key.trim();
        self.items
            .iter()
            .find(|i| i.code.eq_ignore_ascii_case(key))
            .or_else(|| self.items.iter().find(|i| i.name == key || i.name_en.eq_ignore_ascii_case(key)))
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// A category by code, letter or Chinese/English name.
    pub fn find_category(&self, key: &str) -> Option<&Category> {
        let key = key.trim();
        self.categories.iter().find(|c| {
            c.code.eq_ignore_ascii_case(key)
                || c.name == key
                || c.name_en.eq_ignore_ascii_case(key)
                || (key.chars().count() == 1 && c.letter.eq_ignore_ascii_case(&key.chars().next().unwrap_or(' ')))
        })
    }

    pub fn category_of(&self, item: &ServiceItem) -> Option<&Category> {
        self.category(&item.category)
    }

    /// Parses and checks a catalog file. Errors are one line: `line 12, column 3: …`.
    pub fn from_toml(src: &str) -> Result<Catalog, String> {
        let raw: RawCatalog = toml::from_str(src).map_err(|e| one_line_toml_error(src, &e))?;
        let at = |span: std::ops::Range<usize>, msg: String| {
            let (line, col) = line_col(src, span.start);
            format!("line {line}, column {col}: {msg}")
        };
        let mut categories: Vec<Category> = Vec::new();
        for c in raw.category {
            let span = c.code.span();
            let code = c.code.into_inner();
            if code.trim().is_empty() || code.chars().any(|ch| ch.is_whitespace() || text::is_forbidden(ch, false)) {
                return Err(at(span, format!("category code '{code}' must be a non-empty word")));
            }
            let letter_span = c.letter.span();
            let letter = c.letter.into_inner();
            let mut chars = letter.chars();
            let l = match (chars.next(), chars.next()) {
                (Some(l), None) if l.is_ascii_uppercase() => l,
                _ => {
                    return Err(at(letter_span, format!("letter '{letter}' must be one capital letter A–Z")));
                }
            };
            if categories.iter().any(|o| o.code == code) {
                return Err(at(span, format!("category code '{code}' appears twice")));
            }
            if let Some(o) = categories.iter().find(|o| o.letter == l) {
                return Err(at(letter_span, format!("letter {l} is already used by category '{}'", o.code)));
            }
            let name =
                text::short_text(Field::CatalogName, &c.name, 20).map_err(|e| at(span.clone(), e.to_string()))?;
            let name_en = text::short_text(Field::CatalogName, c.name_en.as_deref().unwrap_or(&name), 40)
                .map_err(|e| at(span.clone(), e.to_string()))?;
            categories.push(Category { code, name, name_en, letter: l });
        }
        if categories.is_empty() {
            return Err("the catalog has no [[category]]".into());
        }
        let mut items: Vec<ServiceItem> = Vec::new();
        for i in raw.item {
            let span = i.code.span();
            let code = i.code.into_inner();
            if code.trim().is_empty() || code.chars().any(|ch| ch.is_whitespace() || text::is_forbidden(ch, false)) {
                return Err(at(span, format!("item code '{code}' must be a non-empty word")));
            }
            if items.iter().any(|o| o.code.eq_ignore_ascii_case(&code)) {
                return Err(at(span, format!("item code '{code}' appears twice")));
            }
            let cat_span = i.category.span();
            let category = i.category.into_inner();
            if !categories.iter().any(|c| c.code == category) {
                return Err(at(cat_span, format!("item {code}: there is no category '{category}'")));
            }
            let name = text::short_text(Field::CatalogName, &i.name, 60)
                .map_err(|e| at(span.clone(), format!("item {code}: {e}")))?;
            let name_en = text::short_text(Field::CatalogName, i.name_en.as_deref().unwrap_or(&name), 100)
                .map_err(|e| at(span.clone(), format!("item {code}: {e}")))?;
            let days_span = i.days.span();
            let days = i.days.into_inner();
            match (i.kind, days) {
                (Kind::OnTheSpot, d) if d != 0 => {
                    return Err(at(days_span, format!("item {code} is 即办 (on the spot) but has days = {d}; use 0")));
                }
                (Kind::Promised, 0) => {
                    return Err(at(days_span, format!("item {code} is 承诺 (promised) but has days = 0")));
                }
                _ => {}
            }
            if days > 365 {
                return Err(at(days_span, format!("item {code}: {days} working days is more than a year")));
            }
            if let Some(legal) = i.legal_days
                && days > legal
            {
                return Err(at(
                    days_span,
                    format!("item {code}: promised {days} days exceeds the legal limit {legal}"),
                ));
            }
            if let Some(age) = i.min_age
                && age > 150
            {
                return Err(at(span, format!("item {code}: min_age {age} is not a real age")));
            }
            let mut materials: Vec<Material> = Vec::new();
            for m in i.materials {
                let mspan = m.name.span();
                let mname = text::short_text(Field::Material, m.name.get_ref(), 40)
                    .map_err(|e| at(mspan.clone(), format!("item {code}: {e}")))?;
                if m.key && m.may_defer {
                    return Err(at(
                        mspan,
                        format!(
                            "item {code}: material {mname} is key and may_defer at once; a deferrable material needs key = false"
                        ),
                    ));
                }
                if materials.iter().any(|o| o.name == mname) {
                    return Err(at(mspan, format!("item {code}: material {mname} appears twice")));
                }
                materials.push(Material { name: mname, key: m.key, may_defer: m.may_defer });
            }
            items.push(ServiceItem {
                code,
                name,
                name_en,
                category,
                kind: i.kind,
                days,
                legal_days: i.legal_days,
                min_age: i.min_age,
                requires_id: i.requires_id,
                materials,
            });
        }
        if items.is_empty() {
            return Err("the catalog has no [[item]]".into());
        }
        if raw.make_good_days == 0 || raw.make_good_days > 90 {
            return Err(format!("make_good_days must be between 1 and 90, not {}", raw.make_good_days));
        }
        let mut villages: Vec<String> = Vec::new();
        for v in raw.villages {
            let span = v.span();
            let name = text::short_text(Field::Village, v.get_ref(), 40).map_err(|e| at(span, e.to_string()))?;
            if !villages.contains(&name) {
                villages.push(name);
            }
        }
        Ok(Catalog { make_good_days: raw.make_good_days, categories, items, villages })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default = "default_make_good")]
    make_good_days: u32,
    #[serde(default)]
    category: Vec<RawCategory>,
    #[serde(default)]
    item: Vec<RawItem>,
    #[serde(default)]
    villages: Vec<Spanned<String>>,
}

fn default_make_good() -> u32 {
    5
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    code: Spanned<String>,
    name: String,
    name_en: Option<String>,
    letter: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: Spanned<String>,
    name: String,
    name_en: Option<String>,
    category: Spanned<String>,
    kind: Kind,
    days: Spanned<u32>,
    legal_days: Option<u32>,
    min_age: Option<u32>,
    #[serde(default = "yes")]
    requires_id: bool,
    #[serde(default)]
    materials: Vec<RawMaterial>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    name: Spanned<String>,
    #[serde(default = "yes")]
    key: bool,
    #[serde(default)]
    may_defer: bool,
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// A TOML error as one line: `line 3, column 7: invalid type …`.
pub fn one_line_toml_error(src: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(src, span.start);
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_domain_items() {
        let c = Catalog::from_toml(BUILTIN_CATALOG).expect("built-in catalog parses");
        assert_eq!(c.categories.len(), 5);
        assert!(c.items.len() >= 19);
        let letters: String = c.categories.iter().map(|c| c.letter).collect();
        assert_eq!(letters, "ABCDE");
        let dibao = c.item("MZ01").unwrap();
        assert_eq!((dibao.days, dibao.kind, dibao.materials.len()), (25, Kind::Promised, 5));
        assert_eq!(c.item("高龄津贴申请").unwrap().min_age, Some(80));
        let card = c.item("sb04").unwrap();
        assert!(card.material("照片").is_some_and(|m| m.may_defer && !m.key));
        assert!(c.item("SQ01").is_some_and(|i| !i.requires_id));
        assert_eq!(c.find_category("b").map(|c| c.name.as_str()), Some("社保"));
    }

    #[test]
    fn bad_files_name_the_line() {
        let src = BUILTIN_CATALOG.replacen("days = 25", "days = \"many\"", 1);
        let err = Catalog::from_toml(&src).unwrap_err();
        let line = BUILTIN_CATALOG.lines().position(|l| l == "days = 25").unwrap() + 1;
        assert!(err.starts_with(&format!("line {line}, column")), "{err}");
        assert!(!err.contains('\n'));

        let src = BUILTIN_CATALOG.replacen("category = \"shebao\"", "category = \"nowhere\"", 1);
        let err = Catalog::from_toml(&src).unwrap_err();
        let line = BUILTIN_CATALOG.lines().position(|l| l == "category = \"shebao\"").unwrap() + 1;
        assert!(err.starts_with(&format!("line {line},")) && err.contains("nowhere"), "{err}");

        let src = BUILTIN_CATALOG.replacen("letter = \"B\"", "letter = \"A\"", 1);
        assert!(Catalog::from_toml(&src).unwrap_err().contains("already used"));
        let src = BUILTIN_CATALOG.replacen("kind = \"即办\"\ndays = 0", "kind = \"承诺\"\ndays = 0", 1);
        assert!(Catalog::from_toml(&src).unwrap_err().contains("days = 0"));
        assert!(Catalog::from_toml("[[category]\n").unwrap_err().starts_with("line 1"));
    }
}

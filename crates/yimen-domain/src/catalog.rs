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
pub const BUILTIN_CATALOG: &str = include_str!("../../../data/catalog.toml");

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
    /// The English name, from the catalog's `[material_en]` glossary (empty: none given, the
    /// Chinese name is shown).
    #[serde(default)]
    pub name_en: String,
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

impl Material {
    /// The name in `lang` (the Chinese one when the catalog gives no English name).
    pub fn display_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.name_en.is_empty() => &self.name_en,
            _ => &self.name,
        }
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

    /// A ticket's item in `lang`: `taken_name` (the name the ticket was taken with), or in
    /// English the catalog's English name of item `code` while the catalog still has one.
    pub fn item_label(&self, code: &str, taken_name: &str, lang: Lang) -> String {
        match (lang, self.item(code)) {
            (Lang::En, Some(i)) if !i.name_en.is_empty() => i.name_en.clone(),
            _ => taken_name.to_string(),
        }
    }

    /// A material `name` of item `code` in `lang`; `name` itself when the catalog no longer
    /// lists it.
    pub fn material_label(&self, code: &str, name: &str, lang: Lang) -> String {
        self.item(code)
            .and_then(|i| i.material(name))
            .map_or_else(|| name.to_string(), |m| m.display_name(lang).to_string())
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

    /// Parses and checks a catalog file.
    ///
    /// # Errors
    /// A [`CatalogError`]: where (line and column, counted from 1) and what is wrong, said in
    /// either language.
    pub fn from_toml(src: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(src).map_err(|e| {
            let (line, col) = e.span().map(|sp| line_col(src, sp.start)).unwrap_or((0, 0));
            CatalogError { line, col, problem: Problem::Toml(e.message().replace('\n', " ")) }
        })?;
        let at = |span: std::ops::Range<usize>, problem: Problem| {
            let (line, col) = line_col(src, span.start);
            CatalogError { line, col, problem }
        };
        let nowhere = |problem: Problem| CatalogError { line: 0, col: 0, problem };
        let mut categories: Vec<Category> = Vec::new();
        for c in raw.category {
            let span = c.code.span();
            let code = c.code.into_inner();
            if code.trim().is_empty() || code.chars().any(|ch| ch.is_whitespace() || text::is_forbidden(ch, false)) {
                return Err(at(span, Problem::CategoryCode(code)));
            }
            let letter_span = c.letter.span();
            let letter = c.letter.into_inner();
            let mut chars = letter.chars();
            let l = match (chars.next(), chars.next()) {
                (Some(l), None) if l.is_ascii_uppercase() => l,
                _ => {
                    return Err(at(letter_span, Problem::Letter(letter)));
                }
            };
            if categories.iter().any(|o| o.code == code) {
                return Err(at(span, Problem::CategoryTwice(code)));
            }
            if let Some(o) = categories.iter().find(|o| o.letter == l) {
                return Err(at(letter_span, Problem::LetterTaken(l, o.code.clone())));
            }
            let name = text::short_text(Field::CatalogName, &c.name, 20)
                .map_err(|e| at(span.clone(), Problem::Text(None, e)))?;
            let name_en = text::short_text(Field::CatalogName, c.name_en.as_deref().unwrap_or(&name), 40)
                .map_err(|e| at(span.clone(), Problem::Text(None, e)))?;
            categories.push(Category { code, name, name_en, letter: l });
        }
        if categories.is_empty() {
            return Err(nowhere(Problem::NoCategories));
        }
        let mut items: Vec<ServiceItem> = Vec::new();
        for i in raw.item {
            let span = i.code.span();
            let code = i.code.into_inner();
            if code.trim().is_empty() || code.chars().any(|ch| ch.is_whitespace() || text::is_forbidden(ch, false)) {
                return Err(at(span, Problem::ItemCode(code)));
            }
            if items.iter().any(|o| o.code.eq_ignore_ascii_case(&code)) {
                return Err(at(span, Problem::ItemTwice(code)));
            }
            let cat_span = i.category.span();
            let category = i.category.into_inner();
            if !categories.iter().any(|c| c.code == category) {
                return Err(at(cat_span, Problem::NoSuchCategory(code, category)));
            }
            let name = text::short_text(Field::CatalogName, &i.name, 60)
                .map_err(|e| at(span.clone(), Problem::Text(Some(code.clone()), e)))?;
            let name_en = text::short_text(Field::CatalogName, i.name_en.as_deref().unwrap_or(&name), 100)
                .map_err(|e| at(span.clone(), Problem::Text(Some(code.clone()), e)))?;
            let days_span = i.days.span();
            let days = i.days.into_inner();
            match (i.kind, days) {
                (Kind::OnTheSpot, d) if d != 0 => {
                    return Err(at(days_span, Problem::OnTheSpotWithDays(code, d)));
                }
                (Kind::Promised, 0) => {
                    return Err(at(days_span, Problem::PromisedWithoutDays(code)));
                }
                _ => {}
            }
            if days > 365 {
                return Err(at(days_span, Problem::DaysOverAYear(code, days)));
            }
            if let Some(legal) = i.legal_days
                && days > legal
            {
                return Err(at(days_span, Problem::OverLegalLimit(code, days, legal)));
            }
            if let Some(age) = i.min_age
                && age > 150
            {
                return Err(at(span, Problem::NotAnAge(code, age)));
            }
            let mut materials: Vec<Material> = Vec::new();
            for m in i.materials {
                let mspan = m.name.span();
                let mname = text::short_text(Field::Material, m.name.get_ref(), 40)
                    .map_err(|e| at(mspan.clone(), Problem::Text(Some(code.clone()), e)))?;
                if m.key && m.may_defer {
                    return Err(at(mspan, Problem::KeyAndDeferrable(code, mname)));
                }
                if materials.iter().any(|o| o.name == mname) {
                    return Err(at(mspan, Problem::MaterialTwice(code, mname)));
                }
                let name_en = raw.material_en.get(&mname).cloned().unwrap_or_default();
                materials.push(Material { name: mname, name_en, key: m.key, may_defer: m.may_defer });
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
            return Err(nowhere(Problem::NoItems));
        }
        if raw.make_good_days == 0 || raw.make_good_days > 90 {
            return Err(nowhere(Problem::MakeGoodDays(raw.make_good_days)));
        }
        let mut villages: Vec<String> = Vec::new();
        for v in raw.villages {
            let span = v.span();
            let name =
                text::short_text(Field::Village, v.get_ref(), 40).map_err(|e| at(span, Problem::Text(None, e)))?;
            if !villages.contains(&name) {
                villages.push(name);
            }
        }
        Ok(Catalog { make_good_days: raw.make_good_days, categories, items, villages })
    }
}

/// What is wrong with a catalog file, and where (line and column from 1; 0 when the whole
/// file is meant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub line: usize,
    pub col: usize,
    pub problem: Problem,
}

/// One way a catalog file can be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The TOML reader's own message (English: it comes from the toml crate).
    Toml(String),
    CategoryCode(String),
    Letter(String),
    CategoryTwice(String),
    LetterTaken(char, String),
    /// A text field refused by the text policy, in an item (its code) or elsewhere.
    Text(Option<String>, text::TextError),
    NoCategories,
    ItemCode(String),
    ItemTwice(String),
    NoSuchCategory(String, String),
    OnTheSpotWithDays(String, u32),
    PromisedWithoutDays(String),
    DaysOverAYear(String, u32),
    OverLegalLimit(String, u32, u32),
    NotAnAge(String, u32),
    KeyAndDeferrable(String, String),
    MaterialTwice(String, String),
    NoItems,
    MakeGoodDays(u32),
}

impl CatalogError {
    /// One line in `lang`: `line 12, column 3: …` / `第 12 行第 3 列：…`.
    pub fn text(&self, lang: Lang) -> String {
        use super::lang::Localized;
        use Problem::*;
        let zh = lang == Lang::Zh;
        let what = match &self.problem {
            Toml(m) if zh => format!("格式有误（{m}）"),
            Toml(m) => m.clone(),
            CategoryCode(c) if zh => format!("类别代码「{c}」须是一个不含空格的词"),
            CategoryCode(c) => format!("category code '{c}' must be a non-empty word"),
            Letter(l) if zh => format!("字母「{l}」须是一个大写字母 A–Z"),
            Letter(l) => format!("letter '{l}' must be one capital letter A–Z"),
            CategoryTwice(c) if zh => format!("类别代码「{c}」出现了两次"),
            CategoryTwice(c) => format!("category code '{c}' appears twice"),
            LetterTaken(l, c) if zh => format!("字母 {l} 已被类别「{c}」使用"),
            LetterTaken(l, c) => format!("letter {l} is already used by category '{c}'"),
            Text(Some(item), e) if zh => format!("事项 {item}：{}", e.localized(lang)),
            Text(Some(item), e) => format!("item {item}: {}", e.localized(lang)),
            Text(None, e) => e.localized(lang),
            NoCategories if zh => "清单里没有任何类别（[[category]]）".into(),
            NoCategories => "the catalog has no [[category]]".into(),
            ItemCode(c) if zh => format!("事项代码「{c}」须是一个不含空格的词"),
            ItemCode(c) => format!("item code '{c}' must be a non-empty word"),
            ItemTwice(c) if zh => format!("事项代码「{c}」出现了两次"),
            ItemTwice(c) => format!("item code '{c}' appears twice"),
            NoSuchCategory(i, c) if zh => format!("事项 {i}：没有类别「{c}」"),
            NoSuchCategory(i, c) => format!("item {i}: there is no category '{c}'"),
            OnTheSpotWithDays(i, d) if zh => format!("事项 {i} 是即办件，却写了 days = {d}；即办件应为 0"),
            OnTheSpotWithDays(i, d) => format!("item {i} is 即办 (on the spot) but has days = {d}; use 0"),
            PromisedWithoutDays(i) if zh => format!("事项 {i} 是承诺件，却写了 days = 0"),
            PromisedWithoutDays(i) => format!("item {i} is 承诺 (promised) but has days = 0"),
            DaysOverAYear(i, d) if zh => format!("事项 {i}：{d} 个工作日超过一年"),
            DaysOverAYear(i, d) => format!("item {i}: {d} working days is more than a year"),
            OverLegalLimit(i, d, l) if zh => format!("事项 {i}：承诺 {d} 天超过法定时限 {l} 天"),
            OverLegalLimit(i, d, l) => format!("item {i}: promised {d} days exceeds the legal limit {l}"),
            NotAnAge(i, a) if zh => format!("事项 {i}：min_age {a} 不是真实的年龄"),
            NotAnAge(i, a) => format!("item {i}: min_age {a} is not a real age"),
            KeyAndDeferrable(i, m) if zh => {
                format!("事项 {i}：材料「{m}」同时是必备（key）又可容缺（may_defer）；可容缺的材料须 key = false")
            }
            KeyAndDeferrable(i, m) => {
                format!("item {i}: material {m} is key and may_defer at once; a deferrable material needs key = false")
            }
            MaterialTwice(i, m) if zh => format!("事项 {i}：材料「{m}」出现了两次"),
            MaterialTwice(i, m) => format!("item {i}: material {m} appears twice"),
            NoItems if zh => "清单里没有任何事项（[[item]]）".into(),
            NoItems => "the catalog has no [[item]]".into(),
            MakeGoodDays(d) if zh => format!("make_good_days 须在 1 到 90 之间，现在是 {d}"),
            MakeGoodDays(d) => format!("make_good_days must be between 1 and 90, not {d}"),
        };
        match (self.line, zh) {
            (0, _) => what,
            (l, true) => format!("第 {l} 行第 {} 列：{what}", self.col),
            (l, false) => format!("line {l}, column {}: {what}", self.col),
        }
    }
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
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
    /// English names of materials, by their Chinese name (materials repeat across items, so
    /// they are named once).
    #[serde(default)]
    material_en: std::collections::BTreeMap<String, String>,
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
    fn bad_files_name_the_line_in_either_language() {
        let en = |src: &str| Catalog::from_toml(src).unwrap_err().text(Lang::En);
        let zh = |src: &str| Catalog::from_toml(src).unwrap_err().text(Lang::Zh);
        let src = BUILTIN_CATALOG.replacen("days = 25", "days = \"many\"", 1);
        let line = BUILTIN_CATALOG.lines().position(|l| l == "days = 25").unwrap() + 1;
        let err = en(&src);
        assert!(err.starts_with(&format!("line {line}, column")), "{err}");
        assert!(!err.contains('\n'));
        assert!(zh(&src).starts_with(&format!("第 {line} 行")), "{}", zh(&src));

        let src = BUILTIN_CATALOG.replacen("category = \"shebao\"", "category = \"nowhere\"", 1);
        let line = BUILTIN_CATALOG.lines().position(|l| l == "category = \"shebao\"").unwrap() + 1;
        let err = en(&src);
        assert!(err.starts_with(&format!("line {line},")) && err.contains("nowhere"), "{err}");
        let err = zh(&src);
        assert!(err.contains("没有类别「nowhere」") && !err.contains("there is"), "{err}");

        let src = BUILTIN_CATALOG.replacen("letter = \"B\"", "letter = \"A\"", 1);
        assert!(en(&src).contains("already used") && zh(&src).contains("已被类别"));
        let src = BUILTIN_CATALOG.replacen("kind = \"即办\"\ndays = 0", "kind = \"承诺\"\ndays = 0", 1);
        assert!(en(&src).contains("days = 0"));
        assert!(en("[[category]\n").starts_with("line 1"));
        // A hidden character in an item's name: the field is called by its name, in Chinese.
        let src = BUILTIN_CATALOG.replacen("name = \"", "name = \"\u{2028}", 1);
        let err = zh(&src);
        assert!(err.contains("事项或类别名称") && !err.contains("hall name"), "{err}");
    }
}

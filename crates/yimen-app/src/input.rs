//! Raw text from a form or the command line, checked into domain values.

use time::Date;

use super::DeskError;
use yimen_domain::citizen::{Citizen, Proxy};
use yimen_domain::id_number::IdNumber;
use yimen_domain::phone::Phone;
use yimen_domain::text::{self, Field, SHORT_MAX_CHARS};

/// The applicant as typed; empty fields mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CitizenInput {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub village: Option<String>,
}

/// The proxy (代办人) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.trim().is_empty())
}

impl CitizenInput {
    pub fn check(&self, today: Date) -> Result<Citizen, DeskError> {
        Ok(Citizen {
            name: given(&self.name).map(|s| text::person_name(Field::Name, s)).transpose()?,
            id_number: given(&self.id_number).map(|s| IdNumber::parse(s, today)).transpose()?,
            phone: given(&self.phone).map(Phone::parse).transpose()?,
            village: given(&self.village).map(|s| text::short_text(Field::Village, s, SHORT_MAX_CHARS)).transpose()?,
        })
    }
}

impl ProxyInput {
    pub fn check(&self, today: Date) -> Result<Option<Proxy>, DeskError> {
        let Some(name) = given(&self.name) else {
            if given(&self.phone).is_some() || given(&self.id_number).is_some() {
                return Err(text::TextError::Empty { field: Field::ProxyName }.into());
            }
            return Ok(None);
        };
        Ok(Some(Proxy {
            name: text::person_name(Field::ProxyName, name)?,
            phone: given(&self.phone).map(Phone::parse).transpose()?,
            id_number: given(&self.id_number)
                .map(|s| IdNumber::parse(s, today))
                .transpose()
                .map_err(DeskError::ProxyId)?,
        }))
    }
}

pub fn optional_note(field: Field, s: Option<&str>) -> Result<Option<String>, DeskError> {
    Ok(s.filter(|s| !s.trim().is_empty()).map(|s| text::note(field, s)).transpose()?)
}

pub fn required_note(field: Field, s: &str) -> Result<String, DeskError> {
    Ok(text::note(field, s)?)
}

pub fn short(field: Field, s: &str) -> Result<String, DeskError> {
    Ok(text::short_text(field, s, SHORT_MAX_CHARS)?)
}

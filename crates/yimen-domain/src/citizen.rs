//! The applicant and, when someone files for them, the proxy (代办人).

use serde::{Deserialize, Serialize};

use super::id_number::IdNumber;
use super::phone::Phone;

/// What is known of the applicant. Every field may be filled in late (at taking a number, at
/// acceptance or later), so each is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub id_number: Option<IdNumber>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub village: Option<String>,
}

impl Citizen {
    /// Fills the fields given in `other`, keeping the ones it leaves empty.
    pub fn merge(&mut self, other: Citizen) {
        if other.name.is_some() {
            self.name = other.name;
        }
        if other.id_number.is_some() {
            self.id_number = other.id_number;
        }
        if other.phone.is_some() {
            self.phone = other.phone;
        }
        if other.village.is_some() {
            self.village = other.village;
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Citizen::default()
    }
}

/// A village 代办员 or a relative filing with a letter of authorisation (委托书).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub name: String,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub id_number: Option<IdNumber>,
}

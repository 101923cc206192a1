//! How times and dates are written. In JSON, and any format that calls itself human-readable
//! (the hall server's API, the CLI's `--json`, a browser page): RFC 3339 text
//! (`"2026-11-30T09:05:03+08:00"`) and `"2026-11-30"`. In the database's MessagePack: the time
//! crate's compact form, exactly as before, so stored records and the audit chain over them do
//! not change. JSON written before (the time crate's tuples) still reads.
//!
//! Use on a field: `#[serde(with = "crate::wire_time::moment")]` (an `OffsetDateTime`),
//! `moment_opt`, `day` (a `Date`), `day_opt`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

const DAY: &[time::format_description::BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// A time value with a text form for people and browsers; storage keeps the time crate's own.
trait AsText: Serialize + for<'de> Deserialize<'de> + Sized {
    fn to_text(&self) -> Result<String, time::error::Format>;
    fn from_text(s: &str) -> Result<Self, time::error::Parse>;
}

impl AsText for OffsetDateTime {
    fn to_text(&self) -> Result<String, time::error::Format> {
        self.format(&Rfc3339)
    }
    fn from_text(s: &str) -> Result<Self, time::error::Parse> {
        OffsetDateTime::parse(s, &Rfc3339)
    }
}

impl AsText for Date {
    fn to_text(&self) -> Result<String, time::error::Format> {
        self.format(DAY)
    }
    fn from_text(s: &str) -> Result<Self, time::error::Parse> {
        Date::parse(s, DAY)
    }
}

fn serialize_as_text<T: AsText, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&v.to_text().map_err(serde::ser::Error::custom)?)
    } else {
        v.serialize(s)
    }
}

fn deserialize_as_text<'de, T: AsText, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    if !d.is_human_readable() {
        return T::deserialize(d);
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Text(String),
        Before(T),
    }
    match Either::<T>::deserialize(d)? {
        Either::Text(s) => T::from_text(&s).map_err(serde::de::Error::custom),
        Either::Before(t) => Ok(t),
    }
}

/// An `OffsetDateTime`: RFC 3339 for people and browsers, compact in storage.
pub mod moment {
    use super::*;

    /// # Errors
    /// A time RFC 3339 cannot write (a year beyond 9999).
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        serialize_as_text(t, s)
    }

    /// # Errors
    /// Text that is not RFC 3339, or a value that is neither text nor the older tuple.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        deserialize_as_text(d)
    }
}

/// A `Date`: `"2026-11-30"` for people and browsers, compact in storage.
pub mod day {
    use super::*;

    /// # Errors
    /// A date the format cannot write (a year beyond 9999).
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        serialize_as_text(d, s)
    }

    /// # Errors
    /// Text that is not `YYYY-MM-DD`, or a value that is neither text nor the older tuple.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        deserialize_as_text(d)
    }
}

macro_rules! optional {
    ($name:ident, $inner:ident, $t:ty) => {
        /// The optional form of the module of the same name without `_opt`.
        pub mod $name {
            use super::*;

            struct Out<'a>(&'a $t);
            impl Serialize for Out<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    super::$inner::serialize(self.0, s)
                }
            }

            struct In($t);
            impl<'de> Deserialize<'de> for In {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    super::$inner::deserialize(d).map(In)
                }
            }

            /// # Errors
            /// As the module without `_opt`.
            pub fn serialize<S: Serializer>(v: &Option<$t>, s: S) -> Result<S::Ok, S::Error> {
                match v {
                    Some(v) => s.serialize_some(&Out(v)),
                    None => s.serialize_none(),
                }
            }

            /// # Errors
            /// As the module without `_opt`.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
                Ok(Option::<In>::deserialize(d)?.map(|v| v.0))
            }
        }
    };
}
optional!(moment_opt, moment, OffsetDateTime);
optional!(day_opt, day, Date);

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::{date, datetime};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(with = "super::moment")]
        at: time::OffsetDateTime,
        #[serde(with = "super::day")]
        on: time::Date,
        #[serde(default, with = "super::moment_opt")]
        maybe: Option<time::OffsetDateTime>,
        #[serde(default, with = "super::day_opt")]
        due: Option<time::Date>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Before {
        at: time::OffsetDateTime,
        on: time::Date,
        maybe: Option<time::OffsetDateTime>,
        due: Option<time::Date>,
    }

    #[test]
    fn json_is_rfc_3339_and_storage_is_unchanged() {
        let t = T {
            at: datetime!(2026-11-30 09:05:03 +08:00),
            on: date!(2026 - 11 - 30),
            maybe: Some(datetime!(2026-11-30 01:00:00 UTC)),
            due: None,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"at":"2026-11-30T09:05:03+08:00","on":"2026-11-30","maybe":"2026-11-30T01:00:00Z","due":null}"#
        );
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        // The database's bytes are those of the plain fields.
        let before = Before { at: t.at, on: t.on, maybe: t.maybe, due: t.due };
        let stored = rmp_serde::to_vec_named(&before).unwrap();
        assert_eq!(rmp_serde::to_vec_named(&t).unwrap(), stored);
        assert_eq!(rmp_serde::from_slice::<T>(&stored).unwrap(), t);
        // JSON of the older form still reads.
        let old = serde_json::to_string(&before).unwrap();
        assert!(old.contains('['), "{old}");
        assert_eq!(serde_json::from_str::<T>(&old).unwrap(), t);
        assert!(serde_json::from_str::<T>(r#"{"at":"yesterday","on":"2026-11-30"}"#).is_err());
    }
}

//! yimen (一门): the front desk of a township convenience service hall.
//!
//! The crates are the floors, each depending only on those below it (docs/architecture.md):
//! [`domain`] (pure rules) ← [`store`] (the redb file) ← [`app`] (the desk) ← [`client`] (the
//! wire and the `Client` trait) ← {[`present`], [`server`], [`tui`]} ← this binary ([`cli`]).
//! The re-exports below let tests and benchmarks name every floor through one crate.

pub mod cli;
pub mod logging;

pub use yimen_api as client;
pub use yimen_app as app;
pub use yimen_app::{demo, log, report};
pub use yimen_domain as domain;
pub use yimen_domain::{clock, token};
pub use yimen_present as present;
pub use yimen_present::slip;
pub use yimen_server as server;
pub use yimen_town as town;
pub use yimen_tui as tui;

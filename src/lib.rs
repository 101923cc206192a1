//! yimen (一门): the front desk of a township convenience service hall.
//!
//! Layers, each depending only on those before it: [`domain`] (pure rules), [`store`] (the
//! redb file), [`app`] (one method per user action), then the front ends ([`cli`]).

// No unwrap or expect outside tests: a bad record or input is an error, never a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod cli;
pub mod client;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod log;
pub mod present;
pub mod report;
pub mod server;
pub mod slip;
pub mod store;
pub mod token;
pub mod tui;

//! The one integration-test binary: domain transitions, the store on real redb files, and the
//! real `yimen` binary end to end.

// A test that meets a broken promise should stop with its message; the lints are for the product.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod arrows;
mod audit;
mod backup;
mod browser;
mod clerk_day;
mod cli;
mod common;
mod crash;
mod diskfull;
mod e2e;
mod lazyfs;
mod paper;
mod pg;
mod powercut;
mod pty;
mod public;
mod remote;
mod report;
mod server;
mod store;
mod town;
mod transitions;
mod trust;
mod tui;

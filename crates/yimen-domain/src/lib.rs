//! The pure domain: tickets and their state machine, queue numbers, citizens' data, the service
//! catalog and the working-day calendar. Nothing here reads a clock, a file or a terminal.

pub mod account;
pub mod board;
pub mod calendar;
pub mod catalog;
pub mod citizen;
pub mod clock;
pub mod device;
pub mod id_number;
pub mod lang;
pub mod mask;
pub mod phone;
pub mod pinyin;
pub mod queue;
pub mod text;
pub mod ticket;
pub mod token;
pub mod wire_time;

pub use calendar::{Calendar, Light};
pub use catalog::{Catalog, Category, Kind, Material, ServiceItem};
pub use citizen::{Citizen, Proxy};
pub use id_number::IdNumber;
pub use lang::Lang;
pub use phone::Phone;
pub use queue::{Priority, QueueNumber};
pub use ticket::{Action, Event, Status, Ticket, TransitionError};

//! SBD requirement formulation (NISC Security-by-Design manual, steps 5 and 6).
//!
//! A [`Profile`] answers the catalog's yes/no judgment conditions and may override levels with a
//! justification; [`decide`] turns it into a [`DecisionTable`]: per requirement the condition,
//! how the answers evaluated it, the recommended level, the chosen level and its text. Pure: no
//! I/O, no clock.

mod engine;
mod profile;

pub use engine::{
    AnswerRow, Counts, Decision, DecisionError, DecisionTable, Trace, decide, recommend,
};
pub use profile::{Answer, Override, Profile, ProfileError, SystemInfo};

/// The ID of the built-in SBD catalog.
pub const SBD_CATALOG: &str = "sbd";

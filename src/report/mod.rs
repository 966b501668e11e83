//! Reports of a finished (or interrupted) run: the terminal summary, `report.json` and
//! one patch per survivor.

pub mod json;
pub mod patch;
pub mod terminal;

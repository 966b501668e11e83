//! The Python-source side, and the only user of the parser: reading a file as Python
//! does (`encoding`), parsing (`parse`), making mutants (`discover` assembles what the
//! one traversal, `walk`, records in the `sink`), the operators (`operators/`, one file
//! each), the arid-node rules (`arid/`, one file each) and which files are tests or
//! tooling (`select`).

pub mod arid;
pub mod discover;
pub mod encoding;
pub mod operators;
pub mod parse;
pub(crate) mod select;
mod sink;
mod walk;

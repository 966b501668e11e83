//! The Python-source side, and the only user of the parser: reading a file as Python
//! does (`encoding`), parsing (`parse`), spans and lines (`span`), the walk that makes
//! mutants (`discover`) and the operators (`operators`).

pub mod arid;
pub mod discover;
pub mod encoding;
pub mod operators;
pub mod parse;
pub(crate) mod select;
pub mod span;

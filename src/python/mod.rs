//! The Python-source side, and the only user of the parser: reading a file as Python
//! does (`encoding`), parsing (`parse`), the walk that makes
//! mutants (`discover`) and the operators (`operators`).

pub mod arid;
pub mod discover;
pub mod encoding;
pub mod operators;
pub mod parse;
pub(crate) mod select;

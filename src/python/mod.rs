//! The Python-source side, and the only user of the parser: reading a file as Python
//! does (`encoding`), parsing (`parse`), the mutant (`mutant`: one edit, its id, patch and
//! re-parse check), making mutants (`discover` assembles what the
//! one traversal, `walk`, records in the `sink`), the operators (`operators/`, one file
//! each), the arid-node rules (`arid/`, one file each), dead code (`dead`: in functions;
//! `unread`: module constants nothing reads) and which files are tests or tooling
//! (`select`).

/// The documentation an operator or arid rule carries: its unit's `///` doc, line by
/// line, which `git chimp operators` and `git chimp arid` print.
pub(crate) trait Described {
    /// The unit's `///` doc.
    const DOC: &'static str;
}

/// Declares an operator's or arid rule's unit type with its `///` doc (the one
/// description of it), and implements [`Described`] with that doc.
macro_rules! unit {
    ($(#[doc = $doc:literal])+ $name:ident) => {
        $(#[doc = $doc])+
        pub(crate) struct $name;

        impl $crate::python::Described for $name {
            const DOC: &'static str = concat!($($doc, "\n"),+);
        }
    };
}

pub mod arid;
pub mod dead;
pub mod discover;
pub mod encoding;
pub mod mutant;
pub mod operators;
pub mod parse;
pub(crate) mod select;
mod sink;
pub mod unread;
mod walk;

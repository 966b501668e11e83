//! `dead-code`.

use super::Arid;

unit! {
    /// Dead code (`python/dead.rs`): statements after a `return`, `raise`, `break` or
    /// `continue` in the same block, and assignments of an inert value that no path
    /// reads (and `if` statements made only of those); and module constants whose name
    /// no other place of the repository holds (`python/unread.rs`). No input can notice them: they
    /// get no mutants, and each block is reported once, as `dead code`, with why. Off,
    /// they are mutated like any other code.
    DeadCode
}

impl Arid for DeadCode {}

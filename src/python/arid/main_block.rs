//! `main-block`.

use ruff_python_ast::Stmt;

use super::helpers::is_main_test;
use super::{Arid, Place};

unit! {
    /// An `if __name__ == "__main__":` block at module level, in every file: a script's
    /// entry point, which only a subprocess runs (in a `__main__.py` too, where `python
    /// -m package` runs it). The functions it calls stay mutated, a `main()` defined in
    /// `__main__.py` among them: that body is what a test can call.
    MainBlock
}

impl Arid for MainBlock {
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::If(i) if place.top_level && is_main_test(&i.test))
    }
}

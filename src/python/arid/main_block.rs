//! `main-block`.

use ruff_python_ast::Stmt;

use super::helpers::is_main_test;
use super::{Arid, Place};

unit! {
    /// An `if __name__ == "__main__":` block: a script's entry point, which no test that
    /// imports the module runs. Not in a `__main__.py`, where the block is what
    /// `python -m package` runs.
    MainBlock
}

impl Arid for MainBlock {
    fn statement(place: Place<'_>, stmt: &Stmt) -> bool {
        matches!(stmt, Stmt::If(i) if place.top_level && !place.main_module && is_main_test(&i.test))
    }
}

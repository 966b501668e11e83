//! `repr`.

use ruff_python_ast as ast;

use super::Arid;

unit! {
    /// The body of a `__repr__` method: text for debugging.
    Repr
}

impl Arid for Repr {
    fn function_body(function: &ast::StmtFunctionDef) -> bool {
        function.name.as_str() == "__repr__"
    }
}

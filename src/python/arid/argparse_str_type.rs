//! `argparse-str-type`.

use ruff_python_ast::Expr;

use super::helpers::called_name;
use super::{Arid, CallSite, Fate};
use crate::python::operators::Argument;

unit! {
    /// `type=str` given to argparse's `add_argument(...)`: argparse hands a value given
    /// as text to its `type`, and `str` of a string is the string, so `type=None` (the
    /// `call-argument` mutant) parses the same. Other types (`type=int`) stay mutated, as
    /// does `type=str` in other calls (click infers a type from the default without it).
    ArgparseStrType
}

impl Arid for ArgparseStrType {
    fn argument(call: CallSite<'_>, argument: Argument<'_>) -> Fate {
        let str_type = matches!(argument,
            Argument::Keyword(Some("type"), Expr::Name(name)) if name.id.as_str() == "str");
        if str_type && called_name(call.call) == Some("add_argument") {
            Fate::Skip
        } else {
            Fate::Walk
        }
    }
}

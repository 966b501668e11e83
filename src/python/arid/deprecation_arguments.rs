//! `deprecation-arguments`.

use super::helpers::called_name;
use super::{Arid, CallSite, Fate};
use crate::python::operators::Argument;

unit! {
    /// The arguments of a call (or decorator) named `deprecated`
    /// (`@deprecated(version="2.10", replace="new")`): they only change a warning; and
    /// the locals that only build them, with their statements (see `exception-message`).
    DeprecationArguments
}

impl Arid for DeprecationArguments {
    fn argument(call: CallSite<'_>, _argument: Argument<'_>) -> Fate {
        if called_name(call.call) == Some("deprecated") {
            Fate::Skip
        } else {
            Fate::Walk
        }
    }
}

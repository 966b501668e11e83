//! Running the tests: everything before the mutants, from the baseline to the sandboxes'
//! workers (`lab`), the workers' baselines (`baselines`), the mutant phase and its
//! runners (`runner`), test processes and their groups (`process`), the line map of the
//! last traced baseline (`line_map`), mutants equivalent by their bytecode
//! (`equivalence`), mutants a type checker rejects (`type_check`), timeouts
//! (`timeouts`), the Python environment the tests import from (`pyenv`) and the warm
//! pytest worker (`worker`).

pub(crate) mod baselines;
pub(crate) mod equivalence;
pub(crate) mod lab;
pub(crate) mod line_map;
pub(crate) mod process;
pub(crate) mod pyenv;
pub(crate) mod runner;
pub(crate) mod timeouts;
pub(crate) mod type_check;
pub(crate) mod worker;

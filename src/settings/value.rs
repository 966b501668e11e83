//! The kinds of value a setting holds ([`Kind`]): how each is read from a configuration
//! file (TOML) and from git config (text), what an error says it expected, and how
//! `git chimp config` shows it. Relative paths stay as written here; the layer that
//! read them joins them to its directory (see [`super::Settings::relative_to`]).

use std::marker::PhantomData;
use std::path::PathBuf;
use std::str::FromStr;

use serde::de::{Deserialize, Deserializer, Error as _};

use super::Runner;
use crate::budget::Budget;
use crate::python::arid::AridRule;
use crate::python::operators::Operator;
use crate::report::ReportKind;
use crate::shard::Shard;

/// One kind of setting value.
pub(crate) trait Kind {
    /// What a setting of this kind holds.
    type Value: Clone;
    /// Whether git config holds it as a boolean (`[chimp] no-cache` alone is true).
    const GIT_BOOL: bool = false;
    /// The value in a configuration file; `Err` says what was expected instead.
    fn from_toml(value: &toml::Value) -> Result<Self::Value, String>;
    /// The value of `git config chimp.<key>`; `Err` says what was expected instead.
    fn from_git(text: &str) -> Result<Self::Value, String>;
    /// The value as `git chimp config` prints it.
    fn shown(value: &Self::Value) -> String;
}

/// A value of kind `K` as serde reads it from a file: any TOML value, then
/// [`Kind::from_toml`], whose expectation becomes the error message.
pub(crate) struct Wire<K: Kind>(pub(crate) K::Value, PhantomData<K>);

impl<'de, K: Kind> Deserialize<'de> for Wire<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        K::from_toml(&value)
            .map(|value| Wire(value, PhantomData))
            .map_err(D::Error::custom)
    }
}

/// A string.
pub(crate) struct Text;

impl Kind for Text {
    type Value = String;
    fn from_toml(value: &toml::Value) -> Result<String, String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "a string".into())
    }
    fn from_git(text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }
    fn shown(value: &String) -> String {
        value.clone()
    }
}

/// The URL of an object store, shown without its user and password.
pub(crate) struct StoreUrl;

impl Kind for StoreUrl {
    type Value = String;
    fn from_toml(value: &toml::Value) -> Result<String, String> {
        Text::from_toml(value)
    }
    fn from_git(text: &str) -> Result<String, String> {
        Text::from_git(text)
    }
    fn shown(value: &String) -> String {
        crate::cache::remote::CacheUrl::new(value.clone()).shown()
    }
}

/// A string or an array of strings in a file; words split as a shell splits them in git
/// config (so `'my dir'` is one path).
fn words(value: &toml::Value, expected: &str) -> Result<Vec<String>, String> {
    match value {
        toml::Value::String(text) => Ok(vec![text.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| expected.to_owned())
            })
            .collect(),
        _ => Err(expected.to_owned()),
    }
}

fn git_words(text: &str) -> Result<Vec<String>, String> {
    shlex::split(text).ok_or_else(|| "words split as a shell does (a quote is open)".into())
}

/// Comma-separated names, each trimmed, from any number of words.
fn names(words: &[String]) -> Vec<String> {
    words
        .iter()
        .flat_map(|word| word.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

const STRINGS: &str = "a string or an array of strings";

/// Files or directories.
pub(crate) struct Paths;

impl Kind for Paths {
    type Value = Vec<PathBuf>;
    fn from_toml(value: &toml::Value) -> Result<Vec<PathBuf>, String> {
        Ok(words(value, STRINGS)?
            .into_iter()
            .map(PathBuf::from)
            .collect())
    }
    fn from_git(text: &str) -> Result<Vec<PathBuf>, String> {
        Ok(git_words(text)?.into_iter().map(PathBuf::from).collect())
    }
    fn shown(value: &Vec<PathBuf>) -> String {
        let shown: Vec<String> = value
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        shown.join(" ")
    }
}

/// One directory.
pub(crate) struct Dir;

impl Kind for Dir {
    type Value = PathBuf;
    fn from_toml(value: &toml::Value) -> Result<PathBuf, String> {
        Text::from_toml(value).map(PathBuf::from)
    }
    fn from_git(text: &str) -> Result<PathBuf, String> {
        Ok(PathBuf::from(text))
    }
    fn shown(value: &PathBuf) -> String {
        value.display().to_string()
    }
}

/// Glob patterns, each checked.
pub(crate) struct Globs;

impl Globs {
    fn checked(globs: Vec<String>) -> Result<Vec<String>, String> {
        for pattern in &globs {
            globset::Glob::new(pattern).map_err(|err| format!("globs: {err}"))?;
        }
        Ok(globs)
    }
}

impl Kind for Globs {
    type Value = Vec<String>;
    fn from_toml(value: &toml::Value) -> Result<Vec<String>, String> {
        Self::checked(words(value, STRINGS)?)
    }
    fn from_git(text: &str) -> Result<Vec<String>, String> {
        Self::checked(git_words(text)?)
    }
    fn shown(value: &Vec<String>) -> String {
        value.join(" ")
    }
}

/// A thing a setting names, one of a fixed set: an operator, an arid-node rule, a
/// report kind.
pub(crate) trait Named:
    FromStr + Copy + strum::VariantArray + Into<&'static str> + 'static
{
    /// What a list of them is, in an error (`operator names`).
    const WHAT: &'static str;
}

impl Named for Operator {
    const WHAT: &'static str = "operator names";
}

impl Named for AridRule {
    const WHAT: &'static str = "arid rule names";
}

impl Named for ReportKind {
    const WHAT: &'static str = "report kinds";
}

/// Names of `T`s (comma-separated or an array); an unknown one's error lists them all.
pub(crate) struct Names<T>(PhantomData<T>);

impl<T: Named> Names<T> {
    fn parsed(names: &[String]) -> Result<Vec<T>, String> {
        names
            .iter()
            .map(|name| {
                name.parse().map_err(|_| {
                    let every: Vec<String> = T::VARIANTS
                        .iter()
                        .map(|each| format!("\"{}\"", Into::<&str>::into(*each)))
                        .collect();
                    format!("{} from {}; `{name}` is not one", T::WHAT, every.join(", "))
                })
            })
            .collect()
    }
}

impl<T: Named> Kind for Names<T> {
    type Value = Vec<T>;
    fn from_toml(value: &toml::Value) -> Result<Vec<T>, String> {
        Self::parsed(&names(&words(value, STRINGS)?))
    }
    fn from_git(text: &str) -> Result<Vec<T>, String> {
        Self::parsed(&names(&git_words(text)?))
    }
    fn shown(value: &Vec<T>) -> String {
        let names: Vec<&str> = value.iter().map(|each| (*each).into()).collect();
        names.join(",")
    }
}

/// A positive integer.
pub(crate) struct Count;

impl Kind for Count {
    type Value = usize;
    fn from_toml(value: &toml::Value) -> Result<usize, String> {
        value
            .as_integer()
            .and_then(|count| usize::try_from(count).ok())
            .filter(|count| *count > 0)
            .ok_or_else(|| "a positive integer".into())
    }
    fn from_git(text: &str) -> Result<usize, String> {
        text.trim()
            .parse::<usize>()
            .ok()
            .filter(|count| *count > 0)
            .ok_or_else(|| "a positive integer".into())
    }
    fn shown(value: &usize) -> String {
        value.to_string()
    }
}

/// A number from a file, integer or float.
fn number(value: &toml::Value) -> Option<f64> {
    match value {
        #[expect(
            clippy::cast_precision_loss,
            reason = "seconds and percentages are small"
        )]
        toml::Value::Integer(int) => Some(*int as f64),
        toml::Value::Float(float) => Some(*float),
        _ => None,
    }
}

/// A number from git config; its range is checked by the options, which name the layer.
fn git_number(text: &str) -> Result<f64, String> {
    text.trim().parse().map_err(|_| "a number".into())
}

/// A positive number of seconds.
pub(crate) struct Seconds;

impl Kind for Seconds {
    type Value = f64;
    fn from_toml(value: &toml::Value) -> Result<f64, String> {
        number(value)
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .ok_or_else(|| "a positive number of seconds".into())
    }
    fn from_git(text: &str) -> Result<f64, String> {
        git_number(text)
    }
    fn shown(value: &f64) -> String {
        format!("{value}")
    }
}

/// A time budget: a duration (`2m`, or a number of seconds), or `none`.
pub(crate) struct TimeBudget;

impl Kind for TimeBudget {
    type Value = Budget;
    fn from_toml(value: &toml::Value) -> Result<Budget, String> {
        let expected = || "a duration such as \"90s\" or \"2m\" (or seconds), or \"none\"".into();
        match value {
            toml::Value::String(text) => text.parse().map_err(|_| expected()),
            other => number(other)
                .and_then(|seconds| seconds.to_string().parse().ok())
                .ok_or_else(expected),
        }
    }
    fn from_git(text: &str) -> Result<Budget, String> {
        text.parse()
    }
    fn shown(value: &Budget) -> String {
        value.to_string()
    }
}

/// A percentage from 0 to 100.
pub(crate) struct Percent;

impl Kind for Percent {
    type Value = f64;
    fn from_toml(value: &toml::Value) -> Result<f64, String> {
        number(value)
            .filter(|score| (0.0..=100.0).contains(score))
            .ok_or_else(|| "a percentage from 0 to 100".into())
    }
    fn from_git(text: &str) -> Result<f64, String> {
        git_number(text)
    }
    fn shown(value: &f64) -> String {
        format!("{value}")
    }
}

/// `true` or `false`.
pub(crate) struct Switch;

impl Kind for Switch {
    type Value = bool;
    const GIT_BOOL: bool = true;
    fn from_toml(value: &toml::Value) -> Result<bool, String> {
        value.as_bool().ok_or_else(|| "true or false".into())
    }
    /// As git itself reads a boolean.
    fn from_git(text: &str) -> Result<bool, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" | "" => Ok(false),
            _ => Err("true or false".into()),
        }
    }
    fn shown(value: &bool) -> String {
        value.to_string()
    }
}

/// One of a clap value enum's names.
fn choice<T: clap::ValueEnum>(text: &str) -> Result<T, String> {
    T::from_str(text.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|variant| Some(format!("{:?}", variant.to_possible_value()?.get_name())))
            .collect();
        format!("one of {}", names.join(", "))
    })
}

fn choice_name<T: clap::ValueEnum>(value: &T) -> String {
    value
        .to_possible_value()
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default()
}

/// `--runner`'s names.
pub(crate) struct RunnerName;

impl Kind for RunnerName {
    type Value = Runner;
    fn from_toml(value: &toml::Value) -> Result<Runner, String> {
        choice(value.as_str().unwrap_or("\0"))
    }
    fn from_git(text: &str) -> Result<Runner, String> {
        choice(text)
    }
    fn shown(value: &Runner) -> String {
        choice_name(value)
    }
}

/// `--shard K/N` (on the command line only).
pub(crate) struct ShardSpec;

impl Kind for ShardSpec {
    type Value = Shard;
    fn from_toml(value: &toml::Value) -> Result<Shard, String> {
        Self::from_git(value.as_str().unwrap_or_default())
    }
    fn from_git(text: &str) -> Result<Shard, String> {
        text.parse()
    }
    fn shown(value: &Shard) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn git_values_are_read_as_file_values_are() {
        for bad in ["2.5", "1e3", "-3", "0", "two"] {
            assert_eq!(
                Count::from_git(bad),
                Err("a positive integer".into()),
                "{bad}"
            );
        }
        assert_eq!(Count::from_git(" 3 "), Ok(3));
        assert_eq!(
            Paths::from_git("src 'my dir'"),
            Ok(vec![PathBuf::from("src"), PathBuf::from("my dir")])
        );
        assert_eq!(
            Names::<Operator>::from_git("comparison, number"),
            Ok(vec![Operator::Comparison, Operator::Number])
        );
        assert_eq!(Switch::from_git("yes"), Ok(true));
        assert!(Switch::from_git("maybe").is_err());
        assert_eq!(RunnerName::from_git("Pytest"), Ok(Runner::Pytest));
        assert_eq!(
            RunnerName::from_git("fast"),
            Err("one of \"auto\", \"pytest\", \"unittest\", \"command\"".into())
        );
        assert_eq!(
            Names::<ReportKind>::shown(&vec![ReportKind::Html, ReportKind::Junit]),
            "html,junit"
        );
        assert_eq!(
            Names::<ReportKind>::from_git("HTML"),
            Ok(vec![ReportKind::Html])
        );
        for kind in <ReportKind as strum::VariantArray>::VARIANTS {
            assert_eq!(
                choice_name(kind),
                Into::<&str>::into(*kind),
                "clap's and strum's"
            );
        }
        assert_eq!(
            Names::<ReportKind>::from_git("html,pdf"),
            Err(
                "report kinds from \"html\", \"sarif\", \"junit\", \"github\", \"markdown\"; \
                 `pdf` is not one"
                    .into()
            )
        );
        assert_eq!(
            Names::<AridRule>::from_git("repr, no-cover"),
            Ok(vec![AridRule::Repr, AridRule::NoCover])
        );
    }

    #[test]
    fn file_values_are_checked_for_their_kind() {
        let value = |text: &str| -> toml::Value {
            toml::from_str::<toml::Table>(&format!("v = {text}")).unwrap()["v"].clone()
        };
        assert_eq!(
            Count::from_toml(&value("0")),
            Err("a positive integer".into())
        );
        assert_eq!(Seconds::from_toml(&value("2")), Ok(2.0));
        assert!(Seconds::from_toml(&value("inf")).is_err());
        assert!(Percent::from_toml(&value("101")).is_err());
        assert_eq!(
            Names::<Operator>::from_toml(&value("\"comparison,number\"")),
            Ok(vec![Operator::Comparison, Operator::Number])
        );
        assert!(
            Globs::from_toml(&value("\"a[\""))
                .unwrap_err()
                .starts_with("globs: ")
        );
        assert_eq!(Text::from_toml(&value("3")), Err("a string".into()));
    }
}

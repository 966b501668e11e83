//! `.chimp/junit.xml`: JUnit XML for CI systems that show test results (GitLab, Jenkins,
//! Azure Pipelines, ...). One `<testsuite>` per file, one `<testcase>` per mutant, but
//! one per line for the mutants the tests missed: killed and timed-out mutants pass; the
//! survivors and uncovered mutants of a line are one failure, named after the most
//! telling of them and carrying every one's patch; errors are errors; equivalent and
//! accepted mutants, and those an interrupted run did not reach, are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::outcome::Outcome;
use crate::report::{Entry, Findings, Place, xml_safe};

/// The JUnit XML document of `findings` (written with quick-xml, which escapes).
#[must_use]
pub(crate) fn render(findings: &Findings<'_>) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into memory cannot fail.
    let _ = write(&mut writer, findings);
    let mut xml = String::from_utf8(writer.into_inner()).unwrap_or_default();
    xml.push('\n');
    xml
}

fn write<'a>(writer: &mut Writer<Vec<u8>>, findings: &Findings<'a>) -> io::Result<()> {
    let count = |entries: &[Entry<'_>], wanted: fn(Option<Outcome>) -> bool| {
        entries
            .iter()
            .filter(|(_, result)| wanted(result.map(|r| r.outcome)))
            .count()
            .to_string()
    };
    let failed = |outcome: Option<Outcome>| outcome.is_some_and(Outcome::undetected);
    let errored = |outcome: Option<Outcome>| outcome == Some(Outcome::Error);
    let skipped = |outcome: Option<Outcome>| {
        outcome.is_none_or(|outcome| outcome.unscored() || outcome == Outcome::NotRun)
    };
    let seconds = |entries: &[Entry<'_>]| -> String {
        let total: f64 = entries
            .iter()
            .filter_map(|(_, result)| result.map(|r| r.duration.as_secs_f64()))
            .sum();
        format!("{total:.3}")
    };
    let totals = |entries: &[Entry<'_>]| {
        [
            ("tests", entries.len().to_string()),
            ("failures", count(entries, failed)),
            ("errors", count(entries, errored)),
            ("skipped", count(entries, skipped)),
            ("time", seconds(entries)),
        ]
    };
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    // A line's survivors are one case, its first's: the others are left out here.
    let places = findings.places();
    let heads: BTreeMap<&str, &Place<'_>> = places
        .iter()
        .map(|place| (place.head().mutant.id.0.as_str(), place))
        .collect();
    let others: BTreeSet<&str> = places
        .iter()
        .flat_map(|place| {
            place
                .others()
                .iter()
                .map(|other| other.mutant.id.0.as_str())
        })
        .collect();
    let cases = |entries: &[Entry<'a>]| -> Vec<Entry<'a>> {
        entries
            .iter()
            .filter(|(mutant, _)| !others.contains(mutant.id.0.as_str()))
            .copied()
            .collect()
    };
    let all = cases(&findings.entries());
    let mut suites = vec![("name", "git-chimp".to_owned())];
    suites.extend(totals(&all));
    writer
        .create_element("testsuites")
        .with_attributes(pairs(&suites))
        .write_inner_content(|writer| {
            for (path, entries) in &findings.by_file() {
                let entries = cases(entries);
                let entries = &entries;
                let mut suite = vec![("name", xml_safe(path).into_owned())];
                suite.extend(totals(entries));
                writer
                    .create_element("testsuite")
                    .with_attributes(pairs(&suite))
                    .write_inner_content(|writer| {
                        for entry in entries {
                            let place = heads.get(entry.0.id.0.as_str()).copied();
                            test_case(writer, findings, *entry, place)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// One mutant's `<testcase>`; for the first survivor of a line, its `place`'s.
fn test_case(
    writer: &mut Writer<Vec<u8>>,
    findings: &Findings<'_>,
    (mutant, result): Entry<'_>,
    place: Option<&Place<'_>>,
) -> io::Result<()> {
    let others = place.map_or(&[][..], Place::others);
    let more = match others.len() {
        0 => String::new(),
        n => format!(" (and {n} more on this line)"),
    };
    let case = [
        (
            "classname",
            xml_safe(&mutant.path.replace('/', ".")).into_owned(),
        ),
        (
            "name",
            xml_safe(&format!(
                "{}:{} {} {}{more} [{}]",
                mutant.start.line,
                mutant.start.column,
                mutant.operator,
                mutant.describe(),
                mutant.id
            ))
            .into_owned(),
        ),
        (
            "time",
            format!("{:.3}", result.map_or(0.0, |r| r.duration.as_secs_f64())),
        ),
    ];
    let element = writer
        .create_element("testcase")
        .with_attributes(pairs(&case));
    let detail = result.and_then(|r| r.detail.as_deref()).unwrap_or("");
    match result.map(|r| r.outcome) {
        Some(Outcome::Killed | Outcome::Timeout | Outcome::TypeError) => {
            element.write_empty()?;
        }
        None => {
            element.write_inner_content(|writer| {
                writer
                    .create_element("skipped")
                    .with_attribute(("message", "not run (interrupted)"))
                    .write_empty()
                    .map(drop)
            })?;
        }
        Some(outcome @ (Outcome::Equivalent | Outcome::Accepted | Outcome::NotRun)) => {
            // An accepted survivor's detail already starts with "accepted: ", and one
            // the budget left out with "not run: ".
            let message = if outcome == Outcome::Equivalent {
                format!("{}: {detail}", outcome.name())
            } else {
                detail.to_owned()
            };
            element.write_inner_content(|writer| {
                writer
                    .create_element("skipped")
                    .with_attribute(("message", xml_safe(&message).as_ref()))
                    .write_empty()
                    .map(drop)
            })?;
        }
        Some(Outcome::Error) => {
            element.write_inner_content(|writer| {
                writer
                    .create_element("error")
                    .with_attribute(("message", xml_safe(detail).as_ref()))
                    .write_empty()
                    .map(drop)
            })?;
        }
        Some(outcome) => {
            let message = if outcome == Outcome::Uncovered {
                "mutant not covered: no test reaches this code"
            } else {
                "mutant survived: the tests pass with this change"
            };
            let source = findings.source(&mutant.path);
            let mut diff = mutant.diff(source);
            if let Some(note) = result.and_then(crate::outcome::MutantResult::probe_note) {
                let _ = writeln!(diff, "{note}");
            }
            for other in others {
                let other = &other.mutant;
                let _ = write!(
                    diff,
                    "\nAlso on this line: {} {} [{}]\n{}",
                    other.operator,
                    other.describe(),
                    other.id,
                    other.diff(source)
                );
            }
            element.write_inner_content(|writer| {
                writer
                    .create_element("failure")
                    .with_attributes([("message", message), ("type", outcome.name())])
                    .write_text_content(BytesText::new(&xml_safe(&diff)))
                    .map(drop)
            })?;
        }
    }
    Ok(())
}

/// Attribute pairs as quick-xml takes them.
fn pairs<'a>(pairs: &'a [(&'static str, String)]) -> impl Iterator<Item = (&'a str, &'a str)> {
    pairs.iter().map(|(key, value)| (*key, value.as_str()))
}

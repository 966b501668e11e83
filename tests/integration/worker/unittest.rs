//! The unittest worker: a `discover` layout with module and class fixtures,
//! `load_tests`, sub-tests, skips and expected failures, against the plain runner on
//! every Python.

use super::agree;
use crate::util::{PYTHON_VERSIONS, TestRepo, pyenv_python};

/// A unittest project in a `discover` layout, with what unittest does that pytest does
/// not (#27 item 3): module and class fixtures, `load_tests` leaving a failing class
/// out, sub-tests, skips and expected failures.
const GEOMETRY: &str = r#"SIDES = {"triangle": 3, "square": 4}


def sides(name):
    return SIDES[name]


def area(width, height):
    if width < 0 or height < 0:
        raise ValueError("negative")
    return width * height


def describe(width, height):
    kind = "square" if width == height else "rectangle"
    return "%s of %d" % (kind, area(width, height))


def ratio(width, height):
    return width / height


def perimeter(width, height):
    total = 0
    for side in (width, height, width, height):
        total += side
    return total
"#;

const GEOMETRY_TESTS: &str = r#"import unittest

from geometry import shapes

CALLS = []


def setUpModule():
    CALLS.append(shapes.sides("square"))


class AreaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.unit = shapes.area(1, 1)

    def test_unit(self):
        self.assertEqual(self.unit, 1)

    def test_areas(self):
        for width, height, expected in [(2, 3, 6), (0, 5, 0)]:
            with self.subTest(width=width, height=height):
                self.assertEqual(shapes.area(width, height), expected)

    def test_negative(self):
        with self.assertRaises(ValueError):
            shapes.area(-1, 2)

    def test_module_fixture(self):
        self.assertEqual(CALLS, [4])


class DescribeTest(unittest.TestCase):
    def test_square(self):
        self.assertTrue(shapes.describe(2, 2).startswith("square"))

    @unittest.skip("ratios are not specified yet")
    def test_ratio(self):
        self.assertEqual(shapes.ratio(1, 2), 0.5)

    @unittest.expectedFailure
    def test_perimeter_is_not_an_area(self):
        self.assertEqual(shapes.perimeter(1, 2), shapes.area(1, 2))
"#;

const GEOMETRY_MORE: &str = r#"import unittest

from geometry import shapes


class SidesTest(unittest.TestCase):
    def test_triangle(self):
        self.assertEqual(shapes.sides("triangle"), 3)


class LeftOutTest(unittest.TestCase):
    def test_left_out(self):
        self.fail("load_tests leaves this class out")


def load_tests(loader, tests, pattern):
    return loader.loadTestsFromTestCase(SidesTest)
"#;

/// The unittest worker against the plain runner, mutant by mutant, on every Python.
#[test]
fn the_unittest_worker_agrees_with_the_plain_runner_on_every_python() {
    let repo = TestRepo::new(&[
        ("geometry/__init__.py", ""),
        ("geometry/shapes.py", GEOMETRY),
        ("tests/__init__.py", ""),
        ("tests/test_shapes.py", GEOMETRY_TESTS),
        ("tests/test_more.py", GEOMETRY_MORE),
    ]);
    for version in PYTHON_VERSIONS {
        let python = pyenv_python(version);
        let tests = format!("{} -m unittest discover -s tests -f", python.display());
        let (found, stderr) = agree(&repo, &tests, &["--code", "geometry"]);
        assert!(
            stderr.contains("ran in the unittest worker"),
            "Python {version}: {stderr}"
        );
        // Function bodies are swapped in the worker, killed by the test that fails.
        let killed_in_worker = found
            .values()
            .filter(|(status, reason, by)| {
                status == "Killed" && reason.is_empty() && !by.is_empty()
            })
            .count();
        assert!(killed_in_worker >= 10, "Python {version}: {found:?}");
        // An expected failure that passes under the mutant kills, as in a fresh run.
        let unexpected = &found["geometry/shapes.py:26:augmented-assign:="];
        assert_eq!(
            unexpected,
            &(
                "Killed".to_owned(),
                String::new(),
                "test_shapes.DescribeTest.test_perimeter_is_not_an_area".to_owned()
            ),
            "Python {version}"
        );
        // Module-level code is re-executed in the worker: SIDES is read by a test and by
        // setUpModule.
        assert_eq!(
            found["geometry/shapes.py:1:number:4"].0, "Killed",
            "Python {version}: {found:?}"
        );
        assert_eq!(
            found["geometry/shapes.py:1:number:5"].0, "Killed",
            "Python {version}: {found:?}"
        );
        assert!(
            stderr.contains(" by re-executing their module)")
                && !stderr.contains("(0 by re-executing their module)"),
            "Python {version}: {stderr}"
        );
    }
}

"""Notebook parameters: declarations read from the parameters cell, values read like Python
writes numbers, and every value held to its declared type."""

import math
from pathlib import Path

import pytest

from qbp.book import build
from qbp.book.parameters import (ParameterError, check, inspect_cell, load_yaml, parse_value,
                                 python_text, shown_cell)

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, value", [
    ("180", 180), ("0.5", 0.5), ("1e-3", 0.001), ("-1e-3", -0.001), ("1E5", 100000.0),
    (".5", 0.5), ("1.", 1.0), ("+3.5", 3.5), ("1_000", 1000), ("-7", -7), ("0x10", 16),
    ("true", True), ("False", False), ("null", None), ("~", None),
    ("[90, 180]", [90, 180]), ("[1e-3, -1e-1]", [0.001, -0.1]),
    # YAML 1.1 would read these as a bool, an octal, a sexagesimal and a date
    ("yes", "yes"), ("on", "on"), ("010", "010"), ("1:30", "1:30"), ("2024-01-01", "2024-01-01"),
    ("inf", "inf"), ("hello", "hello"), ("'007'", "007"), ("tcp://host:8786", "tcp://host:8786"),
    ("", ""),
])
def test_parse_value_reads_numbers_as_python_writes_them(text, value):
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_parse_value_refuses_text_that_is_not_yaml():
    with pytest.raises(ParameterError, match=r"-p layers value '\[1, 2'"):
        parse_value("[1, 2", "layers")


def test_profiles_read_with_python_numbers():
    assert load_yaml("a: {tol: 1e-3, n: 1_000, on: on, xs: [1E2, .5]}") == {
        "a": {"tol": 0.001, "n": 1000, "on": "on", "xs": [100.0, 0.5]}}


CELL = '''\
resolution: int = 360  # grid points per axis
tol: float = 1e-3  # absolute tolerance
layers: list = [1, 3, 6]  # layer counts
mixed: list = [1, 0.5]  # ints and floats
flags: list[bool] = []  # flags
scheduler: str | None = None  # a Dask address or None
label: Optional[str] = "x"
'''


def test_inspect_cell_reads_names_types_defaults_and_help():
    declared = inspect_cell(CELL)
    assert list(declared) == ["resolution", "tol", "layers", "mixed", "flags", "scheduler", "label"]
    assert [p.type_name for p in declared.values()] == [
        "int", "float", "list[int]", "list[float]", "list[bool]", "str | None", "str | None"]
    assert declared["tol"].default == 0.001 and declared["tol"].default_text == "1e-3"
    assert declared["mixed"].default == [1.0, 0.5]
    assert declared["resolution"].help == "grid points per axis"
    assert declared["label"].help == ""


@pytest.mark.parametrize("source, message", [
    ("n = 2  # no annotation", "parameter 'n' has no type annotation"),
    ("n: tuple = (1, 2)", "parameter 'n' has annotation 'tuple', which qbp cannot check"),
    ("n: int = 2.5", "parameter 'n' (its default in here) must be int, got float 2.5"),
    ("n: int = [1", "is not valid Python"),
])
def test_inspect_cell_refuses_what_it_cannot_check(source, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        inspect_cell(source, "here")


def test_default_that_is_no_literal_is_kept_as_text():
    (p,) = inspect_cell("import math\nangle: float = math.pi / 2  # an angle").values()
    assert (p.literal, p.default_text) == (False, "math.pi / 2")


TYPES = inspect_cell(CELL)


@pytest.mark.parametrize("name, value, expected", [
    ("resolution", 180, 180),
    ("tol", 1, 1.0),  # an int widened to float
    ("tol", 0.01, 0.01),
    ("layers", [2, 4], [2, 4]),
    ("mixed", [1, 2], [1.0, 2.0]),
    ("flags", [True], [True]),
    ("scheduler", None, None),
    ("scheduler", "tcp://h:1", "tcp://h:1"),
])
def test_check_accepts_the_declared_type(name, value, expected):
    checked = check(value, TYPES[name].type, name)
    assert checked == expected and type(checked) is type(expected)
    if isinstance(expected, list):
        assert [type(v) for v in checked] == [type(v) for v in expected]


@pytest.mark.parametrize("name, value, message", [
    ("resolution", 16.9, "must be int, got float 16.9"),   # never int() of 16.9
    ("resolution", None, "must be int, got null"),     # no None seed
    ("resolution", True, "must be int, got bool True"),
    ("resolution", "180", "must be int, got str '180'"),
    ("tol", "1e-3x", "must be float, got str '1e-3x'"),
    ("tol", math.nan, "must be a finite number"),
    ("tol", math.inf, "must be a finite number"),
    ("layers", [1, 2.5], "must be list[int], got list [1, 2.5]"),
    ("layers", 3, "must be list[int], got int 3"),
    ("flags", [1], "must be list[bool]"),
    ("label", 3, "quote it to pass a string"),
])
def test_check_refuses_other_types_naming_the_parameter(name, value, message):
    with pytest.raises(ParameterError, match=f"parameter '{name}' of ch .*" + message
                       .replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        check(value, TYPES[name].type, name, " of ch (from -p)")


def test_every_chapter_of_the_book_annotates_its_parameters():
    """The repository's chapters all declare checkable types (inspection refuses others)."""
    notebooks = build.chapters(REPO, strict=False)
    assert len(notebooks) >= 8
    for stem, path in notebooks.items():
        declared = build.notebook_parameters(path)
        assert declared, stem
        assert all(p.literal for p in declared.values()), stem


def test_papermill_reads_every_parameter_the_book_declares():
    """Readers re-run chapters with papermill itself: it must see the same names (it cannot
    parse a line whose comment holds '=' and then warns of an 'unknown parameter')."""
    import papermill

    from qbp.book.report import TEMPLATE

    notebooks = list(build.chapters(REPO, strict=False).values()) + [TEMPLATE]
    for path in notebooks:
        seen = set(papermill.inspect_notebook(str(path)))
        assert seen == set(build.notebook_parameters(path)), path.name


def test_repository_profiles_fit_the_declared_types():
    """book/profiles.yml names only parameters the chapters have, with values of their types."""
    book = {stem: build.inspect_notebook(path)
            for stem, path in build.chapters(REPO, strict=False).items()}
    for name in ("quick", "paper"):
        profile = build.load_profile(REPO, name)
        resolved = build.resolve(book, name, {k: v for k, v in profile.items() if k in book}, {},
                                 REPO)
        costs = resolved["02_resolution"]["matrix_costs"]
        assert (costs["value"], costs["origin"], costs["type"]) == (
            ["tfim", "infidelity"], "profile", "list[str]")
        assert resolved["01_circuit_landscape"]["scheduler"]["origin"] == "profile"
        # list parameters from YAML reach the chapter as lists (the settings matrix's axes)
        axes = resolved["05_success_rates"]["matrix_costs"]
        assert (axes["value"], axes["origin"]) == (["tfim", "infidelity"], "profile")


@pytest.fixture(scope="module")
def real_book():
    return {stem: build.inspect_notebook(path)
            for stem, path in build.chapters(REPO, strict=False).items()}


def test_issue_9_tol_small_1e_3_is_the_float_papermill_reads(real_book):
    """`qbp run 02_resolution -p tol_small 1e-3` once passed the string '1e-3' (YAML 1.1):
    checked on a float parameter of a real chapter (whichever declares one)."""
    stem, name = next((stem, name) for stem, chapter in sorted(real_book.items())
                      for name, p in chapter.parameters.items() if p.type.kind == "float")
    book = {stem: real_book[stem]}
    for text, value in [("1e-3", 0.001), ("-1e-3", -0.001), ("1E-1", 0.1), ("1", 1.0)]:
        overrides = build.parse_overrides([(name, text)])
        row = build.resolve(book, None, {}, overrides, REPO)[stem][name]
        assert (row["value"], type(row["value"]), row["origin"]) == (value, float, "-p")


@pytest.mark.parametrize("stem, name, text, message", [
    ("01_circuit_landscape", "resolution", "16.9", "must be int, got float 16.9"),
    ("01_circuit_landscape", "seed", "null", "must be int, got null"),
    ("02_resolution", "layers", "[1, 2.5]", "must be list[int], got list [1, 2.5]"),
    ("05_success_rates", "scheduler", "3", "must be str, got int 3"),
])
def test_issue_9_wrong_types_for_real_chapters_are_refused(real_book, stem, name, text, message):
    overrides = build.parse_overrides([(name, text)])
    with pytest.raises(build.UsageError) as err:
        build.resolve({stem: real_book[stem]}, None, {}, overrides, REPO)
    assert str(err.value).startswith(f"parameter '{name}' of chapter {stem} (from -p) {message}")


def test_shown_cell_writes_the_values_that_ran_with_the_defaults_in_the_comments():
    source = ("n: int = 2  # qubits\n"
              "cost: str = 'tfim'  # the cost\n"
              "layers: list[int] = [1,\n"
              "                     3]  # layer counts\n"
              "lr: float = 0.1\n"
              "print(n)  # not a declaration, kept\n")
    shown = shown_cell(source, {"n": 3, "cost": "infidelity", "layers": [2], "lr": 0.1})
    assert shown == ("n: int = 3  # qubits (default 2)\n"
                     'cost: str = "infidelity"  # the cost (default \'tfim\')\n'
                     "layers: list[int] = [2]  # layer counts (default [1, 3])\n"
                     "lr: float = 0.1\n"  # given its default: unchanged
                     "print(n)  # not a declaration, kept\n")
    assert shown_cell(source, {}) == source
    assert shown_cell("lr: float = 0.1", {"lr": 1}) == "lr: float = 1.0  # default 0.1"
    # the rewritten cell declares the same parameters, now with the values that ran
    declared = inspect_cell(shown)
    assert {k: p.default for k, p in declared.items()} == {
        "n": 3, "cost": "infidelity", "layers": [2], "lr": 0.1}


def test_python_text_writes_values_as_papermill_does():
    import papermill.translators as translators

    for value in ['say "hi"', "back\\slash", 0.001, -3, [1, 2.5, "x"], None, True,
                  {"a": [1, None]}]:
        assert python_text(value) == translators.PythonTranslator.translate(value), value

"""Notebook parameters: what a chapter declares, how values are read, and the type check.

A chapter declares its parameters in the cell tagged ``parameters``, one annotated assignment
each, with the help text as a trailing comment::

    resolution: int = 360  # grid points per axis
    tols: list[float] = [1e-3, 0.1]  # absolute tolerances
    scheduler: str | None = None  # a Dask address, or None to run here

:func:`inspect` reads that cell with :mod:`ast` (not papermill's regular expressions, which
miss ``str | None`` and need a kernelspec) and refuses a parameter without an annotation.
:func:`parse_value` reads a ``-p`` value and :func:`load_yaml` reads book/profiles.yml, both
as YAML whose numbers are Python's (``1e-3``, ``-1e-3``, ``1E5``, ``.5``, ``1_000``, ``0x10``)
and whose booleans are ``true``/``false`` only (YAML 1.1 reads ``1e-3`` as a string and
``on``/``010``/``1:30`` as a bool, an octal and a sexagesimal number). :func:`check` holds a
value to the declared type: an int is widened to a float for a float parameter, nothing else
is converted (no int() of 16.9, no None where the notebook wants an int).

Supported annotations: ``int``, ``float``, ``bool``, ``str``, ``dict``, ``list`` and
``list[T]``, and unions with ``None`` (``str | None``, ``Optional[str]``). A bare ``list``
whose default is a non-empty list of one scalar type (``[1, 3, 6]``) is read as a list of that
type (``list[int]``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import math
import re
import tokenize
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["ParameterError", "Parameter", "inspect_cell", "parse_value", "load_yaml", "check",
           "type_name", "python_text", "shown_cell"]


class ParameterError(ValueError):
    """A declaration or a value that does not fit; the message names the parameter."""


# --- reading values: YAML with Python's numbers ----------------------------------------------

_INT = re.compile(r"""^[-+]?(?:0(?:_?0)*|[1-9](?:_?[0-9])*
                    |0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$""", re.X)
_DIGITS = r"[0-9](?:_?[0-9])*"
_FLOAT = re.compile(rf"""^[-+]?(?:(?:{_DIGITS})?\.{_DIGITS}(?:[eE][-+]?{_DIGITS})?
                      |{_DIGITS}\.(?:[eE][-+]?{_DIGITS})?
                      |{_DIGITS}[eE][-+]?{_DIGITS}
                      |\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class _Loader(yaml.SafeLoader):
    """YAML for parameters: numbers as Python writes them, ``true``/``false`` as booleans
    (YAML 1.2's core schema), no dates, octals or sexagesimals."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                           "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    sign, body = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
    return sign * int(body, 0)


def _construct_float(loader, node):
    text = loader.construct_scalar(node)
    special = {".inf": math.inf, ".nan": math.nan}
    bare = text.lstrip("+-").lower()
    if bare in special:
        return -special[bare] if text.startswith("-") else special[bare]
    return float(text)


def _construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(text: str) -> Any:
    """``text`` read as YAML with Python's numbers (see the module docstring).

    Raises ``yaml.YAMLError`` if it is not YAML, ``ValueError`` if a number does not parse.
    """
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def parse_value(text: str, name: str = "") -> Any:
    """A ``-p`` value: ``180`` int, ``1e-3`` float, ``true`` bool, ``[90, 180]`` list, ``null``
    None, anything else the text itself (``hello``, ``2024-01-01``, ``010``); ``''`` is ''.

    Raises :class:`ParameterError` naming ``name`` for text that is not YAML (``[1, 2``).
    """
    if text == "":
        return ""
    try:
        value = load_yaml(text)
    except (yaml.YAMLError, ValueError):
        where = f"-p {name} value" if name else "value"
        raise ParameterError(f"malformed {where} '{text}': not valid YAML "
                             f"(quote it to pass a string)") from None
    if isinstance(value, (str, int, float, bool, list, dict, type(None))):
        return value
    return text


# --- declared types --------------------------------------------------------------------------

_SCALARS = {"int": int, "float": float, "bool": bool, "str": str, "dict": dict, "list": list}


@dataclass(frozen=True)
class _Type:
    """A parsed annotation: ``kind`` is a name of :data:`_SCALARS`, ``item`` the element type
    of a list (None: any), ``optional`` whether None is allowed."""

    kind: str
    item: "_Type | None" = None
    optional: bool = False

    def __str__(self) -> str:
        text = f"list[{self.item}]" if self.kind == "list" and self.item else self.kind
        return f"{text} | None" if self.optional else text


def _parse_annotation(node: ast.AST) -> _Type:
    """An annotation's AST as a :class:`_Type`; ValueError for anything not supported."""
    if isinstance(node, ast.Name) and node.id in _SCALARS:
        return _Type(node.id)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id in ("list", "List"):
            return _Type("list", item=_parse_annotation(node.slice))
        if node.value.id == "Optional":
            inner = _parse_annotation(node.slice)
            return _Type(inner.kind, inner.item, optional=True)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        nones = [s for s in sides if isinstance(s, ast.Constant) and s.value is None]
        if len(nones) == 1:
            inner = _parse_annotation(next(s for s in sides if s is not nones[0]))
            return _Type(inner.kind, inner.item, optional=True)
    raise ValueError(ast.unparse(node))


def _scalar_kind(value: Any) -> str | None:
    for kind in ("bool", "int", "float", "str"):
        if type(value) is _SCALARS[kind]:
            return kind
    return None


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: ``name``, its ``annotation`` as written, the default as source
    text (``default_text``) and as a value (``default``, None if the text is no literal, see
    ``literal``), and ``help`` (the trailing comment)."""

    name: str
    annotation: str
    default_text: str
    help: str
    type: _Type
    default: Any = None
    literal: bool = True

    @property
    def type_name(self) -> str:
        """The type the values are held to (``int``, ``list[int]``, ``str | None``)."""
        return str(self.type)


def _comments(source: str) -> dict[int, str]:
    """The comment on each line of ``source`` (1-based line number -> text after ``#``)."""
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):  # ast accepted it; comments are extras
        pass
    return comments


def inspect_cell(source: str, where: str = "the parameters cell") -> dict[str, Parameter]:
    """The parameters declared in ``source`` (a ``parameters`` cell), in order.

    Only top-level assignments count; other statements are ignored as papermill ignores them.
    Raises :class:`ParameterError` naming ``where`` and the parameter for a cell that is not
    Python, an assignment without an annotation, an annotation qbp cannot check, or a
    literal default that does not fit its annotation.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ParameterError(f"{where} is not valid Python (line {err.lineno}: {err.msg})") from None
    comments = _comments(source)
    declared: dict[str, Parameter] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            names = [ast.unparse(t) for t in statement.targets]
            text = ast.get_source_segment(source, statement.value) or ast.unparse(statement.value)
            raise ParameterError(
                f"{where}: parameter '{names[0]}' has no type annotation; qbp checks every "
                f"value against it (write e.g. `{names[0]}: int = {text}`)")
        if not isinstance(statement, ast.AnnAssign):
            continue
        if not isinstance(statement.target, ast.Name) or statement.value is None:
            what = ast.unparse(statement.target)
            raise ParameterError(f"{where}: '{ast.unparse(statement)}' declares no parameter "
                                 f"with a default ({what})")
        name = statement.target.id
        try:
            declared_type = _parse_annotation(statement.annotation)
        except ValueError as err:
            raise ParameterError(
                f"{where}: parameter '{name}' has annotation '{err}', which qbp cannot check "
                f"(use int, float, bool, str, dict, list, list[T], or T | None)") from None
        text = ast.get_source_segment(source, statement.value) or ast.unparse(statement.value)
        try:
            default, literal = ast.literal_eval(statement.value), True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            default, literal = None, False
        if literal:
            if (declared_type.kind == "list" and declared_type.item is None
                    and isinstance(default, list) and default):
                kinds = {_scalar_kind(v) for v in default}
                if kinds == {"int", "float"}:
                    kinds = {"float"}
                if len(kinds) == 1 and None not in kinds:
                    declared_type = _Type("list", _Type(kinds.pop()), declared_type.optional)
            default = check(default, declared_type, name, f" (its default in {where})")
        declared[name] = Parameter(name, ast.unparse(statement.annotation), text,
                                   comments.get(statement.lineno, ""), declared_type, default,
                                   literal)
    return declared


def type_name(value: Any) -> str:
    """How an error message names a value's type (``int``, ``null``, ``list``)."""
    return "null" if value is None else type(value).__name__


def _fits(value: Any, declared: _Type) -> tuple[bool, Any]:
    if value is None:
        return declared.optional, None
    kind = declared.kind
    if kind == "float":
        if isinstance(value, int) and not isinstance(value, bool):
            return True, float(value)  # widened: an int is a float's value
        if type(value) is float:
            return math.isfinite(value), value
        return False, value
    if kind == "int":
        return type(value) is int, value
    if kind == "list":
        if not isinstance(value, list):
            return False, value
        if declared.item is None:
            return True, value
        out = []
        for item in value:
            ok, item = _fits(item, declared.item)
            if not ok:
                return False, value
            out.append(item)
        return True, out
    return isinstance(value, _SCALARS[kind]) and not (kind == "int" and isinstance(value, bool)), value


def check(value: Any, declared: _Type, name: str, context: str = "") -> Any:
    """``value`` if it has the ``declared`` type (an int widened to float for a float, also
    inside lists); else :class:`ParameterError` naming ``name``, followed by ``context``
    (e.g. " of chapter 02_resolution (from -p)"). Floats must be finite."""
    ok, checked = _fits(value, declared)
    if ok:
        return checked
    shown = "null" if value is None else repr(value)
    if type(value) is float and not math.isfinite(value):
        problem = f"must be a finite number, got {shown}"
    elif value is None:
        problem = f"must be {declared}, got null (a value is required)"
    else:
        problem = f"must be {declared}, got {type_name(value)} {shown}"
    hint = ""
    if declared.kind == "str" and isinstance(value, (int, float, bool)):
        hint = " (quote it to pass a string)"
    raise ParameterError(f"parameter '{name}'{context} {problem}{hint}")


# --- the parameters cell as it ran -----------------------------------------------------------


def python_text(value: Any) -> str:
    """``value`` as Python source, written the way papermill writes its injected cell
    (``"tfim"``, ``0.001``, ``[90, 180]``, ``True``, ``None``)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(python_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_text(k)}: {python_text(v)}" for k, v in value.items()) + "}"
    return repr(value)


def shown_cell(source: str, values: dict[str, Any]) -> str:
    """The ``parameters`` cell ``source`` rewritten to show the values a run used.

    Every top-level declaration whose name is in ``values`` with a value other than its
    default becomes one line with that value, the default kept in the comment::

        resolution: int = 360  # grid points per axis
        # with values={"resolution": 60}:
        resolution: int = 60  # grid points per axis (default 360)

    Other lines are kept as they are (a multi-line declaration that is rewritten becomes one
    line). Raises :class:`ParameterError` if ``source`` is not Python. This is for the page
    only: the committed notebook, which qbp inspects and keys its cache on, is not changed.
    """
    declared = inspect_cell(source)
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    comments = _comments(source)
    edits = []
    for statement in tree.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        if name not in values:
            continue
        parameter = declared[name]
        value = values[name]
        with contextlib.suppress(ParameterError):  # the value as the run held it (int -> float)
            value = check(value, parameter.type, name)
        if parameter.literal and type(value) is type(parameter.default) \
                and value == parameter.default:
            continue
        first, last = statement.lineno - 1, statement.end_lineno - 1
        indent = lines[first][:statement.col_offset]
        annotation = ast.get_source_segment(source, statement.annotation) or parameter.annotation
        default = " ".join(parameter.default_text.split())
        help = " ".join(comments[i] for i in range(first + 1, last + 2) if comments.get(i))
        note = f"{help} (default {default})" if help else f"default {default}"
        ending = "\n" if lines[last].endswith("\n") else ""
        edits.append((first, last, f"{indent}{name}: {annotation} = {python_text(value)}  "
                                   f"# {note}{ending}"))
    for first, last, line in reversed(edits):
        lines[first:last + 1] = [line]
    return "".join(lines)

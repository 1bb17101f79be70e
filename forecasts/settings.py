"""Settings files (`targets.yaml`, `scenario.yaml`): reading them, and their validation errors in a planner's words.

- Their text is read by `tabular.read_text` (within the input limits; UTF-8, UTF-16 with BOM or
  Windows-1252, what Excel and Notepad save).
- `SettingsLoader`: YAML's safe loader, except that a key given twice in a mapping is an error
  (YAML would keep the last silently).
- `Settings`: the base of every user-facing pydantic schema: unknown keys are errors, NaN and
  infinity are not numbers, yes/no is not a number and a number is neither yes/no nor a date or time.
- `validation_problems`: pydantic's errors as located problems worded for a planner
  ("rules → max consecutive days must be at least 1").
"""

from __future__ import annotations

import datetime as dt
import numbers
import typing

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from tabular import InputError, Problem

_TEMPORAL = {  # what a planner calls it, and how to write it
    dt.date: ("a date", "YYYY-MM-DD, e.g. 2026-11-23"),
    dt.time: ("a time of day", "HH:MM, e.g. 08:30"),
    dt.datetime: ("a date and time", "YYYY-MM-DD HH:MM, e.g. 2026-11-25 14:00"),
}


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice."""


class SettingsLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (merge keys `<<` may be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, typing.Hashable):
                continue  # the safe loader refuses it below, with its own message
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise DuplicateKeyError(
                    problem=f"key '{key}' is given twice (lines {first_line[key]} and {line}); keep one",
                    problem_mark=key_node.start_mark,
                )
            first_line[key] = line
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, name: str, loader: type[yaml.SafeLoader] = SettingsLoader) -> object:
    """The YAML document of `text`; InputError naming the line of a syntax error or a repeated key."""
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - loader is a SafeLoader subclass
    except DuplicateKeyError as error:
        raise InputError(Problem(error.problem, name)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(Problem(f"not valid YAML: {where}{error.problem or error.context}", name)) from None
    except yaml.YAMLError as error:
        raise InputError(Problem(f"not valid YAML: {error}", name)) from None


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class Settings(BaseModel):
    """User-facing schema: a typo is an error, not a silently ignored setting; every value means what it says."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _kind_of_value(cls, value: object, info: ValidationInfo) -> object:
        """pydantic would read yes as 1, 8 as 00:00:08 and 20261123 as a Unix time: refuse such readings."""
        kinds = _scalar_kinds(cls.model_fields[info.field_name].annotation)
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if kinds & {int, float} and _is_yes_no(item):
                raise ValueError(f"{item} is yes/no, not a number; give a number")
            if bool in kinds and _is_number(item):
                raise ValueError(f"{item} is a number; give yes or no (true or false)")
            for kind in kinds & _TEMPORAL.keys():
                if _is_number(item) or _is_yes_no(item):
                    noun, written = _TEMPORAL[kind]
                    raise ValueError(f"{item} is not {noun}; write it as {written}")
        return _canonical_words(value, kinds)


def _canonical_words(value: object, kinds: set) -> object:
    """A choice among words as written in a spreadsheet ('Deferred', ' Sat') read as the word itself."""
    choices = {option.lower(): option for kind in kinds if typing.get_origin(kind) is typing.Literal
               for option in typing.get_args(kind) if isinstance(option, str)}
    if not choices:
        return value

    def canonical(item: object) -> object:
        return choices.get(item.strip().lower(), item) if isinstance(item, str) else item

    return type(value)(map(canonical, value)) if isinstance(value, (list, tuple)) else canonical(value)


def _scalar_kinds(annotation: object) -> set:
    """The types a field's values may take: `float | None` → {float, None}; `tuple[float, ...]` → {float, ...}."""
    args = typing.get_args(annotation)
    if not args or typing.get_origin(annotation) is typing.Literal:
        return {annotation}
    return set().union(*(_scalar_kinds(arg) for arg in args))


def _is_yes_no(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number) and not _is_yes_no(value)


# --------------------------------------------------------------------------------------------
# Validation errors in a planner's words
# --------------------------------------------------------------------------------------------


def validation_problems(error: ValidationError, file: str | None = None) -> list[Problem]:
    """pydantic's errors as located problems (dot path as the column), each worded for a planner:
    the setting's name as a planner reads it and what it must be ("must be at least 1")."""
    items = error.errors()
    problems = []
    for item in items:
        if item["type"] == "too_short" and _inside(item["loc"], items):
            continue  # a list is short only because some of its items failed: those are the problems
        path = ".".join(str(part) for part in item["loc"])
        problems.append(Problem(_message(item), file=file, column=path or None))
    return problems


def _inside(loc: tuple, items: list[dict]) -> bool:
    """Whether another error lies inside the value at `loc`."""
    return any(other["loc"][: len(loc)] == loc and len(other["loc"]) > len(loc) for other in items)


def _message(item: dict) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):  # our validators' own sentences
        return str(ctx.get("error", item["msg"]))
    if kind == "extra_forbidden":
        return "unknown key (check the spelling)"
    label = setting_label(item["loc"])
    return f"{label} {_requirement(kind, ctx, item['msg'])}" if label else _requirement(kind, ctx, item["msg"])


def setting_label(loc: tuple) -> str:
    """`('rules', 'max_consecutive_days')` as 'rules → max consecutive days'; list positions count from 1."""
    words: list[str] = []
    for part in loc:
        if isinstance(part, int) and words:
            words[-1] += f" {part + 1}"
        else:
            words.append(str(part).replace("_", " "))
    return " → ".join(words)


def _requirement(kind: str, ctx: dict, msg: str) -> str:
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be more than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {_number(ctx[key])}"
    if kind in _REQUIREMENTS:
        return _REQUIREMENTS[kind]
    if kind == "literal_error":
        return f"must be {ctx['expected']}"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item{'s' if ctx['min_length'] != 1 else ''}"
    if kind == "too_long":
        return f"takes at most {ctx['max_length']} item{'s' if ctx['max_length'] != 1 else ''}"
    for prefix, requirement in _REQUIREMENT_FAMILIES.items():
        if kind.startswith(prefix):
            return requirement
    return msg.replace("Input should be", "must be")


_REQUIREMENTS = {
    "finite_number": "is not a number (NaN or infinity); it must be finite",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "is far too large",
    "bool_type": "must be yes or no (true or false)",
    "bool_parsing": "must be yes or no (true or false)",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "missing": "is missing; it is required",
    "dict_type": "must be a group of settings (key: value lines)",
    "model_type": "must be a group of settings (key: value lines)",
    "model_attributes_type": "must be a group of settings (key: value lines)",
    "list_type": "must be a list, e.g. [a, b]",
    "tuple_type": "must be a list, e.g. [a, b]",
}
_REQUIREMENT_FAMILIES = {  # checked in order: datetime before date
    prefix: "must be {}, written {}".format(*_TEMPORAL[kind])
    for prefix, kind in (("datetime", dt.datetime), ("date", dt.date), ("time", dt.time))
}


def _number(value: object) -> str:
    """A bound as a planner writes it: 100,000, 0.5."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"

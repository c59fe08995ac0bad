"""How the fake database reads queries and applies updates: MongoDB's semantics for the operators the
stores use, and `NotImplementedError` for any other, so a fake never answers what the database would not."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Doc = dict[str, Any]

MISSING = object()
DUPLICATE_KEY = 11000


# ---------------------------------------------------------------------------------------- documents


def get_path(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = copy.deepcopy(value)


def unset_path(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.get(part, {})
    if isinstance(doc, dict):
        doc.pop(last, None)


def _compare(value: Any, op: str, operand: Any) -> bool:
    """An ordering comparison; values of different kinds (None against a number) never match."""
    if value is MISSING or value is None or operand is None:
        return False
    try:
        return {
            "$lt": value < operand,
            "$lte": value <= operand,
            "$gt": value > operand,
            "$gte": value >= operand,
        }[op]
    except TypeError:
        return False


def _equal(value: Any, operand: Any) -> bool:
    """MongoDB's equality: a missing field equals null, and an array matches any element equal to it."""
    if value is MISSING:
        return operand is None
    if isinstance(value, list) and not isinstance(operand, list):
        return any(_equal(item, operand) for item in value)
    return bool(value == operand)


def _matches_field(value: Any, condition: Any) -> bool:
    if not (isinstance(condition, Mapping) and condition and all(k.startswith("$") for k in condition)):
        return _equal(value, condition)
    for op, operand in condition.items():
        if op == "$eq":
            ok = _equal(value, operand)
        elif op == "$ne":
            ok = not _equal(value, operand)
        elif op in ("$lt", "$lte", "$gt", "$gte"):
            ok = (
                any(_compare(v, op, operand) for v in value)
                if isinstance(value, list)
                else _compare(value, op, operand)
            )
        elif op == "$in":
            ok = any(_equal(value, candidate) for candidate in operand)
        elif op == "$nin":
            ok = not any(_equal(value, candidate) for candidate in operand)
        elif op == "$exists":
            ok = (value is not MISSING) == bool(operand)
        else:
            raise NotImplementedError(f"the fake database does not know the query operator {op}")
        if not ok:
            return False
    return True


def matches(doc: Mapping[str, Any], query: Mapping[str, Any] | None) -> bool:
    """Whether `doc` matches a MongoDB query (the operators the stores use)."""
    for key, condition in (query or {}).items():
        if key == "$and":
            ok = all(matches(doc, part) for part in condition)
        elif key == "$or":
            ok = any(matches(doc, part) for part in condition)
        elif key.startswith("$"):
            raise NotImplementedError(f"the fake database does not know the query operator {key}")
        else:
            ok = _matches_field(get_path(doc, key), condition)
        if not ok:
            return False
    return True


def apply_update(doc: dict[str, Any], update: Mapping[str, Any], *, inserting: bool) -> None:
    if not update or not all(key.startswith("$") for key in update):
        raise NotImplementedError("the fake database takes update operators only, not replacements")
    for op, fields in update.items():
        for path, value in fields.items():
            if op == "$set":
                set_path(doc, path, value)
            elif op == "$setOnInsert":
                if inserting:
                    set_path(doc, path, value)
            elif op == "$unset":
                unset_path(doc, path)
            elif op == "$inc":
                current = get_path(doc, path)
                set_path(doc, path, (0 if current is MISSING else current) + value)
            elif op == "$push":
                current = get_path(doc, path)
                set_path(doc, path, [*([] if current is MISSING else current), value])
            else:
                raise NotImplementedError(f"the fake database does not know the update operator {op}")


def project(doc: Doc, projection: Any) -> Doc:
    if not projection:
        return copy.deepcopy(doc)
    fields = dict.fromkeys(projection, 1) if isinstance(projection, list | tuple) else dict(projection)
    keep_id = fields.pop("_id", 1)
    if fields and all(not flag for flag in fields.values()):  # an exclusion
        out = copy.deepcopy(doc)
        for path in fields:
            unset_path(out, path)
    else:
        out = {}
        for path in fields:
            value = get_path(doc, path)
            if value is not MISSING:
                set_path(out, path, value)
    if keep_id and "_id" in doc:
        out["_id"] = doc["_id"]
    elif not keep_id:
        out.pop("_id", None)
    return out


def sort_docs(docs: list[Doc], sort: Any) -> list[Doc]:
    if not sort:
        return docs
    keys = list(sort.items()) if isinstance(sort, Mapping) else [tuple(part) for part in sort]

    def key(doc: Doc, path: str) -> tuple[int, Any]:
        value = get_path(doc, path)
        return (0, 0) if value is None or value is MISSING else (1, value)  # null sorts first

    for path, direction in reversed(keys):
        docs = sorted(docs, key=lambda d, path=path: key(d, path), reverse=direction < 0)
    return docs

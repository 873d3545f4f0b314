"""Request bodies from snake_case keywords or a model, validated before anything is sent."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import msgspec
import msgspec.inspect

__all__ = ["build_body", "set_paths"]

S = TypeVar("S", bound=msgspec.Struct)


@functools.cache
def _wire_names(model: type[msgspec.Struct]) -> Mapping[str, str]:
    """attribute name -> wire name for every field of `model`."""
    return {f.name: f.encode_name for f in msgspec.structs.fields(model)}


def build_body(
    model: type[S],
    body: S | None,
    fields: Mapping[str, Any],
    *,
    nested: Mapping[str, type[msgspec.Struct]] | None = None,
    gated: Sequence[str] = (),
    where: str = "",
) -> tuple[S, list[str]]:
    """Merge `fields` (snake_case attribute names) into `body`; return it and the wire names set,
    with every field set under the `gated` attributes as a path, all the way down
    ("HostConfig.Mounts[].BindOptions.CreateMountpoint"), for the version gates.

    A keyword that is not a field of `model` but is one of a `nested` model (e.g. a
    HostConfig field given to `containers.create`) goes into that nested field. Values are
    checked against the model's types; a wrong name raises TypeError (with suggestions),
    a wrong value ValueError naming the field.
    """
    names = _wire_names(model)
    top: dict[str, Any] = {}
    inner: dict[str, dict[str, Any]] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name in names:
            top[name] = value
            continue
        for holder, nested_model in (nested or {}).items():
            if name in _wire_names(nested_model):
                inner.setdefault(holder, {})[name] = value
                break
        else:
            known = list(names) + [n for m in (nested or {}).values() for n in _wire_names(m)]
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise TypeError(f"{where or model.__name__}() got an unknown field {name!r}{hint}")
    for holder, values in inner.items():
        if holder in top:
            raise TypeError(
                f"{where or model.__name__}(): pass {sorted(values)} inside {holder}= or as "
                f"keywords, not both"
            )
        # Keywords add to the body's own nested model (e.g. its HostConfig), never replace it.
        inner_body = getattr(body, holder, None) if body is not None else None
        top[holder] = _merge(inner_body, values, (nested or {})[holder], where)
    merged = _merge(body, top, model, where)
    set_names = [names[name] for name in top]
    if body is not None:
        set_names.extend(
            names[name]
            for name in names
            if name not in top and getattr(body, name, None) is not None
        )
    # Nested fields are gated too ("HostConfig.Annotations"), however they were given.
    paths: set[str] = set()
    for holder in gated:
        value = getattr(merged, holder, None)
        if isinstance(value, msgspec.Struct):
            _set_paths(value, names[holder], paths)
    set_names.extend(sorted(paths))
    return merged, set_names


def set_paths(value: msgspec.Struct, prefix: str) -> list[str]:
    """The paths of every field set in `value` and below it, under `prefix` (see `_set_paths`)."""
    out: set[str] = set()
    _set_paths(value, prefix, out)
    return sorted(out)


def _set_paths(value: msgspec.Struct, prefix: str, out: set[str]) -> None:
    """Add "prefix.Field" for every field set in `value`, and below it: list items as
    "Field[].Sub", map values as "Field{}.Sub" (lists of them as "Field{}[].Sub")."""
    for name, wire in _wire_names(type(value)).items():
        field = getattr(value, name)
        if field is None:
            continue
        path = f"{prefix}.{wire}"
        out.add(path)
        _below(field, path, out)


def _below(field: object, path: str, out: set[str]) -> None:
    if isinstance(field, msgspec.Struct):
        _set_paths(field, path, out)
    elif isinstance(field, list):
        for item in field:
            if isinstance(item, msgspec.Struct):
                _set_paths(item, path + "[]", out)
    elif isinstance(field, dict):
        for item in field.values():
            if isinstance(item, msgspec.Struct):
                _set_paths(item, path + "{}", out)
            elif isinstance(item, list):
                _below(item, path + "{}", out)


def _merge(body: S | None, values: Mapping[str, Any], model: type[S], where: str) -> S:
    info = _struct_info(model)
    fields = {f.name: f for f in info.fields}
    wire: dict[str, Any] = _to_wire(body, info, where) if body is not None else {}
    for name, value in values.items():
        field = fields[name]
        given = _to_wire(value, field.type, f"{where}: {name}")
        own = wire.get(field.encode_name)
        if isinstance(own, dict) and isinstance(given, dict) and _is_model(field.type):
            # A nested model given as a keyword (host_config=) adds to the body's own,
            # field by field, as the flat keywords do; it never drops the body's fields.
            given = {**own, **given}
        wire[field.encode_name] = given
    try:
        return msgspec.convert(wire, model)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{where or model.__name__}(): {exc}") from exc


@functools.cache
def _struct_info(model: type[msgspec.Struct]) -> msgspec.inspect.StructType:
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType)
    return info


def _to_wire(value: Any, kind: msgspec.inspect.Type, where: str) -> Any:
    """`value` as JSON-ready builtins with the wire names of `kind`'s models, all the way
    down. A mapping given for a model may use the attribute names (`{"name": "always"}`)
    or the wire names (`{"Name": "always"}`); any other key is refused: msgspec would
    drop it without a word, and the daemon would take the empty value. The same holds
    for mappings put inside a model (`HostConfig(restart_policy={...})`), which models
    do not check when they are made."""
    if isinstance(kind, msgspec.inspect.UnionType):
        for member in kind.types:
            if _fits(value, member):
                return _to_wire(value, member, where)
        return msgspec.to_builtins(value)
    if isinstance(kind, msgspec.inspect.StructType):
        fields = kind.fields
        if isinstance(value, kind.cls):
            out: dict[str, Any] = msgspec.to_builtins(value)  # drops unset fields
            for field in fields:
                if field.encode_name in out:
                    sub = getattr(value, field.name)
                    out[field.encode_name] = _to_wire(sub, field.type, f"{where}.{field.name}")
            return out
        if isinstance(value, Mapping):
            by_key = {f.name: f for f in fields} | {f.encode_name: f for f in fields}
            out = {}
            for key, item in value.items():
                found = by_key.get(key)
                if found is None:
                    close = difflib.get_close_matches(str(key), list(by_key), n=3)
                    hint = f"; did you mean {', '.join(close)}?" if close else ""
                    raise TypeError(f"{where}: {kind.cls.__name__} has no field {key!r}{hint}")
                out[found.encode_name] = _to_wire(item, found.type, f"{where}.{found.name}")
            return out
    elif isinstance(kind, msgspec.inspect.ListType) and isinstance(value, list | tuple):
        return [_to_wire(item, kind.item_type, f"{where}[]") for item in value]
    elif isinstance(kind, msgspec.inspect.DictType) and isinstance(value, Mapping):
        return {k: _to_wire(v, kind.value_type, f"{where}{{}}") for k, v in value.items()}
    return msgspec.to_builtins(value)


def _is_model(kind: msgspec.inspect.Type) -> bool:
    if isinstance(kind, msgspec.inspect.UnionType):
        return any(isinstance(member, msgspec.inspect.StructType) for member in kind.types)
    return isinstance(kind, msgspec.inspect.StructType)


def _fits(value: Any, kind: msgspec.inspect.Type) -> bool:
    """Whether `value` has the shape of this member of a union (for the walk above)."""
    if isinstance(kind, msgspec.inspect.StructType):
        return isinstance(value, msgspec.Struct | Mapping)
    if isinstance(kind, msgspec.inspect.DictType):
        return isinstance(value, Mapping)
    if isinstance(kind, msgspec.inspect.ListType):
        return isinstance(value, list | tuple)
    return False

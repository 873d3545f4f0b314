"""Generate aiodocker_engine/_operations.py: the operation index and the API version gates.

Usage: python scripts/generate_operations.py SPEC_DIR [--check] [--output FILE]

Theory of operation:

1. Every ``engine-api-v1.NN.yaml`` in SPEC_DIR is read (not the ``-docker-20.10`` copy, which is
   the 1.41 document as the release shipped it); the versions must be contiguous.
2. An *endpoint* is HTTP method + path with the path-parameter names erased. Endpoints and
   operationIds are joined into one history (union-find), so an operation whose operationId was
   renamed (``ContainerGetArchive`` became ``ContainerArchive`` in 1.28) keeps its first version.
3. An operation's minimum version is the first file that lists it.
4. A *parameter* is a query or header parameter (wire name) or a top-level property of a JSON
   object body (following ``$ref`` and ``allOf``), or any property below one of the body
   objects NESTED_BODY_FIELDS names, as a path (``HostConfig.Mounts[].BindOptions.
   CreateMountpoint``: ``[]`` for array items, ``{}`` for map values). Its minimum is the
   first file that lists it, its maximum the last one; only minima later than the
   operation's own, and maxima older than the newest file, are emitted, and for a nested
   path only when the file just before (after) still lists fields of its parent: a path that
   appears because the docs reshaped its parent says nothing about the daemon. A parameter
   missing from a file between the two is a hole in the docs, not a removal: holes are
   reported unless listed in KNOWN_GAPS.
5. Upstream keeps fixing the old files on master, and did not always document a change in the
   version that made it. ERRATA and IGNORED correct the cases where upstream's changelog
   (``engine-api-CHANGELOG.md``) or a doc-fix pull request shows a file is wrong. Each entry
   must match something in the files, so a stale entry fails the run instead of rotting.
6. Method names are a decision, not data: METHOD_NAMES names every operationId of the newest
   file, and the run fails if the newest file has an operationId it does not name.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Version = tuple[int, int]

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "aiodocker_engine" / "_operations.py"
SCRIPT = "scripts/generate_operations.py"

SPEC_FILE = re.compile(r"engine-api-v(\d+)\.(\d+)\.yaml")
HTTP_METHODS = ("get", "put", "post", "delete", "head", "patch", "options")

GROUPS = (
    "containers",
    "images",
    "exec",
    "networks",
    "volumes",
    "system",
    "swarm",
    "services",
    "nodes",
    "tasks",
    "secrets",
    "configs",
    "plugins",
    "distribution",
    "session",
)

# operationId -> "group.method". Core names are fixed by DESIGN.md; the rest follow the Docker
# CLI verbs (`docker network connect`, `docker swarm unlock-key`, ...), with `remove` for DELETE.
# PluginSet is `plugins.configure`, not `plugins.set`: a method named `set` would shadow the
# builtin inside the class body (annotations such as `set[str]` there would resolve to the
# method), and docker-py names the same call `configure_plugin` / `Plugin.configure`.
# Session upgrades the connection to a raw h2c stream for BuildKit; Docker's Go client opens it
# with `DialHijack`, hence `session.dial`.
METHOD_NAMES: dict[str, str] = {
    "ContainerList": "containers.list",
    "ContainerCreate": "containers.create",
    "ContainerInspect": "containers.inspect",
    "ContainerTop": "containers.top",
    "ContainerLogs": "containers.logs",
    "ContainerChanges": "containers.changes",
    "ContainerExport": "containers.export",
    "ContainerStats": "containers.stats",
    "ContainerResize": "containers.resize",
    "ContainerStart": "containers.start",
    "ContainerStop": "containers.stop",
    "ContainerRestart": "containers.restart",
    "ContainerKill": "containers.kill",
    "ContainerUpdate": "containers.update",
    "ContainerRename": "containers.rename",
    "ContainerPause": "containers.pause",
    "ContainerUnpause": "containers.unpause",
    "ContainerAttach": "containers.attach",
    "ContainerAttachWebsocket": "containers.attach_websocket",
    "ContainerWait": "containers.wait",
    "ContainerDelete": "containers.remove",
    "ContainerArchiveInfo": "containers.stat_path",
    "ContainerArchive": "containers.get_archive",
    "PutContainerArchive": "containers.put_archive",
    "ContainerPrune": "containers.prune",
    "ImageList": "images.list",
    "ImageBuild": "images.build",
    "BuildPrune": "images.build_prune",
    "ImageCreate": "images.pull",
    "ImageInspect": "images.inspect",
    "ImageHistory": "images.history",
    "ImagePush": "images.push",
    "ImageTag": "images.tag",
    "ImageDelete": "images.remove",
    "ImageSearch": "images.search",
    "ImagePrune": "images.prune",
    "ImageCommit": "images.commit",
    "ImageGet": "images.save",
    "ImageGetAll": "images.save",
    "ImageLoad": "images.load",
    "ImageAttestations": "images.attestations",
    "ContainerExec": "exec.create",
    "ExecStart": "exec.start",
    "ExecResize": "exec.resize",
    "ExecInspect": "exec.inspect",
    "NetworkList": "networks.list",
    "NetworkInspect": "networks.inspect",
    "NetworkDelete": "networks.remove",
    "NetworkCreate": "networks.create",
    "NetworkConnect": "networks.connect",
    "NetworkDisconnect": "networks.disconnect",
    "NetworkPrune": "networks.prune",
    "VolumeList": "volumes.list",
    "VolumeCreate": "volumes.create",
    "VolumeInspect": "volumes.inspect",
    "VolumeUpdate": "volumes.update",
    "VolumeDelete": "volumes.remove",
    "VolumePrune": "volumes.prune",
    "SystemAuth": "system.auth",
    "SystemInfo": "system.info",
    "SystemVersion": "system.version",
    "SystemPing": "system.ping",
    "SystemPingHead": "system.ping_head",
    "SystemEvents": "system.events",
    "SystemDataUsage": "system.df",
    "SwarmInspect": "swarm.inspect",
    "SwarmInit": "swarm.init",
    "SwarmJoin": "swarm.join",
    "SwarmLeave": "swarm.leave",
    "SwarmUpdate": "swarm.update",
    "SwarmUnlockkey": "swarm.unlock_key",
    "SwarmUnlock": "swarm.unlock",
    "ServiceList": "services.list",
    "ServiceCreate": "services.create",
    "ServiceInspect": "services.inspect",
    "ServiceDelete": "services.remove",
    "ServiceUpdate": "services.update",
    "ServiceLogs": "services.logs",
    "NodeList": "nodes.list",
    "NodeInspect": "nodes.inspect",
    "NodeDelete": "nodes.remove",
    "NodeUpdate": "nodes.update",
    "TaskList": "tasks.list",
    "TaskInspect": "tasks.inspect",
    "TaskLogs": "tasks.logs",
    "SecretList": "secrets.list",
    "SecretCreate": "secrets.create",
    "SecretInspect": "secrets.inspect",
    "SecretDelete": "secrets.remove",
    "SecretUpdate": "secrets.update",
    "ConfigList": "configs.list",
    "ConfigCreate": "configs.create",
    "ConfigInspect": "configs.inspect",
    "ConfigDelete": "configs.remove",
    "ConfigUpdate": "configs.update",
    "PluginList": "plugins.list",
    "GetPluginPrivileges": "plugins.privileges",
    "PluginPull": "plugins.pull",
    "PluginInspect": "plugins.inspect",
    "PluginDelete": "plugins.remove",
    "PluginEnable": "plugins.enable",
    "PluginDisable": "plugins.disable",
    "PluginUpgrade": "plugins.upgrade",
    "PluginCreate": "plugins.create",
    "PluginPush": "plugins.push",
    "PluginSet": "plugins.configure",
    "DistributionInspect": "distribution.inspect",
    "Session": "session.dial",
}

# Methods that are a second face of one operation: "group.method" -> operationId.
EXTRA_METHODS: dict[str, str] = {
    "containers.stats_once": "ContainerStats",
    "containers.waiting": "ContainerWait",
    "exec.start_detached": "ExecStart",
    "images.import_": "ImageCreate",
}

# Methods that chain several operations: "group.method" -> the operationIds they may call.
COMPOSITE_METHODS: dict[str, tuple[str, ...]] = {
    "containers.run": (
        "ContainerCreate",
        "ImageCreate",
        "ContainerAttach",
        "ContainerStart",
        "ContainerWait",
    ),
    "containers.run_streaming": (
        "ContainerCreate",
        "ImageCreate",
        "ContainerAttach",
        "ContainerStart",
        "ContainerWait",
    ),
    "exec.run": ("ContainerExec", "ExecStart", "ExecInspect"),
    "exec.run_streaming": ("ContainerExec", "ExecStart", "ExecInspect"),
}


@dataclass(frozen=True)
class Erratum:
    """A correction of what the files say; `why` cites the evidence."""

    why: str
    min_version: Version


# Operations whose first version the files get wrong.
OPERATION_ERRATA: dict[str, Erratum] = {
    "SecretUpdate": Erratum(
        "changelog v1.25 lists POST /secrets/{id}/update; it shipped in Docker 1.13 "
        "undocumented (moby/moby#28720), so only the v1.26 file has it",
        (1, 25),
    ),
}

# (operationId, wire name) -> corrected minimum version.
ERRATA: dict[tuple[str, str], Erratum] = {
    ("ContainerDelete", "link"): Erratum(
        "supported since Docker 1.6, missing from the docs until moby/moby#30898 (v1.27 file)",
        (1, 25),
    ),
    ("ContainerUpdate", "KernelMemory"): Erratum(
        "update takes Resources since v1.22 (changelog) and v1.42 lists KernelMemory's removal "
        "from update; the files omit it from Resources in v1.25-v1.35 and v1.38-v1.39",
        (1, 25),
    ),
    ("ContainerCreate", "HostConfig.Init"): Erratum(
        "changelog v1.25: create takes HostConfig.Init; files list it from v1.37", (1, 25)
    ),
    ("ContainerCreate", "HostConfig.KernelMemory"): Erratum(
        "changelog v1.21: create takes KernelMemory in HostConfig; the files omit it from "
        "Resources in v1.25-v1.35 and v1.38-v1.39 (as for update)",
        (1, 25),
    ),
    **{
        (op, f"TaskTemplate.ContainerSpec.{name}"): Erratum(
            "the v1.27 changelog lists no service change: the v1.27 file documents fields "
            "that services had before, so the daemon's first version is unknown (not gated)",
            (1, 25),
        )
        for op in ("ServiceCreate", "ServiceUpdate")
        for name in ("Groups", "Healthcheck", "Hostname", "Hosts", "OpenStdin", "Secrets")
    },
    **{
        (op, "TaskTemplate.ContainerSpec.ReadOnly"): Erratum(
            "changelog v1.28: services now accept ReadOnly (the v1.27 file lists it)", (1, 28)
        )
        for op in ("ServiceCreate", "ServiceUpdate")
    },
    ("ContainerUpdate", "NanoCpus"): Erratum(
        "changelog v1.28: update now supports NanoCpus (files list it from v1.25 because "
        "update's body reuses the Resources definition of create)",
        (1, 28),
    ),
    ("ContainerUpdate", "PidsLimit"): Erratum(
        "changelog v1.40: update now accepts PidsLimit (files: v1.25, shared Resources)",
        (1, 40),
    ),
    **{
        ("ContainerUpdate", name): Erratum(
            "changelog v1.55: present in the request schema before but ignored by the daemon",
            (1, 55),
        )
        for name in (
            "BlkioWeightDevice",
            "BlkioDeviceReadBps",
            "BlkioDeviceWriteBps",
            "BlkioDeviceReadIOps",
            "BlkioDeviceWriteIOps",
        )
    },
    ("GetPluginPrivileges", "remote"): Erratum(
        "the daemon always read `remote`; v1.25-v1.26 files said `name` (moby/moby#30731)",
        (1, 25),
    ),
    ("ImageBuild", "target"): Erratum(
        "multi-stage --target shipped in Docker 17.05 = v1.29 (moby/moby#32496, "
        "docker/docker-py#1612); files list it from v1.37",
        (1, 29),
    ),
    ("ImageCreate", "message"): Erratum(
        "import's commit message predates v1.25 (moby commit 936b2c6, docker/docker-py#2099); "
        "files list it from v1.39",
        (1, 25),
    ),
    ("NetworkCreate", "Attachable"): Erratum(
        "attachable networks shipped in Docker 1.13 = v1.25; documented by moby/moby#30952 "
        "(v1.27 file)",
        (1, 25),
    ),
    **{
        ("NetworkCreate", name): Erratum(
            "added with config-only networks in Docker 17.06 = v1.30 (moby/moby#32981); "
            "documented only by moby/moby#47865, back to the v1.41 file",
            (1, 30),
        )
        for name in ("ConfigFrom", "ConfigOnly", "Scope")
    },
    ("NetworkCreate", "EnableIPv4"): Erratum(
        "changelog v1.48; the v1.47 file on master lists it by mistake, 27.x never had it "
        "(moby/moby#48888)",
        (1, 48),
    ),
    ("ContainerCreate", "NetworkingConfig.EndpointsConfig{}.MacAddress"): Erratum(
        "changelog v1.44: create takes an endpoint's MacAddress (before, only the "
        "container-wide Config.MacAddress); the files list it as an output field before",
        (1, 44),
    ),
    ("NetworkConnect", "EndpointConfig.MacAddress"): Erratum(
        "changelog v1.54: connect now applies EndpointConfig.MacAddress, added in v1.44 but "
        "ignored by the daemon until then (as the ContainerUpdate Blkio fields at v1.55)",
        (1, 54),
    ),
    ("PutContainerArchive", "copyUIDGID"): Erratum(
        "changelog v1.30; documented late by moby/moby#39279 (v1.39 file)",
        (1, 30),
    ),
}

# (operationId, wire name) the files list but the daemon never read.
IGNORED: dict[tuple[str, str], str] = {
    ("ContainerUpdate", "NanoCPUs"): "typo in the v1.27 file's Resources for NanoCpus",
    ("ContainerCreate", "HostConfig.NanoCPUs"): "the same typo, in HostConfig's Resources",
    ("GetPluginPrivileges", "name"): "doc error in v1.25-v1.26 for `remote` (moby/moby#30731)",
}

# Body objects whose own fields are gated too: operationId -> top-level body fields.
# HostConfig grew fields over the years (Annotations in v1.43) that an older daemon ignores.
_SERVICE_SPEC = ("TaskTemplate", "Mode", "UpdateConfig", "RollbackConfig", "EndpointSpec")
NESTED_BODY_FIELDS: dict[str, tuple[str, ...]] = {
    "ContainerCreate": ("HostConfig", "Healthcheck", "NetworkingConfig"),
    "ServiceCreate": _SERVICE_SPEC,
    "ServiceUpdate": _SERVICE_SPEC,
    "NetworkConnect": ("EndpointConfig",),
}

# (operationId, wire name) -> versions whose file omits a parameter present before and after.
KNOWN_GAPS: dict[tuple[str, str], tuple[Version, ...]] = {
    ("ContainerPrune", "filters"): ((1, 27),),
    ("NetworkPrune", "filters"): ((1, 27),),
    ("VolumePrune", "filters"): ((1, 27),),
    ("ContainerUpdate", "NanoCpus"): ((1, 27),),
    ("ContainerUpdate", "KernelMemory"): ((1, 38), (1, 39)),
    ("ContainerCreate", "HostConfig.NanoCpus"): ((1, 27),),
    ("ContainerCreate", "HostConfig.KernelMemory"): ((1, 38), (1, 39)),
}


class GenerationError(Exception):
    """The spec files or the tables above are inconsistent; the message says how."""


@dataclass
class History:
    """What the files say about one operation (all its operationIds and endpoints)."""

    operation_id: str
    versions: set[Version] = field(default_factory=set)
    former_ids: dict[str, set[Version]] = field(default_factory=dict)
    parameters: dict[str, set[Version]] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)  # wire name -> "query" / "body" / ...


@dataclass
class Index:
    """Everything _operations.py is rendered from."""

    versions: tuple[Version, ...]
    operations: dict[str, str]
    operation_min: dict[str, Version]
    operation_notes: dict[str, str]
    former_ids: dict[str, tuple[str, Version, Version]]
    removed: dict[str, Version]
    parameter_min: dict[str, dict[str, Version]]
    parameter_max: dict[str, dict[str, Version]]
    parameter_notes: dict[tuple[str, str], str]
    warnings: list[str]


def fmt(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def load_specs(spec_dir: Path) -> dict[Version, dict[str, Any]]:
    """Read the versioned spec files, oldest first, checking info.version and contiguity."""
    if not spec_dir.is_dir():
        raise GenerationError(f"{spec_dir} is not a directory")
    found: dict[Version, Path] = {}
    for path in spec_dir.iterdir():
        match = SPEC_FILE.fullmatch(path.name)
        if match:
            found[(int(match[1]), int(match[2]))] = path
    if not found:
        raise GenerationError(f"no engine-api-v1.NN.yaml files in {spec_dir}")
    versions = sorted(found)
    missing = [
        (1, minor)
        for minor in range(versions[0][1], versions[-1][1] + 1)
        if (1, minor) not in found
    ]
    if {major for major, _ in versions} != {1} or missing:
        raise GenerationError(
            f"spec versions in {spec_dir} are not a contiguous 1.x run: missing "
            + ", ".join(fmt(v) for v in missing)
        )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    specs: dict[Version, dict[str, Any]] = {}
    for version in versions:
        with found[version].open("rb") as stream:
            spec = yaml.load(stream, Loader=loader)
        declared = str(spec.get("info", {}).get("version"))
        if declared != fmt(version):
            raise GenerationError(f"{found[version].name} declares info.version {declared}")
        specs[version] = spec
    return specs


def body_fields(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[str]:
    """Top-level property names of a body schema, through $ref and allOf."""
    seen: set[str] = set()

    def walk(node: Mapping[str, Any]) -> Iterator[str]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from walk(spec["definitions"][name])
            return
        for part in node.get("allOf", ()):
            yield from walk(part)
        yield from node.get("properties") or ()

    yield from walk(schema)


def schema_properties(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The properties of an object schema with their schemas, through $ref and allOf."""
    out: dict[str, Any] = {}
    seen: set[str] = set()

    def walk(node: Mapping[str, Any]) -> None:
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(spec["definitions"][name])
            return
        for part in node.get("allOf", ()):
            walk(part)
        out.update(node.get("properties") or {})

    walk(schema)
    return out


def _resolved(spec: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """A schema through its $ref, and the definition name ("" when inline)."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return spec["definitions"][name], name
    return node, ""


def nested_fields(
    spec: Mapping[str, Any], schema: Mapping[str, Any], prefix: str, inside: frozenset[str]
) -> Iterator[str]:
    """``Prefix.Field`` for every property under an object schema, all the way down: into
    objects, array items (``Field[].Sub``) and map values (``Field{}.Sub``). `inside` holds
    the definitions on the way here, so a recursive one is entered once."""
    for name, prop in schema_properties(spec, schema).items():
        path = f"{prefix}.{name}"
        yield path
        node, definition = _resolved(spec, prop)
        suffix = ""
        if node.get("type") == "array" and isinstance(node.get("items"), Mapping):
            node, definition = _resolved(spec, node["items"])
            suffix = "[]"
        elif isinstance(node.get("additionalProperties"), Mapping) and not node.get("properties"):
            node, definition = _resolved(spec, node["additionalProperties"])
            suffix = "{}"
        if (definition and definition in inside) or not schema_properties(spec, node):
            continue
        below = inside | {definition} if definition else inside
        yield from nested_fields(spec, node, path + suffix, below)


# Body fields whose wire name the daemon spells differently from the spec (see PATCHES in
# generate_models.py): gates use the daemon's spelling, the one the models send.
WIRE_SPELLINGS: dict[str, str] = {"HealthCheck": "Healthcheck"}
_SPELLED = re.compile(r"(?<=ContainerSpec\.)(" + "|".join(WIRE_SPELLINGS) + r")\b")


def endpoint_parameters(
    spec: Mapping[str, Any], operation: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """(location, wire name) of every parameter that can be gated: query, header, body field,
    and the fields under the NESTED_BODY_FIELDS objects, as "Holder.Field.Sub"."""
    nested = NESTED_BODY_FIELDS.get(operation.get("operationId", ""), ())
    for parameter in operation.get("parameters", ()):
        location = parameter["in"]
        if location in ("query", "header", "formData"):
            yield location, parameter["name"]
        elif location == "body":
            schema = parameter.get("schema", {})
            properties = schema_properties(spec, schema)
            for name in properties:
                yield "body", name
            for holder in nested:
                inner = properties.get(holder)
                if isinstance(inner, Mapping):
                    node, definition = _resolved(spec, inner)
                    inside = frozenset({definition} if definition else ())
                    for name in nested_fields(spec, node, holder, inside):
                        yield "body", _SPELLED.sub(lambda m: WIRE_SPELLINGS[m.group(1)], name)


def collect(specs: Mapping[Version, Mapping[str, Any]]) -> dict[str, History]:
    """Group the files' operations into histories keyed by their newest operationId."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    seen: list[tuple[Version, str, str, Mapping[str, Any], Mapping[str, Any]]] = []
    for version, spec in specs.items():
        for path, item in spec["paths"].items():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                endpoint = f"ep:{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"
                op_node = f"op:{operation['operationId']}"
                parent[find(op_node)] = find(endpoint)
                seen.append((version, endpoint, operation["operationId"], operation, spec))

    newest = max(specs)
    histories: dict[str, History] = {}
    by_root: dict[str, History] = {}
    roots_newest: dict[str, list[str]] = {}
    for version, endpoint, operation_id, _, _ in seen:
        if version == newest:
            roots_newest.setdefault(find(endpoint), []).append(operation_id)
    for root, ids in roots_newest.items():
        if len(set(ids)) > 1:
            raise GenerationError(f"operations {sorted(set(ids))} share one history")
        by_root[root] = histories[ids[0]] = History(ids[0])

    for version, endpoint, operation_id, operation, spec in seen:
        root = find(endpoint)
        history = by_root.get(root)
        if history is None:  # gone from the newest file: keyed by its oldest operationId
            history = by_root[root] = histories.setdefault(operation_id, History(operation_id))
        history.versions.add(version)
        if operation_id != history.operation_id:
            history.former_ids.setdefault(operation_id, set()).add(version)
        for location, name in endpoint_parameters(spec, operation):
            if (old := history.locations.setdefault(name, location)) != location:
                raise GenerationError(
                    f"{history.operation_id}: {name!r} is both a {old} and a {location} parameter"
                )
            history.parameters.setdefault(name, set()).add(version)
    return histories


def _described_parents(history: History) -> dict[str, set[Version]]:
    """For each nested parameter's parent path, the versions whose file lists a field of it.

    A nested field is gated only where the file before its first (or after its last) still
    describes its parent: a field that merely moved when the docs reshaped its parent (a map
    of objects that became a map of lists, an inline object that became a $ref) is no
    evidence of when the daemon started or stopped taking it (rule 4)."""
    out: dict[str, set[Version]] = {}
    for name, present in history.parameters.items():
        parent = name.rpartition(".")[0]
        if parent:
            out.setdefault(parent, set()).update(present)
    return out


def _before(versions: list[Version], version: Version) -> Version:
    return versions[versions.index(version) - 1]


def _after(versions: list[Version], version: Version) -> Version:
    return versions[versions.index(version) + 1]


def build_index(spec_dir: Path) -> Index:
    specs = load_specs(spec_dir)
    versions = tuple(specs)
    newest = versions[-1]
    histories = collect(specs)
    warnings: list[str] = []

    current = {op for op, h in histories.items() if newest in h.versions}
    unnamed = sorted(current - METHOD_NAMES.keys())
    stale = sorted(METHOD_NAMES.keys() - current)
    if unnamed or stale:
        raise GenerationError(
            f"METHOD_NAMES is out of date with v{fmt(newest)}: name {unnamed}, drop {stale}"
        )
    for method in (*METHOD_NAMES.values(), *EXTRA_METHODS, *COMPOSITE_METHODS):
        group, _, name = method.partition(".")
        if group not in GROUPS or not name.isidentifier():
            raise GenerationError(f"{method!r} is not group.method with a known group")
    for method, operation_id in EXTRA_METHODS.items():
        if operation_id not in current or method in METHOD_NAMES.values():
            raise GenerationError(f"EXTRA_METHODS[{method!r}] is wrong")
    for method, operation_ids in COMPOSITE_METHODS.items():
        if not set(operation_ids) <= current or method in METHOD_NAMES.values():
            raise GenerationError(f"COMPOSITE_METHODS[{method!r}] is wrong")

    order = {group: i for i, group in enumerate(GROUPS)}
    named = list(METHOD_NAMES)
    ordered = sorted(
        current, key=lambda op: (order[METHOD_NAMES[op].split(".")[0]], named.index(op))
    )
    operations = {op: METHOD_NAMES[op] for op in ordered}

    operation_min: dict[str, Version] = {}
    operation_notes: dict[str, str] = {}
    for op in ordered:
        first = min(histories[op].versions)
        erratum = OPERATION_ERRATA.get(op)
        if erratum is not None:
            operation_notes[op] = f"errata: {erratum.why}"
            first = erratum.min_version
        operation_min[op] = first
    if OPERATION_ERRATA.keys() - operation_min.keys():
        raise GenerationError(f"OPERATION_ERRATA names unknown operations: {OPERATION_ERRATA}")

    former_ids = {
        old: (op, min(vs), max(vs))
        for op in ordered
        for old, vs in sorted(histories[op].former_ids.items(), key=lambda kv: min(kv[1]))
    }
    removed = {op: max(h.versions) for op, h in sorted(histories.items()) if op not in current}

    parameter_min: dict[str, dict[str, Version]] = {}
    parameter_max: dict[str, dict[str, Version]] = {}
    parameter_notes: dict[tuple[str, str], str] = {}
    used_errata: set[tuple[str, str]] = set()
    used_ignored: set[tuple[str, str]] = set()
    used_gaps: set[tuple[str, str]] = set()
    for op in ordered:
        history = histories[op]
        op_versions = sorted(history.versions)
        mins: dict[str, Version] = {}
        maxes: dict[str, Version] = {}
        described = _described_parents(history)
        for name, present in history.parameters.items():
            key = (op, name)
            if key in IGNORED:
                used_ignored.add(key)
                continue
            low, high = min(present), max(present)
            holes = tuple(v for v in op_versions if low <= v <= high and v not in present)
            if holes:
                if KNOWN_GAPS.get(key) == holes:
                    used_gaps.add(key)
                else:
                    warnings.append(
                        f"{op} {name!r}: listed v{fmt(low)}-v{fmt(high)} but missing from "
                        + ", ".join(f"v{fmt(v)}" for v in holes)
                        + " (treated as a doc hole; add to KNOWN_GAPS once checked)"
                    )
            erratum = ERRATA.get(key)
            if erratum is not None:
                used_errata.add(key)
                parameter_notes[key] = f"errata: files v{fmt(low)}"
                low = erratum.min_version
            parent = name.rpartition(".")[0]
            if low > op_versions[0] and (
                erratum is not None
                or not parent
                or _before(op_versions, low) in described.get(parent, ())
            ):
                mins[name] = low
            if high < newest and (
                not parent or _after(op_versions, high) in described.get(parent, ())
            ):
                maxes[name] = high
        if mins:
            parameter_min[op] = dict(sorted(mins.items(), key=lambda kv: (kv[1], kv[0])))
        if maxes:
            parameter_max[op] = dict(sorted(maxes.items(), key=lambda kv: (kv[1], kv[0])))
    tables: tuple[tuple[str, Iterable[tuple[str, str]], set[tuple[str, str]]], ...] = (
        ("ERRATA", ERRATA, used_errata),
        ("IGNORED", IGNORED, used_ignored),
        ("KNOWN_GAPS", KNOWN_GAPS, used_gaps),
    )
    for table, entries, used in tables:
        stale_entries = sorted(set(entries) - used)
        if stale_entries:
            raise GenerationError(f"{table} entries match nothing in the files: {stale_entries}")

    return Index(
        versions=versions,
        operations=operations,
        operation_min=operation_min,
        operation_notes=operation_notes,
        former_ids=former_ids,
        removed=removed,
        parameter_min=parameter_min,
        parameter_max=parameter_max,
        parameter_notes=parameter_notes,
        warnings=warnings,
    )


def q(text: str) -> str:
    """A Python string literal in ruff's preferred (double-quote) style."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def v(version: Version) -> str:
    return f"({version[0]}, {version[1]})"


def render(index: Index) -> str:
    oldest, newest = index.versions[0], index.versions[-1]
    out: list[str] = []
    w = out.append
    w('"""Operation index and API version gates of the Engine API (generated: do not edit).')
    w("")
    w(f"Generated by {SCRIPT} from the {len(index.versions)} versioned spec files")
    first_file, last_file = f"engine-api-v{fmt(oldest)}.yaml", f"engine-api-v{fmt(newest)}.yaml"
    w(f"{first_file} ... {last_file} in ../shared/spec (not the")
    w("engine-api-v1.41-docker-20.10.yaml copy). Regenerate with `nox -s models`.")
    w("")
    w("The version gates are derived by diffing the versioned files: an operation or parameter")
    w("is gated at the first file that lists it (operations matched by method and path too, so a")
    w("renamed operationId keeps its history), and a parameter that later files drop gets a")
    w("maximum. Parameters are query and header parameters and top-level JSON body fields, by")
    w("wire name, and the fields of some nested body objects as `Holder.Field`")
    w("(`HostConfig.Annotations`). Upstream keeps fixing the old files, so they are not always")
    w("right about when")
    w("a change shipped; where the changelog or an upstream doc fix shows a file is wrong, the")
    w("generator's ERRATA table wins, and the entry is marked `# errata` below.")
    w('"""')
    w("")
    w("from __future__ import annotations")
    w("")
    w("from collections.abc import Mapping")
    w("from typing import Final")
    w("")
    names = [
        "COMPOSITE_METHODS",
        "EXTRA_METHODS",
        "FORMER_OPERATION_IDS",
        "GROUPS",
        "NEWEST_SPEC_VERSION",
        "OLDEST_SPEC_VERSION",
        "OPERATIONS",
        "OPERATION_MIN_VERSION",
        "PARAMETER_MAX_VERSION",
        "PARAMETER_MIN_VERSION",
        "REMOVED_OPERATIONS",
        "methods_by_group",
    ]
    w("__all__ = [")
    out.extend(f"    {q(name)}," for name in names)
    w("]")
    w("")
    w(f"OLDEST_SPEC_VERSION: Final[tuple[int, int]] = {v(oldest)}")
    w(f"NEWEST_SPEC_VERSION: Final[tuple[int, int]] = {v(newest)}")
    w("")
    w("# The resource groups: attributes of the Docker client, in DESIGN.md's order.")
    w("GROUPS: Final[tuple[str, ...]] = (")
    out.extend(f"    {q(group)}," for group in GROUPS)
    w(")")
    w("")
    w(f'# Every operationId of the newest spec (v{fmt(newest)}) -> "group.method".')
    w("OPERATIONS: Final[Mapping[str, str]] = {")
    out.extend(f"    {q(op)}: {q(method)}," for op, method in index.operations.items())
    w("}")
    w("")
    w('# Methods that are a second face of one operation: "group.method" -> operationId.')
    w("EXTRA_METHODS: Final[Mapping[str, str]] = {")
    out.extend(f"    {q(method)}: {q(op)}," for method, op in EXTRA_METHODS.items())
    w("}")
    w("")
    w('# Methods that chain several operations: "group.method" -> the operationIds they call.')
    w("COMPOSITE_METHODS: Final[Mapping[str, tuple[str, ...]]] = {")
    for method, ops in COMPOSITE_METHODS.items():
        w(f"    {q(method)}: (")
        out.extend(f"        {q(op)}," for op in ops)
        w("    ),")
    w("}")
    w("")
    w("# operationIds that older files used for an operation of today: old -> current.")
    w("FORMER_OPERATION_IDS: Final[Mapping[str, str]] = {")
    for old, (op, first, last) in index.former_ids.items():
        w(f"    {q(old)}: {q(op)},  # v{fmt(first)}-v{fmt(last)}")
    w("}")
    w("")
    w(f"# Operations that older files have and v{fmt(newest)} has not -> their last version.")
    if index.removed:
        w("REMOVED_OPERATIONS: Final[Mapping[str, tuple[int, int]]] = {")
        out.extend(f"    {q(op)}: {v(last)}," for op, last in index.removed.items())
        w("}")
    else:
        w("REMOVED_OPERATIONS: Final[Mapping[str, tuple[int, int]]] = {}")
    w("")
    w(f"# operationId -> the first API version that has it (v{fmt(oldest)} at the earliest).")
    w("OPERATION_MIN_VERSION: Final[Mapping[str, tuple[int, int]]] = {")
    for op, first in index.operation_min.items():
        note = "  # errata" if op in index.operation_notes else ""
        w(f"    {q(op)}: {v(first)},{note}")
    w("}")
    w("")
    w("# operationId -> {parameter wire name: first API version}, for parameters newer than the")
    w("# operation itself.")
    w("PARAMETER_MIN_VERSION: Final[Mapping[str, Mapping[str, tuple[int, int]]]] = {")
    for op, params in index.parameter_min.items():
        w(f"    {q(op)}: {{")
        for name, first in params.items():
            comment = index.parameter_notes.get((op, name))
            w(f"        {q(name)}: {v(first)}," + (f"  # {comment}" if comment else ""))
        w("    },")
    w("}")
    w("")
    w("# operationId -> {parameter wire name: last API version}, for parameters that newer files")
    w("# dropped (the daemon ignores or rejects them on newer API versions).")
    w("PARAMETER_MAX_VERSION: Final[Mapping[str, Mapping[str, tuple[int, int]]]] = {")
    for op, params in index.parameter_max.items():
        w(f"    {q(op)}: {{")
        out.extend(f"        {q(name)}: {v(last)}," for name, last in params.items())
        w("    },")
    w("}")
    w("")
    w("")
    w("def methods_by_group() -> dict[str, set[str]]:")
    w('    """Every client method the index names, by group: {"containers": {"list", ...}}."""')
    w("    groups: dict[str, set[str]] = {group: set() for group in GROUPS}")
    w("    for method in (*OPERATIONS.values(), *EXTRA_METHODS, *COMPOSITE_METHODS):")
    w('        group, _, name = method.partition(".")')
    w("        groups[group].add(name)")
    w("    return groups")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("spec_dir", type=Path, help="directory holding engine-api-v1.NN.yaml")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    try:
        index = build_index(args.spec_dir)
    except GenerationError as exc:
        print(f"generate_operations: {exc}", file=sys.stderr)
        return 2
    for warning in index.warnings:
        print(f"generate_operations: warning: {warning}", file=sys.stderr)
    text = render(index)
    output: Path = args.output
    if args.check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            print(f"generate_operations: {output} is stale; regenerate it", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    print(
        f"wrote {output}: {len(index.operations)} operations, "
        f"{sum(map(len, index.parameter_min.values()))} gated and "
        f"{sum(map(len, index.parameter_max.values()))} retired parameters"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

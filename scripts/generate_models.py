"""Generate `aiodocker_engine/models` (msgspec Structs) from a Docker Engine API spec.

Usage: ``python scripts/generate_models.py SPEC_PATH [--out aiodocker_engine/models]``.

Theory of operation:

1. The spec (Swagger 2.0) is loaded and the patch table `PATCHES` is applied to it. Each patch
   says which daemon does what the spec does not describe (bollard keeps its spec fixes the
   same way); a patch whose target disappeared from the spec stops the generator.
2. Every schema worth a name becomes a model:
   - every `definitions` entry (objects become Structs; enums, arrays and maps become aliases);
   - every inline operation body or response object: the spec's `title` if it has one, else
     `<OperationId>Request` / `<OperationId>Response` (`...Item` for array items); a body that
     is only a definition plus an empty object (ServiceCreate) uses that definition;
   - nested inline objects and enums: parent name + field name (`SystemVersionPlatform`),
     `...Item` for array items and `...Value` for map values.
   `allOf` is flattened: a model has the fields of all its parts, with no inheritance.
3. Response-side tolerance: every field is `T | None = None` (absent, or sent as null by the
   daemon, which Docker does for many slices and maps whatever the spec says), but for the
   few identities in `REQUIRED_FIELDS`; unknown fields are ignored (msgspec's default). Enums
   become `Literal[...]`, except those widened to `str` in `PATCHES` because some daemon sends
   values the spec does not list.
4. Legacy fields: daemons answer in the API version the client negotiated, so a Docker 20.10
   daemon (API v1.41) sends fields the newest spec dropped (`NetworkSettings.IPAddress`,
   `ImageSummary.VirtualSize`, the old `/system/df` lists ...). Every older spec next to
   SPEC_PATH (`engine-api-v1.NN*.yaml`, NN below the spec's version) is read, the same schema
   is located in it (by definition name, and through every place the newest spec references
   that definition), and fields it has that the newest spec lacks are added, marked with a
   comment naming the last version that had them.
5. Attribute names are snake_case of the wire name (`IPAddress` -> `ip_address`, `OSType` ->
   `os_type`, `IPv6` -> `ipv6`, `CPUShares` -> `cpu_shares`, `progressDetail` ->
   `progress_detail`); Python keywords get a trailing underscore (`from_`), as do names that
   would shadow a name used in annotations (`str`, `list`, ...). When two wire names map to
   one attribute, the first keeps it and the others get `_2`, `_3`... (or a name from
   `ATTRIBUTE_NAMES`); a field of an older spec that is only another spelling of a current
   one (v1.27's `NanoCPUs` for `NanoCpus`, or one that differs only in case, which Go's JSON
   treats as the same key) is dropped. `msgspec.field` carries the wire name
   whenever it differs from the attribute.
6. Models are split into modules by the tags of the operations that use them; a model used by
   several tags (and everything it references) goes to `_common`, so modules only import from
   `_common` and `_base` and there are no import cycles. `__init__` re-exports everything.
7. The output is emitted already formatted the way `ruff format` formats it, so the check
   that the committed models are current needs neither ruff nor a network.
8. Credentials (`SECRET_NAMES`, `SECRET_FIELDS`) never show in a repr: their models get a
   `__repr__` (and rich's `__rich_repr__`) that is msgspec's but for `<redacted>` values.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Schema = dict[str, Any]

#: Where a schema sits in a spec: a root, then steps. Roots are ("def", name),
#: ("body", operation id) and ("resp", operation id, status code). Steps are "p:<wire name>"
#: (a property), "items" (array items) and "values" (additionalProperties).
Loc = tuple[str, ...]

GENERATOR = "scripts/generate_models.py"
LINE_LENGTH = 100
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "aiodocker_engine" / "models"

# ---------------------------------------------------------------------------------------------
# Patch table: where the spec is wrong or not enough. Every entry says which daemon does what.
# ---------------------------------------------------------------------------------------------

DROP = object()  # In a patch: remove this key.


@dataclass(frozen=True)
class Patch:
    """Set (or, with `DROP`, remove) keys of the object at `pointer` (RFC 6901) in the spec."""

    pointer: str
    changes: dict[str, Any]
    why: str

    def path(self) -> list[str]:
        return [k.replace("~1", "/").replace("~0", "~") for k in self.pointer.split("/")[1:]]


_OPEN_ENUM = {"enum": DROP, "x-open-enum": True}

# Identity fields that every daemon sends and that callers pass straight on
# (`containers.start(created.id)`): these are typed `str`/`int`, not `T | None`, so code
# that uses them type-checks without asserts. A response without them fails to decode
# with a clear error instead of handing out None. Everything else stays optional (rule 3).
REQUIRED_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("ContainerCreateResponse", "Id"),
        ("IDResponse", "Id"),
        ("ContainerWaitResponse", "StatusCode"),
        ("ContainerSummary", "Id"),
        ("ContainerInspectResponse", "Id"),
        ("ImageSummary", "Id"),
        ("ImageInspect", "Id"),
        ("NetworkCreateResponse", "Id"),
        ("Volume", "Name"),
        ("ServiceCreateResponse", "ID"),
        ("ExecInspectResponse", "ID"),
    }
)

PATCHES: tuple[Patch, ...] = (
    # --- enums widened to str: daemons send values the spec does not list -------------------
    Patch(
        "/definitions/HostConfig/allOf/1/properties/LogConfig/properties/Type",
        _OPEN_ENUM,
        "dockerd accepts and reports any installed logging-driver plugin (e.g. `loki`); the "
        "spec lists only the built-in drivers.",
    ),
    Patch(
        "/definitions/HostConfig/allOf/1/properties/CgroupnsMode",
        _OPEN_ENUM,
        'Podman\'s compat inspect sends `CgroupnsMode: ""` (not set); as a closed enum it '
        "made every Podman container fail to decode.",
    ),
    Patch(
        "/definitions/MountType",
        _OPEN_ENUM,
        "the set grew in v1.32 (npipe), v1.42 (cluster) and v1.48 (image); dockerd reports a "
        "container's mounts whatever API version the client negotiated.",
    ),
    Patch(
        "/definitions/ContainerSummary/properties/State",
        _OPEN_ENUM,
        "Podman's compat API reports libpod states Docker does not have (`stopped`, "
        "`stopping`, `unknown`).",
    ),
    Patch(
        "/definitions/ContainerState/properties/Status",
        _OPEN_ENUM,
        "Podman's compat inspect reports libpod states Docker does not have (`configured`, "
        "`stopped`, `stopping`, `unknown`).",
    ),
    Patch(
        "/definitions/Health/properties/Status",
        _OPEN_ENUM,
        'Podman\'s compat inspect sends `Health: {Status: ""}` for a container whose '
        "healthcheck has not reported yet.",
    ),
    Patch(
        "/definitions/ContainerSummary/properties/Health/properties/Status",
        _OPEN_ENUM,
        "the same health states as `Health.Status`, which Podman leaves empty at first.",
    ),
    Patch(
        "/definitions/EventMessage/properties/Type",
        _OPEN_ENUM,
        "Podman's compat API streams its own event types (`pod`, `system`, `machine`), and "
        "one undecodable event would end the whole event stream.",
    ),
    Patch(
        "/definitions/BuildCache/properties/Type",
        _OPEN_ENUM,
        "copied from BuildKit's cache record types, which BuildKit extends without an Engine "
        "API version change.",
    ),
    Patch(
        "/definitions/Service/properties/UpdateStatus/properties/State",
        _OPEN_ENUM,
        "dockerd 20.10 reports swarmkit's rollback states (`rollback_started`, "
        "`rollback_paused`, `rollback_completed`) after `services.update(rollback=...)` or a "
        "failed update; the spec lists only `updating`, `paused`, `completed`.",
    ),
    Patch(
        "/definitions/ServiceSpec/properties/RollbackConfig/properties/FailureAction",
        _OPEN_ENUM,
        "Go's RollbackConfig is the UpdateConfig type, so dockerd takes and reports "
        "`rollback` here too; one such service would make `services.list()` fail to decode.",
    ),
    Patch(
        "/definitions/KnownSignerIdentity",
        _OPEN_ENUM,
        "a one-value list (v1.53) of signers that will grow with image-signing services.",
    ),
    Patch(
        "/definitions/SignatureType",
        _OPEN_ENUM,
        "third-party signature formats (v1.53); new formats need no Engine API change.",
    ),
    Patch(
        "/definitions/SignatureTimestampType",
        _OPEN_ENUM,
        "third-party timestamp kinds (v1.53); new kinds need no Engine API change.",
    ),
    # --- schemas given only as a Go type (`x-go-type`) without a JSON schema ----------------
    Patch(
        "/definitions/ImagesDiskUsage/properties/Items/items",
        {"$ref": "#/definitions/ImageSummary"},
        "items are Go `image.Summary`, which is the ImageSummary definition.",
    ),
    Patch(
        "/definitions/ContainersDiskUsage/properties/Items/items",
        {"$ref": "#/definitions/ContainerSummary"},
        "items are Go `container.Summary`, which is the ContainerSummary definition.",
    ),
    Patch(
        "/definitions/VolumesDiskUsage/properties/Items/items",
        {"$ref": "#/definitions/Volume"},
        "items are Go `volume.Volume`, which is the Volume definition.",
    ),
    Patch(
        "/definitions/BuildCacheDiskUsage/properties/Items/items",
        {"$ref": "#/definitions/BuildCache"},
        "items are Go `build.CacheRecord`, which is the BuildCache definition.",
    ),
    Patch(
        "/definitions/NetworkInspect/properties/Services/additionalProperties",
        {"$ref": "#/definitions/ServiceInfo"},
        "values are Go `ServiceInfo`, which is the ServiceInfo definition.",
    ),
    # --- shapes the daemon sends that the spec does not describe ----------------------------
    Patch(
        "/paths/~1secrets~1create/post/responses/201",
        {
            "schema": {
                "type": "object",
                "title": "SecretCreateResponse",
                "properties": {"ID": {"type": "string"}},
            }
        },
        "dockerd answers with Go `SecretCreateResponse{ID}`, so the key is `ID`, not the `Id` "
        "of IDResponse the spec names (moby/moby#45554; the v1.25-v1.35 specs had `ID`).",
    ),
    Patch(
        "/paths/~1configs~1create/post/responses/201",
        {
            "schema": {
                "type": "object",
                "title": "ConfigCreateResponse",
                "properties": {"ID": {"type": "string"}},
            }
        },
        "dockerd answers with Go `ConfigCreateResponse{ID}`, so the key is `ID`, not the `Id` "
        "of IDResponse the spec names (moby/moby#45554; the v1.30-v1.35 specs had `ID`).",
    ),
    Patch(
        "/definitions/BuildInfo/properties/aux",
        {"$ref": DROP, "description": "Any JSON value."},
        "`aux` is {ID} for the classic builder, but BuildKit builds (`version=2`) send a "
        "base64 string (a `moby.buildkit.trace` message) and push sends {Tag, Digest, Size}.",
    ),
    Patch(
        "/definitions/TaskSpec/properties/ContainerSpec/properties",
        {"HealthCheck": DROP, "Healthcheck": {"$ref": "#/definitions/HealthConfig"}},
        "dockerd sends the key `Healthcheck` (Go `ContainerSpec.Healthcheck` has no JSON tag); "
        "it reads `HealthCheck` only because Go matches keys without case. Read as the spec "
        "says, a service's healthcheck is never seen, and inspect-then-update drops it.",
    ),
    Patch(
        "/definitions/Volume/properties/Status/additionalProperties",
        {"type": DROP, "description": "Any JSON value."},
        "Go `map[string]interface{}`, and the description's own example is "
        '`{"key":"value"}`: a driver that reports a string or a bool would otherwise make '
        "every volume list and `system.df` fail to decode.",
    ),
    Patch(
        "/definitions/NetworkAttachment/properties/Network",
        {"$ref": "#/definitions/SwarmNetwork"},
        "dockerd sends Go `swarm.Network` here ({ID, Version, CreatedAt, UpdatedAt, Spec, "
        "DriverState, IPAMOptions}), not the local-network `Network` the spec names: read as "
        "the spec says, a task's attachments never tell which network they are on.",
    ),
    Patch(
        "/definitions/TaskSpec/properties/PluginSpec/properties",
        {
            "Name": DROP,
            "Remote": DROP,
            "Disabled": DROP,
            "PluginPrivilege": DROP,
            "name": {"type": "string", "description": "The name or 'alias' of the plugin."},
            "remote": {"type": "string", "description": "The plugin image reference."},
            "disabled": {"type": "boolean", "description": "Disable it once scheduled."},
            "privileges": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "value": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "env": {"type": "array", "items": {"type": "string"}},
        },
        "Go `runtime.PluginSpec` (and its privileges) has lowercase JSON tags, so dockerd "
        "sends and reads `name`, `remote`, `disabled`, `privileges`, `env`: with the spec's "
        "names a plugin service reads back empty, cannot be updated (`empty payload`), and "
        "`PluginPrivilege` is never read.",
    ),
    Patch(
        "/definitions/Service/properties",
        {"PreviousSpec": {"$ref": "#/definitions/ServiceSpec"}},
        "dockerd sends the spec before the last update as `PreviousSpec` (Go `swarm.Service`), "
        "what `rollback` restores; the spec never listed it.",
    ),
    Patch(
        "/definitions/Task/properties",
        {
            "AssignedGenericResources": DROP,
            "GenericResources": {"$ref": "#/definitions/GenericResources"},
        },
        "Go `swarm.Task` names the field `GenericResources` (no JSON tag), which dockerd "
        "sends; no daemon sends the spec's `AssignedGenericResources`.",
    ),
    Patch(
        "/definitions/EventMessage/properties",
        {
            "status": {"type": "string"},
            "id": {"type": "string"},
            "from": {"type": "string"},
        },
        "dockerd before API v1.52 still sends the deprecated `status`, `id` and `from` (dropped "
        "from the spec in v1.22, changelog of v1.52); Podman sends them below v1.52 too.",
    ),
    Patch(
        "/definitions/ClusterVolumeSpec/properties",
        {
            "AccessibilityRequirements": {
                "type": "object",
                "properties": {
                    "Requisite": {"type": "array", "items": {"$ref": "#/definitions/Topology"}},
                    "Preferred": {"type": "array", "items": {"$ref": "#/definitions/Topology"}},
                },
            },
            "CapacityRange": {
                "type": "object",
                "properties": {
                    "RequiredBytes": {"type": "integer", "format": "int64"},
                    "LimitBytes": {"type": "integer", "format": "int64"},
                },
            },
            "Secrets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"Key": {"type": "string"}, "Secret": {"type": "string"}},
                },
            },
            "Availability": {"type": "string", "enum": ["active", "pause", "drain"]},
        },
        "Go `volume.ClusterVolumeSpec` has AccessibilityRequirements, CapacityRange, Secrets "
        "and Availability beside AccessMode; every spec since v1.42 indents them into "
        "AccessMode, where dockerd neither reads nor sends them (`volumes.update` reads only "
        "`Spec.Availability`).",
    ),
    Patch(
        "/definitions/ClusterVolumeSpec/properties/AccessMode/properties",
        {
            "AccessibilityRequirements": DROP,
            "CapacityRange": DROP,
            "Secrets": DROP,
            "Availability": DROP,
            "BlockVolume": {"type": "object", "description": "Empty: use the volume as a block."},
        },
        "Go `volume.AccessMode` is Scope, Sharing, MountVolume and BlockVolume (an empty "
        "object); the four fields the spec puts here belong to ClusterVolumeSpec (above).",
    ),
)

#: Models the spec has no schema for, added to `definitions` before generating.
EXTRA_DEFINITIONS: dict[str, tuple[Schema, str]] = {
    "SwarmNetwork": (
        {
            "type": "object",
            "properties": {
                "ID": {"type": "string"},
                "Version": {"$ref": "#/definitions/ObjectVersion"},
                "CreatedAt": {"type": "string", "format": "dateTime"},
                "UpdatedAt": {"type": "string", "format": "dateTime"},
                "Spec": {
                    "type": "object",
                    "properties": {
                        "Name": {"type": "string"},
                        "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "DriverConfiguration": {"$ref": "#/definitions/Driver"},
                        "IPv6Enabled": {"type": "boolean"},
                        "Internal": {"type": "boolean"},
                        "Attachable": {"type": "boolean"},
                        "Ingress": {"type": "boolean"},
                        "IPAMOptions": {"$ref": "#/definitions/SwarmIPAMOptions"},
                        "Scope": {"type": "string"},
                    },
                },
                "DriverState": {"$ref": "#/definitions/Driver"},
                "IPAMOptions": {"$ref": "#/definitions/SwarmIPAMOptions"},
            },
        },
        # Go `swarm.Network`, as a task's NetworksAttachments carry it.
        "Model of a swarm network (Go `swarm.Network`) in task attachments",
    ),
    "SwarmIPAMOptions": (
        {
            "type": "object",
            "properties": {
                "Driver": {"$ref": "#/definitions/Driver"},
                "Configs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "Subnet": {"type": "string"},
                            "Range": {"type": "string"},
                            "Gateway": {"type": "string"},
                        },
                    },
                },
            },
        },
        "Model of a swarm network's IPAM options (Go `swarm.IPAMOptions`)",
    ),
    "ProgressMessage": (
        {
            "allOf": [
                {"$ref": "#/definitions/BuildInfo"},
                {"$ref": "#/definitions/CreateImageInfo"},
                {"$ref": "#/definitions/PushImageInfo"},
            ]
        },
        # All fields of BuildInfo, CreateImageInfo and PushImageInfo, so one type reads the
        # messages of pull, push, build, load, import and plugin pull streams.
        "Model of a progress-stream message (pull, push, build, load, import)",
    ),
}

#: Fields every spec lists under a name no daemon uses (a PATCHES entry gives the right one):
#: never taken as legacy fields from older specs.
NEVER_SENT: dict[str, frozenset[str]] = {
    "TaskSpecPluginSpec": frozenset({"PluginPrivilege"}),
    "Task": frozenset({"AssignedGenericResources"}),
}

#: Schemas older specs got wrong: model -> (last wrong minor version, why). Legacy fields for
#: that model are not taken from those versions.
OLDER_SPEC_ERRORS: dict[str, tuple[int, str]] = {
    "SwarmNetwork": (54, "every spec gave a task attachment's network the local Network schema"),
    "Config": (29, "until v1.29 `Config` was the container config (ContainerConfig since v1.30)"),
    "SecretSpec": (29, "until v1.29 the spec pointed `Secret.Spec` at ServiceSpec"),
    "ServiceUpdateResponse": (27, "until v1.27 the spec gave ImageDeleteResponseItem"),
    "ProgressDetail": (35, "until v1.35 the spec gave ProgressDetail ErrorDetail's fields"),
    "NetworkPruneResponse": (25, "v1.25 gave it VolumePruneResponse's `VolumesDeleted`"),
    "ClusterVolumeSpecAccessMode": (54, "every spec nests four ClusterVolumeSpec fields in it"),
}

#: Credentials, which `repr()` shows as `<redacted>` (they must never reach messages, reprs or
#: logs): these wire names in any model. Go's AuthConfig also has `identitytoken` and
#: `registrytoken`; the spec does not list them yet, so they are named here in advance...
SECRET_NAMES: frozenset[str] = frozenset(
    {
        "password",
        "identitytoken",
        "registrytoken",
        "IdentityToken",
        "JoinToken",
        "UnlockKey",
        "SigningCAKey",
    }
)
#: ...and these fields, whose names do not say so: (model, wire name).
SECRET_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("JoinTokens", "Worker"),
        ("JoinTokens", "Manager"),
        ("SecretSpec", "Data"),
    }
)

#: Explicit attribute names, (model, wire name) -> attribute, for collisions after conversion.
ATTRIBUTE_NAMES: dict[tuple[str, str], str] = {}

#: Module (without the leading underscore) of models no operation reaches through a schema:
#: the streamed messages, which the spec only describes as `string`/`binary` bodies.
HOME_OVERRIDES: dict[str, str] = {
    "BuildInfo": "images",
    "CreateImageInfo": "images",
    "PushImageInfo": "images",
    "ProgressMessage": "images",
    "ImageID": "images",
}

#: Operation tag -> module (without the leading underscore).
TAG_MODULES: dict[str, str] = {
    "Container": "containers",
    "Exec": "exec",
    "Image": "images",
    "Distribution": "images",
    "System": "system",
    "Session": "system",
    "Volume": "volumes",
    "Network": "networks",
    "Plugin": "plugins",
    "Node": "swarm",
    "Swarm": "swarm",
    "Service": "swarm",
    "Task": "swarm",
    "Secret": "swarm",
    "Config": "swarm",
}

MODULE_DOCS: dict[str, str] = {
    "base": "Base class of the generated models",
    "common": "Models shared by several resources",
    "containers": "Container models",
    "exec": "Exec models",
    "images": "Image models, with the messages of progress streams",
    "system": "System models: version, info, events, data usage, auth",
    "volumes": "Volume models",
    "networks": "Network models",
    "plugins": "Plugin models",
    "swarm": "Swarm models: swarm, nodes, services, tasks, secrets, configs",
}

#: Names used in annotations: a field with one of these names would shadow it in the class.
RESERVED_ATTRIBUTES = frozenset({"str", "int", "float", "bool", "list", "dict", "msgspec"})

# ---------------------------------------------------------------------------------------------
# Spec access
# ---------------------------------------------------------------------------------------------


def load_yaml(path: Path) -> Schema:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as f:
        data = yaml.load(f, Loader=loader)
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a Swagger document")
    return data


_VERSION_FILE = re.compile(r"^engine-api-v1\.(\d+)(-.+)?\.yaml$")


class Spec:
    """One Swagger document: definitions, operations by id, and schema lookups."""

    def __init__(self, path: Path, doc: Schema) -> None:
        self.path = path
        self.doc = doc
        self.version = str(doc["info"]["version"])
        self.label = path.name.removeprefix("engine-api-").removesuffix(".yaml")
        self.definitions: dict[str, Schema] = doc.get("definitions", {})
        self.operations: dict[str, tuple[str, str, Schema]] = {}
        for p, item in doc.get("paths", {}).items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.operations[op["operationId"]] = (p, method, op)

    def minor(self) -> int:
        return int(self.version.split(".")[1])

    def body_schema(self, op_id: str) -> Schema | None:
        entry = self.operations.get(op_id)
        if entry is None:
            return None
        for param in entry[2].get("parameters", []):
            if param.get("in") == "body":
                schema = param.get("schema")
                return schema if isinstance(schema, dict) else None
        return None

    def response_schema(self, op_id: str, code: str) -> Schema | None:
        entry = self.operations.get(op_id)
        if entry is None:
            return None
        for c, response in entry[2].get("responses", {}).items():
            if str(c) == code and isinstance(response, dict):
                schema = response.get("schema")
                return schema if isinstance(schema, dict) else None
        return None

    def deref(self, schema: Schema) -> Schema:
        """Follow `$ref` chains and one-part `allOf` wrappers."""
        seen = 0
        while True:
            if "$ref" in schema:
                target = self.definitions.get(ref_name(schema["$ref"]))
                if target is None:
                    return {}
                schema = target
            elif len(schema.get("allOf", ())) == 1 and "properties" not in schema:
                schema = schema["allOf"][0]
            else:
                return schema
            seen += 1
            if seen > 50:
                raise SystemExit(f"{self.path}: $ref loop")

    def properties(self, schema: Schema) -> dict[str, Schema]:
        """All properties of an object schema, `allOf` parts and `$ref`s flattened."""
        schema = self.deref(schema)
        props: dict[str, Schema] = {}
        for part in schema.get("allOf", ()):
            props.update(self.properties(part))
        props.update(schema.get("properties", {}))
        return props

    def locate(self, loc: Loc) -> Schema | None:
        root = loc[0]
        schema: Schema | None
        if root == "def":
            schema = self.definitions.get(loc[1])
            steps = loc[2:]
        elif root == "body":
            schema = self.body_schema(loc[1])
            steps = loc[2:]
        else:
            schema = self.response_schema(loc[1], loc[2])
            steps = loc[3:]
        for step in steps:
            if schema is None:
                return None
            if step.startswith("p:"):
                schema = self.properties(schema).get(step[2:])
            elif step == "items":
                items = self.deref(schema).get("items")
                schema = items if isinstance(items, dict) else None
            else:
                values = self.deref(schema).get("additionalProperties")
                schema = values if isinstance(values, dict) else None
        return schema


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def apply_patches(spec: Spec) -> None:
    for patch in PATCHES:
        node: Any = spec.doc
        for key in patch.path():
            if isinstance(node, list):
                node = node[int(key)]
            elif isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, dict) and key.isdigit() and int(key) in node:
                node = node[int(key)]  # YAML reads unquoted status codes as integers
            else:
                raise SystemExit(f"patch target {patch.pointer} is not in the spec")
        if not isinstance(node, dict):
            raise SystemExit(f"patch target {patch.pointer} is not an object")
        for key, value in patch.changes.items():
            if value is DROP:
                if key not in node:
                    raise SystemExit(f"patch: {patch.pointer} has no {key!r} to drop")
                del node[key]
            else:
                node[key] = value
    for name, (schema, _) in EXTRA_DEFINITIONS.items():
        if name in spec.definitions:
            raise SystemExit(f"extra definition {name} is now in the spec")
        spec.definitions[name] = schema


def older_specs(spec_path: Path, main: Spec) -> list[Spec]:
    """Every older spec next to `spec_path`, newest first."""
    found: list[tuple[int, str, Path]] = []
    for path in spec_path.parent.glob("engine-api-v1.*.yaml"):
        m = _VERSION_FILE.match(path.name)
        if m is None or path.resolve() == spec_path.resolve():
            continue
        if int(m.group(1)) < main.minor():
            found.append((int(m.group(1)), m.group(2) or "", path))
    # Newest first; for one version the plain file (master's copy) before release copies.
    found.sort(key=lambda t: (-t[0], t[1]))
    return [Spec(path, load_yaml(path)) for _, _, path in found]


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

_IP_VERSION = re.compile(r"IPv(\d)")
_ACRONYM_PLURAL = re.compile(r"([A-Z]{2,})s(?=[A-Z0-9]|$)")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def snake_case(wire: str) -> str:
    """`IPAddress` -> `ip_address`, `OSType` -> `os_type`, `IPv6` -> `ipv6`, `NanoCPUs` ->
    `nano_cpus`, `IOMaximumIOps` -> `io_maximum_iops`, `com.docker.x` -> `com_docker_x`."""
    s = wire.replace("IOps", "Iops")
    s = _IP_VERSION.sub(lambda m: f"Ipv{m.group(1)}", s)
    s = _ACRONYM_PLURAL.sub(lambda m: m.group(1).capitalize() + "s", s)
    words = [w.lower() for chunk in _NON_ALNUM.split(s) for w in _WORDS.findall(chunk)]
    name = "_".join(words) or "field"
    if name[0].isdigit():
        name = "f_" + name
    if keyword.iskeyword(name) or name in RESERVED_ATTRIBUTES:
        name += "_"
    return name


def pascal_case(wire: str) -> str:
    """`Platform` -> `Platform`, `progressDetail` -> `ProgressDetail`, `a.b-c` -> `ABC`."""
    return "".join(part[:1].upper() + part[1:] for part in _NON_ALNUM.split(wire) if part)


# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class T:
    """A field type: `kind` is prim | any | named | list | dict | literal."""

    kind: str
    name: str = ""  # prim: str/int/float/bool; named: model name
    inner: T | None = None  # list item / dict value
    inner_nullable: bool = False
    values: tuple[Any, ...] = ()

    def render(self) -> str:
        if self.kind in ("prim", "named"):
            return self.name
        if self.kind == "any":
            return "Any"
        if self.kind == "literal":
            return "Literal[" + ", ".join(render_literal(v) for v in self.values) + "]"
        assert self.inner is not None
        inner = self.inner.render() + (" | None" if self.inner_nullable else "")
        return f"list[{inner}]" if self.kind == "list" else f"dict[str, {inner}]"

    def names(self) -> Iterator[str]:
        if self.kind == "named":
            yield self.name
        if self.inner is not None:
            yield from self.inner.names()

    def typing_names(self) -> Iterator[str]:
        if self.kind == "any":
            yield "Any"
        if self.kind == "literal":
            yield "Literal"
        if self.inner is not None:
            yield from self.inner.typing_names()


def render_literal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SystemExit(f"unsupported enum value {value!r}")
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


ANY = T("any")
PRIMS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


@dataclass
class Field:
    """One field of a Struct: wire name, attribute name, type."""

    wire: str
    attr: str
    type: T
    legacy: str | None = None  # label of the last older spec that has this field
    note: str | None = None  # a comment for the field


@dataclass
class Model:
    """A Struct (`fields`) or a type alias (`alias`), and the module it goes to."""

    name: str
    doc: str  # docstring (structs) or comment (aliases), one line
    fields: list[Field] = field(default_factory=list)
    alias: T | None = None  # set for type aliases
    module: str = ""

    def deps(self) -> set[str]:
        if self.alias is not None:
            return set(self.alias.names())
        return {n for f in self.fields for n in f.type.names()}


# ---------------------------------------------------------------------------------------------
# Building models
# ---------------------------------------------------------------------------------------------


class Generator:
    """Builds every model of `main` (patched), with legacy fields from `olds` (newest first)."""

    def __init__(self, main: Spec, olds: list[Spec]) -> None:
        self.main = main
        self.olds = olds
        self.models: dict[str, Model] = {}
        self.origins: dict[str, str] = {}  # model name -> where it comes from, for errors
        self.building: set[str] = set()
        self.ref_sites = self._ref_sites()
        self.roots: dict[str, set[str]] = {}  # operation tag -> root model names
        self.legacy_report: list[str] = []
        self.conflicts: list[str] = []
        self.spellings: list[str] = []
        self.collisions: list[str] = []

    @property
    def v(self) -> str:
        return f"Engine API v{self.main.version}"

    # -- where each definition is referenced (for finding it in older specs) -----------------

    def _ref_sites(self) -> dict[str, list[Loc]]:
        sites: dict[str, list[Loc]] = {}

        def walk(schema: Any, loc: Loc) -> None:
            if not isinstance(schema, dict):
                return
            if "$ref" in schema:
                sites.setdefault(ref_name(schema["$ref"]), []).append(loc)
                return
            parts = schema.get("allOf", [])
            if len(parts) == 1 and "properties" not in schema:
                walk(parts[0], loc)
                return
            for part in parts:
                if isinstance(part, dict) and "$ref" not in part:
                    walk(part, loc)
            for wire, prop in schema.get("properties", {}).items():
                walk(prop, (*loc, "p:" + wire))
            if isinstance(schema.get("items"), dict):
                walk(schema["items"], (*loc, "items"))
            if isinstance(schema.get("additionalProperties"), dict):
                walk(schema["additionalProperties"], (*loc, "values"))

        for name, schema in self.main.definitions.items():
            walk(schema, ("def", name))
        for op_id in self.main.operations:
            body = self.main.body_schema(op_id)
            if body is not None:
                walk(body, ("body", op_id))
            for code in self._codes(op_id):
                resp = self.main.response_schema(op_id, code)
                if resp is not None:
                    walk(resp, ("resp", op_id, code))
        return sites

    def _codes(self, op_id: str) -> list[str]:
        op = self.main.operations[op_id][2]
        return [str(c) for c in op.get("responses", {}) if str(c).startswith("2")]

    # -- registry ----------------------------------------------------------------------------

    def _register(self, model: Model, origin: str) -> None:
        if model.name in self.models:
            raise SystemExit(
                f"model name {model.name} is used twice: {self.origins[model.name]} and {origin}"
            )
        self.models[model.name] = model
        self.origins[model.name] = origin

    # -- definitions -------------------------------------------------------------------------

    def definition(self, name: str) -> str:
        """Build the model of definition `name` (once) and return its name."""
        if name in self.models or name in self.building:
            return name
        schema = self.main.definitions.get(name)
        if schema is None:
            raise SystemExit(f"$ref to missing definition {name}")
        self.building.add(name)
        extra = EXTRA_DEFINITIONS.get(name)
        doc = f"{extra[1]} ({self.v})." if extra else f"Model of definition `{name}` ({self.v})."
        locs: list[Loc] = [("def", name), *self.ref_sites.get(name, [])]
        if self._is_struct(schema):
            model = Model(name, doc)
            self._register(model, f"definition {name}")
            self._fill_struct(model, schema, locs)
        else:
            alias = self._type(schema, name, locs, f"definition `{name}`", top_level=True)
            if schema.get("x-open-enum"):
                doc = f"Model of definition `{name}` ({self.v}); an open enum, see PATCHES."
            self._register(Model(name, doc, alias=alias), f"definition {name}")
        self.building.discard(name)
        return name

    def _is_struct(self, schema: Schema) -> bool:
        return "properties" in schema or "allOf" in schema

    # -- operations --------------------------------------------------------------------------

    def operations(self) -> None:
        for op_id, (_, _, op) in self.main.operations.items():
            tags = op.get("tags") or ["System"]
            roots = self.roots.setdefault(TAG_MODULES[tags[0]], set())
            body = self.main.body_schema(op_id)
            if body is not None:
                roots.update(self._op_schema(body, op_id, "Request", ("body", op_id)))
            for code in self._codes(op_id):
                resp = self.main.response_schema(op_id, code)
                if resp is not None:
                    roots.update(self._op_schema(resp, op_id, "Response", ("resp", op_id, code)))

    def _op_schema(self, schema: Schema, op_id: str, suffix: str, loc: Loc) -> set[str]:
        """Model an operation's body or response; return the model names it uses."""
        what = "request body" if suffix == "Request" else "response"
        parts = schema.get("allOf", [])
        refs = [p for p in parts if "$ref" in p]
        if len(refs) == 1 and all("$ref" in p or not self.main.properties(p) for p in parts):
            # A definition plus an empty object (ServiceCreate, SecretCreate...): just that.
            schema = refs[0]
        if "$ref" in schema:
            return {self.definition(ref_name(schema["$ref"]))}
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            items = schema["items"]
            if self._is_struct(items):
                name = items.get("title") or f"{op_id}{suffix}Item"
                model = Model(name, f"Model of an item of the `{op_id}` {what} ({self.v}).")
                self._register(model, f"{op_id} {what} item")
                self._fill_struct(model, items, [(*loc, "items")])
                return {name} | model.deps()
            where = f"an item of the `{op_id}` {what}"
            return set(self._type(items, f"{op_id}{suffix}Item", [(*loc, "items")], where).names())
        if self._is_struct(schema):
            name = schema.get("title") or f"{op_id}{suffix}"
            model = Model(name, f"Model of the `{op_id}` {what} ({self.v}).")
            self._register(model, f"{op_id} {what}")
            self._fill_struct(model, schema, [loc])
            return {name} | model.deps()
        return set()

    # -- structs -----------------------------------------------------------------------------

    def _fill_struct(self, model: Model, schema: Schema, locs: list[Loc]) -> None:
        fields: dict[str, Field] = {}
        self._collect(model.name, schema, locs, fields)
        for old in self.olds:
            self._add_legacy(model.name, old, locs, fields)
        model.fields = self._name_fields(model.name, list(fields.values()))

    def _collect(self, owner: str, schema: Schema, locs: list[Loc], out: dict[str, Field]) -> None:
        for part in schema.get("allOf", []):
            if "$ref" in part:
                base = self.models[self.definition(ref_name(part["$ref"]))]
                if base.alias is not None:
                    raise SystemExit(f"{owner}: allOf part {base.name} is not an object")
                for f in base.fields:
                    out[f.wire] = Field(f.wire, "", f.type, f.legacy, f.note)
            else:
                self._collect(owner, part, locs, out)
        for wire, prop in schema.get("properties", {}).items():
            sub = [(*loc, "p:" + wire) for loc in locs]
            t = self._type(prop, owner + pascal_case(wire), sub, f"`{owner}.{wire}`")
            note = "open enum: daemons send values the spec does not list (see PATCHES)"
            out[wire] = Field(wire, "", t, note=note if prop.get("x-open-enum") else None)

    def _add_legacy(self, owner: str, old: Spec, locs: list[Loc], out: dict[str, Field]) -> None:
        if owner in OLDER_SPEC_ERRORS and old.minor() <= OLDER_SPEC_ERRORS[owner][0]:
            return
        wrong = NEVER_SENT.get(owner, frozenset())
        seen: set[int] = set()
        for loc in locs:
            schema = old.locate(loc)
            if schema is None or id(old.deref(schema)) in seen:
                continue
            seen.add(id(old.deref(schema)))
            attrs = {snake_case(w): w for w in out}
            # Go matches JSON keys without case: `HealthCheck` is the `Healthcheck` we have.
            cased = {w.lower(): w for w in out}
            for wire, prop in old.properties(schema).items():
                if wire in wrong:
                    continue
                if wire in out:
                    if out[wire].legacy is None:
                        self._check_conflict(owner, wire, out[wire].type, old, prop)
                    continue
                same = attrs.get(snake_case(wire)) or cased.get(wire.lower())
                if same is not None:
                    # Another spelling of a field we have (v1.27 says `NanoCPUs` for the
                    # `NanoCpus` that every daemon sends): a typo in the older spec.
                    self.spellings.append(f"{owner}.{wire} ({old.label}) = {same}")
                    continue
                t = self._old_type(old, prop, owner + pascal_case(wire), f"`{owner}.{wire}`")
                out[wire] = Field(wire, "", t, legacy=old.label)
                self.legacy_report.append(f"{owner}.{wire} (last in {old.label})")

    def _check_conflict(self, owner: str, wire: str, new: T, old: Spec, prop: Schema) -> None:
        old_schema = old.deref(prop)
        old_type = old_schema.get("type")
        old_kind = PRIMS.get(old_type) if isinstance(old_type, str) else None
        new_kind = new.name if new.kind == "prim" else None
        if old_kind and new_kind and old_kind != new_kind:
            if {old_kind, new_kind} == {"int", "float"}:
                return
            self.conflicts.append(f"{owner}.{wire}: {old_kind} in {old.label}, {new_kind} now")

    def _name_fields(self, owner: str, fields: list[Field]) -> list[Field]:
        """Give each field its attribute name. Two wire names with one snake_case (`Id` and
        `ID`) cannot both have it: the first in field order (the spec's order, legacy fields
        last) keeps it, the next ones get `_2`, `_3`..., with a comment saying why, unless
        `ATTRIBUTE_NAMES` names them."""
        used: dict[str, str] = {}
        for f in fields:
            attr = ATTRIBUTE_NAMES.get((owner, f.wire)) or snake_case(f.wire)
            if attr in used:
                base, n = attr, 2
                while f"{base}_{n}" in used:
                    n += 1
                attr = f"{base}_{n}"
                f.note = f"`{f.wire}` and `{used[base]}` have one snake_case name: `{base}`"
                self.collisions.append(f"{owner}.{f.wire} -> {attr} (beside {used[base]})")
            used[attr] = f.wire
            f.attr = attr
        return fields

    # -- types -------------------------------------------------------------------------------

    def _type(
        self, schema: Schema, hint: str, locs: list[Loc], where: str, top_level: bool = False
    ) -> T:
        """The type of `schema` in the newest spec; nested objects and enums become models."""
        if "$ref" in schema:
            return T("named", self.definition(ref_name(schema["$ref"])))
        parts = schema.get("allOf", [])
        if len(parts) == 1 and "properties" not in schema:
            return self._type(parts[0], hint, locs, where, top_level)
        if "enum" in schema and schema.get("type") in ("string", "integer"):
            literal = T("literal", values=tuple(schema["enum"]))
            if top_level:
                return literal
            self._alias(hint, literal, f"Enum of {where} ({self.v}).")
            return T("named", hint)
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items")
            if not isinstance(items, dict):
                return T("list", inner=ANY)
            sub = [(*loc, "items") for loc in locs]
            inner = self._type(items, hint + "Item", sub, f"an item of {where}")
            return T("list", inner=inner, inner_nullable=bool(items.get("x-nullable")))
        if self._is_struct(schema):
            model = Model(hint, f"Model of {where} ({self.v}).")
            self._register(model, where)
            self._fill_struct(model, schema, locs)
            return T("named", hint)
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            if "enum" in values and values.get("type") == "object":
                return T("dict", inner=T("dict", inner=ANY))  # `{"80/tcp": {}}`
            sub = [(*loc, "values") for loc in locs]
            inner = self._type(values, hint + "Value", sub, f"a value of {where}")
            return T("dict", inner=inner, inner_nullable=bool(values.get("x-nullable")))
        if kind == "object" or values is True:
            return T("dict", inner=ANY)
        if kind in PRIMS:
            return T("prim", PRIMS[kind])
        return ANY

    def _old_type(self, old: Spec, schema: Schema, hint: str, where: str) -> T:
        """The type of a legacy field, from an older spec; its enums are plain strings."""
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            if name in self.main.definitions:
                return T("named", self.definition(name))
            if name not in self.models:
                model = Model(name, f"Model of definition `{name}` (Engine API v{old.version}).")
                self._register(model, f"definition {name} of {old.label}")
                model.fields = self._old_fields(old, old.deref(schema), name)
            return T("named", name)
        parts = schema.get("allOf", [])
        if len(parts) == 1 and "properties" not in schema:
            return self._old_type(old, parts[0], hint, where)
        kind = schema.get("type")
        if isinstance(kind, list):  # v1.25-v1.34 `Cmd`: ["array", "string"]; daemons send arrays
            kind = kind[0]
        if kind == "array":
            items = schema.get("items")
            if not isinstance(items, dict):
                return T("list", inner=ANY)
            inner = self._old_type(old, items, hint + "Item", f"an item of {where}")
            return T("list", inner=inner, inner_nullable=bool(items.get("x-nullable")))
        if self._is_struct(schema):
            model = Model(hint, f"Model of {where} (Engine API v{old.version}).")
            self._register(model, f"{where} of {old.label}")
            model.fields = self._old_fields(old, schema, hint)
            return T("named", hint)
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            inner = self._old_type(old, values, hint + "Value", f"a value of {where}")
            return T("dict", inner=inner, inner_nullable=bool(values.get("x-nullable")))
        if kind == "object" or values is True:
            return T("dict", inner=ANY)
        if kind in PRIMS:
            return T("prim", PRIMS[kind])
        return ANY

    def _old_fields(self, old: Spec, schema: Schema, owner: str) -> list[Field]:
        """The fields of a model that only an older spec has (its docstring names the spec)."""
        fields = [
            Field(
                wire, "", self._old_type(old, prop, owner + pascal_case(wire), f"`{owner}.{wire}`")
            )
            for wire, prop in old.properties(schema).items()
        ]
        return self._name_fields(owner, fields)

    def _alias(self, name: str, t: T, doc: str) -> None:
        self._register(Model(name, doc, alias=t), doc)

    # -- everything --------------------------------------------------------------------------

    def build(self) -> None:
        for name in self.main.definitions:
            self.definition(name)
        self.operations()
        self._assign_modules()

    def _closure(self, names: Iterable[str]) -> set[str]:
        todo = list(names)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(self.models[name].deps())
        return seen

    def _assign_modules(self) -> None:
        users: dict[str, set[str]] = {}
        for module, roots in self.roots.items():
            for name in self._closure(roots):
                users.setdefault(name, set()).add(module)
        for name in HOME_OVERRIDES:
            for dep in self._closure([name]):
                users.setdefault(dep, set()).add(HOME_OVERRIDES[name])
        for name, model in self.models.items():
            homes = users.get(name, set())
            model.module = homes.pop() if len(homes) == 1 else "common"
        changed = True
        while changed:  # _common and cross-module references pull models into _common
            changed = False
            for model in self.models.values():
                for dep in model.deps():
                    target = self.models[dep]
                    if target.module not in ("common", model.module):
                        target.module = "common"
                        changed = True


# ---------------------------------------------------------------------------------------------
# Rendering (already in `ruff format` style)
# ---------------------------------------------------------------------------------------------


def isort_key(name: str) -> tuple[int, str, str]:
    """isort's order-by-type: CONSTANTS, then Classes, then variables, case-insensitively."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def dunder_all_key(name: str) -> tuple[int, list[str | int]]:
    """ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest, case-sensitively,
    digit runs compared as numbers."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
    return kind, parts


def header(spec: Spec, olds: list[Spec]) -> list[str]:
    lines = [
        f"# Generated by {GENERATOR} from engine-api-{spec.label}.yaml (Engine API "
        f"v{spec.version}).",
        "# Do not edit: change the generator (or its patch tables) and run it again.",
    ]
    if olds:
        oldest = min(olds, key=lambda s: s.minor())
        lines.append(
            f"# `legacy` fields are gone from v{spec.version} but older daemons send them; they "
            f"come from the v{oldest.version}+ specs."
        )
    return lines


def render_field(f: Field, model: str = "") -> list[str]:
    """One field, wrapped the way `ruff format` wraps an annotated assignment."""
    lines: list[str] = []
    if f.legacy is not None:
        lines.append(f"    # legacy: last in {f.legacy}")
    if f.note is not None:
        lines.append(f"    # {f.note}")
    if (model, f.wire) in REQUIRED_FIELDS:
        required = f"    {f.attr}: {f.type.render()}"
        if f.attr != f.wire:
            required += f' = msgspec.field(name="{f.wire}")'
        return [*lines, required]
    ann = "Any" if f.type.kind == "any" else f"{f.type.render()} | None"
    value = "None" if f.attr == f.wire else f'msgspec.field(default=None, name="{f.wire}")'
    candidates = [
        [f"    {f.attr}: {ann} = {value}"],
        # Split the call's arguments...
        [f"    {f.attr}: {ann} = msgspec.field(", f'        default=None, name="{f.wire}"', "    )"]
        if value != "None"
        else [],
        # ...else parenthesize the value...
        [f"    {f.attr}: {ann} = (", f"        {value}", "    )"] if value != "None" else [],
        # ...else the annotation.
        [f"    {f.attr}: (", f"        {ann}", f"    ) = {value}"],
    ]
    for candidate in candidates:
        if candidate and all(len(line) <= LINE_LENGTH for line in candidate):
            return [*lines, *candidate]
    raise SystemExit(f"field too long to format: {f.attr}: {ann}")


def secret_attrs(m: Model) -> list[str]:
    """The attributes of `m` that hold credentials (SECRET_NAMES, SECRET_FIELDS)."""
    return [f.attr for f in m.fields if f.wire in SECRET_NAMES or (m.name, f.wire) in SECRET_FIELDS]


def render_redaction(m: Model) -> list[str]:
    """Class attributes that make `repr()` show `<redacted>` for the credentials of `m`."""
    attrs = secret_attrs(m)
    if not attrs:
        return []
    names = ", ".join(f'"{a}"' for a in attrs) + ("," if len(attrs) == 1 else "")
    return [
        "",
        "    # Credentials: repr() shows them as <redacted>.",
        f"    __redacted__ = ({names})",
        "    __repr__ = redacted_repr",
        "    __rich_repr__ = redacted_rich_repr",
    ]


def render_docstring(doc: str) -> str:
    line = f'    """{doc}"""'
    if len(line) > LINE_LENGTH:
        raise SystemExit(f"docstring too long: {doc}")
    return line


def render_module(
    module: str, models: list[Model], all_models: dict[str, Model], spec: Spec, olds: list[Spec]
) -> str:
    structs = sorted((m for m in models if m.alias is None), key=lambda m: m.name)
    aliases = topo_aliases([m for m in models if m.alias is not None])
    typing_names: set[str] = set()
    imports: dict[str, set[str]] = {}
    uses_msgspec_field = False
    for m in models:
        types = [m.alias] if m.alias is not None else [f.type for f in m.fields]
        for t in types:
            assert t is not None
            typing_names.update(t.typing_names())
            for name in t.names():
                home = all_models[name].module
                if home != module:
                    imports.setdefault(home, set()).add(name)
        if m.alias is not None:
            typing_names.add("TypeAlias")
        uses_msgspec_field |= any(f.attr != f.wire for f in m.fields)
    if structs:
        imports.setdefault("base", set()).add("Model")
    if any(secret_attrs(m) for m in structs):
        imports["base"].update({"redacted_repr", "redacted_rich_repr"})

    out = header(spec, olds)
    out.append(f'"""{MODULE_DOCS[module]} (Engine API v{spec.version}, generated)."""')
    out += ["", "from __future__ import annotations", ""]
    if typing_names:
        out += [f"from typing import {', '.join(sorted(typing_names, key=isort_key))}", ""]
    if uses_msgspec_field:
        out += ["import msgspec", ""]
    for home in sorted(imports):
        names = sorted(imports[home], key=isort_key)
        out += _import_lines(home, names)
    if out[-1] != "":
        out.append("")
    for m in structs:
        out += ["", f"class {m.name}(Model, kw_only=True):", render_docstring(m.doc)]
        if m.fields:
            out.append("")
        for f in m.fields:
            out += render_field(f, m.name)
        out += render_redaction(m)
        out.append("")
    for i, m in enumerate(aliases):
        assert m.alias is not None
        if i == 0 and structs:
            out.append("")
        out.append(f"# {m.doc}")
        out += render_alias(m.name, m.alias)
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _import_lines(home: str, names: list[str]) -> list[str]:
    one = f"from ._{home} import {', '.join(names)}"
    if len(one) <= LINE_LENGTH:
        return [one]
    return [f"from ._{home} import (", *(f"    {n}," for n in names), ")"]


def render_alias(name: str, t: T) -> list[str]:
    head = f"{name}: TypeAlias = "
    line = head + t.render()
    if len(line) <= LINE_LENGTH:
        return [line]
    if t.kind == "literal":
        return [f"{head}Literal[", *(f"    {render_literal(v)}," for v in t.values), "]"]
    raise SystemExit(f"alias line too long: {line}")


def topo_aliases(aliases: list[Model]) -> list[Model]:
    by_name = {m.name: m for m in aliases}
    done: list[Model] = []
    placed: set[str] = set()

    def place(m: Model) -> None:
        if m.name in placed:
            return
        placed.add(m.name)
        for dep in sorted(m.deps()):
            if dep in by_name:
                place(by_name[dep])
        done.append(m)

    for m in sorted(aliases, key=lambda m: m.name):
        place(m)
    return done


def render_base(spec: Spec, olds: list[Spec]) -> str:
    out = header(spec, olds)
    out += [
        f'"""{MODULE_DOCS["base"]} (Engine API v{spec.version}, generated)."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "import msgspec",
        "",
        "",
        "# Subclasses say `kw_only=True` again: msgspec applies it to the fields of the class",
        "# that says it, not to those of its subclasses.",
        "class Model(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True):",
        '    """Base of the generated models: keyword-only; None fields stay out of JSON."""',
        "",
        "",
        "class _Redacted:",
        "    __slots__ = ()",
        "",
        "    def __repr__(self) -> str:",
        '        return "<redacted>"',
        "",
        "",
        "_REDACTED = _Redacted()",
        "",
        "",
        "def redacted_rich_repr(self: Model) -> list[tuple[str, Any]]:",
        '    """The fields msgspec\'s repr shows (those not at their default), with the values',
        "    of the attributes the class names in `__redacted__` (credentials) as <redacted>.",
        '    """',
        '    secrets: tuple[str, ...] = getattr(type(self), "__redacted__", ())',
        "    return [",
        "        (field.name, _REDACTED if field.name in secrets else value)",
        "        for field in msgspec.structs.fields(self)",
        "        if (value := getattr(self, field.name)) is not field.default",
        "    ]",
        "",
        "",
        "def redacted_repr(self: Model) -> str:",
        '    """msgspec\'s repr, but credentials show as <redacted> (see `redacted_rich_repr`)."""',
        '    shown = ", ".join(f"{name}={value!r}" for name, value in redacted_rich_repr(self))',
        '    return f"{type(self).__name__}({shown})"',
    ]
    return "\n".join(out) + "\n"


def render_init(gen: Generator, modules: list[str]) -> str:
    spec = gen.main
    out = header(spec, gen.olds)
    out += [
        f'"""Typed models of the Docker Engine API v{spec.version}: msgspec Structs, generated.',
        "",
        "Attributes are snake_case; each field keeps its exact wire name. Every field but a few",
        "identities (the `id` of create, list and inspect results, a wait's `status_code`) is",
        "optional: `None` when the daemon did not send it, or sent null. Unknown fields are",
        "ignored.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from ._base import Model",
    ]
    names = ["Model"]
    for module in modules:
        exported = sorted(
            (m.name for m in gen.models.values() if m.module == module), key=isort_key
        )
        names += exported
        out += _import_lines(module, exported)
    out += ["", "__all__ = ["]
    out += [f'    "{n}",' for n in sorted(names, key=dunder_all_key)]
    out.append("]")
    return "\n".join(out) + "\n"


def generate(spec_path: Path, out_dir: Path, use_older: bool, report: bool) -> None:
    main = Spec(spec_path, load_yaml(spec_path))
    apply_patches(main)
    olds = older_specs(spec_path, main) if use_older else []
    gen = Generator(main, olds)
    gen.build()
    for model, wire in sorted(SECRET_FIELDS):
        if model not in gen.models or wire not in {f.wire for f in gen.models[model].fields}:
            raise SystemExit(f"SECRET_FIELDS: {model}.{wire} is not in the spec any more")
    files: dict[str, str] = {"_base.py": render_base(main, olds)}
    modules = sorted({m.module for m in gen.models.values()})
    for module in modules:
        models = [m for m in gen.models.values() if m.module == module]
        files[f"_{module}.py"] = render_module(module, models, gen.models, main, olds)
    files["__init__.py"] = render_init(gen, modules)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        path = out_dir / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    if report:
        print(f"{len(gen.models)} models in {len(files)} files", file=sys.stderr)
        for line in gen.legacy_report:
            print("legacy", line, file=sys.stderr)
        for line in gen.conflicts:
            print("type conflict", line, file=sys.stderr)
        for line in gen.spellings:
            print("older spelling", line, file=sys.stderr)
        for line in gen.collisions:
            print("attribute collision", line, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="engine-api-v1.NN.yaml (Swagger 2.0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output package directory")
    parser.add_argument(
        "--no-older-specs",
        action="store_true",
        help="do not add legacy fields from the older specs next to SPEC",
    )
    parser.add_argument("--report", action="store_true", help="list legacy fields and conflicts")
    args = parser.parse_args(argv)
    generate(args.spec, args.out, not args.no_older_specs, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The operation index: complete against the newest spec, reproducible, right about versions."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from aiodocker_engine import _operations
from aiodocker_engine._operations import (
    COMPOSITE_METHODS,
    EXTRA_METHODS,
    FORMER_OPERATION_IDS,
    GROUPS,
    NEWEST_SPEC_VERSION,
    OLDEST_SPEC_VERSION,
    OPERATION_MIN_VERSION,
    OPERATIONS,
    PARAMETER_MAX_VERSION,
    PARAMETER_MIN_VERSION,
    REMOVED_OPERATIONS,
    methods_by_group,
)

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = ROOT.parent / "shared" / "spec"
GENERATOR = ROOT / "scripts" / "generate_operations.py"


def spec_dir() -> Path:
    """The shared spec directory; its absence is a failure, never a skip."""
    if not (SPEC_DIR / "engine-api-CHANGELOG.md").is_file():
        pytest.fail(f"the Engine API spec files are missing from {SPEC_DIR}")
    return SPEC_DIR


def newest_spec() -> dict[str, Any]:
    name = f"engine-api-v{NEWEST_SPEC_VERSION[0]}.{NEWEST_SPEC_VERSION[1]}.yaml"
    with (spec_dir() / name).open("rb") as stream:
        spec: dict[str, Any] = yaml.load(
            stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return spec


def changelog_section(version: tuple[int, int]) -> str:
    """The text of one version's section of upstream's API changelog."""
    text = (spec_dir() / "engine-api-CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.compile(rf"^#+ v{version[0]}\.{version[1]} API changes$", re.I | re.M)
    match = heading.search(text)
    assert match is not None, f"no changelog section for v{version[0]}.{version[1]}"
    end = re.compile(r"^#+ v\d+\.\d+ API changes$", re.I | re.M).search(text, match.end())
    return text[match.end() : end.start() if end else len(text)]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_operations", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def index(generator: ModuleType) -> Any:
    return generator.build_index(spec_dir())


def test_operations_cover_exactly_the_operation_ids_of_the_newest_spec() -> None:
    spec = newest_spec()
    assert spec["info"]["version"] == "1.55"
    ids = {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "head", "patch", "options")
    }
    assert len(ids) == 108
    assert set(OPERATIONS) == ids
    assert set(OPERATION_MIN_VERSION) == ids


def test_regenerating_from_the_spec_reproduces_the_committed_module_byte_for_byte(
    generator: ModuleType, index: Any
) -> None:
    committed = Path(_operations.__file__).read_bytes()
    assert generator.render(index).encode("utf-8") == committed


def test_generator_meets_no_unexplained_hole_in_the_files(index: Any) -> None:
    """A parameter missing from a file between two that list it must be a KNOWN_GAPS entry."""
    assert index.warnings == []


def test_every_method_is_group_dot_identifier_with_a_known_group() -> None:
    assert len(GROUPS) == 15
    for method in (*OPERATIONS.values(), *EXTRA_METHODS, *COMPOSITE_METHODS):
        group, dot, name = method.partition(".")
        assert dot and group in GROUPS and name.isidentifier(), method
        assert not name.startswith("get_") or name == "get_archive", method


def test_extra_and_composite_methods_point_at_current_operations() -> None:
    assert EXTRA_METHODS["images.import_"] == "ImageCreate"
    assert OPERATIONS["ImageCreate"] == "images.pull"
    for method, operation_id in EXTRA_METHODS.items():
        assert operation_id in OPERATIONS and method not in OPERATIONS.values()
    for method, operation_ids in COMPOSITE_METHODS.items():
        assert set(operation_ids) <= set(OPERATIONS) and method not in OPERATIONS.values()


def test_methods_by_group_names_every_core_method_of_the_design() -> None:
    design = {
        "containers": "list create inspect start stop restart kill pause unpause remove rename "
        "update resize wait top changes prune logs stats stats_once attach attach_websocket "
        "export get_archive put_archive stat_path run",
        "exec": "create start start_detached inspect resize run",
        "images": "list inspect history pull push tag remove prune search commit build "
        "build_prune save load import_",
        "system": "ping version info df events auth",
    }
    groups = methods_by_group()
    assert list(groups) == list(GROUPS)
    assert all(groups.values())
    for group, names in design.items():
        assert set(names.split()) <= groups[group], group


def test_several_operations_may_share_one_method() -> None:
    assert OPERATIONS["ImageGet"] == OPERATIONS["ImageGetAll"] == "images.save"
    methods = list(OPERATIONS.values())
    assert {m for m in methods if methods.count(m) > 1} == {"images.save"}


@pytest.mark.parametrize(
    ("operation_id", "method"),
    [
        ("SystemPingHead", "system.ping_head"),
        ("PluginSet", "plugins.configure"),
        ("SwarmUnlockkey", "swarm.unlock_key"),
        ("Session", "session.dial"),
        ("ContainerExec", "exec.create"),
        ("ContainerArchiveInfo", "containers.stat_path"),
        ("DistributionInspect", "distribution.inspect"),
        ("ImageAttestations", "images.attestations"),
        ("NetworkConnect", "networks.connect"),
        ("TaskLogs", "tasks.logs"),
    ],
)
def test_method_names(operation_id: str, method: str) -> None:
    assert OPERATIONS[operation_id] == method


def test_spec_bounds_are_the_oldest_and_newest_files() -> None:
    assert (OLDEST_SPEC_VERSION, NEWEST_SPEC_VERSION) == ((1, 25), (1, 55))
    assert min(OPERATION_MIN_VERSION.values()) == OLDEST_SPEC_VERSION


def test_renamed_operations_keep_their_history() -> None:
    """The archive operations were renamed in v1.28; method + path matching keeps v1.25."""
    assert FORMER_OPERATION_IDS == {
        "ContainerArchiveHead": "ContainerArchiveInfo",
        "ContainerGetArchive": "ContainerArchive",
        "ContainerPutArchive": "PutContainerArchive",
    }
    for operation_id in FORMER_OPERATION_IDS.values():
        assert OPERATION_MIN_VERSION[operation_id] == (1, 25)
    assert REMOVED_OPERATIONS == {}


# (operationId, first version, words of that version's changelog section saying so)
OPERATION_CHANGELOG = [
    ("PluginUpgrade", (1, 26), "POST /plugins/(plugin name)/upgrade"),
    ("DistributionInspect", (1, 30), "GET /distribution/(name)/json"),
    ("Session", (1, 31), "POST /session"),
    ("SystemPingHead", (1, 40), "`GET` or `HEAD`"),
    ("ImageAttestations", (1, 55), "GET /images/{name}/attestations"),
    ("SecretUpdate", (1, 25), "POST /secrets/{id}/update"),  # errata: the v1.25 file lacks it
]


@pytest.mark.parametrize(("operation_id", "version", "evidence"), OPERATION_CHANGELOG)
def test_operation_min_version_agrees_with_the_changelog(
    operation_id: str, version: tuple[int, int], evidence: str
) -> None:
    assert OPERATION_MIN_VERSION[operation_id] == version
    assert evidence in changelog_section(version)


@pytest.mark.parametrize(
    ("operation_id", "version"),
    [
        ("VolumeUpdate", (1, 42)),
        ("TaskLogs", (1, 29)),
        ("ConfigCreate", (1, 30)),
        ("BuildPrune", (1, 31)),
    ],
)
def test_operation_min_version(operation_id: str, version: tuple[int, int]) -> None:
    assert OPERATION_MIN_VERSION[operation_id] == version


# (operationId, parameter, first version, words of that version's changelog section)
PARAMETER_CHANGELOG = [
    ("ContainerCreate", "platform", (1, 41), "now accepts a `platform` query parameter"),
    ("ContainerStop", "signal", (1, 42), "`signal` query parameter"),
    ("ContainerRestart", "signal", (1, 42), "`signal` query parameter"),
    ("ContainerWait", "condition", (1, 30), "accepts a `condition` query parameter"),
    ("ImageList", "shared-size", (1, 42), "query parameter `shared-size`"),
    ("ContainerStats", "one-shot", (1, 41), "(`one-shot`)"),
    ("ContainerLogs", "until", (1, 35), "query parameter: `until`"),
    ("ContainerExec", "WorkingDir", (1, 35), "accepts a `WorkingDir` property"),
    ("ContainerExec", "ConsoleSize", (1, 42), "optional `ConsoleSize` parameter"),
    ("ContainerAttachWebsocket", "stdin", (1, 42), "now accepts `stdin`, `stdout` and"),
    ("SystemDataUsage", "type", (1, 42), "accepts query parameter `type`"),
    ("SystemDataUsage", "verbose", (1, 52), "`?verbose=1`"),
    ("VolumeCreate", "ClusterVolumeSpec", (1, 42), "new `ClusterVolumeSpec`"),
    ("ServiceList", "status", (1, 41), "accepts query parameter `status`"),
    ("ServiceInspect", "insertDefaults", (1, 29), "`insertDefaults` query-parameter"),
    ("ServiceUpdate", "RollbackConfig", (1, 28), "optional `RollbackConfig` object"),
    ("NetworkInspect", "verbose", (1, 28), "query parameter `verbose`"),
    ("NetworkInspect", "scope", (1, 31), "optional query parameter `scope`"),
    ("NetworkCreate", "Ingress", (1, 29), "`Ingress` boolean field"),
    ("ImageList", "manifests", (1, 47), "sets the `manifests`"),
    ("ImageInspect", "manifests", (1, 48), "sets the `manifests`"),
    ("ImageBuild", "extrahosts", (1, 28), "accepts `extrahosts` parameter"),
    ("ImageBuild", "outputs", (1, 40), "accepts `outputs` key"),
    ("ImageCreate", "platform", (1, 32), "accepts a `platform` parameter"),
    ("ImageInspect", "platform", (1, 49), "supports a `platform` parameter"),
    ("ImageList", "identity", (1, 54), "supports an `identity` query parameter"),
    ("ImageDelete", "platforms", (1, 50), "supports a `platforms` query parameter"),
    ("ImagePush", "platform", (1, 46), "supports a `platform` parameter"),
    ("BuildPrune", "reserved-space", (1, 48), "renames `keep-storage` to `reserved-space`"),
    ("PluginDisable", "force", (1, 28), "accepts a `force` query-parameter"),
    ("SwarmInit", "DataPathAddr", (1, 30), "accepts a `DataPathAddr` property"),
    ("SwarmInit", "DefaultAddrPool", (1, 39), "accepts a `DefaultAddrPool` property"),
    ("SwarmInit", "DataPathPort", (1, 40), "accepts a `DataPathPort` property"),
    ("SecretCreate", "Driver", (1, 31), "accepts a `Driver` struct"),
    ("ConfigCreate", "Templating", (1, 37), "accept a `Templating` driver"),
    ("ContainerUpdate", "DeviceCgroupRules", (1, 28), "`DeviceCgroupRules` field"),
    ("ContainerUpdate", "KernelMemoryTCP", (1, 40), "takes `KernelMemoryTCP` field"),
    # Errata: the files say otherwise, the changelog wins.
    ("PutContainerArchive", "copyUIDGID", (1, 30), "accepts a `copyUIDGID` parameter"),
    ("ContainerUpdate", "NanoCpus", (1, 28), "supports updating `NanoCpus`"),
    ("ContainerUpdate", "PidsLimit", (1, 40), "accepts a `PidsLimit` field"),
    ("ContainerUpdate", "BlkioDeviceReadBps", (1, 55), "`BlkioDeviceReadBps`"),
    ("NetworkCreate", "EnableIPv4", (1, 48), "now has an `EnableIPv4` field"),
]


@pytest.mark.parametrize(("operation_id", "name", "version", "evidence"), PARAMETER_CHANGELOG)
def test_parameter_min_version_agrees_with_the_changelog(
    operation_id: str, name: str, version: tuple[int, int], evidence: str
) -> None:
    assert PARAMETER_MIN_VERSION[operation_id][name] == version
    assert evidence in changelog_section(version)


# (operationId, parameter, last version, words of the next version's changelog section)
REMOVED_CHANGELOG = [
    (
        "ContainerCreate",
        "MacAddress",
        (1, 51),
        "no longer supports configuring a container-wide MAC",
    ),
    ("ContainerUpdate", "KernelMemory", (1, 41), "Removed the `KernelMemory` field"),
    ("ContainerUpdate", "KernelMemoryTCP", (1, 51), "Removed the `KernelMemoryTCP` field"),
]


@pytest.mark.parametrize(("operation_id", "name", "version", "evidence"), REMOVED_CHANGELOG)
def test_parameter_max_version_agrees_with_the_changelog(
    operation_id: str, name: str, version: tuple[int, int], evidence: str
) -> None:
    assert PARAMETER_MAX_VERSION[operation_id][name] == version
    assert evidence in changelog_section((version[0], version[1] + 1))


def test_keep_storage_is_retired_where_the_changelog_announced() -> None:
    assert PARAMETER_MAX_VERSION["BuildPrune"]["keep-storage"] == (1, 51)
    assert "will be removed in API v1.52" in changelog_section((1, 48))
    assert PARAMETER_MAX_VERSION["NetworkCreate"]["CheckDuplicate"] == (1, 45)


@pytest.mark.parametrize(
    ("operation_id", "name"),
    [
        ("ContainerDelete", "link"),  # errata: documented late (moby/moby#30898)
        ("GetPluginPrivileges", "remote"),  # errata: v1.25-v1.26 files said `name`
        ("NetworkCreate", "Attachable"),  # errata: documented late (moby/moby#30952)
        ("ContainerUpdate", "KernelMemory"),  # errata: holes in the v1.25-v1.39 files
        ("ContainerPrune", "filters"),  # the v1.27 file alone omits it
        ("ImageCreate", "message"),  # errata: predates v1.25
        ("ContainerCreate", "HostConfig"),  # present from the start
    ],
)
def test_parameters_as_old_as_their_operation_are_not_gated(operation_id: str, name: str) -> None:
    assert name not in PARAMETER_MIN_VERSION.get(operation_id, {})


def test_doc_typos_gate_nothing() -> None:
    assert "NanoCPUs" not in PARAMETER_MIN_VERSION["ContainerUpdate"]
    assert "NanoCPUs" not in PARAMETER_MAX_VERSION["ContainerUpdate"]
    assert "name" not in PARAMETER_MAX_VERSION.get("GetPluginPrivileges", {})


def test_retro_documented_parameters_follow_the_first_file_that_lists_them() -> None:
    """Master's old files were fixed later: 20.10's copy lacks `version`, master's v1.38 has it."""
    assert PARAMETER_MIN_VERSION["ImageBuild"]["version"] == (1, 38)
    assert PARAMETER_MIN_VERSION["ImageCreate"]["changes"] == (1, 40)


def test_nested_body_fields_are_not_gated() -> None:
    """Only top-level body fields are: HealthConfig.StartInterval (v1.44) is inside Healthcheck."""
    assert "StartInterval" not in PARAMETER_MIN_VERSION.get("ContainerCreate", {})
    assert "`HealthConfig.StartInterval`" in changelog_section((1, 44))


def test_gates_are_consistent_with_their_operations() -> None:
    for table in (PARAMETER_MIN_VERSION, PARAMETER_MAX_VERSION):
        assert set(table) <= set(OPERATIONS)
        assert all(table.values())
    for operation_id, gates in PARAMETER_MIN_VERSION.items():
        for version in gates.values():
            assert OPERATION_MIN_VERSION[operation_id] < version <= NEWEST_SPEC_VERSION
    for operation_id, gates in PARAMETER_MAX_VERSION.items():
        for version in gates.values():
            assert OPERATION_MIN_VERSION[operation_id] <= version < NEWEST_SPEC_VERSION

"""The model generator's naming rules, and the shape of what it wrote."""

from __future__ import annotations

import ast
import importlib.util
import keyword
import sys
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

from aiodocker_engine import models

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "aiodocker_engine" / "models"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_models", ROOT / "scripts" / "generate_models.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_models", module)
    spec.loader.exec_module(module)
    return module


gen = load_generator()


@pytest.mark.parametrize(
    ("wire", "attr"),
    [
        ("ID", "id"),
        ("Id", "id"),
        ("IPAddress", "ip_address"),
        ("OSType", "os_type"),
        ("IPv6", "ipv6"),
        ("EnableIPv6", "enable_ipv6"),
        ("IPv4Forwarding", "ipv4_forwarding"),
        ("GlobalIPv6PrefixLen", "global_ipv6_prefix_len"),
        ("LinkLocalIPv6Address", "link_local_ipv6_address"),
        ("CPUShares", "cpu_shares"),
        ("CpuShares", "cpu_shares"),
        ("NanoCpus", "nano_cpus"),
        ("NanoCPUs", "nano_cpus"),
        ("HostConfig", "host_config"),
        ("NetworkingConfig", "networking_config"),
        ("IPAMConfig", "ipam_config"),
        ("IOMaximumIOps", "io_maximum_iops"),
        ("BlkioDeviceReadIOps", "blkio_device_read_iops"),
        ("VirtualIPs", "virtual_ips"),
        ("ExecIDs", "exec_ids"),
        ("ExternalCAs", "external_cas"),
        ("InsecureRegistryCIDRs", "insecure_registry_cidrs"),
        ("DNSNames", "dns_names"),
        ("SELinuxContext", "se_linux_context"),
        ("NCPU", "ncpu"),
        ("NFd", "n_fd"),
        ("NGoroutines", "n_goroutines"),
        ("MinAPIVersion", "min_api_version"),
        ("RootFS", "root_fs"),
        ("SizeRootFs", "size_root_fs"),
        ("BridgeNfIp6tables", "bridge_nf_ip6tables"),
        ("RW", "rw"),
        ("status", "status"),
        ("progressDetail", "progress_detail"),
        ("time_nano", "time_nano"),
        ("timeNano", "time_nano"),
        ("io_service_bytes_recursive", "io_service_bytes_recursive"),
        ("com.docker.network.bridge.name", "com_docker_network_bridge_name"),
        ("x-custom-key", "x_custom_key"),
        ("from", "from_"),
        ("global", "global_"),
        ("Global", "global_"),
        ("type", "type"),
        ("str", "str_"),
        ("list", "list_"),
    ],
)
def test_snake_case_of_wire_names(wire: str, attr: str) -> None:
    assert gen.snake_case(wire) == attr


def test_pascal_case_of_nested_model_names() -> None:
    assert gen.pascal_case("Platform") == "Platform"
    assert gen.pascal_case("progressDetail") == "ProgressDetail"
    assert gen.pascal_case("time_nano") == "TimeNano"
    assert gen.pascal_case("com.docker-x") == "ComDockerX"


def test_wire_names_that_collide_after_conversion_get_numbered_attributes() -> None:
    g = gen.Generator.__new__(gen.Generator)
    g.collisions = []
    str_t = gen.T("prim", "str")
    fields = [gen.Field("Id", "", str_t), gen.Field("ID", "", str_t), gen.Field("id", "", str_t)]
    named = g._name_fields("Thing", fields)
    assert [f.attr for f in named] == ["id", "id_2", "id_3"]
    assert named[0].note is None and "`ID` and `Id`" in named[1].note
    assert len(g.collisions) == 2


def test_every_patch_says_why() -> None:
    for patch in gen.PATCHES:
        assert patch.pointer.startswith("/")
        assert len(patch.why) > 20, patch.pointer


def generated_files() -> list[Path]:
    return sorted(MODELS.glob("*.py"))


@pytest.mark.parametrize("path", generated_files(), ids=lambda p: p.name)
def test_generated_file_has_header_naming_spec_and_generator(path: Path) -> None:
    head = path.read_text().splitlines()[:3]
    assert "scripts/generate_models.py" in head[0]
    assert "engine-api-v1.55.yaml" in head[0]
    assert "Do not edit" in head[1]


@pytest.mark.parametrize("path", generated_files(), ids=lambda p: p.name)
def test_class_docstrings_are_one_generated_line(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):  # not a helper
            doc = ast.get_docstring(node)
            assert doc is not None, node.name
            assert "\n" not in doc, node.name
            assert doc.startswith("Model of ") or doc.startswith("Base of "), node.name
            assert "(Engine API v1." in doc or node.name == "Model", node.name


def test_init_exports_every_model_and_alias() -> None:
    defined: set[str] = set()
    for path in generated_files():
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                defined.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
    assert set(models.__all__) == defined
    for name in models.__all__:
        assert getattr(models, name) is not None


def test_every_model_is_keyword_only_and_omits_defaults() -> None:
    for name in models.__all__:
        obj = getattr(models, name)
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct):
            config = obj.__struct_config__
            assert config.omit_defaults and not config.forbid_unknown_fields, name
            if msgspec.structs.fields(obj):
                with pytest.raises(TypeError):
                    obj(None)  # keyword-only


def test_every_field_is_optional_but_the_identities_with_a_valid_attribute_name() -> None:
    required: set[tuple[str, str]] = set()
    for name in models.__all__:
        obj = getattr(models, name)
        if not (isinstance(obj, type) and issubclass(obj, msgspec.Struct)):
            continue
        for f in msgspec.structs.fields(obj):
            assert f.name.isidentifier() and not keyword.iskeyword(f.name), (name, f.name)
            if f.required:
                required.add((name, f.encode_name))
            else:
                assert f.default is None, (name, f.name)
    assert required == gen.REQUIRED_FIELDS


def test_every_model_decodes_an_object_of_nulls() -> None:
    """Docker sends null for many fields the spec does not call nullable."""
    for name in models.__all__:
        obj = getattr(models, name)
        if not (isinstance(obj, type) and issubclass(obj, msgspec.Struct)):
            continue
        fields = msgspec.structs.fields(obj)
        identity: dict[str, object] = {
            f.name: 0 if f.type is int else "x" for f in fields if f.required
        }
        body: dict[str, object] = {f.encode_name: None for f in fields if not f.required}
        body |= {f.encode_name: identity[f.name] for f in fields if f.required}
        assert msgspec.json.decode(msgspec.json.encode(body), type=obj) == obj(**identity), name


@pytest.mark.parametrize(
    "name",
    [
        # The key models other code and users reach for first.
        "SystemVersion",
        "SystemInfo",
        "ContainerSummary",
        "ContainerInspectResponse",
        "ContainerCreateRequest",
        "ContainerCreateResponse",
        "ContainerWaitResponse",
        "ContainerTopResponse",
        "ContainerStatsResponse",
        "ContainerPruneResponse",
        "FilesystemChange",
        "ExecConfig",
        "ExecStartConfig",
        "ExecInspectResponse",
        "ImageSummary",
        "ImageInspect",
        "ImageSearchResponseItem",
        "ProgressMessage",
        "EventMessage",
        "SystemDataUsageResponse",
        "SecretCreateResponse",
        "ConfigCreateResponse",
        "IDResponse",
    ],
)
def test_key_models_exist(name: str) -> None:
    assert name in models.__all__

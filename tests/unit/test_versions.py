"""API versions: parsing, negotiation bounds, and the gates endpoint methods check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aiodocker_engine import errors
from aiodocker_engine._operations import NEWEST_SPEC_VERSION, OLDEST_SPEC_VERSION
from aiodocker_engine._versions import (
    CLIENT_MAX_VERSION,
    CLIENT_MIN_VERSION,
    check_supported,
    format_version,
    is_supported,
    negotiate_version,
    parse_version,
    require_operation,
    require_parameters,
)


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.41", (1, 41)),
        ("1.25", (1, 25)),
        ("1.9", (1, 9)),
        ("v1.44", (1, 44)),
        (" 1.55\n", (1, 55)),
        ("2.0", (2, 0)),
    ],
)
def test_parse_version_reads_major_and_minor(text: str, version: tuple[int, int]) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "1.",
        ".41",
        "1.41.0",
        "1,41",
        "one.two",
        "-1.41",
        "+1.41",
        "1.4a",
        "１.４１",
        "V1.41",
    ],
)
def test_parse_version_rejects_anything_else_naming_the_value_and_its_source(text: str) -> None:
    with pytest.raises(errors.VersionError) as caught:
        parse_version(text, source="DOCKER_API_VERSION")
    assert str(caught.value) == f"DOCKER_API_VERSION: {text!r} is not an API version like '1.41'"


def test_version_error_is_a_docker_error() -> None:
    with pytest.raises(errors.DockerError):
        parse_version("latest")


@pytest.mark.parametrize("version", [(1, 25), (1, 41), (1, 9), (1, 100)])
def test_format_version_round_trips(version: tuple[int, int]) -> None:
    assert parse_version(format_version(version)) == version


def test_versions_compare_numerically_not_as_text() -> None:
    assert parse_version("1.9") < parse_version("1.10") < parse_version("1.41")
    assert "1.9" > "1.10"  # what comparing the strings would have got wrong


def test_client_bounds_lie_within_the_spec_files() -> None:
    assert (CLIENT_MIN_VERSION, CLIENT_MAX_VERSION) == ((1, 25), (1, 55))
    assert OLDEST_SPEC_VERSION <= CLIENT_MIN_VERSION < CLIENT_MAX_VERSION <= NEWEST_SPEC_VERSION


@pytest.mark.parametrize(
    ("server", "negotiated"),
    [((1, 41), (1, 41)), ((1, 25), (1, 25)), ((1, 55), (1, 55)), ((1, 60), (1, 55))],
)
def test_negotiate_version_caps_the_daemon_at_the_client_maximum(
    server: tuple[int, int], negotiated: tuple[int, int]
) -> None:
    assert negotiate_version(server) == negotiated


def test_negotiate_version_refuses_a_daemon_older_than_the_oldest_spec() -> None:
    with pytest.raises(
        errors.VersionError, match=r"speaks API 1\.24 at most; this client needs 1\.25"
    ):
        negotiate_version((1, 24))


@pytest.mark.parametrize("version", [(1, 25), (1, 41), (1, 55)])
def test_check_supported_accepts_the_client_range(version: tuple[int, int]) -> None:
    assert check_supported(version) == version


@pytest.mark.parametrize("version", [(1, 24), (1, 56), (2, 0), (0, 99)])
def test_check_supported_refuses_pins_outside_the_client_range(version: tuple[int, int]) -> None:
    with pytest.raises(errors.VersionError) as caught:
        check_supported(version, source="api_version=")
    assert str(caught.value) == (
        f"api_version= {format_version(version)} is outside the API versions this client "
        "speaks (1.25 to 1.55)"
    )


def test_require_operation_names_method_operation_and_both_versions() -> None:
    with pytest.raises(errors.VersionError) as caught:
        require_operation("VolumeUpdate", (1, 41))
    assert str(caught.value) == (
        "volumes.update (VolumeUpdate) needs API 1.42 or newer, "
        "but the negotiated API version is 1.41"
    )


@pytest.mark.parametrize(
    ("operation_id", "negotiated"),
    [
        ("VolumeUpdate", (1, 42)),
        ("VolumeUpdate", (1, 55)),
        ("ContainerWait", (1, 25)),
        ("ContainerArchive", (1, 25)),  # named ContainerGetArchive before v1.28
        ("ImageAttestations", (1, 55)),
    ],
)
def test_require_operation_passes_when_the_version_has_it(
    operation_id: str, negotiated: tuple[int, int]
) -> None:
    require_operation(operation_id, negotiated)


@pytest.mark.parametrize(
    ("operation_id", "negotiated", "method"),
    [
        ("ImageAttestations", (1, 54), "images.attestations"),
        ("SystemPingHead", (1, 39), "system.ping_head"),
        ("ConfigCreate", (1, 29), "configs.create"),
        ("Session", (1, 30), "session.dial"),
    ],
)
def test_require_operation_refuses_operations_newer_than_the_version(
    operation_id: str, negotiated: tuple[int, int], method: str
) -> None:
    with pytest.raises(errors.VersionError, match=rf"^{method} \({operation_id}\) needs API"):
        require_operation(operation_id, negotiated)


def test_require_operation_treats_an_unknown_operation_as_a_caller_bug() -> None:
    with pytest.raises(KeyError):
        require_operation("ContainerTeleport", (1, 55))


def test_is_supported_answers_without_raising() -> None:
    assert is_supported("SystemPingHead", (1, 40))
    assert not is_supported("SystemPingHead", (1, 39))


def test_require_parameters_names_method_parameter_and_both_versions() -> None:
    with pytest.raises(errors.VersionError) as caught:
        require_parameters("ContainerWait", (1, 29), ["condition"])
    assert str(caught.value) == (
        "containers.wait (ContainerWait): parameter 'condition' needs API 1.30 or newer, "
        "but the negotiated API version is 1.29"
    )


@pytest.mark.parametrize(
    ("operation_id", "negotiated", "names"),
    [
        ("ContainerStop", (1, 42), ["signal", "t"]),
        ("ContainerStop", (1, 41), ["t"]),  # only `signal` is gated
        ("ContainerStop", (1, 25), []),
        ("ContainerStats", (1, 41), ["stream", "one-shot"]),
        ("ContainerCreate", (1, 51), ["MacAddress", "Image"]),
        ("ContainerCreate", (1, 41), ["platform", "name", "Image", "HostConfig"]),
        ("ContainerList", (1, 25), ["all", "filters"]),  # an operation without gates
        ("ImageList", (1, 55), ["shared-size", "manifests", "identity"]),
    ],
)
def test_require_parameters_passes_parameters_the_version_has(
    operation_id: str, negotiated: tuple[int, int], names: list[str]
) -> None:
    require_parameters(operation_id, negotiated, names)


def test_require_parameters_refuses_a_parameter_newer_than_the_version() -> None:
    with pytest.raises(
        errors.VersionError,
        match=r"^containers\.stop \(ContainerStop\): parameter 'signal' needs API 1\.42",
    ):
        require_parameters("ContainerStop", (1, 41), ("t", "signal"))


def test_require_parameters_refuses_a_parameter_removed_before_the_version() -> None:
    with pytest.raises(errors.VersionError) as caught:
        require_parameters("ContainerCreate", (1, 52), ["Image", "MacAddress"])
    assert str(caught.value) == (
        "containers.create (ContainerCreate): parameter 'MacAddress' was removed after API 1.51, "
        "but the negotiated API version is 1.52"
    )


def test_require_parameters_lists_every_offending_parameter() -> None:
    with pytest.raises(errors.VersionError) as caught:
        require_parameters("ImageList", (1, 41), ["all", "shared-size", "manifests"])
    message = str(caught.value)
    assert "'shared-size' needs API 1.42" in message
    assert "'manifests' needs API 1.47" in message
    assert "'all'" not in message


def test_require_parameters_does_not_look_at_names_when_nothing_is_gated() -> None:
    """The common path: a current daemon and an operation whose gates it all passes."""

    def untouchable() -> Iterator[str]:
        raise AssertionError("names were iterated")
        yield ""  # pragma: no cover

    require_parameters("ContainerStop", (1, 55), untouchable())
    require_parameters("ContainerList", (1, 25), untouchable())

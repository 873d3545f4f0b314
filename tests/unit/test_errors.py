"""The error types' own behaviour: ContainerError's message and the daemon text of a body."""

from __future__ import annotations

import pytest

from aiodocker_engine import errors
from aiodocker_engine._error_text import daemon_message


def test_container_error_keeps_its_positional_form_and_names_the_stderr_tail() -> None:
    error = errors.ContainerError("web", 7, b"broken\n")
    assert str(error) == "container web exited with 7: broken"
    assert (error.stdout, error.exec_id) == (b"", "")


def test_container_error_falls_back_to_the_stdout_tail_when_stderr_is_empty() -> None:
    reason = b'OCI runtime exec failed: exec: "/x": no such file or directory: unknown\r\n'
    error = errors.ContainerError("web", 126, b"", stdout=reason, exec_id="0123456789abcdef")
    assert (
        str(error)
        == f"exec 0123456789ab in container web exited with 126: {reason.decode().strip()}"
    )
    assert errors.ContainerError("web", 1, b"  \n", stdout=b"out").args[0].endswith(": out")
    assert str(errors.ContainerError("web", 1, b"err", stdout=b"out")).endswith(": err")


def test_container_error_message_keeps_only_the_last_500_bytes() -> None:
    error = errors.ContainerError("web", 1, b"", stdout=b"a" * 600 + b"b" * 500)
    assert str(error).endswith(": " + "b" * 500)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"message":"No such container: x"}', "No such container: x"),
        (b'{"message":""}', '{"message":""}'),
        (b'{"message": 3}', '{"message": 3}'),
        (b"{not json", "{not json"),
        (b"plain text failure\n", "plain text failure"),
        (b"", "Not Found"),
    ],
)
def test_daemon_message_takes_the_json_message_else_the_text_else_the_reason(
    body: bytes, message: str
) -> None:
    assert daemon_message(body, "Not Found") == message

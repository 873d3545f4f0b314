"""Progress streams (pull, push, build, load, import, plugin pull): iterable, awaitable, checked.

Theory of operation.

1. A `ProgressStream` is a `MessageStream` of progress messages (`models.ProgressMessage` or
   any message type with `error_detail`/`error` fields), opened lazily like its base.
2. Every message passes through `ProgressResult.add` before the caller sees it, so iterating
   and awaiting see the same checks: a message carrying `errorDetail` or `error` raises
   `ProgressError` (a `StreamError`) at once, whatever the HTTP status was. The daemon
   answers 200 before it knows a push is denied or a RUN step fails; the error comes in
   band, and clients that do not look for it report success.
3. `await stream` drains the stream (closing it, also when cancelled) and returns the
   `ProgressResult`: the last status, the digest, the image id (build `aux`, push `aux`,
   load and import statuses), the loaded image names and the text the build printed.
4. `stream.totals` is a `ProgressTotals` fed by the same messages: per-layer current/total
   bytes and their sums, so a progress bar needs no parsing.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio

from aiodocker_engine.errors import StreamError
from aiodocker_engine.streams._messages import MessageStream, Opener

__all__ = ["LayerProgress", "ProgressError", "ProgressResult", "ProgressStream", "ProgressTotals"]

M = TypeVar("M")

_LOG_LIMIT = 256 * 1024  # characters of build output kept for the result and errors
_ERROR_LOG_LINES = 30
_DIGEST = re.compile(r"\b(sha256:[0-9a-f]{64})\b")
_LOADED_NAME = "Loaded image: "
_LOADED_ID = "Loaded image ID: "
# A classic build's last line; a quiet one (q=1) prints only the image id.
_BUILT = re.compile(
    r"^(?:Successfully built ([0-9a-f]{12,64})|(sha256:[0-9a-f]{64}))\s*$", re.MULTILINE
)
# Statuses that mean "this layer's bytes are all there" (pull, push, load).
_LAYER_DONE = frozenset(
    {
        "Download complete",
        "Pull complete",
        "Already exists",
        "Pushed",
        "Layer already exists",
        "Mounted from",
        "Loading layer complete",
    }
)
# Statuses whose progressDetail counts transferred bytes (Extracting re-counts the same bytes).
_TRANSFER = frozenset({"Downloading", "Pushing", "Loading layer"})


class ProgressError(StreamError):
    """An in-band error of a progress stream; `log` holds the output that came before it.

    `message` is the daemon's own text ("The command '/bin/sh -c false' returned a non-zero
    code: 1", "unauthorized: authentication required"); `str()` adds the last lines of the
    build output, where the reason usually is.
    """

    def __init__(self, message: str, *, code: int | None = None, log: str = "") -> None:
        super().__init__(message, code=code)
        self.log = log

    def __str__(self) -> str:
        if not self.log.strip():
            return self.message
        tail = "\n".join(self.log.rstrip("\n").splitlines()[-_ERROR_LOG_LINES:])
        return f"{self.message}\n--- output before the error ---\n{tail}"


@dataclass
class LayerProgress:
    """One layer (or other `id`) of a progress stream: its last status and byte counts."""

    id: str
    status: str = ""
    current: int = 0
    total: int = 0
    done: bool = False


@dataclass
class ProgressTotals:
    """Per-layer progress summed up: `current`/`total` bytes, `fraction`, layers done.

    Feed it messages (`update`), or read `stream.totals` of a `ProgressStream`, which feeds
    itself. Bytes count transfers (download, push, load); extraction re-reads the same
    bytes and only changes a layer's status. Layers whose size is not known yet count 0.
    """

    layers: dict[str, LayerProgress] = field(default_factory=dict)

    def update(self, message: Any) -> LayerProgress | None:
        """Account for one message; returns the layer it was about (None if none)."""
        ident = getattr(message, "id", None)
        status = getattr(message, "status", None)
        if not ident or not status:
            return None
        layer = self.layers.get(ident)
        if layer is None:
            layer = self.layers[ident] = LayerProgress(ident)
        layer.status = status
        detail = getattr(message, "progress_detail", None)
        word = status.split(" [", 1)[0]
        if detail is not None and word in _TRANSFER:
            if detail.total:
                layer.total = max(layer.total, detail.total)
            if detail.current is not None:
                layer.current = max(layer.current, detail.current)
            if layer.total:
                # Push counts compressed bytes sent against the layer's size: clamp.
                layer.current = min(layer.current, layer.total)
        if any(status.startswith(done) for done in _LAYER_DONE):
            layer.done = True
            layer.current = layer.total or layer.current
        return layer

    @property
    def current(self) -> int:
        return sum(layer.current for layer in self.layers.values())

    @property
    def total(self) -> int:
        return sum(layer.total for layer in self.layers.values())

    @property
    def fraction(self) -> float | None:
        """current/total in [0, 1], or None while no total is known."""
        total = self.total
        return min(1.0, self.current / total) if total else None

    @property
    def done(self) -> int:
        """How many layers finished."""
        return sum(1 for layer in self.layers.values() if layer.done)

    def __repr__(self) -> str:
        return (
            f"<ProgressTotals {self.current}/{self.total} bytes, "
            f"{self.done}/{len(self.layers)} layers done>"
        )


@dataclass
class ProgressResult:
    """What a drained progress stream said: `await docker.images.pull(...)` returns this.

    - `status`: the last status line ("Status: Downloaded newer image for busybox:latest");
    - `digest`: the manifest digest a pull or push reported;
    - `image_id`: the id a build (`aux.ID` or "Successfully built"), load or import reported;
    - `images`: names a load reported ("busybox:latest"), or ids when it had no names;
    - `log`: the text of `stream` messages (build output), the last 256 KiB of it;
    - `aux`: every `aux` payload, in order; `messages`: how many messages came.
    """

    status: str | None = None
    digest: str | None = None
    image_id: str | None = None
    images: list[str] = field(default_factory=list)
    log: str = ""
    aux: list[Any] = field(default_factory=list)
    messages: int = 0

    def add(self, message: Any) -> None:
        """Account for one message; raise `ProgressError` if it carries an error."""
        self.messages += 1
        detail = getattr(message, "error_detail", None)
        error = getattr(message, "error", None)
        if detail is not None or error:
            text = (detail.message if detail is not None else None) or error or "unknown error"
            code = detail.code if detail is not None else None
            raise ProgressError(text, code=code, log=self.log)
        stream = getattr(message, "stream", None)
        if stream:
            self._add_text(stream)
        status = getattr(message, "status", None)
        if status:
            self._add_status(status, getattr(message, "id", None))
        aux = getattr(message, "aux", None)
        if aux is not None:
            self.aux.append(aux)
            if isinstance(aux, dict):
                if isinstance(aux.get("ID"), str):
                    self.image_id = aux["ID"]
                if isinstance(aux.get("Digest"), str):
                    self.digest = aux["Digest"]

    def _add_text(self, text: str) -> None:
        self.log = (self.log + text)[-_LOG_LIMIT:]
        for line in text.splitlines():
            if line.startswith(_LOADED_NAME):
                self.images.append(line[len(_LOADED_NAME) :].strip())
            elif line.startswith(_LOADED_ID):
                image_id = line[len(_LOADED_ID) :].strip()
                self.images.append(image_id)
                self.image_id = image_id
        if self.image_id is None:
            built = _BUILT.search(text)
            if built:
                self.image_id = built.group(1) or built.group(2)

    def _add_status(self, status: str, ident: str | None) -> None:
        self.status = status
        if status.startswith("Digest: "):
            found = _DIGEST.search(status)
            if found:
                self.digest = found.group(1)
        elif status.startswith("sha256:") and ident in (None, "", status):
            if _DIGEST.fullmatch(status):
                # Import answers with the new image's id as a status (Podman repeats it
                # as the message's id).
                self.image_id = status
        elif status.startswith(_LOADED_NAME) or status.startswith(_LOADED_ID):
            self._add_text(status + "\n")


class ProgressStream(MessageStream[M], Generic[M]):
    """A stream of progress messages that is also awaitable (see the module docstring).

    `async for message in stream` yields each message and raises `ProgressError` (a
    `errors.StreamError`) at an in-band error; `await stream` drains it and returns the
    `ProgressResult`. Use one or the other: awaiting after iterating returns what is left
    plus what was seen. Cancelling either closes the connection; what the daemon was doing
    (a pull, a build) goes on or stops as the daemon decides (builds stop, pulls finish).
    """

    def __init__(self, opener: Opener, type_: type[M] | Any) -> None:
        super().__init__(opener, type_)
        self.result = ProgressResult()
        self.totals = ProgressTotals()

    async def __anext__(self) -> M:
        message = await super().__anext__()
        self.totals.update(message)
        try:
            self.result.add(message)
        except ProgressError:
            self._pending.clear()  # nothing after an error is meaningful
            await self.aclose()
            raise
        return message

    async def wait(self) -> ProgressResult:
        """Drain the stream and return its `ProgressResult` (what `await stream` does)."""
        if self._closed:
            await anyio.lowlevel.checkpoint()
            return self.result
        async with self:
            async for _ in self:
                pass
        return self.result

    def __await__(self) -> Generator[Any, None, ProgressResult]:
        return self.wait().__await__()

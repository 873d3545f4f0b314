"""A container wait registered with the daemon before the event it waits for.

`POST /containers/{id}/wait` with `condition=next-exit` or `removed` only sees what
happens after the daemon has registered it, so it must be in place before the start (or
restart) it is meant to see. The daemon registers the wait, then writes and flushes the
200 response head, and only then blocks for the exit (moby `postContainersWait`); so once
the head is here, the wait is registered. `docker run` relies on the same order
(`waitExitOrRemoved` before `ContainerStart`), and the Go client's `ContainerWait` returns
at the same point.
"""

from __future__ import annotations

import anyio
import msgspec

from aiodocker_engine import errors
from aiodocker_engine.models import ContainerWaitResponse
from aiodocker_engine.transport._base import Response

__all__ = ["ContainerWaiter"]

_decoder = msgspec.json.Decoder(ContainerWaitResponse)


class ContainerWaiter:
    """A registered wait: `await result()` blocks until the condition is met.

    Given by `containers.waiting`; leaving its block closes the request, which cancels
    the daemon's wait and leaves the container untouched.
    """

    __slots__ = ("_closed", "_container", "_response", "_result")

    def __init__(self, container: str, response: Response) -> None:
        self._container = container
        self._response = response
        self._result: ContainerWaitResponse | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "done" if self._result is not None else "waiting"
        return f"<ContainerWaiter {self._container[:12]} {state}>"

    async def result(self) -> ContainerWaitResponse:
        """The exit status, once the condition is met (at once on later calls).

        Never bounded by the client timeout. `error` is set when the daemon could not
        tell the exit status; a connection that ends without an answer raises DockerError.
        Cancelling (or a failure) ends the wait: the request is closed, and later calls
        raise DockerError.
        """
        if self._result is None:
            if self._closed:
                raise errors.DockerError(
                    f"wait for container {self._container}: closed before the answer came"
                )
            try:
                content = await self._response.read()
            except BaseException:
                await self.aclose()
                raise
            try:
                self._result = _decoder.decode(content)
            except msgspec.DecodeError as exc:
                raise errors.DockerError(
                    f"wait for container {self._container}: no exit status in the daemon's "
                    f"answer {content[:200]!r}: {exc}"
                ) from exc
        return self._result

    async def aclose(self) -> None:
        """Close the request (idempotent); the daemon then stops waiting."""
        self._closed = True
        with anyio.CancelScope(shield=True):
            await self._response.aclose()

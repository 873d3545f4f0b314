"""Daemon events as a typed stream that resumes after dropped connections and daemon restarts.

Theory of operation
-------------------
`GET /events` streams one JSON message per event and never ends on its own unless
`until` is given. The daemon keeps the last 256 events in memory and, when asked with
`since=<seconds>.<nanoseconds>`, first replays the buffered ones whose `timeNano` is at
or after `since` (inclusive), then streams live ones (moby `daemon/events`).

1. Resume point. After each delivered event the resume point becomes its `timeNano`.
   Before the first event it is the caller's `since`, or else the time in the `Date`
   header of the first response (whole seconds, rounded down): the daemon's own clock,
   so a skewed local clock cannot skip events. Events of that first second that
   predate the watch may therefore arrive after a reconnect; they were never
   delivered, so they are not repeats.
2. Reconnect. With `resume`, a connection that breaks (or, without `until`, ends) is
   opened again with `since=<resume point>`, immediately the first time, then with
   exponential backoff (0.05 s doubling to 2 s) while attempts fail. Once the
   connection has been down for `reconnect_timeout` seconds without a successful
   reconnect, ConnectionFailed is raised. A connection that ends within a second of
   opening without delivering an event counts as a failure, so a daemon that accepts
   and hangs up at once cannot make us spin.
3. No repeats. Because `since` is inclusive, the replay starts with the last delivered
   event (and any others of the same nanosecond). The identities (time_nano, type,
   action, actor id, attributes) of delivered events at or after the resume point are
   kept, and replayed copies of them are dropped. Events are not strictly ordered by
   time_nano (the daemon stamps them before taking its publish lock), so an event
   stamped earlier than the last one is still delivered; and identities older than the
   resume point are forgotten, since the daemon will not replay them: in order, the
   window holds one entry, so it cannot grow over a long watch (at most 1,024).
4. What can still be lost: the daemon buffer holds 256 events, so a longer gap drops
   the oldest; and a daemon restart empties it, so events the old daemon published
   after our connection broke (e.g. the `die` events of its shutdown) are gone with it.
5. Closing. Leaving `async with`, `aclose()`, cancellation or an error closes the
   current connection at once (it is not returned to the pool: the body never ends).
"""

from __future__ import annotations

import email.utils
import time as _time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import anyio
import msgspec

from aiodocker_engine import errors
from aiodocker_engine._timestamps import EPOCH, NS, format_nanos
from aiodocker_engine.models import EventActor, EventMessage
from aiodocker_engine.streams._lazy import LazyStream
from aiodocker_engine.streams._messages import MessageStream

__all__ = ["Event", "EventStream"]

_WINDOW = 1024
_FIRST_DELAY = 0.05
_MAX_DELAY = 2.0
_STABLE_AFTER = 1.0

#: Failures after which a resumable stream reconnects (anything else propagates).
RETRYABLE: tuple[type[BaseException], ...] = (
    errors.ConnectionFailed,
    errors.Timeout,
    errors.Unavailable,
    OSError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
)

#: Answers to a reconnect that mean "not now": the daemon, or a proxy in front of it,
#: still restarting (500, 502 Bad Gateway, 503, 504 Gateway Timeout).
_RETRY_STATUSES = frozenset({500, 502, 503, 504})


def _may_retry(exc: BaseException) -> bool:
    if isinstance(exc, errors.APIError):
        return exc.status in _RETRY_STATUSES
    return isinstance(exc, RETRYABLE)


EventKey = tuple[int, str, str, str, tuple[tuple[str, str], ...]]


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One daemon event: what happened (`type`, `action`) to which object (`actor`), and when.

    `time` is an aware UTC datetime (microseconds); `time_nano` is the exact stamp in
    nanoseconds since the epoch, the value to resume from. Pre-1.22 fields are folded
    in: `status` becomes `action`, `id` becomes the actor id.
    """

    type: str
    action: str
    actor: EventActor
    scope: str | None
    time: datetime
    time_nano: int

    @property
    def actor_id(self) -> str:
        """The id of the object the event is about (container id, image name, …)."""
        return self.actor.id or ""

    @property
    def attributes(self) -> dict[str, str]:
        """The actor's attributes: labels, name, image, exitCode, … (empty when none)."""
        return self.actor.attributes or {}

    @classmethod
    def from_message(cls, message: EventMessage) -> Event:
        """Build an Event from the generated wire model."""
        nanos = message.time_nano
        if nanos is None:
            nanos = (message.time or 0) * NS
        actor = message.actor
        if actor is None or (actor.id is None and message.id is not None):
            actor = EventActor(
                id=message.id, attributes=actor.attributes if actor is not None else None
            )
        return cls(
            type=message.type or "",
            action=message.action or message.status or "",
            actor=actor,
            scope=message.scope,
            time=EPOCH + timedelta(microseconds=nanos // 1000),
            time_nano=nanos,
        )

    def key(self) -> EventKey:
        """The identity used to recognise a replayed copy of this event."""
        attributes = tuple(sorted(self.attributes.items()))
        return (self.time_nano, self.type, self.action, self.actor_id, attributes)


def _date_header_seconds(value: str | None) -> int | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


Opener = Callable[[str | None], MessageStream[EventMessage]]
"""Opens `GET /events` with the given `since` (filters and until are bound by the caller)."""


class EventStream(LazyStream[Event]):
    """Async iterator and async context manager of `Event`s; see the module docstring.

    Opened lazily by the first iteration or `async with`. Breaking out of a bare
    `async for` cannot be noticed: use `async with` (or call `aclose()`) so the
    connection closes at once.
    """

    def __init__(
        self,
        opener: Opener,
        *,
        since: str | None,
        resume: bool,
        bounded: bool,
        reconnect_timeout: float,
    ) -> None:
        if reconnect_timeout < 0:
            raise ValueError(f"reconnect_timeout must be >= 0, got {reconnect_timeout!r}")
        self._opener = opener
        self._since = since
        self._resume = resume
        self._bounded = bounded
        self.reconnect_timeout = reconnect_timeout
        self._stream: MessageStream[EventMessage] | None = None
        self._opened_at = 0.0
        self._delivered_on_stream = False
        self._trouble_since: float | None = None
        self._young_losses = 0
        self._connected_once = False
        self._closed = False
        self._window: dict[EventKey, None] = {}
        self.reconnects = 0
        """How many times the stream was opened again after a break."""
        self.duplicates_dropped = 0
        """Replayed events recognised as already delivered, and dropped."""

    def __repr__(self) -> str:
        if self._closed:
            state = "closed"
        elif self._stream is not None:
            state = "open"
        elif self._connected_once:
            state = "reconnecting"
        else:
            state = "not started"
        since = f", resume from {self._since}" if self._since else ""
        return f"<EventStream {state}, {self.reconnects} reconnects{since}>"

    @property
    def resume_point(self) -> str | None:
        """The `since` a reconnect would send now (`seconds.nanoseconds`), if any."""
        return self._since

    # -- async context manager and iterator ------------------------------------------

    async def open(self) -> None:
        """Connect now (normally done by the first iteration or `async with`).

        The first connection is not retried: a daemon that is not there raises at once.
        """
        if self._closed:
            raise RuntimeError("the event stream is closed")
        if self._stream is None:
            await self._connect()
        else:
            await anyio.lowlevel.checkpoint()

    async def __anext__(self) -> Event:
        while True:
            if self._closed:
                raise StopAsyncIteration
            if self._stream is None:
                try:
                    await self._connect()
                except BaseException:
                    await self.aclose()
                    raise
                continue
            try:
                message = await self._stream.__anext__()
            except StopAsyncIteration:
                self._stream = None
                if self._bounded or not self._resume:
                    self._closed = True
                    raise
                self._note_loss()
                continue
            except RETRYABLE:
                stream, self._stream = self._stream, None
                if stream is not None:
                    await stream.aclose()
                if self._closed:
                    raise StopAsyncIteration from None  # another task's aclose()
                if not self._resume:
                    await self.aclose()
                    raise
                self._note_loss()
                continue
            except BaseException:
                await self.aclose()
                raise
            event = Event.from_message(message)
            key = event.key()
            if key in self._window:
                self.duplicates_dropped += 1
                continue
            self._remember(key)
            self._since = format_nanos(event.time_nano)
            self._delivered_on_stream = True
            self._trouble_since = None
            self._young_losses = 0
            return event

    async def aclose(self) -> None:
        """Close the connection now; iteration ends. Idempotent."""
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.aclose()
        else:
            await anyio.lowlevel.checkpoint()

    # -- internals -------------------------------------------------------------------

    def _remember(self, key: EventKey) -> None:
        window = self._window
        window[key] = None
        resume_point = key[0]
        if next(iter(window))[0] < resume_point:
            # Forget what the daemon will never replay (stamped before the resume point).
            self._window = window = {k: None for k in window if k[0] >= resume_point}
        if len(window) > _WINDOW:
            del window[next(iter(window))]

    def _note_loss(self) -> None:
        now = anyio.current_time()
        if self._delivered_on_stream or now - self._opened_at >= _STABLE_AFTER:
            self._trouble_since = now
            self._young_losses = 0
        else:
            # Died young without an event: part of the same outage (rule 2).
            self._young_losses += 1
            if self._trouble_since is None:
                self._trouble_since = now

    def _check_deadline(self) -> None:
        started = self._trouble_since
        if started is not None and anyio.current_time() - started > self.reconnect_timeout:
            raise self._gave_up(None)

    def _gave_up(self, cause: BaseException | None) -> errors.ConnectionFailed:
        hint = (str(cause) or type(cause).__name__) if cause else "it kept closing the stream"
        error = errors.ConnectionFailed(
            f"events: no working connection to the engine for {self.reconnect_timeout:g} s "
            f"after the stream broke (resume point {self._since})",
            hint=hint,
        )
        error.__cause__ = cause
        return error

    async def _connect(self) -> None:
        reconnecting = self._connected_once
        delay = _FIRST_DELAY
        if reconnecting and self._young_losses:
            await anyio.sleep(min(_FIRST_DELAY * 2 ** (self._young_losses - 1), _MAX_DELAY))
        while True:
            if reconnecting:
                self._check_deadline()
            stream = self._opener(self._since)
            try:
                await stream.open()
            except Exception as exc:
                await stream.aclose()
                if not reconnecting or self._closed or not _may_retry(exc):
                    raise
                if self._trouble_since is None:
                    self._trouble_since = anyio.current_time()
                # Give up if even the next attempt would come after the deadline.
                if anyio.current_time() + delay - self._trouble_since > self.reconnect_timeout:
                    raise self._gave_up(exc) from exc
                await anyio.sleep(delay)
                delay = min(delay * 2, _MAX_DELAY)
                continue
            except BaseException:
                await stream.aclose()
                raise
            break
        if self._closed:
            await stream.aclose()
            return
        self._stream = stream
        self._opened_at = anyio.current_time()
        self._delivered_on_stream = False
        if reconnecting:
            self.reconnects += 1
        elif self._since is None and self._resume:
            response = stream.response
            seconds = _date_header_seconds(response.headers.get("date") if response else None)
            self._since = str(seconds if seconds is not None else int(_time.time()))
        self._connected_once = True

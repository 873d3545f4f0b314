"""Events against the real engine: order, filters, bounded windows, and resume across a restart."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker
from aiodocker_engine.api.system import Event
from aiodocker_engine.testing import Engine
from tests.integration._scripts import closed_by_another_task

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


def unique_label() -> str:
    return f"aiodocker-engine-events-{uuid.uuid4().hex[:10]}"


async def test_container_lifecycle_events_arrive_in_order_filtered_by_label(
    docker: Docker, container_factory: Any
) -> None:
    label = unique_label()
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    got: list[Event] = []
    # The daemon sends its answer's head before it subscribes: `since` replays what
    # happens in between (the label is new, so nothing older matches).
    watch = docker.system.events(filters={"type": "container", "label": label}, since=before)
    async with watch as events:
        other = await container_factory(cmd=["true"])  # unlabelled: filtered out
        created = await container_factory(cmd=["true"], labels={label: "1"})
        await docker.containers.start(other.id)
        await docker.containers.start(created.id)
        assert (await docker.containers.wait(created.id)).status_code == 0
        await docker.containers.remove(created.id)
        with anyio.fail_after(30):
            async for event in events:
                got.append(event)
                if event.action == "destroy":
                    break
    assert [e.action for e in got] == ["create", "start", "die", "destroy"]
    assert {e.actor_id for e in got} == {created.id}
    assert all(e.type == "container" and e.scope == "local" for e in got)
    assert got[0].attributes[label] == "1" and got[2].attributes["exitCode"] == "0"
    stamps = [e.time_nano for e in got]
    assert stamps == sorted(stamps)
    after = datetime.now(timezone.utc) + timedelta(seconds=5)
    assert all(e.time.tzinfo is not None and before < e.time < after for e in got)


async def test_since_and_until_replay_a_past_window_and_end(
    docker: Docker, container_factory: Any
) -> None:
    label = unique_label()
    start = datetime.now(timezone.utc) - timedelta(seconds=1)
    created = await container_factory(cmd=["true"], labels={label: "1"})
    await docker.containers.remove(created.id)
    end = datetime.now(timezone.utc) + timedelta(seconds=1)
    with anyio.fail_after(30):
        got = [
            e async for e in docker.system.events(filters={"label": label}, since=start, until=end)
        ]
    assert [(e.action, e.actor_id) for e in got] == [
        ("create", created.id),
        ("destroy", created.id),
    ]


async def test_resume_across_a_daemon_restart_loses_and_repeats_nothing(
    docker: Docker, docker_engine: Engine, container_factory: Any
) -> None:
    label = unique_label()
    got: list[tuple[str, str]] = []
    since = datetime.now(timezone.utc) - timedelta(seconds=1)  # see the lifecycle test
    watch = docker.system.events(filters={"label": label}, since=since, reconnect_timeout=90)
    async with watch as events:
        first = await container_factory(cmd=["true"], labels={label: "1"})
        with anyio.fail_after(30):
            event = await events.__anext__()
        got.append((event.action, event.actor_id))

        await anyio.to_thread.run_sync(docker_engine.restart)

        # Made as soon as the daemon answers, likely before the stream has reconnected:
        # they must come through the replay from the resume point.
        second = await container_factory(cmd=["true"], labels={label: "2"})
        await docker.containers.start(second.id)
        assert (await docker.containers.wait(second.id)).status_code == 0
        with anyio.fail_after(60):
            async for event in events:
                got.append((event.action, event.actor_id))
                if event.action == "die":
                    break
        assert events.reconnects >= 1
    assert got == [
        ("create", first.id),
        ("create", second.id),
        ("start", second.id),
        ("die", second.id),
    ]


async def test_aclose_from_another_task_ends_the_iteration_cleanly(docker: Docker) -> None:
    """How a monitor stops its watch from a shutdown handler: the iterating task ends,
    it does not see a broken connection."""
    events = docker.system.events(filters={"label": [unique_label()]})
    outcome = await closed_by_another_task(events, after_first=False)
    assert outcome == ["ended"]
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]

"""Test against real Docker engines: a pytest plugin, a throwaway dockerd and a busybox image.

The pytest plugin (`aiodocker_engine.testing.plugin`, registered as a `pytest11` entry point)
gives tests the `docker_engine`, `docker_test_image`, `docker`, `container_factory` and
`docker_test_labels` fixtures; see docs/testing.md. The functions here are for code outside
pytest: `provide_engine()` finds or starts an engine, `ensure_test_image()` imports the
registry-free busybox image into it. Importing this package does not import pytest.
"""

from __future__ import annotations

from aiodocker_engine.testing._engine import Engine, EngineMode, HarnessError, provide_engine
from aiodocker_engine.testing._image import TEST_IMAGE, ensure_test_image

__all__ = [
    "SESSION_LABEL",
    "TEST_IMAGE",
    "Engine",
    "EngineMode",
    "HarnessError",
    "ensure_test_image",
    "provide_engine",
]

SESSION_LABEL = "aiodocker-engine-test"
"""Label key the harness puts on everything a test session creates; its value is the session id."""

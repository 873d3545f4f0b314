"""The committed models are exactly what the generator makes from the newest spec."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "generate_models.py"
MODELS = ROOT / "aiodocker_engine" / "models"
SPEC = ROOT.parent / "shared" / "spec" / "engine-api-v1.55.yaml"


def test_generated_models_are_current(tmp_path: Path) -> None:
    """Regenerate into a temporary directory; any difference means someone edited the output
    by hand or changed the generator without running it (`nox -s models`)."""
    if not SPEC.is_file():
        pytest.fail(f"the spec is missing: {SPEC} (the models are generated from it)")
    out = tmp_path / "models"
    done = subprocess.run(
        [sys.executable, str(GENERATOR), str(SPEC), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = {p.name: p.read_text() for p in sorted(out.glob("*.py"))}
    committed = {p.name: p.read_text() for p in sorted(MODELS.glob("*.py"))}
    assert sorted(committed) == sorted(expected), "the set of generated files differs"
    stale = [name for name in expected if committed[name] != expected[name]]
    if stale:
        diff = difflib.unified_diff(
            committed[stale[0]].splitlines(),
            expected[stale[0]].splitlines(),
            f"committed/{stale[0]}",
            f"generated/{stale[0]}",
            lineterm="",
            n=1,
        )
        pytest.fail(
            f"out of date: {', '.join(stale)}; run `python scripts/generate_models.py "
            f"{SPEC}`\n" + "\n".join(list(diff)[:40])
        )

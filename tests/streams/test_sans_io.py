"""The stream codecs do no I/O: neither they nor the package modules they import pull it in."""

from __future__ import annotations

import ast
from pathlib import Path

import aiodocker_engine

PACKAGE = Path(aiodocker_engine.__file__).parent
CODECS = ["aiodocker_engine.streams._frames", "aiodocker_engine.streams._jsonstream"]
IO_MODULES = {"anyio", "asyncio", "trio", "socket", "ssl", "selectors", "httpx", "websockets"}


def imported_modules(module: str) -> set[str]:
    """Absolute names of every module the source of ``module`` imports, at any depth of code."""
    path = PACKAGE.parent.joinpath(*module.split("."))
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(file.read_text(), str(file))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module}: use absolute imports"
            assert node.module is not None
            names.add(node.module)
    return names


def test_stream_codecs_import_no_io_modules_even_indirectly() -> None:
    seen: set[str] = set()
    todo = list(CODECS)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in imported_modules(module):
            assert name.split(".")[0] not in IO_MODULES, f"{module} imports {name}"
            if name.startswith("aiodocker_engine.") and name != "aiodocker_engine":
                todo.append(name)
    assert "aiodocker_engine.errors" in seen

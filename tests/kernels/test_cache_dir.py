"""numba's cache folder is keyed by the kernel sources, so stale machine code is never loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _probe(env: dict[str, str]) -> list[str]:
    code = (
        "import numba.core.config as c, sim.kernels as k, sim.kernels.road;"
        "print(c.CACHE_DIR); print(k.kernel_cache_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_cache_folder_is_named_by_the_sources_and_used_by_numba(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["TESTZONE_NUMBA_CACHE_BASE"] = str(tmp_path)
    used, expected = _probe(env)
    assert used == expected and Path(used).parent == tmp_path
    assert Path(used).name.startswith("numba-") and Path(used).is_dir()
    assert any(Path(used).iterdir())  # road's kernels were cached there, not in __pycache__
    # a folder the user chose wins
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    assert _probe(env)[0] == str(tmp_path / "mine")


def test_cache_key_changes_with_any_kernel_source(tmp_path: Path, monkeypatch) -> None:
    import shutil

    import sim.kernels as kernels

    copy = tmp_path / "kernels"
    shutil.copytree(Path(kernels.__file__).parent, copy, ignore=shutil.ignore_patterns("__py*"))
    monkeypatch.setattr(kernels, "__file__", str(copy / "__init__.py"))
    monkeypatch.setenv("TESTZONE_NUMBA_CACHE_BASE", str(tmp_path))
    before = kernels.kernel_cache_dir()
    geometry = copy / "geometry.py"
    geometry.write_text(geometry.read_text() + "\n# changed\n")
    assert kernels.kernel_cache_dir() != before

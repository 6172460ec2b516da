"""numba kernels over struct-of-arrays state; ``reference.py`` holds their plain-numpy twins.

Kernels take and return arrays and scalars only (no Python objects, no globals) and are
compiled with ``cache=True`` so a process pays the compile time once per machine.

numba keys a cached function on its own source file only: a kernel that calls or inlines a
function of another module keeps the old machine code after that module changes, and calling
it with the new argument lists can crash the process. So the cache lives in a folder named by
a hash of all kernel sources and the numba and Python versions (under
``$TESTZONE_NUMBA_CACHE_BASE``, else ``$XDG_CACHE_HOME/testzone`` or ``~/.cache/testzone``): any
change to any kernel starts a fresh cache, and processes running the same code (batch workers,
which inherit the folder through ``NUMBA_CACHE_DIR``) share one. A ``NUMBA_CACHE_DIR`` set
beforehand is respected as it is. This runs before
the kernel modules are imported, because numba picks the cache folder when a function is
decorated.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def kernel_cache_dir() -> Path:
    """The numba cache folder for this exact set of kernel sources (see the module docstring)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    try:
        from importlib.metadata import version

        digest.update(version("numba").encode())
    except Exception:
        pass
    digest.update(sys.version.encode())
    base = os.environ.get("TESTZONE_NUMBA_CACHE_BASE")
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str(Path(xdg) / "testzone" if xdg else Path.home() / ".cache" / "testzone")
    return Path(base) / f"numba-{digest.hexdigest()[:16]}"


def _use_kernel_cache() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return  # the user chose a folder: respect it
    folder = kernel_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # not writable: numba falls back to __pycache__ (or no cache)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    numba_config = sys.modules.get("numba.core.config")
    if numba_config is not None:  # numba already imported: its config was read already
        numba_config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]


_use_kernel_cache()

"""Compiled loops: numba's `njit` when numba is installed, else the plain Python functions (same results, slowly).

The aligner's kernels (the DP, posting-list dot products) are written once as simple loops over numpy arrays and
compiled on first use (cached on disk by numba, so a later process loads them in milliseconds)."""
from __future__ import annotations

try:
    from numba import njit
except ImportError:  # the pure-Python kernels still run, only slowly
    def njit(*args, **kwargs):  # type: ignore[no-redef]
        return (lambda f: f) if not args or not callable(args[0]) else args[0]

__all__ = ["njit"]

"""How much memory this process has held at most, for benchmarks and bulk jobs' workers."""

from __future__ import annotations

import contextlib


def peak_resident_mb() -> float | None:
    """This process's own peak resident memory, or None where /proc does not tell it.

    Not getrusage's ru_maxrss: Linux carries that across exec, so a child started by a big
    parent reports the parent's size at the fork. VmHWM belongs to the address space.
    """
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None

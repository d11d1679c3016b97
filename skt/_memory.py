"""How much memory the machine can still give (private).

Large allocations are checked against it before they are made: on Linux, with overcommit, an
allocation larger than the memory at hand succeeds and the process is killed later, while it
fills the pages, instead of raising a MemoryError that could name a remedy.
"""

import os

_MEMINFO = "/proc/meminfo"


def available_memory():
    """Bytes of memory available to a new allocation without swapping, or None where unknown.

    Linux: ``MemAvailable`` of ``/proc/meminfo`` (free memory plus the page cache that can be
    dropped). Elsewhere: the free physical pages (``os.sysconf``), where the platform reports
    them; else None (the caller then skips its check).
    """
    try:
        with open(_MEMINFO, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # the unit is kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None

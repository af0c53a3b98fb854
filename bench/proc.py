"""What the servers cost, read from /proc: CPU time of a process tree, and a worker's
resident (RSS) and proportional (PSS) memory."""

import os
import resource
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far: by the whole machine, by the servers, and by finished children."""

    machine: float
    server: float
    children: float


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name, which may hold spaces."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def worker_pids(master_pid: int) -> list[int]:
    """The processes whose parent is the gunicorn master."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(entry.name)[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if parent == master_pid:
            pids.append(int(entry.name))
    return sorted(pids)


def _tree_ticks(root: int) -> int:
    """CPU ticks of a server process and its children, those that ended included."""
    total = 0
    for pid in [root, *worker_pids(root)]:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
        if pid == root:  # cutime + cstime: children it has reaped (e.g. ended backends)
            total += int(fields[13]) + int(fields[14])
    return total


def cpu_snapshot(servers_pids: tuple[int, ...]) -> CpuSnapshot:
    """Read the CPU time counters that tell the servers' cost from other programs' load.

    The servers are gunicorn and, on PostgreSQL, the database server: on SQLite the database
    work runs inside the workers, so counting PostgreSQL's keeps the figures comparable.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    # /proc/stat's first line: user nice system idle iowait irq softirq steal (in ticks).
    first_line = Path("/proc/stat").read_text().split("\n", 1)[0]
    counters = [int(value) for value in first_line.split()[1:9]]
    machine = (sum(counters) - counters[3] - counters[4]) / ticks
    server = sum(_tree_ticks(root) for root in servers_pids) / ticks
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSnapshot(machine, server, children.ru_utime + children.ru_stime)


def _memory_mb(path: str, key: str) -> float:
    """One kB figure of a /proc memory file, in MB, or 0 if the process has gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def resident_mb(pid: int) -> float:
    """A process's resident set size (VmRSS) in MB: what the design's memory target means."""
    return _memory_mb(f"/proc/{pid}/status", "VmRSS:")


def proportional_mb(pid: int) -> float:
    """A process's proportional set size (Pss) in MB: RSS with shared pages split among sharers."""
    return _memory_mb(f"/proc/{pid}/smaps_rollup", "Pss:")

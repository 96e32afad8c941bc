"""What machine the matrix ran on: CPU model, vector extensions, caches, cores, memory."""
import os
import platform

#: The vector and math extensions worth naming, in the order printed.
VECTOR_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_fp16",
                "asimd", "sve")


def _cpuinfo():
    try:
        with open("/proc/cpuinfo") as f:
            return [tuple(s.strip() for s in line.split(":", 1)) for line in f if ":" in line]
    except OSError:
        return []


def _caches():
    """{level: size text} of cpu0's data/unified caches, from sysfs."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    sizes = {}
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        return sizes
    for entry in entries:
        if not entry.startswith("index"):
            continue
        try:
            if _read(base, entry, "type") != "Instruction":
                sizes[int(_read(base, entry, "level"))] = _read(base, entry, "size")
        except (OSError, ValueError):
            continue
    return sizes


def _read(*path):
    with open(os.path.join(*path)) as f:
        return f.read().strip()


def _memory_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def describe():
    """A dict describing this machine (all values JSON-serialisable)."""
    model, flags, cores, core = platform.processor() or platform.machine(), set(), set(), {}
    for key, value in _cpuinfo():
        if key in ("model name", "Model") and value:
            model = value
        elif key in ("flags", "Features") and not flags:
            flags = set(value.split())
        elif key in ("physical id", "core id"):
            core[key] = value
            if len(core) == 2:
                cores.add((core.pop("physical id"), core.pop("core id")))
    caches = _caches()
    logical = os.cpu_count() or 1
    return {
        "cpu": model,
        "vector_flags": [f for f in VECTOR_FLAGS if f in flags],
        "caches": {f"L{k}": v for k, v in sorted(caches.items())},
        "llc": f"L{max(caches)} {caches[max(caches)]}" if caches else "unknown",
        "physical_cores": len(cores) or None,
        "logical_cores": logical,
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical,
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def lines(info):
    """The description as lines of text."""
    physical = f", {info['physical_cores']} physical" if info["physical_cores"] else ""
    memory = f", {info['memory_gib']:.0f} GiB" if info["memory_gib"] else ""
    caches = ", ".join(f"{k} {v}" for k, v in info["caches"].items()) or "unknown"
    return [
        f"CPU: {info['cpu']} ({info['logical_cores']} logical cores{physical},"
        f" {info['usable_cores']} usable by this process{memory})",
        f"Vector extensions: {' '.join(info['vector_flags']) or 'none named'}; caches (cpu0): {caches};"
        f" last level: {info['llc']}",
        f"Python {info['python']} on {info['platform']}",
    ]

"""Startup: ``kreyol --help`` and ``kreyol cache stats`` minus ``python -c pass``."""

from __future__ import annotations

import statistics
import tempfile

from bench.common import PYTHON, Profile, env, kreyol_cmd, load, run

TARGETS = {"help": 0.15, "cache_stats": 0.3}


def run_section(profile: Profile, log) -> dict:
    """Median wall time of each command over ``startup_runs`` runs, interleaved."""
    log("startup: kreyol --help, kreyol cache stats")
    load_before = load()
    with tempfile.TemporaryDirectory() as home:
        environ = env(KREYOL_HOME=home)
        commands = {"python": [PYTHON, "-c", "pass"], "help": kreyol_cmd("--help"),
                    "cache_stats": kreyol_cmd("cache", "stats")}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():  # warm the OS file cache and .pyc files
            run(cmd, env=environ)
        for _ in range(profile.startup_runs):
            for name, cmd in commands.items():
                seconds, _ = run(cmd, env=environ)
                times[name].append(seconds)
    base = statistics.median(times["python"])
    out = {"python_s": round(base, 4), "runs": profile.startup_runs}
    for name, target in TARGETS.items():
        value = statistics.median(times[name]) - base
        out[f"{name}_s"] = round(value, 4)
        out[f"{name}_target_s"] = target
        out[f"{name}_ok"] = value <= target
    out["load"] = [load_before, load()]
    return out

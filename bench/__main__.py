"""``python -m bench [--quick] [--json FILE] [--only SECTION ...]``.

``KREYOL_BENCH_TINY=1`` (or ``--tiny``) shrinks everything so the test
suite can check the harness in well under a minute; its numbers mean
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import audiobook, cache_bench, startup, translation, tts
from bench.common import PROFILES, machine
from bench.report import print_report

SECTIONS = {
    "startup": startup.run_section,
    "cache": cache_bench.run_section,
    "translation": translation.run_section,
    "tts": tts.run_section,
    "audiobook": audiobook.run_section,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats (<3 min)")
    parser.add_argument("--tiny", action="store_true", help="harness check only (tests)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these sections")
    args = parser.parse_args(argv)
    name = "full"
    if args.quick:
        name = "quick"
    if args.tiny or os.environ.get("KREYOL_BENCH_TINY"):
        name = "tiny"
    profile = PROFILES[name]
    from rich.console import Console

    console = Console(stderr=True)

    def log(message: str) -> None:
        console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}", highlight=False)

    # No run may touch the user's kreyol home: every kreyol process gets a temporary one.
    home = tempfile.mkdtemp(prefix="kreyol-bench-home-")
    os.environ["KREYOL_HOME"] = home
    results: dict = {"profile": name, "started": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": machine()}
    start = time.perf_counter()
    failed = False
    for section, run_section in SECTIONS.items():
        if args.only and section not in args.only:
            continue
        t0 = time.perf_counter()
        try:
            results[section] = run_section(profile, log)
        except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
            failed = True
            log(f"[red]{section} failed[/red]: {exc}")
            results[section] = {"error": f"{type(exc).__name__}: {exc}",
                                "traceback": traceback.format_exc(limit=5)}
        results[section]["section_s"] = round(time.perf_counter() - t0, 1)
    results["total_s"] = round(time.perf_counter() - start, 1)
    print_report(results)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(results, indent=2, default=str) + "\n", "utf-8")
        tmp.replace(path)
        log(f"wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

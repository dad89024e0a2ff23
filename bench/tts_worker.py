"""Executor scaling in its own process: ``python -m bench.tts_worker W T N``.

Synthesizes N English sentences through ``kreyol_cli.speech.speak`` with W
worker processes × T ONNX threads each (the plan ``executor.plan_for``
chooses between), twice: cold (pool start and model loads included) and
warm (workers and voices already loaded). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

from bench.model import bench_sentences


def main() -> None:
    workers, threads, count = (int(a) for a in sys.argv[1:4])
    os.environ.setdefault("KREYOL_HOME", tempfile.mkdtemp(prefix="kreyol-bench-"))
    from kreyol_cli.cache import Cache
    from kreyol_cli.executor import make_executor
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.speech import speak
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService

    settings = Settings.load()
    voice = Registry.load(settings).resolve_voice(None, "en")
    service = VoiceService(voice, SynthesisOptions(lang="en"), threads=threads)
    cache = Cache(settings, enabled=False)
    executor = make_executor("auto", workers)
    sentences = bench_sentences(count)
    out = {"workers": workers, "threads": threads, "sentences": count,
           "executor": executor.name}
    try:
        for label in ("cold", "warm"):
            start = time.perf_counter()
            audio = sum(part.duration for part in speak(iter(sentences), service, cache, executor))
            seconds = time.perf_counter() - start
            out[f"{label}_seconds"] = round(seconds, 3)
            out[f"{label}_rtf"] = round(seconds / audio, 4)
            out["audio_seconds"] = round(audio, 2)
    finally:
        executor.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Executor scaling in its own process: ``python -m bench.tts_worker BACKEND W T N``.

Synthesizes N English sentences through ``kreyol_cli.speech.speak`` with W
workers (``serial``, ``threads`` of this process sharing one voice, or joblib
``processes``) × T ONNX threads each (the plans ``executor.plan_for`` chooses
between), twice: cold (pool start and voice loads included; the first
result's time is the time to first audio) and warm (workers and voices
already loaded: the steady state). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

from bench.model import bench_sentences


def main() -> None:
    backend = sys.argv[1]
    workers, threads, count = (int(a) for a in sys.argv[2:5])
    os.environ.setdefault("KREYOL_HOME", tempfile.mkdtemp(prefix="kreyol-bench-"))
    from kreyol_cli.cache import Cache
    from kreyol_cli.executor import JoblibExecutor, SerialExecutor, ThreadExecutor
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.speech import speak
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService

    settings = Settings.load()
    voice = Registry.load(settings).resolve_voice(None, "en")
    service = VoiceService(voice, SynthesisOptions(lang="en"), threads=threads)
    cache = Cache(settings, enabled=False)
    executor = {"serial": SerialExecutor, "threads": ThreadExecutor,
                "processes": JoblibExecutor}[backend](*(() if backend == "serial" else (workers,)))
    sentences = bench_sentences(count)
    out = {"backend": backend, "workers": workers, "threads": threads, "sentences": count,
           "executor": executor.name}
    try:
        for label in ("cold", "warm"):
            start = time.perf_counter()
            audio, first = 0.0, None
            for part in speak(iter(sentences), service, cache, executor):
                audio += part.duration
                if first is None:
                    first = time.perf_counter() - start
            seconds = time.perf_counter() - start
            out[f"{label}_seconds"] = round(seconds, 3)
            out[f"{label}_rtf"] = round(seconds / audio, 4)
            out[f"{label}_first_s"] = round(first, 3)
            out["audio_seconds"] = round(audio, 2)
    finally:
        executor.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

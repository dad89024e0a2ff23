"""Cache: get/set latency of ``kreyol_cli.cache.Cache`` vs raw ``diskcache.Cache``.

Same values on both: a translated sentence (text) and a chunk of audio (a
dict holding ~5 s of 22 kHz PCM, as ``synthesize_chunk`` stores it). Both
open their database with the same options kreyol uses.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Profile, load


def _values() -> dict[str, object]:
    pcm = bytes(range(256)) * (5 * 22050 * 2 // 256)
    return {
        "text": "Bonjou, kijan ou ye? Mwen byen, mèsi anpil pou kesyon an, zanmi mwen.",
        "audio": {"pcm": pcm, "sample_rate": 22050, "sentences": (("Bonjou.", len(pcm) // 2),),
                  "substitutions": ()},
    }


def _time_ops(get, set_, keys: list[str], value) -> tuple[float, float]:
    """Median microseconds per set, then per get (all hits)."""
    sets, gets = [], []
    for key in keys:
        start = time.perf_counter()
        set_(key, value)
        sets.append(time.perf_counter() - start)
    for key in keys:
        start = time.perf_counter()
        got = get(key)
        gets.append(time.perf_counter() - start)
        if got is None:
            raise RuntimeError("cache lost a value")
    return statistics.median(sets) * 1e6, statistics.median(gets) * 1e6


def run_section(profile: Profile, log) -> dict:
    import diskcache

    from kreyol_cli.cache import make_key
    from kreyol_cli.settings import Settings

    log("cache: kreyol Cache vs diskcache")
    load_before = load()
    out: dict[str, object] = {"ops": profile.cache_ops}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), cache_dir=Path(tmp) / "kreyol",
                            models_dir=Path(tmp) / "models")
        from kreyol_cli.cache import Cache

        kreyol = Cache(settings)
        raw = diskcache.Cache(str(Path(tmp) / "raw"), size_limit=2**30, statistics=1,
                              eviction_policy="least-recently-stored")
        for kind, value in _values().items():
            count = profile.cache_ops if kind == "text" else max(10, profile.cache_ops // 10)
            keys = [make_key("bench", f"{kind}{i}", model="m") for i in range(count)]
            ns = "translation" if kind == "text" else "audio"
            ttl = settings.ttls[ns]
            k_set, k_get = _time_ops(lambda k, ns=ns: kreyol.get(ns, k),
                                     lambda k, v, ns=ns: kreyol.set(ns, k, v), keys, value)
            r_set, r_get = _time_ops(lambda k: raw.get(k, retry=True),
                                     lambda k, v, t=ttl: raw.set(k, v, expire=t, retry=True),
                                     [k + "r" for k in keys], value)
            out[kind] = {
                "kreyol_set_us": round(k_set, 1), "kreyol_get_us": round(k_get, 1),
                "diskcache_set_us": round(r_set, 1), "diskcache_get_us": round(r_get, 1),
                "get_overhead_us": round(k_get - r_get, 1),
                "set_overhead_us": round(k_set - r_set, 1),
            }
        key_start = time.perf_counter()
        for i in range(1000):
            make_key("translate", f"sentence {i}", model="opus-mt-en-ht", revision="main",
                     beam_size=4)
        out["make_key_us"] = round((time.perf_counter() - key_start) * 1e3, 2)
        kreyol.close()
        raw.close()
    out["load"] = [load_before, load()]
    return out

"""Where kreyol keeps its files, and the knobs read from the environment.

Everything lives under one directory, ``KREYOL_HOME`` (default: the platform's
user data directory), as plain files:

    $KREYOL_HOME/models/<name>/   pulled and converted models and voices
    $KREYOL_HOME/cache/<namespace>/  diskcache databases
    $KREYOL_HOME/models.toml      user registry entries (add or override)
    $KREYOL_HOME/config.toml      optional settings (see ``Settings``)

Precedence, lowest first: built-in defaults, config.toml, environment
variables, command-line flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from kreyol_cli.errors import UsageError

DAY = 24 * 3600

#: Cache namespaces and their default time-to-live in seconds.
DEFAULT_TTLS: dict[str, int] = {"translation": 90 * DAY, "audio": 30 * DAY, "encoded": 30 * DAY}
#: Default size limit of each namespace, in bytes.
DEFAULT_SIZE_LIMITS: dict[str, int] = {"translation": 512 * 2**20, "audio": 4 * 2**30,
                                       "encoded": 2 * 2**30}


def kreyol_home() -> Path:
    """The user directory: ``$KREYOL_HOME`` or the platform's user data dir."""
    env = os.environ.get("KREYOL_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kreyol", appauthor=False))


def parse_size(value: str | int) -> int:
    """Parse ``"512MB"``, ``"2GiB"``, ``"1e9"`` or an int into bytes."""
    if isinstance(value, int):
        return value
    text = str(value).strip().lower().replace(" ", "")
    units = {
        "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
        "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
        "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "b": 1,
    }
    number, factor = text, 1
    for unit, unit_factor in units.items():
        if text.endswith(unit):
            number, factor = text[: -len(unit)], unit_factor
            break
    try:
        return int(float(number) * factor)
    except ValueError:
        raise UsageError(f"cannot read size {value!r}: use bytes or e.g. 512MB, 2GiB") from None


def parse_duration(value: str | int) -> int:
    """Parse ``"3600"``, ``"90d"``, ``"12h"``, ``"30m"``, ``"45s"`` into seconds."""
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    factors = {"d": DAY, "h": 3600, "m": 60, "s": 1}
    factor = factors.get(text[-1:])
    number = text[:-1] if factor else text
    try:
        return int(float(number) * (factor or 1))
    except ValueError:
        raise UsageError(
            f"cannot read duration {value!r}: use seconds or e.g. 90d, 12h, 30m"
        ) from None


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Picklable, so it can travel to worker processes.

    Attributes:
        home: The kreyol user directory.
        cache_dir: Root of the cache namespaces.
        models_dir: Where pulled models and voices are stored.
        ttls: Time-to-live in seconds per cache namespace.
        size_limits: Size limit in bytes per cache namespace.
    """

    home: Path
    cache_dir: Path
    models_dir: Path
    ttls: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TTLS))
    size_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SIZE_LIMITS))

    @classmethod
    def load(cls) -> Settings:
        """Read defaults, then ``config.toml``, then environment variables."""
        home = kreyol_home()
        config: dict = {}
        config_file = home / "config.toml"
        if config_file.is_file():
            try:
                config = tomllib.loads(config_file.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise UsageError(f"{config_file} is not valid TOML ({exc}): fix or delete it") from None
        cache_cfg = config.get("cache", {})
        ttls = dict(DEFAULT_TTLS)
        sizes = dict(DEFAULT_SIZE_LIMITS)
        for ns, value in cache_cfg.get("ttl", {}).items():
            ttls[ns] = parse_duration(value)
        for ns, value in cache_cfg.get("size_limit", {}).items():
            sizes[ns] = parse_size(value)

        if "KREYOL_CACHE_TTL" in os.environ:
            ttl = parse_duration(os.environ["KREYOL_CACHE_TTL"])
            ttls = {ns: ttl for ns in ttls}
        if "KREYOL_CACHE_SIZE_LIMIT" in os.environ:
            size = parse_size(os.environ["KREYOL_CACHE_SIZE_LIMIT"])
            sizes = {ns: size for ns in sizes}
        for ns in list(ttls):
            key = f"KREYOL_CACHE_TTL_{ns.upper()}"
            if key in os.environ:
                ttls[ns] = parse_duration(os.environ[key])

        cache_dir = Path(
            os.environ.get("KREYOL_CACHE_DIR") or cache_cfg.get("dir") or home / "cache"
        ).expanduser()
        models_dir = Path(
            os.environ.get("KREYOL_MODELS_DIR") or config.get("models_dir") or home / "models"
        ).expanduser()
        return cls(home=home, cache_dir=cache_dir, models_dir=models_dir, ttls=ttls,
                   size_limits=sizes)

    def with_ttl(self, ttl: int | None) -> Settings:
        """A copy whose namespaces all use ``ttl`` seconds (``None``: unchanged)."""
        if ttl is None:
            return self
        return replace(self, ttls={ns: ttl for ns in self.ttls})


def default_jobs() -> int:
    """Worker count from ``KREYOL_JOBS`` or the number of usable cores."""
    env = os.environ.get("KREYOL_JOBS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise UsageError(f"KREYOL_JOBS={env!r} is not a whole number") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)

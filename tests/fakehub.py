"""A fake Hugging Face Hub: enough of the HTTP API for ``huggingface_hub`` to
``snapshot_download``, ``list_repo_files`` and ``hf_hub_download`` from it.

It runs ``http.server`` in a thread on 127.0.0.1 (port chosen by the OS) and
serves local files as repositories. Point ``HF_ENDPOINT`` at ``hub.url``
before ``huggingface_hub`` is imported (tests run ``kreyol models pull`` in a
subprocess for that reason). ``hub.history`` records every request as
``(method, path)`` and ``hub.sent`` the bytes of each file written, so tests
can assert what was (not) downloaded.

Endpoints served (huggingface_hub 1.x/2.x):

* ``GET /api/models/{repo}[/revision/{rev}]``: ``{"id", "sha", "siblings"}``
* ``GET /api/models/{repo}/tree/{rev}[/{path}]``: the file listing
* ``HEAD|GET /{repo}/resolve/{rev}/{path}``: the file, with ``X-Repo-Commit``,
  ``ETag`` and ``Content-Length`` (``Range`` honoured on GET); ``throttle``
  slows the bodies down, for interrupting a download halfway

Unknown repositories, revisions and files answer 404 with the ``X-Error-Code``
the real Hub sends (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass
class Repo:
    """A served repository: repo path -> local file, and the revisions it answers to."""

    repo_id: str
    files: dict[str, Path]
    revisions: tuple[str, ...] = ("main",)
    commit: str = ""

    def __post_init__(self) -> None:
        if not self.commit:
            self.commit = hashlib.sha1(self.repo_id.encode()).hexdigest()

    def knows(self, revision: str) -> bool:
        return revision in self.revisions or revision == self.commit


@dataclass
class FakeHub:
    """The server. Use as a context manager: ``with FakeHub() as hub: ...``."""

    repos: dict[str, Repo] = field(default_factory=dict)
    history: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _etags: dict[Path, str] = field(default_factory=dict)
    #: Seconds to wait between 64 KiB chunks of a file body (a slow network).
    throttle: float = 0.0
    #: Bytes of each file body written to a client, by ``repo_id/path`` (a
    #: download abandoned halfway has fewer than the file's size).
    sent: dict[str, int] = field(default_factory=dict)

    def add_repo(self, repo_id: str, files: dict[str, Path] | Path, *,
                 revisions: tuple[str, ...] = ("main",)) -> Repo:
        """Serve ``files`` (a directory's files, or ``{repo path: local file}``)."""
        if isinstance(files, Path):
            files = {p.name: p for p in sorted(files.iterdir()) if p.is_file()}
        repo = self.repos[repo_id] = Repo(repo_id, dict(files), revisions)
        return repo

    @property
    def url(self) -> str:
        assert self._server is not None, "start the hub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def downloads(self) -> list[str]:
        """Paths of the files fetched with GET (not HEAD, not API calls)."""
        return [path for method, path in self.history if method == "GET" and "/resolve/" in path]

    def etag(self, path: Path) -> str:
        tag = self._etags.get(path)
        if tag is None:
            tag = self._etags[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return tag

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - silence the default stderr log
        pass

    # -- routing ---------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._route("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def _route(self, method: str) -> None:
        path = unquote(urlsplit(self.path).path)
        self.fake.history.append((method, path))
        if path.startswith("/api/models/"):
            self._api(path[len("/api/models/"):], head=method == "HEAD")
        else:
            self._resolve(path.lstrip("/"), head=method == "HEAD")

    def _find_repo(self, rest: str) -> tuple[Repo, str] | None:
        for repo_id, repo in self.fake.repos.items():
            if rest == repo_id or rest.startswith(repo_id + "/"):
                return repo, rest[len(repo_id) + 1:]
        return None

    # -- the API -----------------------------------------------------------------

    def _api(self, rest: str, *, head: bool) -> None:
        found = self._find_repo(rest)
        if found is None:
            return self._error(404, "RepoNotFound", "Repository not found")
        repo, tail = found
        if tail == "" or tail.startswith("revision/"):
            revision = tail[len("revision/"):] if tail else "main"
            if not repo.knows(revision):
                return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            body = {"id": repo.repo_id, "modelId": repo.repo_id, "sha": repo.commit,
                    "private": False, "siblings": [{"rfilename": p} for p in sorted(repo.files)]}
            return self._json(body, head=head)
        if tail.startswith("tree/"):
            revision, _, sub = tail[len("tree/"):].partition("/")
            if not repo.knows(revision):
                return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            entries = []
            folders = set()
            for repo_path, local in sorted(repo.files.items()):
                if sub and not repo_path.startswith(sub.rstrip("/") + "/"):
                    continue
                parts = repo_path.split("/")
                for i in range(1, len(parts)):
                    folders.add("/".join(parts[:i]))
                data = local.read_bytes()
                oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
                entries.append({"type": "file", "path": repo_path, "size": len(data), "oid": oid})
            entries += [{"type": "directory", "path": f, "size": 0, "oid": "0" * 40}
                        for f in sorted(folders) if not sub or f.startswith(sub)]
            return self._json(entries, head=head)
        return self._error(404, "EntryNotFound", f"no API route {tail}")

    # -- files --------------------------------------------------------------------

    def _resolve(self, rest: str, *, head: bool) -> None:
        found = self._find_repo(rest)
        if found is None:
            return self._error(404, "RepoNotFound", "Repository not found")
        repo, tail = found
        kind, _, tail = tail.partition("/")
        revision, _, repo_path = tail.partition("/")
        if kind != "resolve":
            return self._error(404, "EntryNotFound", "only /resolve/ is served")
        if not repo.knows(revision):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        local = repo.files.get(repo_path)
        if local is None:
            return self._error(404, "EntryNotFound", f"{repo_path} not found", commit=repo.commit)
        data = local.read_bytes()
        status, start = 200, 0
        ranged = self.headers.get("Range", "")
        if ranged.startswith("bytes=") and not head:
            start = int(ranged[len("bytes="):].split("-")[0] or 0)
            status = 206
        body = data[start:]
        self.send_response(status)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("ETag", f'"{self.fake.etag(local)}"')
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) if not head else len(data)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            return
        served = f"{repo.repo_id}/{repo_path}"
        if not self.fake.throttle:
            self.wfile.write(body)
            self.fake.sent[served] = self.fake.sent.get(served, 0) + len(body)
            return
        import time

        for at in range(0, len(body), 65536):
            try:
                self.wfile.write(body[at:at + 65536])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client went away
            self.fake.sent[served] = self.fake.sent.get(served, 0) + len(body[at:at + 65536])
            time.sleep(self.fake.throttle)

    # -- responses -------------------------------------------------------------------

    def _json(self, obj, *, head: bool = False) -> None:
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str, *, commit: str | None = None) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        if commit:
            self.send_header("X-Repo-Commit", commit)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

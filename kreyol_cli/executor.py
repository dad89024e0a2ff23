"""One interface over serial, threaded, joblib and dask execution of chunk tasks.

``Executor.map(func, tasks)`` yields results lazily and in task order while
later tasks are still being read from the (possibly lazy) ``tasks``
iterable, so stages stream. Tasks are module-level functions with picklable
arguments (model specs, never loaded models); each worker process loads
its model once and keeps it between tasks, and the threads of one process
share it. ``plan_for`` decides how many tasks run at once (see ``Plan``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kreyol_cli.errors import UsageError

BACKENDS = ("auto", "serial", "processes", "dask")


@dataclass(frozen=True)
class Plan:
    """How to spend the cores: ``workers`` tasks in flight × ``threads`` ONNX
    Runtime threads per task.

    Workers are threads of one process sharing one loaded voice (the ``auto``
    backend), or processes (``--backend processes``), or dask workers.

    Measured on 2 cores (docs/BENCHMARKS.md, warm RTF, lower is better): one
    sentence per core on one ONNX thread each ties one sentence at a time on
    two ONNX threads when the machine is quiet (0.0231 vs 0.0228) and beats
    it under load (0.070 vs 0.116): a 2-thread session waits at every
    barrier for a thread the OS has descheduled, two independent sentences
    do not. On a 10-minute input this makes ``kreyol tts`` 1.7× to 2.9× as
    fast as the piper CLI, which runs one 2-thread session. As threads of
    one process the workers share one voice load, so the plan adds nothing
    to the time to first audio; processes each pay a voice load (about 1 s)
    and pickle their audio back, which cost more than they gained here
    (cold 8.5 vs 4.3 s on 24 sentences).

    Synthesis always runs ONNX Runtime with ``threads == 1``: the thread
    count changes the last bits of some samples (measured: up to 7.7e-7
    between 1 and 2 threads), and fixing it keeps the output byte-identical
    whatever the plan, cold, warm or resumed.
    """

    workers: int
    threads: int = 1


#: Most tasks in flight in one process: past this the GIL-bound Python work
#: per sentence (front end, cache, PCM conversion, a few ms) starts to queue.
MAX_THREAD_WORKERS = 16


def plan_for(jobs: int, *, expected: int | None = None) -> Plan:
    """The plan for ``jobs`` cores and ``expected`` tasks (``None``: many).

    One worker per core, never more workers than tasks: a one-sentence job
    runs in-process with no pool at all, which is also its fastest start.
    """
    jobs = max(1, jobs)
    if expected is not None:
        jobs = max(1, min(jobs, expected))
    return Plan(jobs, 1)


class Executor:
    """Runs ``func(task)`` for each task; results in order."""

    name = "base"

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers."""


class SerialExecutor(Executor):
    """In-process, one task at a time (tests, debugging, one worker)."""

    name = "serial"

    def map(self, func, tasks):
        for task in tasks:
            yield func(task)


class ThreadExecutor(Executor):
    """Tasks on ``workers`` threads of this process, sharing its loaded models.

    For tasks that release the GIL for most of their time (an ONNX Runtime
    call). A feeder thread reads ``tasks``, so a result is handed back as soon
    as it is ready even while the next task is still being read from a slow
    stream (``kreyol tts -o -`` reading a pipe); at most ``2 × workers`` tasks
    are read ahead of the results. The first task runs alone, so the first
    result (the first audio) comes back as fast as one task can run: a second
    sentence beside it on a 2-core machine made it 1.8× slower (0.43 vs
    0.24 s, under load), and the second core idles only this once.
    """

    name = "threads"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map(self, func, tasks):
        import queue
        import threading
        from concurrent.futures import ThreadPoolExecutor
        from concurrent.futures import wait as futures_wait

        window = threading.Semaphore(2 * self.workers)
        stop = threading.Event()
        ready: queue.Queue = queue.Queue()
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="kreyol-task")

        def feed() -> None:
            try:
                first = None
                for task in tasks:
                    while not window.acquire(timeout=0.1):
                        if stop.is_set():
                            return
                    if stop.is_set():
                        return
                    future = pool.submit(func, task)
                    ready.put((True, future))
                    if first is None:
                        first = future
                        while not stop.is_set() and not first.done():
                            futures_wait([first], timeout=0.1)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                ready.put((False, exc))
            finally:
                ready.put((False, None))

        feeder = threading.Thread(target=feed, name="kreyol-feeder", daemon=True)
        feeder.start()
        try:
            while True:
                ok, item = ready.get()
                if not ok:
                    if item is None:
                        return
                    raise item
                yield item.result()
                window.release()
        finally:
            stop.set()
            while True:  # drop what was read ahead and not started
                try:
                    ok, item = ready.get_nowait()
                except queue.Empty:
                    break
                if ok:
                    item.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            # The feeder stops at its next task; it may be blocked reading a
            # pipe that never ends, so do not wait for it long (it is a daemon,
            # and whatever it raises from now on goes nowhere).
            feeder.join(timeout=1)


class JoblibExecutor(Executor):
    """A joblib (loky) process pool; workers are reused across calls."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map(self, func, tasks):
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.workers, return_as="generator",
                            pre_dispatch="2*n_jobs", batch_size=1)
        yield from parallel(delayed(func)(task) for task in tasks)


class DaskExecutor(Executor):
    """The same tasks on a dask.distributed cluster via joblib's dask backend.

    Args:
        address: Scheduler address (``tcp://host:8786``), or ``None`` to start a
            local cluster (useful to try the backend on one machine).
        workers: Tasks in flight.
    """

    name = "dask"

    def __init__(self, address: str | None, workers: int, threads: int = 1) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("the dask backend needs `pip install 'kreyol[dask]'`") from None
        if address:
            try:
                self.client = Client(address, timeout="10s")
            except OSError as exc:
                from kreyol_cli.errors import NetworkError

                raise NetworkError(f"cannot reach the dask scheduler at {address} ({exc})") from None
            self.cluster = None
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        self.workers = workers

    def map(self, func, tasks):
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend="dask", wait_for_workers_timeout=60):
            parallel = Parallel(n_jobs=self.workers, return_as="generator",
                                pre_dispatch="2*n_jobs", batch_size=1)
            yield from parallel(delayed(func)(task) for task in tasks)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(backend: str, workers: int, *, scheduler: str | None = None) -> Executor:
    """Build the executor for ``--backend``.

    ``auto`` is serial for one worker and threads of this process otherwise
    (one model load shared by all; see ``Plan``). ``processes`` is a joblib
    (loky) pool. ``dask`` uses ``--scheduler`` or ``KREYOL_DASK_SCHEDULER``,
    else a local cluster.
    """
    if backend not in BACKENDS:
        raise UsageError(f"--backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend == "dask":
        return DaskExecutor(scheduler or os.environ.get("KREYOL_DASK_SCHEDULER"), workers)
    if backend == "serial" or (backend == "auto" and workers <= 1):
        return SerialExecutor()
    if backend == "auto":
        return ThreadExecutor(min(workers, MAX_THREAD_WORKERS))
    return JoblibExecutor(workers)

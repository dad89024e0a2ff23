"""Executors: the same results, in the same order, read lazily, whether the
tasks run in-process, in a joblib process pool or on a dask cluster; and
real Piper synthesis is byte-identical in parallel."""

from __future__ import annotations

import functools
import itertools
import os
import threading
import time
import warnings

import pytest

from kreyol_cli.errors import UsageError
from kreyol_cli.executor import (
    DaskExecutor,
    JoblibExecutor,
    Plan,
    SerialExecutor,
    ThreadExecutor,
    make_executor,
    plan_for,
)

TOTAL = 10_000


def square(x: int) -> int:
    return x * x


def paced_square(x: int) -> int:
    """A task slow enough that a pool cannot race through the whole input
    (joblib dispatches one more task per completed one, read or not)."""
    time.sleep(0.05)
    return x * x


def slow_first(x: int) -> tuple[int, int]:
    """Early tasks finish last, so completion order is not task order."""
    time.sleep(max(0.0, 0.3 - 0.03 * x))
    return x, os.getpid()


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("task 3 failed")
    return x


class Counting:
    """An input stream that records how far it has been read."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.pulled = 0

    def __iter__(self):
        for i in range(self.n):
            self.pulled += 1
            yield i


def check_lazy_and_ordered(executor, slack: int) -> None:
    tasks = Counting(TOTAL)
    results = executor.map(paced_square, tasks)
    try:
        first = list(itertools.islice(results, 3))
        assert first == [0, 1, 4]
        # Only a window ahead of the results was read, not the whole input.
        assert tasks.pulled <= 3 + slack, tasks.pulled
    finally:
        with warnings.catch_warnings():
            # joblib notes the tasks it ran ahead and we did not use: expected.
            warnings.simplefilter("ignore", UserWarning)
            results.close()
    assert tasks.pulled < TOTAL


@pytest.mark.parametrize(("jobs", "expected", "plan"), [
    (1, None, Plan(1, 1)), (2, None, Plan(2, 1)), (3, None, Plan(3, 1)), (8, None, Plan(8, 1)),
    (0, None, Plan(1, 1)),
    # Never more workers than tasks: one sentence runs in-process, no pool.
    (2, 1, Plan(1, 1)), (8, 3, Plan(3, 1)), (2, 500, Plan(2, 1)), (2, 0, Plan(1, 1)),
])
def test_plan_spends_the_cores_on_one_onnx_thread_per_task(jobs, expected, plan):
    got = plan_for(jobs, expected=expected)
    assert got == plan
    assert got.workers * got.threads <= max(1, jobs)


def test_make_executor_picks_the_backend():
    assert isinstance(make_executor("auto", 1), SerialExecutor)
    assert isinstance(make_executor("serial", 4), SerialExecutor)
    pool = make_executor("auto", 2)
    assert isinstance(pool, ThreadExecutor) and pool.workers == 2
    assert isinstance(make_executor("processes", 2), JoblibExecutor)
    assert isinstance(make_executor("processes", 1), JoblibExecutor)
    with pytest.raises(UsageError, match="--backend 'bogus'"):
        make_executor("bogus", 2)


def test_serial_executor_is_ordered_and_reads_one_task_at_a_time():
    executor = SerialExecutor()
    tasks = Counting(TOTAL)
    results = executor.map(square, tasks)
    assert tasks.pulled == 0  # nothing runs before the caller asks
    assert next(results) == 0 and tasks.pulled == 1
    assert next(results) == 1 and tasks.pulled == 2
    results.close()
    assert list(executor.map(square, range(5))) == [0, 1, 4, 9, 16]


def test_thread_executor_keeps_order_and_runs_tasks_side_by_side():
    executor = ThreadExecutor(2)
    results = list(executor.map(slow_first, range(8)))
    assert [x for x, _ in results] == list(range(8))
    assert {pid for _, pid in results} == {os.getpid()}  # one process, one model load
    # After the first task (which runs alone, for the time to first result),
    # two tasks that can only finish together: run one at a time, they would
    # break the barrier.
    barrier = threading.Barrier(2, timeout=30)
    order: list[str] = []

    def task(x: int) -> int:
        if x == 0:
            order.append("first done")
        else:
            order.append(f"{x} started")
            barrier.wait()
        return x

    assert list(executor.map(task, range(3))) == [0, 1, 2]
    assert order[0] == "first done"


def test_thread_executor_reads_its_input_lazily():
    check_lazy_and_ordered(ThreadExecutor(2), slack=4)


def test_thread_executor_hands_back_a_result_while_the_input_waits():
    """`kreyol tts -o -` on a pipe: the first sentence's audio goes out even
    though the next line of input has not arrived yet."""
    more = threading.Event()

    def stream():
        yield 1
        more.wait(timeout=30)
        yield 2

    results = ThreadExecutor(2).map(square, stream())
    try:
        assert next(results) == 1
        assert not more.is_set()
        more.set()
        assert list(results) == [4]
    finally:
        more.set()


def test_thread_executor_reports_the_task_error_and_the_input_error():
    with pytest.raises(ValueError, match="task 3 failed"):
        list(ThreadExecutor(2).map(fail_on_three, range(6)))

    def broken():
        yield 1
        raise OSError("input went away")

    with pytest.raises(OSError, match="input went away"):
        list(ThreadExecutor(2).map(square, broken()))


def test_processes_executor_keeps_order_with_two_workers():
    executor = JoblibExecutor(2)
    try:
        results = list(executor.map(slow_first, range(8)))
        assert [x for x, _ in results] == list(range(8))
        pids = {pid for _, pid in results}
        assert os.getpid() not in pids  # the work ran in worker processes
    finally:
        executor.close()


def test_processes_executor_reads_its_input_lazily():
    check_lazy_and_ordered(JoblibExecutor(2), slack=200)


def test_processes_executor_reports_the_task_error():
    with pytest.raises(ValueError, match="task 3 failed"):
        list(JoblibExecutor(2).map(fail_on_three, range(6)))


@pytest.fixture(scope="module")
def dask_executor():
    executor = DaskExecutor(None, workers=2)
    yield executor
    executor.close()


def test_dask_executor_on_a_local_cluster(dask_executor):
    assert dask_executor.cluster is not None
    assert len(dask_executor.client.scheduler_info()["workers"]) == 2
    results = list(dask_executor.map(slow_first, range(6)))
    assert [x for x, _ in results] == list(range(6))
    assert os.getpid() not in {pid for _, pid in results}
    check_lazy_and_ordered(dask_executor, slack=200)


def test_parallel_synthesis_is_byte_identical_to_serial():
    from kreyol_cli.cache import Cache
    from kreyol_cli.registry import Registry
    from kreyol_cli.settings import Settings
    from kreyol_cli.synthesize import SynthesisOptions, VoiceService, synthesize_chunk

    settings = Settings.load()
    voice = Registry.load(settings).resolve_voice(None, "ht")
    # One ONNX thread per task whatever the plan, so the same bytes.
    service = VoiceService(voice, SynthesisOptions())
    sentences = ["Bonjou.", "Mwen rele Pyè.", "Kijan ou ye?", "Mèsi anpil."]
    serial = list(SerialExecutor().map(functools.partial(synthesize_chunk, service, cache=None),
                                       sentences))
    # The workers get the cache too (as the CLI passes it) and fill it.
    cache = Cache(settings)
    try:
        task = functools.partial(synthesize_chunk, service, cache=cache)
        parallel = list(JoblibExecutor(2).map(task, iter(sentences)))
        assert [p.sentences[0][0] for p in parallel] == sentences  # order kept
        assert [p.pcm for p in parallel] == [p.pcm for p in serial]
        assert all(p.pcm and not p.cached for p in parallel)
        threaded = list(ThreadExecutor(2).map(functools.partial(synthesize_chunk, service),
                                              iter(sentences)))
        assert [p.pcm for p in threaded] == [p.pcm for p in serial]
        again = list(SerialExecutor().map(task, sentences))
        assert all(p.cached for p in again)
        assert [p.pcm for p in again] == [p.pcm for p in serial]
    finally:
        cache.close()

"""Run the same work in many real threads at once, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection

THREADS = 32


def run_together(
    work: Callable[[int], object], *, expected=(), threads: int = THREADS
) -> tuple[dict, dict, list]:
    """Run work(i) in ``threads`` threads started at once.

    Return the results by thread, the expected refusals by thread, and every
    other exception raised.
    """
    barrier = threading.Barrier(threads, timeout=30)
    results: dict[int, object] = {}
    refused: dict[int, Exception] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(i: int) -> None:
        try:
            barrier.wait()
            outcome = work(i)
            with lock:
                results[i] = outcome
        except expected as error:
            with lock:
                refused[i] = error
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a thread never finished"
    return results, refused, errors

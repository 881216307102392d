"""``python -m tests.clocked INSTANT MODULE [ARG...]``: ``python -m MODULE ARG...`` with its clock started at INSTANT
(ISO 8601, aware) and ticking on from there, as ``--start-at`` does in the test process.

The Celery integration test starts its worker (another process, which time-machine can't reach from the test) this
way when the test's clock has been moved, so both processes agree on "now". The worker's prefork children are forked
from it and keep the moved clock.
"""

import runpy
import sys
from datetime import datetime

import time_machine


def main() -> None:
    instant, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    with time_machine.travel(datetime.fromisoformat(instant), tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

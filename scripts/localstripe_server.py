"""Run localstripe (a fake Stripe API) on 127.0.0.1 only, in memory.

Out of the box localstripe listens on every interface (``::``) and pickles its store to /tmp on every write.
Here its aiohttp app is served on a loopback socket we bind ourselves, and the store's disk dump is a no-op.

    .venv/bin/python scripts/localstripe_server.py --port 8420 \
        --webhook-url http://127.0.0.1:8000/billing/webhooks/stripe/ --webhook-secret whsec_localstripe

Tests use ``start_in_thread()`` (a free port, stopped afterwards).
"""

import argparse
import asyncio
import contextlib
import logging
import socket
import threading
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"


def _app():  # type: ignore[no-untyped-def]
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
    return server.app


def register_webhook(*, url: str, secret: str) -> None:
    """Have localstripe send its events (signed with ``secret``) to ``url``."""
    from localstripe.webhooks import register_webhook as register

    register("stagewise", url, secret, None)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    return sock


@dataclass
class RunningServer:
    port: int
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    runner: object

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        from aiohttp import web

        runner = self.runner
        assert isinstance(runner, web.AppRunner)

        async def shutdown() -> None:
            await runner.cleanup()
            # localstripe schedules a webhook delivery per event even with no webhook registered.
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def start_in_thread(port: int = 0) -> RunningServer:
    """Serve localstripe from a background thread on 127.0.0.1 (``port`` 0: a free one). Call ``.stop()`` after."""
    from aiohttp import web

    app = _app()
    sock = _bind(port)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        ready.set()
        loop.run_forever()
        with contextlib.suppress(Exception):
            loop.close()

    thread = threading.Thread(target=run, name="localstripe", daemon=True)
    thread.start()
    if not ready.wait(timeout=10):
        raise RuntimeError("localstripe did not start")
    return RunningServer(port=sock.getsockname()[1], loop=loop, thread=thread, runner=runner)


def main() -> None:
    from aiohttp import web

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="whsec_localstripe")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = _app()
    if args.webhook_url:
        register_webhook(url=args.webhook_url, secret=args.webhook_secret)
    web.run_app(app, sock=_bind(args.port), access_log=logging.getLogger("aiohttp.access"))


if __name__ == "__main__":
    main()

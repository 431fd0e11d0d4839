"""A TCP proxy we control between Daphne and PostgreSQL, to take the database away.

The machine's PostgreSQL is shared, so it is never stopped; instead the servers under
test reach it through this proxy, which can

* ``cut()`` — reset every open connection and refuse new ones (the server is "down"),
* ``restore()`` — listen again on the same port (the server is "back"),
* ``cut_on(pattern)`` — forward traffic until a client sends ``pattern`` (e.g. the
  ``INSERT`` of an event row, i.e. mid-transaction), forward that packet, then swallow
  the answer and cut: the transaction is half-way on the server when its client dies.

It runs its own asyncio loop in a thread, so synchronous tests can drive it.
"""

from __future__ import annotations

import asyncio
import threading

from harness.servers import free_port


class PgProxy:
    def __init__(self, upstream_port: int = 5432, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream_port = upstream_port
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.trigger: bytes | None = None
        self.triggered = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    # -- control (from the test's thread) -------------------------------------------------
    def start(self) -> PgProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def cut_on(self, pattern: bytes) -> None:
        self.triggered.clear()
        self.trigger = pattern

    def close(self) -> None:
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coro) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    # -- the loop's side --------------------------------------------------------------------
    async def _listen(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(self._client, self.host, self.port)

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for w in list(self.writers):
            _reset(w)
        self.writers.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection(self.host, self.upstream_port)
        except OSError:
            _reset(writer)
            return
        self.writers |= {writer, up_w}
        await asyncio.gather(
            self._pipe(reader, up_w, watch=True), self._pipe(up_r, writer), return_exceptions=True
        )
        for w in (writer, up_w):
            self.writers.discard(w)
            w.close()

    async def _pipe(self, src, dst, watch: bool = False) -> None:
        window = b""
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
            if watch and self.trigger:
                window = (window + data)[-(len(self.trigger) + 65536) :]
                if self.trigger in window:
                    self.trigger = None
                    self.triggered.set()
                    await self._cut()  # the server got the statement; its client vanishes
                    return


def _reset(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()

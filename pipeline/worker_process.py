"""One ``sharpeyes pipeline run`` worker as a child process: started, waited on until ``/healthz`` says
ready, asked for ``/metrics``, stopped. Used by ``sharpeyes demo --kafka``, the Kafka benchmarks and the
integration tests, so all three start and judge a worker the same way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from sharpeyes.errors import SharpEyesError


class WorkerProcessError(SharpEyesError):
    """The worker exited or did not become ready in time; the message points at its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PipelineWorkerProcess:
    def __init__(
        self,
        config: Path,
        log_path: Path,
        *,
        python_args: Sequence[str] = (),
        new_session: bool = False,
        cwd: Path | None = None,
    ) -> None:
        """``python_args`` go before ``-m`` (cProfile); ``new_session`` keeps the parent's Ctrl-C away."""
        self.port = free_port()
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            [
                sys.executable,
                *python_args,
                "-m",
                "sharpeyes.cli",
                "pipeline",
                "run",
                "--config",
                str(config),
                "--port",
                str(self.port),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=new_session,
            cwd=cwd,
        )

    def _get(self, path: str, timeout: float) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as resp:
            return bytes(resp.read())

    def health(self) -> dict[str, Any]:
        """The worker's ``/healthz`` document; ``{"ready": False}`` while it is not answering."""
        try:
            return dict(json.loads(self._get("/healthz", 2)))
        except (OSError, ValueError):
            return {"ready": False}  # not listening yet, or 503 while partitions are assigned

    def ready(self) -> bool:
        return bool(self.health().get("ready"))

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise WorkerProcessError(
                f"worker exited with {self.proc.returncode}; see {self.log_path}:\n{self.log_tail(30)}"
            )

    def wait_ready(self, timeout: float = 120.0) -> None:
        wait_all_ready([self], timeout)

    def metrics(self, timeout: float = 10.0) -> str:
        return self._get("/metrics", timeout).decode()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no final commit (what a crash looks like)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self, timeout: float = 60.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def wait_all_ready(workers: Sequence[PipelineWorkerProcess], timeout: float = 120.0) -> None:
    """Until every worker says ready; a worker that exits meanwhile is an error naming its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for w in workers:
            w.check_alive()
        if all(w.ready() for w in workers):
            return
        time.sleep(0.3)
    raise WorkerProcessError(f"workers not ready after {timeout:.0f} s: {[str(w.log_path) for w in workers]}")

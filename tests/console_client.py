"""Log in to a running console over HTTP and wait for cases, as an operator's browser would."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import time
import urllib.request


def wait_for_cases(
    port: int,
    username: str,
    password: str,
    started: float,
    within_s: float,
    proc: subprocess.Popen[bytes] | None = None,
) -> list[dict[str, object]]:
    """Cases listed by ``/api/cases`` once some exist; ``[]`` if none came ``within_s`` of ``started``."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    logged_in = False
    while time.monotonic() - started < within_s and (proc is None or proc.poll() is None):
        time.sleep(1.0)
        try:
            if not logged_in:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/login",
                    data=json.dumps({"username": username, "password": password}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                logged_in = opener.open(req, timeout=5).status == 200
            with opener.open(f"http://127.0.0.1:{port}/api/cases", timeout=5) as resp:
                cases: list[dict[str, object]] = json.loads(resp.read())["cases"]
            if cases:
                return cases
        except OSError:
            continue  # not listening yet
    return []

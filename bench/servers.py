"""Real ``streamlit run app.py`` processes and the headless Chromium that visits them, shared by
the benchmarks (start-up, PostgreSQL load, browser) and the end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's flags for a shared machine without a display or network."""


def free_port() -> int:
    """A TCP port on the loopback address nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Streamlit:
    """One ``streamlit run app.py`` on the loopback address, with ``env`` added to ours."""

    def __init__(self, env: dict[str, str], port: int | None = None, log: bool = False) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = time.perf_counter()
        command = [sys.executable, "-m", "streamlit", "run", "app.py"]
        command += ["--server.port", str(self.port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE if log else subprocess.DEVNULL,
        )

    def wait_healthy(self, seconds: float = 90) -> float:
        """Seconds from the start until the health endpoint answers; raises if it never does."""
        while time.perf_counter() - self.started < seconds:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"streamlit exited early: {err[-1500:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.url} did not become healthy in {seconds:.0f} s")

    def stop(self) -> None:
        """Terminate the process (kill it if it does not end in 30 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)

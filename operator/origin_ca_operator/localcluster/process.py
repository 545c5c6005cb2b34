"""Running one component of the control plane as a child process.

Each component runs in a session (and so a process group) of its own, writes
stdout and stderr to a log file, and is stopped with SIGTERM to its group, then
SIGKILL when it lingers. On Linux a child started from the main thread also asks
the kernel to kill it should that thread die first (``PR_SET_PDEATHSIG``), so a
test run killed without a chance to clean up leaves no component behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 10.0
KILL_WAIT_SECONDS = 5.0


class Component:
    """A started component: its process and its log file."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], log: Path):
        self.name = name
        self.process = process
        self.log = log

    @property
    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.process.poll() is None

    def describe_exit(self) -> str:
        """A line saying how the process ended, or that it still runs."""
        code = self.process.poll()
        if code is None:
            return f"{self.name} is running (pid {self.process.pid})"
        if code < 0:
            return f"{self.name} was killed by signal {-code}"
        return f"{self.name} exited with status {code}"

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the component's log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError as error:
            return f"(no log at {self.log}: {error})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL if it lingers."""
        if self.running:
            logger.debug("Stopping %s (pid %d)", self.name, self.process.pid)
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop within %.0fs; killing it",
                    self.name,
                    STOP_GRACE_SECONDS,
                )
        # Whatever the leader did, nothing of its group may outlive it.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=KILL_WAIT_SECONDS)

    def _signal_group(self, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def start_component(name: str, argv: Sequence[str], log: Path) -> Component:
    """Start ``argv`` in a new session, its output written to ``log`` afresh."""
    log.parent.mkdir(parents=True, exist_ok=True)
    logger.debug("Starting %s: %s", name, " ".join(argv))
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )
    return Component(name, process, log)


def _die_with_parent() -> Callable[[], None] | None:
    # The kernel sends the signal when the *thread* that forked the child ends,
    # not the process: from a short-lived worker thread the components would be
    # killed at once. Only the main thread lives as long as the process.
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def arrange() -> None:
        # Runs in the child between fork and exec; only async-signal-safe calls.
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:
            # The parent died before prctl took effect: nobody is left to stop us.
            os._exit(1)

    return arrange

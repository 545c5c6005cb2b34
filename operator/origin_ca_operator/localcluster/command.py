"""``python -m origin_ca_operator.localcluster up|down --dir DIR``.

``up`` starts a detached supervisor process (``serve``) that runs a
:class:`LocalCluster` in DIR until told to stop, waits until the cluster is
ready, prints how to use it and returns. ``down`` tells the supervisor to stop
and waits until it has stopped every component. The supervisor's pid is in
DIR/localcluster.pid, its own log in DIR/logs/localcluster.log.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from origin_ca_operator.errors import LocalClusterError
from origin_ca_operator.localcluster.cluster import LocalCluster

logger = logging.getLogger(__name__)

PID_FILE = "localcluster.pid"
READY_FILE = "ready"
SUPERVISOR_LOG = "localcluster.log"
UP_TIMEOUT_SECONDS = 180.0
DOWN_TIMEOUT_SECONDS = 60.0
MODULE = "origin_ca_operator.localcluster"


def build_parser() -> argparse.ArgumentParser:
    """The ``up``, ``down`` and ``serve`` subcommands, each taking ``--dir``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}",
        description="A local Kubernetes control plane for tests and demos.",
    )
    subparsers = parser.add_subparsers(dest="action", required=True)
    for action, summary in (
        ("up", "start the control plane in the background; return once ready"),
        ("down", "stop the control plane started by `up`"),
        ("serve", "run the control plane in the foreground until signalled"),
    ):
        sub = subparsers.add_parser(action, help=summary, description=summary)
        sub.add_argument("--dir", type=Path, required=True, help="cluster folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen action; the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    directory: Path = args.dir.resolve()
    actions = {"up": up, "down": down, "serve": serve}
    try:
        return actions[args.action](directory)
    except LocalClusterError as error:
        print(f"localcluster: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("localcluster: interrupted", file=sys.stderr)
        return 130


def up(directory: Path) -> int:
    """Start a detached supervisor and wait until its cluster is ready."""
    if (pid := running_supervisor(directory)) is not None:
        print(f"localcluster: already running in {directory} (pid {pid})")
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    (directory / READY_FILE).unlink(missing_ok=True)
    log = directory / "logs" / SUPERVISOR_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", MODULE, "serve", "--dir", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Written here as well as by the supervisor, so that `down` finds it at once.
    (directory / PID_FILE).write_text(f"{supervisor.pid}\n")
    try:
        _await_ready(directory, supervisor, log)
    except BaseException:
        _stop_supervisor(supervisor.pid)
        raise
    kubeconfig = directory / "kubeconfig"
    print(f"localcluster: ready; export KUBECONFIG={kubeconfig}")
    return 0


def _await_ready(
    directory: Path, supervisor: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + UP_TIMEOUT_SECONDS
    while not (directory / READY_FILE).exists():
        if supervisor.poll() is not None or time.monotonic() > deadline:
            print(log.read_text(errors="replace")[-8000:], file=sys.stderr)
            raise LocalClusterError(f"the cluster did not start; see {log}")
        time.sleep(0.2)


def down(directory: Path) -> int:
    """Stop the supervisor of ``directory`` and wait until it has exited."""
    pid = running_supervisor(directory)
    if pid is None:
        print(f"localcluster: nothing running in {directory}")
        return 0
    _stop_supervisor(pid)
    print(f"localcluster: stopped the cluster in {directory}")
    return 0


class _StopRequested(Exception):
    """A stop signal arrived; raised from the handler to unwind at once."""


def serve(directory: Path) -> int:
    """Run the cluster until SIGTERM, SIGINT or SIGHUP, or until it breaks."""
    stop_signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # One signal is enough; a second must not interrupt the cleanup.
        for other in stop_signals:
            signal.signal(other, signal.SIG_IGN)
        raise _StopRequested(signal.Signals(signum).name)

    for signum in stop_signals:
        signal.signal(signum, request_stop)
    pid_file = directory / PID_FILE
    pid_file.write_text(f"{os.getpid()}\n")
    cluster = LocalCluster(directory)
    try:
        cluster.start()
        (directory / READY_FILE).touch()
        while cluster.running:
            time.sleep(0.5)
        logger.error("A component stopped:\n%s", cluster.log_tails())
        return 1
    except _StopRequested as stop:
        logger.info("Stopping the cluster on %s", stop)
        return 0
    finally:
        (directory / READY_FILE).unlink(missing_ok=True)
        cluster.stop()
        pid_file.unlink(missing_ok=True)


def running_supervisor(directory: Path) -> int | None:
    """The pid of the live supervisor of ``directory``, if there is one."""
    try:
        pid = int((directory / PID_FILE).read_text().strip())
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    # A stale pid file may name a process that reused the pid: check it is ours.
    return pid if MODULE.encode() in command_line else None


def _stop_supervisor(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + DOWN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return
        time.sleep(0.2)
    logger.warning("Supervisor %d ignored SIGTERM; killing it", pid)
    os.kill(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"

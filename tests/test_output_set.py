"""Outputs are published as a set: all new or all as before, readable by others (the umask's
permissions), no temporary file left in any failure or on SIGTERM/SIGINT, and no rendering
worker outliving its parent."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from forecasting import output

OLD = {"results.csv": b"old results", "a.xlsx": b"old a", "b.xlsx": b"old b"}
NEW = {"results.csv": b"new results", "a.xlsx": b"new a", "b.xlsx": b"new b"}


def contents(folder: Path) -> dict[str, bytes]:
    """Every entry of the folder (hidden ones too) with its bytes; folders as None."""
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}


@pytest.fixture()
def earlier(tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in OLD.items():
        (out / name).write_bytes(data)
    return out


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_honour_the_umask(tmp_path, umask, mode):
    before = os.umask(umask)
    try:
        written = output.write_all(tmp_path / "out", NEW)
    finally:
        os.umask(before)
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [mode] * 3
    assert contents(tmp_path / "out") == NEW


def test_a_failed_last_swap_puts_every_earlier_output_back(earlier, monkeypatch):
    real = os.replace

    def last_fails(src, dst):
        if Path(dst).name == "b.xlsx" and Path(src).parent.name.startswith(".forecast-staging"):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", last_fails)
    with pytest.raises(Exception) as e:
        output.write_all(earlier, NEW)
    assert "--out: cannot write here (Permission denied)" in str(e.value)
    assert contents(earlier) == OLD  # byte-identical, and no temporary file or folder


def test_a_failed_write_leaves_no_temporary_file(earlier, monkeypatch):
    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", disk_full)
    with pytest.raises(Exception, match="No space left on device"):
        output.write_all(earlier, NEW)
    assert contents(earlier) == OLD


def run_one(bundled: Path, out: Path) -> Result:
    """``forecast run`` of the plan alone, central case, into ``out``: an output folder is
    refused when the run's files are written, after the forecast, so one scenario's run
    reaches every refusal here."""
    args = ["run", str(bundled), "--out", str(out), "--scenario", "council-plan", "--draws", "0"]
    return CliRunner().invoke(main, args)


def test_a_folder_where_an_output_should_go_changes_nothing(bundled, earlier):
    (earlier / "finance-model.xlsx").mkdir()
    before = contents(earlier)
    r = run_one(bundled, earlier)
    assert r.exit_code == 2, r.stderr
    assert "finance-model.xlsx: --out: is a folder where the output" in r.stderr
    assert contents(earlier) == before


def test_a_read_only_output_is_not_replaced(bundled, earlier):
    (earlier / "b.xlsx").chmod(0o444)
    with pytest.raises(Exception, match="b.xlsx: --out: is read-only"):
        output.write_all(earlier, NEW)
    assert contents(earlier) == OLD


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EROFS, "Read-only file system"),
        PermissionError(errno.EACCES, "Permission denied"),
    ],
)
def test_a_folder_the_system_refuses_is_a_usage_error(bundled, tmp_path, monkeypatch, error):
    """The system refuses the staging folder (a read-only file system, or no permission):
    the refusal is said as a usage error naming --out, and nothing is written."""

    def refused(*args, **kwargs):
        raise error

    monkeypatch.setattr(output.tempfile, "mkdtemp", refused)
    r = run_one(bundled, tmp_path)
    assert r.exit_code == 2, r.stderr
    assert f"--out: cannot write here ({error.strerror})" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="permissions do not bind the superuser; the refusal itself is tested above",
)
def test_an_unwritable_folder_is_a_usage_error(bundled, earlier):
    earlier.chmod(0o555)
    try:
        r = run_one(bundled, earlier)
    finally:
        earlier.chmod(0o755)
    assert r.exit_code == 2
    assert "--out: cannot write here (Permission denied)" in r.stderr
    assert contents(earlier) == OLD


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_writing_leaves_the_old_set_or_the_new(earlier, monkeypatch, sig):
    """The signal arrives in the middle of the set; it takes effect only once the set is
    whole, and no temporary file is left."""
    real = output._write_file
    seen = []

    def interrupted(path, data, mode):
        seen.append(path)
        if len(seen) == 2:
            os.kill(os.getpid(), sig)
            time.sleep(0.05)  # a handler would have run by now, were the signal not held
        real(path, data, mode)

    def stop(signum, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_write_file", interrupted)
    previous = signal.signal(sig, stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            output.write_all(earlier, NEW)
    finally:
        signal.signal(sig, previous)
    assert contents(earlier) == NEW


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run_until_worker(bundled: Path, out: Path) -> tuple[subprocess.Popen, int]:
    cmd = [sys.executable, "-m", "cli", "run", str(bundled), "--out", str(out), "--draws", "20000"]
    proc = subprocess.Popen(
        cmd,
        cwd=Path(__file__).parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        # Ctrl-C acts as it does for a command typed at a terminal, even when the tests run
        # as a background job, which a shell starts with SIGINT ignored (inherited by exec)
        preexec_fn=_sigint_default,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        kids = _children(proc.pid) if proc.poll() is None else []
        if kids:
            return proc, kids[0]
        time.sleep(0.01)
    proc.kill()
    pytest.fail("no rendering worker was seen: the run must render the Forum workbook in one")


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/task").exists() or (os.cpu_count() or 1) < 2,
    reason="needs Linux /proc and a second core (the worker runs only then)",
)


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_the_rendering_worker_dies_with_its_parent(bundled, earlier, sig):
    before = contents(earlier)
    proc, worker = _run_until_worker(bundled, earlier)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(worker), "the rendering worker outlived its parent"
    if sig == signal.SIGTERM and proc.returncode == 0:
        # the run had already published its outputs when the signal was acted on: the
        # folder holds the complete new set (seen once on a cold, loaded machine)
        now = contents(earlier)
        outputs = {"results.csv", "finance-model.xlsx", "schools-forum-dsg.xlsx"}
        outputs.add("cabinet-scenarios.xlsx")
        assert outputs <= set(now) and now["results.csv"] != before["results.csv"]
        assert not [n for n in now if n.startswith(".")]  # no staging folder left
        return
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert b"terminated; earlier outputs are untouched" in proc.stderr.read()
    assert contents(earlier) == before


def test_sigterm_at_any_moment_leaves_the_old_set_or_the_new_and_no_process(bundled, earlier):
    """SIGTERM at moments spread over a whole run (imports, loading, rendering, writing):
    each time the folder is as it was or holds a complete new set, with nothing else."""
    names = {"results.csv", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"}
    names.add("finance-model.xlsx")
    cmd = [sys.executable, "-m", "cli", "run", str(bundled), "--out", str(earlier)]
    previous = contents(earlier)
    linux = Path("/proc/self/task").exists()
    # at fixed moments, and (where workers can be seen) the moment the first worker is
    for delay in (0.3, 0.7, 1.0, *(["first worker"] if linux else [1.3])):
        proc = subprocess.Popen(
            [*cmd, "--draws", "0"], cwd=Path(__file__).parents[1], stderr=subprocess.DEVNULL
        )
        if isinstance(delay, float):
            time.sleep(delay)
            kids = _children(proc.pid) if linux else []
        else:
            deadline = time.monotonic() + 60
            while not (kids := _children(proc.pid)) and proc.poll() is None:
                assert time.monotonic() < deadline, "no worker started within a minute"
                time.sleep(0.005)
            assert kids, "the run ended without starting a worker"
        proc.terminate()
        proc.wait(timeout=30)
        # the workers go with the run (the death signal ends them; 2 s is only how long a
        # busy machine may take to schedule that)
        deadline = time.monotonic() + 2
        while [k for k in kids if _alive(k)] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not [k for k in kids if _alive(k)], f"a worker outlived the run at {delay}s"
        now = contents(earlier)
        if now != previous:  # a complete new set, and nothing else
            assert set(now) == set(OLD) | names, (delay, sorted(now))
            assert now["results.csv"].startswith(b"scenario,area,measure,year,value,unit\n")
            assert now["a.xlsx"] == OLD["a.xlsx"]
        previous = now


def test_a_staging_folder_left_by_a_killed_run_is_removed_later(earlier):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = earlier / f"{output.STAGING_PREFIX}{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "results.csv").write_bytes(b"partial")
    recent = earlier / f"{output.STAGING_PREFIX}{dead.stdout.strip()}-def"
    recent.mkdir()
    hour_ago = time.time() - output.STALE_SECONDS - 60
    os.utime(stale, (hour_ago, hour_ago))
    output.write_all(earlier, NEW)
    assert contents(earlier) == {**NEW, recent.name: None}  # a recent one may be a live run's


@needs_proc
def test_ctrl_c_to_the_process_group_stops_run_and_worker_cleanly(bundled, earlier):
    before = contents(earlier)
    proc, worker = _run_until_worker(bundled, earlier)
    time.sleep(0.3)  # past numpy.random's first import, whose module set-up loses a Ctrl-C
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(worker)
    assert proc.returncode == 130
    assert proc.stderr.read().decode() == "interrupted; earlier outputs are untouched.\n"
    assert contents(earlier) == before


def test_a_signal_is_held_while_another_thread_runs(earlier, monkeypatch):
    """A signal delivered to another thread of the process (a library's worker thread, say)
    is held too: the set is still written whole before the signal acts."""
    import threading

    stop_thread = threading.Event()
    other = threading.Thread(target=stop_thread.wait, daemon=True)
    other.start()
    real = output._write_file
    seen = []

    def interrupted(path, data, mode):
        seen.append(path)
        if len(seen) == 2:
            signal.pthread_kill(other.ident, signal.SIGTERM)
            time.sleep(0.05)
        real(path, data, mode)

    def stop(signum, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_write_file", interrupted)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            output.write_all(earlier, NEW)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_thread.set()
    assert contents(earlier) == NEW

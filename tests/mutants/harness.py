"""`make mutants`: does the suite catch a wrong law?

Each mutant of tests/mutants/catalogue.py is one wrong line — a rule of the law or of a
model changed, a safety step skipped. For each, a copy of the repository in a temporary
folder (the working tree as it is, tracked and untracked files; the copy shares the
.venv) gets the change — the working tree itself is never written, so a failure, Ctrl-C
or SIGTERM leaves nothing to restore: the children (each in its own process group) are
killed and the temporary folder removed — and only the tests the mutant names run there: `pytest -x` for
test node ids, or the dbt unit tests of a selection (tests/mutants/dbt_unit.py). The
mutant is *killed* when they fail and *survives* when they pass; a survivor, or a mutant
that no longer applies, makes the run fail. First the same tests run on an unchanged copy
(the baseline): a test that fails there would kill every mutant for nothing.

    python -m tests.mutants [--jobs N] [--only NAME ...] [--no-baseline] [--list] [--check]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutants.catalogue import MUTANTS, Mutant

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 1800
DBT_PREFIX = "dbt:"
# Parsing the dbt project again is only needed when the mutant touches it.
DBT_PATHS = ("dbt_project/", "seeds/")


class MutantError(Exception):
    """The mutant does not apply to the code as it is: its text is gone or ambiguous."""


class Stopped(Exception):
    """The harness is stopping (Ctrl-C, SIGTERM): no new child is started."""


_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def _run(
    args: list[str], root: Path, env: dict[str, str], timeout: float = TIMEOUT_SECONDS
) -> subprocess.CompletedProcess:
    """One child, in a process group of its own so that it can be killed with everything it
    started (a pipeline run of a test, dbt) on a timeout or when the harness stops."""
    with _live_lock:
        if _stopping.is_set():
            raise Stopped
        proc = subprocess.Popen(
            args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        _live.add(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, _ = proc.communicate()
        return subprocess.CompletedProcess(args, 124, f"{out}\ntimed out after {timeout:.0f}s")
    finally:
        with _live_lock:
            _live.discard(proc)
    return subprocess.CompletedProcess(args, proc.returncode, out)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_children() -> None:
    """Kills every child the harness started (and what they started), and starts no more."""
    with _live_lock:
        _stopping.set()
        live = list(_live)
    for proc in live:
        _kill(proc)
        proc.wait()


@dataclass
class Outcome:
    mutant: Mutant | None
    status: str  # killed, survived, error (baseline: passed, failed)
    seconds: float
    detail: str = ""


def repository_files() -> list[str]:
    """Tracked and untracked files of the working tree, bar what .gitignore excludes."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [p for p in out.split("\0") if p and (REPO / p).is_file()]


def make_copy(target: Path, files: list[str]) -> Path:
    """The working tree copied into `target`, with the .venv and the parsed dbt project
    (partial parsing) shared or copied rather than rebuilt."""
    for rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dest)
    (target / ".venv").symlink_to(REPO / ".venv")
    manifest = REPO / "dbt_project" / "target"
    if manifest.exists():
        shutil.copytree(manifest, target / "dbt_project" / "target", ignore=shutil.ignore_patterns("run", "compiled"))
    return target


def mutated(mutant: Mutant, root: Path = REPO) -> str:
    """The text of the mutant's file under `root` with the change applied."""
    path = root / mutant.path
    if not path.exists():
        raise MutantError(f"{mutant.name}: {mutant.path} does not exist")
    text = path.read_text(encoding="utf-8")
    if "\n" in mutant.find or "\n" in mutant.replace:
        raise MutantError(f"{mutant.name}: a mutant changes one line: no line break in find or replace")
    hits = text.count(mutant.find)
    if hits != 1:
        raise MutantError(f"{mutant.name}: {mutant.find!r} occurs {hits} times in {mutant.path}, not once")
    if mutant.find == mutant.replace:
        raise MutantError(f"{mutant.name}: find and replace are the same")
    if not mutant.tests:
        raise MutantError(f"{mutant.name}: names no test")
    for test in mutant.tests:
        if not test.startswith(DBT_PREFIX) and not (root / test.split("::")[0]).exists():
            raise MutantError(f"{mutant.name}: {test} does not exist")
    return text.replace(mutant.find, mutant.replace)


def apply(mutant: Mutant, root: Path) -> None:
    text = mutated(mutant, root)
    (root / mutant.path).write_text(text, encoding="utf-8")


def _environment(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LRM_"))}
    env["PYTHONPATH"] = str(root)  # the copy's package, not the editable install's
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def prepare_dbt(root: Path) -> None:
    """The copy's dbt manifest prepared again, the way `make install` does, so that the
    Dagster definitions of the copy see the mutated project."""
    env = _environment(root)
    env["PATH"] = f"{root / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    proc = _run(
        [
            str(root / ".venv" / "bin" / "dagster-dbt"),
            "project",
            "prepare-and-package",
            "--file",
            "pipelines/defs/dbt/project.py",
        ],
        root,
        env,
        timeout=600,
    )
    if proc.returncode != 0:
        raise MutantError(f"the mutated dbt project could not be prepared:\n{_tail(proc.stdout)}")


def run_tests(root: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The given tests in the copy at `root`: pytest node ids (one pytest, stopping at the
    first failure) and dbt selections (their unit tests on an empty build). Return code
    0 = all passed, 1 = a test failed, anything else = the tests could not run."""
    python = str(root / ".venv" / "bin" / "python")
    env = _environment(root)
    node_ids = [t for t in tests if not t.startswith(DBT_PREFIX)]
    selections = [t[len(DBT_PREFIX) :] for t in tests if t.startswith(DBT_PREFIX)]
    output = []
    if selections:
        proc = _run([python, "-m", "tests.mutants.dbt_unit", *selections], root, env)
        output.append(proc.stdout)
        if proc.returncode != 0:
            return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(output))
    if node_ids:
        proc = _run(
            [
                python,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "-n",
                "0",
                "--basetemp",
                str(root / ".pytest_tmp"),
                *node_ids,
            ],
            root,
            env,
        )
        output.append(proc.stdout)
        return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(output))
    return subprocess.CompletedProcess([], 0, "".join(output))


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def baseline(workdir: Path, files: list[str], tests: tuple[str, ...]) -> Outcome:
    started = time.monotonic()
    root = make_copy(workdir / "baseline", files)
    proc = run_tests(root, tests)
    status = "passed" if proc.returncode == 0 else "failed"
    shutil.rmtree(root, ignore_errors=True)
    return Outcome(None, status, time.monotonic() - started, "" if status == "passed" else _tail(proc.stdout, 40))


def try_mutant(mutant: Mutant, workdir: Path, files: list[str]) -> Outcome:
    started = time.monotonic()
    root = make_copy(workdir / mutant.name, files)
    try:
        apply(mutant, root)
        if mutant.path.startswith(DBT_PATHS):
            prepare_dbt(root)
        proc = run_tests(root, mutant.tests)
    except MutantError as exc:
        return Outcome(mutant, "error", time.monotonic() - started, str(exc))
    except Stopped:
        return Outcome(mutant, "error", time.monotonic() - started, "stopped")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    seconds = time.monotonic() - started
    if proc.returncode == 0:
        return Outcome(mutant, "survived", seconds)
    if proc.returncode == 1:
        return Outcome(mutant, "killed", seconds, _failed_tests(proc.stdout))
    return Outcome(mutant, "error", seconds, f"the tests could not run (exit {proc.returncode}):\n{_tail(proc.stdout)}")


def _failed_tests(output: str) -> str:
    """What killed it: pytest's FAILED/ERROR lines, or the dbt unit tests that failed."""
    lines = [ln for ln in output.splitlines() if ln.startswith(("FAILED ", "ERROR ", "unit test failed: "))]
    return "; ".join(ln.split(" - ")[0] for ln in lines[:3])


def _print(outcome: Outcome) -> None:
    name = outcome.mutant.name if outcome.mutant else "baseline"
    print(
        f"{outcome.status:9} {outcome.seconds:7.1f}s  {name}"
        + (f"  [{outcome.detail}]" if outcome.detail and outcome.status == "killed" else ""),
        flush=True,
    )
    if outcome.status in ("error", "failed") and outcome.detail:
        print("          " + outcome.detail.replace("\n", "\n          "), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tried at once (default 2)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these mutants")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the tests on an unchanged copy")
    parser.add_argument("--list", action="store_true", help="list the mutants and their tests, then stop")
    parser.add_argument("--check", action="store_true", help="check that every mutant still applies, then stop")
    args = parser.parse_args(argv)

    names = [m.name for m in MUTANTS]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        print(f"mutant names must be unique: {sorted(duplicates)}")
        return 2
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        print(f"unknown mutants: {sorted(set(args.only) - set(names))}")
        return 2
    if args.check:
        problems = []
        for m in chosen:
            try:
                mutated(m)
            except MutantError as exc:
                problems.append(str(exc))
        print("\n".join(problems) or f"all {len(chosen)} mutants apply")
        return 1 if problems else 0
    if args.list:
        for m in chosen:
            print(f"{m.name}\n    {m.rule}\n    {m.path}: {m.find!r} -> {m.replace!r}\n    tests: {', '.join(m.tests)}")
        return 0

    started = time.monotonic()
    files = repository_files()
    outcomes: list[Outcome] = []
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="lrm-mutants-", ignore_cleanup_errors=True) as tmp:
            workdir = Path(tmp)
            try:
                if not args.no_baseline:
                    tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
                    first = baseline(workdir, files, tests)
                    _print(first)
                    if first.status != "passed":
                        print("the named tests fail on the unchanged code: fix them before judging mutants")
                        return 1
                with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                    futures = [pool.submit(try_mutant, m, workdir, files) for m in chosen]
                    try:
                        for future in concurrent.futures.as_completed(futures):
                            outcomes.append(future.result())
                            _print(outcomes[-1])
                    except BaseException:
                        for future in futures:
                            future.cancel()
                        stop_children()  # before the pool waits for its threads
                        raise
            except BaseException:
                stop_children()
                raise
    except KeyboardInterrupt:
        print(
            f"\nstopped after {len(outcomes)} of {len(chosen)} mutants; the working tree was not touched, "
            "the copies are removed"
        )
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("killed", "survived", "error")}
    print(
        f"\n{len(outcomes)} mutants: {counts['killed']} killed, {counts['survived']} survived, "
        f"{counts['error']} could not be tried; {time.monotonic() - started:.0f}s wall time"
    )
    return 0 if counts["survived"] == counts["error"] == 0 else 1


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())

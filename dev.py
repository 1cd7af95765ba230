#!/usr/bin/env python3
"""Bootstrap Attain with nothing but Python 3.11 and pip.

    python3 dev.py run     # venv, install, database, demo organisation, serve :8000
    python3 dev.py test    # venv, install test dependencies, ruff, the whole test suite

Only the standard library is used here, because this script runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ATTAIN_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _python() -> str:
    return str(BIN / "python")


def ensure_venv(extras: str) -> None:
    if not (BIN / "python").exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode())
    stamp = VENV / ".attain-installed"
    if stamp.exists() and stamp.read_text() == fingerprint.hexdigest():
        return
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    print(f"Installing {target} into {VENV}", flush=True)
    subprocess.check_call([_python(), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    subprocess.check_call([_python(), "-m", "pip", "install", "-q", "-e", target])
    stamp.write_text(fingerprint.hexdigest())


def run(args: list[str]) -> int:
    ensure_venv("")
    attain = str(BIN / "attain")
    subprocess.check_call([attain, "demo"])
    return subprocess.call([attain, "serve", *args])


def test(args: list[str]) -> int:
    ensure_venv("test")
    os.chdir(ROOT)
    paths = [p for p in ("src", "tests", "bench", "dev.py") if (ROOT / p).exists()]
    lint = subprocess.call([str(BIN / "ruff"), "check", *paths])
    if lint:
        print("ruff found problems (see above)", file=sys.stderr)
        return lint
    if not any(a.startswith(("-n", "--numprocesses")) for a in args):
        # One worker per core (each with its own test database): the suite is CPU-bound.
        # --dist loadgroup keeps tests marked xdist_group("spark") on one worker: one JVM.
        args = ["-n", str(os.cpu_count() or 1), "--dist", "loadgroup", *args]
    return subprocess.call([_python(), "-m", "pytest", *args])


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return run(rest) if command == "run" else test(rest)


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: build the voivodeship-scale data when it is absent, then run every benchmark (docs/performance.md).

    DATABASE_URL=postgres://…/lsw_scale python scripts/bench.py [--quick]

The data go to the database of ``BENCH_DATABASE_URL`` (else ``DATABASE_URL``): a database of its own, since
``seed_scale`` fills it with a million referrals. When it holds no referral, ``migrate`` and
``seed_scale --scale 1.0`` run first (about 2-5 minutes); otherwise only ``migrate`` (a partly filled database is
refused). Each benchmark's output goes
to the terminal and to ``.data/bench/<name>.txt`` with the machine's ``uptime`` before and after, since the figures
mean little without the load they were taken under. ``--quick`` runs fewer iterations (a smoke test, not a
measurement). Exits with the first non-zero status of a benchmark, after running all of them.
"""

# ruff: noqa: S603 - runs this interpreter on the project's own scripts
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".data" / "bench"
BENCHMARKS = {
    "referrals": ["tests/benchmarks/bench_referrals.py", "--no-parallel"],
    "reports": ["tests/benchmarks/bench_reports.py"],
    "jobs": ["tests/benchmarks/bench_jobs.py"],
    "http": ["tests/benchmarks/bench_http.py"],
    "cpu": ["tests/benchmarks/bench_cpu.py"],
}
QUICK = {
    "referrals": ["--iterations", "20", "--warmup", "3"],
    "reports": ["--iterations", "5", "--warmup", "1"],
    "jobs": ["--passes", "2"],
    "http": ["--clients", "1", "8", "--seconds", "2"],
    "cpu": ["--requests", "20", "--warmup", "3"],
}


def uptime() -> str:
    return subprocess.run(["/usr/bin/uptime"], capture_output=True, text=True, check=False).stdout.strip()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def referral_count(env: dict[str, str]) -> int:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); "
        "from referrals.models import Referral; print(Referral.objects.count())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return int(result.stdout.strip() or 0) if result.returncode == 0 else 0


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    env = dict(os.environ)
    url = env.get("BENCH_DATABASE_URL") or env.get("DATABASE_URL")
    if not url:
        sys.exit("Set BENCH_DATABASE_URL (or DATABASE_URL) to a database of its own, e.g. postgres://…/lsw_scale")
    env["DATABASE_URL"] = url
    env.setdefault("SECRET_KEY", "benchmark-only-" + "k" * 50)
    env.setdefault("PYTHONHASHSEED", "0")
    manage(env, "migrate", "-v0")
    count = referral_count(env)
    if count == 0:
        print(f"Building the data (seed_scale --scale 1.0) — {uptime()}", flush=True)
        manage(env, "seed_scale", "--scale", "1.0")
    elif count < 900_000:
        sys.exit(f"The database holds {count:,} referrals, not the scale's million: `manage.py seed_scale --reset`")
    OUT.mkdir(parents=True, exist_ok=True)
    status = 0
    for name, command in BENCHMARKS.items():
        args = [*command, *(QUICK[name] if quick else [])]
        before = uptime()
        print(f"\n== {name}: {' '.join(args)}\n   {before}", flush=True)
        result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
        text = f"uptime before: {before}\n{result.stdout}\nuptime after: {uptime()}\n"
        sys.stdout.write(text)
        (OUT / f"{name}.txt").write_text(text)
        if result.returncode and not status:
            status = result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Pay run benchmark: the calculation of a run on the database it points at, with the credits
read as far back as the plans need (``attain.payouts.inputs.credits_reach``) and, to compare,
from 1 January of the year before the period (what runs read before).

    ATTAIN_DATA_DIR=DIR .venv/bin/attain demo --reps 500 --deals 200000 --accounts 20000
    ATTAIN_DATA_DIR=DIR .venv/bin/python bench/payrun_bench.py [--period 2026-11] [--repeat 3]

Each repetition times ``services.calculate_period`` (inputs from the database, the engine,
ledger lines; nothing written) both ways, alternately, in one process, and checks the two
results have the same fingerprint. The period defaults to the latest run's. Figures go in
docs/benchmarks.md (section "Engine"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", help="default: the period of the latest run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attain.settings")
    import django

    django.setup()
    from attain.payouts import inputs, services
    from attain.payouts.models import CalcRun

    period = args.period or CalcRun.objects.order_by("-period").values_list("period", flat=True)[0]
    needed = inputs.credits_reach

    def year_before(texts, window, as_of):
        return dt.date(window.start.year - 1, 1, 1)

    print(f"period {period}")
    results = set()
    for _ in range(args.repeat):
        for label, reach in (("as the plans need", needed), ("from the year before", year_before)):
            inputs.credits_reach = reach
            start = time.perf_counter()
            calculation = services.calculate_period(period)
            seconds = time.perf_counter() - start
            results.add(calculation.result_fingerprint)
            credits = calculation.inputs.credits.num_rows
            print(f"  {label:22} {seconds:7.2f} s  {credits:9,} credits read")
    inputs.credits_reach = needed
    print("results identical" if len(results) == 1 else "RESULTS DIFFER")


if __name__ == "__main__":
    main()

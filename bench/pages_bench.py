"""Every page without a parameter, timed for one login of each role, on an existing database.

    ATTAIN_DATA_DIR=DIR attain demo --reps 5000 --deals 200000 --accounts 50000
    ATTAIN_DATA_DIR=DIR .venv/bin/python bench/pages_bench.py [--roles admin,manager] [--top 10]

Walks the URL configuration for routes without a parameter (leaving out the admin, the JSON
API, log-out, live streams and downloads), requests each once through Django's test client
as the first active user of each role (for the demo: the VP, whose team is nearly everyone,
is the first manager), and prints the slowest with their status and size. Finds the pages
that do not scale with the organisation. Figures go in docs/benchmarks.md ("Pages").
"""

from __future__ import annotations

import argparse
import os
import time

SKIPPED = ("logout", "stream", "events", "export", ".csv", "pdf")


def page_urls() -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<" in route or route.startswith(("admin", "api")):
                    continue
                yield "/" + route

    urls = sorted(set(walk(get_resolver().url_patterns)))
    return [url for url in urls if not any(word in url for word in SKIPPED)]


def time_pages(role: str) -> list[tuple[float, str, int, int]]:
    from django.test import Client

    from attain.people.models import User

    user = User.objects.filter(role=role, is_active=True).order_by("id").first()
    if user is None:
        return []
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    timings = []
    for url in page_urls():
        start = time.perf_counter()
        response = client.get(url)
        timings.append(
            (time.perf_counter() - start, url, response.status_code, len(response.content))
        )
    return sorted(timings, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", default="admin,finance,manager,rep")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attain.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.CRITICAL)  # 403s and 404s of pages a role may not open
    for role in args.roles.split(","):
        print(f"== {role}")
        for seconds, url, status, size in time_pages(role)[: args.top]:
            print(f"  {seconds:7.2f} s  {status}  {size:>9,} B  {url}")


if __name__ == "__main__":
    main()

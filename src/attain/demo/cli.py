"""`attain demo`: placeholder until the generator lands."""

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print("demo generator not yet available")
    return 0

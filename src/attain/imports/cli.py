"""`attain import`: placeholder until the importer lands."""

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print("importer not yet available")
    return 1

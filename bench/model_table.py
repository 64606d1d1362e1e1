#!/usr/bin/env python3
"""Side-by-side table of trained models from their run directories.

    bench/model_table.py RUN [RUN ...] [--one-rank RUN ...] [--two-rank RUN ...]

Each RUN is an `opforge train` run directory (report.json). The optional
--one-rank / --two-rank runs (the same configs trained for an epoch on an
idle machine at 1 and 2 ranks) give the seconds per epoch, matched to RUN by
position; without them the training run's own average is shown. Prints a
Markdown table: parameters, s/epoch, test relative L2 and H1 at the last
epoch and at the best validation epoch.
"""
import argparse
import json
import os
import sys


def load(run):
    path = os.path.join(run, "report.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"model_table: {path}: {e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--one-rank", nargs="*", default=[])
    parser.add_argument("--two-rank", nargs="*", default=[])
    args = parser.parse_args()
    for option in (args.one_rank, args.two_rank):
        if option and len(option) != len(args.runs):
            sys.exit("model_table: --one-rank/--two-rank need one run per RUN")
    print("| run | model | parameters | epochs | s/epoch, 1 rank | s/epoch, 2 ranks | final test L2 | final test H1 "
          "| best epoch | test L2 @ best | test H1 @ best |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, run in enumerate(args.runs):
        r = load(run)
        one = f"{load(args.one_rank[k])['seconds_per_epoch']:.1f}" if args.one_rank else "–"
        two = (f"{load(args.two_rank[k])['seconds_per_epoch']:.1f}" if args.two_rank
               else f"{r['seconds_per_epoch']:.1f} (P={r['ranks']}, whole run)")
        best = r["best"] or {}
        print(f"| {os.path.basename(run.rstrip('/'))} | {r['model'].split()[0]} | {r['parameters']:,} | {r['epochs']} "
              f"| {one} | {two} | {r['final']['test_rel_l2']:.4f} "
              f"| {r['final']['test_rel_h1']:.4f} | {best.get('epoch', '–')} "
              f"| {best.get('test_rel_l2', float('nan')):.4f} | {best.get('test_rel_h1', float('nan')):.4f} |")


if __name__ == "__main__":
    main()

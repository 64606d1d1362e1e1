#!/usr/bin/env python3
"""Side-by-side table of trained models from their run directories.

    bench/model_table.py RUN [RUN ...] [--one-rank RUN1 ...]

Each RUN is an `opforge train` run directory (report.json, metrics.csv). The
optional --one-rank runs (same configs trained briefly on 1 rank) give the
1-rank seconds per epoch, matched to RUN by position. Prints a Markdown table:
parameters, s/epoch (1 and 2 ranks), test relative L2 and H1 at the last
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
    args = parser.parse_args()
    if args.one_rank and len(args.one_rank) != len(args.runs):
        sys.exit("model_table: --one-rank needs one run per RUN")
    print("| run | model | parameters | epochs | s/epoch, 1 rank | s/epoch, P ranks | final test L2 | final test H1 "
          "| best epoch | test L2 @ best | test H1 @ best |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, run in enumerate(args.runs):
        r = load(run)
        one = f"{load(args.one_rank[k])['seconds_per_epoch']:.1f}" if args.one_rank else "–"
        best = r["best"] or {}
        print(f"| {os.path.basename(run.rstrip('/'))} | {r['model'].split()[0]} | {r['parameters']:,} | {r['epochs']} "
              f"| {one} | {r['seconds_per_epoch']:.1f} (P={r['ranks']}) | {r['final']['test_rel_l2']:.4f} "
              f"| {r['final']['test_rel_h1']:.4f} | {best.get('epoch', '–')} "
              f"| {best.get('test_rel_l2', float('nan')):.4f} | {best.get('test_rel_h1', float('nan')):.4f} |")


if __name__ == "__main__":
    main()

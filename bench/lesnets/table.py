#!/usr/bin/env python3
"""The LESnets CPU-tier table (docs/benchmarks.md) from run directories.

Each RUN holds report.json (training) and rollout.json, rollout.csv,
spectra.csv (opforge evaluate --rollout). Prints one markdown row per run and
the targets: physics-only rel-L2 over the first 10 frames within 2x of the
data-driven FNO's; spectrum within 20% up to k = 10; operator >= 10x faster
than the reference LES for the same horizon.
  bench/lesnets/table.py runs/lesnets_fno_cpu runs/lesnets_ifno_cpu runs/fno_les_data_cpu
"""
import csv
import json
import sys
from pathlib import Path


def row(run):
    run = Path(run)
    train = json.loads((run / "report.json").read_text())
    roll = json.loads((run / "rollout.json").read_text())
    frames = list(csv.DictReader(open(run / "rollout.csv")))
    last = frames[-1]
    energy_error = abs(float(last["energy"]) / float(last["reference_energy"]) - 1)
    return {
        "run": run.name,
        "model": train["model"].split()[0],
        "parameters": train["parameters"],
        "epochs": train["epochs"],
        "s_per_epoch": train["seconds_per_epoch"],
        "l2_first": roll["first_call_rel_l2"],
        "l2_last": roll["last_frame_rel_l2"],
        "frames": roll["frames"],
        "energy_last": energy_error,
        "spectrum": roll["spectrum_deviation_k1_10"],
        "op_s": roll["operator_seconds"],
        "les_s": roll["reference_seconds"],
        "cs2": train.get("learned_smagorinsky_cs2"),
    }


def main(runs):
    rows = [row(r) for r in runs]
    print("| run | model | parameters | epochs | s/epoch | rel-L2 frames 1-10 | rel-L2 last frame "
          "| energy error last frame | spectrum dev. k<=10 after call 1 | operator s | LES s | LES/operator |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['run']} | {r['model']} | {r['parameters']:,} | {r['epochs']} | {r['s_per_epoch']:.1f} "
              f"| {r['l2_first']:.4f} | {r['l2_last']:.4f} (frame {r['frames']}) | {100 * r['energy_last']:.1f}% "
              f"| {100 * r['spectrum']:.1f}% | {r['op_s']:.3f} | {r['les_s']:.3f} | {r['les_s'] / r['op_s']:.2f}x |")
    for r in rows:
        if r["cs2"] is not None:
            print(f"{r['run']}: learned C_s^2 = {r['cs2']:.5g}")
    data = [r for r in rows if "data" in r["run"]]
    if data:
        for r in rows:
            if r is not data[0]:
                print(f"{r['run']}: rel-L2 frames 1-10 is {r['l2_first'] / data[0]['l2_first']:.2f}x the data-driven "
                      f"FNO's (target <= 2x)")


if __name__ == "__main__":
    main(sys.argv[1:])

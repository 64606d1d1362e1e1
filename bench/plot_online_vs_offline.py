#!/usr/bin/python3
"""Test error against wall time, online training against generate-then-train
(docs/benchmarks.md, "Online training"):

    bench/plot_online_vs_offline.py ONLINE_RUN OFFLINE_RUN GENERATION_SECONDS OUT.png

Wall time is the training loop's (cumulative epoch_seconds of metrics.csv; the
online trainer's includes its wait for the first samples), with the offline
run shifted by the generation it waited for. Start-up and the per-epoch
scoring are left out of both.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def curve(run, offset):
    rows = list(csv.DictReader(open(f"{run}/metrics.csv")))
    wall = offset + np.cumsum([float(r["epoch_seconds"]) for r in rows])
    return wall, [float(r["test_rel_l2"]) for r in rows]


online_run, offline_run, generation, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
fig, ax = plt.subplots(figsize=(6, 4))
for label, (wall, error) in [("online (1 generator + 1 trainer rank)", curve(online_run, 0.0)),
                             ("generate on 2 ranks, then train on 2", curve(offline_run, generation))]:
    ax.semilogy(wall, error, marker="o", label=label)
    print(label, " ".join(f"{w:.0f}s:{e:.4f}" for w, e in zip(wall, error)))
ax.axvline(generation, color="gray", ls=":", label="offline generation done")
ax.set_xlabel("wall time (s)")
ax.set_ylabel("test relative L2 (roll-out)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(out, dpi=100)

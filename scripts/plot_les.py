#!/usr/bin/env python3
"""Figures of an LES roll-out (opforge evaluate --rollout): relative L2 per
frame, kinetic energy and dissipation against the reference LES, and energy
spectra at the frames in spectra.csv. Writes RUN/rollout.png.
  /usr/bin/python3 scripts/plot_les.py RUN [RUN ...]   (several runs: one curve each)
"""
import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(run):
    frames = list(csv.DictReader(open(Path(run) / "rollout.csv")))
    spectra = list(csv.DictReader(open(Path(run) / "spectra.csv")))
    column = lambda rows, key: [float(r[key]) for r in rows]  # noqa: E731
    return frames, spectra, column


def main(runs):
    figure, axes = plt.subplots(1, 4, figsize=(18, 4))
    for index, run in enumerate(runs):
        frames, spectra, column = load(run)
        t = column(frames, "time")
        name = Path(run).name
        axes[0].plot(t, column(frames, "rel_l2"), label=name)
        axes[1].plot(t, column(frames, "energy"), label=name)
        axes[2].plot(t, column(frames, "dissipation"), label=name)
        if index == 0:
            axes[1].plot(t, column(frames, "reference_energy"), "k--", label="reference LES")
            axes[2].plot(t, column(frames, "reference_dissipation"), "k--", label="reference LES")
        for frame in sorted({r["frame"] for r in spectra}, key=int):
            rows = [r for r in spectra if r["frame"] == frame and int(r["k"]) > 0]
            k = column(rows, "k")
            axes[3].loglog(k, column(rows, "energy"), label=f"{name} frame {frame}")
            if index == 0:
                axes[3].loglog(k, column(rows, "reference_energy"), "k--", linewidth=0.8)
    for ax, title in zip(axes, ["relative L2 per frame", "kinetic energy", "dissipation rate", "E(k) (dashed: LES)"]):
        ax.set_title(title)
        ax.legend(fontsize=7)
    for ax in axes[:3]:
        ax.set_xlabel("time after u0")
    axes[3].set_xlabel("k")
    figure.tight_layout()
    out = Path(runs[0]) / "rollout.png"
    figure.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])

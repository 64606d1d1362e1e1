#!/usr/bin/python3
"""PNG figures of a training run, with Debian's python3-matplotlib:

    scripts/plot_training.py RUN_DIR [--predictions RUN_DIR/predictions.h5]

writes RUN_DIR/loss.png (train loss and test relative L2 per epoch), for
online runs RUN_DIR/stream.png (samples generated, received and trained on,
buffer fill, evictions, generator and trainer idle time per epoch) and,
with predictions from `opforge evaluate --predictions`, RUN_DIR/sample.png
(input, truth, prediction and error of the test sample with the median error).
"""
import argparse
import csv
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_loss(run):
    rows = list(csv.DictReader(open(os.path.join(run, "metrics.csv"))))
    epochs = [int(r["epoch"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(epochs, [float(r["train_loss"]) for r in rows], label="train (the configured loss)")
    ax.semilogy(epochs, [float(r["test_rel_l2"]) for r in rows], label="test (relative L2)")
    if "validation_rel_l2" in rows[0] and rows[0]["validation_rel_l2"] != "nan":
        ax.semilogy(epochs, [float(r["validation_rel_l2"]) for r in rows], label="validation (relative L2)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("error")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(run, "loss.png"), dpi=100)


def plot_stream(run):
    """Online runs (docs/online.md): what the stream delivered and who waited."""
    rows = list(csv.DictReader(open(os.path.join(run, "metrics.csv"))))
    if not rows or "samples_generated" not in rows[0]:
        return False
    epochs = [int(r["epoch"]) for r in rows]
    column = lambda name: [float(r[name]) for r in rows]  # noqa: E731
    fig, (counts, idle) = plt.subplots(1, 2, figsize=(11, 4))
    for name in ("samples_generated", "samples_received", "unique_trained", "buffer_fill", "evicted_unused"):
        counts.plot(epochs, column(name), marker="o", label=name.replace("_", " "))
    counts.set_xlabel("epoch")
    counts.set_ylabel("samples")
    counts.legend()
    wall = np.cumsum(column("epoch_seconds"))
    idle.plot(epochs, column("generator_idle_seconds"), marker="o", label="generators waiting for trainers")
    idle.plot(epochs, column("trainer_idle_seconds"), marker="o", label="trainers waiting for samples")
    idle.plot(epochs, wall, "k--", label="training wall time")
    idle.set_xlabel("epoch")
    idle.set_ylabel("seconds (cumulative)")
    idle.legend()
    for ax in (counts, idle):
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(run, "stream.png"), dpi=100)
    return True


def plot_sample(run, predictions):
    with h5py.File(predictions, "r") as p:
        errors = p["meta/rel_l2"][:]
        k = int(np.argsort(errors)[len(errors) // 2])
        source = int(p["meta/source_index"][k])
        x, prediction = p["input"][k, 0], p["output"][k, 0]
        dataset = p.attrs["dataset"]
        dataset = dataset.decode() if isinstance(dataset, bytes) else dataset
    with h5py.File(dataset, "r") as d:
        truth = d["output"][source, 0]
        stride = truth.shape[0] // prediction.shape[0] if prediction.shape[0] < truth.shape[0] else 1
        truth = truth[::stride, ::stride][: prediction.shape[0], : prediction.shape[1]]
    panels = [("input", x), ("truth", truth), ("prediction", prediction), ("error", prediction - truth)]
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    for ax, (title, field) in zip(axes, panels):
        image = ax.imshow(field.T, origin="lower", cmap="RdBu_r" if title == "error" else "viridis")
        ax.set_title(f"{title} (sample {source})" if title == "input" else title)
        fig.colorbar(image, ax=ax, fraction=0.046)
    fig.suptitle(f"median test sample: relative L2 {errors[k]:.3g}")
    fig.tight_layout()
    fig.savefig(os.path.join(run, "sample.png"), dpi=80)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    parser.add_argument("--predictions")
    args = parser.parse_args()
    plot_loss(args.run)
    plot_stream(args.run)
    if args.predictions:
        plot_sample(args.run, args.predictions)
    print(f"figures written to {args.run}")

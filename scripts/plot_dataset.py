#!/usr/bin/python3
"""PNG figures of an opforge dataset, with Debian's python3-matplotlib:

    scripts/plot_dataset.py DATA.h5 [--samples 4] [--out DIR]

writes DIR/NAME_samples.png (every input and output channel of the first
samples) and, when the dataset records solver iterations,
DIR/NAME_iterations.png: Krylov iterations per system in the order each
solver group solved them (`meta/solve_position`) — the SKR chart: with
recycling the count drops after the first systems of each group.
"""
import argparse
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def plot_samples(f, count, path):
    inputs, outputs = f["input"], f["output"]
    names = [f"input {c}" for c in text(inputs.attrs["channels"]).split(",")]
    names += [f"output {c}" for c in text(outputs.attrs["channels"]).split(",")]
    count = min(count, inputs.shape[0])
    fig, axes = plt.subplots(count, len(names), figsize=(3.2 * len(names), 3 * count), squeeze=False)
    for i in range(count):
        fields = list(inputs[i]) + list(outputs[i] if outputs.ndim == inputs.ndim else outputs[i, -1])
        for ax, name, field in zip(axes[i], names, fields):
            field = np.atleast_2d(field)
            image = ax.imshow(field.T, origin="lower", cmap="viridis")
            ax.set_title(f"sample {i}: {name}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_iterations(f, path):
    iterations = f["meta/iterations"][:]
    # Positions restart at 0 in every solver group: all groups share the axis.
    position = f["meta/solve_position"][:] if "meta/solve_position" in f else np.arange(len(iterations))
    order = np.argsort(position, kind="stable")
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(position[order], iterations[order], ".", ms=4)
    ax.set_xlabel("position in the solve order (per solver group)")
    ax.set_ylabel("Krylov iterations")
    solver = text(f.attrs.get("solver", ""))
    ax.set_title(f"{len(iterations)} systems, mean {iterations.mean():.1f} iterations\n{solver}", fontsize=9)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--out", default=None, help="directory for the PNGs (default: next to the dataset)")
    args = parser.parse_args()
    out = args.out or os.path.dirname(os.path.abspath(args.dataset))
    name = os.path.splitext(os.path.basename(args.dataset))[0]
    written = []
    with h5py.File(args.dataset, "r") as f:
        written.append(os.path.join(out, f"{name}_samples.png"))
        plot_samples(f, args.samples, written[-1])
        if "meta/iterations" in f:
            written.append(os.path.join(out, f"{name}_iterations.png"))
            plot_iterations(f, written[-1])
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()

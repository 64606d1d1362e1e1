#!/usr/bin/python3
"""The throughput table of bench/throughput/run.sh from its run directory:
samples/s (mean of epochs 2-3), speed-up, executed GFLOP/s (analytic FLOPs of
bench/throughput/fno_flops.py) and the allreduce's share of the epoch.

    bench/throughput/table.py runs/throughput [--peak-gflops 83.1]
"""
import argparse
import csv
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fno_flops import forward_flops  # noqa: E402

SHAPE = dict(s=64, modes=12, width=32, layers=4, padding=9, projection=128)


def opforge_rate(run):
    path = os.path.join(run, "metrics.csv")
    if not os.path.exists(path):
        return None
    rows = list(csv.DictReader(open(path)))[1:]
    rate = sum(float(r["samples_per_second"]) for r in rows) / len(rows)
    share = sum(float(r["allreduce_seconds"]) for r in rows) / sum(float(r["epoch_seconds"]) for r in rows)
    return rate, share


def pytorch_rate(log):
    if not os.path.exists(log):
        return None
    rates = [float(v) for v in re.findall(r"epoch \d+: (?:train [0-9.]+, )?([0-9.]+) samples/s", open(log).read())]
    return (sum(rates[1:]) / len(rates[1:]), None) if len(rates) > 1 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--peak-gflops", type=float, default=83.1,
                        help="per core: 32 FP32 flops/cycle (2 x 256-bit FMA, Zen 4) x 2.596 GHz")
    args = parser.parse_args()
    dft = 3 * sum(forward_flops(**SHAPE).values())
    fft = 3 * sum(forward_flops(**SHAPE, fft=True).values())
    rows = [("opforge, 1 rank x 1 thread", opforge_rate(f"{args.directory}/opforge_np1"), 1, dft),
            ("opforge, 2 ranks x 1 thread", opforge_rate(f"{args.directory}/opforge_np2"), 2, dft),
            ("opforge, 1 rank x 2 threads", opforge_rate(f"{args.directory}/opforge_np1_t2"), 2, dft),
            ("opforge, spectral_transform: fft, 1 rank", opforge_rate(f"{args.directory}/opforge_fft_np1"), 1, fft),
            ("plain PyTorch loop, 1 thread", pytorch_rate(f"{args.directory}/pytorch_t1.log"), 1, fft),
            ("opforge, reference BLAS, 1 rank", opforge_rate(f"{args.directory}/opforge_refblas_np1"), 1, dft),
            ("plain PyTorch loop, reference BLAS", pytorch_rate(f"{args.directory}/pytorch_refblas_t1.log"), 1, fft)]
    pytorch = rows[4][1][0] if rows[4][1] else None
    one_rank = rows[0][1][0] if rows[0][1] else None
    print(f"training FLOPs per sample (s = 64): {dft / 1e6:.0f} M executed by the truncated DFT, "
          f"{fft / 1e6:.0f} M in the FFT formulation; peak {args.peak_gflops} GFLOP/s per core\n")
    print("| run | samples/s | vs 1 rank | vs PyTorch | GFLOP/s | % of peak | allreduce share |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, result, cores, flops in rows:
        if result is None:
            continue
        rate, share = result
        gflops = rate * flops / 1e9
        print(f"| {name} | {rate:.1f} | {rate / one_rank:.2f} | {rate / pytorch:.2f} | {gflops:.1f} | "
              f"{100 * gflops / (cores * args.peak_gflops):.0f}% | "
              f"{'—' if share is None else f'{100 * share:.1f}%'} |")


if __name__ == "__main__":
    main()

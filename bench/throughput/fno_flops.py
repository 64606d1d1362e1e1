#!/usr/bin/python3
"""Analytic floating-point operations of one training sample of a 2-D FNO,
as opforge computes it (spectral_transform: dft) and as the FFT formulation
would count them. Matrix products only (2 per multiply-add, 8 per complex
one); the elementwise work (GELU, adds, Adam: a few percent) is left out.
Training = forward + backward = 3 x forward (a product's backward is two).

    bench/throughput/fno_flops.py --s 64 [--modes 12 --width 32 --layers 4 --padding 9 --projection 128]
"""
import argparse
import math


def forward_flops(s, modes, width, layers, padding, projection, channels_in=1, channels_out=1, fft=False):
    n, m, w = s + padding, modes, width
    flops = {"lift": s * s * 2 * (channels_in + 2) * w,
             "skip (pointwise W)": layers * n * n * 2 * w * w,
             "mixing (complex weights)": layers * (2 * m * m) * 8 * w * w,
             "projection": s * s * 2 * (w * projection + projection * channels_out)}
    if fft:
        # rFFT2 and its inverse per channel: 2.5 N log2 N real flops each, N = n^2.
        flops["transforms (FFT count)"] = layers * w * 2 * 2.5 * n * n * math.log2(n * n)
    else:
        # last axis: real [n, 2m] products; first axis: complex [2m, n] x [n, m]; and back.
        last_axis = 2 * n * (n * 2 * m)
        first_axis = 8 * (2 * m) * n * m
        flops["transforms (truncated DFT)"] = layers * w * 2 * (last_axis + first_axis)
    return flops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--s", type=int, default=64)
    parser.add_argument("--modes", type=int, default=12)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--padding", type=int, default=9)
    parser.add_argument("--projection", type=int, default=128)
    args = parser.parse_args()
    shape = (args.s, args.modes, args.width, args.layers, args.padding, args.projection)
    for label, fft in (("opforge (dft)", False), ("FFT formulation", True)):
        parts = forward_flops(*shape, fft=fft)
        total = sum(parts.values())
        print(f"{label}: forward {total / 1e6:.1f} MFLOP per sample, training {3 * total / 1e6:.1f} MFLOP")
        for name, value in parts.items():
            print(f"  {name:28s} {value / 1e6:8.1f} MFLOP ({100 * value / total:4.1f}%)")


if __name__ == "__main__":
    main()

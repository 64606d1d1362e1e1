#!/usr/bin/python3
"""The FNO repository's ns_2d.py algorithm in plain PyTorch (CPU), written from
its description (../shared/reference/benchmarks-datasets.md): pseudo-spectral
vorticity form, 2/3 dealiasing, explicit Euler advection and forcing,
Crank-Nicolson diffusion, float32 as the reference runs. Prints the seconds
per simulated time unit, the number to compare with `opforge generate
configs/ns2d.yaml` (docs/benchmarks.md).

    OMP_NUM_THREADS=1 bench/ns2d/reference_ns2d.py [--s 256] [--dt 1e-4] [--steps 2000] [--dtype float32]
"""
import argparse
import math
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--s", type=int, default=256)
    parser.add_argument("--dt", type=float, default=1e-4)
    parser.add_argument("--nu", type=float, default=1e-3)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = parser.parse_args()
    torch.set_num_threads(1)
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    s, k_max = args.s, args.s // 2
    ks = torch.cat((torch.arange(0, k_max), torch.arange(-k_max, 0))).to(dtype)
    k_y = ks.repeat(s, 1)
    k_x = k_y.transpose(0, 1)
    k_x, k_y = k_x[:, : k_max + 1], k_y[:, : k_max + 1]
    lap = 4 * math.pi ** 2 * (k_x ** 2 + k_y ** 2)
    lap[0, 0] = 1.0
    dealias = ((k_y.abs() <= 2.0 / 3.0 * k_max) & (k_x.abs() <= 2.0 / 3.0 * k_max)).to(dtype)
    x = torch.linspace(0, 1, s + 1, dtype=dtype)[:-1]
    X, Y = torch.meshgrid(x, x, indexing="ij")
    f_h = torch.fft.rfft2(0.1 * (torch.sin(2 * math.pi * (X + Y)) + torch.cos(2 * math.pi * (X + Y))))
    w_h = torch.fft.rfft2(torch.randn(s, s, dtype=dtype))
    dt, nu = args.dt, args.nu
    start = time.perf_counter()
    for _ in range(args.steps):
        psi_h = w_h / lap
        q = torch.fft.irfft2(2 * math.pi * k_y * 1j * psi_h, s=(s, s))
        v = torch.fft.irfft2(-2 * math.pi * k_x * 1j * psi_h, s=(s, s))
        w_x = torch.fft.irfft2(2 * math.pi * k_x * 1j * w_h, s=(s, s))
        w_y = torch.fft.irfft2(2 * math.pi * k_y * 1j * w_h, s=(s, s))
        F_h = torch.fft.rfft2(q * w_x + v * w_y) * dealias
        w_h = (-dt * F_h + dt * f_h + (1.0 - 0.5 * dt * nu * lap) * w_h) / (1.0 + 0.5 * dt * nu * lap)
    seconds = time.perf_counter() - start
    per_step = seconds / args.steps
    print(f"reference ns2d ({args.dtype}, s = {s}): {1e3 * per_step:.3f} ms per step, "
          f"{per_step / dt:.2f} s per simulated time unit at dt = {dt}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""ns2d_numpy.py DATASET NU DT FRAME_INTERVAL FORCING TOLERANCE

An independent implementation of the ns2d scheme (vorticity form, periodic
unit square, 2/3 dealiasing, explicit Euler advection and forcing,
Crank-Nicolson diffusion; docs/generation.md) in NumPy, written from the
equations rather than from opforge's code. It starts from each sample's
stored initial vorticity (a float64 dataset stored at the simulation
resolution) and must reproduce every stored frame."""
import sys

import h5py
import numpy as np

path, nu, dt, interval, amplitude, tolerance = sys.argv[1], *map(float, sys.argv[2:7])
with h5py.File(path, "r") as f:
    inputs = f["input"][:, 0]
    outputs = f["output"][:, :, 0]
samples, frames, s, _ = outputs.shape

k = np.fft.fftfreq(s, d=1.0 / s)
kx, ky = np.meshgrid(2 * np.pi * k, 2 * np.pi * np.fft.rfftfreq(s, d=1.0 / s), indexing="ij")
laplacian = kx ** 2 + ky ** 2
inverse_laplacian = np.where(laplacian > 0, 1.0 / np.where(laplacian > 0, laplacian, 1.0), 1.0)
cut = 2.0 / 3.0 * (s // 2)
dealias = (np.abs(np.fft.fftfreq(s, d=1.0 / s))[:, None] <= cut) & (np.fft.rfftfreq(s, d=1.0 / s)[None, :] <= cut)
x = np.arange(s) / s
forcing = amplitude * (np.sin(2 * np.pi * (x[:, None] + x[None, :])) + np.cos(2 * np.pi * (x[:, None] + x[None, :])))
forcing_hat = np.fft.rfft2(forcing)

steps_per_frame = int(np.ceil(interval / dt - 1e-9))
worst = 0.0
for i in range(samples):
    w_hat = np.fft.rfft2(inputs[i])
    for frame in range(frames):
        for n in range(steps_per_frame):
            h = dt if n + 1 < steps_per_frame else (frame + 1) * interval - (frame * interval + n * dt)
            psi_hat = w_hat * inverse_laplacian
            u = np.fft.irfft2(1j * ky * psi_hat, s=(s, s))
            v = np.fft.irfft2(-1j * kx * psi_hat, s=(s, s))
            wx = np.fft.irfft2(1j * kx * w_hat, s=(s, s))
            wy = np.fft.irfft2(1j * ky * w_hat, s=(s, s))
            nonlinear_hat = np.fft.rfft2(u * wx + v * wy) * dealias
            a = 0.5 * h * nu * laplacian
            w_hat = (h * (forcing_hat - nonlinear_hat) + (1 - a) * w_hat) / (1 + a)
        w = np.fft.irfft2(w_hat, s=(s, s))
        stored = outputs[i, frame]
        worst = max(worst, np.linalg.norm(w - stored) / np.linalg.norm(stored))
print(f"numpy ns2d: {samples} trajectories x {frames} frames on {s}^2, largest relative difference {worst:.3g}")
sys.exit(0 if worst <= tolerance else 1)

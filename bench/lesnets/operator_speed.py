#!/usr/bin/env python3
"""Roll-out speed of a trained space-time FNO (LESnets) outside opforge.

The paper times its operators on a GPU against a CPU LES. opforge trains and
evaluates on the CPU (LibTorch, no CUDA), so this script rebuilds the same
FNO in plain PyTorch from the weights `opforge train` writes (RUN/model.pt,
a TorchScript archive), prints the roll-out's error against the reference
LES (to compare with `opforge evaluate --rollout` on the same sample), and
times the autoregressive roll-out on any device PyTorch sees:

  /usr/bin/python3 bench/lesnets/operator_speed.py runs/lesnets_fno_cpu/model.pt \
      --data data/les3d_dhit32.h5 --sample 100 --calls 5 --device cpu \
      [--batch 1,16]

The architecture mirrors src/opforge/train/models/fno.cpp: coordinates in [0, 1]
appended to the input, pointwise lift, zero padding at the end of each axis,
Fourier layers (rFFT, low and high modes on the first axes, low on the last;
weights of corner c hold the high modes of axis a when bit a of c is set)
plus a pointwise skip, GELU between layers, a two-layer pointwise projection
and the input added back (input_skip); with --latent-grid, the layers run
on that grid between Fourier restriction and interpolation. It prints seconds per trajectory of
CALLS x K frames and the relative L2 of the first call against the dataset.
"""
import argparse
import math
import time

import h5py
import torch
import torch.nn.functional as F


def pointwise(x, weight, bias):
    return torch.einsum("oi,bi...->bo...", weight, x) + bias.view(1, -1, *([1] * (x.dim() - 2)))


def resampling_matrix(n, m, dtype, device):
    """Trigonometric interpolation of n periodic samples at m points, |k| <= (min(n, m) - 1) // 2."""
    phase = 2 * math.pi * (torch.arange(m, dtype=torch.float64)[:, None] / m -
                           torch.arange(n, dtype=torch.float64)[None, :] / n)
    matrix = torch.ones(m, n, dtype=torch.float64)
    for k in range(1, (min(n, m) - 1) // 2 + 1):
        matrix += 2 * torch.cos(k * phase)
    return (matrix / n).to(dtype=dtype, device=device)


def resample(x, sizes):
    """[B, C, n_1..n_d] with axis a resampled to sizes[a] points (0: unchanged)."""
    for a, size in enumerate(sizes):
        n = x.shape[2 + a]
        if size and size != n:
            x = torch.movedim(torch.tensordot(x, resampling_matrix(n, size, x.dtype, x.device), dims=([2 + a], [1])),
                              -1, 2 + a)
    return x


def spectral_weights(w, layer, dims):
    """Join the 2^(d-1) corner tensors into [in, out, 2m_1, ..., 2m_{d-1}, m_d]."""

    def join(axis, corner):
        if axis + 1 >= dims:
            return torch.view_as_complex(w[f"spectral{layer}.weights{corner + 1}"].contiguous())
        return torch.cat([join(axis + 1, corner), join(axis + 1, corner | (1 << axis))], 2 + axis)

    return join(0, 0)


class SpaceTimeFno(torch.nn.Module):
    def __init__(self, weights, padding, latent_grid=()):
        super().__init__()
        self.latent_grid = list(latent_grid)
        self.w = {k: v.detach().clone() for k, v in weights.items()}
        self.layers = sum(1 for k in self.w if k.startswith("spectral") and k.endswith(".weights1"))
        self.dims = self.w["spectral0.weights1"].dim() - 3
        self.modes = list(self.w["spectral0.weights1"].shape[2:-1])
        self.padding = padding
        self.spectral = [spectral_weights(self.w, l, self.dims) for l in range(self.layers)]

    def to(self, device):
        self.w = {k: v.to(device) for k, v in self.w.items()}
        self.spectral = [s.to(device) for s in self.spectral]
        return self

    def fourier(self, x, layer):
        d, m = self.dims, self.modes
        axes = list(range(-d, 0))
        sizes = list(x.shape[-d:])
        x_ft = torch.fft.rfftn(x, dim=axes)
        # Keep low and high modes on the first d-1 axes, low ones on the last.
        index = [slice(None), slice(None)]
        kept = x_ft
        for a in range(d - 1):
            axis = 2 + a
            kept = torch.cat([kept.narrow(axis, 0, m[a]), kept.narrow(axis, kept.shape[axis] - m[a], m[a])], axis)
        kept = kept[tuple(index + [slice(None)] * (d - 1) + [slice(0, m[-1])])]
        mixed = torch.einsum("bi...,io...->bo...", kept, self.spectral[layer])
        full = torch.zeros(x.shape[0], mixed.shape[1], *sizes[:-1], sizes[-1] // 2 + 1, dtype=mixed.dtype,
                           device=x.device)
        # Write the corners back: low/high halves per axis.
        for corner in range(1 << (d - 1)):
            src = [slice(None), slice(None)]
            dst = [slice(None), slice(None)]
            for a in range(d - 1):
                high = (corner >> a) & 1
                src.append(slice(m[a], 2 * m[a]) if high else slice(0, m[a]))
                dst.append(slice(sizes[a] - m[a], sizes[a]) if high else slice(0, m[a]))
            src.append(slice(0, m[-1]))
            dst.append(slice(0, m[-1]))
            full[tuple(dst)] = mixed[tuple(src)]
        return torch.fft.irfftn(full, s=sizes, dim=axes)

    def forward(self, x):
        d = self.dims
        data_grid, x0 = list(x.shape[2:]), x
        x = resample(x, self.latent_grid)
        coords = torch.meshgrid(*[torch.linspace(0.0, 1.0, n, device=x.device, dtype=x.dtype) for n in x.shape[2:]],
                                indexing="ij")
        grid = torch.stack(coords).unsqueeze(0).expand(x.shape[0], d, *x.shape[2:])
        h = pointwise(torch.cat([x, grid], 1), self.w["lift.weight"], self.w["lift.bias"])
        pad = []
        for p in reversed(self.padding):
            pad += [0, p]
        h = F.pad(h, pad)
        for l in range(self.layers):
            h = self.fourier(h, l) + pointwise(h, self.w[f"skip{l}.weight"], self.w[f"skip{l}.bias"])
            if l + 1 < self.layers:
                h = F.gelu(h)
        h = h[(slice(None), slice(None)) + tuple(slice(0, n - p) for n, p in zip(h.shape[2:], self.padding))]
        y = pointwise(F.gelu(pointwise(h, self.w["project1.weight"], self.w["project1.bias"])),
                      self.w["project2.weight"], self.w["project2.bias"])
        return resample(y, data_grid) + x0


def rollout(model, initial, calls, frames):
    """initial [B, 3, n, n, n] -> [B, 3, n, n, n, calls * frames]."""
    state, out = initial, []
    for _ in range(calls):
        y = model(state.unsqueeze(-1).expand(*state.shape, frames).contiguous())
        out.append(y)
        state = y[..., -1]
    return torch.cat(out, -1)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights")
    parser.add_argument("--data", default="data/les3d_dhit32.h5")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--padding", default="0,0,0,2")
    parser.add_argument("--latent-grid", default="", help="model.latent_grid, e.g. 21,21,21,0 (default: none)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", default="1")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    device = torch.device(args.device)
    weights = dict(torch.jit.load(args.weights, map_location="cpu").named_parameters())
    latent_grid = [int(n) for n in args.latent_grid.split(",")] if args.latent_grid else []
    model = SpaceTimeFno(weights, [int(p) for p in args.padding.split(",")], latent_grid).to(device)
    horizon = args.calls * args.frames
    with h5py.File(args.data, "r") as f:
        initial = torch.from_numpy(f["input"][args.sample]).unsqueeze(0)
        reference = torch.from_numpy(f["output"][args.sample, :horizon]).movedim(0, -1).unsqueeze(0)

    with torch.no_grad():
        # Relative L2 per frame, as `opforge evaluate --rollout` reports it.
        predicted = rollout(model, initial.to(device), args.calls, args.frames).cpu()
        per_frame = [((predicted[..., k] - reference[..., k]).norm() / reference[..., k].norm()).item()
                     for k in range(horizon)]
        print(f"sample {args.sample}: rel-L2 {sum(per_frame[:args.frames]) / args.frames:.7f} over the first call, "
              f"{per_frame[-1]:.7f} at frame {horizon}")

        for batch in [int(b) for b in args.batch.split(",")]:
            states = initial.expand(batch, *initial.shape[1:]).contiguous().to(device)
            rollout(model, states, args.calls, args.frames)  # warm-up (cuFFT plans, allocator)
            synchronize(device)
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                rollout(model, states, args.calls, args.frames)
                synchronize(device)
                times.append(time.perf_counter() - start)
            best, median = min(times), sorted(times)[len(times) // 2]
            print(f"device {device} ({torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}), "
                  f"batch {batch}: {args.calls} calls x {args.frames} frames in {median:.4f} s median "
                  f"({best:.4f} best) = {median / batch:.5f} s per trajectory, torch {torch.__version__}, "
                  f"threads {torch.get_num_threads()}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The FNO of opforge (docs/models.md) as an ordinary PyTorch training loop,
to compare training throughput with `opforge train` on the same data:

    OMP_NUM_THREADS=1 bench/pytorch_fno_reference.py DATA.h5 --train 200 --epochs 3 --batch 20

Same shapes (modes 12, width 32, 4 layers, padding 9, projection 128),
per-channel normalisation, relative L2 on decoded outputs, Adam; samples are
held in memory as opforge's cache does. Prints samples/s per epoch.
"""
import argparse
import time

import h5py
import torch
import torch.nn.functional as F


class SpectralConv2d(torch.nn.Module):
    def __init__(self, width, m1, m2):
        super().__init__()
        scale = 1.0 / (width * width)
        self.m1, self.m2 = m1, m2
        self.weights1 = torch.nn.Parameter(scale * torch.rand(width, width, m1, m2, 2))
        self.weights2 = torch.nn.Parameter(scale * torch.rand(width, width, m1, m2, 2))

    def forward(self, x):
        x_ft = torch.fft.rfftn(x, dim=(-2, -1))
        out = torch.zeros(x.shape[0], self.weights1.shape[1], x_ft.shape[-2], x_ft.shape[-1],
                          dtype=x_ft.dtype)
        w1, w2 = torch.view_as_complex(self.weights1), torch.view_as_complex(self.weights2)
        out[:, :, :self.m1, :self.m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :self.m1, :self.m2], w1)
        out[:, :, -self.m1:, :self.m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -self.m1:, :self.m2], w2)
        return torch.fft.irfftn(out, s=x.shape[-2:], dim=(-2, -1))


class FNO2d(torch.nn.Module):
    def __init__(self, cin=1, width=32, modes=12, padding=9, projection=128):
        super().__init__()
        self.padding = padding
        self.lift = torch.nn.Linear(cin + 2, width)
        self.spectral = torch.nn.ModuleList([SpectralConv2d(width, modes, modes) for _ in range(4)])
        self.skip = torch.nn.ModuleList([torch.nn.Linear(width, width) for _ in range(4)])
        self.project1 = torch.nn.Linear(width, projection)
        self.project2 = torch.nn.Linear(projection, 1)

    def forward(self, x):
        b, _, sx, sy = x.shape
        gx = torch.linspace(0, 1, sx).view(1, 1, sx, 1).expand(b, 1, sx, sy)
        gy = torch.linspace(0, 1, sy).view(1, 1, 1, sy).expand(b, 1, sx, sy)
        x = self.lift(torch.cat([x, gx, gy], 1).movedim(1, -1)).movedim(-1, 1)
        x = F.pad(x, [0, self.padding, 0, self.padding])
        for layer, (k, w) in enumerate(zip(self.spectral, self.skip)):
            x = k(x) + w(x.movedim(1, -1)).movedim(-1, 1)
            if layer < 3:
                x = F.gelu(x)
        x = x[..., :-self.padding, :-self.padding]
        return self.project2(F.gelu(self.project1(x.movedim(1, -1)))).movedim(-1, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--train", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(0)
    with h5py.File(args.data, "r") as f:
        x = torch.from_numpy(f["input"][: args.train])
        y = torch.from_numpy(f["output"][: args.train])
    mx, sx = x.mean((0, 2, 3), keepdim=True), x.std((0, 2, 3), keepdim=True) + 1e-5
    my, sy = y.mean((0, 2, 3), keepdim=True), y.std((0, 2, 3), keepdim=True) + 1e-5
    model = FNO2d()
    print(f"threads {torch.get_num_threads()}, parameters {sum(p.numel() for p in model.parameters())}")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    for epoch in range(args.epochs):
        start = time.perf_counter()
        permutation = torch.randperm(args.train)
        for b in range(0, args.train, args.batch):
            idx = permutation[b:b + args.batch]
            prediction = model((x[idx] - mx) / sx) * sy + my
            errors = (prediction - y[idx]).flatten(1).norm(dim=1) / y[idx].flatten(1).norm(dim=1)
            optimizer.zero_grad()
            (errors.sum() / len(idx)).backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        print(f"epoch {epoch + 1}: {args.train / seconds:.1f} samples/s")


if __name__ == "__main__":
    main()

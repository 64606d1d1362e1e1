#!/usr/bin/python3
"""The FNO of opforge (docs/models.md) as an ordinary PyTorch training loop
(the reference code's formulation: rfft2, complex einsum, irfft2 and
channels-last nn.Linear), to compare with `opforge train` on the same data:

    # throughput (bench/throughput/run.sh)
    OMP_NUM_THREADS=1 bench/pytorch_fno_reference.py DATA.h5 --train 200 --epochs 3 --batch 20
    # accuracy, the CPU tier of configs/fno_darcy_cpu.yaml
    OMP_NUM_THREADS=1 bench/pytorch_fno_reference.py data/darcy_r421.h5 --train 1000 --test 1000 1100 \
        --stride 10 --epochs 60 --step-size 100 --metrics runs/pytorch_fno_darcy_cpu.csv
    # FNO-2D on trajectories (configs/fno2d_ns2d_cpu.yaml): 10 frames in,
    # 10 rolled out, roll-out loss, width 20, no padding, no normalisation
    OMP_NUM_THREADS=1 bench/pytorch_fno_reference.py data/ns2d_cpu_t20.h5 --time 10 10 --train 200 \
        --test 220 240 --width 20 --padding 0 --no-normalize --epochs 10

Same shapes (modes 12, width 32, 4 layers, padding 9, projection 128),
per-channel normalisation over the training set, relative L2 on decoded
outputs, Adam 1e-3 with weight decay 1e-4 and lr x0.5 every --step-size
epochs; samples are held in memory as opforge's cache does. Prints samples/s
per epoch and, with --test, the test relative L2 (mean, median, max).

LibTorch 1.13 (Debian's python3-torch) returns garbage from the float32 GELU
backward when the incoming gradient is strided differently from the input
(pytorch/pytorch#112006): here the skip branch's channels-last gradient. All
parameters below the last GELU then get wrong gradients (relative error
1e7-1e12 against float64) and the loop learns very slowly. `gelu` below
makes that gradient contiguous; the script checks its float32 gradients
against float64 before training and stops if they disagree.
"""
import argparse
import time

import h5py
import torch
import torch.nn.functional as F


def gelu(x):
    y = F.gelu(x)
    if y.requires_grad:
        y.register_hook(lambda grad: grad.contiguous())  # see the module docstring
    return y


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
    def __init__(self, cin=1, width=32, modes=12, padding=9, projection=128, cout=1):
        super().__init__()
        self.padding = padding
        self.lift = torch.nn.Linear(cin + 2, width)
        self.spectral = torch.nn.ModuleList([SpectralConv2d(width, modes, modes) for _ in range(4)])
        self.skip = torch.nn.ModuleList([torch.nn.Linear(width, width) for _ in range(4)])
        self.project1 = torch.nn.Linear(width, projection)
        self.project2 = torch.nn.Linear(projection, cout)

    def forward(self, x):
        b, _, sx, sy = x.shape
        gx = torch.linspace(0, 1, sx).view(1, 1, sx, 1).expand(b, 1, sx, sy)
        gy = torch.linspace(0, 1, sy).view(1, 1, 1, sy).expand(b, 1, sx, sy)
        x = self.lift(torch.cat([x, gx, gy], 1).movedim(1, -1)).movedim(-1, 1)
        x = F.pad(x, [0, self.padding, 0, self.padding])
        for layer, (k, w) in enumerate(zip(self.spectral, self.skip)):
            x = k(x) + w(x.movedim(1, -1)).movedim(-1, 1)
            if layer < 3:
                x = gelu(x)
        x = x[..., :sx, :sy]
        return self.project2(gelu(self.project1(x.movedim(1, -1)))).movedim(-1, 1)


def relative_l2(prediction, truth):
    return (prediction - truth).flatten(1).norm(dim=1) / truth.flatten(1).norm(dim=1)


def rollout(model, window, steps, channels):
    """fourier_2d_time.py's roll-out: each prediction replaces the oldest of
    the frames in the window; [B, C, s, s, steps]."""
    frames = []
    for _ in range(steps):
        frames.append(model(window))
        window = torch.cat([window[:, channels:], frames[-1]], 1)
    return torch.stack(frames, -1)


def check_gradients(make_model, cin, size):
    """float32 parameter gradients of a fresh model agree with float64 ones."""
    model32 = make_model()
    model64 = make_model().double()
    model64.load_state_dict({k: v.double() for k, v in model32.state_dict().items()})
    x, y = torch.randn(2, cin, size, size), torch.randn(2, model32.project2.out_features, size, size)
    relative_l2(model32(x), y).mean().backward()
    relative_l2(model64(x.double()), y.double()).mean().backward()
    worst = max(((p32.grad.double() - p64.grad).norm() / p64.grad.norm()).item()
                for p32, p64 in zip(model32.parameters(), model64.parameters()))
    if worst > 1e-3:
        raise SystemExit(f"float32 gradients disagree with float64 (worst relative error {worst:.1e})")
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--train", type=int, default=200, help="samples [0, TRAIN) train")
    parser.add_argument("--test", type=int, nargs=2, metavar=("BEGIN", "END"), help="test samples [BEGIN, END)")
    parser.add_argument("--stride", type=int, default=1, help="sub-sampling of the grid")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--step-size", type=int, default=100, help="lr x0.5 every this many epochs")
    parser.add_argument("--metrics", help="CSV of epoch, train loss, test rel-L2, seconds")
    parser.add_argument("--time", type=int, nargs=2, metavar=("T_IN", "T"),
                        help="trajectories: T_IN stored frames in, T rolled out, trained with the roll-out loss")
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--padding", type=int, default=9)
    parser.add_argument("--no-normalize", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    sub = (slice(None), slice(None, None, args.stride), slice(None, None, args.stride))

    def read(f, samples):
        if not args.time:
            return (torch.from_numpy(f["input"][(samples,) + sub]), torch.from_numpy(f["output"][(samples,) + sub]))
        t_in, t = args.time
        frames = torch.from_numpy(f["output"][samples, :t_in + t])  # [N, T, C, s, s]
        return frames[:, :t_in].flatten(1, 2), frames[:, t_in:].movedim(1, -1)  # [N, T_in C, s, s], [N, C, s, s, T]

    with h5py.File(args.data, "r") as f:
        x, y = read(f, slice(0, args.train))
        if args.test:
            test_x, test_y = read(f, slice(*args.test))
    channels = y.shape[1]
    if args.no_normalize:
        mx, sx, my, sy = 0.0, 1.0, 0.0, 1.0
    else:
        mx, sx = x.mean((0, 2, 3), keepdim=True), x.std((0, 2, 3), keepdim=True) + 1e-5
        my, sy = y.mean((0, 2, 3), keepdim=True), y.std((0, 2, 3), keepdim=True) + 1e-5

    def make_model():
        return FNO2d(x.shape[1], width=args.width, padding=args.padding, cout=channels)

    def predict(model, inputs):
        call = (lambda window: model((window - mx) / sx) * sy + my)
        return rollout(call, inputs, args.time[1], channels) if args.time else call(inputs)

    def loss_of(prediction, truth):  # per sample; the roll-out loss sums the frames' errors
        if not args.time:
            return relative_l2(prediction, truth)
        return sum(relative_l2(prediction[..., k], truth[..., k]) for k in range(truth.shape[-1]))

    worst = check_gradients(make_model, x.shape[1], x.shape[-1])
    torch.manual_seed(0)
    model = make_model()
    print(f"float32 gradients checked against float64 (worst relative error {worst:.1e})")
    print(f"threads {torch.get_num_threads()}, parameters {sum(p.numel() for p in model.parameters())}, "
          f"grid {x.shape[-2]}x{x.shape[-1]}")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=0.5)
    metrics = open(args.metrics, "w") if args.metrics else None
    if metrics:
        metrics.write("epoch,train_loss,test_rel_l2,seconds\n")
    for epoch in range(args.epochs):
        start = time.perf_counter()
        permutation = torch.randperm(args.train)
        train_loss = 0.0
        for b in range(0, args.train, args.batch):
            idx = permutation[b:b + args.batch]
            loss = loss_of(predict(model, x[idx]), y[idx]).sum() / len(idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * len(idx)
        schedule.step()
        seconds = time.perf_counter() - start
        line = f"epoch {epoch + 1}: train {train_loss / args.train:.6f}, {args.train / seconds:.1f} samples/s"
        test_l2 = float("nan")
        if args.test:
            with torch.no_grad():
                errors = torch.cat([relative_l2(predict(model, test_x[i:i + args.batch]), test_y[i:i + args.batch])
                                    for i in range(0, len(test_x), args.batch)])
            test_l2 = errors.mean().item()
            line += f", test rel-L2 {test_l2:.6f} (median {errors.median().item():.6f}, max {errors.max().item():.6f})"
        print(line, flush=True)
        if metrics:
            metrics.write(f"{epoch + 1},{train_loss / args.train:.6f},{test_l2:.6f},{seconds:.3f}\n")
            metrics.flush()


if __name__ == "__main__":
    main()

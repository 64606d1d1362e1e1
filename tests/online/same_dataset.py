#!/usr/bin/python3
"""Checks with h5py alone that the dataset an online run streamed and wrote
equals the one `opforge generate` makes offline from the same generate
section: same provenance (pde, seed), inputs bitwise, outputs to the solver's
tolerance; and that the trainer's metrics.csv carries the stream columns.

The metrics must also show the buffer bounded: never more than CAPACITY
samples per trainer rank, and every sample that left it counted.

With LEARNS, the test error must also fall from the first epoch to the last
(not asked of the fault tests: a resume after epoch 1 of 3 may end a little
above epoch 1's error; CI saw 0.0455 -> 0.0508).

usage: same_dataset.py STREAMED.h5 OFFLINE.h5 METRICS.csv RTOL CAPACITY TRAINERS [LEARNS]
       same_dataset.py --extract-config STREAMED.h5 OUT.yaml
"""
import csv
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


if sys.argv[1] == "--extract-config":
    with h5py.File(sys.argv[2], "r") as f:
        open(sys.argv[3], "w").write(text(f["provenance/config_yaml"][()]))
    sys.exit(0)

streamed, offline, metrics, rtol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
capacity, trainers = int(sys.argv[5]), int(sys.argv[6])
learns = sys.argv[7:] == ["LEARNS"]
with h5py.File(streamed, "r") as s, h5py.File(offline, "r") as o:
    for f in (s, o):
        assert int(f.attrs["complete"]) == 1, f.filename
    for key in ("pde_type", "pde", "seed"):
        assert text(s.attrs[key]) == text(o.attrs[key]), (key, s.attrs[key], o.attrs[key])
    xs, xo = s["input"][:], o["input"][:]
    assert xs.shape == xo.shape, (xs.shape, xo.shape)
    assert np.array_equal(xs, xo), "inputs differ"
    ys, yo = s["output"][:], o["output"][:]
    worst = max(np.linalg.norm(ys[i] - yo[i]) / np.linalg.norm(yo[i]) for i in range(len(yo)))
    assert worst <= rtol, f"outputs differ by {worst:.3g} > {rtol}"
    n = xs.shape[0]

with open(metrics) as m:
    rows = list(csv.DictReader(m))
for column in ("samples_generated", "unique_trained", "buffer_fill", "evicted_unused", "mean_reuse",
               "generator_idle_seconds", "trainer_idle_seconds"):
    assert column in rows[-1], column
last = rows[-1]
assert 0 < float(last["unique_trained"]) <= float(last["samples_received"]) <= n, last
for row in rows:
    received, held = float(row["samples_received"]), float(row["buffer_fill"])
    assert held <= min(received, capacity * trainers), row  # bounded
    assert float(row["evicted_unused"]) <= received - held, row  # what left was counted, no more
first_error, last_error = float(rows[0]["test_rel_l2"]), float(last["test_rel_l2"])
if learns:
    assert last_error < min(0.7, first_error), (first_error, last_error)
print(f"streamed dataset equals offline: {n} samples, inputs bitwise, outputs within {worst:.2g}; "
      f"trained on {int(float(last['unique_trained']))} unique samples, test rel-L2 {first_error:.3f} -> {last_error:.3f}")

#!/usr/bin/python3
"""Reads the fixture dataset with h5py alone (no opforge code) and checks it
against the same formulas the C++ writer used (tests/io/sample_data.cpp)."""
import sys
import zlib

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    assert f.attrs["format"] == b"opforge-dataset" or f.attrs["format"] == "opforge-dataset", f.attrs["format"]
    assert int(f.attrs["complete"]) == 1
    x, y = f["input"], f["output"]
    n = x.shape[0]
    assert x.shape == (6, 2, 8, 5) and y.shape == (6, 1, 8, 5), (x.shape, y.shape)
    assert x.dtype == np.float32
    assert f["input"].attrs["axes"] in (b"N,C,x,y", "N,C,x,y")
    np.testing.assert_allclose(f["grid/x"][:], np.linspace(0, 1, 8))
    k_in = np.arange(2 * 8 * 5)
    k_out = np.arange(8 * 5)
    for i in range(n):
        want_in = (1000.0 * i + np.sin(0.1 * k_in + 1.0)).astype(np.float32).reshape(2, 8, 5)
        want_out = (-i + np.cos(0.05 * k_out) / 3.0).astype(np.float32).reshape(1, 8, 5)
        assert np.array_equal(x[i], want_in), i
        assert np.array_equal(y[i], want_out), i
        assert zlib.crc32(x[i].tobytes()) == int(f["checksum/input"][i])
        assert zlib.crc32(y[i].tobytes()) == int(f["checksum/output"][i])
    assert list(f["meta/seed"][:]) == [9000000000 + i for i in range(n)]
    assert list(f["meta/iterations"][:]) == [10 + i for i in range(n)]
    assert f["written"][:].all()
    config = f["provenance/config_yaml"][()]
    config = config.decode() if isinstance(config, bytes) else config
    assert "type: fixture" in config
print(f"h5py: {n} samples verified")

#!/usr/bin/python3
"""Checks a dataset's XDMF sidecar against the HDF5 file with h5py alone:
every hyperslab it declares must lie inside the dataset it names, have the
size of the mesh, and select exactly sample i, channel c of /input or
/output; the geometry must reference the /grid axes, fastest first."""
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

dataset = sys.argv[1]
sidecar = os.path.splitext(dataset)[0] + ".xdmf"
root = ET.parse(sidecar).getroot()
base = os.path.dirname(sidecar)
f = h5py.File(dataset, "r")
ints = lambda text: [int(v) for v in text.split()]

collection = root.find("Domain/Grid")
assert collection.get("CollectionType") == "Temporal"
grids = collection.findall("Grid")
assert len(grids) == f["input"].shape[0], (len(grids), f["input"].shape)
channels = {"input": f["input"].attrs["channels"], "output": f["output"].attrs["channels"]}
channels = {k: (v.decode() if isinstance(v, bytes) else v).split(",") for k, v in channels.items()}
checked = 0
for i, grid in enumerate(grids):
    assert float(grid.find("Time").get("Value")) == i
    mesh = ints(grid.find("Topology").get("Dimensions"))
    axes = [item.text.split(":")[1] for item in grid.find("Geometry").findall("DataItem") if item.get("Format") == "HDF"]
    spatial = [a for a in ("/grid/x", "/grid/y", "/grid/z") if a[1:] in f]
    assert axes == spatial[::-1], (axes, spatial)
    for axis, n in zip(axes, mesh[::-1]):
        assert f[axis].shape[0] == n, (axis, n)
    for attribute in grid.findall("Attribute"):
        kind, channel = attribute.get("Name").split(" ", 1)
        slab = attribute.find("DataItem")
        selection, source = slab.findall("DataItem")
        start, stride, count = np.array(ints(selection.text)).reshape(3, -1)
        file_name, path = source.text.split(":")
        assert os.path.exists(os.path.join(base, file_name)), file_name
        data = f[path]
        assert list(data.shape) == ints(source.get("Dimensions")), (data.shape, source.get("Dimensions"))
        assert all(start + count <= np.array(data.shape)), (start, count, data.shape)
        assert int(np.prod(count)) == int(np.prod(mesh)) == int(np.prod(ints(slab.get("Dimensions"))))
        values = data[tuple(slice(s, s + c) for s, c in zip(start, count))]
        c = channels[kind].index(channel)
        expected = data[i, c] if data.ndim - 2 == len(spatial) else data[i, -1, c]
        assert np.array_equal(values.reshape(expected.shape), expected), (i, kind, channel)
        checked += 1
print(f"xdmf: {len(grids)} samples, {checked} fields verified")

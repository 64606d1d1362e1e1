#!/usr/bin/env python3
"""An independent check of helmholtz_dehoop: for every sample of a dataset,
assemble the bilinear (Q1) finite-element system of de Hoop et al.'s
Helmholtz problem from the stored wave speed c with SciPy (element matrices
by 3 x 3 Gauss points, k^2 = (omega/c)^2 bilinear between the nodes, the top
flux linear between the nodes), solve it with SuperLU, and compare with the
stored solution.

    q1_helmholtz_scipy.py DATASET.h5 OMEGA HALF_WIDTH TOLERANCE
"""
import sys

import h5py
import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as linalg


def element_matrices():
    r = np.sqrt(0.6)
    points, weights = np.array([(1 - r) / 2, 0.5, (1 + r) / 2]), np.array([5, 8, 5]) / 18
    stiffness, mass = np.zeros((4, 4)), np.zeros((4, 4, 4))
    for x, wx in zip(points, weights):
        for y, wy in zip(points, weights):
            n = np.array([(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y])
            grad = np.array([[-(1 - y), 1 - y, -y, y], [-(1 - x), -x, 1 - x, x]])
            stiffness += wx * wy * grad.T @ grad
            mass += wx * wy * np.einsum("c,a,b->cab", n, n, n)
    return stiffness, mass


def solve_q1(c, omega, half_width):
    s = c.shape[0]
    h = 1.0 / (s - 1)
    k2 = (omega / c) ** 2
    stiffness, mass = element_matrices()
    node = lambda i, j: i * s + j  # c[i, j] at (x_i, y_j)
    rows, cols, vals = [], [], []
    offsets = [(0, 0), (1, 0), (0, 1), (1, 1)]
    for i in range(s - 1):
        for j in range(s - 1):
            nodes = [node(i + a, j + b) for a, b in offsets]
            local_k2 = np.array([k2[i + a, j + b] for a, b in offsets])
            element = stiffness - h * h * np.einsum("c,cab->ab", local_k2, mass)
            for a in range(4):
                rows.extend([nodes[a]] * 4)
                cols.extend(nodes)
                vals.extend(element[a])
    matrix = sparse.csc_matrix((vals, (rows, cols)), shape=(s * s, s * s))
    x = np.linspace(0, 1, s)
    g = np.where(np.abs(x - 0.5) <= half_width + 1e-12, 1.0, 0.0)
    rhs = np.zeros(s * s)
    for i in range(s - 1):
        rhs[node(i, s - 1)] += h * (2 * g[i] + g[i + 1]) / 6
        rhs[node(i + 1, s - 1)] += h * (g[i] + 2 * g[i + 1]) / 6
    return linalg.spsolve(matrix, rhs).reshape(s, s)


def main():
    path, omega, half_width, tolerance = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    with h5py.File(path, "r") as f:
        inputs, outputs = f["input"][...], f["output"][...]
    worst = 0.0
    for k in range(inputs.shape[0]):
        c, u = inputs[k, 0], outputs[k, 0]
        assert 19.0 < c.min() and c.max() < 21.0, f"sample {k}: c outside 20 +- 1: [{c.min()}, {c.max()}]"
        reference = solve_q1(c, omega, half_width)
        difference = np.linalg.norm(u - reference) / np.linalg.norm(reference)
        worst = max(worst, difference)
        print(f"sample {k}: c in [{c.min():.3f}, {c.max():.3f}], relative L2 difference {difference:.2e}")
    print(f"scipy q1: {inputs.shape[0]} samples on {inputs.shape[2]}^2, largest relative difference {worst:.2e}")
    if not worst < tolerance:
        sys.exit(f"FAIL: {worst:.2e} >= {tolerance:.0e}")


if __name__ == "__main__":
    main()

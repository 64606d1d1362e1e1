#!/usr/bin/python3
"""Rebuild the SKR tables from bench_skr_table's per-cell log lines (stderr),
e.g. when a long run was stopped before printing its tables:

    python3 bench/skr_log_table.py skr.log > table.md
"""
import re
import sys

LINE = re.compile(r"^(\w+) n=(\d+) tol=([\de.+-]+) (\w+) (GMRES\(40\)|GCRO-DR|SKR): "
                  r"([\d.]+) s, ([\d.]+) its, (\d+) unconverged$")
cells = {}
for line in open(sys.argv[1]):
    m = LINE.match(line.strip())
    if m:
        family, n, tol, pc, solver, seconds, its, bad = m.groups()
        cells.setdefault((family, int(n), float(tol)), {}).setdefault(pc, {})[solver] = (
            float(seconds), float(its), int(bad))

pcs = ["none", "jacobi", "sor", "ilu", "icc"]
print("### SKR over GMRES(40): time speedup / iteration speedup\n")
print("| dataset (n) | tol | " + " | ".join(pcs) + " |")
print("|---|---|" + "---|" * len(pcs))
for (family, n, tol), by_pc in cells.items():
    row = []
    for pc in pcs:
        c = by_pc.get(pc, {})
        if "GMRES(40)" in c and "SKR" in c:
            g, k = c["GMRES(40)"], c["SKR"]
            row.append(f"{g[0] / k[0]:.2f} / {g[1] / k[1]:.1f}")
        else:
            row.append("–")
    print(f"| {family} {n} | {tol:g} | " + " | ".join(row) + " |")
print("\n### Raw: seconds (solve + sort) / mean iterations / unconverged\n")
print("| dataset (n) | tol | pc | GMRES(40) | GCRO-DR unsorted | SKR (greedy + GCRO-DR) |")
print("|---|---|---|---|---|---|")
for (family, n, tol), by_pc in cells.items():
    for pc, c in by_pc.items():
        parts = [f"{c[s][0]:.2f} s / {c[s][1]:.1f} / {c[s][2]}" if s in c else "–"
                 for s in ("GMRES(40)", "GCRO-DR", "SKR")]
        print(f"| {family} {n} | {tol:g} | {pc} | " + " | ".join(parts) + " |")

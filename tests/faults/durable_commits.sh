#!/usr/bin/env bash
# Every file opforge commits by renaming a temporary (dataset, XDMF sidecar,
# checkpoint, model.pt, report.json) must be durable against a node crash,
# not only a killed process: under strace, each rename(2) must follow an
# fsync(2) of the temporary file and be followed by an fsync of the target's
# directory (the order SQLite and HDF5's guidance prescribe).
#   durable_commits.sh OPFORGE DARCY_CONFIG
source "$(dirname "$0")/lib.sh"
opforge=$1 darcy=$2
command -v strace >/dev/null || fail "strace is not installed (scripts/deps.txt)"
rm -rf durable && mkdir durable && cd durable
cat > train.yaml <<'YAML'
data: {path: data.h5, train: [0, 6], test: [6, 8]}
model: {type: fno, modes: [3, 3], width: 4, padding: 2, projection: 8}
training: {epochs: 1, batch_size: 3}
output: {directory: run}
YAML
strace -f -e trace=openat,fsync,fdatasync,rename,renameat,renameat2 -o generate.trace \
  "$opforge" generate "$darcy" num_samples=8 pde.resolution=9 output.path=data.h5 > generate.log 2>&1 ||
  { cat generate.log; fail "generate failed"; }
strace -f -e trace=openat,fsync,fdatasync,rename,renameat,renameat2 -o train.trace \
  "$opforge" train train.yaml > train.log 2>&1 || { cat train.log; fail "train failed"; }
/usr/bin/python3 - generate.trace train.trace <<'PY'
import os, re, sys
committed = []
for trace in sys.argv[1:]:
    fds = {}        # (pid, fd) -> path, as opened
    synced = set()  # (pid, path) synced since it was opened
    pending = []    # (pid, directory, target) renamed, directory not yet synced
    for line in open(trace):
        m = re.match(r'(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)', line)
        if not m or int(m.group(4)) < 0:
            continue
        pid, call, args, result = m.group(1), m.group(2), m.group(3), int(m.group(4))
        if call == "openat":
            path = re.search(r'"([^"]*)"', args).group(1)
            fds[(pid, result)] = path
        elif call in ("fsync", "fdatasync"):
            path = fds.get((pid, int(args)))
            synced.add((pid, path))
            pending = [p for p in pending if not (p[0] == pid and p[1] == path)]
        elif call.startswith("rename"):
            source, target = re.findall(r'"([^"]*)"', args)[:2]
            assert (pid, source) in synced, f"{trace}: rename {source} -> {target} without an fsync of {source} first"
            pending.append((pid, os.path.dirname(target) or ".", target))
            committed.append(target)
    assert not pending, f"{trace}: directory never synced after renaming {[p[2] for p in pending]}"
expected = {"data.h5", "data.xdmf", "run/checkpoint.pt", "run/model.pt", "run/report.json"}
missing = expected - set(committed)
assert not missing, f"not committed by rename: {sorted(missing)}"
print(f"durable: {len(committed)} renames, each after an fsync of the file and before one of its directory")
PY
echo PASS

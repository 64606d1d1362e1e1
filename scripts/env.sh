# Sourced by the scripts: settings for running MPI jobs on a workstation or CI box.
if [[ $(id -u) -eq 0 ]]; then
  # Open MPI refuses to run as root unless told that it is deliberate.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Allow more ranks than cores (CI has 2 cores; tests use up to 3 ranks).
export OMPI_MCA_rmaps_base_oversubscribe=1
# Shared-memory single-copy (CMA: process_vm_readv between ranks) needs ptrace
# rights that containers often lack; Open MPI must then be told to copy twice.
# Large messages need it to move without both ranks inside MPI: without it an
# online trainer waits for a computing generator (docs/online.md). Probed: a
# child reads its parent's memory as one rank reads another's.
if ! /usr/bin/python3 - 2>/dev/null <<'PROBE'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
source, parent = ctypes.create_string_buffer(b"opforge", 8), os.getpid()
child = os.fork()
if child == 0:
    target = ctypes.create_string_buffer(8)
    local = iovec(ctypes.cast(target, ctypes.c_void_p), 8)
    remote = iovec(ctypes.cast(source, ctypes.c_void_p), 8)
    read = libc.process_vm_readv(parent, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    os._exit(0 if read == 8 and target.value == b"opforge" else 1)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
PROBE
then
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
fi
# Parallel file systems (and some containers) do not support HDF5 file locks.
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}

# Sourced by the scripts: settings for running MPI jobs on a workstation or CI box.
if [[ $(id -u) -eq 0 ]]; then
  # Open MPI refuses to run as root unless told that it is deliberate.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Allow more ranks than cores (CI has 2 cores; tests use up to 3 ranks).
export OMPI_MCA_rmaps_base_oversubscribe=1
# Shared-memory single-copy needs ptrace rights that containers often lack.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Parallel file systems (and some containers) do not support HDF5 file locks.
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}

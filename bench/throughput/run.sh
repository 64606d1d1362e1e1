#!/usr/bin/env bash
# FNO training throughput (docs/benchmarks.md, issue 5): opforge at 1 and 2
# ranks and 1 rank x 2 threads, opforge with the FFT spectral transform, and
# the plain-PyTorch loop of bench/pytorch_fno_reference.py, on one Darcy set at
# s = 64 (200 training samples, batch 20, 3 epochs; samples/s of epochs 2-3).
# With Debian's reference BLAS present, both are also run on it for the
# BLAS's share. Run on a quiet machine:   bench/throughput/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
opforge=build/bin/opforge
here=bench/throughput
config=$here/fno_darcy_s64.yaml
out=runs/throughput
data=data/darcy_s64.h5
[ -f $data ] || mpirun -n 2 $opforge generate configs/darcy.yaml num_samples=220 pde.resolution=64 output.path=$data
rm -rf $out && mkdir -p $out
reference_blas=/usr/lib/x86_64-linux-gnu/blas

train() {  # NAME RANKS THREADS [KEY=VALUE...] [env LD_LIBRARY_PATH via $blas_path]
  local name=$1 ranks=$2 threads=$3
  shift 3
  LD_LIBRARY_PATH=${blas_path:-} mpirun -n "$ranks" -x LD_LIBRARY_PATH $opforge train $config \
    output.directory=$out/$name training.threads="$threads" "$@" > $out/$name.log 2>&1
}
pytorch() {  # NAME THREADS
  LD_LIBRARY_PATH=${blas_path:-} OMP_NUM_THREADS=$2 /usr/bin/python3 bench/pytorch_fno_reference.py $data \
    --train 200 --epochs 3 --batch 20 > $out/$1.log 2>&1
}

train opforge_np1 1 1
train opforge_np2 2 1
train opforge_np1_t2 1 2
train opforge_fft_np1 1 1 model.spectral_transform=fft
pytorch pytorch_t1 1
if [ -f $reference_blas/libblas.so.3 ]; then
  blas_path=$reference_blas
  train opforge_refblas_np1 1 1
  pytorch pytorch_refblas_t1 1
  unset blas_path
fi
/usr/bin/python3 $here/table.py $out

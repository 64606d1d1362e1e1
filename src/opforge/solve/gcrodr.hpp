#pragma once
/// @file
/// GCRO-DR (Parks, de Sturler, Mackey, Johnson, Maiti 2006) as a PETSc KSP
/// type, "gcrodr": restarted GMRES that keeps a k-dimensional subspace U
/// (with C = A M^-1 U orthonormal) from cycle to cycle and from one KSPSolve
/// to the next, so a sequence of similar systems is solved with far fewer
/// iterations. Right preconditioning: the monitored residual is the true one.
///
/// Options: -ksp_gcrodr_m <40> (Krylov dimension per cycle, recycled vectors
/// included), -ksp_gcrodr_k <20> (recycled dimension), -ksp_gcrodr_target
/// <smallest|largest> (harmonic Ritz values kept), -ksp_gcrodr_update
/// <cycle|solve> (refresh U after every cycle as in Parks et al., the default,
/// or only at the end of each solve: cheaper, since a refresh costs O(m k n)
/// flops, but measured to double the iterations on Darcy). Works with every PC
/// and on any communicator.
///
/// Across KSPSolve calls the recycled space is kept; C = A M^-1 U is
/// recomputed (and re-orthonormalised, dropping nearly dependent columns)
/// only when the operator or preconditioner matrix changed (object id or
/// state). KSPReset frees everything, the recycled space included.
///
/// The Arnoldi basis and the recycled spaces of seq/mpi vectors are each one
/// array, so the refresh's products are BLAS GEMMs: 5.9x faster than
/// blocked loops over separate vectors (Darcy 128, docs/benchmarks.md).
/// -log_view shows the events GcrodrRecompute, GcrodrProject, GcrodrArnoldi,
/// GcrodrUpdate and GcrodrRefresh.

#include <optional>
#include <utility>

struct _p_KSP;

namespace opforge::solve {

/// Register "gcrodr" with KSPRegister (solve::register_all calls it).
void register_gcrodr();

/// Set m and k of a gcrodr KSP (no-op for other types); options override.
void gcrodr_set_sizes(_p_KSP* ksp, int m, int k);

/// (m, k) of a gcrodr KSP, options applied; nullopt for other types.
std::optional<std::pair<int, int>> gcrodr_sizes(_p_KSP* ksp);

/// Dimension of the recycled space a gcrodr KSP holds now (0 for other types).
int gcrodr_recycled_dimension(_p_KSP* ksp);

}  // namespace opforge::solve

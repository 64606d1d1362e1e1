// GCRO-DR as a PETSc KSP. Notation of Parks et al. (2006): B = A M^-1 (right
// preconditioning), recycled U with C = B U, C^T C = I; each cycle runs
// m - k Arnoldi steps on (I - C C^T) B and minimises the residual over
// range([U, V]); the harmonic Ritz vectors of that space become the next U.

#include "opforge/solve/gcrodr.hpp"

#include <petsc/private/kspimpl.h>
#include <petscblaslapack.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "opforge/core/petsc_check.hpp"

// PETSc 3.18's petscblaslapack.h declares no generalised eigensolver: dggev
// in its style, with its name mangling and integer type.
#define LAPACKggev_ PETSCBLAS(ggev, GGEV)
BLAS_EXTERN void LAPACKggev_(const char* jobvl, const char* jobvr, const PetscBLASInt* n, PetscReal* a,
                             const PetscBLASInt* lda, PetscReal* b, const PetscBLASInt* ldb, PetscReal* alphar,
                             PetscReal* alphai, PetscReal* beta, PetscReal* vl, const PetscBLASInt* ldvl,
                             PetscReal* vr, const PetscBLASInt* ldvr, PetscReal* work, const PetscBLASInt* lwork,
                             PetscBLASInt* info);

// The KSP implementation is PETSc C-style code (PetscCall, PetscFunctionBegin)
// and lives outside namespace opforge, where PetscError names PETSc's function.
namespace {

/// PETSc log events, so that -log_view shows where a GCRO-DR solve spends
/// its time beside PETSc's own (MatMult, PCApply, VecMDot, VecMAXPY):
/// C = B U for a new operator, the projection onto range(C)^perp, the
/// Arnoldi cycle, the solution update with its true residual, and the
/// refresh of the recycled space (harmonic Ritz vectors).
struct GcrodrEvents {
  PetscLogEvent recompute = 0, project = 0, arnoldi = 0, update = 0, refresh = 0;
};
GcrodrEvents gcrodr_events;


/// Small dense column-major matrix.
struct Dense {
  int rows = 0, cols = 0;
  std::vector<double> a;
  Dense() = default;
  Dense(int r, int c) : rows(r), cols(c), a(static_cast<std::size_t>(r) * c, 0.0) {}
  double& operator()(int i, int j) { return a[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * rows]; }
  double operator()(int i, int j) const {
    return a[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * rows];
  }
};

Dense transpose_times(const Dense& x, const Dense& y) {  // x^T y
  Dense out(x.cols, y.cols);
  for (int i = 0; i < x.cols; ++i)
    for (int j = 0; j < y.cols; ++j) {
      double sum = 0;
      for (int l = 0; l < x.rows; ++l) sum += x(l, i) * y(l, j);
      out(i, j) = sum;
    }
  return out;
}

Dense times(const Dense& x, const Dense& y) {
  Dense out(x.rows, y.cols);
  for (int j = 0; j < y.cols; ++j)
    for (int l = 0; l < x.cols; ++l) {
      const double ylj = y(l, j);
      if (ylj == 0.0) continue;
      for (int i = 0; i < x.rows; ++i) out(i, j) += x(i, l) * ylj;
    }
  return out;
}

/// Runs [begin, end) of consecutive pointers that are `n` apart: vectors
/// that lie next to each other in one array, so a run is an n x (end - begin)
/// column-major matrix for BLAS.
template <typename T> std::vector<std::pair<int, int>> contiguous_runs(const std::vector<T*>& p, PetscInt n) {
  std::vector<std::pair<int, int>> runs;
  for (int i = 0; i < static_cast<int>(p.size()); ++i) {
    if (!runs.empty() && runs.back().second == i && p[static_cast<std::size_t>(i)] == p[static_cast<std::size_t>(i) - 1] + n)
      ++runs.back().second;
    else
      runs.emplace_back(i, i + 1);
  }
  return runs;
}

/// out[c] = sum_s T(s, c) src[s] for c < T.cols. The recycled space and
/// the Arnoldi basis are each one array (duplicate_contiguous), so this is a
/// BLAS GEMM per run of adjacent sources; other vectors take one
/// cache-blocked pass, each source read once per block of rows. `out` must
/// not alias `src`.
PetscErrorCode combine(const Vec* src, int ns, const Dense& T, Vec* out) {
  PetscFunctionBegin;
  const int nt = T.cols;
  if (nt == 0) PetscFunctionReturn(0);
  PetscInt n = 0;
  PetscCall(VecGetLocalSize(out[0], &n));
  std::vector<const PetscScalar*> in(static_cast<std::size_t>(ns));
  std::vector<PetscScalar*> dst(static_cast<std::size_t>(nt));
  for (int i = 0; i < ns; ++i) PetscCall(VecGetArrayRead(src[i], &in[i]));
  for (int c = 0; c < nt; ++c) PetscCall(VecGetArrayWrite(out[c], &dst[c]));
  if (n > 0 && contiguous_runs(dst, n).size() == 1) {
    PetscBLASInt rows, cols, ld, ldt;
    PetscCall(PetscBLASIntCast(n, &rows));
    PetscCall(PetscBLASIntCast(nt, &cols));
    PetscCall(PetscBLASIntCast(n, &ld));
    PetscCall(PetscBLASIntCast(T.rows, &ldt));
    PetscScalar beta = 0.0;
    const PetscScalar one = 1.0;
    for (const auto& [begin, end] : contiguous_runs(in, n)) {
      PetscBLASInt depth;
      PetscCall(PetscBLASIntCast(end - begin, &depth));
      BLASgemm_("N", "N", &rows, &cols, &depth, &one, in[static_cast<std::size_t>(begin)], &ld,
                &T.a[static_cast<std::size_t>(begin)], &ldt, &beta, dst[0], &ld);
      beta = 1.0;
    }
  } else {
    constexpr PetscInt block = 256;
    for (PetscInt start = 0; start < n; start += block) {
      const PetscInt end = std::min(n, start + block);
      for (int c = 0; c < nt; ++c) std::fill(dst[c] + start, dst[c] + end, 0.0);
      for (int i = 0; i < ns; ++i) {
        const PetscScalar* x = in[i];
        for (int c = 0; c < nt; ++c) {
          const double t = T(i, c);
          if (t == 0.0) continue;
          PetscScalar* y = dst[c];
          for (PetscInt r = start; r < end; ++r) y[r] += t * x[r];
        }
      }
    }
  }
  for (int i = 0; i < ns; ++i) PetscCall(VecRestoreArrayRead(src[i], &in[i]));
  for (int c = 0; c < nt; ++c) PetscCall(VecRestoreArrayWrite(out[c], &dst[c]));
  PetscCall(PetscLogFlops(2.0 * ns * nt * n));
  PetscFunctionReturn(0);
}

/// D(i, j) = left[i] . right[j] for all pairs and one allreduce (instead of
/// one reduction per right-hand vector): a BLAS GEMM per run of adjacent
/// left vectors when the right ones are one array, else one blocked pass.
PetscErrorCode inner_products(const Vec* left, int nl, const Vec* right, int nr, Dense& D) {
  PetscFunctionBegin;
  D = Dense(nl, nr);
  if (nl == 0 || nr == 0) PetscFunctionReturn(0);
  PetscInt n = 0;
  PetscCall(VecGetLocalSize(left[0], &n));
  std::vector<const PetscScalar*> a(static_cast<std::size_t>(nl)), b(static_cast<std::size_t>(nr));
  for (int i = 0; i < nl; ++i) PetscCall(VecGetArrayRead(left[i], &a[i]));
  for (int j = 0; j < nr; ++j) PetscCall(VecGetArrayRead(right[j], &b[j]));
  if (n > 0 && contiguous_runs(b, n).size() == 1) {  // D = A^T B
    PetscBLASInt depth, cols, ld, ldd;
    PetscCall(PetscBLASIntCast(n, &depth));
    PetscCall(PetscBLASIntCast(nr, &cols));
    PetscCall(PetscBLASIntCast(n, &ld));
    PetscCall(PetscBLASIntCast(D.rows, &ldd));
    const PetscScalar one = 1.0, zero = 0.0;
    for (const auto& [begin, end] : contiguous_runs(a, n)) {
      PetscBLASInt rows;
      PetscCall(PetscBLASIntCast(end - begin, &rows));
      BLASgemm_("T", "N", &rows, &cols, &depth, &one, a[static_cast<std::size_t>(begin)], &ld, b[0], &ld, &zero,
                &D(begin, 0), &ldd);
    }
  } else {
    constexpr PetscInt block = 256;
    for (PetscInt start = 0; start < n; start += block) {
      const PetscInt end = std::min(n, start + block);
      for (int j = 0; j < nr; ++j)
        for (int i = 0; i < nl; ++i) {
          double sum = 0;
          for (PetscInt r = start; r < end; ++r) sum += a[i][r] * b[j][r];
          D(i, j) += sum;
        }
    }
  }
  for (int i = 0; i < nl; ++i) PetscCall(VecRestoreArrayRead(left[i], &a[i]));
  for (int j = 0; j < nr; ++j) PetscCall(VecRestoreArrayRead(right[j], &b[j]));
  PetscCall(PetscLogFlops(2.0 * nl * nr * n));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, D.a.data(), static_cast<PetscMPIInt>(D.a.size()), MPIU_SCALAR, MPIU_SUM,
                           PetscObjectComm(reinterpret_cast<PetscObject>(left[0]))));
  PetscFunctionReturn(0);
}

/// The basis vectors as the columns of matrices, one per run of adjacent
/// vectors, in BLAS-2 products over the local rows: y = basis^T x (trans
/// "T") or x += basis y (trans "N"). One gemv reads x once where VecMDot and
/// VecMAXPY read it once per four vectors (Darcy 128 without a
/// preconditioner: 2.8-3.0x -> 2.9-3.05x GMRES(40)'s speed, docs/benchmarks.md).
PetscErrorCode basis_gemv(const char* trans, Vec x, const Vec* basis, PetscInt count, PetscScalar* y) {
  PetscFunctionBegin;
  const bool update = trans[0] == 'N';
  PetscInt n = 0;
  PetscCall(VecGetLocalSize(x, &n));
  std::vector<const PetscScalar*> columns(static_cast<std::size_t>(count));
  for (PetscInt i = 0; i < count; ++i) PetscCall(VecGetArrayRead(basis[i], &columns[static_cast<std::size_t>(i)]));
  PetscScalar* xw = nullptr;
  const PetscScalar* xr = nullptr;
  if (update) PetscCall(VecGetArray(x, &xw));
  else PetscCall(VecGetArrayRead(x, &xr));
  PetscBLASInt rows, ld;
  PetscCall(PetscBLASIntCast(n, &rows));
  PetscCall(PetscBLASIntCast(std::max<PetscInt>(1, n), &ld));
  const PetscBLASInt inc = 1;
  const PetscScalar one = 1.0, beta = update ? 1.0 : 0.0;
  for (const auto& [begin, end] : contiguous_runs(columns, n)) {
    PetscBLASInt width;
    PetscCall(PetscBLASIntCast(end - begin, &width));
    const PetscScalar* a = columns[static_cast<std::size_t>(begin)];
    if (rows == 0) continue;
    if (update) BLASgemv_("N", &rows, &width, &one, a, &ld, y + begin, &inc, &beta, xw, &inc);
    else BLASgemv_("T", &rows, &width, &one, a, &ld, xr, &inc, &beta, y + begin, &inc);
  }
  if (update) PetscCall(VecRestoreArray(x, &xw));
  else PetscCall(VecRestoreArrayRead(x, &xr));
  for (PetscInt i = 0; i < count; ++i) PetscCall(VecRestoreArrayRead(basis[i], &columns[static_cast<std::size_t>(i)]));
  PetscCall(PetscLogFlops(2.0 * count * n));
  PetscFunctionReturn(0);
}

/// dots[i] = basis[i] . x with one reduction: by basis_gemv when the basis
/// lies in arrays of ours (`contiguous`, duplicate_contiguous), else VecMDot.
PetscErrorCode multi_dot(Vec x, const Vec* basis, PetscInt count, PetscScalar* dots, bool contiguous) {
  PetscFunctionBegin;
  if (!contiguous) {
    PetscCall(VecMDot(x, count, basis, dots));
    PetscFunctionReturn(0);
  }
  std::fill(dots, dots + count, 0.0);
  PetscCall(basis_gemv("T", x, basis, count, dots));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, dots, static_cast<PetscMPIInt>(count), MPIU_SCALAR, MPIU_SUM,
                           PetscObjectComm(reinterpret_cast<PetscObject>(x))));
  PetscFunctionReturn(0);
}

/// x += sum_i alpha[i] basis[i]: basis_gemv when `contiguous`, else VecMAXPY.
PetscErrorCode multi_axpy(Vec x, const Vec* basis, PetscInt count, PetscScalar* alpha, bool contiguous) {
  PetscFunctionBegin;
  if (contiguous) PetscCall(basis_gemv("N", x, basis, count, alpha));
  else PetscCall(VecMAXPY(x, count, alpha, const_cast<Vec*>(basis)));
  PetscFunctionReturn(0);
}

struct Gcrodr {
  PetscInt m = 40;
  PetscInt k = 20;
  PetscBool target_largest = PETSC_FALSE;
  /// Refresh U at the end of every cycle (Parks et al.) or only at the end of
  /// each solve (keeps the cross-system recycling at a fraction of the cost).
  PetscBool update_every_cycle = PETSC_TRUE;
  /// Second Gram-Schmidt pass in the Arnoldi cycle: never (PETSc GMRES's
  /// default too), when the first cancelled more than half the norm (DGKS),
  /// or always. One pass: Darcy 128 no-PC 1.4-1.6x faster at equal iterations,
  /// de Hoop + ILU 1.37x faster at 3% more (docs/benchmarks.md).
  KSPGMRESCGSRefinementType refinement = KSP_GMRES_CGS_REFINE_NEVER;
  // Arnoldi basis (m + 1), recycled space and its double buffer (k + 1 each).
  Vec* V = nullptr;
  Vec *U = nullptr, *C = nullptr, *U_next = nullptr, *C_next = nullptr;
  PetscInt allocated_m = 0, allocated_k = 0;
  /// The arrays behind V, U, C, U_next and C_next when they are contiguous.
  PetscScalar *V_storage = nullptr, *recycled_storage[4] = {nullptr, nullptr, nullptr, nullptr};
  Vec r = nullptr, w = nullptr, t = nullptr;
  PetscInt k_eff = 0;
  /// C^T U (k_eff x k_eff): computed when C is formed for a new operator,
  /// then carried through each refresh by small products, so a refresh takes
  /// inner products of U with the new Arnoldi vectors only.
  Dense CtU;
  // Operators C was formed with.
  PetscObjectId a_id = 0, p_id = 0;
  PetscObjectState a_state = -1, p_state = -1;
  // Statistics for KSPView.
  PetscInt recomputed = 0, dropped = 0;
};

/// `count` vectors like `like`, one after the other in one array (`storage`,
/// to be freed with PetscFree after the vectors), so that blocks of them are
/// matrices for BLAS; vectors of other types than seq/mpi are duplicated as
/// PETSc does (storage null).
PetscErrorCode duplicate_contiguous(Vec like, PetscInt count, Vec** vecs, PetscScalar** storage) {
  PetscFunctionBegin;
  PetscBool seq = PETSC_FALSE, mpi = PETSC_FALSE;
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(like), VECSEQ, &seq));
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(like), VECMPI, &mpi));
  *storage = nullptr;
  if (!seq && !mpi) {
    PetscCall(VecDuplicateVecs(like, count, vecs));
    PetscFunctionReturn(0);
  }
  PetscInt n = 0, N = 0, bs = 1;
  PetscCall(VecGetLocalSize(like, &n));
  PetscCall(VecGetSize(like, &N));
  PetscCall(VecGetBlockSize(like, &bs));
  PetscCall(PetscCalloc1(count * n, storage));
  PetscCall(PetscMalloc1(count, vecs));
  const MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(like));
  for (PetscInt i = 0; i < count; ++i) {
    if (seq) PetscCall(VecCreateSeqWithArray(comm, bs, n, *storage + i * n, &(*vecs)[i]));
    else PetscCall(VecCreateMPIWithArray(comm, bs, n, N, *storage + i * n, &(*vecs)[i]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode free_storage(Gcrodr* g) {
  PetscFunctionBegin;
  if (g->allocated_m) PetscCall(VecDestroyVecs(g->allocated_m + 1, &g->V));
  if (g->allocated_k) {
    PetscCall(VecDestroyVecs(g->allocated_k + 1, &g->U));
    PetscCall(VecDestroyVecs(g->allocated_k + 1, &g->C));
    PetscCall(VecDestroyVecs(g->allocated_k + 1, &g->U_next));
    PetscCall(VecDestroyVecs(g->allocated_k + 1, &g->C_next));
  }
  PetscCall(PetscFree(g->V_storage));
  for (auto& storage : g->recycled_storage) PetscCall(PetscFree(storage));
  PetscCall(VecDestroy(&g->r));
  PetscCall(VecDestroy(&g->w));
  PetscCall(VecDestroy(&g->t));
  g->allocated_m = g->allocated_k = g->k_eff = 0;
  PetscFunctionReturn(0);
}

/// (Re)allocate when the sizes or the vector layout changed; a layout
/// change also discards the recycled space.
PetscErrorCode ensure_storage(KSP ksp, Gcrodr* g) {
  PetscFunctionBegin;
  PetscInt n_now = 0, n_had = -1;
  PetscCall(VecGetLocalSize(ksp->vec_rhs, &n_now));
  if (g->r) PetscCall(VecGetLocalSize(g->r, &n_had));
  if (n_now != n_had || g->allocated_m != g->m || g->allocated_k != g->k) {
    const PetscInt keep = (n_now == n_had && g->allocated_k == g->k) ? g->k_eff : 0;
    if (keep == 0) {
      PetscCall(free_storage(g));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->m + 1, &g->V, &g->V_storage));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->k + 1, &g->U, &g->recycled_storage[0]));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->k + 1, &g->C, &g->recycled_storage[1]));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->k + 1, &g->U_next, &g->recycled_storage[2]));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->k + 1, &g->C_next, &g->recycled_storage[3]));
      PetscCall(VecDuplicate(ksp->vec_rhs, &g->r));
      PetscCall(VecDuplicate(ksp->vec_rhs, &g->w));
      PetscCall(VecDuplicate(ksp->vec_rhs, &g->t));
      g->allocated_m = g->m;
      g->allocated_k = g->k;
    } else {  // only m changed: keep U and C
      if (g->allocated_m) PetscCall(VecDestroyVecs(g->allocated_m + 1, &g->V));
      PetscCall(PetscFree(g->V_storage));
      PetscCall(duplicate_contiguous(ksp->vec_rhs, g->m + 1, &g->V, &g->V_storage));
      g->allocated_m = g->m;
    }
  }
  PetscFunctionReturn(0);
}

/// C <- orthonormal basis of range(C) by classical Gram-Schmidt applied
/// twice, mirroring every column operation on U so that C = B U still holds
/// (U <- U R^-1). Columns whose norm collapses below 1e-10 of their original
/// norm are nearly dependent and dropped. Returns the number kept.
PetscErrorCode orthonormalize(Gcrodr* g, Vec* Cv, Vec* Uv, PetscInt count, PetscInt* kept_out) {
  PetscFunctionBegin;
  PetscInt kept = 0;
  std::vector<PetscScalar> h(static_cast<std::size_t>(count) + 1);
  for (PetscInt i = 0; i < count; ++i) {
    PetscReal original = 0, norm = 0;
    PetscCall(VecNorm(Cv[i], NORM_2, &original));
    for (int pass = 0; pass < 2 && kept > 0; ++pass) {
      PetscCall(VecMDot(Cv[i], kept, Cv, h.data()));
      for (PetscInt j = 0; j < kept; ++j) h[j] = -h[j];
      PetscCall(VecMAXPY(Cv[i], kept, h.data(), Cv));
      PetscCall(VecMAXPY(Uv[i], kept, h.data(), Uv));
    }
    PetscCall(VecNorm(Cv[i], NORM_2, &norm));
    if (!(norm > 1e-10 * original) || norm == 0.0) {
      ++g->dropped;
      continue;
    }
    PetscCall(VecScale(Cv[i], 1.0 / norm));
    PetscCall(VecScale(Uv[i], 1.0 / norm));
    if (kept != i) {
      std::swap(Cv[kept], Cv[i]);
      std::swap(Uv[kept], Uv[i]);
    }
    ++kept;
  }
  *kept_out = kept;
  PetscFunctionReturn(0);
}

PetscErrorCode operators_changed(KSP ksp, Gcrodr* g, PetscBool* changed) {
  PetscFunctionBegin;
  Mat A, P;
  PetscObjectId a_id, p_id;
  PetscObjectState a_state, p_state;
  PetscCall(PCGetOperators(ksp->pc, &A, &P));
  PetscCall(PetscObjectGetId(reinterpret_cast<PetscObject>(A), &a_id));
  PetscCall(PetscObjectGetId(reinterpret_cast<PetscObject>(P), &p_id));
  PetscCall(PetscObjectStateGet(reinterpret_cast<PetscObject>(A), &a_state));
  PetscCall(PetscObjectStateGet(reinterpret_cast<PetscObject>(P), &p_state));
  *changed = (a_id != g->a_id || p_id != g->p_id || a_state != g->a_state || p_state != g->p_state) ? PETSC_TRUE
                                                                                                     : PETSC_FALSE;
  g->a_id = a_id;
  g->p_id = p_id;
  g->a_state = a_state;
  g->p_state = p_state;
  PetscFunctionReturn(0);
}

/// Columns of VR holding the harmonic Ritz vectors to keep: the k values of
/// smallest (or largest) magnitude; a complex-conjugate pair is kept whole, as
/// its real and imaginary parts (LAPACK's columns j and j+1), so k+1 may result.
std::vector<int> select_ritz(const std::vector<double>& ar, const std::vector<double>& ai,
                             const std::vector<double>& be, int k, bool largest) {
  const int q = static_cast<int>(ar.size());
  std::vector<double> key(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) {
    const bool infinite = !(std::abs(be[i]) > 1e-300);
    const double magnitude = infinite ? HUGE_VAL : std::hypot(ar[i], ai[i]) / std::abs(be[i]);
    key[i] = largest ? (infinite ? 1.0 : -magnitude) : magnitude;  // ascending key order
  }
  std::vector<int> order(static_cast<std::size_t>(q));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key[a] < key[b]; });
  std::vector<int> columns;
  std::vector<bool> used(static_cast<std::size_t>(q), false);
  for (int index : order) {
    if (static_cast<int>(columns.size()) >= k) break;
    if (used[index]) continue;
    if (ai[index] == 0.0) {
      columns.push_back(index);
      used[index] = true;
      continue;
    }
    const int first = ai[index] > 0.0 ? index : index - 1;
    if (first < 0 || first + 1 >= q || static_cast<int>(columns.size()) + 2 > k + 1) break;
    columns.push_back(first);
    columns.push_back(first + 1);
    used[first] = used[first + 1] = true;
  }
  return columns;
}

/// Harmonic Ritz update at the end of a cycle: with G and W^T V-hat of the
/// cycle, solve G^T G z = theta G^T (W^T V-hat) z, keep k vectors P, then
/// Y = V-hat P, [Q, R] = qr(G P), C = W Q, U = Y R^-1.
PetscErrorCode update_recycle_space(KSP ksp, Gcrodr* g, PetscInt steps, const Dense& H, const Dense& Bc,
                                    const std::vector<PetscReal>& u_norms) {
  PetscFunctionBegin;
  const int kk = static_cast<int>(g->k_eff);
  const int q = kk + static_cast<int>(steps);
  if (g->k <= 0 || q < 1) PetscFunctionReturn(0);
  // G: (q + 1) x q;  WtV: (q + 1) x q with W = [C, V_0..V_steps], V-hat = [U D, V_0..V_{steps-1}].
  Dense G(q + 1, q), WtV(q + 1, q);
  for (int i = 0; i < kk; ++i) G(i, i) = 1.0 / u_norms[i];
  for (int j = 0; j < steps; ++j) {
    for (int i = 0; i < kk; ++i) G(i, kk + j) = Bc(i, j);
    for (int i = 0; i <= steps; ++i) G(kk + i, kk + j) = H(i, j);
    WtV(kk + j, kk + j) = 1.0;
  }
  if (kk > 0) {
    // W^T U = [C^T U; V_0..V_steps^T U], scaled by D: U-tilde = U D.
    Dense VtU;
    PetscCall(inner_products(g->V, static_cast<int>(steps) + 1, g->U, kk, VtU));
    for (int c = 0; c < kk; ++c) {
      for (int i = 0; i < kk; ++i) WtV(i, c) = g->CtU(i, c) / u_norms[c];
      for (int i = 0; i <= steps; ++i) WtV(kk + i, c) = VtU(i, c) / u_norms[c];
    }
  }
  Dense Ag = transpose_times(G, G), Bg = transpose_times(G, WtV);

  std::vector<double> ar(static_cast<std::size_t>(q)), ai(static_cast<std::size_t>(q)), be(static_cast<std::size_t>(q));
  Dense VR(q, q);
  PetscBLASInt n, lwork = -1, info = 0, one = 1;
  PetscCall(PetscBLASIntCast(q, &n));
  double query = 0, dummy = 0;
  LAPACKggev_("N", "V", &n, Ag.a.data(), &n, Bg.a.data(), &n, ar.data(), ai.data(), be.data(), &dummy, &one,
              VR.a.data(), &n, &query, &lwork, &info);
  lwork = std::max<PetscBLASInt>(1, static_cast<PetscBLASInt>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  LAPACKggev_("N", "V", &n, Ag.a.data(), &n, Bg.a.data(), &n, ar.data(), ai.data(), be.data(), &dummy, &one,
              VR.a.data(), &n, work.data(), &lwork, &info);
  if (info != 0) {  // keep the old space rather than fail the solve
    PetscCall(PetscInfo(ksp, "gcrodr: dggev failed (info %d); recycled space kept\n", info));
    PetscFunctionReturn(0);
  }
  const std::vector<int> chosen =
      select_ritz(ar, ai, be, static_cast<int>(std::min<PetscInt>(g->k, q)), g->target_largest == PETSC_TRUE);
  const int kn = static_cast<int>(chosen.size());
  if (kn == 0) PetscFunctionReturn(0);
  Dense P(q, kn);
  for (int c = 0; c < kn; ++c)
    for (int i = 0; i < q; ++i) P(i, c) = VR(i, chosen[c]);

  // [Q, R] = qr(G P) by Gram-Schmidt twice; nearly dependent columns dropped.
  Dense GP = times(G, P), Q(q + 1, kn), R(kn, kn);
  std::vector<int> keep;
  for (int c = 0; c < kn; ++c) {
    std::vector<double> v(GP.a.begin() + static_cast<long>(c) * (q + 1), GP.a.begin() + static_cast<long>(c + 1) * (q + 1));
    double original = 0;
    for (double x : v) original += x * x;
    original = std::sqrt(original);
    for (int pass = 0; pass < 2; ++pass)
      for (int l = 0; l < static_cast<int>(keep.size()); ++l) {
        double dot = 0;
        for (int i = 0; i <= q; ++i) dot += Q(i, l) * v[i];
        R(l, static_cast<int>(keep.size())) += dot;
        for (int i = 0; i <= q; ++i) v[i] -= dot * Q(i, l);
      }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    const int slot = static_cast<int>(keep.size());
    if (!(norm > 1e-10 * original)) {
      for (int l = 0; l < slot; ++l) R(l, slot) = 0.0;
      continue;
    }
    R(slot, slot) = norm;
    for (int i = 0; i <= q; ++i) Q(i, slot) = v[i] / norm;
    keep.push_back(c);
  }
  const int kept = static_cast<int>(keep.size());
  if (kept == 0) PetscFunctionReturn(0);

  // New C = W Q and new U = V-hat P R^-1 = [U, V] T, with the scaling D and
  // R^-1 folded into T so each is one pass over the source vectors.
  std::vector<Vec> W(g->C, g->C + kk), Vhat(g->U, g->U + kk);
  W.insert(W.end(), g->V, g->V + steps + 1);
  Vhat.insert(Vhat.end(), g->V, g->V + steps);
  Dense Qk(q + 1, kept), PR(q, kept);
  for (int c = 0; c < kept; ++c)
    for (int i = 0; i <= q; ++i) Qk(i, c) = Q(i, c);
  for (int c = 0; c < kept; ++c) {  // column c of P R^-1 by forward substitution over columns
    for (int i = 0; i < q; ++i) {
      double value = P(i, keep[c]);
      for (int l = 0; l < c; ++l) value -= R(l, c) * PR(i, l);
      PR(i, c) = value / R(c, c);
    }
  }
  // C_new^T U_new = Q^T (W^T V-hat) P R^-1, before PR is rescaled to [U, V].
  Dense CtU_next = transpose_times(Qk, times(WtV, PR));
  for (int i = 0; i < kk; ++i)
    for (int c = 0; c < kept; ++c) PR(i, c) /= u_norms[i];
  PetscCall(combine(W.data(), static_cast<int>(W.size()), Qk, g->C_next));
  PetscCall(combine(Vhat.data(), static_cast<int>(Vhat.size()), PR, g->U_next));
  std::swap(g->U, g->U_next);
  std::swap(g->C, g->C_next);
  g->k_eff = kept;
  g->CtU = std::move(CtU_next);
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSolve_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  PetscCheck(ksp->pc_side == PC_RIGHT, PetscObjectComm(reinterpret_cast<PetscObject>(ksp)), PETSC_ERR_SUP,
             "gcrodr supports right preconditioning only");
  PetscCall(ensure_storage(ksp, g));
  Mat A;
  PetscCall(PCGetOperators(ksp->pc, &A, nullptr));
  Vec x = ksp->vec_sol, b = ksp->vec_rhs;

  if (ksp->guess_zero) PetscCall(VecSet(x, 0.0));
  PetscCall(KSP_MatMult(ksp, A, x, g->r));
  PetscCall(VecAYPX(g->r, -1.0, b));
  PetscReal rnorm = 0;
  PetscCall(VecNorm(g->r, NORM_2, &rnorm));
  ksp->its = 0;
  ksp->rnorm = rnorm;
  ksp->reason = KSP_CONVERGED_ITERATING;
  PetscCall(KSPLogResidualHistory(ksp, rnorm));
  PetscCall(KSPMonitor(ksp, 0, rnorm));
  PetscCall((*ksp->converged)(ksp, 0, rnorm, &ksp->reason, ksp->cnvP));
  if (ksp->reason) PetscFunctionReturn(0);

  // A new system: C = B U for the current operators, re-orthonormalised.
  PetscBool changed = PETSC_FALSE;
  PetscCall(operators_changed(ksp, g, &changed));
  if (g->k_eff > 0 && changed) {
    const opforge::PetscEventScope scope(gcrodr_events.recompute);
    for (PetscInt i = 0; i < g->k_eff; ++i) PetscCall(KSP_PCApplyBAorAB(ksp, g->U[i], g->C[i], g->t));
    PetscCall(orthonormalize(g, g->C, g->U, g->k_eff, &g->k_eff));
    PetscCall(inner_products(g->C, static_cast<int>(g->k_eff), g->U, static_cast<int>(g->k_eff), g->CtU));
    ++g->recomputed;
  }

  const PetscInt m = g->m;
  const bool blas = g->V_storage != nullptr;  // V, U and C in arrays of ours
  std::vector<PetscScalar> projection(static_cast<std::size_t>(g->k) + 2),
      dots(static_cast<std::size_t>(m + g->k) + 2), negated(static_cast<std::size_t>(m + g->k) + 2);
  std::vector<PetscReal> u_norms;
  while (!ksp->reason) {
    const PetscInt kk = g->k_eff;
    // 1. Project the residual onto range(C)^perp; U carries that part of the correction.
    if (kk > 0) {
      const opforge::PetscEventScope scope(gcrodr_events.project);
      PetscCall(multi_dot(g->r, g->C, kk, projection.data(), blas));
      for (PetscInt i = 0; i < kk; ++i) negated[i] = -projection[i];
      PetscCall(multi_axpy(g->r, g->C, kk, negated.data(), blas));
      u_norms.assign(static_cast<std::size_t>(kk), 0.0);
      for (PetscInt i = 0; i < kk; ++i) PetscCall(VecNorm(g->U[i], NORM_2, &u_norms[i]));
    }
    PetscReal beta = 0;
    PetscCall(VecNorm(g->r, NORM_2, &beta));

    // 2. Arnoldi on (I - C C^T) B from r / beta, least squares by Givens rotations.
    const int steps_max = static_cast<int>(std::max<PetscInt>(1, m - kk));
    Dense H(steps_max + 1, steps_max), Rg(steps_max + 1, steps_max), Bc(static_cast<int>(std::max<PetscInt>(kk, 1)), steps_max);
    std::vector<double> cs(static_cast<std::size_t>(steps_max)), sn(static_cast<std::size_t>(steps_max)),
        gvec(static_cast<std::size_t>(steps_max) + 1, 0.0);
    gvec[0] = beta;
    int steps = 0;
    if (beta > 0) {
      const opforge::PetscEventScope scope(gcrodr_events.arnoldi);
      PetscCall(VecCopy(g->r, g->V[0]));
      PetscCall(VecScale(g->V[0], 1.0 / beta));
      std::vector<Vec> basis(g->C, g->C + kk);
      basis.insert(basis.end(), g->V, g->V + steps_max);
      for (int j = 0; j < steps_max; ++j) {
        PetscCall(KSP_PCApplyBAorAB(ksp, g->V[j], g->V[j + 1], g->t));
        // Classical Gram-Schmidt against [C, V_0..V_j] at once (C is
        // orthogonal to every V), a second pass as g->refinement says.
        const PetscInt width = kk + j + 1;
        PetscReal hnorm = 0;
        for (int pass = 0; pass < 2; ++pass) {
          PetscCall(multi_dot(g->V[j + 1], basis.data(), width, dots.data(), blas));
          PetscReal removed = 0;
          for (PetscInt i = 0; i < width; ++i) {
            if (i < kk) Bc(static_cast<int>(i), j) += dots[i];
            else H(static_cast<int>(i - kk), j) += dots[i];
            negated[i] = -dots[i];
            removed += dots[i] * dots[i];
          }
          PetscCall(multi_axpy(g->V[j + 1], basis.data(), width, negated.data(), blas));
          PetscCall(VecNorm(g->V[j + 1], NORM_2, &hnorm));
          // Before the pass |w|^2 = hnorm^2 + removed: hnorm^2 < removed
          // means |w| fell below 1/sqrt(2) of what it was.
          const bool again = g->refinement == KSP_GMRES_CGS_REFINE_ALWAYS ||
                             (g->refinement == KSP_GMRES_CGS_REFINE_IFNEEDED && hnorm * hnorm < removed);
          if (!again) break;
        }
        H(j + 1, j) = hnorm;
        const bool breakdown = hnorm <= 1e-14 * beta;
        if (!breakdown) PetscCall(VecScale(g->V[j + 1], 1.0 / hnorm));
        for (int i = 0; i <= j + 1; ++i) Rg(i, j) = H(i, j);
        for (int i = 0; i < j; ++i) {
          const double a = Rg(i, j), bb = Rg(i + 1, j);
          Rg(i, j) = cs[i] * a + sn[i] * bb;
          Rg(i + 1, j) = -sn[i] * a + cs[i] * bb;
        }
        const double denom = std::hypot(Rg(j, j), Rg(j + 1, j));
        cs[j] = denom > 0 ? Rg(j, j) / denom : 1.0;
        sn[j] = denom > 0 ? Rg(j + 1, j) / denom : 0.0;
        Rg(j, j) = denom;
        Rg(j + 1, j) = 0.0;
        gvec[j + 1] = -sn[j] * gvec[j];
        gvec[j] = cs[j] * gvec[j];
        steps = j + 1;
        ++ksp->its;
        ksp->rnorm = std::abs(gvec[j + 1]);
        PetscCall(KSPLogResidualHistory(ksp, ksp->rnorm));
        PetscCall(KSPMonitor(ksp, ksp->its, ksp->rnorm));
        PetscCall((*ksp->converged)(ksp, ksp->its, ksp->rnorm, &ksp->reason, ksp->cnvP));
        if (ksp->reason || breakdown || ksp->its >= ksp->max_it) break;
      }
    }

    // 3. x += M^-1 (U (projection - Bc y) + V y) with R y = g: one PC application per cycle.
    PetscCall(PetscLogEventBegin(gcrodr_events.update, 0, 0, 0, 0));
    std::vector<PetscScalar> y(static_cast<std::size_t>(std::max(steps, 1)), 0.0);
    for (int i = steps - 1; i >= 0; --i) {
      double sum = gvec[i];
      for (int l = i + 1; l < steps; ++l) sum -= Rg(i, l) * y[l];
      y[i] = Rg(i, i) != 0.0 ? sum / Rg(i, i) : 0.0;
    }
    PetscCall(VecSet(g->w, 0.0));
    if (steps > 0) PetscCall(multi_axpy(g->w, g->V, steps, y.data(), blas));
    if (kk > 0) {
      std::vector<PetscScalar> yu(static_cast<std::size_t>(kk));
      for (PetscInt i = 0; i < kk; ++i) {
        double sum = projection[i];
        for (int l = 0; l < steps; ++l) sum -= Bc(static_cast<int>(i), l) * y[l];
        yu[i] = sum;
      }
      PetscCall(multi_axpy(g->w, g->U, kk, yu.data(), blas));
    }
    PetscCall(KSP_PCApply(ksp, g->w, g->t));
    PetscCall(VecAXPY(x, 1.0, g->t));

    // 4. The true residual decides; the recycled space is refreshed every cycle.
    PetscCall(KSP_MatMult(ksp, A, x, g->r));
    PetscCall(VecAYPX(g->r, -1.0, b));
    PetscCall(VecNorm(g->r, NORM_2, &rnorm));
    ksp->rnorm = rnorm;
    ksp->reason = KSP_CONVERGED_ITERATING;
    PetscCall((*ksp->converged)(ksp, ksp->its, rnorm, &ksp->reason, ksp->cnvP));
    if (!ksp->reason && ksp->its >= ksp->max_it) ksp->reason = KSP_DIVERGED_ITS;
    if (!ksp->reason && beta == 0.0) ksp->reason = KSP_CONVERGED_ATOL;
    PetscCall(PetscLogEventEnd(gcrodr_events.update, 0, 0, 0, 0));
    if (steps > 0 && (g->update_every_cycle || ksp->reason || kk == 0)) {
      const opforge::PetscEventScope scope(gcrodr_events.refresh);
      PetscCall(update_recycle_space(ksp, g, steps, H, Bc, u_norms));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSetUp_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  PetscCheck(g->k >= 0 && g->k < g->m, PetscObjectComm(reinterpret_cast<PetscObject>(ksp)), PETSC_ERR_ARG_OUTOFRANGE,
             "gcrodr needs 0 <= k < m, got m = %" PetscInt_FMT ", k = %" PetscInt_FMT, g->m, g->k);
  PetscFunctionReturn(0);
}

PetscErrorCode KSPReset_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  PetscCall(free_storage(static_cast<Gcrodr*>(ksp->data)));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPDestroy_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  PetscCall(free_storage(g));
  delete g;
  ksp->data = nullptr;
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRSetSizes_C", nullptr));
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetSizes_C", nullptr));
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetRecycled_C", nullptr));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPView_GCRODR(KSP ksp, PetscViewer viewer) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  PetscBool ascii, string;
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(viewer), PETSCVIEWERASCII, &ascii));
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(viewer), PETSCVIEWERSTRING, &string));
  char text[512];
  PetscCall(PetscSNPrintf(text, sizeof text,
                          "  GCRO-DR: Krylov dimension m=%" PetscInt_FMT ", recycle dimension k=%" PetscInt_FMT
                          ", target %s harmonic Ritz values, update every %s,\n"
                          "  classical Gram-Schmidt refinement %s; recycled space now %" PetscInt_FMT
                          " vectors; C recomputed for %" PetscInt_FMT " new systems; %" PetscInt_FMT
                          " dependent columns dropped\n",
                          g->m, g->k, g->target_largest ? "largest" : "smallest",
                          g->update_every_cycle ? "cycle" : "solve", KSPGMRESCGSRefinementTypes[g->refinement],
                          g->k_eff, g->recomputed, g->dropped));
  if (ascii) PetscCall(PetscViewerASCIIPrintf(viewer, "%s", text));
  if (string) PetscCall(PetscViewerStringSPrintf(viewer, "%s", text));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSetFromOptions_GCRODR(KSP ksp, PetscOptionItems* PetscOptionsObject) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  const char* targets[] = {"smallest", "largest"};
  const char* updates[] = {"solve", "cycle"};
  PetscInt target = g->target_largest ? 1 : 0, update = g->update_every_cycle ? 1 : 0;
  PetscOptionsHeadBegin(PetscOptionsObject, "KSP GCRO-DR options");
  PetscCall(PetscOptionsInt("-ksp_gcrodr_m", "Krylov dimension per cycle (recycled vectors included)", "",
                            g->m, &g->m, nullptr));
  PetscCall(PetscOptionsInt("-ksp_gcrodr_k", "Dimension of the recycled subspace", "", g->k, &g->k, nullptr));
  PetscCall(PetscOptionsEList("-ksp_gcrodr_target", "Harmonic Ritz values whose vectors are recycled", "", targets,
                              2, targets[target], &target, nullptr));
  PetscCall(PetscOptionsEList("-ksp_gcrodr_update", "Refresh the recycled space after every cycle or each solve", "",
                              updates, 2, updates[update], &update, nullptr));
  PetscCall(PetscOptionsEnum("-ksp_gcrodr_cgs_refinement_type", "Second Gram-Schmidt pass in the Arnoldi cycle", "",
                             KSPGMRESCGSRefinementTypes, static_cast<PetscEnum>(g->refinement),
                             reinterpret_cast<PetscEnum*>(&g->refinement), nullptr));
  PetscOptionsHeadEnd();
  g->target_largest = target == 1 ? PETSC_TRUE : PETSC_FALSE;
  g->update_every_cycle = update == 1 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPGCRODRSetSizes_GCRODR(KSP ksp, PetscInt m, PetscInt k) {
  PetscFunctionBegin;
  auto* g = static_cast<Gcrodr*>(ksp->data);
  g->m = m;
  g->k = k;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPGCRODRGetSizes_GCRODR(KSP ksp, PetscInt* m, PetscInt* k) {
  PetscFunctionBegin;
  const auto* g = static_cast<const Gcrodr*>(ksp->data);
  *m = g->m;
  *k = g->k;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPGCRODRGetRecycled_GCRODR(KSP ksp, PetscInt* k_eff) {
  PetscFunctionBegin;
  *k_eff = static_cast<Gcrodr*>(ksp->data)->k_eff;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPCreate_GCRODR(KSP ksp) {
  PetscFunctionBegin;
  ksp->data = new Gcrodr();
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_RIGHT, 3));
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_NONE, PC_RIGHT, 1));
  ksp->ops->setup = KSPSetUp_GCRODR;
  ksp->ops->solve = KSPSolve_GCRODR;
  ksp->ops->reset = KSPReset_GCRODR;
  ksp->ops->destroy = KSPDestroy_GCRODR;
  ksp->ops->view = KSPView_GCRODR;
  ksp->ops->setfromoptions = KSPSetFromOptions_GCRODR;
  ksp->ops->buildsolution = KSPBuildSolutionDefault;
  ksp->ops->buildresidual = KSPBuildResidualDefault;
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRSetSizes_C",
                                       KSPGCRODRSetSizes_GCRODR));
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetSizes_C",
                                       KSPGCRODRGetSizes_GCRODR));
  PetscCall(PetscObjectComposeFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetRecycled_C",
                                       KSPGCRODRGetRecycled_GCRODR));
  PetscFunctionReturn(0);
}

}  // namespace

namespace opforge::solve {

void register_gcrodr() {
  OPFORGE_PETSC_CALL(KSPRegister("gcrodr", KSPCreate_GCRODR));
  PetscClassId id;
  OPFORGE_PETSC_CALL(PetscClassIdRegister("GCRO-DR", &id));
  OPFORGE_PETSC_CALL(PetscLogEventRegister("GcrodrRecompute", id, &gcrodr_events.recompute));
  OPFORGE_PETSC_CALL(PetscLogEventRegister("GcrodrProject", id, &gcrodr_events.project));
  OPFORGE_PETSC_CALL(PetscLogEventRegister("GcrodrArnoldi", id, &gcrodr_events.arnoldi));
  OPFORGE_PETSC_CALL(PetscLogEventRegister("GcrodrUpdate", id, &gcrodr_events.update));
  OPFORGE_PETSC_CALL(PetscLogEventRegister("GcrodrRefresh", id, &gcrodr_events.refresh));
}

void gcrodr_set_sizes(_p_KSP* ksp, int m, int k) {
  PetscErrorCode (*set)(KSP, PetscInt, PetscInt) = nullptr;
  OPFORGE_PETSC_CALL(PetscObjectQueryFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRSetSizes_C", &set));
  if (set) OPFORGE_PETSC_CALL(set(ksp, m, k));
}

std::optional<std::pair<int, int>> gcrodr_sizes(_p_KSP* ksp) {
  PetscErrorCode (*get)(KSP, PetscInt*, PetscInt*) = nullptr;
  OPFORGE_PETSC_CALL(PetscObjectQueryFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetSizes_C", &get));
  if (!get) return std::nullopt;
  PetscInt m = 0, k = 0;
  OPFORGE_PETSC_CALL(get(ksp, &m, &k));
  return std::make_pair(static_cast<int>(m), static_cast<int>(k));
}

int gcrodr_recycled_dimension(_p_KSP* ksp) {
  PetscErrorCode (*get)(KSP, PetscInt*) = nullptr;
  OPFORGE_PETSC_CALL(PetscObjectQueryFunction(reinterpret_cast<PetscObject>(ksp), "KSPGCRODRGetRecycled_C", &get));
  PetscInt k_eff = 0;
  if (get) OPFORGE_PETSC_CALL(get(ksp, &k_eff));
  return static_cast<int>(k_eff);
}

}  // namespace opforge::solve

#include "opforge/solve/grid_system.hpp"

#include <petscdmda.h>

#include <vector>

#include "opforge/core/mpi_native.hpp"
#include "opforge/core/petsc_check.hpp"
#include "opforge/core/petsc_object.hpp"

namespace opforge::solve {

struct GridSystem::Impl {
  std::int64_t s = 0;
  std::int64_t coarsest_grid_nodes = 0;
  /// Grid node of DMDA point 0 on each axis: 1 when the boundary is
  /// eliminated, 0 when every node is unknown.
  std::int64_t offset = 1;
  PetscOwner<DM> da;
  PetscOwner<Mat> A;
  PetscOwner<Vec> b, x, r, natural, gathered;
  PetscOwner<VecScatter> to_zero;
  /// PETSc global index of every point of the ghosted local box, x fastest
  /// (what MatSetValuesStencil looks up per entry, computed once).
  std::vector<PetscInt> ghosted_global;
  PetscInt ghost_x = 0, ghost_y = 0, ghost_width = 0;
  PetscInt global_index(PetscInt i, PetscInt j) const {
    return ghosted_global[static_cast<std::size_t>((j - ghost_y) * ghost_width + (i - ghost_x))];
  }
};

GridSystem::GridSystem(const Communicator& comm, std::int64_t s, std::int64_t coarsest_grid_nodes, bool all_nodes)
    : impl_(std::make_unique<Impl>()) {
  OPFORGE_CHECK(s >= 3, UsageError, "grid resolution must be >= 3, got ", s);
  Impl& m = *impl_;
  m.s = s;
  m.coarsest_grid_nodes = coarsest_grid_nodes;
  m.offset = all_nodes ? 0 : 1;
  const auto points = static_cast<PetscInt>(s - 2 * m.offset);
  OPFORGE_PETSC_CALL(DMDACreate2d(native(comm), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                                  all_nodes ? DMDA_STENCIL_BOX : DMDA_STENCIL_STAR, points, points, PETSC_DECIDE,
                                  PETSC_DECIDE, 1, 1, nullptr, nullptr, m.da.out()));
  OPFORGE_PETSC_CALL(DMSetUp(m.da));
  OPFORGE_PETSC_CALL(DMCreateMatrix(m.da, m.A.out()));
  OPFORGE_PETSC_CALL(MatSetOption(m.A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  OPFORGE_PETSC_CALL(DMCreateGlobalVector(m.da, m.b.out()));
  OPFORGE_PETSC_CALL(VecDuplicate(m.b, m.x.out()));
  OPFORGE_PETSC_CALL(VecDuplicate(m.b, m.r.out()));
  OPFORGE_PETSC_CALL(DMDACreateNaturalVector(m.da, m.natural.out()));
  OPFORGE_PETSC_CALL(VecScatterCreateToZero(m.natural, m.to_zero.out(), m.gathered.out()));
  ISLocalToGlobalMapping local_to_global;  // owned by the DMDA
  OPFORGE_PETSC_CALL(DMGetLocalToGlobalMapping(m.da, &local_to_global));
  PetscInt count = 0;
  const PetscInt* indices = nullptr;
  OPFORGE_PETSC_CALL(ISLocalToGlobalMappingGetSize(local_to_global, &count));
  OPFORGE_PETSC_CALL(ISLocalToGlobalMappingGetIndices(local_to_global, &indices));
  m.ghosted_global.assign(indices, indices + count);
  OPFORGE_PETSC_CALL(ISLocalToGlobalMappingRestoreIndices(local_to_global, &indices));
  OPFORGE_PETSC_CALL(DMDAGetGhostCorners(m.da, &m.ghost_x, &m.ghost_y, nullptr, &m.ghost_width, nullptr, nullptr));
}

GridSystem::~GridSystem() = default;

_p_DM* GridSystem::grid() const { return impl_->da; }
std::int64_t GridSystem::coarsest_grid_nodes() const { return impl_->coarsest_grid_nodes; }
bool GridSystem::all_nodes() const { return impl_->offset == 0; }
_p_Mat* GridSystem::matrix() const { return impl_->A; }
_p_Vec* GridSystem::rhs() const { return impl_->b; }
_p_Vec* GridSystem::solution() const { return impl_->x; }
void GridSystem::clear_solution() { OPFORGE_PETSC_CALL(VecZeroEntries(impl_->x)); }
std::int64_t GridSystem::unknowns() const {
  const auto points = impl_->s - 2 * impl_->offset;
  return points * points;
}

void GridSystem::assemble_matrix(const pde::EllipticOperator& op) {
  Impl& m = *impl_;
  OPFORGE_CHECK(op.s == m.s, InternalError, "operator of size ", op.s, " for a grid of size ", m.s);
  OPFORGE_CHECK(op.nine_point() == all_nodes(), InternalError, "a ", op.nine_point() ? "nine" : "five",
                "-point operator for a grid of ", all_nodes() ? "all" : "interior", " nodes");
  OPFORGE_PETSC_CALL(MatZeroEntries(m.A));
  if (op.nine_point()) {
    assemble_nine_point(op);
  } else {
    assemble_five_point(op);
  }
  OPFORGE_PETSC_CALL(MatAssemblyBegin(m.A, MAT_FINAL_ASSEMBLY));
  OPFORGE_PETSC_CALL(MatAssemblyEnd(m.A, MAT_FINAL_ASSEMBLY));
}

void GridSystem::assemble_nine_point(const pde::EllipticOperator& op) {
  Impl& m = *impl_;
  PetscInt xs, ys, xm, ym;
  OPFORGE_PETSC_CALL(DMDAGetCorners(m.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const auto last = static_cast<PetscInt>(m.s - 1);
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const auto& stencil = op.stencil[op.index(i, j)];
      const PetscInt row = m.global_index(i, j);
      PetscInt columns[9];
      PetscScalar values[9];
      int count = 0;
      for (PetscInt di = -1; di <= 1; ++di)
        for (PetscInt dj = -1; dj <= 1; ++dj) {
          const PetscInt ci = i + di, cj = j + dj;
          if (ci < 0 || cj < 0 || ci > last || cj > last) continue;
          columns[count] = m.global_index(ci, cj);
          values[count++] = stencil[static_cast<std::size_t>(3 * (di + 1) + dj + 1)];
        }
      OPFORGE_PETSC_CALL(MatSetValues(m.A, 1, &row, count, columns, values, INSERT_VALUES));
    }
}

void GridSystem::assemble_five_point(const pde::EllipticOperator& op) {
  Impl& m = *impl_;
  PetscInt xs, ys, xm, ym;
  OPFORGE_PETSC_CALL(DMDAGetCorners(m.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const PetscInt last = static_cast<PetscInt>(m.s - 3);  // last interior DMDA index
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const std::int64_t gi = i + 1, gj = j + 1;  // grid node of DMDA point (i, j)
      const PetscInt row = m.global_index(i, j);
      if (op.dirichlet[op.index(gi, gj)]) {
        OPFORGE_PETSC_CALL(MatSetValues(m.A, 1, &row, 1, &row, &op.dirichlet_diagonal, INSERT_VALUES));
        continue;
      }
      // Global indices straight from the table; a negative column (outer
      // boundary or masked node, both moved to the RHS) is skipped by PETSc.
      PetscInt columns[5] = {row, -1, -1, -1, -1};
      PetscScalar values[5] = {op.diagonal(gi, gj), 0, 0, 0, 0};
      auto couple = [&](int slot, PetscInt ci, PetscInt cj, double weight) {
        if (ci < 0 || cj < 0 || ci > last || cj > last) return;
        if (op.dirichlet[op.index(ci + 1, cj + 1)]) return;
        columns[slot] = m.global_index(ci, cj);
        values[slot] = -weight;
      };
      couple(1, i + 1, j, op.east[op.index(gi, gj)]);
      couple(2, i - 1, j, op.east[op.index(gi - 1, gj)]);
      couple(3, i, j + 1, op.north[op.index(gi, gj)]);
      couple(4, i, j - 1, op.north[op.index(gi, gj - 1)]);
      OPFORGE_PETSC_CALL(MatSetValues(m.A, 1, &row, 5, columns, values, INSERT_VALUES));
    }
}

void GridSystem::assemble_rhs(const pde::EllipticOperator& op) {
  Impl& m = *impl_;
  PetscInt xs, ys, xm, ym;
  OPFORGE_PETSC_CALL(DMDAGetCorners(m.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscScalar** b = nullptr;
  OPFORGE_PETSC_CALL(DMDAVecGetArray(m.da, m.b, &b));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const std::int64_t gi = i + m.offset, gj = j + m.offset;
      const std::size_t k = op.index(gi, gj);
      if (op.nine_point())
        b[j][i] = op.load[k];
      else
        b[j][i] = op.dirichlet[k] ? op.dirichlet_diagonal * op.boundary[k] : op.rhs(gi, gj);
    }
  OPFORGE_PETSC_CALL(DMDAVecRestoreArray(m.da, m.b, &b));
}

double GridSystem::true_relative_residual() const {
  Impl& m = *impl_;
  OPFORGE_PETSC_CALL(MatMult(m.A, m.x, m.r));
  OPFORGE_PETSC_CALL(VecAYPX(m.r, -1.0, m.b));
  PetscReal residual = 0, rhs = 0;
  OPFORGE_PETSC_CALL(VecNorm(m.r, NORM_2, &residual));
  OPFORGE_PETSC_CALL(VecNorm(m.b, NORM_2, &rhs));
  return rhs > 0 ? residual / rhs : residual;
}

pde::Field2D GridSystem::gather_solution(const pde::EllipticOperator& op) const {
  Impl& m = *impl_;
  OPFORGE_PETSC_CALL(DMDAGlobalToNaturalBegin(m.da, m.x, INSERT_VALUES, m.natural));
  OPFORGE_PETSC_CALL(DMDAGlobalToNaturalEnd(m.da, m.x, INSERT_VALUES, m.natural));
  OPFORGE_PETSC_CALL(VecScatterBegin(m.to_zero, m.natural, m.gathered, INSERT_VALUES, SCATTER_FORWARD));
  OPFORGE_PETSC_CALL(VecScatterEnd(m.to_zero, m.natural, m.gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscInt local = 0;
  OPFORGE_PETSC_CALL(VecGetLocalSize(m.gathered, &local));
  if (local == 0) return {};
  pde::Field2D u(m.s);
  const PetscScalar* values = nullptr;
  OPFORGE_PETSC_CALL(VecGetArrayRead(m.gathered, &values));
  const std::int64_t n = m.s - 2 * m.offset;
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i) u(i + m.offset, j + m.offset) = values[j * n + i];  // natural order: x fastest
  OPFORGE_PETSC_CALL(VecRestoreArrayRead(m.gathered, &values));
  for (std::size_t k = 0; k < u.values.size(); ++k)
    if (op.dirichlet[k]) u.values[k] = op.boundary[k];
  return u;
}

}  // namespace opforge::solve

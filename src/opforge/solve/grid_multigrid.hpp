#pragma once
/// @file
/// Geometric multigrid for a GridSystem: PETSc's PCMG with a grid hierarchy
/// built from the system's DMDA. Each coarse grid keeps every other node of
/// the finer one (the odd interior indices: M -> floor(M / 2) nodes per
/// axis), so the grids are nested at every level; for an even M the coarse
/// cell next to the far boundary is half as wide. Interpolation is bilinear
/// (injection at coarse nodes, averages between them, zero Dirichlet values
/// on the boundary); coarse operators are Galerkin products P^T A P, so only
/// they (a few sparse triple products) are recomputed when the matrix
/// changes. That reuses the one hierarchy for every system of a sequence,
/// where an algebraic multigrid rebuilds its whole setup per system. Nested
/// grids keep the coarse operators 9-point: an earlier hierarchy of uniform
/// non-nested grids (M -> (M - 1) / 2) made them 20-point, costlier than
/// the fine level (docs/benchmarks.md).
///
/// Selected with `pc_type: mg` (or -pc_type mg); -pc_mg_levels sets the
/// depth. By default it coarsens down to about 8 x 8 while the coarse grid
/// keeps >= 4 nodes per axis, 2 per process and
/// GridSystem::coarsest_grid_nodes() (which resolves the waves of an
/// indefinite Helmholtz operator). Options -mg_levels_* reach the
/// pre-smoothers, -mg_levels_up_* the post-smoothers, -mg_coarse_* the
/// coarse solver. The default smoother is one forward Gauss-Seidel sweep
/// before and one backward sweep after (Richardson with SOR, process-local
/// in parallel), which needs no setup and keeps the V-cycle symmetric, so
/// CG may use it; the coarsest grid is solved by LU (redundantly in
/// parallel), also when no coarsening is possible.

#include <cstdint>
#include <vector>

struct _p_PC;

namespace opforge::solve {

class GridSystem;

/// Interior nodes per axis of the next coarser grid: floor(fine / 2).
std::int64_t coarser_grid_size(std::int64_t fine);

/// Interior node counts per axis from the finest grid down, for `levels`
/// levels, or automatically (levels <= 0). Never coarsens below
/// `min_per_axis` nodes per axis.
std::vector<std::int64_t> grid_hierarchy_sizes(std::int64_t finest, int levels, std::int64_t min_per_axis = 4);

/// One fine node's bilinear interpolation from the next coarser grid along
/// one axis: coarse nodes `left` and `left + 1` with their weights; an index
/// outside [0, coarse) is a boundary node (value 0), its weight is to be
/// dropped.
struct LinearStencil {
  std::int64_t left = 0;
  double left_weight = 0.0;
  double right_weight = 0.0;
};
/// Interior node `i` of a grid against its nested coarser grid (weights 1 or
/// 1/2, exact).
LinearStencil nested_interpolation_stencil(std::int64_t i);

/// Turn `pc` (of type PCMG) into geometric multigrid on `system`'s grid. The
/// level count is -pc_mg_levels (with the PC's prefix) if given, capped
/// to what the grid allows, else automatic. Collective on the system's
/// communicator.
void setup_grid_multigrid(_p_PC* pc, const GridSystem& system);

/// True when `pc` is of type PCMG.
bool is_multigrid(_p_PC* pc);

}  // namespace opforge::solve

#pragma once
/// @file
/// Plate geometries of the heat family, as Dirichlet masks on the node grid.

#include <cstdint>
#include <string>
#include <vector>

namespace opforge::pde {

/// Names accepted by heat_dirichlet_mask.
std::vector<std::string> heat_geometries();

/// 1 at nodes whose temperature is fixed: the outer boundary, plus the slot
/// (x in [0.4, 0.6], y in [0.25, 0.75]) for "slot", or the removed quadrant
/// (x > 0.5 and y > 0.5) for "l_shape"; "rectangle" has neither.
std::vector<std::uint8_t> heat_dirichlet_mask(std::int64_t s, const std::string& geometry);

/// 1 at the nodes of the slot or removed quadrant (not the outer boundary).
std::vector<std::uint8_t> heat_cutout_mask(std::int64_t s, const std::string& geometry);

}  // namespace opforge::pde

#pragma once
/// @file
/// Strategies that choose the order in which a group solves its systems
/// (`order:` in the config). Recycling solvers gain when neighbours in the
/// order are alike; the order is computed over all samples and then cut into
/// one contiguous piece per solver group.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"

namespace opforge::generate {

/// Compact descriptions of all samples' parameters: row i (length `dim`)
/// is sample i's input fields averaged over blocks of a coarse grid.
struct Signatures {
  std::int64_t count = 0;
  std::int64_t dim = 0;
  std::vector<double> values;  ///< count x dim, row-major
  const double* row(std::int64_t i) const { return values.data() + i * dim; }
};

class SolveOrder {
public:
  virtual ~SolveOrder() = default;
  virtual std::string name() const = 0;
  /// Coarse grid points per side of the signatures; 0 = needs none.
  virtual std::int64_t signature_size() const { return 0; }
  /// A permutation of 0..n-1 (`signatures` is empty when signature_size() is 0).
  virtual std::vector<std::int64_t> arrange(std::int64_t n, const Signatures& signatures) const = 0;
};

using SolveOrderRegistry = Registry<SolveOrder, const config::Section&>;
/// Every strategy, registered in one explicit list.
const SolveOrderRegistry& solve_orders();

/// The signature of one sample: each field (s x s, x-major) averaged over
/// size x size blocks, channels concatenated.
Signatures block_average_signatures(const std::vector<std::vector<double>>& fields, std::int64_t s,
                                    std::int64_t size);

/// Piece `group` of `groups` contiguous pieces of `sequence` (sizes differ by at most 1).
std::vector<std::int64_t> piece_of(const std::vector<std::int64_t>& sequence, int group, int groups);

}  // namespace opforge::generate

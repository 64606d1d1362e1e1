#pragma once
/// @file
/// Strategies that choose the order in which a group solves its systems
/// (`order:` in the config). Recycling solvers gain when neighbours in the
/// order are alike; the order is computed over all samples and then cut into
/// one contiguous piece per solver group.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"

namespace opforge::generate {

/// A compact description of sample i's parameters (e.g. its input fields),
/// used by strategies that compare samples.
using SignatureFunction = std::function<std::vector<double>(std::int64_t)>;

class SolveOrder {
public:
  virtual ~SolveOrder() = default;
  virtual std::string name() const = 0;
  /// A permutation of 0..n-1.
  virtual std::vector<std::int64_t> arrange(std::int64_t n, const SignatureFunction& signature) const = 0;
};

using SolveOrderRegistry = Registry<SolveOrder, const config::Section&>;
/// Every strategy, registered in one explicit list.
const SolveOrderRegistry& solve_orders();

/// Piece `group` of `groups` contiguous pieces of `sequence` (sizes differ by at most 1).
std::vector<std::int64_t> piece_of(const std::vector<std::int64_t>& sequence, int group, int groups);

}  // namespace opforge::generate

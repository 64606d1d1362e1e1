#include "opforge/generate/solve_order.hpp"

#include <numeric>

namespace opforge::generate {

std::unique_ptr<SolveOrder> make_natural_order(const config::Section& section);

const SolveOrderRegistry& solve_orders() {
  static const SolveOrderRegistry registry = [] {
    SolveOrderRegistry r("solve order");
    r.add("natural", make_natural_order, "sample index order");
    return r;
  }();
  return registry;
}

std::vector<std::int64_t> piece_of(const std::vector<std::int64_t>& sequence, int group, int groups) {
  const auto n = static_cast<std::int64_t>(sequence.size());
  const std::int64_t begin = n * group / groups, end = n * (group + 1) / groups;
  return std::vector<std::int64_t>(sequence.begin() + begin, sequence.begin() + end);
}

}  // namespace opforge::generate

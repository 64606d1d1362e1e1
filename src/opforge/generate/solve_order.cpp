#include "opforge/generate/solve_order.hpp"

#include <numeric>

namespace opforge::generate {

std::unique_ptr<SolveOrder> make_natural_order(const config::Section& section);
std::unique_ptr<SolveOrder> make_greedy_order(const config::Section& section);
std::unique_ptr<SolveOrder> make_pca_hilbert_order(const config::Section& section);

const SolveOrderRegistry& solve_orders() {
  static const SolveOrderRegistry registry = [] {
    SolveOrderRegistry r("solve order");
    r.add("natural", make_natural_order, "sample index order");
    r.add("greedy", make_greedy_order, "nearest-neighbour chain on parameter signatures (SKR), O(N^2 d)");
    r.add("pca_hilbert", make_pca_hilbert_order, "Hilbert curve through the 2 leading principal components, O(N d)");
    return r;
  }();
  return registry;
}

Signatures block_average_signatures(const std::vector<std::vector<double>>& fields, std::int64_t s,
                                    std::int64_t size) {
  Signatures out;
  out.count = 1;
  out.dim = static_cast<std::int64_t>(fields.size()) * size * size;
  out.values.assign(static_cast<std::size_t>(out.dim), 0.0);
  std::vector<double> counts(static_cast<std::size_t>(size * size), 0.0);
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) counts[static_cast<std::size_t>((i * size / s) * size + j * size / s)] += 1;
  for (std::size_t c = 0; c < fields.size(); ++c) {
    double* block = out.values.data() + c * static_cast<std::size_t>(size * size);
    for (std::int64_t i = 0; i < s; ++i)
      for (std::int64_t j = 0; j < s; ++j)
        block[(i * size / s) * size + j * size / s] += fields[c][static_cast<std::size_t>(i * s + j)];
    for (std::int64_t b = 0; b < size * size; ++b) block[b] /= counts[static_cast<std::size_t>(b)];
  }
  return out;
}

std::vector<std::int64_t> piece_of(const std::vector<std::int64_t>& sequence, int group, int groups) {
  const auto n = static_cast<std::int64_t>(sequence.size());
  const std::int64_t begin = n * group / groups, end = n * (group + 1) / groups;
  return std::vector<std::int64_t>(sequence.begin() + begin, sequence.begin() + end);
}

}  // namespace opforge::generate

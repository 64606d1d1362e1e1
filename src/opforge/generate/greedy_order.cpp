// greedy: the SKR paper's sort. Start from sample 0 and repeatedly move to the
// nearest sample not yet visited, distances measured between signatures in
// the Frobenius (2-), 1- or infinity norm. O(N^2 d) time, O(N) extra memory.

#include <cmath>
#include <limits>

#include "opforge/generate/solve_order.hpp"

namespace opforge::generate {
namespace {

class GreedyOrder final : public SolveOrder {
public:
  explicit GreedyOrder(const config::Section& s)
      : norm_(s.choice("norm", {"fro", "l1", "linf"}, std::string("fro"))),
        size_(s.get<std::int64_t>("signature_size", 8, config::at_least(1))) {}

  std::string name() const override { return "greedy"; }
  std::int64_t signature_size() const override { return size_; }

  std::vector<std::int64_t> arrange(std::int64_t n, const Signatures& sig) const override {
    std::vector<std::int64_t> order;
    order.reserve(static_cast<std::size_t>(n));
    std::vector<bool> visited(static_cast<std::size_t>(n), false);
    std::int64_t current = 0;
    for (std::int64_t step = 0; step < n; ++step) {
      order.push_back(current);
      visited[static_cast<std::size_t>(current)] = true;
      std::int64_t best = -1;
      double best_distance = std::numeric_limits<double>::infinity();
      for (std::int64_t candidate = 0; candidate < n; ++candidate) {
        if (visited[static_cast<std::size_t>(candidate)]) continue;
        const double d = distance(sig.row(current), sig.row(candidate), sig.dim, best_distance);
        if (d < best_distance) {
          best_distance = d;
          best = candidate;
        }
      }
      current = best;
    }
    return order;
  }

private:
  /// Distance (squared for fro) with early exit once it exceeds `bound`.
  double distance(const double* a, const double* b, std::int64_t dim, double bound) const {
    double d = 0;
    for (std::int64_t k = 0; k < dim; ++k) {
      const double diff = std::abs(a[k] - b[k]);
      if (norm_ == "fro") d += diff * diff;
      else if (norm_ == "l1") d += diff;
      else d = std::max(d, diff);
      if (d >= bound) return d;
    }
    return d;
  }

  std::string norm_;
  std::int64_t size_;
};

}  // namespace

std::unique_ptr<SolveOrder> make_greedy_order(const config::Section& section) {
  return std::make_unique<GreedyOrder>(section);
}

}  // namespace opforge::generate

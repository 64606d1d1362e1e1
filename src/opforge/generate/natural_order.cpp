// natural: solve samples in index order.

#include <numeric>

#include "opforge/generate/solve_order.hpp"

namespace opforge::generate {
namespace {

class NaturalOrder final : public SolveOrder {
public:
  std::string name() const override { return "natural"; }
  std::vector<std::int64_t> arrange(std::int64_t n, const Signatures&) const override {
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    return order;
  }
};

}  // namespace

std::unique_ptr<SolveOrder> make_natural_order(const config::Section&) { return std::make_unique<NaturalOrder>(); }

}  // namespace opforge::generate

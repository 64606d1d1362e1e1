#include "opforge/train/spectral/points_major.hpp"

namespace opforge::train {

namespace {

/// The order [2, ..., d + 1, 0, 1] of a points-major tensor's memory axes.
std::vector<std::int64_t> points_major_order(std::int64_t d) {
  std::vector<std::int64_t> order;
  for (std::int64_t a = 0; a < d; ++a) order.push_back(2 + a);
  order.insert(order.end(), {0, 1});
  return order;
}

}  // namespace

bool is_points_major(const torch::Tensor& x) {
  if (x.dim() < 3) return false;
  std::int64_t expected = 1;
  const auto order = points_major_order(x.dim() - 2);
  for (auto a = order.rbegin(); a != order.rend(); ++a) {
    if (x.size(*a) != 1 && x.stride(*a) != expected) return false;
    expected *= x.size(*a);
  }
  return true;
}

torch::Tensor points_major_memory(const torch::Tensor& x) { return x.permute(points_major_order(x.dim() - 2)); }

torch::Tensor points_major_view(const torch::Tensor& memory) {
  // Memory axes d, d + 1 (B, C) first again, then the points' axes.
  const auto d = memory.dim() - 2;
  std::vector<std::int64_t> back{d, d + 1};
  for (std::int64_t a = 0; a < d; ++a) back.push_back(a);
  return memory.permute(back);
}

torch::Tensor empty_points_major(const std::vector<std::int64_t>& sizes, const torch::TensorOptions& options) {
  std::vector<std::int64_t> memory(sizes.begin() + 2, sizes.end());
  memory.insert(memory.end(), {sizes[0], sizes[1]});
  return points_major_view(torch::empty(memory, options));
}

torch::Tensor to_points_major(const torch::Tensor& x) {
  if (is_points_major(x)) return x;
  auto y = empty_points_major(x.sizes().vec(), x.options());
  y.copy_(x);
  return y;
}

}  // namespace opforge::train

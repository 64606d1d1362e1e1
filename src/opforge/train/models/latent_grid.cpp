#include "opforge/train/models/latent_grid.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <tuple>

#include "opforge/core/error.hpp"
#include "opforge/train/spectral/backend.hpp"

namespace opforge::train {

torch::Tensor fourier_resampling_matrix(std::int64_t from, std::int64_t to) {
  OPFORGE_CHECK(from >= 1 && to >= 1, UsageError, "Fourier resampling from ", from, " to ", to, " points");
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  // M[j, i] = (1/from) sum_{|k| <= K} exp(2 pi i k (j/to - i/from)): the
  // inverse DFT at the new points of the kept part of the old grid's DFT.
  const auto phase = 2.0 * M_PI *
                     (torch::arange(to, options).div(double(to)).unsqueeze(1) -
                      torch::arange(from, options).div(double(from)).unsqueeze(0));
  auto matrix = torch::ones({to, from}, options);
  const std::int64_t kept = (std::min(from, to) - 1) / 2;
  for (std::int64_t k = 1; k <= kept; ++k) matrix += 2.0 * torch::cos(double(k) * phase);
  return matrix / double(from);
}

namespace {

/// fourier_resampling_matrix in the dtype and on the device of `like`, built
/// once per (from, to, dtype, device): building takes a tenth of a
/// millisecond, and a LESnets call resamples six axes.
torch::Tensor cached_resampling_matrix(std::int64_t from, std::int64_t to, const torch::Tensor& like) {
  static std::mutex mutex;
  static std::map<std::tuple<std::int64_t, std::int64_t, c10::ScalarType, std::string>, torch::Tensor> cache;
  const auto key = std::make_tuple(from, to, like.scalar_type(), like.device().str());
  const std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(key);
  if (found == cache.end())
    found = cache.emplace(key, fourier_resampling_matrix(from, to).to(like.options()).contiguous()).first;
  return found->second;
}

}  // namespace

torch::Tensor resample_periodic(const torch::Tensor& x, const std::vector<std::int64_t>& sizes) {
  // An axis that stays as it is and is a broadcast (stride 0: every entry the
  // same, as the roll-out's u0 repeated over K frames) is resampled once and
  // broadcast again: a tenth of the work on a LESnets input.
  auto targets = sizes;
  std::vector<std::int64_t> broadcast_axes;
  torch::Tensor y = x;
  for (std::size_t a = 0; a < sizes.size(); ++a) {
    const auto axis = static_cast<std::int64_t>(2 + a);
    if (x.stride(axis) == 0 && x.size(axis) > 1 && (sizes[a] == 0 || sizes[a] == x.size(axis))) {
      y = y.narrow(axis, 0, 1);
      targets[a] = 0;
      broadcast_axes.push_back(axis);
    }
  }
  // Growing, the innermost axes go first, while the array is smallest:
  // they are the ones with short runs after them, whose product moves the
  // axis to the front and back (on a LESnets output, 0.7 million values
  // copied instead of 1.8). Shrinking, the outermost go first.
  std::int64_t before_size = 1, after_size = 1;
  for (std::size_t a = 0; a < targets.size(); ++a) {
    before_size *= y.size(static_cast<std::int64_t>(2 + a));
    after_size *= targets[a] == 0 ? y.size(static_cast<std::int64_t>(2 + a)) : targets[a];
  }
  std::vector<std::size_t> order(targets.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (after_size > before_size) std::reverse(order.begin(), order.end());
  for (const auto a : order) {
    const auto axis = static_cast<std::int64_t>(2 + a);
    const auto from = y.size(axis);
    if (targets[a] == 0 || targets[a] == from) continue;
    const auto to = targets[a];
    const auto matrix = cached_resampling_matrix(from, to, y);
    // [before, n, after] -> [before, m, after], contiguous so that the next
    // axis and the caller's pointwise work read it in order. With a long
    // run of points after the axis, one GEMM per leading index (a batched
    // product against the shared matrix); with a short one, the axis moved
    // to the front and one GEMM for all. Restricting a LESnets input: 1.7
    // ms, against 2.7 with einsum, whose permuted result also made the
    // input skip's addition take 2 ms instead of 0.15.
    auto shape = y.sizes().vec();
    const auto before = std::accumulate(shape.begin(), shape.begin() + axis, std::int64_t{1}, std::multiplies<>());
    const auto after = y.numel() / (before * from);
    shape[static_cast<std::size_t>(axis)] = to;
    const auto lines = y.reshape({before, from, after});
    if (after >= 64)
      y = torch::bmm(matrix.expand({before, to, from}), lines);
    else
      y = matrix.mm(lines.transpose(0, 1).reshape({from, -1})).view({to, before, after}).transpose(0, 1).contiguous();
    y = y.view(shape);
  }
  if (broadcast_axes.empty()) return y;
  auto shape = y.sizes().vec();
  for (const auto axis : broadcast_axes) shape[static_cast<std::size_t>(axis)] = x.size(axis);
  return y.expand(shape);
}

std::vector<std::int64_t> spatial_sizes(const torch::Tensor& x) {
  const auto sizes = x.sizes().vec();
  return {sizes.begin() + 2, sizes.end()};
}

std::vector<std::int64_t> parse_latent_grid(const config::Section& s, const std::vector<std::int64_t>& modes,
                                            const std::vector<std::int64_t>& padding) {
  if (!s.has("latent_grid")) return {};
  auto grid = s.get<std::vector<std::int64_t>>("latent_grid", {}, config::at_least(0));
  if (grid.size() != modes.size())
    s.fail("latent_grid", "needs one entry per axis (" + std::to_string(modes.size()) + "), 0 for the data's size");
  for (std::size_t a = 0; a < grid.size(); ++a) {
    if (grid[a] == 0) continue;
    const auto axis = std::to_string(a);
    if (padding[a] != 0)
      s.fail("latent_grid", "axis " + axis + " is padded (non-periodic); Fourier resampling needs a periodic axis: " +
                                "use 0 there");
    if (modes[a] > max_kept_modes(grid[a], a + 1 == grid.size()))
      s.fail("latent_grid", "axis " + axis + " has " + std::to_string(grid[a]) + " points, too few for " +
                                std::to_string(modes[a]) + " modes (at least " +
                                std::to_string(a + 1 < grid.size() ? 2 * modes[a] : 2 * (modes[a] - 1)) + ")");
  }
  return grid;
}

}  // namespace opforge::train

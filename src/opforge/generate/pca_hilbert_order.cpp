// pca_hilbert: a sort that scales to 10^5-10^6 samples. Project the
// signatures on their two leading principal components (power iteration on
// the d x d covariance), quantise to a 2^16 x 2^16 grid and order samples
// along a Hilbert curve, which keeps neighbours in the plane close in the
// sequence. O(N d^2 + N log N).

#include <algorithm>
#include <cmath>
#include <numeric>

#include "opforge/generate/solve_order.hpp"

namespace opforge::generate {
namespace {

/// Position of (x, y) along the Hilbert curve of order `bits`.
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, int bits) {
  std::uint64_t index = 0;
  for (std::uint32_t side = 1u << (bits - 1); side > 0; side >>= 1) {
    const std::uint32_t rx = (x & side) ? 1 : 0, ry = (y & side) ? 1 : 0;
    index += static_cast<std::uint64_t>(side) * side * ((3 * rx) ^ ry);
    if (ry == 0) {  // rotate the quadrant
      if (rx == 1) {
        x = side - 1 - (x & (side - 1));
        y = side - 1 - (y & (side - 1));
      }
      std::swap(x, y);
    }
  }
  return index;
}

class PcaHilbertOrder final : public SolveOrder {
public:
  explicit PcaHilbertOrder(const config::Section& s)
      : size_(s.get<std::int64_t>("signature_size", 8, config::at_least(1))) {}

  std::string name() const override { return "pca_hilbert"; }
  std::int64_t signature_size() const override { return size_; }

  std::vector<std::int64_t> arrange(std::int64_t n, const Signatures& sig) const override {
    const std::int64_t d = sig.dim;
    std::vector<double> mean(static_cast<std::size_t>(d), 0.0);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t k = 0; k < d; ++k) mean[k] += sig.row(i)[k] / double(n);
    std::vector<double> cov(static_cast<std::size_t>(d * d), 0.0);
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t a = 0; a < d; ++a) {
        const double xa = sig.row(i)[a] - mean[a];
        for (std::int64_t b = 0; b < d; ++b) cov[a * d + b] += xa * (sig.row(i)[b] - mean[b]);
      }
    // Two leading eigenvectors by power iteration with deflation.
    std::vector<std::vector<double>> axes;
    for (int component = 0; component < 2; ++component) {
      std::vector<double> v(static_cast<std::size_t>(d));
      for (std::int64_t k = 0; k < d; ++k) v[k] = 1.0 + 0.01 * double(k % 7) + component * double(k % 2);
      for (int it = 0; it < 200; ++it) {
        std::vector<double> w(static_cast<std::size_t>(d), 0.0);
        for (std::int64_t a = 0; a < d; ++a)
          for (std::int64_t b = 0; b < d; ++b) w[a] += cov[a * d + b] * v[b];
        for (const auto& previous : axes) {
          const double dot = std::inner_product(w.begin(), w.end(), previous.begin(), 0.0);
          for (std::int64_t k = 0; k < d; ++k) w[k] -= dot * previous[k];
        }
        const double norm = std::sqrt(std::inner_product(w.begin(), w.end(), w.begin(), 0.0));
        if (norm == 0.0) break;
        for (std::int64_t k = 0; k < d; ++k) v[k] = w[k] / norm;
      }
      axes.push_back(v);
    }
    std::vector<double> px(static_cast<std::size_t>(n)), py(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t k = 0; k < d; ++k) {
        px[i] += (sig.row(i)[k] - mean[k]) * axes[0][k];
        py[i] += (sig.row(i)[k] - mean[k]) * axes[1][k];
      }
    auto quantise = [](const std::vector<double>& values) {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      const double span = std::max(*hi - *lo, 1e-300);
      std::vector<std::uint32_t> q(values.size());
      for (std::size_t i = 0; i < values.size(); ++i)
        q[i] = static_cast<std::uint32_t>(std::min(65535.0, std::floor(65535.0 * (values[i] - *lo) / span)));
      return q;
    };
    const auto qx = quantise(px), qy = quantise(py);
    std::vector<std::uint64_t> key(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) key[i] = hilbert_index(qx[i], qy[i], 16);
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return key[a] < key[b]; });
    return order;
  }

private:
  std::int64_t size_;
};

}  // namespace

std::unique_ptr<SolveOrder> make_pca_hilbert_order(const config::Section& section) {
  return std::make_unique<PcaHilbertOrder>(section);
}

}  // namespace opforge::generate

#include "opforge/pde/q1_operator.hpp"

#include <cmath>

#include "opforge/core/error.hpp"

namespace opforge::pde {

namespace {

/// The element's nodes in the order (0, 0), (1, 0), (0, 1), (1, 1) of
/// (x offset, y offset), and the bilinear shape functions at (x, y) in [0, 1]^2.
constexpr std::array<std::array<int, 2>, 4> corners{{{0, 0}, {1, 0}, {0, 1}, {1, 1}}};
std::array<double, 4> shape(double x, double y) { return {(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y}; }

/// Integrals over the unit element, by 3 x 3 Gauss points (exact for these
/// polynomials): stiffness[a][b] = int grad N_a . grad N_b (scale-free for
/// squares), mass[c][a][b] = int N_c N_a N_b (k^2 bilinear through its node
/// values c), load[c][a] = int N_c N_a.
struct ElementIntegrals {
  std::array<std::array<double, 4>, 4> stiffness{};
  std::array<std::array<std::array<double, 4>, 4>, 4> mass{};
  std::array<std::array<double, 4>, 4> load{};
  ElementIntegrals() {
    const double r = std::sqrt(0.6);
    const std::array<double, 3> points{(1 - r) / 2, 0.5, (1 + r) / 2}, weights{5.0 / 18, 8.0 / 18, 5.0 / 18};
    for (std::size_t p = 0; p < 3; ++p)
      for (std::size_t q = 0; q < 3; ++q) {
        const double x = points[p], y = points[q], w = weights[p] * weights[q];
        const auto n = shape(x, y);
        const std::array<double, 4> dx{-(1 - y), 1 - y, -y, y}, dy{-(1 - x), -x, 1 - x, x};
        for (std::size_t a = 0; a < 4; ++a)
          for (std::size_t b = 0; b < 4; ++b) {
            stiffness[a][b] += w * (dx[a] * dx[b] + dy[a] * dy[b]);
            load[a][b] += w * n[a] * n[b];
            for (std::size_t c = 0; c < 4; ++c) mass[c][a][b] += w * n[c] * n[a] * n[b];
          }
      }
  }
};

}  // namespace

EllipticOperator discretize_q1(const NaturalBoundaryProblem& p) {
  const std::int64_t s = p.s;
  OPFORGE_CHECK(s >= 2, UsageError, "grid resolution must be >= 2, got ", s);
  const auto n = static_cast<std::size_t>(s * s);
  OPFORGE_CHECK(p.wavenumber_squared.values.empty() || p.wavenumber_squared.values.size() == n, InternalError,
                "wavenumber_squared has the wrong size");
  OPFORGE_CHECK(p.source.values.empty() || p.source.values.size() == n, InternalError, "source has the wrong size");
  for (const auto& side : p.flux)
    OPFORGE_CHECK(side.empty() || side.size() == static_cast<std::size_t>(s), InternalError,
                  "a side's flux has the wrong size");
  static const ElementIntegrals integral;
  const double h = 1.0 / double(s - 1);
  EllipticOperator op;
  op.s = s;
  op.stencil.assign(n, std::array<double, 9>{});
  op.load.assign(n, 0.0);
  op.dirichlet.assign(n, 0);
  auto k2 = [&](std::size_t k) { return p.wavenumber_squared.values.empty() ? 0.0 : p.wavenumber_squared.values[k]; };
  auto f = [&](std::size_t k) { return p.source.values.empty() ? 0.0 : p.source.values[k]; };
  for (std::int64_t ei = 0; ei + 1 < s; ++ei)
    for (std::int64_t ej = 0; ej + 1 < s; ++ej) {
      std::array<std::size_t, 4> node{};
      for (std::size_t a = 0; a < 4; ++a) node[a] = op.index(ei + corners[a][0], ej + corners[a][1]);
      for (std::size_t a = 0; a < 4; ++a) {
        auto& row = op.stencil[node[a]];
        for (std::size_t b = 0; b < 4; ++b) {
          double mass = 0.0;
          for (std::size_t c = 0; c < 4; ++c) mass += k2(node[c]) * integral.mass[c][a][b];
          const int di = corners[b][0] - corners[a][0], dj = corners[b][1] - corners[a][1];
          row[static_cast<std::size_t>(3 * (di + 1) + dj + 1)] += integral.stiffness[a][b] - h * h * mass;
        }
        for (std::size_t c = 0; c < 4; ++c) op.load[node[a]] += h * h * f(node[c]) * integral.load[c][a];
      }
    }
  // The flux, linear along each side: int g N_p ds over the side's segments.
  for (int side = 0; side < 4; ++side) {
    const auto& g = p.flux[static_cast<std::size_t>(side)];
    if (g.empty()) continue;
    auto node = [&](std::int64_t t) {
      switch (side) {
        case NaturalBoundaryProblem::bottom: return op.index(t, 0);
        case NaturalBoundaryProblem::top: return op.index(t, s - 1);
        case NaturalBoundaryProblem::left: return op.index(0, t);
        default: return op.index(s - 1, t);
      }
    };
    for (std::int64_t t = 0; t + 1 < s; ++t) {
      const double g0 = g[static_cast<std::size_t>(t)], g1 = g[static_cast<std::size_t>(t + 1)];
      op.load[node(t)] += h * (2 * g0 + g1) / 6;
      op.load[node(t + 1)] += h * (g0 + 2 * g1) / 6;
    }
  }
  return op;
}

}  // namespace opforge::pde

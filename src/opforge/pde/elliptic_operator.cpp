#include "opforge/pde/elliptic_operator.hpp"

#include "opforge/core/error.hpp"

namespace opforge::pde {

std::vector<std::uint8_t> outer_boundary_mask(std::int64_t s) {
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(s * s), 0);
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j)
      if (i == 0 || j == 0 || i == s - 1 || j == s - 1) mask[static_cast<std::size_t>(i * s + j)] = 1;
  return mask;
}

EllipticOperator discretize(const EllipticProblem& p) {
  const std::int64_t s = p.s;
  OPFORGE_CHECK(s >= 3, UsageError, "grid resolution must be >= 3, got ", s);
  const auto n = static_cast<std::size_t>(s * s);
  auto check_size = [&](const Field2D& field, const char* name) {
    OPFORGE_CHECK(field.values.empty() || field.values.size() == n, InternalError, name, " has the wrong size");
  };
  check_size(p.coefficient, "coefficient");
  check_size(p.wavenumber_squared, "wavenumber_squared");
  check_size(p.source, "source");
  check_size(p.boundary, "boundary");

  EllipticOperator op;
  op.s = s;
  op.east.assign(n, 0.0);
  op.north.assign(n, 0.0);
  op.shift.assign(n, 0.0);
  op.load.assign(n, 0.0);
  op.boundary.assign(n, 0.0);
  op.dirichlet = p.dirichlet.empty() ? outer_boundary_mask(s) : p.dirichlet;
  OPFORGE_CHECK(op.dirichlet.size() == n, InternalError, "Dirichlet mask has the wrong size");
  const double h = 1.0 / double(s - 1);
  auto a = [&](std::size_t k) { return p.coefficient.values.empty() ? 1.0 : p.coefficient.values[k]; };
  auto harmonic = [](double x, double y) { return 2.0 * x * y / (x + y); };
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) {
      const std::size_t k = op.index(i, j);
      OPFORGE_CHECK(a(k) > 0.0, UsageError, "coefficient must be positive, got ", a(k), " at node (", i, ", ", j, ")");
      if (i + 1 < s) op.east[k] = harmonic(a(k), a(op.index(i + 1, j)));
      if (j + 1 < s) op.north[k] = harmonic(a(k), a(op.index(i, j + 1)));
      if (!p.wavenumber_squared.values.empty()) op.shift[k] = h * h * p.wavenumber_squared.values[k];
      if (!p.source.values.empty()) op.load[k] = h * h * p.source.values[k];
      if (!p.boundary.values.empty() && op.dirichlet[k]) op.boundary[k] = p.boundary.values[k];
    }
  // Dirichlet rows inside the solved block get the mean free diagonal.
  double sum = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 1; i + 1 < s; ++i)
    for (std::int64_t j = 1; j + 1 < s; ++j)
      if (!op.dirichlet[op.index(i, j)]) {
        sum += op.diagonal(i, j);
        ++count;
      }
  op.dirichlet_diagonal = count > 0 && sum > 0 ? sum / double(count) : 1.0;
  return op;
}

double EllipticOperator::diagonal(std::int64_t i, std::int64_t j) const {
  const std::size_t k = index(i, j);
  double d = east[k] + north[k] - shift[k];
  if (i > 0) d += east[index(i - 1, j)];
  if (j > 0) d += north[index(i, j - 1)];
  return d;
}

double EllipticOperator::rhs(std::int64_t i, std::int64_t j) const {
  const std::size_t k = index(i, j);
  double value = load[k];
  auto add_known = [&](std::int64_t ni, std::int64_t nj, double w) {
    const std::size_t q = index(ni, nj);
    if (dirichlet[q]) value += w * boundary[q];
  };
  if (i + 1 < s) add_known(i + 1, j, east[k]);
  if (i > 0) add_known(i - 1, j, east[index(i - 1, j)]);
  if (j + 1 < s) add_known(i, j + 1, north[k]);
  if (j > 0) add_known(i, j - 1, north[index(i, j - 1)]);
  return value;
}

Field2D EllipticOperator::residual(const Field2D& u) const {
  Field2D r(s);
  if (nine_point()) {
    for (std::int64_t i = 0; i < s; ++i)
      for (std::int64_t j = 0; j < s; ++j) {
        const auto& row = stencil[index(i, j)];
        double au = 0.0;
        for (std::int64_t di = -1; di <= 1; ++di)
          for (std::int64_t dj = -1; dj <= 1; ++dj)
            if (i + di >= 0 && i + di < s && j + dj >= 0 && j + dj < s)
              au += row[static_cast<std::size_t>(3 * (di + 1) + dj + 1)] * u(i + di, j + dj);
        r(i, j) = load[index(i, j)] - au;
      }
    return r;
  }
  for (std::int64_t i = 1; i + 1 < s; ++i)
    for (std::int64_t j = 1; j + 1 < s; ++j) {
      const std::size_t k = index(i, j);
      if (dirichlet[k]) continue;
      double au = diagonal(i, j) * u(i, j);
      auto couple = [&](std::int64_t ni, std::int64_t nj, double w) {
        if (!dirichlet[index(ni, nj)]) au -= w * u(ni, nj);
      };
      couple(i + 1, j, east[k]);
      couple(i - 1, j, east[index(i - 1, j)]);
      couple(i, j + 1, north[k]);
      couple(i, j - 1, north[index(i, j - 1)]);
      r(i, j) = rhs(i, j) - au;
    }
  return r;
}

}  // namespace opforge::pde

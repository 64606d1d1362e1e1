#pragma once
/// @file
/// Scalar fields on the node grid of the unit square: s x s points
/// x_i = i / (s - 1), stored x-major (value(i, j) = data[i * s + j]), the
/// layout of one channel of a dataset sample [C, x, y].

#include <cstdint>
#include <vector>

namespace opforge::pde {

struct Field2D {
  std::int64_t s = 0;
  std::vector<double> values;

  Field2D() = default;
  Field2D(std::int64_t size, double fill = 0.0) : s(size), values(static_cast<std::size_t>(size * size), fill) {}
  double& operator()(std::int64_t i, std::int64_t j) { return values[static_cast<std::size_t>(i * s + j)]; }
  double operator()(std::int64_t i, std::int64_t j) const { return values[static_cast<std::size_t>(i * s + j)]; }
  double h() const { return 1.0 / double(s - 1); }
  double x(std::int64_t i) const { return double(i) * h(); }
};

}  // namespace opforge::pde

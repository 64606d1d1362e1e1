#include <gtest/gtest.h>

#include <cmath>

#include "manufactured.hpp"

namespace {

using opforge::test_support::ManufacturedCase;

/// Observed order from max-norm errors at s = 17, 33, 65 (h halves).
void expect_second_order(const ManufacturedCase& c) {
  const double e1 = opforge::test_support::max_error(c, 17);
  const double e2 = opforge::test_support::max_error(c, 33);
  const double e3 = opforge::test_support::max_error(c, 65);
  const double order12 = std::log2(e1 / e2), order23 = std::log2(e2 / e3);
  EXPECT_GT(order12, 1.8) << c.name << ": errors " << e1 << " " << e2 << " " << e3;
  EXPECT_GT(order23, 1.9) << c.name << ": errors " << e1 << " " << e2 << " " << e3;
  EXPECT_LT(order23, 2.2) << c.name << ": errors " << e1 << " " << e2 << " " << e3;
  EXPECT_LT(e3, 1e-3) << c.name;
}

TEST(ConvergenceOrder, DarcyVariableCoefficientIsSecondOrder) {
  expect_second_order({"darcy", true, 0.0, ""});
}

TEST(ConvergenceOrder, PoissonWithBoundaryDataIsSecondOrder) {
  expect_second_order({"poisson", false, 0.0, ""});
}

TEST(ConvergenceOrder, IndefiniteHelmholtzIsSecondOrder) {
  // k^2 = 400 (k = 20) is above the first Dirichlet eigenvalues 2 pi^2 ...: indefinite.
  expect_second_order({"helmholtz", false, 400.0, ""});
}

TEST(ConvergenceOrder, BilinearElementsWithNaturalBoundaryAreSecondOrder) {
  // The helmholtz_dehoop discretisation: Q1 elements, every node unknown,
  // fluxes on all four sides, an indefinite k^2.
  const double e1 = opforge::test_support::max_error_natural_boundary(17);
  const double e2 = opforge::test_support::max_error_natural_boundary(33);
  const double e3 = opforge::test_support::max_error_natural_boundary(65);
  EXPECT_GT(std::log2(e1 / e2), 1.8) << e1 << " " << e2 << " " << e3;
  EXPECT_GT(std::log2(e2 / e3), 1.9) << e1 << " " << e2 << " " << e3;
  EXPECT_LT(e3, 1e-3);
}

TEST(ConvergenceOrder, HeatPlateWithSlotIsSecondOrder) {
  expect_second_order({"heat slot", false, 0.0, "slot"});
  expect_second_order({"heat l_shape", true, 0.0, "l_shape"});
}

}  // namespace

#include <gtest/gtest.h>

#include <cmath>

#include "opforge/pde/random.hpp"

namespace {

using opforge::pde::Random;
using opforge::pde::sample_seed;

TEST(Random, SampleSeedsDependOnlyOnSeedIndexAndStream) {
  EXPECT_EQ(sample_seed(7, 3, 0), sample_seed(7, 3, 0));
  EXPECT_NE(sample_seed(7, 3, 0), sample_seed(7, 4, 0));
  EXPECT_NE(sample_seed(7, 3, 0), sample_seed(8, 3, 0));
  EXPECT_NE(sample_seed(7, 3, 0), sample_seed(7, 3, 1));
}

TEST(Random, SequencesAreReproducibleAndPortable) {
  Random a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
  // Fixed by the algorithms (splitmix64 seeding + xoshiro256**), not by the
  // standard library: a changed value means datasets changed.
  Random c(1);
  EXPECT_EQ(c.next(), 0xb3f2af6d0fc710c5ULL);
}

TEST(Random, NormalsHaveUnitVarianceAndUniformsStayInRange) {
  Random random(123);
  double sum = 0, sum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = random.normal();
    sum += z;
    sum2 += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.01);
  for (int i = 0; i < 1000; ++i) {
    const double u = random.uniform(-2.0, 3.0);
    EXPECT_GE(u, -2.0);
    EXPECT_LT(u, 3.0);
  }
}

}  // namespace

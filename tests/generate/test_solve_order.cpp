#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "opforge/config/config.hpp"
#include "opforge/generate/solve_order.hpp"
#include "opforge/pde/random.hpp"

namespace {

using namespace opforge;

std::unique_ptr<generate::SolveOrder> make(const std::string& type, const std::string& options = "{}") {
  const auto doc = config::Document::parse("sorting: " + options, "t.yaml");
  return generate::solve_orders().create(type, doc.root().section_or_empty("sorting"));
}

bool is_permutation(std::vector<std::int64_t> order, std::int64_t n) {
  std::sort(order.begin(), order.end());
  std::vector<std::int64_t> identity(static_cast<std::size_t>(n));
  std::iota(identity.begin(), identity.end(), 0);
  return order == identity;
}

/// n points on a 2-D grid (side x side), listed in a shuffled order.
generate::Signatures shuffled_grid(int side, std::vector<std::pair<int, int>>& position) {
  std::vector<std::pair<int, int>> points;
  for (int x = 0; x < side; ++x)
    for (int y = 0; y < side; ++y) points.emplace_back(x, y);
  pde::Random random(5);
  for (std::size_t i = points.size() - 1; i > 0; --i) std::swap(points[i], points[random.next() % (i + 1)]);
  generate::Signatures sig;
  sig.count = static_cast<std::int64_t>(points.size());
  sig.dim = 3;  // (x, y, 0.001 x y): nearly planar, as PCA expects
  for (const auto& [x, y] : points) sig.values.insert(sig.values.end(), {double(x), double(y), 0.001 * x * y});
  position = points;
  return sig;
}

TEST(SolveOrder, NaturalIsTheIdentityPermutation) {
  EXPECT_EQ(make("natural")->arrange(4, {}), (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(SolveOrder, GreedyChainWalksAShuffledLineInOrder) {
  // Points 0..9 on a line, listed shuffled; sample 0 is an end of the line.
  const std::vector<double> where{0, 7, 3, 9, 1, 5, 8, 2, 6, 4};
  generate::Signatures sig{10, 1, where};
  for (const char* norm : {"{norm: fro}", "{norm: l1}", "{norm: linf}"}) {
    const auto order = make("greedy", norm)->arrange(10, sig);
    ASSERT_TRUE(is_permutation(order, 10));
    for (std::size_t k = 0; k < order.size(); ++k) EXPECT_EQ(where[order[k]], double(k)) << norm;
  }
}

TEST(SolveOrder, PcaHilbertKeepsNeighboursClose) {
  std::vector<std::pair<int, int>> position;
  const auto sig = shuffled_grid(32, position);
  const auto order = make("pca_hilbert")->arrange(sig.count, sig);
  ASSERT_TRUE(is_permutation(order, sig.count));
  double total = 0;
  for (std::size_t k = 1; k < order.size(); ++k) {
    const auto [x0, y0] = position[order[k - 1]];
    const auto [x1, y1] = position[order[k]];
    total += std::hypot(x1 - x0, y1 - y0);
  }
  // A Hilbert walk steps to a grid neighbour almost always; a random order
  // would average about 0.52 * 32 = 17 grid spacings.
  EXPECT_LT(total / double(order.size() - 1), 1.6);
}

TEST(SolveOrder, SignaturesAverageFieldsOverBlocks) {
  const std::int64_t s = 9;
  std::vector<double> constant(static_cast<std::size_t>(s * s), 2.5), ramp(static_cast<std::size_t>(s * s));
  for (std::int64_t i = 0; i < s; ++i)
    for (std::int64_t j = 0; j < s; ++j) ramp[static_cast<std::size_t>(i * s + j)] = double(i);
  const auto sig = generate::block_average_signatures({constant, ramp}, s, 3);
  ASSERT_EQ(sig.dim, 18);
  for (int b = 0; b < 9; ++b) EXPECT_DOUBLE_EQ(sig.values[b], 2.5);
  EXPECT_DOUBLE_EQ(sig.values[9], 1.0);       // rows 0..2 of the ramp
  EXPECT_DOUBLE_EQ(sig.values[9 + 8], 7.0);   // rows 6..8
}

TEST(SolveOrder, PiecesAreContiguousCoverEverythingAndDifferByAtMostOne) {
  const std::vector<std::int64_t> sequence{5, 3, 9, 1, 0, 2, 8};
  std::vector<std::int64_t> joined;
  for (int g = 0; g < 3; ++g) {
    const auto piece = generate::piece_of(sequence, g, 3);
    EXPECT_GE(piece.size(), 2u);
    EXPECT_LE(piece.size(), 3u);
    joined.insert(joined.end(), piece.begin(), piece.end());
  }
  EXPECT_EQ(joined, sequence);
}

}  // namespace

#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "opforge/generate/solve_order.hpp"

namespace {

using namespace opforge;

TEST(SolveOrder, NaturalIsTheIdentityPermutation) {
  const auto doc = config::Document::parse("{}", "t.yaml");
  const auto natural = generate::solve_orders().create("natural", doc.root());
  EXPECT_EQ(natural->arrange(4, {}), (std::vector<std::int64_t>{0, 1, 2, 3}));
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

#include <gtest/gtest.h>

#include <numeric>

#include "opforge/core/communicator.hpp"
#include "opforge/core/environment.hpp"

namespace {

const opforge::Communicator& world() { return opforge::Environment::current().world(); }

TEST(Communicator, ReductionsAgreeOnEveryRank) {
  const int size = world().size(), rank = world().rank();
  EXPECT_EQ(world().allreduce<std::int64_t>(rank + 1, opforge::ReduceOp::sum), size * (size + 1) / 2);
  EXPECT_DOUBLE_EQ(world().allreduce<double>(rank, opforge::ReduceOp::max), size - 1);
  EXPECT_FLOAT_EQ(world().allreduce<float>(float(rank), opforge::ReduceOp::min), 0.0f);
  std::vector<std::int32_t> values{rank, 2 * rank};
  world().allreduce(values, opforge::ReduceOp::sum);
  EXPECT_EQ(values[1], size * (size - 1));
}

TEST(Communicator, AllOfIsFalseWhenAnyRankSaysNo) {
  EXPECT_TRUE(world().all_of(true));
  EXPECT_EQ(world().all_of(world().rank() != world().size() - 1), false);
}

TEST(Communicator, BroadcastStringAndVectorFromRoot) {
  const std::string text = world().broadcast(world().rank() == 0 ? std::string("from root") : std::string(), 0);
  EXPECT_EQ(text, "from root");
  std::vector<double> values;
  if (world().rank() == 0) values = {1.5, 2.5, 3.5};
  world().broadcast(values, 0);
  EXPECT_EQ(values, (std::vector<double>{1.5, 2.5, 3.5}));
}

TEST(Communicator, SplitGroupsRanksByColourAndDuplicateIsIndependent) {
  const int rank = world().rank();
  opforge::Communicator half = world().split(rank % 2, rank);
  EXPECT_EQ(half.size(), (world().size() + (rank % 2 == 0 ? 1 : 0)) / 2);
  EXPECT_EQ(half.rank(), rank / 2);
  opforge::Communicator copy = world().duplicate();
  EXPECT_EQ(copy.size(), world().size());
  opforge::Communicator moved = std::move(copy);
  EXPECT_EQ(moved.rank(), rank);
}

}  // namespace

namespace {

TEST(Communicator, NonBlockingAllreduceCompletesThroughTestOrWaitAndMoves) {
  std::vector<float> first(1000, float(world().rank() + 1)), second(3, 2.0f);
  auto request = world().iallreduce_in_place(first.data(), first.size(), opforge::Datatype::float32,
                                           opforge::ReduceOp::sum);
  opforge::Request moved = std::move(request);
  EXPECT_FALSE(request.pending());
  while (!moved.test()) {
  }
  EXPECT_FALSE(moved.pending());
  const float expected = float(world().size() * (world().size() + 1) / 2);
  EXPECT_EQ(first.front(), expected);
  EXPECT_EQ(first.back(), expected);
  {
    // Destruction of a pending request waits for it.
    auto pending = world().iallreduce_in_place(second.data(), second.size(), opforge::Datatype::float32,
                                             opforge::ReduceOp::sum);
  }
  EXPECT_EQ(second[1], 2.0f * float(world().size()));
}

}  // namespace

#include <gtest/gtest.h>

#include "opforge/core/registry.hpp"

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
struct Square : Shape {
  explicit Square(double side) : side(side) {}
  double area() const override { return side * side; }
  double side;
};
struct Circle : Shape {
  explicit Circle(double radius) : radius(radius) {}
  double area() const override { return 3.0 * radius * radius; }
  double radius;
};

opforge::Registry<Shape, double> make_registry() {
  opforge::Registry<Shape, double> registry("shape");
  registry.add("square", [](double s) { return std::make_unique<Square>(s); }, "four equal sides");
  registry.add("circle", [](double r) { return std::make_unique<Circle>(r); });
  return registry;
}

TEST(Registry, CreatesRegisteredTypesByName) {
  const auto registry = make_registry();
  EXPECT_DOUBLE_EQ(registry.create("square", 2.0)->area(), 4.0);
  EXPECT_DOUBLE_EQ(registry.create("circle", 1.0)->area(), 3.0);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"square", "circle"}));
  EXPECT_EQ(registry.description("square"), "four equal sides");
}

TEST(Registry, UnknownNameListsKnownOnesWithSuggestion) {
  const auto registry = make_registry();
  try {
    registry.create("squre", 1.0);
    FAIL() << "no exception";
  } catch (const opforge::UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown shape 'squre' (did you mean 'square'?) (known: square, circle)");
  }
}

TEST(Registry, DuplicateRegistrationIsABug) {
  auto registry = make_registry();
  EXPECT_THROW(registry.add("square", [](double s) { return std::make_unique<Square>(s); }), opforge::InternalError);
}

}  // namespace

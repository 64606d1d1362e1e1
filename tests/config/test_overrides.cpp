#include <gtest/gtest.h>

#include "opforge/config/config.hpp"
#include "support/expect_error.hpp"

namespace {

using opforge::config::Document;

std::string error_of(const std::function<void()>& action) {
  return opforge::test_support::message_of<opforge::ConfigError>(action);
}

TEST(ConfigOverrides, ReplaceAndCreateNestedValues) {
  Document doc = Document::parse("pde:\n  resolution: 64\n", "run.yaml");
  doc.apply_overrides({"pde.resolution=128", "solver.rtol=1e-6", "model.modes=[12, 12]"});
  EXPECT_EQ(doc.root().section("pde").get<int>("resolution", 0), 128);
  EXPECT_DOUBLE_EQ(doc.root().section("solver").get<double>("rtol", 0.0), 1e-6);
  EXPECT_EQ(doc.root().section("model").get<std::vector<int>>("modes", {}), (std::vector<int>{12, 12}));
}

TEST(ConfigOverrides, ErrorsNameTheOverrideInsteadOfALine) {
  Document doc = Document::parse("pde:\n  resolution: 64\n", "run.yaml");
  doc.apply_override("pde.resolution=-3");
  EXPECT_EQ(error_of([&] { doc.root().section("pde").get<int>("resolution", 64, opforge::config::at_least(2)); }),
            "command-line override 'pde.resolution=-3': pde.resolution: value -3 is out of range: must be >= 2");
}

TEST(ConfigOverrides, UnknownOverriddenKeyIsReported) {
  Document doc = Document::parse("pde:\n  resolution: 64\n", "run.yaml");
  doc.apply_override("pde.reslution=32");
  doc.root().section("pde").get<int>("resolution", 64);
  EXPECT_EQ(error_of([&] { doc.finish(); }),
            "command-line override 'pde.reslution=32': pde.reslution: unknown key (did you mean 'resolution'?)");
}

TEST(ConfigOverrides, MalformedAssignmentsAreRejected) {
  Document doc = Document::parse("seed: 1\n", "run.yaml");
  EXPECT_EQ(error_of([&] { doc.apply_override("seed"); }), "command-line override 'seed': expected key.path=value");
  EXPECT_EQ(error_of([&] { doc.apply_override("a..b=1"); }), "command-line override 'a..b=1': empty key in 'a..b'");
  EXPECT_EQ(error_of([&] { doc.apply_override("seed.x=1"); }), "command-line override 'seed.x=1': 'seed' is not a mapping");
}

}  // namespace

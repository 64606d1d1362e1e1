#include <gtest/gtest.h>

#include <fstream>

#include "opforge/config/config.hpp"
#include "support/expect_error.hpp"
#include "opforge/core/environment.hpp"

namespace {

using opforge::config::Document;
using opforge::config::Section;

// A component's option parsing, as every plugin writes it.
struct SolverOptions {
  std::string ksp_type;
  double rtol = 0;
  int max_it = 0;
  bool monitor = false;
  std::vector<int> levels;
  static SolverOptions parse(const Section& s) {
    SolverOptions o;
    o.ksp_type = s.choice("ksp_type", {"gmres", "cg", "gcrodr"}, std::string("gmres"));
    o.rtol = s.get<double>("rtol", 1e-8, opforge::config::positive());
    o.max_it = s.get<int>("max_it", 10000, opforge::config::at_least(1));
    o.monitor = s.get<bool>("monitor", false);
    o.levels = s.get<std::vector<int>>("levels", {1, 2});
    return o;
  }
};

std::string error_of(const std::function<void()>& action) {
  return opforge::test_support::message_of<opforge::ConfigError>(action);
}

/// Parse `text` the way an app does: root -> sections -> finish().
void parse_run(const std::string& text) {
  const Document doc = Document::parse(text, "run.yaml");
  const Section root = doc.root();
  root.get<std::int64_t>("seed", 0);
  SolverOptions::parse(root.section_or_empty("solver"));
  doc.finish();
}

TEST(Config, ReadsTypedValuesAndDefaults) {
  const Document doc = Document::parse("solver:\n  ksp_type: cg\n  rtol: 1.0e-6\n  levels: [3, 4]\n", "run.yaml");
  const SolverOptions o = SolverOptions::parse(doc.root().section("solver"));
  EXPECT_EQ(o.ksp_type, "cg");
  EXPECT_DOUBLE_EQ(o.rtol, 1e-6);
  EXPECT_EQ(o.max_it, 10000);
  EXPECT_FALSE(o.monitor);
  EXPECT_EQ(o.levels, (std::vector<int>{3, 4}));
  EXPECT_NO_THROW(doc.finish());
}

TEST(Config, UnknownKeyNamesFileLineColumnAndSuggestion) {
  EXPECT_EQ(error_of([] { parse_run("seed: 1\nsolver:\n  ksp_type: cg\n  rtoll: 1e-6\n"); }),
            "run.yaml:4:3: solver.rtoll: unknown key (did you mean 'rtol'?)");
}

TEST(Config, UnknownTopLevelSectionIsReportedWithKnownKeys) {
  EXPECT_EQ(error_of([] { parse_run("seed: 1\nmodel_zoo:\n  a: 1\n"); }),
            "run.yaml:2:1: model_zoo: unknown key (known here: seed, solver)");
}

TEST(Config, SeveralUnknownKeysReportTheFirstAndCountTheRest) {
  EXPECT_EQ(error_of([] { parse_run("sed: 1\nsolver:\n  foo: 1\n  bar: 2\n"); }),
            "run.yaml:1:1: sed: unknown key (did you mean 'seed'?) [and 2 more unknown keys]");
}

TEST(Config, WrongTypeNamesExpectedTypeAndValue) {
  EXPECT_EQ(error_of([] { parse_run("solver:\n  max_it: many\n"); }),
            "run.yaml:2:11: solver.max_it: expected an integer, got 'many'");
  EXPECT_EQ(error_of([] { parse_run("solver:\n  rtol: [1, 2]\n"); }),
            "run.yaml:2:9: solver.rtol: expected a number, got a list");
  EXPECT_EQ(error_of([] { parse_run("solver:\n  monitor: perhaps\n"); }),
            "run.yaml:2:12: solver.monitor: expected a boolean (true/false), got 'perhaps'");
  EXPECT_EQ(error_of([] { parse_run("solver:\n  levels: [1, x]\n"); }),
            "run.yaml:2:15: solver.levels[1]: expected an integer, got 'x'");
  EXPECT_EQ(error_of([] { parse_run("solver: 3\n"); }),
            "run.yaml:1:9: solver: expected a mapping of keys, got '3'");
}

TEST(Config, OutOfRangeValueNamesTheBound) {
  EXPECT_EQ(error_of([] { parse_run("solver:\n  rtol: -1\n"); }),
            "run.yaml:2:9: solver.rtol: value -1 is out of range: must be > 0");
  EXPECT_EQ(error_of([] { parse_run("solver:\n  max_it: 0\n"); }),
            "run.yaml:2:11: solver.max_it: value 0 is out of range: must be >= 1");
}

TEST(Config, ChoiceListsAllowedValues) {
  EXPECT_EQ(error_of([] { parse_run("solver:\n  ksp_type: gmress\n"); }),
            "run.yaml:2:13: solver.ksp_type: 'gmress' is not one of: gmres, cg, gcrodr (did you mean 'gmres'?)");
}

TEST(Config, MissingRequiredKeyPointsAtItsSection) {
  const Document doc = Document::parse("pde:\n  type: darcy\n", "run.yaml");
  const Section pde = doc.root().section("pde");
  EXPECT_EQ(error_of([&] { pde.require<int>("resolution"); }),
            "run.yaml:2:3: pde: missing required key 'resolution'");
  EXPECT_EQ(error_of([&] { doc.root().section("solver"); }), "run.yaml:1:1: missing required section 'solver'");
}

TEST(Config, DuplicateKeysAreRejectedWithBothLines) {
  EXPECT_EQ(error_of([] { Document::parse("seed: 1\nsolver:\n  rtol: 1\n  rtol: 2\n", "run.yaml"); }),
            "run.yaml:4:3: solver.rtol: duplicate key (first defined at line 3)");
}

TEST(Config, AnAliasInsideTheNodeItNamesIsRejected) {
  // Found by the fuzzer: the cycle overflowed the stack of every walk. The
  // mark is the anchored node's (the alias shares its identity).
  EXPECT_EQ(error_of([] { Document::parse("&x\n<<: *x\n", "run.yaml"); }),
            "run.yaml:1:1: <<: an alias refers to a node that contains it (a recursive alias)");
  EXPECT_EQ(error_of([] { Document::parse("solver: &s\n  nested: [1, *s]\n", "run.yaml"); }),
            "run.yaml:1:9: solver.nested[1]: an alias refers to a node that contains it (a recursive alias)");
  // An alias of a sibling is no cycle.
  EXPECT_NO_THROW(Document::parse("a: &x {b: 1}\nc: *x\n", "run.yaml"));
}

TEST(Config, SyntaxErrorReportsLineAndColumn) {
  const std::string message = error_of([] { Document::parse("solver:\n  rtol: [1, 2\n", "run.yaml"); });
  EXPECT_EQ(message.rfind("run.yaml:3:1: invalid YAML:", 0), 0u) << message;
}

TEST(Config, TopLevelMustBeAMapping) {
  EXPECT_EQ(error_of([] { Document::parse("- 1\n- 2\n", "run.yaml"); }),
            "run.yaml:1:1: the top level must be a mapping of keys, got a list");
}

TEST(Config, ResolvedYamlRecordsDefaultsAndGivenValues) {
  const Document doc = Document::parse("solver:\n  ksp_type: cg\n", "run.yaml");
  SolverOptions::parse(doc.root().section("solver"));
  const YAML::Node resolved = YAML::Load(doc.resolved_yaml());
  EXPECT_EQ(resolved["solver"]["ksp_type"].as<std::string>(), "cg");
  EXPECT_DOUBLE_EQ(resolved["solver"]["rtol"].as<double>(), 1e-8);
  EXPECT_EQ(resolved["solver"]["levels"][1].as<int>(), 2);
}

TEST(Config, StringMapReadsFreeFormPetscOptions) {
  const Document doc = Document::parse("petsc_options:\n  -ksp_monitor:\n  -pc_type: hypre\n", "run.yaml");
  const auto options = doc.root().string_map("petsc_options");
  EXPECT_EQ(options.at("-ksp_monitor"), "");
  EXPECT_EQ(options.at("-pc_type"), "hypre");
  EXPECT_NO_THROW(doc.finish());
}

TEST(Config, CollectiveLoadGivesEveryRankTheSameDocumentOrError) {
  const auto& world = opforge::Environment::current().world();
  const std::string path = "config_collective_test.yaml";
  if (world.rank() == 0) std::ofstream(path) << "seed: 7\n";
  world.barrier();
  const Document doc = Document::load_file(world, path);
  EXPECT_EQ(doc.root().get<int>("seed", 0), 7);
  EXPECT_EQ(error_of([&] { Document::load_file(world, "no/such/file.yaml"); }),
            "cannot read config file 'no/such/file.yaml': No such file or directory");
}

}  // namespace

namespace {

// `opforge online`'s config: two parts, each read and checked as its own document.
TEST(Config, APartIsADocumentWithTheFilesLinesAndItsOverrides) {
  Document doc = Document::parse("online: {trainer_ranks: 1}\ngenerate:\n  seed: 3\n  sede: 4\ntrain:\n  seed: 5\n",
                                 "online.yaml");
  doc.apply_override("train.seed=7");
  const Document generate = doc.part("generate");
  const Document train = doc.part("train");
  doc.root().section("online").get<int>("trainer_ranks", 0);
  EXPECT_NO_THROW(doc.finish());  // the parts' keys are theirs to check
  EXPECT_EQ(generate.root().get<std::int64_t>("seed", 0), 3);
  EXPECT_EQ(error_of([&] { generate.finish(); }), "online.yaml:4:3: sede: unknown key (did you mean 'seed'?)");
  EXPECT_EQ(train.root().get<std::int64_t>("seed", 0), 7);  // the override routed to its part
  EXPECT_EQ(error_of([&] { train.root().get<std::int64_t>("seed", 0, opforge::config::at_least(10)); }),
            "command-line override 'train.seed=7': seed: value 7 is out of range: must be >= 10");
  EXPECT_EQ(train.resolved_yaml(), "seed: 7\n");
  EXPECT_EQ(error_of([&] { doc.part("evaluate"); }), "online.yaml:1:1: evaluate: missing required section");
}

}  // namespace

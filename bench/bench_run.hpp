#pragma once
// Shared by the benchmark drivers: run one dataset generation from YAML text
// quietly, returning its report or the one-line error.

#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/error.hpp"
#include "opforge/core/log.hpp"
#include "opforge/generate/generator.hpp"

namespace opforge::bench {

struct Outcome {
  generate::GenerationReport report;
  std::string error;  ///< empty on success
};

inline Outcome run_generation(Environment& env, const std::string& yaml) {
  Outcome outcome;
  auto document = config::Document::parse(yaml, "bench.yaml");
  logger().set_level(LogLevel::error);  // keep the tables readable
  try {
    outcome.report = generate::generate_dataset(env, document);
  } catch (const Error& e) {  // a solver that fails is a result, not the end of the benchmark
    outcome.error = e.what();
  }
  logger().set_level(LogLevel::info);
  return outcome;
}

}  // namespace opforge::bench

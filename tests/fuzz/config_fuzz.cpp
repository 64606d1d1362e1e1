// libFuzzer target for the config layer: any bytes, parsed as a config file
// and read the way components read one, must either work or raise an
// opforge::Error (ConfigError) — never crash, leak another exception type,
// or trip AddressSanitizer/UBSan. The first line of the input, if it holds
// '=', is also applied as a key.path=value override.
//   scripts/fuzz-config.sh [SECONDS]       (builds with clang, runs, keeps findings)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/error.hpp"

namespace {

void read_like_a_component(const opforge::config::Document& document) {
  using namespace opforge::config;
  const Section root = document.root();
  root.get<std::int64_t>("seed", 0, non_negative());
  root.get<std::int64_t>("num_samples", 100, at_least(1));
  root.choice("order", {"natural", "greedy", "pca_hilbert"}, std::string("natural"));
  const Section pde = root.section_or_empty("pde");
  pde.get<std::string>("type", "darcy");
  pde.get<double>("high", 12.0, positive());
  pde.get<std::vector<std::int64_t>>("modes", {12, 12}, at_least(1));
  pde.section_or_empty("grf").get<double>("alpha", 2.0, between(0.5, 10.0));
  const Section solver = root.section_or_empty("solver");
  solver.get<double>("rtol", 1e-8, positive());
  solver.get<bool>("recycle", false);
  root.string_map("petsc_options");
  const Section training = root.section_or_empty("training");
  training.get<std::vector<double>>("values", {}, unbounded());
  training.section_or_empty("optimizer").get<double>("lr", 1e-3, positive());
  (void)document.resolved_yaml();
  document.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto document = opforge::config::Document::parse(text, "fuzz.yaml");
    const auto newline = text.find('\n');
    const std::string first_line = text.substr(0, newline);
    if (first_line.find('=') != std::string::npos) document.apply_override(first_line);
    read_like_a_component(document);
  } catch (const opforge::Error&) {
    // A clean, reported error: the expected outcome for bad input.
  } catch (const std::exception& e) {
    std::cerr << "config fuzz: escaped exception: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}

// Writes the 6-sample fixture dataset (opforge/tests) from every rank of the
// job, each rank writing the samples i with i % size == rank.

#include <string>

#include "opforge/core/app.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "sample_data.hpp"

int main(int argc, char** argv) {
  opforge::Environment env(argv[0], {});
  return opforge::run_guarded([&] {
    const std::string path = argc > 1 ? argv[1] : "fixture.h5";
    const auto layout = opforge::test_support::small_layout(6, 8, 5);
    opforge::io::Provenance provenance;
    provenance.attributes = {{"pde_type", "fixture"}};
    provenance.config_yaml = "pde:\n  type: fixture\n";
    opforge::io::DatasetWriter writer(env.world(), path, layout, provenance);
    for (std::int64_t i = env.world().rank(); i < layout.num_samples; i += env.world().size())
      writer.write_sample(i, opforge::test_support::sample_input(layout, i).data(),
                          opforge::test_support::sample_output(layout, i).data(), opforge::test_support::sample_meta(i));
    writer.finish();
    return 0;
  });
}

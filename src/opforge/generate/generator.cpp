#include "opforge/generate/generator.hpp"

#include <filesystem>

#include "opforge/core/communicator.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/stop_request.hpp"
#include "opforge/pde/pde_family.hpp"

namespace opforge::generate {

const DatasetGeneratorRegistry& dataset_generators() {
  static const DatasetGeneratorRegistry registry = [] {
    DatasetGeneratorRegistry r("dataset generator");
    for (const auto& name : pde::pde_families().names())
      r.add(name, make_linear_system_generator, "linear systems: " + pde::pde_families().description(name));
    r.add("les3d", make_les_generator, "LES trajectories, simulated in time (pde/les3d.hpp)");
    r.add("ns2d", make_ns2d_generator, "2-D Navier-Stokes vorticity trajectories, the FNO benchmark (pde/ns2d.hpp)");
    return r;
  }();
  return registry;
}

GenerationReport generate_dataset(Environment& env, const config::Document& document) {
  return generate_dataset(GenerationContext{env, env.world()}, document);
}

GenerationReport generate_dataset(const GenerationContext& context, const config::Document& document) {
  const std::string type = document.root().section("pde").choice("type", dataset_generators().names());
  return dataset_generators().create(type)->generate(context, document);
}

GenerateOptions parse_generate_options(const config::Section& root, const std::string& pde_type) {
  GenerateOptions o;
  o.seed = root.get<std::int64_t>("seed", 0, config::non_negative());
  o.num_samples = root.get<std::int64_t>("num_samples", o.num_samples, config::at_least(1));
  const config::Section output = root.section_or_empty("output");
  o.output_path = output.get<std::string>("path", "data/" + pde_type + ".h5");
  o.value_type = output.choice("value_type", {"float32", "float64"}, std::string("float32")) == "float64"
                     ? io::ValueType::float64
                     : io::ValueType::float32;
  o.overwrite = output.get<bool>("overwrite", false);
  o.resume = output.get<bool>("resume", true);
  return o;
}

io::ResumeOptions resume_options(const GenerateOptions& options) {
  io::ResumeOptions resume;
  resume.enabled = options.resume && !options.overwrite;
  resume.identity = {"pde_type", "pde", "seed"};
  return resume;
}

void restream_kept(const io::DatasetWriter& writer, io::SampleSink* stream, const std::vector<std::int64_t>& share) {
  if (!stream || writer.kept_count() == 0) return;
  std::vector<double> input(static_cast<std::size_t>(writer.layout().input_sample_size()));
  std::vector<double> output(static_cast<std::size_t>(writer.layout().output_sample_size()));
  for (const std::int64_t index : share)
    if (writer.kept()[static_cast<std::size_t>(index)]) {
      writer.read_sample(index, input.data(), output.data());
      stream->write_sample(index, input.data(), output.data(), {});
    }
}

void finish_or_suspend(const Communicator& world, io::DatasetWriter& writer, bool stopped_here,
                       GenerationReport& report) {
  // Ranks that were not signalled finish their share first: nothing solved is lost.
  report.stopped = world.allreduce(stopped_here ? 1 : 0, ReduceOp::max) != 0;
  if (!report.stopped) {
    writer.finish();
    report.written = writer.layout().num_samples;
    return;
  }
  report.written = writer.suspend();
  report.stop_signal = world.allreduce(stop_signal(), ReduceOp::max);
  clear_stop_request();
}

void check_output_absent(const Communicator& world, const config::Section& root, const GenerateOptions& options) {
  std::string exists_error;
  if (world.rank() == 0 && !options.overwrite && std::filesystem::exists(options.output_path))
    exists_error = root.section_or_empty("output").location("path") + ": output.path: '" + options.output_path +
                   "' exists; set output.overwrite: true to replace it";
  exists_error = world.broadcast(exists_error, 0);
  if (!exists_error.empty()) throw ConfigError(exists_error, __FILE__, __LINE__);
}

}  // namespace opforge::generate

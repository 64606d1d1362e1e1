#pragma once
/// @file
/// Dataset generation: sample N problems of a PDE family, compute each one's
/// solution and write one parallel HDF5 dataset. How depends on the family's
/// kind, registered per `pde.type` in dataset_generators(): linear-system
/// families are solved in solver groups of `ranks_per_solve` ranks (one
/// reused KSP per group, in the order a strategy chooses:
/// linear_system_generator.cpp); time-dependent ones are simulated, one
/// trajectory per sample (trajectory_generator.cpp with les_generator.cpp
/// and ns2d_generator.cpp).

#include <cstdint>
#include <string>

#include "opforge/config/config.hpp"
#include "opforge/core/registry.hpp"
#include "opforge/io/dataset_writer.hpp"

namespace opforge {
class Communicator;
class Environment;
}

namespace opforge::generate {

/// The top-level keys of a generate config besides `pde:`, `solver:` and
/// `petsc_options:` (see docs/generation.md).
struct GenerateOptions {
  std::string output_path;  ///< default data/<pde.type>.h5
  io::ValueType value_type = io::ValueType::float32;  ///< output.value_type
  bool overwrite = false;
  bool resume = true;  ///< continue an interrupted run's .partial file
  std::int64_t seed = 0;
  std::int64_t num_samples = 100;
  int ranks_per_solve = 1;
  std::string order = "natural";
};

/// Totals over all ranks, for logs and benchmarks.
struct GenerationReport {
  std::string output_path;
  std::int64_t samples = 0;
  std::int64_t kept = 0;        ///< samples kept from an interrupted run (not solved again)
  double seconds = 0.0;         ///< wall time of the whole run (sampling, solving, writing)
  double order_seconds = 0.0;   ///< time spent choosing the order
  double solve_seconds = 0.0;   ///< sum over samples of the solve time
  double assemble_seconds = 0.0;
  double mean_iterations = 0.0;  ///< over the samples solved in this run
  std::string iteration_unit = "iterations";  ///< what mean_iterations counts (les3d: time steps)
  std::int64_t fallbacks = 0;
  std::int64_t failures = 0;    ///< samples not converged even after the fallback
  std::string solver;           ///< KSP+PC description
  /// Pre-empted (SIGTERM/SIGUSR1): the dataset stays `.partial` with
  /// `written` samples; the same command continues it.
  bool stopped = false;
  int stop_signal = 0;
  std::int64_t written = 0;
};

/// Who generates, and where the samples go besides the dataset file.
struct GenerationContext {
  Environment& env;
  /// The generating ranks: the world, or online training's generator ranks.
  const Communicator& comm;
  /// Also receives every sample made in this run (online training's
  /// stream); null: the dataset file alone.
  io::SampleSink* stream = nullptr;
};

/// How the datasets of one kind of family are made.
class DatasetGenerator {
public:
  virtual ~DatasetGenerator() = default;
  /// Parse the config (validating every key), then generate. Collective over
  /// context.comm.
  virtual GenerationReport generate(const GenerationContext& context, const config::Document& document) const = 0;
};

using DatasetGeneratorRegistry = Registry<DatasetGenerator>;

/// Every `pde.type`, with the generator of its kind, in one explicit list
/// (generator.cpp): each family of pde::pde_families() as a sequence of
/// linear systems, then the time-dependent families.
const DatasetGeneratorRegistry& dataset_generators();

/// The generator of the config's `pde.type`, run on the world. Collective.
GenerationReport generate_dataset(Environment& env, const config::Document& document);
/// The same on context.comm, streaming every sample to context.stream too.
GenerationReport generate_dataset(const GenerationContext& context, const config::Document& document);

/// The generators' factories (one file each).
std::unique_ptr<DatasetGenerator> make_linear_system_generator();
std::unique_ptr<DatasetGenerator> make_les_generator();
std::unique_ptr<DatasetGenerator> make_ns2d_generator();

/// The top-level keys shared by every family (seed, num_samples, output...).
GenerateOptions parse_generate_options(const config::Section& root, const std::string& pde_type);

/// Resuming keeps the samples of an interrupted run with the same PDE and
/// seed: sample i is a function of (seed, i) alone.
io::ResumeOptions resume_options(const GenerateOptions& options);

/// Resuming with a stream (online training): the samples of `share` (this
/// rank's, in the order it makes them) kept from the interrupted run go to
/// `stream` again, read back from the file, before any new one, so that the
/// stream carries an uninterrupted run's sequence after a clean stop (a
/// stop leaves a prefix of each share written); trainers rebuild their
/// buffers from it. Nothing without a stream or kept samples.
void restream_kept(const io::DatasetWriter& writer, io::SampleSink* stream, const std::vector<std::int64_t>& share);

/// Collective over `world`, after the sample loop: when any rank stopped on a
/// signal (`stopped_here`), suspends the writer (the `.partial` file stays
/// resumable) and records it in `report`; otherwise finishes the dataset.
void finish_or_suspend(const Communicator& world, io::DatasetWriter& writer, bool stopped_here,
                       GenerationReport& report);

/// Collective: a ConfigError on every rank when the output exists and
/// output.overwrite is false.
void check_output_absent(const Communicator& world, const config::Section& root, const GenerateOptions& options);

}  // namespace opforge::generate

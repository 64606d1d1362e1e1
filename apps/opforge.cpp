// opforge: one executable, one subcommand per pipeline stage.
//
//   mpirun -n 4 opforge generate configs/darcy.yaml pde.resolution=128 -- -ksp_monitor
//   mpirun -n 2 opforge train configs/train_fno.yaml
//   opforge info data/darcy.h5
//
// The app parses arguments and the config, then calls the library; errors are
// caught once, in opforge::run_guarded.

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/app.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/version.hpp"
#include "opforge/generate/generator.hpp"
#include "opforge/train/trainer.hpp"
#include "opforge/io/dataset_summary.hpp"

namespace {

constexpr const char* usage_text = R"(usage: opforge <command> [options] [arguments] [-- PETSc options]

commands:
  generate CONFIG.yaml [key.path=value ...]   solve sampled PDE problems into an HDF5 dataset
  train    CONFIG.yaml [key.path=value ...]   fit a neural operator on a dataset (data parallel)
  train    CONFIG.yaml [...] [--resume]       (continue from the run directory's checkpoint)
  evaluate CONFIG.yaml --checkpoint PATH [--predictions OUT.h5] [--rollout CALLS [--rollout-dir DIR]]
                                              score a trained operator on the config's test split
                                              (roll-out files go to DIR, default: beside the checkpoint)
  info     FILE.h5 [--config] [--samples N]   shapes, provenance and statistics of a dataset

options:
  -h, --help       show this help
  --version        show the version and the libraries in use
  -v, --verbose    log from every rank, and show where errors were raised

Configuration values can be overridden as key.path=value (YAML syntax for the
value). Everything after `--` goes to the PETSc options database, as does a
`petsc_options:` section of the config; the command line wins.
)";

struct Arguments {
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::string> overrides;
  std::vector<std::string> petsc;
  bool verbose = false;
  bool help = false;
  bool version = false;
  bool show_config = false;
  std::optional<std::string> checkpoint;
  std::optional<std::string> predictions;
  std::optional<std::string> rollout_directory;
  bool resume = false;
  long samples = -1;
  long rollout = 0;
};

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value_of = [&](const std::string& option) {
      if (i + 1 >= argc) OPFORGE_THROW(opforge::UsageError, "option ", option, " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--") {
      args.petsc.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "-h" || arg == "--help") args.help = true;
    else if (arg == "--version") args.version = true;
    else if (arg == "-v" || arg == "--verbose") args.verbose = true;
    else if (arg == "--config") args.show_config = true;
    else if (arg == "--checkpoint") args.checkpoint = value_of(arg);
    else if (arg == "--predictions") args.predictions = value_of(arg);
    else if (arg == "--rollout-dir") args.rollout_directory = value_of(arg);
    else if (arg == "--resume") args.resume = true;
    else if (arg == "--samples" || arg == "--rollout") {
      const std::string text = value_of(arg);
      long value = 0;
      try {
        std::size_t used = 0;
        value = std::stol(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
      } catch (const std::exception&) {
        OPFORGE_THROW(opforge::UsageError, arg, " needs an integer, got '", text, "'");
      }
      (arg == "--samples" ? args.samples : args.rollout) = value;
    } else if (arg.size() > 1 && arg[0] == '-')
      OPFORGE_THROW(opforge::UsageError, "unknown option '", arg, "' (PETSc options go after `--`; see --help)");
    else if (args.command.empty()) args.command = arg;
    else if (arg.find('=') != std::string::npos && !args.positional.empty()) args.overrides.push_back(arg);
    else args.positional.push_back(arg);
  }
  return args;
}

void print_version() {
  std::cout << "opforge " << opforge::version_string;
  if (*opforge::git_commit) std::cout << " (" << opforge::git_commit << ")";
  std::cout << "\n";
}

int run_info(const Arguments& args) {
  if (args.positional.size() != 1) OPFORGE_THROW(opforge::UsageError, "usage: opforge info FILE.h5 [--config] [--samples N]");
  opforge::io::ReaderOptions options;
  options.allow_incomplete = true;  // info reports progress of unfinished files
  const opforge::io::DatasetReader reader(args.positional[0], options);
  const auto summary = opforge::io::summarize(reader, args.samples);
  if (opforge::logger().rank() == 0) opforge::io::print_summary(opforge::logger().out(), summary, args.show_config);
  return 0;
}

opforge::config::Document load_config(const Arguments& args, opforge::Environment& env, const char* usage) {
  if (args.positional.size() != 1) OPFORGE_THROW(opforge::UsageError, "usage: ", usage);
  auto document = opforge::config::Document::load_file(env.world(), args.positional[0]);
  document.apply_overrides(args.overrides);
  return document;
}

int run_generate(const Arguments& args, opforge::Environment& env) {
  const auto document =
      load_config(args, env, "opforge generate CONFIG.yaml [key.path=value ...] [-- PETSc options]");
  const auto report = opforge::generate::generate_dataset(env, document);
  auto& log = opforge::logger();
  if (report.stopped) {
    log.info("stopped for requeue", report.stop_signal ? " (signal " + std::to_string(report.stop_signal) + ")" : "",
             ": ", report.written, " of ", report.samples, " samples in ", report.output_path,
             ".partial; run the same command to continue");
    return 0;
  }
  const auto solved = std::max<std::int64_t>(1, report.samples - report.kept);
  log.info("wrote ", report.output_path, ": ", report.samples, " samples",
           report.kept ? " (" + std::to_string(report.kept) + " kept from an interrupted run)" : std::string(), " in ",
           report.seconds, " s (", report.seconds / double(solved),
           " s/solved sample wall; solve ", report.solve_seconds,
           " s, assembly ", report.assemble_seconds, " s, ordering ", report.order_seconds, " s summed)");
  log.info("mean ", report.iteration_unit, " ", report.mean_iterations, "; fallbacks ", report.fallbacks, "; not converged ",
           report.failures);
  return 0;
}

int run_train(const Arguments& args, opforge::Environment& env) {
  const auto document = load_config(args, env, "opforge train CONFIG.yaml [key.path=value ...] [--resume]");
  opforge::train::TrainCommand command;
  command.resume = args.resume;
  const auto report = opforge::train::train_model(env.world(), document, command);
  if (report.stopped_after) return 0;  // pre-empted: checkpoint written, exit 0 so the scheduler can requeue
  if (!report.history.empty())
    opforge::logger().info("trained ", report.history.size(), " epochs; final test rel-L2 ",
                           report.history.back().test_l2, " (H1 ", report.history.back().test_h1, "); run directory ",
                           report.run_directory);
  if (report.best.epoch > 0)
    opforge::logger().info("best validation rel-L2 ", report.best.validation_l2, " at epoch ", report.best.epoch,
                           ": test rel-L2 ", report.best.test_l2, ", H1 ", report.best.test_h1, " (weights in ",
                           report.run_directory, "/best.pt)");
  return 0;
}

int run_evaluate(const Arguments& args, opforge::Environment& env) {
  const auto document =
      load_config(args, env,
                  "opforge evaluate CONFIG.yaml --checkpoint PATH [--predictions OUT.h5] [--rollout CALLS "
                  "[--rollout-dir DIR]]");
  if (!args.checkpoint) OPFORGE_THROW(opforge::UsageError, "evaluate needs --checkpoint PATH");
  if (args.rollout < 0) OPFORGE_THROW(opforge::UsageError, "--rollout needs a positive number of calls");
  if (args.rollout_directory && args.rollout == 0)
    OPFORGE_THROW(opforge::UsageError, "--rollout-dir needs --rollout CALLS");
  if (args.rollout_directory && args.rollout_directory->empty())
    OPFORGE_THROW(opforge::UsageError, "--rollout-dir needs a directory");
  const auto report = opforge::train::evaluate_model(env.world(), document, *args.checkpoint,
                                                     args.predictions.value_or(""), args.rollout,
                                                     args.rollout_directory.value_or(""));
  opforge::logger().info("test relative L2 over ", report.samples, " samples: mean ", report.mean, ", median ",
                         report.median, ", max ", report.max, "; relative H1 mean ", report.mean_h1);
  if (!report.predictions_path.empty()) opforge::logger().info("predictions written to ", report.predictions_path);
  if (report.rollout_frames > 0) {
    opforge::logger().info("roll-out of ", report.rollout_frames, " frames: rel-L2 ", report.rollout_l2_first_call,
                           " over the first call, ", report.rollout_l2_last_frame,
                           " at the last frame; spectrum after the first call within ",
                           100 * report.spectrum_deviation, "% of the reference for k = 1..10");
    if (report.reference_seconds > 0)
      opforge::logger().info("inference ", report.operator_seconds, " s per sample vs reference LES ",
                             report.reference_seconds, " s for the same horizon (",
                             report.reference_seconds / report.operator_seconds, "x)");
    opforge::logger().info("wrote ", report.rollout_directory, "/rollout.csv and spectra.csv");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  const int parse_status = opforge::run_guarded([&] {
    args = parse_arguments(argc, argv);
    return 0;
  });
  if (parse_status != 0) return parse_status;
  if (args.help || (args.command.empty() && !args.version)) {
    std::cout << usage_text;
    return args.help ? 0 : 2;
  }
  opforge::GuardOptions guard;
  guard.show_origin = args.verbose;
  std::optional<opforge::Environment> env;
  const int status = opforge::run_guarded(
      [&] {
        env.emplace(argv[0], args.petsc);
        opforge::logger().set_all_ranks(args.verbose);
        if (args.version) {
          print_version();
          for (const auto& [library, version] : opforge::Environment::library_versions())
            std::cout << "  " << library << ": " << version << "\n";
          return 0;
        }
        if (args.command == "info") return run_info(args);
        if (args.command == "generate") return run_generate(args, *env);
        if (args.command == "train") return run_train(args, *env);
        if (args.command == "evaluate") return run_evaluate(args, *env);
        OPFORGE_THROW(opforge::UsageError, "unknown command '", args.command,
                      "' (commands: generate, train, evaluate, info; see --help)");
      },
      guard);
  env.reset();
  return status;
}

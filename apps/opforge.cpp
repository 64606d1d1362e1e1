// opforge: one executable, one subcommand per pipeline stage.
//
//   mpirun -n 4 opforge generate configs/darcy.yaml pde.resolution=128 -- -ksp_monitor
//   mpirun -n 2 opforge train configs/train_fno.yaml
//   opforge info data/darcy.h5
//
// The app parses arguments and the config, then calls the library; errors are
// caught once, in opforge::run_guarded.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opforge/config/config.hpp"
#include "opforge/core/app.hpp"
#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/text.hpp"
#include "opforge/core/version.hpp"
#include "opforge/generate/generator.hpp"
#include "opforge/online/online.hpp"
#include "opforge/train/loop/trainer.hpp"
#include "opforge/io/dataset_summary.hpp"

namespace {

constexpr const char* usage_text = R"(usage: opforge <command> [options] [arguments] [-- PETSc options]

commands:
  generate CONFIG.yaml [key.path=value ...]   solve sampled PDE problems into an HDF5 dataset
  train    CONFIG.yaml [key.path=value ...]   fit a neural operator on a dataset (data parallel)
  train    CONFIG.yaml [...] [--resume]       (continue from the run directory's checkpoint)
  online   CONFIG.yaml [key.path=value ...]   generate and train in one job: generator ranks stream
                                              samples to trainer ranks and write the dataset
  online   CONFIG.yaml [...] [--resume]       (continue the dataset and the training)
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
  std::string file;  ///< CONFIG.yaml, or FILE.h5 for info
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

const std::vector<std::string> commands = {"generate", "train", "online", "evaluate", "info"};

/// The CLI11 parser of `args`: one subcommand per pipeline stage. --help,
/// anywhere, prints usage_text (main does).
std::unique_ptr<CLI::App> make_parser(Arguments& args) {
  auto app = std::make_unique<CLI::App>("opforge", "opforge");
  app->set_help_flag();  // handled by main with usage_text
  app->add_flag("-h,--help", args.help);
  app->add_flag("--version", args.version);
  app->add_flag("-v,--verbose", args.verbose);
  app->require_subcommand(0, 1);
  app->fallthrough();  // -v and --help also after the command
  auto add_command = [&](const std::string& name, const std::string& file) {
    CLI::App* command = app->add_subcommand(name);
    command->add_option(file, args.file);
    return command;
  };
  for (const auto& name : {"generate", "train", "online", "evaluate"}) {
    CLI::App* command = add_command(name, "CONFIG.yaml");
    command->add_option("overrides", args.overrides, "key.path=value");
  }
  app->get_subcommand("train")->add_flag("--resume", args.resume);
  app->get_subcommand("online")->add_flag("--resume", args.resume);
  CLI::App* evaluate = app->get_subcommand("evaluate");
  evaluate->add_option("--checkpoint", args.checkpoint);
  evaluate->add_option("--predictions", args.predictions);
  evaluate->add_option("--rollout", args.rollout);
  evaluate->add_option("--rollout-dir", args.rollout_directory);
  CLI::App* info = add_command("info", "FILE.h5");
  info->add_flag("--config", args.show_config);
  info->add_option("--samples", args.samples);
  return app;
}

/// The first word that is not an option: the command the user meant.
std::string first_word(const std::vector<std::string>& words) {
  for (const auto& word : words)
    if (word.empty() || word[0] != '-') return word;
  return {};
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  // Everything after the first `--` is PETSc's; CLI11 never sees it.
  std::vector<std::string> words(argv + 1, argv + argc);
  const auto dash = std::find(words.begin(), words.end(), "--");
  if (dash != words.end()) args.petsc.assign(dash + 1, words.end());
  words.erase(dash, words.end());
  const std::string command = first_word(words);
  if (!command.empty() && std::find(commands.begin(), commands.end(), command) == commands.end())
    OPFORGE_THROW(opforge::UsageError, "unknown command '", command, "'", opforge::did_you_mean(command, commands),
                  " (commands: ", opforge::join(commands, ", "), "; see --help)");
  auto parser = make_parser(args);
  std::reverse(words.begin(), words.end());  // CLI11 takes the arguments last first
  try {
    parser->parse(words);
  } catch (const CLI::ExtrasError& e) {
    const std::string text = e.what();  // "The following argument was not expected: --fast"
    const auto option = text.find(" -");
    if (option != std::string::npos) {
      const std::string name = text.substr(option + 1, text.find_first_of(" \n", option + 1) - option - 1);
      OPFORGE_THROW(opforge::UsageError, "unknown option '", name, "' (PETSc options go after `--`; see --help)");
    }
    OPFORGE_THROW(opforge::UsageError, text, " (see --help)");
  } catch (const CLI::ParseError& e) {
    OPFORGE_THROW(opforge::UsageError, e.what(), " (see --help)");
  }
  if (!parser->get_subcommands().empty()) args.command = parser->get_subcommands().front()->get_name();
  for (const auto& override : args.overrides)
    OPFORGE_CHECK(override.find('=') != std::string::npos, opforge::UsageError, "'", override,
                  "' is neither the config file nor a key.path=value override");
  return args;
}

void print_version() {
  std::cout << "opforge " << opforge::version_string;
  if (*opforge::git_commit) std::cout << " (" << opforge::git_commit << ")";
  std::cout << "\n";
}

int run_info(const Arguments& args) {
  if (args.file.empty()) OPFORGE_THROW(opforge::UsageError, "usage: opforge info FILE.h5 [--config] [--samples N]");
  opforge::io::ReaderOptions options;
  options.allow_incomplete = true;  // info reports progress of unfinished files
  const opforge::io::DatasetReader reader(args.file, options);
  const auto summary = opforge::io::summarize(reader, args.samples);
  if (opforge::logger().rank() == 0) opforge::io::print_summary(opforge::logger().out(), summary, args.show_config);
  return 0;
}

opforge::config::Document load_config(const Arguments& args, opforge::Environment& env, const char* usage) {
  if (args.file.empty()) OPFORGE_THROW(opforge::UsageError, "usage: ", usage);
  auto document = opforge::config::Document::load_file(env.world(), args.file);
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
             opforge::io::partial_suffix, "; run the same command to continue");
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

int run_online(const Arguments& args, opforge::Environment& env) {
  const auto document = load_config(args, env, "opforge online CONFIG.yaml [key.path=value ...] [--resume]");
  opforge::train::TrainCommand command;
  command.resume = args.resume;
  opforge::online::run_online(env, document, command);  // each role logs its own summary
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
                         report.median, ", max ", report.max, "; relative H1 mean ", report.mean_h1,
                         report.spectral_backend.empty() ? "" : "; spectral backend " + report.spectral_backend);
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
        if (args.command == "online") return run_online(args, *env);
        if (args.command == "evaluate") return run_evaluate(args, *env);
        // parse_arguments admits only the commands above.
        OPFORGE_THROW(opforge::InternalError, "no runner for command '", args.command, "'");
      },
      guard);
  env.reset();
  return status;
}

#include "opforge/core/environment.hpp"

#include <cstdlib>

#include "opforge/core/log.hpp"
#include "opforge/core/mpi_native.hpp"
#include "opforge/core/petsc_check.hpp"

namespace opforge {
namespace {

Environment* current_environment = nullptr;

constexpr const char* help_text =
    "opforge: PETSc options are passed after `--` on the command line or in a "
    "`petsc_options:` section of the YAML config.\n";

// srun without PMI support starts N independent singletons, each thinking it is
// rank 0 of 1: refuse to run rather than have N processes write one file.
void check_launcher_agrees(int mpi_size) {
  const char* step_tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (!step_tasks || mpi_size != 1) return;
  const long expected = std::strtol(step_tasks, nullptr, 10);
  OPFORGE_CHECK(expected <= 1, UsageError, "MPI reports 1 rank but SLURM started ", expected,
                " tasks (SLURM_STEP_NUM_TASKS): this MPI was not launched with PMI support; use "
                "`mpirun` inside the allocation or `srun --mpi=pmix`");
}

}  // namespace

Environment::Environment(const std::string& program, const std::vector<std::string>& petsc_args)
    : world_(Communicator::world()), error_comm_(Communicator::self()) {
  OPFORGE_CHECK(current_environment == nullptr, InternalError,
                "opforge::Environment created twice in one process");
  int mpi_initialized = 0;
  OPFORGE_MPI_CALL(MPI_Initialized(&mpi_initialized));
  if (!mpi_initialized) {
    int provided = 0;
    OPFORGE_MPI_CALL(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided));
    initialized_mpi_ = true;
  }
  // Errors come back as codes: opforge turns them into exceptions with one message.
  OPFORGE_MPI_CALL(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));

  argv_storage_.push_back(program);
  argv_storage_.insert(argv_storage_.end(), petsc_args.begin(), petsc_args.end());
  for (auto& arg : argv_storage_) argv_pointers_.push_back(arg.data());
  argv_pointers_.push_back(nullptr);
  int argc = static_cast<int>(argv_storage_.size());
  char** argv = argv_pointers_.data();
  OPFORGE_PETSC_CALL(PetscInitialize(&argc, &argv, nullptr, help_text));
  OPFORGE_PETSC_CALL(PetscPushErrorHandler(PetscReturnErrorHandler, nullptr));
  error_comm_ = world_.duplicate();
  current_environment = this;
  logger().set_rank(world_.rank(), world_.size());
  check_launcher_agrees(world_.size());
}

Environment::~Environment() {
  current_environment = nullptr;
  error_comm_ = Communicator::self();  // free the duplicate before MPI goes away
  (void)PetscFinalize();
  if (initialized_mpi_) MPI_Finalize();
}

Environment& Environment::current() {
  OPFORGE_CHECK(current_environment != nullptr, InternalError, "no opforge::Environment is alive");
  return *current_environment;
}

bool Environment::exists() noexcept { return current_environment != nullptr; }

ScopedPetscOptions& ScopedPetscOptions::operator=(ScopedPetscOptions&& other) noexcept {
  if (this != &other) {
    inserted_.swap(other.inserted_);
  }
  return *this;
}

ScopedPetscOptions::~ScopedPetscOptions() {
  PetscBool finalized = PETSC_TRUE;
  if (PetscFinalized(&finalized) != 0 || finalized) return;
  for (const auto& key : inserted_) (void)PetscOptionsClearValue(nullptr, key.c_str());
}

ScopedPetscOptions Environment::insert_petsc_options(const std::map<std::string, std::string>& options,
                                                     const std::string& source) {
  std::vector<std::string> inserted;
  for (const auto& [key, value] : options) {
    OPFORGE_CHECK(key.size() > 1 && key[0] == '-', ConfigError, source, ": PETSc option '", key,
                  "' must start with '-' (e.g. -ksp_type)");
    PetscBool given_on_command_line = PETSC_FALSE;
    OPFORGE_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, key.c_str(), &given_on_command_line));
    if (given_on_command_line) continue;
    OPFORGE_PETSC_CALL(PetscOptionsSetValue(nullptr, key.c_str(), value.empty() ? nullptr : value.c_str()));
    inserted.push_back(key);
  }
  return ScopedPetscOptions(std::move(inserted));
}

std::map<std::string, std::string> Environment::library_versions() {
  std::map<std::string, std::string> versions;
  char petsc_version[256] = {0};
  if (PetscGetVersion(petsc_version, sizeof petsc_version) == 0) versions["petsc"] = petsc_version;
  char mpi_library[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
  int length = 0;
  if (MPI_Get_library_version(mpi_library, &length) == MPI_SUCCESS) {
    std::string text(mpi_library, static_cast<std::size_t>(length));
    const auto comma = text.find(',');  // keep "Open MPI v4.1.4", drop the build details
    versions["mpi"] = text.substr(0, comma);
  }
  int major = 0, minor = 0;
  if (MPI_Get_version(&major, &minor) == MPI_SUCCESS)
    versions["mpi_standard"] = std::to_string(major) + "." + std::to_string(minor);
  return versions;
}

}  // namespace opforge

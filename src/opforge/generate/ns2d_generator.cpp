// Generation of ns2d trajectory datasets (the FNO Navier–Stokes benchmark):
// each rank simulates its share of the samples (i = rank mod P) with its own
// pseudo-spectral solver; sample i depends on (seed, i) alone, so the dataset
// is the same at any rank count and resumable like every other
// (trajectory_generator.cpp does the rest).

#include <mpi.h>

#include <algorithm>
#include <sstream>

#include "opforge/generate/trajectory_generator.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/ns2d.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::generate {
namespace {

io::DatasetLayout dataset_layout(const pde::Ns2dOptions& ns, const GenerateOptions& options) {
  const std::int64_t m = ns.stored_resolution;
  io::DatasetLayout layout;
  layout.num_samples = options.num_samples;
  layout.input_channels = {"vorticity"};
  layout.output_channels = {"vorticity"};
  layout.spatial_shape = {m, m};
  layout.time_steps = ns.frames();
  for (std::int64_t k = 1; k <= ns.frames(); ++k) layout.times.push_back(double(k) * ns.frame_interval);
  layout.coordinates.assign(2, io::linspace(0.0, double(m - 1) / double(m), m));
  layout.value_type = options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's initial vorticity is a function of (seed, i)"},
                 {"enstrophy", io::MetaType::float64, "enstrophy <w^2>/2 of the initial vorticity"},
                 {"final_enstrophy", io::MetaType::float64, "enstrophy of the last frame"},
                 {"max_cfl", io::MetaType::float64, "largest advective CFL number of the trajectory's steps"},
                 {"time_steps", io::MetaType::int64, "time steps from the initial field to the last frame"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the simulation"}};
  return layout;
}

std::string describe_flow(const pde::Ns2dOptions& ns) {
  std::ostringstream text;
  text << "ns2d s=" << ns.resolution << " stored=" << ns.stored_resolution << " nu=" << ns.viscosity
       << " dt=" << ns.time_step << " T=" << ns.final_time << " frames=" << ns.frames() << "x" << ns.frame_interval
       << " forcing=" << ns.forcing_amplitude << " grf(alpha=" << ns.alpha << ", tau=" << ns.tau
       << ", sigma=" << ns.sigma << ", " << ns.normalisation << ")";
  return text.str();
}

class Ns2dFamily final : public TrajectoryFamily {
public:
  explicit Ns2dFamily(const pde::Ns2dOptions& ns) : ns_(ns), solver_(ns) {}

  std::string describe() const override { return describe_flow(ns_); }
  io::DatasetLayout layout(const GenerateOptions& options) const override { return dataset_layout(ns_, options); }
  std::map<std::string, std::string> attributes() const override {
    return {{"solver",
             "pseudo-spectral (FFTW), 2/3 dealiased; explicit Euler advection and forcing, Crank-Nicolson "
             "diffusion; frames by spectral truncation"}};
  }

  std::int64_t simulate(std::int64_t seed, std::int64_t index, io::SampleSink& sink) override {
    const double start = MPI_Wtime();
    const auto field = static_cast<std::size_t>(ns_.stored_resolution * ns_.stored_resolution);
    output_.resize(field * static_cast<std::size_t>(ns_.frames()));
    solver_.set_vorticity(pde::initial_vorticity(ns_, pde::sample_seed(static_cast<std::uint64_t>(seed), index)));
    const double enstrophy = solver_.statistics().enstrophy;
    const std::vector<double> input = solver_.vorticity_at(ns_.stored_resolution);
    for (std::int64_t k = 0; k < ns_.frames(); ++k) {
      solver_.advance(ns_.frame_interval);
      const auto frame = solver_.vorticity_at(ns_.stored_resolution);
      std::copy(frame.begin(), frame.end(), output_.begin() + static_cast<long>(k * static_cast<std::int64_t>(field)));
    }
    const pde::VorticityStatistics last = solver_.statistics();
    sink.write_sample(index, input.data(), output_.data(),
                        {{"seed", seed},
                         {"enstrophy", enstrophy},
                         {"final_enstrophy", last.enstrophy},
                         {"max_cfl", last.max_cfl},
                         {"time_steps", solver_.steps()},
                         {"solve_seconds", MPI_Wtime() - start}});
    return solver_.steps();
  }

private:
  pde::Ns2dOptions ns_;
  pde::Ns2dSolver solver_;
  std::vector<double> output_;
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_ns2d_generator() {
  return make_trajectory_generator("ns2d", [](const config::Section& pde) -> std::unique_ptr<TrajectoryFamily> {
    return std::make_unique<Ns2dFamily>(pde::Ns2dOptions::parse(pde));
  });
}

}  // namespace opforge::generate

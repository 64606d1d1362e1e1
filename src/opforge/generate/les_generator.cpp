// Generation of les3d trajectory datasets: each rank simulates its share of
// the samples (i = rank mod P) with its own pseudo-spectral solver; there is
// no linear system, so no ordering, solver groups or KSP
// (trajectory_generator.cpp does the rest).

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "opforge/generate/trajectory_generator.hpp"
#include "opforge/io/dataset_writer.hpp"
#include "opforge/pde/les3d.hpp"
#include "opforge/pde/random.hpp"

namespace opforge::generate {
namespace {

io::DatasetLayout dataset_layout(const pde::Les3dOptions& les, const GenerateOptions& options) {
  const std::int64_t n = les.resolution;
  io::DatasetLayout layout;
  layout.num_samples = options.num_samples;
  layout.input_channels = {"u", "v", "w"};
  layout.output_channels = {"u", "v", "w"};
  layout.spatial_shape = {n, n, n};
  layout.time_steps = les.frames;
  for (std::int64_t k = 1; k <= les.frames; ++k) layout.times.push_back(double(k) * les.frame_interval);
  const double spacing = 2.0 * M_PI / double(n);
  layout.coordinates.assign(3, io::linspace(0.0, spacing * double(n - 1), n));
  layout.value_type = options.value_type;
  layout.meta = {{"seed", io::MetaType::int64, "global seed: sample i's initial field is a function of (seed, i)"},
                 {"energy", io::MetaType::float64, "kinetic energy <|u|^2>/2 of the input field"},
                 {"dissipation", io::MetaType::float64, "resolved + subgrid dissipation rate of the input field"},
                 {"final_energy", io::MetaType::float64, "kinetic energy of the last frame"},
                 {"max_divergence", io::MetaType::float64, "largest |div u| over the stored fields"},
                 {"time_steps", io::MetaType::int64, "RK4 steps from the random field to the last frame"},
                 {"solve_seconds", io::MetaType::float64, "wall time of the simulation (spin-up included)"},
                 {"frame_seconds", io::MetaType::float64, "wall time of the stored frames alone (no spin-up)"}};
  return layout;
}

std::string describe_flow(const pde::Les3dOptions& les) {
  std::ostringstream text;
  text << "les3d n=" << les.resolution << " nu=" << les.viscosity << " cs2=" << les.smagorinsky_cs2
       << " delta=" << les.delta();
  if (les.flow == pde::Les3dFlow::mixing_layer)
    text << " mixing_layer dU=" << les.mixing_layer.velocity_difference << " thickness=" << les.mixing_layer.thickness
         << " perturbation=" << les.mixing_layer.perturbation_rms << " k0=" << les.peak_wavenumber;
  else
    text << " k0=" << les.peak_wavenumber << " u_rms=" << les.velocity_rms;
  text << " spinup=" << les.spinup_time << " frames=" << les.frames << "x" << les.frame_interval
       << " cfl=" << les.cfl;
  return text.str();
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

class Les3dFamily final : public TrajectoryFamily {
public:
  explicit Les3dFamily(const pde::Les3dOptions& les) : les_(les), solver_(les) {}

  std::string describe() const override { return describe_flow(les_); }
  io::DatasetLayout layout(const GenerateOptions& options) const override { return dataset_layout(les_, options); }
  std::map<std::string, std::string> attributes() const override {
    return {{"solver", "pseudo-spectral, 2/3 dealiased, integrating-factor RK4 (FFTW)"},
            // Read by the LES physics loss as its defaults.
            {"les_viscosity", number(les_.viscosity)},
            {"les_smagorinsky_cs2", number(les_.smagorinsky_cs2)},
            {"les_filter_width", number(les_.delta())},
            {"les_frame_interval", number(les_.frame_interval)}};
  }

  std::int64_t simulate(std::int64_t seed, std::int64_t index, io::SampleSink& sink) override {
    const double start = MPI_Wtime();
    const auto field = static_cast<std::size_t>(3 * les_.resolution * les_.resolution * les_.resolution);
    output_.resize(field * static_cast<std::size_t>(les_.frames));
    solver_.set_velocity(pde::initial_field(les_, pde::sample_seed(static_cast<std::uint64_t>(seed), index)));
    solver_.advance(les_.spinup_time);
    const std::vector<double> input = solver_.velocity();
    const double frames_start = MPI_Wtime();
    const pde::FlowStatistics first = solver_.statistics();
    double max_divergence = first.max_divergence;
    pde::FlowStatistics last = first;
    for (std::int64_t k = 0; k < les_.frames; ++k) {
      solver_.advance(les_.frame_interval);
      const auto frame = solver_.velocity();
      std::copy(frame.begin(), frame.end(), output_.begin() + static_cast<long>(k * static_cast<std::int64_t>(field)));
      last = solver_.statistics();
      max_divergence = std::max(max_divergence, last.max_divergence);
    }
    const double seconds = MPI_Wtime() - start, frame_seconds = MPI_Wtime() - frames_start;
    sink.write_sample(index, input.data(), output_.data(),
                        {{"seed", seed},
                         {"energy", first.energy},
                         {"dissipation", first.dissipation},
                         {"final_energy", last.energy},
                         {"max_divergence", max_divergence},
                         {"time_steps", solver_.steps()},
                         {"solve_seconds", seconds},
                         {"frame_seconds", frame_seconds}});
    return solver_.steps();
  }

private:
  pde::Les3dOptions les_;
  pde::Les3dSolver solver_;
  std::vector<double> output_;
};

}  // namespace

std::unique_ptr<DatasetGenerator> make_les_generator() {
  return make_trajectory_generator("les3d", [](const config::Section& pde) -> std::unique_ptr<TrajectoryFamily> {
    return std::make_unique<Les3dFamily>(pde::Les3dOptions::parse(pde));
  });
}

}  // namespace opforge::generate

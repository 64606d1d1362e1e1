#include "opforge/train/loop/rollout.hpp"

#include <chrono>
#include <fstream>
#include <numeric>

#include "opforge/core/communicator.hpp"
#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"

namespace opforge::train {

RolloutReport rollout(const Communicator& comm, const std::function<torch::Tensor(const torch::Tensor&)>& model_call,
                      OperatorData& data, const std::vector<std::int64_t>& indices, std::int64_t calls,
                      const LesResidualOptions& physics) {
  torch::NoGradGuard no_grad;
  const std::int64_t k = data.frames(), horizon = calls * k, stored = data.layout().time_steps;
  OPFORGE_CHECK(k > 0, UsageError, "roll-out needs a trajectory dataset; '", data.options().path, "' has no time axis");
  OPFORGE_CHECK(horizon <= stored, UsageError, "roll-out of ", calls, " calls x ", k, " frames = ", horizon,
                " frames, but '", data.options().path, "' stores ", stored, " per sample");
  RolloutReport report;
  report.samples = static_cast<std::int64_t>(indices.size());
  report.calls = calls;
  report.frames = horizon;
  report.spectrum_frames = {k, std::max<std::int64_t>(k, horizon / 2 / k * k), horizon};
  report.spectrum_frames.erase(std::unique(report.spectrum_frames.begin(), report.spectrum_frames.end()),
                               report.spectrum_frames.end());
  const auto size = static_cast<std::size_t>(horizon);
  // Sums over this rank's samples: [rel_l2, energy, ref energy, dissipation, ref dissipation] x frames.
  std::vector<double> sums(5 * size, 0.0), timing(2, 0.0);
  // Points per axis after sub-sampling (every stride-th point, from 0).
  const std::int64_t stride = data.options().stride;
  const std::int64_t shells = (data.layout().spatial_shape[0] + stride - 1) / stride / 2 + 1;
  std::vector<double> spectra(2 * report.spectrum_frames.size() * static_cast<std::size_t>(shells), 0.0);
  std::vector<double> solver_seconds;
  if (data.layout().find_meta("frame_seconds")) solver_seconds = data.reader().read_meta("frame_seconds");
  for (std::size_t s = static_cast<std::size_t>(comm.rank()); s < indices.size(); s += static_cast<std::size_t>(comm.size())) {
    const auto [initial, reference] = data.trajectory(indices[s]);  // [3, n^3], [3, n^3, T]
    auto state = initial.unsqueeze(0);
    std::vector<torch::Tensor> predicted;
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t c = 0; c < calls; ++c) {
      const auto frames = model_call(data.model_input(state, false));  // [1, 3, n^3, K]
      predicted.push_back(frames);
      state = frames.select(-1, k - 1);
    }
    timing[0] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!solver_seconds.empty())
      timing[1] += solver_seconds[static_cast<std::size_t>(indices[s])] * double(horizon) / double(stored);
    const auto prediction = torch::cat(predicted, -1)[0].movedim(-1, 0).to(torch::kFloat64);       // [H, 3, n^3]
    const auto truth = reference.narrow(-1, 0, horizon).movedim(-1, 0).to(torch::kFloat64);      // [H, 3, n^3]
    const auto l2 = relative_l2(prediction, truth), e = kinetic_energy(prediction), e_ref = kinetic_energy(truth);
    const auto d = les_dissipation(prediction, physics), d_ref = les_dissipation(truth, physics);
    for (std::size_t f = 0; f < size; ++f) {
      const auto i = static_cast<std::int64_t>(f);
      sums[f] += l2[i].item<double>();
      sums[size + f] += e[i].item<double>();
      sums[2 * size + f] += e_ref[i].item<double>();
      sums[3 * size + f] += d[i].item<double>();
      sums[4 * size + f] += d_ref[i].item<double>();
    }
    for (std::size_t j = 0; j < report.spectrum_frames.size(); ++j) {
      const std::int64_t frame = report.spectrum_frames[j] - 1;
      const auto both = energy_spectrum(torch::stack({prediction[frame], truth[frame]}));
      for (std::int64_t q = 0; q < shells; ++q) {
        spectra[(2 * j) * static_cast<std::size_t>(shells) + static_cast<std::size_t>(q)] += both[0][q].item<double>();
        spectra[(2 * j + 1) * static_cast<std::size_t>(shells) + static_cast<std::size_t>(q)] += both[1][q].item<double>();
      }
    }
  }
  comm.allreduce(sums, ReduceOp::sum);
  comm.allreduce(spectra, ReduceOp::sum);
  comm.allreduce(timing, ReduceOp::sum);
  const double count = double(std::max<std::int64_t>(1, report.samples));
  auto mean = [&](std::size_t block) {
    std::vector<double> out(size);
    for (std::size_t f = 0; f < size; ++f) out[f] = sums[block * size + f] / count;
    return out;
  };
  report.rel_l2 = mean(0);
  report.energy = mean(1);
  report.reference_energy = mean(2);
  report.dissipation = mean(3);
  report.reference_dissipation = mean(4);
  for (std::int64_t f = 1; f <= horizon; ++f) report.times.push_back(double(f) * physics.frame_interval);
  for (std::size_t j = 0; j < report.spectrum_frames.size(); ++j) {
    std::vector<double> predicted(static_cast<std::size_t>(shells)), reference(static_cast<std::size_t>(shells));
    for (std::size_t q = 0; q < predicted.size(); ++q) {
      predicted[q] = spectra[(2 * j) * predicted.size() + q] / count;
      reference[q] = spectra[(2 * j + 1) * predicted.size() + q] / count;
    }
    report.spectrum.push_back(predicted);
    report.reference_spectrum.push_back(reference);
  }
  report.first_call_l2 = std::accumulate(report.rel_l2.begin(), report.rel_l2.begin() + k, 0.0) / double(k);
  for (std::size_t q = 1; q < std::min<std::size_t>(11, report.reference_spectrum.front().size()); ++q)
    report.spectrum_deviation = std::max(
        report.spectrum_deviation, std::abs(report.spectrum.front()[q] / report.reference_spectrum.front()[q] - 1.0));
  report.operator_seconds = timing[0] / count;
  report.reference_seconds = timing[1] / count;
  return report;
}

void write_rollout(const std::string& directory, const RolloutReport& report) {
  auto write = [](const std::string& path, const std::function<void(std::ostream&)>& body) {
    const std::string temporary = path + ".tmp";
    {
      std::ofstream out(temporary);
      out.precision(9);
      body(out);
      OPFORGE_CHECK(out, IoError, "cannot write '", temporary, "'");
    }
    commit_file(temporary, path);
  };
  write(directory + "/rollout.csv", [&](std::ostream& out) {
    out << "frame,time,rel_l2,energy,reference_energy,dissipation,reference_dissipation\n";
    for (std::size_t f = 0; f < report.times.size(); ++f)
      out << f + 1 << "," << report.times[f] << "," << report.rel_l2[f] << "," << report.energy[f] << ","
          << report.reference_energy[f] << "," << report.dissipation[f] << "," << report.reference_dissipation[f]
          << "\n";
  });
  write(directory + "/rollout.json", [&](std::ostream& out) {
    out << "{\n  \"samples\": " << report.samples << ",\n  \"calls\": " << report.calls
        << ",\n  \"frames\": " << report.frames << ",\n  \"first_call_rel_l2\": " << report.first_call_l2
        << ",\n  \"last_frame_rel_l2\": " << report.rel_l2.back()
        << ",\n  \"spectrum_deviation_k1_10\": " << report.spectrum_deviation
        << ",\n  \"operator_seconds\": " << report.operator_seconds
        << ",\n  \"reference_seconds\": " << report.reference_seconds << "\n}\n";
  });
  write(directory + "/spectra.csv", [&](std::ostream& out) {
    out << "frame,k,energy,reference_energy\n";
    for (std::size_t j = 0; j < report.spectrum_frames.size(); ++j)
      for (std::size_t q = 0; q < report.spectrum[j].size(); ++q)
        out << report.spectrum_frames[j] << "," << q << "," << report.spectrum[j][q] << ","
            << report.reference_spectrum[j][q] << "\n";
  });
}

}  // namespace opforge::train

#include "opforge/io/xdmf.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"

namespace opforge::io {
namespace {

std::string joined(const std::vector<std::int64_t>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? " " : "") << values[i];
  return out.str();
}

/// An XML-safe copy of a channel name.
std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// One field of one sample: a hyperslab [start, count] of an HDF5 dataset.
void write_slab(std::ostream& out, const std::string& name, const std::string& dataset,
                const std::vector<std::int64_t>& dims, const std::vector<std::int64_t>& start,
                const std::vector<std::int64_t>& spatial, const char* precision) {
  std::vector<std::int64_t> count(dims.size(), 1);
  std::copy(spatial.begin(), spatial.end(), count.end() - static_cast<long>(spatial.size()));
  const std::vector<std::int64_t> stride(dims.size(), 1);
  out << "        <Attribute Name=\"" << escaped(name) << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
      << "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"" << joined(spatial) << "\" Type=\"HyperSlab\">\n"
      << "            <DataItem Dimensions=\"3 " << dims.size() << "\" Format=\"XML\">" << joined(start) << " "
      << joined(stride) << " " << joined(count) << "</DataItem>\n"
      << "            <DataItem Dimensions=\"" << joined(dims) << "\" NumberType=\"Float\" Precision=\"" << precision
      << "\" Format=\"HDF\">" << dataset << "</DataItem>\n"
      << "          </DataItem>\n"
      << "        </Attribute>\n";
}

}  // namespace

std::string xdmf_path_for(const std::string& dataset_path) {
  return std::filesystem::path(dataset_path).replace_extension(".xdmf").string();
}

void write_xdmf_sidecar(const std::string& dataset_path, const DatasetLayout& layout) {
  const std::string file = std::filesystem::path(dataset_path).filename().string();
  const auto& spatial = layout.spatial_shape;
  const std::size_t d = spatial.size();
  const char* precision = layout.value_type == ValueType::float32 ? "4" : "8";
  static const char* topology[] = {"", "2DRectMesh", "2DRectMesh", "3DRectMesh"};
  static const char* geometry[] = {"", "VXVY", "VXVY", "VXVYVZ"};
  static const char* axes[] = {"x", "y", "z"};

  std::ostringstream out;
  out << "<?xml version=\"1.0\" ?>\n<!-- opforge dataset sidecar: open in ParaView or VisIt. -->\n"
      << "<Xdmf Version=\"3.0\">\n  <Domain>\n"
      << "    <Grid Name=\"samples\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  // 1-D data is shown as a 2-D strip of one row.
  const std::vector<std::int64_t> mesh = d == 1 ? std::vector<std::int64_t>{1, spatial[0]} : spatial;
  // Whole-dataset extents: [N] + the layout's sample shapes.
  auto with_samples = [&](std::vector<std::int64_t> sample_shape) {
    sample_shape.insert(sample_shape.begin(), layout.num_samples);
    return sample_shape;
  };
  const auto input_dims = with_samples(layout.input_sample_shape());
  const auto output_dims = with_samples(layout.output_sample_shape());

  for (std::int64_t i = 0; i < layout.num_samples; ++i) {
    out << "      <Grid Name=\"sample " << i << "\" GridType=\"Uniform\">\n"
        << "        <Time Value=\"" << i << "\"/>\n"
        << "        <Topology TopologyType=\"" << topology[d] << "\" Dimensions=\"" << joined(mesh) << "\"/>\n"
        << "        <Geometry GeometryType=\"" << geometry[d] << "\">\n";
    // XDMF lists the fastest axis first: the dataset's last spatial axis.
    if (d == 1)
      out << "          <DataItem Dimensions=\"" << spatial[0] << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
          << file << ":/grid/x</DataItem>\n"
          << "          <DataItem Dimensions=\"1\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">0</DataItem>\n";
    else
      for (std::size_t a = d; a-- > 0;)
        out << "          <DataItem Dimensions=\"" << spatial[a] << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
            << file << ":/grid/" << axes[a] << "</DataItem>\n";
    out << "        </Geometry>\n";
    for (std::size_t c = 0; c < layout.input_channels.size(); ++c) {
      std::vector<std::int64_t> start(input_dims.size(), 0);
      start[0] = i;
      start[1] = static_cast<std::int64_t>(c);
      write_slab(out, "input " + layout.input_channels[c], file + ":/input", input_dims, start, mesh, precision);
    }
    for (std::size_t c = 0; c < layout.output_channels.size(); ++c) {
      std::vector<std::int64_t> start(output_dims.size(), 0);
      start[0] = i;
      if (layout.time_steps > 0) start[1] = layout.time_steps - 1;
      start[layout.time_steps > 0 ? 2 : 1] = static_cast<std::int64_t>(c);
      write_slab(out, "output " + layout.output_channels[c], file + ":/output", output_dims, start, mesh, precision);
    }
    out << "      </Grid>\n";
  }
  out << "    </Grid>\n  </Domain>\n</Xdmf>\n";

  const std::string path = xdmf_path_for(dataset_path), temporary = path + ".tmp";
  {
    std::ofstream file_out(temporary);
    file_out << out.str();
    OPFORGE_CHECK(file_out, IoError, "cannot write XDMF sidecar '", temporary, "'");
  }
  commit_file(temporary, path);
}

}  // namespace opforge::io

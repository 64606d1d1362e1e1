#pragma once
/// @file
/// XDMF sidecars: a small XML file next to a dataset that lets ParaView and
/// VisIt open its sample fields directly (one grid per sample, as a
/// "temporal" collection, so the time slider steps through the samples).

#include <string>

#include "opforge/io/dataset_format.hpp"

namespace opforge::io {

/// The sidecar path of a dataset: data.h5 -> data.xdmf.
std::string xdmf_path_for(const std::string& dataset_path);

/// Writes the sidecar of the dataset at `dataset_path` (the final name: the
/// XML references it by file name, relative to the sidecar), atomically.
/// Every input and output channel of every sample becomes a node-centred
/// attribute on the rectilinear grid of /grid; time-dependent outputs show
/// their last frame. XDMF orders axes slowest first, so ParaView's X axis is
/// the dataset's last spatial axis.
void write_xdmf_sidecar(const std::string& dataset_path, const DatasetLayout& layout);

}  // namespace opforge::io

#include "opforge/config/differences.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "opforge/core/error.hpp"

namespace opforge::config {
namespace {

/// Leaf keys in document order, each with its node.
using Leaves = std::vector<std::pair<std::string, YAML::Node>>;

void collect(const YAML::Node& node, const std::string& path, Leaves& out) {
  if (node.IsMap() && node.size() > 0) {
    for (const auto& item : node)
      collect(item.second, path.empty() ? item.first.as<std::string>() : path + "." + item.first.as<std::string>(),
              out);
  } else {
    out.emplace_back(path, node);
  }
}

Leaves leaves(const std::string& text, const std::string& prefix) {
  Leaves all, kept;
  try {
    collect(YAML::Load(text), "", all);
  } catch (const YAML::Exception& e) {  // not YAML, or a key that is not a scalar
    OPFORGE_THROW(ConfigError, "cannot parse a stored configuration: ", e.what());
  }
  for (auto& leaf : all)
    if (prefix.empty() || leaf.first == prefix || leaf.first.rfind(prefix + ".", 0) == 0) kept.push_back(leaf);
  return kept;
}

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

bool same(const YAML::Node& a, const YAML::Node& b) {
  if (a.IsScalar() && b.IsScalar()) {
    const auto x = number(a.Scalar()), y = number(b.Scalar());
    return x && y ? *x == *y : a.Scalar() == b.Scalar();
  }
  if (a.IsSequence() && b.IsSequence()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  if (a.IsMap() && b.IsMap()) return a.size() == 0 && b.size() == 0;
  return a.IsNull() && b.IsNull();
}

std::string show(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

}  // namespace

std::vector<KeyDifference> differing_keys(const std::string& first, const std::string& second,
                                          const std::string& prefix) {
  const Leaves a = leaves(first, prefix), b = leaves(second, prefix);
  std::map<std::string, YAML::Node> in_b(b.begin(), b.end());
  std::vector<KeyDifference> out;
  for (const auto& [key, node] : a) {
    const auto other = in_b.find(key);
    if (other == in_b.end()) {
      out.push_back({key, show(node), "(absent)"});
    } else {
      if (!same(node, other->second)) out.push_back({key, show(node), show(other->second)});
      in_b.erase(other);
    }
  }
  for (const auto& [key, node] : b)
    if (in_b.count(key)) out.push_back({key, "(absent)", show(node)});
  return out;
}

std::string with_section(const std::string& yaml, const std::string& section, const std::string& source_yaml) {
  try {
    YAML::Node whole = YAML::Load(yaml);
    whole[section] = YAML::Load(source_yaml)[section];
    YAML::Emitter out;
    out << whole;
    return std::string(out.c_str()) + "\n";
  } catch (const YAML::Exception& e) {
    OPFORGE_THROW(ConfigError, "cannot parse a stored configuration: ", e.what());
  }
}

std::string describe(const std::vector<KeyDifference>& differences, const std::string& first_name,
                     const std::string& second_name) {
  std::string text;
  for (const auto& d : differences) {
    if (!text.empty()) text += "; ";
    text += d.key + ": " + first_name + " " + d.first + ", " + second_name + " " + d.second;
  }
  return text;
}

}  // namespace opforge::config

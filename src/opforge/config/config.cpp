#include "opforge/config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "opforge/config/document_state.hpp"
#include "opforge/core/communicator.hpp"
#include "opforge/core/text.hpp"

namespace opforge::config {

// ---------------------------------------------------------------- helpers ---

std::string join_path(const std::string& section, const std::string& key) {
  if (section.empty()) return key;
  if (key.empty()) return section;
  return section + "." + key;
}

std::string DocumentState::format_mark(const YAML::Mark& mark) const {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const std::string* DocumentState::override_for(const std::string& path) const {
  for (std::string prefix = path;; ) {
    const auto it = overrides.find(prefix);
    if (it != overrides.end()) return &it->second;
    const auto dot = prefix.find_last_of(".");
    if (dot == std::string::npos) return nullptr;
    prefix.erase(dot);
  }
}

namespace detail {
std::string describe_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "no value";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "nothing";
  }
}
}  // namespace detail

bool Bounds::contains(double value) const {
  if (min && (min_exclusive ? value <= *min : value < *min)) return false;
  if (max && (max_exclusive ? value >= *max : value > *max)) return false;
  return true;
}

std::string Bounds::describe() const {
  std::ostringstream os;
  if (min) os << (min_exclusive ? "> " : ">= ") << *min;
  if (min && max) os << " and ";
  if (max) os << (max_exclusive ? "< " : "<= ") << *max;
  return os.str();
}

namespace {

// yaml-cpp keeps duplicate keys and silently uses one of them: reject them.
// An alias inside the node it names (`&x {<<: *x}`) makes the tree a cycle,
// which this walk, and every later one, would follow until the stack
// overflows: reject that too. `ancestors` holds the nodes above `node`.
void reject_duplicate_keys(const DocumentState& state, const YAML::Node& node, const std::string& path,
                           std::vector<YAML::Node>& ancestors) {
  if (!node.IsMap() && !node.IsSequence()) return;
  for (const auto& ancestor : ancestors)
    if (ancestor.is(node))
      throw ConfigError(state.format_mark(node.Mark()) + ": " + (path.empty() ? "the document" : path) +
                            ": an alias refers to a node that contains it (a recursive alias)",
                        __FILE__, __LINE__);
  ancestors.push_back(node);
  if (node.IsMap()) {
    std::map<std::string, YAML::Mark> seen;
    for (const auto& pair : node) {
      const std::string key = pair.first.Scalar();
      const auto [it, inserted] = seen.emplace(key, pair.first.Mark());
      if (!inserted)
        throw ConfigError(state.format_mark(pair.first.Mark()) + ": " + join_path(path, key) +
                              ": duplicate key (first defined at line " + std::to_string(it->second.line + 1) + ")",
                          __FILE__, __LINE__);
      reject_duplicate_keys(state, pair.second, join_path(path, key), ancestors);
    }
  } else {
    for (std::size_t i = 0; i < node.size(); ++i)
      reject_duplicate_keys(state, node[i], path + "[" + std::to_string(i) + "]", ancestors);
  }
  ancestors.pop_back();
}

// Write `value` at `parts[i..]` below `node`, creating missing mappings.
// Recursion (not reassignment of a Node variable): yaml-cpp Node assignment
// aliases storage.
void set_at(YAML::Node node, const std::vector<std::string>& parts, std::size_t i, const YAML::Node& value,
            const std::string& assignment = "") {
  if (i + 1 == parts.size()) {
    node[parts[i]] = value;
    return;
  }
  YAML::Node child = node[parts[i]];
  if (!child.IsDefined() || child.IsNull()) child = YAML::Node(YAML::NodeType::Map);
  if (!child.IsMap()) {
    std::vector<std::string> prefix(parts.begin(), parts.begin() + static_cast<long>(i) + 1);
    OPFORGE_THROW(ConfigError, "command-line override '", assignment, "': '", join(prefix, "."),
                  "' is not a mapping");
  }
  set_at(child, parts, i + 1, value, assignment);
}

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) OPFORGE_THROW(ConfigError, "cannot read config file '", path, "': ", std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// --------------------------------------------------------------- Document ---

Document Document::parse(const std::string& text, const std::string& source_name) {
  auto state = std::make_shared<DocumentState>();
  state->source = source_name;
  state->text = text;
  try {
    state->root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(state->format_mark(e.mark) + ": invalid YAML: " + e.msg, __FILE__, __LINE__);
  }
  if (state->root.IsNull()) state->root = YAML::Node(YAML::NodeType::Map);
  if (!state->root.IsMap())
    throw ConfigError(state->format_mark(state->root.Mark()) + ": the top level must be a mapping of keys, got " +
                          detail::describe_value(state->root),
                      __FILE__, __LINE__);
  std::vector<YAML::Node> ancestors;
  reject_duplicate_keys(*state, state->root, "", ancestors);
  return Document(std::move(state));
}

Document Document::load_file(const std::string& path) { return parse(read_file_text(path), path); }

Document Document::load_file(const Communicator& comm, const std::string& path) {
  std::string text, failure;
  if (comm.rank() == 0) {
    try {
      text = read_file_text(path);
    } catch (const ConfigError& e) {
      failure = e.what();
    }
  }
  failure = comm.broadcast(failure, 0);
  if (!failure.empty()) throw ConfigError(failure, __FILE__, __LINE__);
  return parse(comm.broadcast(text, 0), path);
}

Section Document::root() const { return Section(state_, state_->root, ""); }

Document Document::part(const std::string& key) const {
  const YAML::Node node = static_cast<const YAML::Node&>(state_->root)[key];
  if (!node.IsDefined() || !node.IsMap())
    throw ConfigError(root().location(key) + ": " + key + ": " +
                          (node.IsDefined() ? "expected a mapping of keys, got " + detail::describe_value(node)
                                            : "missing required section"),
                      __FILE__, __LINE__);
  state_->used.insert(key);  // the part's own finish() checks its keys
  auto part = std::make_shared<DocumentState>();
  part->source = state_->source;
  part->text = state_->text;
  part->root = node;
  const std::string prefix = key + ".";
  for (const auto& [path, assignment] : state_->overrides)
    if (path.compare(0, prefix.size(), prefix) == 0) part->overrides[path.substr(prefix.size())] = assignment;
  return Document(std::move(part));
}
const std::string& Document::source_name() const { return state_->source; }
const std::string& Document::original_text() const { return state_->text; }

std::string Document::resolved_yaml() const {
  YAML::Emitter out;
  out << state_->resolved;
  return std::string(out.c_str()) + "\n";
}

void Document::apply_overrides(const std::vector<std::string>& assignments) {
  for (const auto& assignment : assignments) apply_override(assignment);
}

void Document::apply_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  OPFORGE_CHECK(equals != std::string::npos && equals > 0, ConfigError, "command-line override '", assignment,
                "': expected key.path=value");
  const std::string path = assignment.substr(0, equals);
  const std::string value_text = assignment.substr(equals + 1);
  const std::vector<std::string> parts = split(path, '.');
  for (const auto& part : parts)
    OPFORGE_CHECK(!part.empty(), ConfigError, "command-line override '", assignment, "': empty key in '", path, "'");

  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::ParserException& e) {
    OPFORGE_THROW(ConfigError, "command-line override '", assignment, "': invalid YAML value: ", e.msg);
  }
  set_at(state_->root, parts, 0, value, assignment);
  state_->overrides[path] = assignment;
}

void Document::finish() const {
  struct Unknown {
    std::string message;
  };
  std::vector<Unknown> unknown;
  const DocumentState& state = *state_;
  // Walk the tree: descend into opened sections, accept read values, and
  // report every other key.
  std::function<void(const YAML::Node&, const std::string&)> walk = [&](const YAML::Node& node,
                                                                        const std::string& path) {
    for (const auto& pair : node) {
      const std::string key = pair.first.Scalar();
      const std::string key_path = join_path(path, key);
      if (state.opened_sections.count(key_path) && pair.second.IsMap()) {
        walk(pair.second, key_path);
      } else if (!state.used.count(key_path)) {
        const auto queried = state.queried.find(path);
        const std::vector<std::string> known =
            queried == state.queried.end() ? std::vector<std::string>{} : queried->second;
        const std::string* by_override = state.override_for(key_path);
        const std::string where =
            by_override ? "command-line override '" + *by_override + "'" : state.format_mark(pair.first.Mark());
        std::string message = where + ": " + key_path + ": unknown key" + did_you_mean(key, known);
        if (!known.empty() && !closest_match(key, known)) message += " (known here: " + join(known, ", ") + ")";
        unknown.push_back({message});
      }
    }
  };
  walk(state.root, "");
  if (unknown.empty()) return;
  std::string message = unknown.front().message;
  if (unknown.size() > 1) message += " [and " + std::to_string(unknown.size() - 1) + " more unknown keys]";
  throw ConfigError(message, __FILE__, __LINE__);
}

// ---------------------------------------------------------------- Section ---

std::string Section::key_path(const std::string& key) const { return join_path(path_, key); }

std::string Section::location(const std::string& key) const {
  const std::string path = key_path(key);
  if (const std::string* by_override = state_->override_for(path))
    return "command-line override '" + *by_override + "'";
  if (!key.empty() && node_.IsMap()) {
    for (const auto& pair : node_)
      if (pair.first.Scalar() == key) return state_->format_mark(pair.second.Mark());
  }
  if (node_.IsDefined() && !node_.Mark().is_null()) return state_->format_mark(node_.Mark());
  return anchor_.empty() ? state_->source : anchor_;  // absent section: where its parent is
}

void Section::fail(const std::string& key, const std::string& message) const {
  const std::string path = key_path(key);
  throw ConfigError(location(key) + ": " + (path.empty() ? "" : path + ": ") + message, __FILE__, __LINE__);
}

void Section::fail_at(const YAML::Node& value, const std::string& key, const std::string& message) const {
  const std::string path = key_path(key);
  const std::string* by_override = state_->override_for(path);
  const std::string where = by_override ? "command-line override '" + *by_override + "'"
                            : value.Mark().is_null() ? location(key)
                                                     : state_->format_mark(value.Mark());
  throw ConfigError(where + ": " + path + ": " + message, __FILE__, __LINE__);
}

YAML::Node Section::lookup(const std::string& key, bool mark_used) const {
  auto& asked = state_->queried[path_];
  if (std::find(asked.begin(), asked.end(), key) == asked.end()) asked.push_back(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& const_node = node_;  // const access never inserts keys
  YAML::Node value = const_node[key];
  if (!value.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
  if (mark_used) state_->used.insert(key_path(key));
  return value;
}

bool Section::has(const std::string& key) const { return lookup(key, false).IsDefined(); }

bool Section::is_scalar(const std::string& key) const { return lookup(key, false).IsScalar(); }

void Section::record(const std::string& key, const YAML::Node& value) const {
  std::vector<std::string> parts = path_.empty() ? std::vector<std::string>{} : split(path_, '.');
  parts.push_back(key);
  set_at(state_->resolved, parts, 0, YAML::Clone(value));
}

void Section::check_bounds(const YAML::Node& node, const std::string& key, double value,
                           const Bounds& bounds) const {
  if (!bounds.contains(value)) {
    std::ostringstream shown;
    shown << value;
    fail_at(node, key, "value " + shown.str() + " is out of range: must be " + bounds.describe());
  }
}

std::string Section::choice(const std::string& key, const std::vector<std::string>& allowed,
                            const std::optional<std::string>& default_value) const {
  std::optional<std::string> value = get_optional<std::string>(key);
  if (!value) {
    if (!default_value) fail("", "missing required key '" + key + "' (one of: " + join(allowed, ", ") + ")");
    record(key, YAML::Node(*default_value));
    return *default_value;
  }
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end())
    fail(key, "'" + *value + "' is not one of: " + join(allowed, ", ") + did_you_mean(*value, allowed));
  return *value;
}

Section Section::section(const std::string& key) const {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail("", "missing required section '" + key + "'");
  if (!value.IsMap()) fail(key, "expected a mapping of keys, got " + detail::describe_value(value));
  state_->opened_sections.insert(key_path(key));
  return Section(state_, value, key_path(key));
}

Section Section::section_or_empty(const std::string& key) const {
  const YAML::Node value = lookup(key);
  if (value.IsDefined() && !value.IsNull()) return section(key);
  state_->opened_sections.insert(key_path(key));
  Section empty(state_, YAML::Node(YAML::NodeType::Map), key_path(key));
  empty.anchor_ = location();
  return empty;
}

std::map<std::string, std::string> Section::string_map(const std::string& key) const {
  std::map<std::string, std::string> out;
  const YAML::Node value = lookup(key);
  if (!value.IsDefined() || value.IsNull()) return out;
  if (!value.IsMap()) fail(key, "expected a mapping of keys, got " + detail::describe_value(value));
  for (const auto& pair : value) {
    const std::string entry = pair.first.Scalar();
    if (pair.second.IsNull()) out[entry] = "";
    else if (pair.second.IsScalar()) out[entry] = pair.second.Scalar();
    else fail(key, "'" + entry + "' must be a single value, got " + detail::describe_value(pair.second));
  }
  record(key, value);
  return out;
}

}  // namespace opforge::config

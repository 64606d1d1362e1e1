#pragma once
/// @file
/// A registry of named implementations of one interface (PDE families,
/// models, sorting strategies, LR schedules). Each registry is filled by one
/// explicit register_all() function, never by static initialisers, so the
/// list of plugins is one greppable place.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "opforge/core/error.hpp"
#include "opforge/core/text.hpp"

namespace opforge {

template <typename Interface, typename... Args> class Registry {
public:
  using Factory = std::function<std::unique_ptr<Interface>(Args...)>;

  /// @param kind  what the entries are, for messages ("PDE family")
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  /// Register `name`; a second registration of the same name is a bug.
  void add(const std::string& name, Factory factory, std::string description = "") {
    OPFORGE_CHECK(!contains(name), InternalError, kind_, " '", name, "' registered twice");
    entries_.push_back({name, std::move(factory), std::move(description)});
  }

  bool contains(const std::string& name) const { return find(name) != nullptr; }

  /// Names in registration order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : entries_) out.push_back(entry.name);
    return out;
  }

  const std::string& description(const std::string& name) const { return require(name).description; }

  /// Create `name`; an unknown name is a UsageError listing the known ones.
  std::unique_ptr<Interface> create(const std::string& name, Args... args) const {
    return require(name).factory(std::forward<Args>(args)...);
  }

  const std::string& kind() const { return kind_; }

private:
  struct Entry {
    std::string name;
    Factory factory;
    std::string description;
  };
  const Entry* find(const std::string& name) const {
    for (const auto& entry : entries_)
      if (entry.name == name) return &entry;
    return nullptr;
  }
  const Entry& require(const std::string& name) const {
    const Entry* entry = find(name);
    OPFORGE_CHECK(entry, UsageError, "unknown ", kind_, " '", name, "'", did_you_mean(name, names()),
                  " (known: ", join(names(), ", "), ")");
    return *entry;
  }

  std::string kind_;
  std::vector<Entry> entries_;
};

}  // namespace opforge

// Typed reads of job-spec fields; a wrong type or range names the field's path.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace rd::spec {

template <typename T>
T get(const nlohmann::json& spec, const std::string& key, const T& fallback) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(code::kConfigInvalid, "spec." + key + ": wrong type (" + std::string(it->type_name()) + ")");
  }
}

// Absent or null: nullopt (for fields whose default depends on other fields).
template <typename T>
std::optional<T> optional(const nlohmann::json& spec, const std::string& key) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return std::nullopt;
  return get<T>(spec, key, T{});
}

template <typename T>
T require(const nlohmann::json& spec, const std::string& key) {
  if (!spec.contains(key)) throw Error(code::kConfigInvalid, "spec." + key + ": required");
  return get<T>(spec, key, T{});
}

inline void check(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw Error(code::kConfigInvalid, "spec." + key + ": " + what);
}

}  // namespace rd::spec

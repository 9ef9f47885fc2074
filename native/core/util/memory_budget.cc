#include "util/memory_budget.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/error.h"

namespace rd {

uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : uint64_t(8) << 30;
}

uint64_t parse_memory_size(const std::string& text, const std::string& where) {
  const char* s = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  std::string unit(end);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  for (auto& c : unit) c = char(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB")
    scale = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB")
    scale = 1024.0 * 1024 * 1024 * 1024;
  const double bytes = v * scale;
  if (end == s || scale == 0 || !std::isfinite(bytes) || bytes < 1 || bytes > 1e18 || std::isspace(static_cast<unsigned char>(*s))) {
    throw Error(code::kConfigInvalid, where + " must be a memory size such as 4G, 512M or 800000000 (bytes), got '" + text + "'");
  }
  return uint64_t(bytes);
}

uint64_t memory_budget() {
  if (const char* env = std::getenv(kBudgetVariable); env && *env) return parse_memory_size(env, kBudgetVariable);
  return uint64_t(double(physical_memory()) * kDefaultBudgetFraction);
}

std::string format_bytes(double bytes) {
  char b[64];
  if (bytes >= 1e15)
    std::snprintf(b, sizeof b, "%.3g PB", bytes / 1e15);
  else if (bytes >= 1e12)
    std::snprintf(b, sizeof b, "%.1f TB", bytes / 1e12);
  else if (bytes >= 1e9)
    std::snprintf(b, sizeof b, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6)
    std::snprintf(b, sizeof b, "%.1f MB", bytes / 1e6);
  else
    std::snprintf(b, sizeof b, "%.0f kB", bytes / 1e3);
  return b;
}

void check_memory(double bytes, const std::string& what) {
  const uint64_t budget = memory_budget();
  if (!(bytes <= double(budget))) {
    const char* env = std::getenv(kBudgetVariable);
    const std::string source = env && *env ? std::string("set by --max-memory / ") + kBudgetVariable
                                           : std::to_string(int(kDefaultBudgetFraction * 100)) +
                                                 "% of this machine's memory; raise it with --max-memory or " + kBudgetVariable;
    throw Error(code::kResourceLimit, what + " needs about " + format_bytes(bytes) + ", over the memory budget of " +
                                          format_bytes(double(budget)) + " (" + source + ")");
  }
}

}  // namespace rd

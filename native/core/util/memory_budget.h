// The memory budget: every allocation sized by an input (a region, a tile grid, a decoded image, a store view)
// is checked here before it is made, so a huge request fails fast with RESOURCE_LIMIT instead of exhausting the
// machine. The budget is RESDISTILL_MAX_MEMORY (the CLI's --max-memory sets it), else a fraction of physical memory.
#pragma once
#include <cstdint>
#include <string>

namespace rd {

// The share of physical memory a process may plan to use when no budget is given.
inline constexpr double kDefaultBudgetFraction = 0.25;
inline constexpr const char* kBudgetVariable = "RESDISTILL_MAX_MEMORY";

uint64_t physical_memory();
// The budget in bytes; CONFIG_INVALID when RESDISTILL_MAX_MEMORY is set but not a size.
uint64_t memory_budget();
// "4G", "512M", "1.5GiB", "800000000" (K/M/G/T are powers of 1024); CONFIG_INVALID naming `where` otherwise.
uint64_t parse_memory_size(const std::string& text, const std::string& where);
// Throws RESOURCE_LIMIT when `bytes` (a double, so products of declared sizes cannot overflow) exceed the budget;
// `what` names the request, e.g. "slide region 30000 x 30000 px".
void check_memory(double bytes, const std::string& what);
std::string format_bytes(double bytes);

}  // namespace rd

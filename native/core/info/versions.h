// What this build links and sees at run time: the facts `doctor` prints.
#pragma once
#include <nlohmann/json.hpp>

namespace rd {

nlohmann::json versions();

}  // namespace rd

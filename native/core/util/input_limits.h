// Bounds on sizes an input declares (a weights file's class count, a labels CSV's length): checked before anything
// is allocated from them, so a hostile or corrupt file fails with a typed error instead of exhausting memory.
// src/report/results-check.ts and src/util/text-input.ts hold the same bounds for the inputs read in TypeScript.
#pragma once
#include <cstdint>

namespace rd {

// More classes than any histology task has; a model's last layer and every per-class output grow with it.
inline constexpr int64_t kMaxClasses = 1000;
// Larger than any labels CSV we expect; a device file or an endless stream stops here.
inline constexpr uint64_t kMaxTextInputBytes = uint64_t(256) << 20;

}  // namespace rd

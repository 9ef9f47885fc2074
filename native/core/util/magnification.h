// Magnification and microns per pixel, one convention everywhere: 10x is 1 um per pixel (magnification = 10 / mpp).
#pragma once
#include <cmath>

namespace rd {

inline constexpr double kMicronsAtOneX = 10.0;  // mpp x magnification

inline double mpp_at(double magnification) { return kMicronsAtOneX / magnification; }
inline double magnification_at(double mpp) { return kMicronsAtOneX / mpp; }

// Two magnifications name the same level when they agree to 1e-6 (relative): stores and weights carry them as JSON numbers.
inline bool same_magnification(double a, double b) { return std::abs(a - b) < 1e-6 * std::abs(b); }

}  // namespace rd

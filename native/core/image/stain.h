// Stain normalisation (ours; docs/stain.md is the exact contract): Macenko et al. 2009 and Reinhard et al. 2001,
// a reference fitted on pooled pixels and every image mapped from its own estimate to that reference.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rd::image {

struct StainReference {
  std::string method;                          // macenko | reinhard
  std::array<std::array<double, 2>, 3> he{};   // macenko: rows R, G, B; columns haematoxylin, eosin
  std::array<double, 2> max_concentrations{};  // macenko: 99th percentile per stain
  std::array<double, 3> mean{}, std{};         // reinhard: L*a*b* channel statistics
  size_t samples = 0, pixels = 0;              // what the fit pooled
};

// "none", "macenko" or "reinhard": the values data.stain takes.
bool is_stain_method(const std::string& method);

// The pixels one image contributes to a fit: every k-th RGB pixel, k = ceil(pixels / 65,536).
void pool_pixels(const uint8_t* rgb, size_t pixels, std::vector<uint8_t>& pool);

// The reference of pooled RGB pixels. Throws CONFIG_INVALID when macenko finds fewer than 3 tissue pixels.
StainReference fit_stain(const std::string& method, const std::vector<uint8_t>& pool, size_t samples);

// The image's pixels mapped to the reference, clamped to [0, 255] but not rounded; empty when the image is left
// unchanged (macenko: too little tissue to estimate its stains).
std::vector<double> normalize_stain_exact(const StainReference& ref, const uint8_t* rgb, size_t pixels);

// In place, rounded to the nearest integer. Returns false when the image was left unchanged.
bool normalize_stain(const StainReference& ref, uint8_t* rgb, size_t pixels);

nlohmann::json to_json(const StainReference& ref);
// Throws `error_code` naming `where` when the JSON is not a reference this core wrote.
StainReference stain_from_json(const nlohmann::json& j, const std::string& where, const char* error_code);

}  // namespace rd::image

#include "data/augment.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "util/error.h"

namespace rd::data {

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) { return lo + (hi - lo) * (double(rng() >> 11) * 0x1.0p-53); }

inline float clamp01(float v) { return std::min(std::max(v, 0.f), 1.f); }                       // min/max: vectorises
inline float gray(float r, float g, float b) { return 0.2989f * r + 0.587f * g + 0.114f * b; }  // torchvision's weights

// torchvision's _rgb2hsv / hue shift / _hsv2rgb over a row, branch-free so the compiler vectorises it (the hue
// shift is the loader's most expensive step). Same arithmetic, in the same order, as the per-pixel definition.
void shift_hue_row(float* R, float* G, float* B, int64_t n, float shift) {
  for (int64_t x = 0; x < n; ++x) {
    const float r = R[x], g = G[x], b = B[x];
    const float maxc = std::max(r, std::max(g, b)), minc = std::min(r, std::min(g, b));
    const bool eqc = maxc == minc;
    const float cr = maxc - minc;
    const float s = cr / (eqc ? 1.f : maxc);
    const float div = eqc ? 1.f : cr;
    const float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
    const bool is_r = maxc == r, is_g = maxc == g;
    // Every candidate computed, then selected: the compiler may not speculate float ops behind a branch.
    const float h_r = bc - gc, h_g = 2.f + rc - bc, h_b = 4.f + gc - rc;
    float h = (is_r ? h_r : (is_g ? h_g : h_b)) / 6.f;  // in (-1/6, 5/6]: wrap to [0, 1) and shift without fmod
    float up = h + 1.f;
    h = h < 0.f ? up : h;
    h += shift;
    const float down = h - 1.f;
    h = h >= 1.f ? down : h;
    up = h + 1.f;
    h = h < 0.f ? up : h;
    const float v = maxc;
    const float h6 = h * 6.f;
    const int k = int(h6);  // h6 >= 0: truncation is floor
    const float f = h6 - float(k);
    const int i = k == 6 ? 0 : k;
    const float p = clamp01(v * (1.f - s)), q = clamp01(v * (1.f - s * f)), t = clamp01(v * (1.f - s * (1.f - f)));
    const float r1 = i == 4 ? t : p, g1 = i == 3 ? q : p, b1 = i == 5 ? q : p;
    const float r2 = i == 1 ? q : r1, g2 = i == 0 ? t : g1, b2 = i == 2 ? t : b1;
    R[x] = ((i == 0) | (i == 5)) ? v : r2;
    G[x] = ((i == 1) | (i == 2)) ? v : g2;
    B[x] = ((i == 3) | (i == 4)) ? v : b2;
  }
}

}  // namespace

AugmentSpec AugmentSpec::from_json(const nlohmann::json& j) {
  AugmentSpec s;
  if (j.is_null() || j == false) {
    s.enabled = false;
    return s;
  }
  if (j == true) return s;
  auto known = [](const nlohmann::json& o, std::initializer_list<const char*> keys, const std::string& at) {
    for (const auto& [key, value] : o.items()) {
      if (std::none_of(keys.begin(), keys.end(), [&name = key](const char* k) { return name == k; })) {
        std::string list;
        for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        throw Error(code::kConfigInvalid, at + key + ": unknown option (use " + list + ")");
      }
    }
  };
  if (!j.is_object()) throw Error(code::kConfigInvalid, "spec.augment: must be an object, a boolean or null");
  known(j, {"flips", "rot90", "jitter"}, "spec.augment.");
  auto flag = [&](const char* k, bool& v) {
    if (!j.contains(k)) return;
    if (!j[k].is_boolean()) throw Error(code::kConfigInvalid, std::string("spec.augment.") + k + ": must be a boolean");
    v = j[k];
  };
  flag("flips", s.flips), flag("rot90", s.rot90);
  if (!j.contains("jitter")) return s;
  const auto& jitter = j["jitter"];
  if (jitter.is_null()) {
    s.brightness = s.contrast = s.saturation = s.hue = 0;
    return s;
  }
  if (!jitter.is_object()) throw Error(code::kConfigInvalid, "spec.augment.jitter: must be an object or null");
  known(jitter, {"brightness", "contrast", "saturation", "hue"}, "spec.augment.jitter.");
  auto num = [&](const char* k, double& v, double hi) {
    if (!jitter.contains(k)) return;
    if (!jitter[k].is_number() || jitter[k].get<double>() < 0 || jitter[k].get<double>() > hi) {
      throw Error(code::kConfigInvalid, std::string("spec.augment.jitter.") + k + ": must be a number in [0, " + std::to_string(hi) + "]");
    }
    v = jitter[k];
  };
  num("brightness", s.brightness, 1), num("contrast", s.contrast, 1), num("saturation", s.saturation, 1), num("hue", s.hue, 0.5);
  return s;
}

nlohmann::json AugmentSpec::defaults() {
  const AugmentSpec s;
  return {{"flips", s.flips},
          {"rot90", s.rot90},
          {"jitter", {{"brightness", s.brightness}, {"contrast", s.contrast}, {"saturation", s.saturation}, {"hue", s.hue}}}};
}

AugmentParams draw_params(const AugmentSpec& spec, uint64_t seed, int64_t epoch, int64_t sample, bool square) {
  std::mt19937_64 rng(splitmix(splitmix(seed ^ 0xA5A5ULL) + uint64_t(epoch) * 0x9E37ULL) ^ splitmix(uint64_t(sample)));
  AugmentParams p;
  // Always draw every value, so turning one augmentation off leaves the others' draws unchanged.
  const bool h = rng() & 1, v = rng() & 1;
  const int k = int(rng() % 4);
  const double b = uniform(rng, std::max(0.0, 1 - spec.brightness), 1 + spec.brightness);
  const double c = uniform(rng, std::max(0.0, 1 - spec.contrast), 1 + spec.contrast);
  const double s = uniform(rng, std::max(0.0, 1 - spec.saturation), 1 + spec.saturation);
  const double hue = uniform(rng, -spec.hue, spec.hue);
  int order[4] = {0, 1, 2, 3};  // drawn last, so the draws above are those of earlier versions
  for (int i = 3; i > 0; --i) std::swap(order[i], order[rng() % uint64_t(i + 1)]);
  if (!spec.enabled) return p;
  std::copy(std::begin(order), std::end(order), std::begin(p.order));
  p.hflip = spec.flips && h;
  p.vflip = spec.flips && v;
  p.rot = spec.rot90 ? (square ? k : (k & 2)) : 0;
  p.brightness = float(b), p.contrast = float(c), p.saturation = float(s), p.hue = float(hue);
  p.jitter = spec.brightness > 0 || spec.contrast > 0 || spec.saturation > 0 || spec.hue > 0;
  return p;
}

namespace {

// The crop as planar float RGB in [0, 1] (3 x H x W), ready for the colour operations.
std::vector<float> planar(const store::ViewRef& view, const Crop& crop) {
  const int64_t H = crop.h, W = crop.w, plane = H * W;
  std::vector<float> img(static_cast<size_t>(3 * plane));
  for (int64_t y = 0; y < H; ++y) {
    const uint8_t* px = view.pixels + ((crop.y + y) * view.w + crop.x) * view.c;
    float* r = img.data() + y * W;
    for (int64_t x = 0; x < W; ++x, px += view.c) r[x] = px[0] / 255.f, r[plane + x] = px[1] / 255.f, r[2 * plane + x] = px[2] / 255.f;
  }
  return img;
}

// One of torchvision's adjust_* on the whole planar image, in place.
void colour_op(int op, const AugmentParams& p, float* R, float* G, float* B, int64_t n) {
  switch (op) {
    case 0:
      for (int64_t i = 0; i < n; ++i)
        R[i] = clamp01(R[i] * p.brightness), G[i] = clamp01(G[i] * p.brightness), B[i] = clamp01(B[i] * p.brightness);
      break;
    case 1: {  // blends towards the mean grey level of the image as it is now
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += gray(R[i], G[i], B[i]);
      const float c = p.contrast, cm = (1.f - c) * float(sum / double(n));
      for (int64_t i = 0; i < n; ++i) R[i] = clamp01(c * R[i] + cm), G[i] = clamp01(c * G[i] + cm), B[i] = clamp01(c * B[i] + cm);
      break;
    }
    case 2: {
      const float s = p.saturation;
      for (int64_t i = 0; i < n; ++i) {
        const float gs = (1.f - s) * gray(R[i], G[i], B[i]);
        R[i] = clamp01(s * R[i] + gs), G[i] = clamp01(s * G[i] + gs), B[i] = clamp01(s * B[i] + gs);
      }
      break;
    }
    default:
      if (p.hue != 0.f) shift_hue_row(R, G, B, n, p.hue);
  }
}

}  // namespace

void render_view(const store::ViewRef& view, const Crop& crop, const AugmentParams& p, const float mean[3], const float std[3],
                 float* out) {
  const int64_t H = crop.h, W = crop.w, plane = H * W;
  const int64_t OW = (p.rot & 1) ? H : W;
  std::vector<float> img = planar(view, crop);
  float *R = img.data(), *G = R + plane, *B = G + plane;
  if (p.jitter) {
    for (int op : p.order) colour_op(op, p, R, G, B, plane);
  }
  const float inv_std[3] = {1.f / std[0], 1.f / std[1], 1.f / std[2]};
  // One strided copy per row applies flips and the quarter turns (out index = base + x * step) and normalises.
  for (int64_t y = 0; y < H; ++y) {
    const int64_t fy = p.vflip ? H - 1 - y : y;
    int64_t base, step;
    switch (p.rot) {
      case 1:
        base = (p.hflip ? 0 : W - 1) * OW + fy, step = p.hflip ? OW : -OW;
        break;
      case 2:
        base = (H - 1 - fy) * OW + (p.hflip ? 0 : W - 1), step = p.hflip ? 1 : -1;
        break;
      case 3:
        base = (p.hflip ? W - 1 : 0) * OW + (H - 1 - fy), step = p.hflip ? -OW : OW;
        break;
      default:
        base = fy * OW + (p.hflip ? W - 1 : 0), step = p.hflip ? -1 : 1;
        break;
    }
    float* o0 = out + base;
    const float *r = R + y * W, *g = G + y * W, *b = B + y * W;
    for (int64_t x = 0; x < W; ++x) {
      const int64_t o = x * step;
      o0[o] = (r[x] - mean[0]) * inv_std[0];
      o0[plane + o] = (g[x] - mean[1]) * inv_std[1];
      o0[2 * plane + o] = (b[x] - mean[2]) * inv_std[2];
    }
  }
}

}  // namespace rd::data

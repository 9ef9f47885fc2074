// Band renderer: coarse fields by bilinear interpolation, stroma texture, nuclei stamped on top,
// then optical densities to RGB with the slide's stain.
#include "synth/render.h"

#include <algorithm>
#include <cmath>

#include "synth/random.h"

namespace rd::synth {
namespace {

constexpr float kNucleusH = 1.5f;  // haematoxylin concentration of a homogeneous nucleus
constexpr float kStromaE = 0.55f;  // eosin concentration of stroma
constexpr float kStromaH = 0.07f;  // diffuse haematoxylin in stroma
constexpr float kEdgeUm = 0.4f;    // nucleus membrane softness

// Relative chromatin density of a nucleus at local point (u along the major axis, v across), times its edge alpha.
float chromatin(const Nucleus& n, Nuclear type, float u, float v, float gx, float gy, uint64_t seed, float* alpha) {
  const float rho = std::sqrt((u / n.a) * (u / n.a) + (v / n.b) * (v / n.b));
  const float depth = (1 - rho) * std::min(n.a, n.b);
  const float a = std::clamp(depth / kEdgeUm + 0.5f, 0.0f, 1.0f);
  *alpha = a;
  if (a <= 0) return 0;
  const float grain = value_noise(gx / 0.6f, gy / 0.6f, seed ^ n.id);
  float d;
  switch (type) {
    case Nuclear::kSolid:
      d = 1.0f + 0.25f * (grain - 0.5f);
      break;
    case Nuclear::kSpindle:
      d = 1.0f + 0.2f * (grain - 0.5f);
      break;
    default: {
      const float du = u - n.nucleolus_dx, dv = v - n.nucleolus_dy;
      if (du * du + dv * dv < 0.7f * 0.7f)
        d = 2.2f;
      else if (depth < 0.9f)
        d = 1.9f;
      else
        d = 0.3f + 0.7f * grain;
    }
  }
  return d * a;
}

// Light a reference-size nucleus of this morphology absorbs (green channel, um^2) at darkness `scale`.
double absorbed(const Scene& s, Nuclear type, float scale) {
  Nucleus n{};
  const float r = 3.5f;
  n.a = n.b = r;
  if (type == Nuclear::kSpindle) n.a = r * kSpindleElongation, n.b = r / kSpindleElongation;
  n.nucleolus_dx = 0.6f;
  const float k = s.stain.h_strength * kNucleusH * s.stain.h[1];
  double sum = 0;
  for (uint32_t id = 0; id < 4; ++id) {
    n.id = id;
    for (float v = -n.b - 0.5f; v <= n.b + 0.5f; v += 0.07f)
      for (float u = -n.a - 0.5f; u <= n.a + 0.5f; u += 0.07f) {
        float alpha;
        const float d = chromatin(n, type, u, v, u + 17.0f * id, v, 0x5EED, &alpha);
        sum += 1.0 - std::exp(-k * scale * d);
      }
  }
  return sum * 0.07 * 0.07 / 4;
}

}  // namespace

float nuclear_scale(const Scene& s, Nuclear type) {
  // Reference: a homogeneous nucleus (solid, no grain) at scale 1 has the same footprint as all others.
  const float k = s.stain.h_strength * kNucleusH * s.stain.h[1];
  Nucleus ref{};
  ref.a = ref.b = 3.5f;
  double want = 0;
  for (float v = -ref.b - 0.5f; v <= ref.b + 0.5f; v += 0.07f)
    for (float u = -ref.a - 0.5f; u <= ref.a + 0.5f; u += 0.07f) {
      const float rho = std::sqrt(u * u + v * v) / ref.a;
      const float a = std::clamp((1 - rho) * ref.a / kEdgeUm + 0.5f, 0.0f, 1.0f);
      want += 1.0 - std::exp(-k * a);
    }
  want *= 0.07 * 0.07;
  float lo = 0.2f, hi = 3.0f;
  for (int it = 0; it < 30; ++it) {
    const float mid = 0.5f * (lo + hi);
    if (absorbed(s, type, mid) < want)
      lo = mid;  // too bright: darken
    else
      hi = mid;
  }
  return 0.5f * (lo + hi);
}

RgbImage render_scene(const Scene& s, double mpp, int band_rows, const std::function<void(int, int)>& on_band) {
  RgbImage img;
  img.width = int(std::lround(s.params.width_um / mpp));
  img.height = int(std::lround(s.params.height_um / mpp));
  img.rgb.assign(size_t(img.width) * img.height * 3, 0);
  const float scale = nuclear_scale(s, s.nuclear);
  const float fm = float(mpp);
  const int bands = (img.height + band_rows - 1) / band_rows;

  // Bucket nuclei by the bands their bounding boxes touch.
  std::vector<std::vector<int>> by_band(bands);
  for (int i = 0; i < int(s.nuclei.size()); ++i) {
    const auto& n = s.nuclei[i];
    const float reach = std::max(n.a, n.b) + kEdgeUm;
    const int b0 = std::max(0, int((n.y - reach) / fm) / band_rows);
    const int b1 = std::min(bands - 1, int((n.y + reach) / fm) / band_rows);
    for (int b = b0; b <= b1; ++b) by_band[b].push_back(i);
  }

  std::vector<float> H, E, A;
  for (int b = 0; b < bands; ++b) {
    const int y0 = b * band_rows, y1 = std::min(img.height, y0 + band_rows), rows = y1 - y0;
    H.assign(size_t(rows) * img.width, 0);
    E.assign(H.size(), 0);
    A.assign(H.size(), 0);
    for (int y = y0; y < y1; ++y) {
      const float Y = (y + 0.5f) * fm;
      for (int x = 0; x < img.width; ++x) {
        const float X = (x + 0.5f) * fm;
        const Local l = sample_architecture(s, X, Y);
        if (l.tissue <= 1e-3f) continue;
        const size_t o = size_t(y - y0) * img.width + x;
        const float texture = (0.75f + 0.25f * value_noise(X / 25.0f, Y / 25.0f, s.seed ^ 0xA1)) *
                              (0.72f + 0.28f * value_noise(X / 2.5f, Y / 2.5f, s.seed ^ 0xA2));
        E[o] = l.tissue * kStromaE * l.eosin * texture;
        H[o] = l.tissue * (kStromaH + l.hema);
      }
    }
    for (int idx : by_band[b]) {
      const auto& n = s.nuclei[idx];
      const float reach = std::max(n.a, n.b) + kEdgeUm;
      const int xa = std::max(0, int((n.x - reach) / fm)), xb = std::min(img.width - 1, int((n.x + reach) / fm));
      const int ya = std::max(y0, int((n.y - reach) / fm)), yb = std::min(y1 - 1, int((n.y + reach) / fm));
      const float c = std::cos(n.angle), sn = std::sin(n.angle);
      for (int y = ya; y <= yb; ++y) {
        const float Y = (y + 0.5f) * fm, dy = Y - n.y;
        for (int x = xa; x <= xb; ++x) {
          const float X = (x + 0.5f) * fm, dx = X - n.x;
          float alpha;
          const float d = chromatin(n, s.nuclear, dx * c + dy * sn, -dx * sn + dy * c, X, Y, s.seed, &alpha);
          if (alpha <= 0) continue;
          const size_t o = size_t(y - y0) * img.width + x;
          H[o] = std::max(H[o], kNucleusH * scale * n.darkness * d);
          A[o] = std::max(A[o], alpha);
        }
      }
    }
    const auto& st = s.stain;
    for (int y = y0; y < y1; ++y) {
      uint8_t* out = &img.rgb[size_t(y) * img.width * 3];
      for (int x = 0; x < img.width; ++x) {
        const size_t o = size_t(y - y0) * img.width + x;
        const float h = st.h_strength * H[o], e = st.e_strength * E[o] * (1 - 0.65f * A[o]);
        const float noise = 3.0f * (hash01(x, y, s.seed) - 0.5f);
        for (int ch = 0; ch < 3; ++ch) {
          const float v = 255.0f * std::exp(-(h * st.h[ch] + e * st.e[ch] + st.background[ch])) + noise;
          out[3 * x + ch] = uint8_t(std::clamp(std::lround(v), 0l, 255l));
        }
      }
    }
    on_band(b + 1, bands);
  }
  return img;
}

}  // namespace rd::synth

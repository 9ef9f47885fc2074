// The coarse architecture: smooth fields on a 2 um grid, a per-point reading of them, and nuclei placed by
// that reading's weight with a hard core. Nothing here depends on the class except through the architecture.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "synth/random.h"
#include "synth/scene.h"

namespace rd::synth {
namespace {

constexpr float kPi = 3.14159265358979f;
constexpr float kFar = 64.0f;  // distances are clamped here; nothing looks further

// Signed distance (um) from (x, y) to the edge of the nearest disc; negative inside.
float nearest_disc(const Piece& p, float x, float y) {
  float best = kFar;
  for (const auto& d : p.discs) best = std::min(best, std::hypot(x - d.x, y - d.y) - d.r);
  return best;
}

float smooth01(float v) { return std::clamp(v, 0.0f, 1.0f); }

}  // namespace

// Samples outline distance, disc distance and band phase at cell centres.
void fill_grid(Scene& s) {
  auto& g = s.grid;
  g.w = int(std::ceil(s.params.width_um / kGridUm)) + 2;
  g.h = int(std::ceil(s.params.height_um / kGridUm)) + 2;
  const size_t n = size_t(g.w) * g.h;
  g.outline.assign(n, -kFar);
  g.disc.assign(n, kFar);
  g.band.assign(n, 0);
  g.piece.assign(n, -1);
  for (int k = 0; k < int(s.pieces.size()); ++k) {
    const auto& p = s.pieces[k];
    const float reach = p.radius * 1.45f + 8;
    const int i0 = std::max(0, int((p.cx - reach) / kGridUm)), i1 = std::min(g.w - 1, int((p.cx + reach) / kGridUm));
    const int j0 = std::max(0, int((p.cy - reach) / kGridUm)), j1 = std::min(g.h - 1, int((p.cy + reach) / kGridUm));
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i) {
        const float x = (i + 0.5f) * kGridUm, y = (j + 0.5f) * kGridUm;
        const float d = p.outline(std::atan2(y - p.cy, x - p.cx)) - std::hypot(x - p.cx, y - p.cy);
        const size_t at = size_t(j) * g.w + i;
        if (d < -8 || d < g.outline[at]) continue;
        g.outline[at] = std::min(d, kFar);
        g.piece[at] = int8_t(k);
        g.disc[at] = nearest_disc(p, x, y);
        const float t = x * std::cos(p.band_angle) + y * std::sin(p.band_angle);
        const float warp = 4.0f * (value_noise(x / 90.0f, y / 90.0f, s.seed ^ 0xB0) - 0.5f);
        g.band[at] = 0.5f + 0.5f * std::sin(2 * kPi * t / p.band_period + p.band_phase + warp);
      }
  }
}

Local sample_architecture(const Scene& s, float x, float y) {
  const auto& g = s.grid;
  const float gx = std::clamp(x / kGridUm - 0.5f, 0.0f, float(g.w - 1) - 1e-3f);
  const float gy = std::clamp(y / kGridUm - 0.5f, 0.0f, float(g.h - 1) - 1e-3f);
  const int i = int(gx), j = int(gy);
  const float tx = gx - i, ty = gy - j;
  const size_t at = size_t(j) * g.w + i;
  Local l;
  l.piece = g.piece[size_t(int(gy + 0.5f)) * g.w + int(gx + 0.5f)];
  if (l.piece < 0) return l;
  auto lerp = [&](const std::vector<float>& f) {
    const float top = f[at] + (f[at + 1] - f[at]) * tx;
    const float bot = f[at + g.w] + (f[at + g.w + 1] - f[at + g.w]) * tx;
    return top + (bot - top) * ty;
  };
  const float edge = smooth01(lerp(g.outline) / 1.5f + 0.5f);
  if (edge <= 0) return l;
  const auto& p = s.pieces[l.piece];
  l.tissue = edge;
  switch (p.architecture) {
    case Architecture::kGlands: {
      const float sd = lerp(g.disc);
      const float lumen = smooth01(0.5f - sd / 1.2f);
      l.tissue = edge * (1 - 0.92f * lumen);                  // a trace of pink secretion stays in the lumen
      const float lining = (sd > 0 && sd < 9) ? 1.0f : 0.0f;  // epithelium: eosinophilic cytoplasm, crowded nuclei
      l.eosin = 1 + 0.25f * lining;
      l.hema = 0.05f * lining;
      l.weight = sd < 0 ? 0 : (lining > 0 ? 1.0f : 0.3f);
      break;
    }
    case Architecture::kBands: {
      const float b = lerp(g.band);
      l.eosin = 0.35f + 1.0f * b;
      l.weight = 0.15f + 0.85f * b;
      break;
    }
    case Architecture::kNests: {
      const float sd = lerp(g.disc);
      const float inside = smooth01(0.5f - sd / 1.2f), halo = smooth01(0.5f + sd / 1.2f) * smooth01(0.5f - (sd - 6) / 1.2f);
      l.eosin = 1 - 0.4f * inside - 0.7f * halo;
      l.hema = 0.12f * inside;
      l.weight = sd < 0 ? 1.0f : (sd < 6 ? 0.0f : 0.12f);
      break;
    }
  }
  if (edge < 1) l.weight = 0;
  return l;
}

// Draws each piece's nuclei: count from its nuclear fraction, positions by architecture weight, hard core.
void place_nuclei(Scene& s, Rng& rng) {
  const auto& g = s.grid;
  constexpr float kMeanArea = kPi * (9.0f + 12.0f + 16.0f) / 3.0f;  // E[pi r^2], r ~ U(3, 4)
  constexpr float kHash = 10.0f;                                    // hard-core lookup cell (um)
  std::unordered_map<int64_t, std::vector<int>> buckets;
  auto key = [](int bx, int by) { return int64_t(bx) * 1000003 + by; };
  uint32_t next_id = 0;
  for (int k = 0; k < int(s.pieces.size()); ++k) {
    auto& p = s.pieces[k];
    double area = 0;
    for (size_t i = 0; i < g.piece.size(); ++i)
      if (g.piece[i] == k) {
        const float x = (float(i % g.w) + 0.5f) * kGridUm, y = (float(i / g.w) + 0.5f) * kGridUm;
        area += sample_architecture(s, x, y).tissue * kGridUm * kGridUm;
      }
    const int target = int(p.nuclear_fraction * area / kMeanArea);
    const float reach = p.radius * 1.45f;
    int placed = 0;
    for (int attempt = 0; attempt < 40 * target && placed < target; ++attempt) {
      const float x = p.cx + float(rng.uniform(-reach, reach)), y = p.cy + float(rng.uniform(-reach, reach));
      const float u = float(rng.uniform());
      if (x < 0 || y < 0 || x >= s.params.width_um || y >= s.params.height_um) continue;
      const Local l = sample_architecture(s, x, y);
      if (l.piece != k || u >= l.weight) continue;
      const float r = float(rng.uniform(3.0, 4.0));
      const int bx = int(x / kHash), by = int(y / kHash);
      bool clear = true;
      for (int dy = -1; dy <= 1 && clear; ++dy)
        for (int dx = -1; dx <= 1 && clear; ++dx) {
          auto it = buckets.find(key(bx + dx, by + dy));
          if (it == buckets.end()) continue;
          for (int other : it->second) {
            const auto& o = s.nuclei[other];
            if (std::hypot(o.x - x, o.y - y) < 0.9f * (r + std::sqrt(o.a * o.b))) clear = false;
          }
        }
      if (!clear) continue;
      Nucleus nu{};
      nu.x = x;
      nu.y = y;
      nu.a = nu.b = r;
      nu.angle = float(rng.uniform(0, kPi));
      const float na = float(rng.uniform(0, 2 * kPi)), nr = float(rng.uniform(0, 0.35)) * r;
      nu.nucleolus_dx = nr * std::cos(na);
      nu.nucleolus_dy = nr * std::sin(na);
      nu.darkness = float(rng.uniform(0.85, 1.15));
      if (s.nuclear == Nuclear::kSpindle) {
        nu.a = r * kSpindleElongation;
        nu.b = r / kSpindleElongation;
      }
      nu.id = next_id++;
      buckets[key(bx, by)].push_back(int(s.nuclei.size()));
      s.nuclei.push_back(nu);
      ++placed;
    }
    p.nuclei = placed;
  }
}

}  // namespace rd::synth

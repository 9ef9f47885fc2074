// The coarse architecture on a 2 um grid (tissue, eosin, diffuse haematoxylin, nucleus weight), then
// nuclei placed by weight with a hard core. Nothing here depends on the class except via the architecture.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "synth/random.h"
#include "synth/scene.h"

namespace rd::synth {
namespace {

constexpr float kPi = 3.14159265358979f;

struct Cell {
  float tissue = 0, eosin = 1, hema = 0, weight = 0;
};

// Signed distance (um) from (x, y) to the edge of the nearest disc; negative inside.
float nearest_disc(const Piece& p, float x, float y) {
  float best = 1e9f;
  for (const auto& d : p.discs) best = std::min(best, std::hypot(x - d.x, y - d.y) - d.r);
  return best;
}

// Architecture of one piece at one point inside it.
Cell architecture_at(const Piece& p, float x, float y, uint64_t seed) {
  Cell c;
  c.tissue = 1;
  switch (p.architecture) {
    case Architecture::kGlands: {
      const float sd = nearest_disc(p, x, y);
      if (sd < 0) {  // lumen: nearly empty, a trace of pink secretion
        c.tissue = 0.08f;
        c.weight = 0;
      } else if (sd < 9) {  // epithelial lining: eosinophilic cytoplasm, crowded nuclei
        c.eosin = 1.25f;
        c.hema = 0.05f;
        c.weight = 1;
      } else {
        c.weight = 0.3f;
      }
      break;
    }
    case Architecture::kBands: {
      const float t = x * std::cos(p.band_angle) + y * std::sin(p.band_angle);
      const float warp = 4.0f * (value_noise(x / 90.0f, y / 90.0f, seed ^ 0xB0) - 0.5f);
      const float b = 0.5f + 0.5f * std::sin(2 * kPi * t / p.band_period + p.band_phase + warp);
      c.eosin = 0.35f + 1.0f * b;
      c.weight = 0.15f + 0.85f * b;
      break;
    }
    case Architecture::kNests: {
      const float sd = nearest_disc(p, x, y);
      if (sd < 0) {
        c.eosin = 0.6f;
        c.hema = 0.12f;
        c.weight = 1;
      } else if (sd < 6) {  // retraction halo
        c.eosin = 0.3f;
        c.weight = 0;
      } else {
        c.weight = 0.12f;
      }
      break;
    }
  }
  return c;
}

}  // namespace

// Samples the coarse fields at cell centres; the outline is soft over ~2.5 um.
void fill_grid(Scene& s) {
  auto& g = s.grid;
  g.w = int(std::ceil(s.params.width_um / kGridUm)) + 1;
  g.h = int(std::ceil(s.params.height_um / kGridUm)) + 1;
  const size_t n = size_t(g.w) * g.h;
  g.tissue.assign(n, 0);
  g.eosin.assign(n, 1);
  g.hema.assign(n, 0);
  g.weight.assign(n, 0);
  g.piece.assign(n, -1);
  for (int k = 0; k < int(s.pieces.size()); ++k) {
    const auto& p = s.pieces[k];
    const float reach = p.radius * 1.45f + 4;
    const int i0 = std::max(0, int((p.cx - reach) / kGridUm)), i1 = std::min(g.w - 1, int((p.cx + reach) / kGridUm));
    const int j0 = std::max(0, int((p.cy - reach) / kGridUm)), j1 = std::min(g.h - 1, int((p.cy + reach) / kGridUm));
    for (int j = j0; j <= j1; ++j) {
      for (int i = i0; i <= i1; ++i) {
        const float x = (i + 0.5f) * kGridUm, y = (j + 0.5f) * kGridUm;
        const float d = p.outline(std::atan2(y - p.cy, x - p.cx)) - std::hypot(x - p.cx, y - p.cy);
        const float edge = std::clamp(d / 2.5f + 0.5f, 0.0f, 1.0f);
        if (edge <= 0) continue;
        const Cell c = architecture_at(p, x, y, s.seed);
        const size_t at = size_t(j) * g.w + i;
        g.tissue[at] = edge * c.tissue;
        g.eosin[at] = c.eosin;
        g.hema[at] = c.hema;
        g.weight[at] = edge >= 1 ? c.weight : 0;
        g.piece[at] = int8_t(k);
      }
    }
  }
}

// Draws each piece's nuclei: count from its nuclear fraction, positions by architecture weight, hard core.
void place_nuclei(Scene& s, Rng& rng) {
  const auto& g = s.grid;
  constexpr float kMeanArea = kPi * (9.0f + 12.0f + 16.0f) / 3.0f;  // E[pi r^2], r ~ U(3, 4)
  constexpr float kHash = 10.0f;                                       // hard-core lookup cell (um)
  std::unordered_map<int64_t, std::vector<int>> buckets;
  auto key = [](int bx, int by) { return int64_t(bx) * 1000003 + by; };
  uint32_t next_id = 0;
  for (int k = 0; k < int(s.pieces.size()); ++k) {
    auto& p = s.pieces[k];
    double area = 0;
    for (size_t i = 0; i < g.piece.size(); ++i)
      if (g.piece[i] == k) area += g.tissue[i] * kGridUm * kGridUm;
    const int target = int(p.nuclear_fraction * area / kMeanArea);
    const float reach = p.radius * 1.45f;
    int placed = 0;
    for (int attempt = 0; attempt < 40 * target && placed < target; ++attempt) {
      const float x = p.cx + float(rng.uniform(-reach, reach)), y = p.cy + float(rng.uniform(-reach, reach));
      const float u = float(rng.uniform());
      const int i = int(x / kGridUm), j = int(y / kGridUm);
      if (i < 0 || j < 0 || i >= g.w || j >= g.h) continue;
      const size_t at = size_t(j) * g.w + i;
      if (g.piece[at] != k || u >= g.weight[at]) continue;
      const float r = float(rng.uniform(3.0, 4.0));
      const int bx = int(x / kHash), by = int(y / kHash);
      bool clear = true;
      for (int dy = -1; dy <= 1 && clear; ++dy)
        for (int dx = -1; dx <= 1 && clear; ++dx) {
          auto it = buckets.find(key(bx + dx, by + dy));
          if (it == buckets.end()) continue;
          for (int other : it->second) {
            const auto& o = s.nuclei[other];
            const float ro = std::sqrt(o.a * o.b);
            if (std::hypot(o.x - x, o.y - y) < 0.9f * (r + ro)) clear = false;
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

// Builds one slide's scene: stain, tissue pieces with their architecture, the coarse grid, and nuclei.
#include "synth/scene.h"

#include <algorithm>
#include <cmath>

#include "synth/random.h"

namespace rd::synth {
namespace {

constexpr float kPi = 3.14159265358979f;

// Per-slide H&E stain: Ruifrok-Johnston vectors, jittered. Drawn from a label-free stream.
Stain make_stain(Rng& rng) {
  Stain s{};
  const float h0[3] = {0.650f, 0.704f, 0.286f}, e0[3] = {0.10f, 0.86f, 0.42f};  // eosin tuned pinker than Ruifrok's
  float hn = 0, en = 0;
  for (int c = 0; c < 3; ++c) {
    s.h[c] = std::max(0.02f, h0[c] + float(rng.uniform(-0.07, 0.07)));
    s.e[c] = std::max(0.02f, e0[c] + float(rng.uniform(-0.07, 0.07)));
    hn += s.h[c] * s.h[c];
    en += s.e[c] * s.e[c];
  }
  for (int c = 0; c < 3; ++c) {
    s.h[c] /= std::sqrt(hn);
    s.e[c] /= std::sqrt(en);
    s.background[c] = 0.02f + float(rng.uniform(0.0, 0.035));
  }
  s.h_strength = float(rng.uniform(0.8, 1.2));
  s.e_strength = float(rng.uniform(0.7, 1.25));
  return s;
}

// Packs non-overlapping discs (lumens or nests) inside a piece's outline by random sequential addition.
void pack_discs(Piece& p, Rng& rng, float r_lo, float r_hi, float gap) {
  const int attempts = int(80 * p.radius * p.radius / (60.0f * 60.0f));
  for (int i = 0; i < attempts; ++i) {
    const float r = float(rng.uniform(r_lo, r_hi));
    const float ang = float(rng.uniform(0, 2 * kPi)), rad = p.radius * 1.4f * std::sqrt(float(rng.uniform()));
    const float x = p.cx + rad * std::cos(ang), y = p.cy + rad * std::sin(ang);
    const float d = std::hypot(x - p.cx, y - p.cy);
    if (d + r + 12.0f > p.outline(std::atan2(y - p.cy, x - p.cx))) continue;
    bool clear = true;
    for (const auto& q : p.discs) clear = clear && std::hypot(q.x - x, q.y - y) > q.r + r + gap;
    if (clear) p.discs.push_back({x, y, r});
  }
}

// Places 2-4 lobulated tissue pieces without overlap; the architecture agrees with the label with probability p.
void make_pieces(Scene& s, Rng& rng) {
  const auto& P = s.params;
  const int wanted = 2 + rng.below(3);
  for (int tries = 0; tries < 400 && int(s.pieces.size()) < wanted; ++tries) {
    Piece p;
    p.radius = float(rng.uniform(150, 260));
    const float m = p.radius * 1.45f + 15.0f;
    if (2 * m >= P.width_um || 2 * m >= P.height_um) p.radius = std::min(P.width_um, P.height_um) / 3.2f;
    const float mm = p.radius * 1.45f + 15.0f;
    p.cx = float(rng.uniform(mm, std::max(mm + 1, P.width_um - mm)));
    p.cy = float(rng.uniform(mm, std::max(mm + 1, P.height_um - mm)));
    bool clear = true;
    for (const auto& q : s.pieces) clear = clear && std::hypot(q.cx - p.cx, q.cy - p.cy) > 1.45f * (q.radius + p.radius) + 30.0f;
    if (!clear) continue;
    for (int k = 0; k < 4; ++k) {
      p.harm_a[k] = float(rng.uniform(0.0, 0.1));
      p.harm_p[k] = float(rng.uniform(0, 2 * kPi));
    }
    const int label = s.label;
    int arch = label;
    if (!rng.chance(P.coarse_agreement)) arch = (label + 1 + rng.below(P.classes - 1)) % P.classes;
    p.architecture = Architecture(arch);
    p.nuclear_fraction = float(rng.uniform(0.16, 0.26));
    p.band_angle = float(rng.uniform(0, kPi));
    p.band_period = float(rng.uniform(45, 75));
    p.band_phase = float(rng.uniform(0, 2 * kPi));
    if (p.architecture == Architecture::kGlands) pack_discs(p, rng, 16, 40, 14);
    if (p.architecture == Architecture::kNests) pack_discs(p, rng, 28, 60, 20);
    s.pieces.push_back(std::move(p));
  }
}

}  // namespace

float Piece::outline(float theta) const {
  float f = 1;
  for (int k = 0; k < 4; ++k) f += harm_a[k] * std::cos(float(k + 2) * theta + harm_p[k]);
  return radius * f;
}

const char* class_name(int label) {
  static const char* names[kMaxClasses] = {"A", "B", "C"};
  return names[label];
}
const char* nuclear_name(Nuclear n) {
  switch (n) {
    case Nuclear::kSolid:
      return "round nuclei, dense homogeneous chromatin";
    case Nuclear::kSpindle:
      return "spindle nuclei (elongated 1.8x / 1.8x), same area";
    default:
      return "vesicular nuclei: dark rim, pale clumped chromatin, nucleolus; same area and mean darkness";
  }
}
const char* architecture_name(Architecture a) {
  switch (a) {
    case Architecture::kGlands:
      return "glands: pale lumens 32-80 um wide ringed by nuclei";
    case Architecture::kBands:
      return "fibrous bands: alternating dense/loose stroma, period 45-75 um";
    default:
      return "nests: cellular islands 56-120 um wide with pale halos";
  }
}

void fill_grid(Scene& s);
void place_nuclei(Scene& s, Rng& rng);

Scene make_scene(const SceneParams& params, uint64_t cohort_seed, int slide_index, int label) {
  Scene s;
  s.label = label;
  s.nuclear = Nuclear(label);
  s.params = params;
  s.seed = derive(cohort_seed, uint64_t(slide_index), 3);
  Rng stain_rng(derive(cohort_seed, uint64_t(slide_index), 1));
  s.stain = make_stain(stain_rng);
  Rng layout(derive(cohort_seed, uint64_t(slide_index), 2));
  make_pieces(s, layout);
  fill_grid(s);
  place_nuclei(s, layout);
  return s;
}

}  // namespace rd::synth

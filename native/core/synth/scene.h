// The synthetic slide as a scene in microns: tissue pieces, their coarse architecture, nuclei, stain.
// Classes differ in FINE nuclear morphology (lost below ~2.5x) and, only partly, in COARSE architecture
// (glands / fibrous bands / nests at 30-150 um, which survive at 1.25x).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rd::synth {

// Fine cue: nuclear morphology at equal area and equal mean transmittance, so it averages away.
enum class Nuclear : int { kSolid = 0, kSpindle = 1, kVesicular = 2 };
// Coarse cue: tissue architecture; a piece shows its class's pattern with probability `coarseAgreement`.
enum class Architecture : int { kGlands = 0, kBands = 1, kNests = 2 };

constexpr int kMaxClasses = 3;
// Nuclei of every class share radius ~U(3, 4) um; spindles have semi-axes r*1.8 and r/1.8 (the same area).
constexpr float kSpindleElongation = 1.8f;
const char* class_name(int label);
const char* nuclear_name(Nuclear n);
const char* architecture_name(Architecture a);

struct Disc {
  float x, y, r;  // um
};

struct Piece {
  float cx, cy, radius;  // um; outline r(theta) = radius * (1 + sum a_k cos(k theta + p_k))
  std::array<float, 4> harm_a{}, harm_p{};
  Architecture architecture = Architecture::kGlands;
  float nuclear_fraction = 0.2f;  // area fraction of tissue covered by nuclei (class-independent)
  float band_angle = 0, band_period = 60, band_phase = 0;
  std::vector<Disc> discs;  // lumens (glands) or nests
  int nuclei = 0;
  float outline(float theta) const;
};

struct Nucleus {
  float x, y, a, b, angle;  // centre (um), semi-axes (um), orientation (rad)
  float nucleolus_dx, nucleolus_dy;
  float darkness;  // per-nucleus variation, the same distribution in every class
  uint32_t id;
};

struct Stain {
  std::array<float, 3> h, e, background;  // optical-density vectors (unit) and background OD
  float h_strength, e_strength;
};

struct SceneParams {
  float width_um = 1536, height_um = 1024;
  int classes = 3;
  double coarse_agreement = 0.7;
};

// Smooth coarse fields sampled on a regular grid (kGridUm spacing): signed distances and band phase, so that
// edges stay sharp and smooth after bilinear interpolation at any mpp.
constexpr float kGridUm = 2.0f;
struct CoarseGrid {
  int w = 0, h = 0;
  std::vector<float> outline;  // um inside the owning piece's outline (negative outside)
  std::vector<float> disc;     // signed um to the nearest lumen/nest edge (negative inside)
  std::vector<float> band;     // 0..1 dense-band value (fibrous bands)
  std::vector<int8_t> piece;   // owning piece or -1
};

// What the coarse architecture says at one point.
struct Local {
  int piece = -1;
  float tissue = 0;  // 0..1 tissue presence (soft outline, minus lumens)
  float eosin = 1;   // stroma eosin multiplier
  float hema = 0;    // diffuse haematoxylin (cytoplasm)
  float weight = 0;  // nucleus placement weight
};

struct Scene {
  int label = 0;
  Nuclear nuclear = Nuclear::kSolid;
  uint64_t seed = 0;  // pixel-noise seed for this slide
  SceneParams params;
  Stain stain{};
  std::vector<Piece> pieces;
  std::vector<Nucleus> nuclei;
  CoarseGrid grid;
};

Local sample_architecture(const Scene& scene, float x_um, float y_um);

// Builds the whole scene of one slide, deterministically from (cohort seed, slide index, label).
Scene make_scene(const SceneParams& params, uint64_t cohort_seed, int slide_index, int label);

}  // namespace rd::synth

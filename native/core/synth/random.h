// Portable, seedable randomness for the synthetic cohort. std:: distributions are implementation-defined,
// so every draw here is spelled out: the same seed gives the same bytes on every compiler and library.
#pragma once
#include <cmath>
#include <cstdint>

namespace rd::synth {

// SplitMix64 finaliser: a strong 64-bit mix, used both as a stream step and as a coordinate hash.
inline uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Derives an independent stream seed from a parent seed and small integer tags (slide, purpose, ...).
inline uint64_t derive(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return mix64(mix64(seed ^ mix64(a + 1)) ^ (b * 0xD6E8FEB86659FD93ull));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(mix64(seed)) {}
  uint64_t next() { return mix64(state_ += 0x9E3779B97F4A7C15ull); }
  // Uniform in [0, 1) from the top 53 bits.
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  int below(int n) { return int(uniform() * n); }
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

// Hash of an integer lattice point to [0, 1): the basis of all per-pixel noise.
inline float hash01(int64_t x, int64_t y, uint64_t seed) {
  const uint64_t h = mix64(seed ^ mix64(uint64_t(x) * 0x9E3779B97F4A7C15ull ^ uint64_t(y) * 0xC2B2AE3D27D4EB4Full));
  return float(h >> 40) * (1.0f / 16777216.0f);
}

// Smooth value noise in [0, 1) at unit lattice spacing (bilinear with a smoothstep fade).
inline float value_noise(float x, float y, uint64_t seed) {
  const float fx = std::floor(x), fy = std::floor(y);
  const int64_t ix = int64_t(fx), iy = int64_t(fy);
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3.0f - 2.0f * tx);
  ty = ty * ty * (3.0f - 2.0f * ty);
  const float a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed);
  const float c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed);
  return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

}  // namespace rd::synth

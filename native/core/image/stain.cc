#include "image/stain.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/error.h"

namespace rd::image {
namespace {

constexpr double kIo = 240, kAlpha = 1, kBeta = 0.15;  // Macenko's light intensity, angle percentile, OD threshold
constexpr size_t kPoolPerImage = 65536;

// numpy's default percentile: linear interpolation between the order statistics around p/100 (n - 1).
double percentile(std::vector<double> v, double p) {
  const double rank = p / 100.0 * double(v.size() - 1);
  const size_t lo = size_t(std::floor(rank));
  std::nth_element(v.begin(), v.begin() + long(lo), v.end());
  const double a = v[lo];
  if (lo + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + long(lo) + 1, v.end());
  return a + (rank - double(lo)) * (b - a);
}

// Eigenvectors of a symmetric 3 x 3 matrix by Jacobi rotations, ordered by ascending eigenvalue (columns).
std::array<std::array<double, 3>, 3> eigenvectors(std::array<std::array<double, 3>, 3> a) {
  std::array<std::array<double, 3>, 3> v{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  for (int sweep = 0; sweep < 100; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off < 1e-30) break;
    for (int p = 0; p < 2; ++p) {
      for (int q = p + 1; q < 3; ++q) {
        if (std::abs(a[p][q]) < 1e-300) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < 3; ++k) {  // a <- a J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq, a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {  // a <- J^T a
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk, a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 3; ++k) {
          const double vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq, v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  std::array<int, 3> order{0, 1, 2};
  std::sort(order.begin(), order.end(), [&](int i, int j) { return a[i][i] < a[j][j]; });
  std::array<std::array<double, 3>, 3> out{};
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) out[r][c] = v[r][order[c]];
  }
  return out;
}

// An image's own estimate reads every k-th pixel when it has more (k = ceil(pixels / 2^20)): memory stays bounded
// for whole tissue pieces, and tiles up to 1024 x 1024 use every pixel.
constexpr size_t kEstimatePixels = size_t(1) << 20;
size_t estimate_stride(size_t pixels) { return std::max<size_t>(1, (pixels + kEstimatePixels - 1) / kEstimatePixels); }

// Clamped to [0, 255]; NaN (only from a hostile reference) becomes 0 instead of undefined behaviour downstream.
double clamp255(double x) { return x > 0 ? (x < 255 ? x : 255) : 0; }

struct MacenkoEstimate {
  std::array<double, 3> h{}, s{};  // haematoxylin, eosin
  double g00 = 0, g01 = 0, g11 = 0, det = 0;
  std::array<double, 2> max_c{};
  // Least squares C = (HE^T HE)^-1 HE^T OD of one pixel.
  std::array<double, 2> concentrations(const uint8_t* p) const {
    const std::array<double, 3> o{od(p[0]), od(p[1]), od(p[2])};
    const double bh = h[0] * o[0] + h[1] * o[1] + h[2] * o[2], bs = s[0] * o[0] + s[1] * o[1] + s[2] * o[2];
    return {(g11 * bh - g01 * bs) / det, (g00 * bs - g01 * bh) / det};
  }
  static double od(uint8_t v) { return -std::log((double(v) + 1) / kIo); }
};

// The stain matrix and the 99th percentiles of the concentrations, from every `stride`-th pixel; false when there
// are under 3 tissue pixels or the two stain vectors coincide (one flat colour: nothing to separate).
bool estimate_macenko(const uint8_t* rgb, size_t pixels, size_t stride, MacenkoEstimate& e) {
  std::vector<std::array<double, 3>> tissue;
  for (size_t i = 0; i < pixels; i += stride) {
    const uint8_t* p = rgb + 3 * i;
    const std::array<double, 3> o{MacenkoEstimate::od(p[0]), MacenkoEstimate::od(p[1]), MacenkoEstimate::od(p[2])};
    if (o[0] >= kBeta && o[1] >= kBeta && o[2] >= kBeta) tissue.push_back(o);
  }
  if (tissue.size() < 3) return false;
  std::array<double, 3> mean{};
  for (const auto& o : tissue) {
    for (int k = 0; k < 3; ++k) mean[k] += o[k];
  }
  for (double& m : mean) m /= double(tissue.size());
  std::array<std::array<double, 3>, 3> cov{};
  for (const auto& o : tissue) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) cov[r][c] += (o[r] - mean[r]) * (o[c] - mean[c]);
    }
  }
  for (auto& row : cov) {
    for (double& x : row) x /= double(tissue.size() - 1);
  }
  const auto v = eigenvectors(cov);
  // e1: the largest eigenvalue's vector, e2 the second; a library's sign is arbitrary, so each sums positive.
  std::array<double, 3> e1{v[0][2], v[1][2], v[2][2]}, e2{v[0][1], v[1][1], v[2][1]};
  for (auto* e : {&e1, &e2}) {
    if ((*e)[0] + (*e)[1] + (*e)[2] < 0) {
      for (double& x : *e) x = -x;
    }
  }
  std::vector<double> phi(tissue.size());
  for (size_t i = 0; i < tissue.size(); ++i) {
    const auto& o = tissue[i];
    phi[i] = std::atan2(o[0] * e1[0] + o[1] * e1[1] + o[2] * e1[2], o[0] * e2[0] + o[1] * e2[1] + o[2] * e2[2]);
  }
  tissue = {};
  const double lo = percentile(phi, kAlpha), hi = percentile(std::move(phi), 100 - kAlpha);
  std::array<double, 3> v_min{}, v_max{};
  for (int k = 0; k < 3; ++k) {
    v_min[k] = e2[k] * std::cos(lo) + e1[k] * std::sin(lo);
    v_max[k] = e2[k] * std::cos(hi) + e1[k] * std::sin(hi);
  }
  e.h = v_min[0] > v_max[0] ? v_min : v_max;  // haematoxylin absorbs red the more
  e.s = v_min[0] > v_max[0] ? v_max : v_min;
  for (int k = 0; k < 3; ++k) e.g00 += e.h[k] * e.h[k], e.g01 += e.h[k] * e.s[k], e.g11 += e.s[k] * e.s[k];
  e.det = e.g00 * e.g11 - e.g01 * e.g01;
  if (!(e.det > 1e-9 * e.g00 * e.g11)) return false;
  std::vector<double> ch, ce;  // over every sampled pixel, tissue or not
  for (size_t i = 0; i < pixels; i += stride) {
    const auto c = e.concentrations(rgb + 3 * i);
    ch.push_back(c[0]), ce.push_back(c[1]);
  }
  e.max_c = {percentile(std::move(ch), 99), percentile(std::move(ce), 99)};
  return e.max_c[0] > 0 && e.max_c[1] > 0;
}

// sRGB (D65) <-> CIELAB, the constants staintools and torchstain use through OpenCV/skimage.
constexpr double kToXyz[3][3] = {{0.4124564, 0.3575761, 0.1804375}, {0.2126729, 0.7151522, 0.0721750}, {0.0193339, 0.1191920, 0.9503041}};
constexpr double kToRgb[3][3] = {
    {3.2404542, -1.5371385, -0.4985314}, {-0.9692660, 1.8760108, 0.0415560}, {0.0556434, -0.2040259, 1.0572252}};
constexpr double kWhite[3] = {0.95047, 1.0, 1.08883};
constexpr double kDelta = 6.0 / 29.0;

std::array<double, 3> to_lab(const uint8_t* p) {
  double lin[3], xyz[3] = {0, 0, 0}, f[3];
  for (int k = 0; k < 3; ++k) {
    const double c = double(p[k]) / 255.0;
    lin[k] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  }
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 3; ++k) xyz[r] += kToXyz[r][k] * lin[k];
  }
  for (int k = 0; k < 3; ++k) {
    const double t = xyz[k] / kWhite[k];
    f[k] = t > kDelta * kDelta * kDelta ? std::cbrt(t) : t / (3 * kDelta * kDelta) + 4.0 / 29.0;
  }
  return {116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])};
}

std::array<double, 3> to_rgb(const std::array<double, 3>& lab) {
  const double fy = (lab[0] + 16) / 116, f[3] = {fy + lab[1] / 500, fy, fy - lab[2] / 200};
  double xyz[3], out[3];
  for (int k = 0; k < 3; ++k) xyz[k] = kWhite[k] * (f[k] > kDelta ? f[k] * f[k] * f[k] : 3 * kDelta * kDelta * (f[k] - 4.0 / 29.0));
  for (int r = 0; r < 3; ++r) {
    double lin = 0;
    for (int k = 0; k < 3; ++k) lin += kToRgb[r][k] * xyz[k];
    lin = std::clamp(lin, 0.0, 1.0);
    out[r] = 255 * (lin <= 0.0031308 ? 12.92 * lin : 1.055 * std::pow(lin, 1 / 2.4) - 0.055);
  }
  return {out[0], out[1], out[2]};
}

// Per-channel mean and population std in L*a*b* of every `stride`-th pixel (two passes, nothing kept per pixel).
void lab_statistics(const uint8_t* rgb, size_t pixels, size_t stride, std::array<double, 3>& mean, std::array<double, 3>& std) {
  mean = {0, 0, 0}, std = {0, 0, 0};
  size_t n = 0;
  for (size_t i = 0; i < pixels; i += stride, ++n) {
    const auto lab = to_lab(rgb + 3 * i);
    for (int k = 0; k < 3; ++k) mean[k] += lab[k];
  }
  for (double& m : mean) m /= double(n);
  for (size_t i = 0; i < pixels; i += stride) {
    const auto lab = to_lab(rgb + 3 * i);
    for (int k = 0; k < 3; ++k) std[k] += (lab[k] - mean[k]) * (lab[k] - mean[k]);
  }
  for (double& s : std) s = std::sqrt(s / double(n));
}

// Calls out(i, value) for every channel value of the image mapped to the reference, clamped to [0, 255]; false when
// the image is left unchanged (macenko: too little tissue to estimate its stains).
template <typename Out>
bool map_to_reference(const StainReference& ref, const uint8_t* rgb, size_t pixels, Out&& out) {
  if (pixels == 0) return false;
  const size_t stride = estimate_stride(pixels);
  if (ref.method == "macenko") {
    MacenkoEstimate e;
    if (!estimate_macenko(rgb, pixels, stride, e)) return false;
    const double scale[2] = {ref.max_concentrations[0] / e.max_c[0], ref.max_concentrations[1] / e.max_c[1]};
    for (size_t i = 0; i < pixels; ++i) {
      const auto c = e.concentrations(rgb + 3 * i);
      const double ch = c[0] * scale[0], ce = c[1] * scale[1];
      for (int k = 0; k < 3; ++k) out(3 * i + size_t(k), clamp255(kIo * std::exp(-(ref.he[k][0] * ch + ref.he[k][1] * ce))));
    }
    return true;
  }
  std::array<double, 3> mean, std, ratio;
  lab_statistics(rgb, pixels, stride, mean, std);
  for (int k = 0; k < 3; ++k) ratio[k] = std[k] < 1e-6 ? 1.0 : ref.std[k] / std[k];
  for (size_t i = 0; i < pixels; ++i) {
    auto lab = to_lab(rgb + 3 * i);
    for (int k = 0; k < 3; ++k) lab[k] = (lab[k] - mean[k]) * ratio[k] + ref.mean[k];
    const auto p = to_rgb(lab);
    for (int k = 0; k < 3; ++k) out(3 * i + size_t(k), clamp255(p[k]));
  }
  return true;
}

// A fitted number to 9 significant digits: parts extracted on machines whose libm differs in the last bit still
// agree on the manifest, so on the fingerprint.
double stable(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", x);
  return std::strtod(text, nullptr);
}

}  // namespace

bool is_stain_method(const std::string& method) { return method == "none" || method == "macenko" || method == "reinhard"; }

void pool_pixels(const uint8_t* rgb, size_t pixels, std::vector<uint8_t>& pool) {
  const size_t k = std::max<size_t>(1, (pixels + kPoolPerImage - 1) / kPoolPerImage);
  for (size_t i = 0; i < pixels; i += k) pool.insert(pool.end(), rgb + 3 * i, rgb + 3 * i + 3);
}

StainReference fit_stain(const std::string& method, const std::vector<uint8_t>& pool, size_t samples) {
  StainReference ref;
  ref.method = method, ref.samples = samples, ref.pixels = pool.size() / 3;
  if (ref.pixels == 0) throw Error(code::kConfigInvalid, "data.stain: the training pool has no pixels to fit a stain reference on");
  if (method == "macenko") {
    MacenkoEstimate e;
    if (!estimate_macenko(pool.data(), ref.pixels, 1, e)) {
      throw Error(code::kConfigInvalid,
                  "data.stain: the training pool has too little stained tissue for a Macenko reference (its pixels are "
                  "near-white, or one flat colour); use reinhard or none");
    }
    for (int k = 0; k < 3; ++k) ref.he[k] = {stable(e.h[k]), stable(e.s[k])};
    ref.max_concentrations = {stable(e.max_c[0]), stable(e.max_c[1])};
  } else if (method == "reinhard") {
    lab_statistics(pool.data(), ref.pixels, 1, ref.mean, ref.std);
    for (int k = 0; k < 3; ++k) ref.mean[k] = stable(ref.mean[k]), ref.std[k] = stable(ref.std[k]);
  } else {
    throw Error(code::kConfigInvalid, "data.stain: '" + method + "' is not a stain method (macenko or reinhard)");
  }
  return ref;
}

std::vector<double> normalize_stain_exact(const StainReference& ref, const uint8_t* rgb, size_t pixels) {
  std::vector<double> out(3 * pixels);
  if (!map_to_reference(ref, rgb, pixels, [&](size_t i, double v) { out[i] = v; })) return {};
  return out;
}

bool normalize_stain(const StainReference& ref, uint8_t* rgb, size_t pixels) {
  // In place is safe: each pixel's estimate is fixed before the first write, and a pixel is read before it is written.
  return map_to_reference(ref, rgb, pixels, [&](size_t i, double v) { rgb[i] = uint8_t(std::floor(v + 0.5)); });
}

nlohmann::json to_json(const StainReference& ref) {
  nlohmann::json j = {{"method", ref.method}};
  if (ref.method == "macenko") {
    j["stainMatrix"] = ref.he;
    j["maxConcentrations"] = ref.max_concentrations;
  } else {
    j["mean"] = ref.mean;
    j["std"] = ref.std;
  }
  j["samples"] = ref.samples;
  j["pixels"] = ref.pixels;
  return j;
}

StainReference stain_from_json(const nlohmann::json& j, const std::string& where, const char* error_code) {
  auto bad = [&](const std::string& why) { return Error(error_code, where + ": " + why); };
  // Bounded, so a hostile file cannot push the transform to inf - inf: stain vectors are unit vectors, L*a*b* lies
  // within a few hundred, and concentrations are optical densities.
  auto within = [&](const nlohmann::json& v, double lo, double hi) {
    return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= lo && v.get<double>() <= hi;
  };
  if (!j.is_object() || !j.contains("method") || !j["method"].is_string()) throw bad("not a stain reference (no method)");
  StainReference ref;
  ref.method = j["method"].get<std::string>();
  if (ref.method == "macenko") {
    const auto& m = j.value("stainMatrix", nlohmann::json());
    const auto& c = j.value("maxConcentrations", nlohmann::json());
    bool ok = m.is_array() && m.size() == 3 && c.is_array() && c.size() == 2;
    for (size_t r = 0; ok && r < 3; ++r)
      ok = m[r].is_array() && m[r].size() == 2 && within(m[r][0], -1.01, 1.01) && within(m[r][1], -1.01, 1.01);
    for (size_t k = 0; ok && k < 2; ++k) ok = within(c[k], 1e-6, 1e3);
    if (!ok) throw bad("a macenko reference needs stainMatrix (3 x 2 numbers in [-1, 1]) and maxConcentrations (2 numbers in (0, 1000])");
    for (size_t r = 0; r < 3; ++r) ref.he[r] = {m[r][0].get<double>(), m[r][1].get<double>()};
    ref.max_concentrations = {c[0].get<double>(), c[1].get<double>()};
  } else if (ref.method == "reinhard") {
    const auto& m = j.value("mean", nlohmann::json());
    const auto& s = j.value("std", nlohmann::json());
    bool ok = m.is_array() && m.size() == 3 && s.is_array() && s.size() == 3;
    for (size_t k = 0; ok && k < 3; ++k) ok = within(m[k], -1000, 1000) && within(s[k], 0, 1000);
    if (!ok) throw bad("a reinhard reference needs mean (3 numbers in [-1000, 1000]) and std (3 numbers in [0, 1000])");
    for (size_t k = 0; k < 3; ++k) ref.mean[k] = m[k].get<double>(), ref.std[k] = s[k].get<double>();
  } else {
    throw bad("stain method '" + ref.method + "' is not macenko or reinhard");
  }
  if (j.contains("samples") && j["samples"].is_number_unsigned()) ref.samples = j["samples"].get<size_t>();
  if (j.contains("pixels") && j["pixels"].is_number_unsigned()) ref.pixels = j["pixels"].get<size_t>();
  return ref;
}

}  // namespace rd::image

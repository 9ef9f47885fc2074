// Each source is tried in turn and leaves one line in the trail, so users can see why a value was chosen.
#include "slide/mpp.h"
#include "util/magnification.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>

namespace rd::slide {
namespace {

std::string fmt(double v);

// A property's value as a number: nullopt when absent, or with `why` set when present but malformed (trailing text
// such as "9e", not finite, not positive). The whole value must be the number.
std::optional<double> number(const std::map<std::string, std::string>& p, const std::string& key, std::string* why = nullptr) {
  auto it = p.find(key);
  if (it == p.end()) return std::nullopt;
  const std::string& text = it->second;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  while (end && (*end == ' ' || *end == '\t')) ++end;
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v <= 0) {
    if (why) *why = key + ": '" + text + "' is not a positive number (ignored)";
    return std::nullopt;
  }
  return v;
}

// An mpp a scanner could have written, or nullopt with the reason (a value such as 1e9 or 1e-300 is corrupt metadata).
std::optional<double> plausible(double mpp, const std::string& what, std::string& why) {
  if (mpp >= kMinPlausibleMpp && mpp <= kMaxPlausibleMpp) return mpp;
  why =
      what + " gives " + fmt(mpp) + " um/px, outside the plausible " + fmt(kMinPlausibleMpp) + ".." + fmt(kMaxPlausibleMpp) + " (ignored)";
  return std::nullopt;
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// TIFF resolution is pixels per unit; returns microns per pixel or nullopt with the reason in `why`.
std::optional<double> tiff_mpp(const std::map<std::string, std::string>& p, const std::string& axis, std::string& why) {
  auto res = number(p, "tiff." + axis + "Resolution");
  if (!res) {
    why = "no tiff." + axis + "Resolution";
    return std::nullopt;
  }
  auto unit = p.count("tiff.ResolutionUnit") ? p.at("tiff.ResolutionUnit") : std::string("inch");
  double microns_per_unit = unit == "centimeter" ? 1e4 : unit == "inch" ? 25400.0 : 0;
  if (microns_per_unit == 0) {
    why = "tiff.ResolutionUnit is '" + unit + "' (no physical unit)";
    return std::nullopt;
  }
  double mpp = microns_per_unit / *res;
  if (mpp < kMinPlausibleMpp || mpp > kMaxPlausibleMpp) {
    why = "tiff." + axis + "Resolution gives " + fmt(mpp) + " um/px, outside the plausible " + fmt(kMinPlausibleMpp) + ".." +
          fmt(kMaxPlausibleMpp) + " (a writer default, not a scan)";
    return std::nullopt;
  }
  return mpp;
}

}  // namespace

MppResolution resolve_mpp(const std::map<std::string, std::string>& p, const MppOverride& o, const std::string& path) {
  MppResolution r;
  auto found = [&](double x, double y, const std::string& source, const std::string& line) {
    r.trail.push_back(line);
    if (r.source.empty()) {
      r.x = x;
      r.y = y;
      r.source = source;
    }
  };
  if (!std::isfinite(o.value) || o.value < 0)
    throw Error(code::kConfigInvalid, "mpp override must be a positive number of microns per pixel, got " + fmt(o.value));
  if (o.value > 0 && (o.value < kMinPlausibleMpp || o.value > kMaxPlausibleMpp)) {
    throw Error(code::kConfigInvalid, "mpp override " + fmt(o.value) + " um/px is outside the plausible " + fmt(kMinPlausibleMpp) + ".." +
                                          fmt(kMaxPlausibleMpp) + " (a scan's microns per pixel)");
  }
  if (o.force && !(o.value > 0))
    throw Error(code::kConfigInvalid, "forcing the mpp needs a positive mpp override (--mpp), got " + fmt(o.value));
  if (o.value > 0 && o.force) found(o.value, o.value, "override", "override: " + fmt(o.value) + " um/px (forced)");

  // Each metadata source: absent, malformed, implausible (each ignored, with its reason in the trail) or used.
  {
    std::string why_x, why_y, why;
    auto mx = number(p, "openslide.mpp-x", &why_x), my = number(p, "openslide.mpp-y", &why_y);
    if (!why_x.empty() || !why_y.empty())
      r.trail.push_back(why_x.empty() ? why_y : why_x);
    else if (!mx && !my)
      r.trail.push_back("openslide.mpp-x/y: absent");
    else if (!plausible(mx.value_or(*my), "openslide.mpp-x", why) || !plausible(my.value_or(*mx), "openslide.mpp-y", why))
      r.trail.push_back(why);
    else
      found(mx.value_or(*my), my.value_or(*mx), "openslide.mpp",
            "openslide.mpp-x/y: " + fmt(mx.value_or(*my)) + " x " + fmt(my.value_or(*mx)));
  }
  {
    std::string why;
    auto v = number(p, "aperio.MPP", &why);
    if (v && plausible(*v, "aperio.MPP", why))
      found(*v, *v, "aperio.MPP", "aperio.MPP: " + fmt(*v));
    else
      r.trail.push_back(why.empty() ? "aperio.MPP: absent" : why);
  }
  {
    std::string why;
    auto mag = number(p, "aperio.AppMag", &why);
    if (mag && plausible(mpp_at(*mag), "aperio.AppMag " + fmt(*mag) + "x", why)) {
      found(mpp_at(*mag), mpp_at(*mag), "aperio.AppMag", "aperio.AppMag: " + fmt(*mag) + "x -> " + fmt(mpp_at(*mag)) + " um/px");
    } else {
      r.trail.push_back(why.empty() ? "aperio.AppMag: absent" : why);
    }
  }

  std::string why_x, why_y;
  auto tx = tiff_mpp(p, "X", why_x), ty = tiff_mpp(p, "Y", why_y);
  if (tx || ty)
    found(tx.value_or(*ty), ty.value_or(*tx), "tiff.resolution",
          "tiff resolution: " + fmt(tx.value_or(*ty)) + " x " + fmt(ty.value_or(*tx)) + " um/px");
  else
    r.trail.push_back("tiff resolution: " + why_x);

  if (o.value > 0 && !o.force) {
    if (r.source.empty())
      found(o.value, o.value, "override", "override: " + fmt(o.value) + " um/px");
    else
      r.trail.push_back("override: " + fmt(o.value) + " um/px not used (metadata present; force it to replace metadata)");
  }
  if (r.source.empty()) {
    throw Error(
        code::kSlideNoMpp, "'" + path +
                               "' has no usable microns-per-pixel metadata (checked openslide.mpp-x/y, aperio.MPP, "
                               "aperio.AppMag, TIFF resolution tags); give the scan resolution with --mpp <um/px> "
                               "(API: openSlide(path, { mpp })). Sources consulted: " +
                               [&] {
                                 std::string t;
                                 for (const auto& line : r.trail) t += (t.empty() ? "" : "; ") + line;
                                 return t;
                               }());
  }
  return r;
}

}  // namespace rd::slide

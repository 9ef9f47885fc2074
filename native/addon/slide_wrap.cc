// Slide objects: an open OpenSlide handle held by JS. Opening and small region reads are synchronous and
// cheap; batch reads, tissue detection and extraction are core jobs (slide.*) run through runJob.
#include "common.h"

#if RESDISTILL_HAS_OPENSLIDE  // the core has no slide/ without OpenSlide; the addon then has no Slide
#include <memory>

#include "slide/slide_json.h"

namespace rd::addon {
namespace {

Napi::Object region_object(Napi::Env env, const slide::Region& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("info", slide::region_json(r).dump());
  o.Set("data", Napi::Buffer<uint8_t>::Copy(env, r.pixels.data.data(), r.pixels.data.size()));
  return o;
}

class SlideWrap : public Napi::ObjectWrap<SlideWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Slide",
                       {InstanceMethod<&SlideWrap::Info>("info"), InstanceMethod<&SlideWrap::ReadRegion>("readRegion"),
                        InstanceMethod<&SlideWrap::ReadMulti>("readMulti"), InstanceMethod<&SlideWrap::Associated>("associatedImage"),
                        InstanceMethod<&SlideWrap::Close>("close")});
  }

  /** new Slide(path: string, mpp?: number, forceMpp?: boolean): sync. Opens the slide and resolves its mpp.
   *  Throws SLIDE_NOT_FOUND, SLIDE_UNSUPPORTED, SLIDE_READ_FAILED or SLIDE_NO_MPP. */
  explicit SlideWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SlideWrap>(info) {
    RD_REQUIRE_ARGS(info, 1, "new Slide(path: string, mpp?: number, forceMpp?: boolean)");
    RD_REQUIRE(info, info[0].IsString(), "Slide: path must be a string");
    RD_REQUIRE(info, info.Length() < 2 || info[1].IsNumber() || info[1].IsUndefined(), "Slide: mpp must be a number");
    slide::MppOverride o;
    if (info.Length() >= 2 && info[1].IsNumber()) o.value = info[1].As<Napi::Number>().DoubleValue();
    if (info.Length() >= 3 && info[2].IsBoolean()) o.force = info[2].As<Napi::Boolean>().Value();
    guarded(info, [&] {
      slide_ = slide::Slide::open(info[0].As<Napi::String>(), o);
      return info.Env().Undefined();
    });
  }

 private:
  const slide::Slide& get(const Napi::CallbackInfo& info) const {
    if (!slide_) throw make_error(info.Env(), ErrorInfo{rd::code::kConfigInvalid, "the slide is closed"});
    return *slide_;
  }

  static slide::Rect rect_arg(const Napi::CallbackInfo& info) {
    for (int i = 0; i < 4; ++i) RD_REQUIRE(info, info[i].IsNumber(), "readRegion: x, y, width, height must be numbers (level-0 px)");
    return {info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().DoubleValue(), info[2].As<Napi::Number>().DoubleValue(),
            info[3].As<Napi::Number>().DoubleValue()};
  }

  /** info(): sync. Returns the slide's JSON description (vendor, levels, mpp with source and trail, ...). */
  Napi::Value Info(const Napi::CallbackInfo& info) {
    return guarded(info, [&] { return Napi::String::New(info.Env(), slide::info_json(get(info)).dump()); });
  }

  /** readRegion(x, y, width, height, targetMpp): sync. Returns { info: JSON string, data: Buffer (RGB HWC) }.
   *  Throws REGION_OUTSIDE, SLIDE_READ_FAILED, CONFIG_INVALID. Meant for small regions (thumbnails, previews). */
  Napi::Value ReadRegion(const Napi::CallbackInfo& info) {
    RD_REQUIRE_ARGS(info, 5, "readRegion(x, y, width, height, targetMpp)");
    RD_REQUIRE(info, info[4].IsNumber(), "readRegion: targetMpp must be a number");
    return guarded(info, [&] {
      return region_object(info.Env(), slide::read_region_at_mpp(get(info), rect_arg(info), info[4].As<Napi::Number>().DoubleValue()));
    });
  }

  /** readMulti(x, y, width, height, mpps: number[]): sync. One read, one region per mpp, same field of view. */
  Napi::Value ReadMulti(const Napi::CallbackInfo& info) {
    RD_REQUIRE_ARGS(info, 5, "readMulti(x, y, width, height, mpps)");
    RD_REQUIRE(info, info[4].IsArray(), "readMulti: mpps must be an array of numbers");
    Napi::Array arr = info[4].As<Napi::Array>();
    std::vector<double> mpps;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      RD_REQUIRE(info, arr.Get(i).IsNumber(), "readMulti: mpps must be an array of numbers");
      mpps.push_back(arr.Get(i).As<Napi::Number>().DoubleValue());
    }
    return guarded(info, [&] {
      auto regions = slide::read_multi(get(info), rect_arg(info), mpps);
      Napi::Array out = Napi::Array::New(info.Env(), regions.size());
      for (size_t i = 0; i < regions.size(); ++i) out.Set(uint32_t(i), region_object(info.Env(), regions[i]));
      return out;
    });
  }

  /** associatedImage(name): sync. Returns { width, height, data: Buffer (RGB) }; CONFIG_INVALID for unknown names. */
  Napi::Value Associated(const Napi::CallbackInfo& info) {
    RD_REQUIRE_ARGS(info, 1, "associatedImage(name)");
    RD_REQUIRE(info, info[0].IsString(), "associatedImage: name must be a string");
    return guarded(info, [&] {
      auto img = get(info).associated(info[0].As<Napi::String>());
      Napi::Object o = Napi::Object::New(info.Env());
      o.Set("width", img.width);
      o.Set("height", img.height);
      o.Set("data", Napi::Buffer<uint8_t>::Copy(info.Env(), img.data.data(), img.data.size()));
      return o;
    });
  }

  /** close(): sync. Releases the handle; later calls throw CONFIG_INVALID. Idempotent. */
  Napi::Value Close(const Napi::CallbackInfo& info) {
    slide_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<const slide::Slide> slide_;
};

const Register kRegister([](Napi::Env env, Napi::Object exports) { exports.Set("Slide", SlideWrap::Define(env)); });

}  // namespace
}  // namespace rd::addon
#endif  // RESDISTILL_HAS_OPENSLIDE

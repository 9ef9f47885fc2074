// Shared helpers for the bindings: argument guards, error mapping and self-registration of wrap files.
#pragma once
#include <napi.h>

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/error_info.h"

#ifndef BUILDING_NODE_EXTENSION
#error "native/addon builds only under cmake-js; build the core or the driver with plain CMake instead"
#endif

namespace rd::addon {

// A JS Error carrying the core's stable code; src/util/errors.ts turns it into a typed class.
inline Napi::Error make_error(Napi::Env env, const ErrorInfo& info) {
  Napi::Error error = Napi::Error::New(env, info.message);
  error.Set("code", Napi::String::New(env, info.code));
  return error;
}

inline Napi::Error make_error(Napi::Env env, std::exception_ptr e) { return make_error(env, describe(e)); }

inline Napi::Error invalid_argument(Napi::Env env, const std::string& message) {
  return make_error(env, ErrorInfo{rd::code::kConfigInvalid, message});
}

// Wraps a synchronous binding so no C++ exception ever reaches Node unmapped.
template <typename Fn>
Napi::Value guarded(const Napi::CallbackInfo& info, Fn&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw make_error(info.Env(), std::current_exception());
  }
}

using Initializer = std::function<void(Napi::Env, Napi::Object)>;
std::vector<Initializer>& initializers();
struct Register {
  explicit Register(Initializer init) { initializers().push_back(std::move(init)); }
};

}  // namespace rd::addon

#define RD_REQUIRE_ARGS(info, n, usage) \
  if ((info).Length() < (n)) throw ::rd::addon::invalid_argument((info).Env(), "usage: " usage)
#define RD_REQUIRE(info, cond, message) \
  if (!(cond)) throw ::rd::addon::invalid_argument((info).Env(), message)

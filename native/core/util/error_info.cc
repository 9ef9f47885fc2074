#include "util/error_info.h"

#include <c10/util/Exception.h>

#include <new>

#include "util/error.h"

namespace rd {

ErrorInfo describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {e.code(), e.what()};
  } catch (const c10::Error& e) {
    // what_without_backtrace keeps the message readable; the backtrace is noise for users.
    return {code::kTorch, std::string("LibTorch: ") + e.what_without_backtrace()};
  } catch (const std::bad_alloc&) {
    return {code::kOutOfMemory, "out of memory"};
  } catch (const std::exception& e) {
    return {code::kInternal, e.what()};
  } catch (...) {
    return {code::kInternal, "unknown C++ exception"};
  }
}

}  // namespace rd

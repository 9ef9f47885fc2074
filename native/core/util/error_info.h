// Turns any exception escaping a job into a (code, message) pair; every entry point uses it.
#pragma once
#include <exception>
#include <string>

namespace rd {

struct ErrorInfo {
  std::string code;
  std::string message;
};

ErrorInfo describe(std::exception_ptr error);

}  // namespace rd

# LibTorch discovery, in order: LIBTORCH / Torch_DIR -> a Python torch's CMake prefix -> the system package.
set(RESDISTILL_TORCH_ORIGIN "system package")
if(DEFINED ENV{LIBTORCH})
  list(PREPEND CMAKE_PREFIX_PATH "$ENV{LIBTORCH}")
  set(RESDISTILL_TORCH_ORIGIN "LIBTORCH=$ENV{LIBTORCH}")
elseif(DEFINED Torch_DIR OR DEFINED ENV{Torch_DIR})
  set(RESDISTILL_TORCH_ORIGIN "Torch_DIR")
else()
  find_program(RESDISTILL_PYTHON NAMES python3 python)
  if(RESDISTILL_PYTHON)
    execute_process(COMMAND ${RESDISTILL_PYTHON} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE _py_prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _py_rc)
    if(_py_rc EQUAL 0 AND EXISTS "${_py_prefix}/Torch/TorchConfig.cmake")
      list(PREPEND CMAKE_PREFIX_PATH "${_py_prefix}")
      set(RESDISTILL_TORCH_ORIGIN "Python torch at ${_py_prefix}")
    endif()
  endif()
endif()

find_package(Torch REQUIRED)

# TORCH_CXX_FLAGS is a space-separated string (ABI flag); turn it into a list of options.
separate_arguments(RESDISTILL_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
get_filename_component(RESDISTILL_TORCH_LIBDIR "${TORCH_LIBRARY}" DIRECTORY)
set(RESDISTILL_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(RESDISTILL_TORCH_CUDA ON)
endif()
message(STATUS "resdistill: LibTorch ${Torch_VERSION} from ${RESDISTILL_TORCH_ORIGIN} (${RESDISTILL_TORCH_LIBDIR}), CUDA: ${RESDISTILL_TORCH_CUDA}")

# ATen's at::parallel_for is an inline `#pragma omp parallel` in our own code when LibTorch uses OpenMP:
# compiled without -fopenmp it silently runs on one thread. Our core must then build with OpenMP too.
set(RESDISTILL_TORCH_OPENMP OFF)
find_path(RESDISTILL_ATEN_CONFIG_DIR ATen/Config.h PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
if(RESDISTILL_ATEN_CONFIG_DIR)
  file(STRINGS "${RESDISTILL_ATEN_CONFIG_DIR}/ATen/Config.h" _aten_openmp REGEX "define AT_PARALLEL_OPENMP 1")
  if(_aten_openmp)
    find_package(OpenMP REQUIRED COMPONENTS CXX)
    set(RESDISTILL_TORCH_OPENMP ON)
  endif()
endif()
message(STATUS "resdistill: ATen parallel backend OpenMP: ${RESDISTILL_TORCH_OPENMP}")

# c10d for data-parallel training: LibTorch's ProcessGroupGloo.hpp plus Gloo's own headers (Debian: libgloo-dev;
# PyPI/CUDA LibTorch ships both and links Gloo into libtorch_cpu). Without them the build still works and
# `resdistill doctor` reports distributed: unavailable. NCCL needs a CUDA LibTorch and nccl.h.
set(RESDISTILL_C10D OFF)
set(RESDISTILL_C10D_NCCL OFF)
find_path(RESDISTILL_C10D_INCLUDE torch/csrc/distributed/c10d/ProcessGroupGloo.hpp PATHS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
find_path(RESDISTILL_GLOO_INCLUDE gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
if(RESDISTILL_C10D_INCLUDE AND RESDISTILL_GLOO_INCLUDE)
  set(RESDISTILL_C10D ON)
  # Debian's libtorch_cpu links the shared libgloo, whose symbols (vtables of gloo's store and transport) our
  # inline uses of ProcessGroupGloo.hpp need too; PyPI's libtorch_cpu carries Gloo inside.
  find_library(RESDISTILL_GLOO_LIBRARY gloo)
  if(RESDISTILL_TORCH_CUDA)
    find_path(RESDISTILL_NCCL_INCLUDE nccl.h HINTS ${TORCH_INCLUDE_DIRS} ENV NCCL_INCLUDE_DIR ${CUDAToolkit_INCLUDE_DIRS})
    if(RESDISTILL_NCCL_INCLUDE AND EXISTS "${RESDISTILL_C10D_INCLUDE}/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp")
      set(RESDISTILL_C10D_NCCL ON)
    endif()
  endif()
endif()
message(STATUS "resdistill: c10d Gloo: ${RESDISTILL_C10D}, NCCL: ${RESDISTILL_C10D_NCCL}")

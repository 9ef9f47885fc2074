// A self-describing weights file used on a store (bring your own teacher): the network its metadata names, its classes
// checked against the store's (same names, same order), and the input normalisation it was trained with.
#pragma once
#include <string>

#include <c10/core/Device.h>

#include "data/loader.h"
#include "models/model.h"
#include "models/options.h"
#include "run/store_views.h"
#include "store/normalization.h"

namespace rd::run {

struct DescribedModel {
  models::Model model;         // on `device`, eval mode
  models::ModelSpec spec;      // its architecture, as its metadata names it
  store::Normalization input;  // mean/std applied to pixels in [0, 1]
  double magnification = 0;    // 10 / mpp of its input
};

// WEIGHTS_INVALID for a file that does not describe itself; CONFIG_INVALID naming `field` when its classes are not the
// store's, in order.
DescribedModel load_described_for_store(const std::string& path, const StoreFacts& facts, const c10::Device& device,
                                        const std::string& field);

// x as normalised by `from` (a loader's mean/std) re-expressed in `to`'s: (x * from.std + from.mean - to.mean) / to.std.
at::Tensor renormalize(const at::Tensor& x, const data::LoaderOptions& from, const store::Normalization& to);

}  // namespace rd::run

// The description a training run stamps into its best/final weights (models/weights_metadata.h): what the job
// knows (architecture, classes, magnification, input size, normalisation) plus what its caller says (spec.weights:
// { method, runId, synthetic, unit, maxSizeUm }).
#pragma once
#include <map>
#include <string>

#include "data/loader.h"
#include "job/job.h"
#include "train/run_config.h"
#include "run/store_views.h"

namespace rd::train {

// `method` is the default when spec.weights.method is absent (a job run from the C++ driver).
std::map<std::string, std::string> run_weights_metadata(const Json& spec, const RunSpec& r, const run::StoreFacts& facts,
                                                        const data::Loader& train, const std::string& method);

}  // namespace rd::train

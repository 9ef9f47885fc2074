// "train.defaults": the core's defaults for every job-spec field the experiment config also sets, in the config's
// words. The config (src/config/schema.ts) owns the defaults; test/native/defaults-agree.test.ts checks these
// equal it, so a second copy here can never silently disagree.
#include "data/augment.h"
#include "job/job.h"
#include "models/options.h"
#include "train/losses.h"
#include "train/optimizer.h"
#include "train/loop.h"
#include "train/run_config.h"

namespace rd::train {
namespace {

Json run_defaults(const Json&, JobContext&) {
  const RunSpec run;
  const OptimizerSpec optimizer;
  const ScheduleSpec schedule;
  const models::ModelSpec model;
  // What parse_loop and parse_normalize fall back to when the spec omits the field.
  const Json minimal = {{"out", "unused"}};
  const LoopSpec loop = parse_loop(minimal);
  return {
      {"model", model.architecture()},
      {"training",
       {{"epochs", loop.epochs},
        {"batchSize", run.batch_size},
        {"accumulate", loop.accumulate},
        {"selectBy", loop.select_by},
        {"bf16", run.bf16},
        {"optimizer",
         {{"name", optimizer.name}, {"lr", optimizer.lr}, {"weightDecay", optimizer.weight_decay}, {"momentum", optimizer.momentum}}},
        {"schedule", {{"name", schedule.name}, {"gamma", schedule.gamma}, {"warmupEpochs", schedule.warmup_epochs}}}}},
      {"loss", loss_defaults()},
      {"augment", data::AugmentSpec::defaults()},
      {"normalize", run.normalize ? "dataset" : "none"},
      {"seed", run.seed},
      {"checkpoint", kBestCheckpoint},
  };
}

const JobRegistrar kRegistrar("train.defaults",
                              "the core's defaults of the fields the experiment config also sets (checked against it by a test)",
                              run_defaults);

}  // namespace
}  // namespace rd::train

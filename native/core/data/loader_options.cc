// LoaderOptions from a job spec (camelCase keys, as in the TypeScript config); bad fields name their path.
#include "data/loader.h"
#include "job/spec.h"

namespace rd::data {

LoaderOptions LoaderOptions::from_json(const nlohmann::json& j) {
  LoaderOptions o;
  o.store = spec::require<std::string>(j, "store");
  o.split = spec::get<std::string>(j, "split", o.split);
  o.unlabeled_fraction = spec::get<double>(j, "unlabeledFraction", o.unlabeled_fraction);
  o.views = spec::get<std::vector<int>>(j, "views", o.views);
  o.batch_size = spec::get<int64_t>(j, "batchSize", o.batch_size);
  o.mode = spec::get<std::string>(j, "mode", o.mode);
  o.bucket_quantum = spec::get<int64_t>(j, "bucketQuantum", o.bucket_quantum);
  o.shuffle = spec::get<bool>(j, "shuffle", o.shuffle);
  o.drop_last = spec::get<bool>(j, "dropLast", o.drop_last);
  o.seed = spec::get<uint64_t>(j, "seed", o.seed);
  if (j.contains("augment")) o.augment = AugmentSpec::from_json(j["augment"]);
  for (const char* key : {"mean", "std"}) {
    if (!j.contains(key)) continue;
    auto v = spec::get<std::vector<float>>(j, key, {});
    spec::check(v.size() == 3, key, "must hold 3 numbers (R, G, B)");
    for (int c = 0; c < 3; ++c) {
      spec::check(std::string(key) == "mean" || v[size_t(c)] > 0, key, "must be positive");
      (std::string(key) == "mean" ? o.mean : o.std)[c] = v[size_t(c)];
    }
  }
  o.rank = spec::get<int>(j, "rank", o.rank);
  o.world = spec::get<int>(j, "world", o.world);
  o.prefetch = spec::get<int>(j, "prefetch", o.prefetch);
  o.threads = spec::get<int>(j, "threads", o.threads);
  o.pin_memory = spec::get<bool>(j, "pinMemory", o.pin_memory);
  o.verify = spec::get<bool>(j, "verify", o.verify);
  return o;
}

}  // namespace rd::data

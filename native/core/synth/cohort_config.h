// The synth.cohort spec: typed fields with path-naming CONFIG_INVALID errors, and the generator's description.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace rd::synth {

struct CohortSpec {
  std::string out_dir;
  uint64_t seed = 0;  // seed and slides_per_class are required in the spec: the experiment config owns their defaults
  int slides_per_class = 0;
  int classes = 3;
  double width_um = 1536, height_um = 1024;
  double mpp = 0.25;
  int tile = 256;
  std::string compression = "jpeg";
  int quality = 90;
  double coarse_agreement = 0.7;
  int slides_per_patient = 2;
  int threads = 0;  // 0: the process's thread setting
};

CohortSpec read_cohort_spec(const nlohmann::json& spec);

// Progress steps of one slide: its render bands, the tile rows of every pyramid level, and one for the file.
int steps_per_slide(const CohortSpec& c);

// cohort.json's header: what the generator is, its parameters, and what distinguishes the classes.
nlohmann::json describe_cohort(const CohortSpec& c);

}  // namespace rd::synth

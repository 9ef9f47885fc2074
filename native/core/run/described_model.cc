#include "run/described_model.h"

#include <torch/torch.h>

#include "models/weights_metadata.h"
#include "util/error.h"

namespace rd::run {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return "[" + out + "]";
}

at::Tensor channels(const float (&v)[3], const at::Tensor& like) {
  return torch::tensor(std::vector<float>(std::begin(v), std::end(v)), like.options().dtype(torch::kFloat)).view({1, 3, 1, 1});
}

}  // namespace

DescribedModel load_described_for_store(const std::string& path, const StoreFacts& facts, const c10::Device& device,
                                        const std::string& field) {
  auto d = models::load_described(path);
  if (d.metadata.classes != facts.label_names) {
    throw Error(code::kConfigInvalid, "spec." + field + ": " + path + " classifies " + joined(d.metadata.classes) + ", the store holds " +
                                          joined(facts.label_names) + " (the same names in the same order are needed)");
  }
  DescribedModel out{d.model, d.metadata.model, {}, d.metadata.magnification};
  std::copy(d.metadata.mean.begin(), d.metadata.mean.end(), std::begin(out.input.mean));
  std::copy(d.metadata.std.begin(), d.metadata.std.end(), std::begin(out.input.std));
  out.model->to(device);
  out.model->eval();
  return out;
}

at::Tensor renormalize(const at::Tensor& x, const data::LoaderOptions& from, const store::Normalization& to) {
  const auto raw = x * channels(from.std, x) + channels(from.mean, x);
  return (raw - channels(to.mean, x)) / channels(to.std, x);
}

}  // namespace rd::run

#include "store/external_test_set.h"

#include <filesystem>
#include <map>

#include "util/error.h"

namespace rd::store {
namespace {

// The same file reached by two spellings (relative, symlinked) is the same file.
std::string identity(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::canonical(path, ec);
  return ec ? path : p.string();
}

class ExternalTestSource : public SampleSource {
 public:
  ExternalTestSource(std::unique_ptr<SampleSource> train, std::unique_ptr<SampleSource> test)
      : train_(std::move(train)), test_(std::move(test)) {
    entries_ = train_->entries();
    std::map<std::string, int> label_of;
    for (size_t c = 0; c < train_->classes().size(); ++c) label_of[train_->classes()[c]] = int(c);
    std::map<std::string, size_t> seen;
    for (const auto& e : entries_) seen[identity(e.source)] = 1;
    for (const auto& e : test_->entries()) {
      if (seen.count(identity(e.source))) {
        throw Error(code::kConfigInvalid,
                    "data.test: '" + e.source + "' is also in the training source; an external test set must be unseen");
      }
      SourceEntry copy = e;
      if (e.label) {
        const std::string& name = test_->classes().at(size_t(*e.label));
        auto it = label_of.find(name);
        if (it == label_of.end())
          throw Error(code::kConfigInvalid, "data.test: class '" + name + "' (" + e.source + ") is not a class of the training source");
        copy.label = it->second;
      }
      entries_.push_back(std::move(copy));
    }
  }
  const std::vector<SourceEntry>& entries() const override { return entries_; }
  const std::vector<std::string>& classes() const override { return train_->classes(); }
  nlohmann::json describe() const override {
    nlohmann::json d = train_->describe();
    d["externalTest"] = test_->describe();
    return d;
  }
  Extracted extract(size_t i, const std::vector<double>& mpps) const override {
    const size_t n = train_->entries().size();
    return i < n ? train_->extract(i, mpps) : test_->extract(i - n, mpps);
  }

 private:
  std::unique_ptr<SampleSource> train_, test_;
  std::vector<SourceEntry> entries_;
};

}  // namespace

std::unique_ptr<SampleSource> with_external_test(std::unique_ptr<SampleSource> train, std::unique_ptr<SampleSource> test) {
  return std::make_unique<ExternalTestSource>(std::move(train), std::move(test));
}

}  // namespace rd::store

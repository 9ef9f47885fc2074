// An external test set: a second source whose every sample goes to the test split, never to training or
// selection. Its labels are mapped onto the training source's classes by name.
#pragma once
#include <memory>

#include "store/sample_source.h"

namespace rd::store {

// Entries: the training source's, then the test source's (ids from train.entries().size()). CONFIG_INVALID names
// a test class the training source lacks, and a file that both sources list.
std::unique_ptr<SampleSource> with_external_test(std::unique_ptr<SampleSource> train, std::unique_ptr<SampleSource> test);

}  // namespace rd::store

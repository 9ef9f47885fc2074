// glibc's malloc hands large freed blocks back to the kernel (mmap'd blocks above its dynamic threshold, and the
// heap top above twice that), so each training step page-faults its activations in again. A fixed 32 MiB mmap
// threshold and a 1 GiB trim threshold keep them for reuse: the peer's step ran ~20% faster with the same settings.
#pragma once

namespace rd {

// Once per process, before the first job: blocks up to 32 MiB come from the heap, and up to 1 GiB of freed heap
// is kept while a job runs. Does nothing when the user tuned malloc (MALLOC_* or GLIBC_TUNABLES in the
// environment) or the C library is not glibc. Returns whether it tuned.
bool keep_freed_memory();

// After a job: hands the kept memory back, so a long-lived process (the Node addon) does not hold it between jobs.
void release_freed_memory();

}  // namespace rd

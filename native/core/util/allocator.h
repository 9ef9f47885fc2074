// glibc's malloc returns every freed block of more than ~128 KiB to the kernel (munmap, heap trim), so each
// training step page-faults its activations in again; keeping freed memory for reuse makes steps ~20% faster.
#pragma once

namespace rd {

// Once per process, before the first job: blocks up to 32 MiB come from the heap, and up to 1 GiB of freed heap
// is kept. Peak RSS is unchanged (it is the high-water mark either way). Does nothing when the user tuned malloc
// (MALLOC_* or GLIBC_TUNABLES in the environment) or the C library is not glibc. Returns whether it tuned.
bool keep_freed_memory();

}  // namespace rd

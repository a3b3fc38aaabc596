// The settings jemalloc starts with in every caseengine executable (see CMakeLists.txt,
// caseengine_allocator). jemalloc reads this symbol when it initialises, before main;
// MALLOC_CONF in the environment still overrides any of them.
//
// Why each:
// - thp:always, metadata_thp:always: jemalloc asks for transparent huge pages on the
//   memory it maps (madvise; the kernel's "madvise" mode, Debian's default, grants them).
//   A rebuild or a busy server touches hundreds of megabytes of fresh memory: on 4 KiB
//   pages that is a page fault every 4 KiB, and faults are costly on virtual machines
//   (a rebuild took 110,000 of them, a third of its CPU time in the kernel).
// - oversize_threshold:0: no dedicated arena for allocations of 8 MiB and more, which
//   jemalloc otherwise gives back to the kernel as soon as they are freed. RocksDB's
//   memtable blocks are 8 MiB: each new one was mapped and faulted in afresh.
// Measured in bench/RESULTS.md (2026-11-23, evening).
extern "C" {
// Named by jemalloc's API; not part of this project's namespace.
// NOLINTNEXTLINE(readability-identifier-naming)
const char* malloc_conf = "thp:always,metadata_thp:always,oversize_threshold:0";
}

# The allocator settings fcn4j runs under; sourced by ./fcn4j, and by bench/compare.sh so that PyTorch is measured
# under the same ones. libtorch takes its tensor memory from malloc (docs/performance.md, "The allocator"):
# - jemalloc, where the system has it (Debian: libjemalloc2), keeping freed memory for reuse
#   (dirty_decay_ms:-1, muzzy_decay_ms:-1) in one arena for all threads (narenas:1), as glibc is set up below.
#   Its size classes keep small blocks out of the big tensors' extents, so the heap stays near the live memory:
#   the batch-2 R-50-D8 training peak was 3.5 GiB against 5.2-5.3 GiB under the glibc settings, at the same speed.
# - otherwise glibc, which by default hands every large block back to the kernel when it is freed, so each pass
#   faults gigabytes of fresh zeroed pages again (20-30 % of a forward pass and of a training step on a 2-core
#   machine); one arena that keeps freed blocks avoids that, but its heap fragments, and the process keeps its
#   peak until it exits.
# FCN4J_MALLOC=glibc skips jemalloc; FCN4J_JEMALLOC=PATH names its library; an LD_PRELOAD or any variable
# below that is already set is left as it is.
if [ -z "${LD_PRELOAD:-}" ] && [ "${FCN4J_MALLOC:-}" != glibc ]; then
  for lib in ${FCN4J_JEMALLOC:-} /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 \
      /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2; do
    if [ -f "$lib" ]; then
      export LD_PRELOAD="$lib"
      export MALLOC_CONF="${MALLOC_CONF:-narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1}"
      break
    fi
  done
fi
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1073741824}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-17179869184}"

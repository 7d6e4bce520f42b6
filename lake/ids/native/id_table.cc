// The id table's batch insert (lake/ids/native-id-table.ts): one call per object adds all of its
// record ids. A table of millions of ids is far larger than the caches, so nearly every probe is a
// cache (and TLB) miss; adding ids one at a time pays each miss in turn. Here the slots of the
// whole batch are hashed first and each is prefetched some ids ahead of its probe, so the misses
// overlap. The slots are the JavaScript table's own (lake/ids/id-table.ts): the same layout, the
// same seeded hash, the same probing, so both give the same answers and leave the same slots.
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

// A slot: the id's four words, then its owner + 1 (0: empty), as in id-table.ts.
constexpr uint32_t SLOT_WORDS = 5;
// How many ids ahead of its probe a slot is prefetched: enough to cover a miss to memory.
constexpr uint32_t AHEAD = 16;

// Little-endian words, as wordAt reads them in JavaScript, whatever the host's byte order.
inline uint32_t wordAt(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// mixId of id-table.ts (murmur3's finaliser steps, seeded).
inline uint32_t mixId(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t seed) {
  uint32_t h = (a ^ seed) * 0x85ebca6bu;
  h = (h ^ (h >> 13) ^ b) * 0xc2b2ae35u;
  h = (h ^ (h >> 16) ^ c) * 0x85ebca6bu;
  h = (h ^ (h >> 13) ^ d) * 0xc2b2ae35u;
  return h ^ (h >> 16);
}

// A slot spans 20 bytes, so it may straddle two cache lines: fetch both.
inline void prefetchSlot(uint32_t* slots, uint32_t slot) {
  uint32_t* p = slots + static_cast<size_t>(slot) * SLOT_WORDS;
  __builtin_prefetch(p, 1, 3);
  __builtin_prefetch(p + SLOT_WORDS - 1, 1, 3);
}

// Puts an id in the first free slot from `slot` on, or finds it there: its owner + 1, or 0 when new.
inline uint32_t place(uint32_t* slots, uint32_t mask, uint32_t slot, const uint32_t id[4], uint32_t held) {
  for (;;) {
    uint32_t* p = slots + static_cast<size_t>(slot) * SLOT_WORDS;
    if (p[4] == 0) {
      std::memcpy(p, id, 16);
      p[4] = held;
      return 0;
    }
    if (p[0] == id[0] && p[1] == id[1] && p[2] == id[2] && p[3] == id[3]) return p[4];
    slot = (slot + 1) & mask;
  }
}

napi_value fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

template <typename T>
T* typedArray(napi_env env, napi_value value, napi_typedarray_type want, size_t& length) {
  napi_typedarray_type type;
  void* data;
  bool is = false;
  length = 0;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return nullptr;
  napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  return type == want ? static_cast<T*>(data) : nullptr;
}

// A Uint32Array of whole slots, a power of two of them (their count in `size`), or null.
uint32_t* slotsOf(napi_env env, napi_value value, uint32_t& size) {
  size_t length;
  size = 0;
  uint32_t* data = typedArray<uint32_t>(env, value, napi_uint32_array, length);
  if (!data || length % SLOT_WORDS != 0) return nullptr;
  size_t slots = length / SLOT_WORDS;
  if (slots == 0 || slots > (size_t{1} << 31) || (slots & (slots - 1)) != 0) return nullptr;
  size = static_cast<uint32_t>(slots);
  return data;
}

// The call's first `n` arguments; false, with a TypeError naming the call, when it has fewer.
bool argsOf(napi_env env, napi_callback_info info, size_t n, napi_value* argv, const char* usage) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc >= n) return true;
  fail(env, usage);
  return false;
}

uint32_t uint32Of(napi_env env, napi_value value) {
  uint32_t n = 0;
  napi_get_value_uint32(env, value, &n);
  return n;
}

// insertAll(slots, seed, held, ids, count, owner, out): adds the `count` ids of `ids` (16 bytes
// each) for object `owner` to a table holding `held` ids; for each id seen before it writes
// [its index in the batch, the earlier owner] to `out`, in batch order, and returns how many.
napi_value InsertAll(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!argsOf(env, info, 7, argv, "insertAll(slots, seed, held, ids, count, owner, out)")) return nullptr;
  uint32_t size;
  uint32_t* slots = slotsOf(env, argv[0], size);
  uint32_t seed = uint32Of(env, argv[1]);
  uint32_t held = uint32Of(env, argv[2]);
  size_t idBytes, outLength;
  const uint8_t* ids = typedArray<uint8_t>(env, argv[3], napi_uint8_array, idBytes);
  uint32_t count = uint32Of(env, argv[4]);
  uint32_t owner = uint32Of(env, argv[5]);
  int32_t* out = typedArray<int32_t>(env, argv[6], napi_int32_array, outLength);
  if (!slots || !ids || !out) return fail(env, "insertAll: slots must be a Uint32Array of 2^k slots, ids a Uint8Array, out an Int32Array");
  if (idBytes < size_t{16} * count || outLength < size_t{2} * count) return fail(env, "insertAll: ids or out too short for count");
  // Linear probing needs a free slot to end on: the caller keeps the table at most 3/4 full.
  if (static_cast<uint64_t>(held) + count > size - size / 4 || owner == UINT32_MAX) return fail(env, "insertAll: the table has no room for count more ids");
  const uint32_t mask = size - 1;

  static thread_local std::vector<uint32_t> homes;
  homes.resize(count);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t* p = ids + size_t{16} * i;
    homes[i] = mixId(wordAt(p), wordAt(p + 4), wordAt(p + 8), wordAt(p + 12), seed) & mask;
  }
  for (uint32_t i = 0; i < count && i < AHEAD; i++) prefetchSlot(slots, homes[i]);
  uint32_t copies = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (i + AHEAD < count) prefetchSlot(slots, homes[i + AHEAD]);
    const uint8_t* p = ids + size_t{16} * i;
    const uint32_t id[4] = {wordAt(p), wordAt(p + 4), wordAt(p + 8), wordAt(p + 12)};
    uint32_t earlier = place(slots, mask, homes[i], id, owner + 1);
    if (earlier == 0) continue;
    out[2 * copies] = static_cast<int32_t>(i);
    out[2 * copies + 1] = static_cast<int32_t>(earlier - 1);
    copies++;
  }
  napi_value result;
  napi_create_uint32(env, copies, &result);
  return result;
}

// rehash(from, to, seed): moves every id of table `from` into the empty, larger table `to`, in
// slot order, as IdTable's grow does.
napi_value Rehash(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!argsOf(env, info, 3, argv, "rehash(from, to, seed)")) return nullptr;
  uint32_t fromSize, toSize;
  const uint32_t* from = slotsOf(env, argv[0], fromSize);
  uint32_t* to = slotsOf(env, argv[1], toSize);
  uint32_t seed = uint32Of(env, argv[2]);
  if (!from || !to || toSize <= fromSize) return fail(env, "rehash: from and to must be tables of 2^k slots, to the larger");
  const uint32_t mask = toSize - 1;
  // A chunk of occupied slots at a time, their new homes prefetched ahead as in insertAll.
  constexpr uint32_t CHUNK = 1024;
  uint32_t moving[CHUNK], homes[CHUNK];
  for (uint32_t start = 0; start < fromSize;) {
    uint32_t n = 0;
    for (; start < fromSize && n < CHUNK; start++) {
      const uint32_t* p = from + static_cast<size_t>(start) * SLOT_WORDS;
      if (p[4] == 0) continue;
      moving[n] = start;
      homes[n++] = mixId(p[0], p[1], p[2], p[3], seed) & mask;
    }
    for (uint32_t k = 0; k < n && k < AHEAD; k++) prefetchSlot(to, homes[k]);
    for (uint32_t k = 0; k < n; k++) {
      if (k + AHEAD < n) prefetchSlot(to, homes[k + AHEAD]);
      const uint32_t* p = from + static_cast<size_t>(moving[k]) * SLOT_WORDS;
      place(to, mask, homes[k], p, p[4]);
    }
  }
  return nullptr;
}

void release(napi_env, void* data, void* hint) {
  size_t bytes = reinterpret_cast<size_t>(hint);
#if defined(__linux__)
  munmap(data, bytes);
#else
  (void)bytes;
  free(data);
#endif
}

// allocate(bytes): zeroed memory for a table, as an ArrayBuffer V8 counts and frees. On Linux it
// is its own mapping, returned whole when V8 frees it, and populated (zeroed, writable) when it is
// made: left to fault in as the probes reach it, each page was read first (the shared zero page),
// then copied on its first write with a TLB shootdown across the scan workers' cores, which cost
// pixel check's main thread about 0.15 s of system time a day of 5 million ids. It is not advised
// into transparent huge pages: on a virtual machine whose idle memory goes back to the host, each
// fresh 2 MB page is slow to fault in, and adding that day's ids (a 168 MB table) took 0.49-0.66 s
// of CPU in huge pages, 0.25-0.35 s without.
napi_value Allocate(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!argsOf(env, info, 1, argv, "allocate(bytes)")) return nullptr;
  double wanted = 0;
  if (napi_get_value_double(env, argv[0], &wanted) != napi_ok || !(wanted > 0) || wanted > 1e12) return fail(env, "allocate(bytes)");
  size_t bytes = static_cast<size_t>(wanted);
  void* data = nullptr;
#if defined(__linux__)
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (mapped != MAP_FAILED) {
    data = mapped;
  }
#else
  data = calloc(bytes, 1);
#endif
  if (!data) {
    napi_throw_range_error(env, nullptr, "allocate: out of memory for the id table");
    return nullptr;
  }
  napi_value result;
  if (napi_create_external_arraybuffer(env, data, bytes, release, reinterpret_cast<void*>(bytes), &result) != napi_ok) {
    release(env, data, reinterpret_cast<void*>(bytes));
    return fail(env, "allocate: could not wrap the table's memory");
  }
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"insertAll", nullptr, InsertAll, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rehash", nullptr, Rehash, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allocate", nullptr, Allocate, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 3, properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

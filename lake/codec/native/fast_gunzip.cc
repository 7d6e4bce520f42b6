// gzip decoders faster than node's zlib, where their Debian packages are installed when the addon
// builds: libdeflate (libdeflate-dev) and ISA-L's igzip (libisal-dev). Each reads every member of
// a multi-member object; on anything but a clean object (truncated, corrupt, bytes after the last
// member) it returns undefined and lake/codec/gunzip-object.ts decodes the object with node's zlib,
// so damaged objects read the same whichever decoder is used.
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(PIXEL_LIBDEFLATE)
#include <libdeflate.h>
#endif
#if defined(PIXEL_ISAL)
#include <isa-l/igzip_lib.h>
#endif

namespace {

// Where a decoder writes: a fixed buffer (`growable` false: running out of room is an answer) or
// the thread's scratch buffer, which grows and is kept for the next object.
struct Output {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  bool growable = false;
  // The most text the caller takes: past it the object is left to node's zlib, which reports it.
  size_t limit = SIZE_MAX;
  // Set when a fixed buffer ran out of room: the caller may retry with a larger one.
  bool full = false;
  bool grow(size_t at_least) {
    if (!growable) full = true;
    if (!growable || capacity >= limit) return false;
    size_t next = capacity == 0 ? at_least : capacity * 2;
    if (next < at_least) next = at_least;
    if (next > limit) next = limit;
    void* moved = realloc(data, next);
    if (!moved) return false;
    data = static_cast<uint8_t*>(moved);
    capacity = next;
    return true;
  }
};

// The size gzip's trailer gives: the whole text when the object is one member, as Firehose writes.
size_t trailerSize(const uint8_t* in, size_t n) {
  return n >= 18 ? (in[n - 4] | in[n - 3] << 8 | in[n - 2] << 16 | static_cast<size_t>(in[n - 1]) << 24) : 0;
}

#if defined(PIXEL_LIBDEFLATE)
bool libdeflateGunzip(const uint8_t* in, size_t n, Output& out, size_t& written) {
  static thread_local libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (!d) return false;
  size_t pos = 0;
  written = 0;
  while (pos < n) {
    size_t used = 0, produced = 0;
    libdeflate_result r = libdeflate_gzip_decompress_ex(d, in + pos, n - pos, out.data + written, out.capacity - written, &used, &produced);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (!out.grow(out.capacity * 2 + n)) return false;
      continue;
    }
    if (r != LIBDEFLATE_SUCCESS) return false;
    pos += used;
    written += produced;
  }
  return true;
}
#endif

#if defined(PIXEL_ISAL)
bool isalGunzip(const uint8_t* in, size_t n, Output& out, size_t& written) {
  static thread_local inflate_state state;
  isal_inflate_init(&state);
  state.crc_flag = ISAL_GZIP;
  state.next_in = const_cast<uint8_t*>(in);
  state.avail_in = static_cast<uint32_t>(n);
  written = 0;
  for (;;) {
    size_t room = out.capacity - written;
    state.next_out = out.data + written;
    state.avail_out = static_cast<uint32_t>(room > 0xffffffffu ? 0xffffffffu : room);
    if (isal_inflate(&state) != ISAL_DECOMP_OK) return false;
    written = state.next_out - out.data;
    if (state.block_state == ISAL_BLOCK_FINISH) {
      if (state.avail_in == 0 && state.tmp_in_size == 0) return true;
      // The next member: a fresh state from where this one stopped reading.
      uint8_t* next = state.next_in;
      uint32_t left = state.avail_in;
      if (state.tmp_in_size != 0) return false;
      isal_inflate_init(&state);
      state.crc_flag = ISAL_GZIP;
      state.next_in = next;
      state.avail_in = left;
    } else if (state.avail_out == 0) {
      if (!out.grow(out.capacity * 2 + n)) return false;
      // The decoder kept its place; only the output moved.
    } else if (state.avail_in == 0) {
      return false;  // cut off inside a member
    }
  }
}
#endif

bool decode(const char* name, const uint8_t* in, size_t n, Output& out, size_t& written) {
#if defined(PIXEL_LIBDEFLATE)
  if (strcmp(name, "libdeflate") == 0) return libdeflateGunzip(in, n, out, written);
#endif
#if defined(PIXEL_ISAL)
  if (strcmp(name, "isal") == 0) return isalGunzip(in, n, out, written);
#endif
  return false;
}

// gunzip(decoder: 'libdeflate' | 'isal', bytes, maxBytes) -> Buffer, or undefined when the bytes
// are not one or more whole gzip members, decode to more than maxBytes, or the decoder is not built. The text goes straight into a
// buffer V8 owns when the trailer gives its size (one member), else through the thread's scratch
// buffer and one copy: V8 then counts, and collects, every decoded byte.
// The arguments both entries start with: (decoder, bytes, maxBytes), then argv[3] if any.
struct Call {
  napi_value argv[4];
  char name[16] = {0};
  const uint8_t* in = nullptr;
  size_t n = 0;
  size_t limit = SIZE_MAX;
  Call(napi_env env, napi_callback_info info) {
    size_t argc = 4;
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    size_t nameLength = 0;
    napi_get_value_string_utf8(env, argv[0], name, sizeof name, &nameLength);
    void* data;
    napi_get_typedarray_info(env, argv[1], nullptr, &n, &data, nullptr, nullptr);
    in = static_cast<const uint8_t*>(data);
    double maxBytes = 0;
    napi_get_value_double(env, argv[2], &maxBytes);
    if (maxBytes > 0 && maxBytes < 1.8e19) limit = static_cast<size_t>(maxBytes);
  }
};

napi_value Gunzip(napi_env env, napi_callback_info info) {
  Call call(env, info);
  const char* name = call.name;
  const uint8_t* in = call.in;
  size_t n = call.n, limit = call.limit;
  napi_value result;
  size_t guess = trailerSize(in, n);
  if (guess > 0 && guess <= limit) {
    void* target;
    if (napi_create_buffer(env, guess, &target, &result) == napi_ok) {
      Output exact{static_cast<uint8_t*>(target), guess, false};
      size_t written = 0;
      if (decode(name, in, n, exact, written) && written == guess) return result;
    }
  }
  static thread_local Output scratch{nullptr, 0, true};
  scratch.limit = limit;
  if (scratch.capacity < 4 * n) scratch.grow(4 * n);
  size_t written = 0;
  if (scratch.data == nullptr || !decode(name, in, n, scratch, written) || written > limit) {
    napi_get_undefined(env, &result);
    return result;
  }
  void* copy;
  napi_create_buffer_copy(env, written, scratch.data, &copy, &result);
  return result;
}

// gunzipInto(decoder, bytes, maxBytes, target) -> the bytes written into target, -1 when target
// was too small (retry with a larger one), or undefined as gunzip's. The caller's buffer is reused
// object after object: fresh memory per object cost a page fault per 4 KiB written, a third of
// the decoding's CPU.
napi_value GunzipInto(napi_env env, napi_callback_info info) {
  Call call(env, info);
  void* targetData;
  size_t targetLength;
  napi_get_typedarray_info(env, call.argv[3], nullptr, &targetLength, &targetData, nullptr, nullptr);
  size_t limit = call.limit;
  Output out{static_cast<uint8_t*>(targetData), targetLength, false};
  size_t written = 0;
  napi_value result;
  if (decode(call.name, call.in, call.n, out, written) && written <= limit) {
    napi_create_double(env, static_cast<double>(written), &result);
  } else if (out.full && targetLength < limit) {
    napi_create_double(env, -1, &result);
  } else {
    napi_get_undefined(env, &result);
  }
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value decoders;
  napi_create_array(env, &decoders);
  uint32_t k = 0;
  napi_value name;
#if defined(PIXEL_ISAL)
  napi_create_string_utf8(env, "isal", NAPI_AUTO_LENGTH, &name);
  napi_set_element(env, decoders, k++, name);
#endif
#if defined(PIXEL_LIBDEFLATE)
  napi_create_string_utf8(env, "libdeflate", NAPI_AUTO_LENGTH, &name);
  napi_set_element(env, decoders, k++, name);
#endif
  napi_property_descriptor properties[] = {
      {"gunzip", nullptr, Gunzip, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gunzipInto", nullptr, GunzipInto, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decoders", nullptr, nullptr, nullptr, nullptr, decoders, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, 3, properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

// The fast path of checks/schema/fast-path.ts, in C++: the same rules, decided the same way, for
// every line of an object's text in one call. It only ever proves a line VALID; anything else is
// UNDECIDED and goes to JSON.parse and ajv in JavaScript. fast-path.ts is the reference:
// checks/schema/native-scan.test.ts holds the two to the same verdicts, ids and times.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

struct StringRule {
  double minLength = 0;
  double maxLength = 1e300;
  int format = 0;  // 0 none, 1 uuid, 2 date-time
  bool hasValues = false;
  std::vector<std::string> values;
};

struct MapRule {
  double maxProperties = 1e300;
  double maxNameLength = 1e300;
  StringRule value;
};

struct PropertyRule {
  std::string name;
  uint32_t bit = 0;
  bool hasString = false;
  StringRule string;
  bool nullable = false;
  bool boolean = false;
  bool hasConst = false;
  std::string constInteger;
  bool hasMap = false;
  MapRule map;
};

struct Program {
  std::vector<PropertyRule> rules;
  uint32_t requiredMask = 0;
  int idRule = -1;
  int timeRule = -1;
};

const double NaN = std::nan("");

inline bool plainByte(uint8_t c) { return c >= 0x20 && c <= 0x7e && c != 0x5c; }

// Whether every byte of [start, end) is printable ASCII but the backslash: 16 bytes at a time
// where SSE2 is there (every x86-64), one at a time elsewhere.
inline bool allPlain(const uint8_t* b, size_t start, size_t end) {
  size_t k = start;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), backslash = _mm_set1_epi8(0x5c);
  for (; k + 16 <= end; k += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + k));
    // Signed: bytes of 0x80 and up are negative, so "less than space" catches them too.
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, del), _mm_cmpeq_epi8(v, backslash)));
    if (_mm_movemask_epi8(bad) != 0) return false;
  }
#endif
  for (; k < end; k++)
    if (!plainByte(b[k])) return false;
  return true;
}

inline size_t skipSpace(const uint8_t* b, size_t i, size_t end) {
  while (i < end && (b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d)) i++;
  return i;
}

inline long stringEnd(const uint8_t* b, size_t i, size_t end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  for (; i + 16 <= end; i += 16) {
    int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)), quote));
    if (mask != 0) return static_cast<long>(i + __builtin_ctz(mask));
  }
#endif
  for (; i < end; i++)
    if (b[i] == '"') return static_cast<long>(i);
  return -1;
}

inline int digits(const uint8_t* b, size_t i, int count) {
  int n = 0;
  for (int k = 0; k < count; k++) {
    int d = b[i + k] - '0';
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const int DAYS[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

inline int64_t floorDiv(int64_t a, int64_t b) { return (a - ((a % b) + b) % b) / b; }

// `YYYY-MM-DDTHH:MM:SS[.f+]Z` with a real date: ms since the epoch, or NaN.
double strictDateTime(const uint8_t* b, size_t s, size_t e) {
  size_t n = e - s;
  if (n < 20 || b[s + 4] != '-' || b[s + 7] != '-' || b[s + 10] != 'T' || b[s + 13] != ':' || b[s + 16] != ':' || b[e - 1] != 'Z') return NaN;
  int year = digits(b, s, 4), month = digits(b, s + 5, 2), day = digits(b, s + 8, 2);
  int hour = digits(b, s + 11, 2), minute = digits(b, s + 14, 2), second = digits(b, s + 17, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (day > (month == 2 && leap ? 29 : DAYS[month])) return NaN;
  int64_t ms = 0;
  if (n > 20) {
    if (b[s + 19] != '.' || n < 22) return NaN;
    for (size_t i = s + 20; i < e - 1; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) return NaN;
      if (i < s + 23) ms = ms * 10 + d;
    }
    for (size_t i = (e - 1 < s + 23 ? e - 1 : s + 23); i < s + 23; i++) ms *= 10;
  }
  int64_t y = month <= 2 ? year - 1 : year;
  int64_t era = floorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return static_cast<double>(((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + ms);
}

inline bool isHex(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool isUuid(const uint8_t* b, size_t s, size_t e) {
  if (e - s != 36) return false;
  for (size_t i = 0; i < 36; i++) {
    uint8_t c = b[s + i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

bool stringFits(const StringRule& rule, const uint8_t* b, size_t s, size_t e, bool timeChecked) {
  double length = static_cast<double>(e - s);
  if (length < rule.minLength || length > rule.maxLength) return false;
  if (rule.hasValues) {
    bool found = false;
    for (const std::string& v : rule.values)
      if (v.size() == e - s && memcmp(v.data(), b + s, v.size()) == 0) found = true;
    if (!found) return false;
  }
  if (rule.format == 1) return isUuid(b, s, e);
  if (rule.format == 2) return timeChecked || !std::isnan(strictDateTime(b, s, e));
  return true;
}

// `{"name": "value", ...}` of strings: the index after it, or -1.
long scanMap(const MapRule& rule, const uint8_t* b, size_t i, size_t end) {
  if (i >= end || b[i] != '{') return -1;
  i = skipSpace(b, i + 1, end);
  if (i < end && b[i] == '}') return i + 1;
  std::vector<std::string> names;
  for (;;) {
    if (i >= end || b[i] != '"') return -1;
    long nameEnd = stringEnd(b, i + 1, end);
    if (nameEnd < 0 || static_cast<double>(nameEnd - i - 1) > rule.maxNameLength) return -1;
    std::string name(reinterpret_cast<const char*>(b + i + 1), nameEnd - i - 1);
    if (name == "__proto__") return -1;
    for (const std::string& seen : names)
      if (seen == name) return -1;
    names.push_back(name);
    if (static_cast<double>(names.size()) > rule.maxProperties) return -1;
    i = skipSpace(b, nameEnd + 1, end);
    if (i >= end || b[i] != ':') return -1;
    i = skipSpace(b, i + 1, end);
    if (i >= end || b[i] != '"') return -1;
    long valueEnd = stringEnd(b, i + 1, end);
    if (valueEnd < 0 || !stringFits(rule.value, b, i + 1, valueEnd, false)) return -1;
    i = skipSpace(b, valueEnd + 1, end);
    if (i < end && b[i] == '}') return i + 1;
    if (i >= end || b[i] != ',') return -1;
    i = skipSpace(b, i + 1, end);
  }
}

inline bool literalAt(const uint8_t* b, size_t i, size_t end, const char* word, size_t n) {
  return i + n <= end && memcmp(b + i, word, n) == 0;
}

struct Found {
  long idStart, idEnd;
  double time;
};

bool scanLine(const Program& p, const uint8_t* b, size_t start, size_t end, Found& out) {
  out.idStart = out.idEnd = -1;
  out.time = NaN;
  if (!allPlain(b, start, end)) return false;
  size_t i = skipSpace(b, start, end);
  if (i >= end || b[i] != '{') return false;
  i = skipSpace(b, i + 1, end);
  uint32_t seen = 0;
  size_t next = 0;
  const size_t count = p.rules.size();
  if (i < end && b[i] == '}') {
    i++;
  } else {
    for (;;) {
      if (i >= end || b[i] != '"') return false;
      // Writers keep the schema's key order: try the expected name and its closing quote first.
      int r = -1;
      long keyEnd = -1;
      if (next < count) {
        const std::string& expected = p.rules[next].name;
        size_t after = i + 1 + expected.size();
        if (after < end && b[after] == '"' && memcmp(expected.data(), b + i + 1, expected.size()) == 0) {
          r = static_cast<int>(next);
          keyEnd = static_cast<long>(after);
        }
      }
      if (r < 0) {
        keyEnd = stringEnd(b, i + 1, end);
        if (keyEnd < 0) return false;
        size_t keyLength = keyEnd - i - 1;
        for (size_t k = 0; r < 0 && k < count; k++)
          if (p.rules[k].name.size() == keyLength && memcmp(p.rules[k].name.data(), b + i + 1, keyLength) == 0) r = static_cast<int>(k);
        if (r < 0) return false;
      }
      const PropertyRule& rule = p.rules[r];
      if (seen & rule.bit) return false;
      seen |= rule.bit;
      next = r + 1;
      i = skipSpace(b, keyEnd + 1, end);
      if (i >= end || b[i] != ':') return false;
      i = skipSpace(b, i + 1, end);
      if (i >= end) return false;
      uint8_t c = b[i];
      if (c == '"' && rule.hasString) {
        long valueEnd = stringEnd(b, i + 1, end);
        if (valueEnd < 0) return false;
        if (r == p.timeRule) {
          out.time = strictDateTime(b, i + 1, valueEnd);
          if (std::isnan(out.time) || !stringFits(rule.string, b, i + 1, valueEnd, true)) return false;
        } else if (!stringFits(rule.string, b, i + 1, valueEnd, false)) {
          return false;
        }
        if (r == p.idRule) {
          out.idStart = static_cast<long>(i + 1);
          out.idEnd = valueEnd;
        }
        i = valueEnd + 1;
      } else if (c == '{' && rule.hasMap) {
        long after = scanMap(rule.map, b, i, end);
        if (after < 0) return false;
        i = after;
      } else if (rule.nullable && literalAt(b, i, end, "null", 4)) {
        i += 4;
      } else if (rule.boolean && literalAt(b, i, end, "true", 4)) {
        i += 4;
      } else if (rule.boolean && literalAt(b, i, end, "false", 5)) {
        i += 5;
      } else if (rule.hasConst && literalAt(b, i, end, rule.constInteger.data(), rule.constInteger.size())) {
        i += rule.constInteger.size();
        if (i >= end) return false;
        uint8_t after = b[i];
        if (after != ',' && after != '}' && after != ' ' && after != '\t' && after != '\n' && after != '\r') return false;
      } else {
        return false;
      }
      i = skipSpace(b, i, end);
      if (i < end && b[i] == '}') {
        i++;
        break;
      }
      if (i >= end || b[i] != ',') return false;
      i = skipSpace(b, i + 1, end);
    }
  }
  if ((seen & p.requiredMask) != p.requiredMask) return false;
  return skipSpace(b, i, end) == end;
}

// --- N-API glue -----------------------------------------------------------------------------

napi_value property(napi_env env, napi_value object, const char* name) {
  napi_value value;
  napi_get_named_property(env, object, name, &value);
  return value;
}

bool has(napi_env env, napi_value object, const char* name) {
  napi_value value = property(env, object, name);
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type != napi_undefined && type != napi_null;
}

double number(napi_env env, napi_value value) {
  double n = 0;
  napi_get_value_double(env, value, &n);
  return n;
}

bool flag(napi_env env, napi_value object, const char* name) {
  bool b = false;
  napi_get_value_bool(env, property(env, object, name), &b);
  return b;
}

std::string bytes(napi_env env, napi_value value) {
  void* data;
  size_t length;
  napi_get_typedarray_info(env, value, nullptr, &length, &data, nullptr, nullptr);
  return std::string(static_cast<const char*>(data), length);
}

StringRule readString(napi_env env, napi_value s) {
  StringRule rule;
  rule.minLength = number(env, property(env, s, "minLength"));
  rule.maxLength = number(env, property(env, s, "maxLength"));
  if (has(env, s, "format")) {
    size_t length;
    char format[16] = {0};
    napi_get_value_string_utf8(env, property(env, s, "format"), format, sizeof format, &length);
    rule.format = strcmp(format, "uuid") == 0 ? 1 : strcmp(format, "date-time") == 0 ? 2 : 0;
  }
  if (has(env, s, "values")) {
    rule.hasValues = true;
    napi_value values = property(env, s, "values");
    uint32_t n;
    napi_get_array_length(env, values, &n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value v;
      napi_get_element(env, values, k, &v);
      rule.values.push_back(bytes(env, v));
    }
  }
  return rule;
}

void freeProgram(napi_env, void* data, void*) { delete static_cast<Program*>(data); }

// compile(rules, requiredMask, idRule, timeRule) -> an opaque program
napi_value Compile(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* program = new Program();
  uint32_t n;
  napi_get_array_length(env, argv[0], &n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value r;
    napi_get_element(env, argv[0], k, &r);
    PropertyRule rule;
    rule.name = bytes(env, property(env, r, "name"));
    rule.bit = static_cast<uint32_t>(number(env, property(env, r, "bit")));
    rule.nullable = flag(env, r, "nullable");
    rule.boolean = flag(env, r, "boolean");
    if (has(env, r, "string")) {
      rule.hasString = true;
      rule.string = readString(env, property(env, r, "string"));
    }
    if (has(env, r, "constInteger")) {
      rule.hasConst = true;
      rule.constInteger = bytes(env, property(env, r, "constInteger"));
    }
    if (has(env, r, "map")) {
      napi_value m = property(env, r, "map");
      rule.hasMap = true;
      rule.map.maxProperties = number(env, property(env, m, "maxProperties"));
      rule.map.maxNameLength = number(env, property(env, m, "maxNameLength"));
      rule.map.value = readString(env, property(env, m, "value"));
    }
    program->rules.push_back(rule);
  }
  program->requiredMask = static_cast<uint32_t>(number(env, argv[1]));
  program->idRule = static_cast<int>(number(env, argv[2]));
  program->timeRule = static_cast<int>(number(env, argv[3]));
  napi_value external;
  napi_create_external(env, program, freeProgram, nullptr, &external);
  return external;
}

// scan(program, text, lines: Int32Array, times: Float64Array) -> how many lines were written.
// Each non-blank line gives 5 ints (start, end, valid 0/1, idStart, idEnd) and one time.
napi_value Scan(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Program* program;
  napi_get_value_external(env, argv[0], reinterpret_cast<void**>(&program));
  void *textData, *linesData, *timesData;
  size_t textLength, linesLength, timesLength;
  napi_get_typedarray_info(env, argv[1], nullptr, &textLength, &textData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[2], nullptr, &linesLength, &linesData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[3], nullptr, &timesLength, &timesData, nullptr, nullptr);
  uint32_t from = 0;
  napi_get_value_uint32(env, argv[4], &from);
  const uint8_t* b = static_cast<const uint8_t*>(textData);
  int32_t* lines = static_cast<int32_t*>(linesData);
  double* times = static_cast<double*>(timesData);
  size_t written = 0;
  size_t capacity = linesLength / 5 < timesLength ? linesLength / 5 : timesLength;
  size_t start = from;
  Found found;
  while (start < textLength && written < capacity) {
    const void* nl = memchr(b + start, '\n', textLength - start);
    size_t end = nl ? static_cast<const uint8_t*>(nl) - b : textLength;
    size_t first = skipSpace(b, start, end);
    if (first < end) {
      bool valid = scanLine(*program, b, start, end, found);
      int32_t* line = lines + written * 5;
      line[0] = static_cast<int32_t>(start);
      line[1] = static_cast<int32_t>(end);
      line[2] = valid ? 1 : 0;
      line[3] = valid ? static_cast<int32_t>(found.idStart) : -1;
      line[4] = valid ? static_cast<int32_t>(found.idEnd) : -1;
      times[written] = valid ? found.time : NaN;
      written++;
    }
    start = end + 1;
  }
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(written), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"compile", nullptr, Compile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scan", nullptr, Scan, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

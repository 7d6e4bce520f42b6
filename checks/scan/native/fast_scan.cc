// WRITTEN TWICE: this is the fast path of checks/scan/fast-path.ts in C++; fast-path.ts is the
// reference. Change them together: a node kind, keyword or verdict changed there, in the program
// (fast-path-program.ts) or its compiler (fast-path-compile.ts) needs the same change here, and
// the layout of the output arrays is read by checks/scan/native-scan.ts. The test that holds the
// two equal (verdicts, ids and times on mutated records, the sample lake and the schema corpus)
// is checks/scan/native-scan.test.ts.
//
// The same program of typed nodes (fast-path-program.ts), read the same way, for every line of
// an object's text in one call.
// Verdicts are VALID, INVALID (certainly rejected; used inside anyOf / oneOf / contains) and
// UNDECIDED, as in JavaScript, plus ASK_JS: what this scanner does not decide itself (a pattern
// outside simple-pattern.ts's subset, most formats, escaped text under a length limit) it hands to JavaScript, either as a string
// check on a line that is otherwise valid, or, inside anyOf / oneOf / contains, as the whole line.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

const int PROGRAM_VERSION = 6;
const long UNDECIDED = -1, INVALID = -2, ASK_JS = -3;
const int MAX_DEPTH = 64;
enum Kind { K_NULL = 1, K_BOOLEAN = 2, K_INTEGER = 4, K_NUMBER = 8, K_STRING = 16, K_OBJECT = 32, K_ARRAY = 64 };
enum Format { F_NONE = 0, F_UUID, F_DATE_TIME, F_DATE, F_IPV4, F_IPV6, F_URI, F_OTHER };
const int ANY_NODE = 0;

struct Property {
  std::string name;
  int node;
  // The name, its closing quote and a colon: what follows a key's opening quote in compact JSON.
  std::string token;
  // What the name is in a root object, worked out once (see Compile): the id, the time, and
  // which located field (-1, none).
  bool isId = false, isTime = false;
  int field = -1;
};

struct Node {
  int types = 127;
  bool undecided = false;
  bool hasValues = false;
  std::vector<std::string> strings;
  std::vector<double> numbers;
  int literals = 0;
  bool complex = false;
  double minLength = 0, maxLength = INFINITY;
  int format = F_NONE;
  bool pattern = false;
  // The pattern's automaton (checks/scan/simple-pattern.ts), empty when it is left to the RegExp.
  std::vector<int32_t> patternCode;
  double minimum = -INFINITY, maximum = INFINITY, exclusiveMinimum = -INFINITY, exclusiveMaximum = INFINITY, multipleOf = 0;
  std::vector<Property> properties;
  uint32_t requiredMask = 0;
  int additional = ANY_NODE;
  int propertyNames = -1;
  double minProperties = 0, maxProperties = INFINITY;
  std::vector<int> prefixItems;
  int items = ANY_NODE;
  double minItems = 0, maxItems = INFINITY;
  bool uniqueItems = false;
  int contains = -1;
  std::vector<int> allOf, anyOf, oneOf;
  // Whether the string keywords need JavaScript whatever the string (pattern, another format).
  bool stringNeedsJs = false;
  // No allOf, anyOf or oneOf: its own keywords decide (see Scanner::value).
  bool plain = true;
  // Plain, decided, and a string may be its value: Scanner::value reads its strings inline.
  bool plainString = false;
  // A minLength or a maxLength.
  bool lengthBound = false;
  // Strings are checked for their length at most: no values, format or pattern.
  bool lengthOnly = false;
};

struct Program {
  std::vector<Node> nodes;
  int root = 0;
  std::string idField, timeField;
  // Other root fields whose values are located in each line (the canary's, the address).
  std::vector<std::string> fields;
};

const double NaN = std::nan("");

inline uint64_t load64(const void* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

inline uint32_t load32(const void* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

// memcmp without the call, for the short names of properties: eight bytes at a time, the last
// word overlapping the one before it (a byte at a time cost a sixth of the scan).
inline bool sameBytes(const char* a, const uint8_t* b, size_t n) {
  if (n >= 8) {
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
      if (load64(a + k) != load64(b + k)) return false;
    return k == n || load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (size_t k = 0; k < n; k++)
    if (static_cast<uint8_t>(a[k]) != b[k]) return false;
  return true;
}

// JSON's whitespace but the newline, which ends a line: Scan reads a line without finding its end
// first, and no value, key or space of a line ever spans one.
inline size_t skipSpace(const uint8_t* b, size_t i, size_t end) {
  // Most calls meet no space at all: one test for them.
  if (i < end && b[i] > 0x20) return i;
  while (i < end && (b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0d)) i++;
  return i;
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
inline bool leapYear(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

// The minutes, seconds and fraction of `YYYY-MM-DDTHH:MM:SS[.f+]Z` in [s, e) (its hour not read)
// as ms into the hour, or -1 when they are not spelled so.
inline int64_t msIntoHour(const uint8_t* b, size_t s, size_t e) {
  size_t n = e - s;
  int minute = digits(b, s + 14, 2), second = digits(b, s + 17, 2);
  if (b[s + 16] != ':' || b[e - 1] != 'Z' || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  int64_t ms = 0;
  if (n > 20) {
    if (b[s + 19] != '.' || n < 22) return -1;
    for (size_t i = s + 20; i < e - 1; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) return -1;
      if (i < s + 23) ms = ms * 10 + d;
    }
    for (size_t i = (e - 1 < s + 23 ? e - 1 : s + 23); i < s + 23; i++) ms *= 10;
  }
  return minute * 60000 + second * 1000 + ms;
}

// `YYYY-MM-DDTHH:MM:SS[.f+]Z` with a real date: ms since the epoch, or NaN.
double strictDateTime(const uint8_t* b, size_t s, size_t e) {
  size_t n = e - s;
  if (n < 20 || b[s + 4] != '-' || b[s + 7] != '-' || b[s + 10] != 'T' || b[s + 13] != ':' || b[s + 16] != ':' || b[e - 1] != 'Z') return NaN;
  int year = digits(b, s, 4), month = digits(b, s + 5, 2), day = digits(b, s + 8, 2);
  int hour = digits(b, s + 11, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return NaN;
  if (day > (month == 2 && leapYear(year) ? 29 : DAYS[month])) return NaN;
  int64_t ms = msIntoHour(b, s, e);
  if (ms < 0) return NaN;
  int64_t y = month <= 2 ? year - 1 : year;
  int64_t era = floorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return static_cast<double>((days * 24 + hour) * 3600000 + ms);
}

// Each hex digit's value, -1 for any other byte: a table, not comparisons, since the digits of
// random ids would mispredict a branch per character.
struct HexTable {
  int8_t value[256];
  HexTable() {
    for (int c = 0; c < 256; c++) value[c] = -1;
    for (int c = 0; c < 10; c++) value['0' + c] = static_cast<int8_t>(c);
    for (int c = 0; c < 6; c++) value['a' + c] = value['A' + c] = static_cast<int8_t>(10 + c);
  }
};
const HexTable HEX;

inline bool isHex(uint8_t c) { return HEX.value[c] >= 0; }

// Eight ASCII hex digits (either case), the first in the lowest byte of x, as four bytes into
// out; false when any is not one. Branch-free (SWAR): the digits of random ids would mispredict a
// branch each. A byte below 0x80 plus an offset below 0x80 never carries into the next byte, so
// bit 7 of each sum tells whether that byte reached the offset's bound.
inline bool hexPairs(uint64_t x, uint8_t* out) {
  const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
  const uint64_t lower = x | (ones * 0x20);
  const uint64_t digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x80 - '9' - 1));
  const uint64_t letter = (lower + ones * (0x80 - 'a')) & ~(lower + ones * (0x80 - 'f' - 1));
  if ((x & high) != 0 || ((digit | letter) & high) != high) return false;
  const uint64_t nibbles = (x & (ones * 0x0f)) + ((letter & high) >> 7) * 9;
  uint64_t pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff00ff00ff00ffULL;
  pairs = (pairs | (pairs >> 8)) & 0x0000ffff0000ffffULL;
  pairs = pairs | (pairs >> 16);
  const uint32_t bytes = static_cast<uint32_t>(pairs);
  memcpy(out, &bytes, 4);
  return true;
}

// The 16 bytes of a UUID's 36 characters (8-4-4-4-12 hex digits, either case) into `out`, or
// false when they are not one.
bool uuidDigits(const uint8_t* u, uint8_t* out) {
  if (u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-') return false;
  const uint64_t second = load32(u + 9) | static_cast<uint64_t>(load32(u + 14)) << 32;
  const uint64_t third = load32(u + 19) | static_cast<uint64_t>(load32(u + 24)) << 32;
  // & not &&: all four always run, with no branch between them.
  return hexPairs(load64(u), out) & hexPairs(second, out + 4) & hexPairs(third, out + 8) & hexPairs(load64(u + 28), out + 12);
}

// ajv-formats' uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i. Its bytes go
// to `out`, for the line's facts when it is the id.
bool isUuid(const uint8_t* b, size_t s, size_t e, uint8_t* out) {
  if (e - s == 45) {
    static const char prefix[] = "urn:uuid:";
    for (int k = 0; k < 9; k++) {
      uint8_t c = b[s + k];
      if (c >= 'A' && c <= 'Z') c += 32;
      if (c != static_cast<uint8_t>(prefix[k])) return false;
    }
    s += 9;
  }
  return e - s == 36 && uuidDigits(b + s, out);
}

// ajv-formats' full-mode date: YYYY-MM-DD with a real day.
bool isDate(const uint8_t* b, size_t s, size_t e) {
  if (e - s != 10 || b[s + 4] != '-' || b[s + 7] != '-') return false;
  int year = digits(b, s, 4), month = digits(b, s + 5, 2), day = digits(b, s + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month == 2 && leapYear(year) ? 29 : DAYS[month]);
}

// ajv-formats' ipv4: four parts of 0-255 without leading zeros.
bool isIpv4(const uint8_t* b, size_t s, size_t e) {
  size_t i = s;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= e || b[i] != '.') return false;
      i++;
    }
    size_t start = i;
    int value = 0;
    while (i < e && b[i] >= '0' && b[i] <= '9' && i - start < 3) value = value * 10 + (b[i++] - '0');
    size_t n = i - start;
    if (n == 0 || (n > 1 && b[start] == '0') || value > 255) return false;
  }
  return i == e;
}

// A hex group of 1-4 digits at i: its end, or i when there is none.
inline size_t hexGroup(const uint8_t* b, size_t i, size_t e) {
  size_t k = i;
  while (k < e && k - i < 4 && isHex(b[k])) k++;
  return k;
}

// The common IPv6 spellings: up to eight hex groups, at most one "::", no IPv4 tail, no zone. All
// of them match ajv-formats' ipv6; anything else is left to it.
bool isPlainIpv6(const uint8_t* b, size_t s, size_t e) {
  int groups = 0;
  bool compressed = false;
  size_t i = s;
  if (e - s >= 2 && b[s] == ':' && b[s + 1] == ':') {
    compressed = true;
    i = s + 2;
    if (i == e) return true;
  }
  for (;;) {
    size_t k = hexGroup(b, i, e);
    if (k == i) return false;
    groups++;
    i = k;
    if (i == e) break;
    if (b[i] != ':') return false;
    if (i + 1 < e && b[i + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i += 2;
      if (i == e) break;
    } else {
      i++;
      if (i == e) return false;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

inline bool isAlpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool isDigit(uint8_t c) { return c >= '0' && c <= '9'; }
// RFC 3986's unreserved and sub-delims characters.
inline bool isUnreservedOrSubDelim(uint8_t c) { return isAlpha(c) || isDigit(c) || strchr("-._~!$&'()*+,;=", c) != nullptr; }

// Which bytes a URI part takes, besides %HH escapes: bit 1 the host (unreserved and sub-delims),
// bit 2 a path segment (and ':' '@'), bit 4 a query or fragment (and '/' '?').
enum { URI_HOST = 1, URI_SEGMENT = 2, URI_QUERY = 4 };
struct UriTable {
  uint8_t bits[256] = {};
  UriTable() {
    for (int c = 1; c < 128; c++) {
      if (isUnreservedOrSubDelim(static_cast<uint8_t>(c))) bits[c] = URI_HOST | URI_SEGMENT | URI_QUERY;
      else if (c == ':' || c == '@') bits[c] = URI_SEGMENT | URI_QUERY;
      else if (c == '/' || c == '?') bits[c] = URI_QUERY;
    }
  }
};
const UriTable URI_TABLE;

// One character of a URI part at i (or a %HH escape): its end, or i when it does not belong.
inline size_t uriChar(const uint8_t* b, size_t i, size_t e, int part) {
  uint8_t c = b[i];
  if (c == '%') return i + 2 < e && isHex(b[i + 1]) && isHex(b[i + 2]) ? i + 3 : i;
  return URI_TABLE.bits[c] & part ? i + 1 : i;
}

// `scheme://host[:port][/path][?query][#fragment]` with a registered-name host: one branch of
// ajv-formats' uri regex, followed exactly. Other URIs (IP literals, user info, no "//") are left
// to ajv-formats itself.
bool isPlainUri(const uint8_t* b, size_t s, size_t e) {
  size_t i = s;
  if (i >= e || !isAlpha(b[i])) return false;
  while (i < e && (isAlpha(b[i]) || isDigit(b[i]) || b[i] == '+' || b[i] == '-' || b[i] == '.')) i++;
  if (e - i < 3 || b[i] != ':' || b[i + 1] != '/' || b[i + 2] != '/') return false;
  i += 3;
  for (size_t k; i < e && (k = uriChar(b, i, e, URI_HOST)) != i;) i = k;
  if (i < e && b[i] == ':') {
    i++;
    while (i < e && isDigit(b[i])) i++;
  }
  while (i < e && b[i] == '/') {
    i++;
    for (size_t k; i < e && (k = uriChar(b, i, e, URI_SEGMENT)) != i;) i = k;
  }
  if (i < e && b[i] == '?') {
    i++;
    for (size_t k; i < e && (k = uriChar(b, i, e, URI_QUERY)) != i;) i = k;
  }
  if (i < e && b[i] == '#') {
    i++;
    for (size_t k; i < e && (k = uriChar(b, i, e, URI_QUERY)) != i;) i = k;
  }
  return i == e;
}

// The deterministic automaton of checks/scan/simple-pattern.ts (matchSimplePattern is its
// JavaScript twin): whether it matches somewhere in the well-formed UTF-8 text [s, e), read by
// code points, one table lookup each.
class PatternMatcher {
 public:
  bool matches(const std::vector<int32_t>& program, const uint8_t* b, size_t s, size_t e) const {
    const int32_t* code = program.data();
    const int32_t symbols = code[0], stateCount = code[1];
    const bool acceptEarly = code[3] == 1;
    const int32_t* lows = code + 4 + 128;
    const int32_t* accept = lows + symbols;
    const int32_t* transitions = accept + stateCount;
    int32_t state = code[2];
    for (size_t i = s; i < e;) {
      if (acceptEarly && accept[state]) return true;
      uint32_t c = b[i];
      int32_t symbol;
      if (c < 0x80) {
        i++;
        symbol = code[4 + c];
      } else {
        if (c < 0xe0) {
          c = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
          i += 2;
        } else if (c < 0xf0) {
          c = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
          i += 3;
        } else {
          c = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
          i += 4;
        }
        // The last interval starting at or below c.
        int32_t low = 0, high = symbols - 1;
        while (low < high) {
          int32_t mid = (low + high + 1) >> 1;
          if (lows[mid] <= static_cast<int32_t>(c)) low = mid;
          else high = mid - 1;
        }
        symbol = low;
      }
      state = transitions[state * symbols + symbol];
      if (state < 0) return false;
    }
    return accept[state] != 0;
  }
};

struct Scanner {
  PatternMatcher patterns;
  const Program* p;
  const uint8_t* b;
  size_t end;
  int depth = 0;
  // Inside anyOf / oneOf / contains: what JavaScript would have to check cannot wait for it.
  int speculative = 0;
  size_t rootAt = 0;
  long idAt = -1, timeAt = -1;
  // The byte after the id's and the time's values, and whether they are strings with an escape.
  long idAfter = -1, timeAfter = -1;
  bool idEscaped = false, timeEscaped = false;
  // Per located field: its value's first byte and the byte after it, or -1.
  std::vector<long> fieldAt;
  // Bit f: located field f (below 64) is a string with an escape, so that no line is read twice.
  uint64_t escapedFields = 0;
  // The last date-time proven, so that the time field is read once.
  size_t lastTimeAt = SIZE_MAX;
  double lastTime = 0;
  // The hour of the last date-time read whole ("YYYY-MM-DDTHH:", its first and last eight bytes)
  // and its first millisecond: an object's times share their hour, so most need only the rest read.
  uint64_t hourHead = 0, hourTail = 0;
  double hourMs = NaN;
  // The last UUID proven (its 36 characters' first byte, and its bytes), so that an id is read once.
  size_t lastUuidAt = SIZE_MAX;
  uint8_t lastUuid[16];
  // The last string read.
  bool escaped = false;
  size_t codePoints = 0;
  // String checks left to JavaScript: node, start, end.
  std::vector<int32_t> deferred;
  std::vector<std::pair<const uint8_t*, size_t>> names;
  // The items of the arrays with uniqueItems being read (see checkArray).
  std::vector<std::pair<size_t, size_t>> uniqueStrings;
  std::vector<double> uniqueNumbers;

  // The index of the closing quote of the string whose text starts at i, or UNDECIDED.
  long stringEnd(size_t i) {
    escaped = false;
    size_t points = 0;
    while (i < end) {
#if defined(__SSE2__)
      // 16 plain bytes (no quote, backslash, control or non-ASCII byte) at a time.
      const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
      while (i + 16 <= end) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(bad);
        if (mask != 0) {
          int k = __builtin_ctz(mask);
          i += k;
          points += k;
          break;
        }
        i += 16;
        points += 16;
      }
      if (i >= end) break;
#endif
      uint8_t c = b[i];
      if (c == '"') {
        codePoints = points;
        return static_cast<long>(i);
      }
      if (c < 0x20) return UNDECIDED;
      if (c == '\\') {
        if (i + 1 >= end) return UNDECIDED;
        uint8_t x = b[i + 1];
        escaped = true;
        if (x == 'u') {
          if (i + 6 > end || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return UNDECIDED;
          i += 6;
        } else if (x == '"' || x == '\\' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' || x == 't') {
          i += 2;
        } else {
          return UNDECIDED;
        }
        points++;
        continue;
      }
      if (c < 0x80) {
        i++;
        points++;
        continue;
      }
      uint8_t c1 = i + 1 < end ? b[i + 1] : 0;
      if (c >= 0xc2 && c <= 0xdf) {
        if ((c1 & 0xc0) != 0x80) return UNDECIDED;
        i += 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        if (i + 2 >= end || (c1 & 0xc0) != 0x80 || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (b[i + 2] & 0xc0) != 0x80) return UNDECIDED;
        i += 3;
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (i + 3 >= end || (c1 & 0xc0) != 0x80 || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f) || (b[i + 2] & 0xc0) != 0x80 || (b[i + 3] & 0xc0) != 0x80) return UNDECIDED;
        i += 4;
      } else {
        return UNDECIDED;
      }
      points++;
    }
    return UNDECIDED;
  }

  // strictDateTime of [s, e), reading only the minutes, seconds and fraction of a time in the
  // same hour as the last one read whole.
  double dateTime(size_t s, size_t e) {
    if (e - s >= 20 && load64(b + s) == hourHead && load64(b + s + 6) == hourTail) {
      int64_t ms = msIntoHour(b, s, e);
      return ms < 0 ? NaN : hourMs + static_cast<double>(ms);
    }
    double t = strictDateTime(b, s, e);
    if (!std::isnan(t)) {
      hourHead = load64(b + s);
      hourTail = load64(b + s + 6);
      int64_t ms = static_cast<int64_t>(t);
      hourMs = static_cast<double>(floorDiv(ms, 3600000) * 3600000);
    }
    return t;
  }

  // JavaScript checks this string later (the line is valid only if it passes), or now (ASK_JS).
  long leaveToJs(int n, size_t s, size_t e) {
    if (speculative > 0) return ASK_JS;
    deferred.push_back(n);
    deferred.push_back(static_cast<int32_t>(s));
    deferred.push_back(static_cast<int32_t>(e));
    return static_cast<long>(e + 1);
  }

  long checkString(int n, const Node& node, size_t s, size_t e) {
    if (node.stringNeedsJs) return leaveToJs(n, s, e);
    bool lengthBound = node.lengthBound;
    bool hasPattern = !node.patternCode.empty();
    if (escaped && (node.hasValues || lengthBound || node.format != F_NONE || hasPattern)) return leaveToJs(n, s, e);
    if (node.hasValues) {
      bool found = false;
      for (const std::string& v : node.strings) {
        if (v.size() == e - s && sameBytes(v.data(), b + s, v.size())) {
          found = true;
          break;
        }
      }
      if (!found) return INVALID;
    }
    if (lengthBound) {
      double length = static_cast<double>(codePoints);
      if (length < node.minLength || length > node.maxLength) return INVALID;
    }
    switch (node.format) {
      case F_UUID:
        // A failed test wrote over lastUuid too (an anyOf may still prove the line): forget it.
        if (!isUuid(b, s, e, lastUuid)) {
          lastUuidAt = SIZE_MAX;
          return INVALID;
        }
        lastUuidAt = e - 36;
        break;
      case F_DATE:
        if (!isDate(b, s, e)) return INVALID;
        break;
      case F_IPV4:
        if (!isIpv4(b, s, e)) return INVALID;
        break;
      case F_IPV6:
        if (!isPlainIpv6(b, s, e)) return leaveToJs(n, s, e);
        break;
      case F_URI:
        if (!isPlainUri(b, s, e)) return leaveToJs(n, s, e);
        break;
      case F_DATE_TIME: {
        // Only the common spelling is proven here; ajv-formats accepts more (offsets, leap seconds).
        double t = dateTime(s, e);
        if (std::isnan(t)) return leaveToJs(n, s, e);
        lastTimeAt = s;
        lastTime = t;
        break;
      }
      default:
        break;
    }
    if (hasPattern && !patterns.matches(node.patternCode, b, s, e)) return INVALID;
    return static_cast<long>(e + 1);
  }

  long numberEnd(size_t i) {
    if (i < end && b[i] == '-') i++;
    if (i < end && b[i] == '0') {
      i++;
    } else if (i < end && b[i] >= '1' && b[i] <= '9') {
      while (i < end && b[i] >= '0' && b[i] <= '9') i++;
    } else {
      return UNDECIDED;
    }
    if (i < end && b[i] == '.') {
      i++;
      if (!(i < end && b[i] >= '0' && b[i] <= '9')) return UNDECIDED;
      while (i < end && b[i] >= '0' && b[i] <= '9') i++;
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) i++;
      if (!(i < end && b[i] >= '0' && b[i] <= '9')) return UNDECIDED;
      while (i < end && b[i] >= '0' && b[i] <= '9') i++;
    }
    return static_cast<long>(i);
  }

  // The number in [s, e) as JavaScript's Number() reads it (both round correctly).
  double numberValue(size_t s, size_t e) {
    // Plain integers of up to 15 digits are exact in a double: no strtod.
    size_t i = s;
    bool negative = b[i] == '-';
    if (negative) i++;
    if (e - i <= 15) {
      int64_t n = 0;
      size_t k = i;
      for (; k < e && b[k] >= '0' && b[k] <= '9'; k++) n = n * 10 + (b[k] - '0');
      if (k == e) return negative ? (n == 0 ? -0.0 : -static_cast<double>(n)) : static_cast<double>(n);
    }
    // Clinger's fast path: up to 15 digits and a power of ten up to 22 are exact doubles, so one
    // multiplication or division rounds correctly, as strtod and Number() do.
    {
      int64_t n = 0;
      int digitsSeen = 0, exponent = 0;
      size_t k = i;
      for (; k < e && b[k] >= '0' && b[k] <= '9'; k++, digitsSeen++) n = n * 10 + (b[k] - '0');
      if (k < e && b[k] == '.') {
        for (k++; k < e && b[k] >= '0' && b[k] <= '9'; k++, digitsSeen++, exponent--) n = n * 10 + (b[k] - '0');
      }
      if (k < e && (b[k] == 'e' || b[k] == 'E')) {
        k++;
        bool minus = k < e && b[k] == '-';
        if (k < e && (b[k] == '+' || b[k] == '-')) k++;
        int x = 0;
        for (; k < e && b[k] >= '0' && b[k] <= '9' && x < 10000; k++) x = x * 10 + (b[k] - '0');
        exponent += minus ? -x : x;
      }
      if (k == e && digitsSeen <= 15 && exponent >= -22 && exponent <= 22) {
        static const double POWERS[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        double x = static_cast<double>(n);
        x = exponent < 0 ? x / POWERS[-exponent] : x * POWERS[exponent];
        return negative ? -x : x;
      }
    }
    char buffer[64];
    if (e - s < sizeof buffer) {
      memcpy(buffer, b + s, e - s);
      buffer[e - s] = 0;
      return strtod(buffer, nullptr);
    }
    return strtod(std::string(reinterpret_cast<const char*>(b + s), e - s).c_str(), nullptr);
  }

  long checkNumber(const Node& node, size_t i) {
    long after = numberEnd(i);
    if (after < 0) return UNDECIDED;
    double x = numberValue(i, static_cast<size_t>(after));
    if (!std::isfinite(x)) return UNDECIDED;
    if (!(node.types & K_NUMBER) && !((node.types & K_INTEGER) && std::trunc(x) == x)) return INVALID;
    if (node.hasValues) {
      bool found = false;
      for (double v : node.numbers)
        if (v == x) found = true;
      if (!found) return INVALID;
    }
    if (x < node.minimum || x > node.maximum || x <= node.exclusiveMinimum || x >= node.exclusiveMaximum) return INVALID;
    if (node.multipleOf != 0) {
      double ratio = x / node.multipleOf;
      // ajv tests ratio !== parseInt(ratio): the same as an integer test below 1e21, where
      // String(ratio) has no exponent.
      if (!(std::fabs(ratio) < 1e21)) return ASK_JS;
      if (std::fabs(ratio) >= 1e-6 || ratio == 0) {
        if (std::trunc(ratio) != ratio) return INVALID;
      } else {
        return INVALID;  // a tiny non-zero ratio: parseInt reads its exponent spelling, never equal
      }
    }
    return after;
  }

  long checkObject(const Node& node, size_t i) {
    bool atRoot = i == rootAt;
    const size_t count = node.properties.size();
    uint32_t seen = 0;
    size_t namesFrom = names.size();
    double keys = 0;
    size_t next = 0;
    i = skipSpace(b, i + 1, end);
    long result;
    if (i < end && b[i] == '}') {
      i++;
    } else {
      for (;;) {
        if (i >= end || b[i] != '"') {
          result = UNDECIDED;
          goto done;
        }
        int p = -1;
        long keyEnd = -1;
        // The key in compact JSON, its colon read with it (names never need escaping here).
        bool colonRead = false;
        if (next < count) {
          const Property& expected = node.properties[next];
          size_t after = i + 1 + expected.name.size();
          if (i + 1 + expected.token.size() <= end && sameBytes(expected.token.data(), b + i + 1, expected.token.size())) {
            p = static_cast<int>(next);
            keyEnd = static_cast<long>(after);
            colonRead = true;
          } else if (after < end && b[after] == '"' && sameBytes(expected.name.data(), b + i + 1, expected.name.size())) {
            p = static_cast<int>(next);
            keyEnd = static_cast<long>(after);
          }
        }
        if (p < 0) {
          keyEnd = stringEnd(i + 1);
          if (keyEnd < 0 || escaped) {
            result = UNDECIDED;
            goto done;
          }
          size_t length = keyEnd - i - 1;
          for (size_t k = 0; k < count; k++) {
            const std::string& name = node.properties[k].name;
            if (name.size() == length && memcmp(name.data(), b + i + 1, length) == 0) {
              p = static_cast<int>(k);
              break;
            }
          }
        }
        int child;
        if (p >= 0) {
          if (seen & (1u << p)) {
            result = UNDECIDED;
            goto done;
          }
          seen |= 1u << p;
          next = p + 1;
          child = node.properties[p].node;
        } else {
          const uint8_t* name = b + i + 1;
          size_t length = keyEnd - i - 1;
          if (length == 9 && memcmp(name, "__proto__", 9) == 0) {
            result = UNDECIDED;
            goto done;
          }
          for (size_t k = namesFrom; k < names.size(); k++) {
            if (names[k].second == length && memcmp(names[k].first, name, length) == 0) {
              result = UNDECIDED;
              goto done;
            }
          }
          names.emplace_back(name, length);
          child = node.additional;
        }
        if (node.propertyNames >= 0) {
          long verdict = value(node.propertyNames, i);
          if (verdict < 0) {
            result = verdict;
            goto done;
          }
        }
        keys++;
        size_t j = colonRead ? keyEnd + 2 : skipSpace(b, keyEnd + 1, end);
        if (!colonRead && (j >= end || b[j++] != ':')) {
          result = UNDECIDED;
          goto done;
        }
        j = skipSpace(b, j, end);
        int field = -1;
        bool idKey = false, timeKey = false;
        if (atRoot && p >= 0) {
          const Property& known = node.properties[p];
          idKey = known.isId;
          timeKey = known.isTime;
          field = known.field;
        } else if (atRoot) {
          size_t length = keyEnd - i - 1;
          if (length == p_idField().size() && memcmp(b + i + 1, p_idField().data(), length) == 0) idKey = true;
          else if (length == p_timeField().size() && memcmp(b + i + 1, p_timeField().data(), length) == 0) timeKey = true;
          for (size_t k = 0; k < this->p->fields.size(); k++)
            if (length == this->p->fields[k].size() && memcmp(b + i + 1, this->p->fields[k].data(), length) == 0) field = static_cast<int>(k);
        }
        long after = value(child, j);
        if (after < 0) {
          result = after;
          goto done;
        }
        // `escaped` is the value's own when it is a string: the last string stringEnd read.
        if (idKey) {
          idAt = static_cast<long>(j);
          idAfter = after;
          idEscaped = escaped;
        } else if (timeKey) {
          timeAt = static_cast<long>(j);
          timeAfter = after;
          timeEscaped = escaped;
        }
        if (field >= 0) {
          fieldAt[2 * field] = static_cast<long>(j);
          fieldAt[2 * field + 1] = after;
          if (field < 64 && b[j] == '"' && escaped) escapedFields |= uint64_t{1} << field;
        }
        // Compact JSON: a comma, then the next key's quote.
        if (static_cast<size_t>(after) + 1 < end && b[after] == ',' && b[after + 1] == '"') {
          i = static_cast<size_t>(after) + 1;
          continue;
        }
        i = skipSpace(b, after, end);
        if (i < end && b[i] == '}') {
          i++;
          break;
        }
        if (i >= end || b[i] != ',') {
          result = UNDECIDED;
          goto done;
        }
        i = skipSpace(b, i + 1, end);
      }
    }
    if ((seen & node.requiredMask) != node.requiredMask || keys < node.minProperties || keys > node.maxProperties) result = INVALID;
    else result = static_cast<long>(i);
  done:
    names.resize(namesFrom);
    return result;
  }

  const std::string& p_idField() const { return p->idField; }
  const std::string& p_timeField() const { return p->timeField; }

  long checkArray(const Node& node, size_t i) {
    double count = 0;
    bool contained = node.contains < 0;
    bool containsUndecided = false, containsAskJs = false;
    // Unique items: strings by their raw bytes (never escaped), numbers by value, literals by name.
    // Kept in the scanner's own lists (nested arrays take their turn after these), so no array
    // allocates; cut back to where they were on the way out.
    const size_t stringsFrom = uniqueStrings.size(), numbersFrom = uniqueNumbers.size();
    struct Restore {
      Scanner& s;
      size_t strings, numbers;
      ~Restore() {
        s.uniqueStrings.resize(strings);
        s.uniqueNumbers.resize(numbers);
      }
    } restore{*this, stringsFrom, numbersFrom};
    int literalItems = 0;
    i = skipSpace(b, i + 1, end);
    if (i < end && b[i] == ']') {
      i++;
    } else {
      for (;;) {
        size_t k = static_cast<size_t>(count);
        int child = k < node.prefixItems.size() ? node.prefixItems[k] : node.items;
        long after = value(child, i);
        if (after < 0) return after;
        if (!contained) {
          speculative++;
          long verdict = value(node.contains, i);
          speculative--;
          if (verdict >= 0) contained = true;
          else if (verdict == UNDECIDED) containsUndecided = true;
          else if (verdict == ASK_JS) containsAskJs = true;
        }
        if (node.uniqueItems) {
          uint8_t c = b[i];
          if (c == '"') {
            long e = stringEnd(i + 1);
            if (escaped) return ASK_JS;
            for (size_t k = stringsFrom; k < uniqueStrings.size(); k++) {
              const auto& item = uniqueStrings[k];
              if (item.second - item.first == e - i - 1 && memcmp(b + item.first, b + i + 1, e - i - 1) == 0) return INVALID;
            }
            uniqueStrings.emplace_back(i + 1, static_cast<size_t>(e));
          } else if (c == '{' || c == '[') {
            return UNDECIDED;
          } else if (c == 't' || c == 'f' || c == 'n') {
            int bit = c == 'n' ? 1 : c == 't' ? 2 : 4;
            if (literalItems & bit) return INVALID;
            literalItems |= bit;
          } else {
            double x = numberValue(i, static_cast<size_t>(after));
            for (size_t k = numbersFrom; k < uniqueNumbers.size(); k++)
              if (uniqueNumbers[k] == x) return INVALID;
            uniqueNumbers.push_back(x);
          }
        }
        count++;
        i = skipSpace(b, after, end);
        if (i < end && b[i] == ']') {
          i++;
          break;
        }
        if (i >= end || b[i] != ',') return UNDECIDED;
        i = skipSpace(b, i + 1, end);
      }
    }
    if (count < node.minItems || count > node.maxItems) return INVALID;
    if (!contained) return containsAskJs ? ASK_JS : containsUndecided ? UNDECIDED : INVALID;
    return static_cast<long>(i);
  }

  __attribute__((always_inline)) long own(int n, const Node& node, size_t i) {
    if (i >= end) return UNDECIDED;
    uint8_t c = b[i];
    int types = node.types;
    if (c == '"') {
      if (!(types & K_STRING)) return INVALID;
      long e = stringEnd(i + 1);
      if (e < 0) return UNDECIDED;
      if (n == ANY_NODE) return e + 1;
      return checkString(n, node, i + 1, static_cast<size_t>(e));
    }
    if (c == '{') {
      if (!(types & K_OBJECT)) return INVALID;
      if (node.hasValues) return node.complex ? UNDECIDED : INVALID;
      return checkObject(node, i);
    }
    if (c == '[') {
      if (!(types & K_ARRAY)) return INVALID;
      if (node.hasValues) return node.complex ? UNDECIDED : INVALID;
      return checkArray(node, i);
    }
    if (c == 't' || c == 'f' || c == 'n') {
      int bit = c == 't' ? 2 : c == 'f' ? 4 : 1;
      size_t length = c == 'f' ? 5 : 4;
      const char* word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      if (i + length > end || !sameBytes(word, b + i, length)) return UNDECIDED;
      if (!(types & (bit == 1 ? K_NULL : K_BOOLEAN))) return INVALID;
      if (node.hasValues && !(node.literals & bit)) return INVALID;
      return static_cast<long>(i + length);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (!(types & (K_NUMBER | K_INTEGER))) return INVALID;
      return checkNumber(node, i);
    }
    return UNDECIDED;
  }

  // The byte after the value at i, if it passes node n, else a verdict (UNDECIDED, INVALID, ASK_JS).
  // Strings, most values, are read here, inline in the loops of checkObject and checkArray.
  __attribute__((always_inline)) long value(int n, size_t i) {
    const Node& node = p->nodes[n];
    if (node.plainString && depth < MAX_DEPTH && i < end && b[i] == '"') {
      long e = stringEnd(i + 1);
      if (e < 0) return UNDECIDED;
      if (n == ANY_NODE) return e + 1;
      if (node.lengthOnly && !escaped) {
        double length = static_cast<double>(codePoints);
        return length < node.minLength || length > node.maxLength ? INVALID : e + 1;
      }
      return checkString(n, node, i + 1, static_cast<size_t>(e));
    }
    return otherValue(n, node, i);
  }

  __attribute__((noinline)) long otherValue(int n, const Node& node, size_t i) {
    if (node.undecided || depth >= MAX_DEPTH) return UNDECIDED;
    // Most values are scalars under a node of their own keywords alone: nothing nests inside them,
    // so the depth they would add is never read.
    if (node.plain && i < end && b[i] != '{' && b[i] != '[') return own(n, node, i);
    depth++;
    long r = own(n, node, i);
    if (r >= 0) {
      for (int a : node.allOf) {
        long v = value(a, i);
        if (v < 0) {
          r = v;
          break;
        }
      }
    }
    if (r >= 0 && !node.anyOf.empty()) {
      long best = INVALID;
      speculative++;
      for (int a : node.anyOf) {
        long v = value(a, i);
        if (v >= 0) {
          best = v;
          break;
        }
        if (v == ASK_JS || (v == UNDECIDED && best != ASK_JS)) best = v;
      }
      speculative--;
      r = best;
    }
    if (r >= 0 && !node.oneOf.empty()) {
      int matches = 0;
      bool undecided = false, askJs = false;
      speculative++;
      for (int a : node.oneOf) {
        long v = value(a, i);
        if (v >= 0) matches++;
        else if (v == UNDECIDED) undecided = true;
        else if (v == ASK_JS) askJs = true;
      }
      speculative--;
      r = matches > 1 ? INVALID : askJs ? ASK_JS : undecided ? UNDECIDED : matches == 1 ? r : INVALID;
    }
    depth--;
    return r;
  }

  // The status of the line from `start` (its end, the newline or the text's end, into lineEnd): 0
  // not proven, 1 valid, 2 valid if the deferred checks pass, 3 ask JavaScript. `end` is the
  // text's: a proven line's end is where its value and trailing spaces stop, and only another
  // line looks for its newline.
  int line(size_t start, size_t& lineEnd, long& idStart, long& idEnd, double& time) {
    int status = proveLine(start, lineEnd, idStart, idEnd, time);
    if (lineEnd == SIZE_MAX) {
      const void* nl = memchr(b + start, '\n', end - start);
      lineEnd = nl ? static_cast<const uint8_t*>(nl) - b : end;
    }
    return status;
  }

  // line's work; lineEnd is left at SIZE_MAX where the line's end is not found on the way.
  int proveLine(size_t start, size_t& lineEnd, long& idStart, long& idEnd, double& time) {
    lineEnd = SIZE_MAX;
    depth = 0;
    speculative = 0;
    idAt = timeAt = -1;
    std::fill(fieldAt.begin(), fieldAt.end(), -1);
    escapedFields = 0;
    idStart = idEnd = -1;
    time = NaN;
    deferred.clear();
    names.clear();
    lastTimeAt = SIZE_MAX;
    lastUuidAt = SIZE_MAX;
    size_t i = skipSpace(b, start, end);
    if (i >= end || b[i] == '\n') return 0;
    rootAt = i;
    long after = value(p->root, i);
    if (after == ASK_JS) return 3;
    if (after < 0) return 0;
    size_t last = skipSpace(b, static_cast<size_t>(after), end);
    if (last < end && b[last] != '\n') return 0;
    lineEnd = last;
    if (idAt >= 0) {
      uint8_t c = b[idAt];
      if (c == '-' || (c >= '0' && c <= '9')) return 0;  // a number id: the slow path hashes it as #value
      if (c == '"') {
        if (idEscaped) return 0;
        idStart = idAt + 1;
        idEnd = idAfter - 1;
      }
    }
    if (timeAt >= 0 && b[timeAt] == '"') {
      long e = timeAfter - 1;
      if (timeEscaped) return 3;
      time = static_cast<size_t>(timeAt + 1) == lastTimeAt ? lastTime : dateTime(timeAt + 1, e);
      if (std::isnan(time)) return 3;  // Date.parse reads other spellings: JavaScript's call
    }
    return deferred.empty() ? 1 : 2;
  }
};

// --- Facts of a proven line (ScannedLine.facts in fast-path-program.ts) -----------------------

const int32_t FACT_KNOWN = 1, FACT_ID_UUID = 2;
const size_t MAX_FACT_FIELDS = 14;

// factOfField in fast-path-program.ts: located field f's bit for an escape, or for an anonymised address.
inline int32_t factOfField(size_t f, bool anonymisedIp) { return 1 << (2 + 2 * f + (anonymisedIp ? 1 : 0)); }

// idBytesAt's UUID case (lake/ids/record-id.ts): 36 bytes, dashes at 8, 13, 18 and 23, hex
// elsewhere, written as their 16 bytes; false for any other id, which JavaScript hashes.
bool uuidBytes(const uint8_t* b, size_t s, size_t e, uint8_t* out) {
  return e - s == 36 && uuidDigits(b + s, out);
}

// ipv4KindAt (checks/scan/ip-address.ts): 0 not such an address, 1 anonymised, 2 full.
int ipv4Kind(const uint8_t* b, size_t s, size_t e) {
  size_t i = s;
  int octet = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= e || b[i] != '.') return 0;
      i++;
    }
    size_t from = i;
    octet = 0;
    while (i < e && i - from < 3 && b[i] >= '0' && b[i] <= '9') octet = octet * 10 + (b[i++] - '0');
    if (i == from || octet > 255) return 0;
  }
  if (i != e) return 0;
  return octet == 0 ? 1 : 2;
}

// ipv6KindAt (checks/scan/ip-address.ts): 0 not such an address, 1 anonymised, 2 full.
int ipv6Kind(const uint8_t* b, size_t s, size_t e) {
  int before = 0, after = 0;
  bool compressed = false;
  uint32_t nonZeroBefore = 0, nonZeroAfter = 0;
  size_t i = s;
  if (e - s >= 2 && b[s] == ':' && b[s + 1] == ':') {
    compressed = true;
    i += 2;
  }
  while (i < e) {
    int value = 0;
    size_t from = i;
    while (i < e && i - from < 4 && isHex(b[i])) value |= HEX.value[b[i++]];
    if (i == from) return 0;
    if (compressed) nonZeroAfter |= static_cast<uint32_t>(value != 0) << after++;
    else nonZeroBefore |= static_cast<uint32_t>(value != 0) << before++;
    if (before + after > 8) return 0;
    if (i == e) break;
    if (b[i] != ':') return 0;
    i++;
    if (i < e && b[i] == ':') {
      if (compressed) return 0;
      compressed = true;
      i++;
    } else if (i == e) {
      return 0;
    }
  }
  if (compressed ? before + after >= 8 : before != 8) return 0;
  uint32_t tailHost = after == 0 ? 0 : nonZeroAfter >> (after > 5 ? after - 5 : 0);
  return (nonZeroBefore >> 3) == 0 && tailHost == 0 ? 1 : 2;
}

// The facts of a proven line: its UUID's bytes into `id`, and per located field whether its string
// holds an escape and whether it spells an anonymised address.
int32_t lineFacts(const Scanner& scanner, long idStart, long idEnd, uint8_t* id) {
  const uint8_t* b = scanner.b;
  size_t fields = scanner.fieldAt.size() / 2;
  if (fields > MAX_FACT_FIELDS) return 0;
  int32_t facts = FACT_KNOWN;
  if (idStart >= 0 && static_cast<size_t>(idStart) == scanner.lastUuidAt && idEnd - idStart == 36) {
    memcpy(id, scanner.lastUuid, 16);  // proven by the id's own format: read once
    facts |= FACT_ID_UUID;
  } else if (idStart >= 0 && uuidBytes(b, static_cast<size_t>(idStart), static_cast<size_t>(idEnd), id)) {
    facts |= FACT_ID_UUID;
  }
  for (size_t f = 0; f < fields; f++) {
    long start = scanner.fieldAt[2 * f], end = scanner.fieldAt[2 * f + 1];
    if (start < 0 || b[start] != '"') continue;
    size_t s = static_cast<size_t>(start) + 1, e = static_cast<size_t>(end) - 1;
    if (f < 64 ? (scanner.escapedFields >> f) & 1 : memchr(b + s, '\\', e - s) != nullptr) {
      facts |= factOfField(f, false);
      continue;
    }
    int v4 = ipv4Kind(b, s, e);
    if (v4 == 1 || (v4 == 0 && ipv6Kind(b, s, e) == 1)) facts |= factOfField(f, true);
  }
  return facts;
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

std::string text(napi_env env, napi_value value) {
  size_t length = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &length);
  std::string s(length, '\0');
  napi_get_value_string_utf8(env, value, &s[0], length + 1, &length);
  return s;
}

std::vector<int> indexes(napi_env env, napi_value array) {
  std::vector<int> out;
  uint32_t n = 0;
  napi_get_array_length(env, array, &n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value v;
    napi_get_element(env, array, k, &v);
    out.push_back(static_cast<int>(number(env, v)));
  }
  return out;
}

Node readNode(napi_env env, napi_value o) {
  Node node;
  node.types = static_cast<int>(number(env, property(env, o, "types")));
  node.undecided = flag(env, o, "undecided");
  if (has(env, o, "values")) {
    napi_value v = property(env, o, "values");
    node.hasValues = true;
    napi_value strings = property(env, v, "strings");
    uint32_t n = 0;
    napi_get_array_length(env, strings, &n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value s;
      napi_get_element(env, strings, k, &s);
      node.strings.push_back(bytes(env, s));
    }
    napi_value numbers = property(env, v, "numbers");
    napi_get_array_length(env, numbers, &n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value x;
      napi_get_element(env, numbers, k, &x);
      node.numbers.push_back(number(env, x));
    }
    node.literals = static_cast<int>(number(env, property(env, v, "literals")));
    node.complex = flag(env, v, "complex");
  }
  node.minLength = number(env, property(env, o, "minLength"));
  node.maxLength = number(env, property(env, o, "maxLength"));
  if (has(env, o, "format")) {
    std::string f = text(env, property(env, o, "format"));
    node.format = f == "uuid" ? F_UUID : f == "date-time" ? F_DATE_TIME : f == "date" ? F_DATE : f == "ipv4" ? F_IPV4 : f == "ipv6" ? F_IPV6 : f == "uri" ? F_URI : F_OTHER;
  }
  node.pattern = has(env, o, "pattern");
  if (has(env, o, "patternProgram")) {
    void* data;
    size_t length;
    napi_get_typedarray_info(env, property(env, o, "patternProgram"), nullptr, &length, &data, nullptr, nullptr);
    node.patternCode.assign(static_cast<int32_t*>(data), static_cast<int32_t*>(data) + length);
  }
  node.stringNeedsJs = (node.pattern && node.patternCode.empty()) || node.format == F_OTHER;
  node.minimum = number(env, property(env, o, "minimum"));
  node.maximum = number(env, property(env, o, "maximum"));
  node.exclusiveMinimum = number(env, property(env, o, "exclusiveMinimum"));
  node.exclusiveMaximum = number(env, property(env, o, "exclusiveMaximum"));
  node.multipleOf = number(env, property(env, o, "multipleOf"));
  napi_value properties = property(env, o, "properties");
  uint32_t n = 0;
  napi_get_array_length(env, properties, &n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value entry;
    napi_get_element(env, properties, k, &entry);
    std::string name = bytes(env, property(env, entry, "name"));
    node.properties.push_back({name, static_cast<int>(number(env, property(env, entry, "node"))), name + "\":"});
  }
  node.requiredMask = static_cast<uint32_t>(number(env, property(env, o, "requiredMask")));
  node.additional = static_cast<int>(number(env, property(env, o, "additional")));
  node.propertyNames = static_cast<int>(number(env, property(env, o, "propertyNames")));
  node.minProperties = number(env, property(env, o, "minProperties"));
  node.maxProperties = number(env, property(env, o, "maxProperties"));
  node.prefixItems = indexes(env, property(env, o, "prefixItems"));
  node.items = static_cast<int>(number(env, property(env, o, "items")));
  node.minItems = number(env, property(env, o, "minItems"));
  node.maxItems = number(env, property(env, o, "maxItems"));
  node.uniqueItems = flag(env, o, "uniqueItems");
  node.contains = static_cast<int>(number(env, property(env, o, "contains")));
  node.allOf = indexes(env, property(env, o, "allOf"));
  node.anyOf = indexes(env, property(env, o, "anyOf"));
  node.oneOf = indexes(env, property(env, o, "oneOf"));
  node.plain = node.allOf.empty() && node.anyOf.empty() && node.oneOf.empty();
  node.plainString = node.plain && !node.undecided && (node.types & K_STRING) != 0;
  node.lengthBound = node.minLength > 0 || node.maxLength != INFINITY;
  node.lengthOnly = !node.hasValues && node.format == F_NONE && !node.pattern && node.patternCode.empty();
  return node;
}

void freeProgram(napi_env, void* data, void*) { delete static_cast<Program*>(data); }

// compile(nodes, root, idField, timeField, fields) -> an opaque program
napi_value Compile(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* program = new Program();
  uint32_t n = 0;
  napi_get_array_length(env, argv[0], &n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value node;
    napi_get_element(env, argv[0], k, &node);
    program->nodes.push_back(readNode(env, node));
  }
  program->root = static_cast<int>(number(env, argv[1]));
  program->idField = bytes(env, argv[2]);
  program->timeField = bytes(env, argv[3]);
  uint32_t fieldCount = 0;
  napi_get_array_length(env, argv[4], &fieldCount);
  for (uint32_t k = 0; k < fieldCount; k++) {
    napi_value field;
    napi_get_element(env, argv[4], k, &field);
    program->fields.push_back(bytes(env, field));
  }
  // A root object's names are compared with the id's, the time's and the located fields' once
  // here, not once per key of every line; only names outside `properties` are compared there.
  for (Node& node : program->nodes) {
    for (Property& property : node.properties) {
      property.isId = property.name == program->idField;
      property.isTime = !property.isId && property.name == program->timeField;
      for (size_t k = 0; k < program->fields.size(); k++)
        if (property.name == program->fields[k]) property.field = static_cast<int>(k);
    }
  }
  napi_value external;
  napi_create_external(env, program, freeProgram, nullptr, &external);
  return external;
}

// What Scan's `state` (a Float64Array) holds, as native-scan.ts writes and reads it.
enum StateSlot {
  S_ABSORB,         // in: 1 to absorb plain lines (below), 0 to report every line
  S_PIECE_BASE,     // in: the record index of the first line from `from`
  S_FROM_MS,        // in: a time in [S_FROM_MS, S_TO_MS) is in its partition hour
  S_TO_MS,
  S_ARRIVAL_MS,     // in: the object's arrival, which a record's lag is measured to
  S_CANARY_FIELD,   // in: the located field holding the canary's mark, or -1
  S_IP_FIELD,       // in: the located field holding the address the check reads, or -1
  S_IP_FACT,        // in: the fact bit of an anonymised address in that field, or 0
  S_ID_COUNT,       // in/out: the ids in the id list
  S_LAG_MAX,        // in/out: the largest lag seen, -1 for none
  S_ABSORBED,       // out: the lines absorbed by this call
  S_IP_SEEN,        // out: the absorbed lines holding an (anonymised) address
  S_TAIL,           // out: the lines absorbed after the last one reported
  S_NEXT,           // out: where the next call starts
  S_DONE,           // out: 1 when the text is read to its end
  STATE_SLOTS
};

// sampledRecord in checks/scan/source-metrics.ts: the records whose fields are tallied.
inline bool sampledRecord(uint64_t index) { return index < 64 || (index & 63) == 0; }

// scan(program, text, lines: Int32Array, times: Float64Array, checks: Int32Array, ids: Uint8Array,
// from, state: Float64Array, canary: Uint8Array, idList: Uint8Array, idIndexes: Uint32Array,
// lag: Uint32Array) -> lines reported. Each reported line gives 8 ints (start, end, status,
// idStart, idEnd, facts, absorbed lines just before it, its slot in the id list or -1), two per
// located field (its value's start and end, -1 when absent or the line is not proven), one time
// and, with FACT_ID_UUID in its facts, its id's 16 bytes at 16 times its place in `ids`; a line
// of status 2 adds its deferred string checks to `checks`: a count, then (node, start, end)
// triples.
//
// With S_ABSORB set, a plain line is not reported but counted here, as scanObject's visit would
// count it: proven valid (status 1), its id a UUID (or absent), not the canary's, its address
// anonymised (or absent), not sampled, and its time in its hour (or unreadable). Its id goes into
// `idList` / `idIndexes` and its lag into `lag` (per minute, the last bucket for all later). A
// reported line of status 1 with a UUID id has its id added too (its slot given); any other line
// ends the call once reported, since JavaScript adds its id and may split it into several
// records. A full id list also ends the call, before the line that needs room.
napi_value Scan(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Program* program;
  napi_get_value_external(env, argv[0], reinterpret_cast<void**>(&program));
  void *textData, *linesData, *timesData, *checksData, *idsData, *stateData, *canaryData, *idListData, *idIndexesData, *lagData;
  size_t textLength, linesLength, timesLength, checksLength, idsLength, stateLength, canaryLength, idListLength, idIndexesLength, lagLength;
  napi_get_typedarray_info(env, argv[1], nullptr, &textLength, &textData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[2], nullptr, &linesLength, &linesData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[3], nullptr, &timesLength, &timesData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[4], nullptr, &checksLength, &checksData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[5], nullptr, &idsLength, &idsData, nullptr, nullptr);
  uint32_t from = 0;
  napi_get_value_uint32(env, argv[6], &from);
  napi_get_typedarray_info(env, argv[7], nullptr, &stateLength, &stateData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[8], nullptr, &canaryLength, &canaryData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[9], nullptr, &idListLength, &idListData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[10], nullptr, &idIndexesLength, &idIndexesData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[11], nullptr, &lagLength, &lagData, nullptr, nullptr);
  double* state = static_cast<double*>(stateData);
  if (stateLength < STATE_SLOTS) {
    napi_throw_range_error(env, nullptr, "scan: the state array is too short");
    return nullptr;
  }
  Scanner scanner;
  scanner.p = program;
  scanner.b = static_cast<const uint8_t*>(textData);
  scanner.fieldAt.assign(2 * program->fields.size(), -1);
  const size_t perLine = 8 + 2 * program->fields.size();
  const uint8_t* b = scanner.b;
  int32_t* lines = static_cast<int32_t*>(linesData);
  double* times = static_cast<double*>(timesData);
  int32_t* checks = static_cast<int32_t*>(checksData);
  size_t checksUsed = 0;
  size_t written = 0;
  size_t capacity = linesLength / perLine < timesLength ? linesLength / perLine : timesLength;
  if (idsLength / 16 < capacity) capacity = idsLength / 16;
  uint8_t* ids = static_cast<uint8_t*>(idsData);

  const bool absorb = state[S_ABSORB] == 1 && lagLength > 0;
  const uint64_t pieceBase = static_cast<uint64_t>(state[S_PIECE_BASE]);
  const double fromMs = state[S_FROM_MS], toMs = state[S_TO_MS], arrival = state[S_ARRIVAL_MS];
  const long canaryField = static_cast<long>(state[S_CANARY_FIELD]);
  const long ipField = static_cast<long>(state[S_IP_FIELD]);
  const int32_t ipFact = static_cast<int32_t>(state[S_IP_FACT]);
  const uint8_t* canary = static_cast<const uint8_t*>(canaryData);
  uint8_t* idList = static_cast<uint8_t*>(idListData);
  uint32_t* idIndexes = static_cast<uint32_t*>(idIndexesData);
  size_t idCapacity = idListLength / 16 < idIndexesLength ? idListLength / 16 : idIndexesLength;
  size_t idCount = absorb ? static_cast<size_t>(state[S_ID_COUNT]) : 0;
  uint32_t* lag = static_cast<uint32_t*>(lagData);
  double lagMax = state[S_LAG_MAX];
  uint64_t ordinal = 0, absorbed = 0, ipSeen = 0, sinceReported = 0;
  uint8_t uuid[16];
  bool stop = false;

  size_t start = from;
  scanner.end = textLength;
  while (start < textLength && written < capacity && !stop) {
    size_t first = skipSpace(b, start, textLength);
    if (first >= textLength || b[first] == '\n') {  // a blank line: never a record
      start = first + 1;
      continue;
    }
    long idStart, idEnd;
    double time;
    size_t end;
    int status = scanner.line(start, end, idStart, idEnd, time);
    if (status == 2) {
      size_t need = 1 + scanner.deferred.size();
      if (checksUsed + need > checksLength) {
        status = 3;  // no room: JavaScript reads the line itself
      } else {
        checks[checksUsed++] = static_cast<int32_t>(scanner.deferred.size() / 3);
        memcpy(checks + checksUsed, scanner.deferred.data(), scanner.deferred.size() * sizeof(int32_t));
        checksUsed += scanner.deferred.size();
      }
    }
    bool proven = status == 1 || status == 2;
    int32_t facts = proven ? lineFacts(scanner, idStart, idEnd, uuid) : 0;
    int32_t idSlot = -1;
    if (absorb) {
      bool uuidId = idStart >= 0 && (facts & FACT_ID_UUID) != 0;
      if (status != 1 || (idStart >= 0 && !uuidId)) {
        stop = true;  // JavaScript adds this line's id, and may make several records of it
      } else {
        if (uuidId && idCount == idCapacity) break;  // the id list is full: JavaScript grows it
        uint64_t index = pieceBase + ordinal;
        bool plain = !sampledRecord(index);
        if (plain && canaryField >= 0) {
          long s = scanner.fieldAt[2 * canaryField], e = scanner.fieldAt[2 * canaryField + 1];
          if (s >= 0) {
            // Only an unescaped string that differs from the mark is surely not the canary.
            size_t vs = static_cast<size_t>(s) + 1, ve = static_cast<size_t>(e) - 1;
            plain = b[s] == '"' && !(canaryField < 64 ? (scanner.escapedFields >> canaryField) & 1 : memchr(b + vs, '\\', ve - vs) != nullptr) &&
                    (ve - vs != canaryLength || !sameBytes(reinterpret_cast<const char*>(canary), b + vs, canaryLength));
          }
        }
        bool anonymised = false;
        if (plain && ipField >= 0) {
          anonymised = (facts & ipFact) != 0;
          plain = anonymised || scanner.fieldAt[2 * ipField] < 0;
        }
        if (plain && !std::isnan(time)) plain = time >= fromMs && time < toMs;
        if (uuidId) {
          memcpy(idList + idCount * 16, uuid, 16);
          idIndexes[idCount] = static_cast<uint32_t>(index);
          idSlot = static_cast<int32_t>(idCount++);
        }
        if (plain) {
          if (!std::isnan(time)) {
            double ms = arrival - time;
            double minute = ms <= 0 ? 0 : std::floor(ms / 60000);
            lag[minute < static_cast<double>(lagLength - 1) ? static_cast<size_t>(minute) : lagLength - 1]++;
            if (ms > lagMax) lagMax = ms;
          }
          if (anonymised) ipSeen++;
          absorbed++;
          sinceReported++;
          ordinal++;
          start = end + 1;
          continue;
        }
      }
    }
    int32_t* line = lines + written * perLine;
    line[0] = static_cast<int32_t>(start);
    line[1] = static_cast<int32_t>(end);
    line[2] = status;
    line[3] = proven ? static_cast<int32_t>(idStart) : -1;
    line[4] = proven ? static_cast<int32_t>(idEnd) : -1;
    line[5] = facts;
    line[6] = static_cast<int32_t>(sinceReported);
    line[7] = idSlot;
    for (size_t f = 0; f < scanner.fieldAt.size(); f++) line[8 + f] = proven ? static_cast<int32_t>(scanner.fieldAt[f]) : -1;
    if (facts & FACT_ID_UUID) memcpy(ids + written * 16, uuid, 16);
    times[written] = proven ? time : NaN;
    written++;
    sinceReported = 0;
    ordinal++;
    start = end + 1;
  }
  state[S_ID_COUNT] = static_cast<double>(idCount);
  state[S_LAG_MAX] = lagMax;
  state[S_ABSORBED] = static_cast<double>(absorbed);
  state[S_IP_SEEN] = static_cast<double>(ipSeen);
  state[S_TAIL] = static_cast<double>(sinceReported);
  state[S_NEXT] = static_cast<double>(start);
  state[S_DONE] = start >= textLength ? 1 : 0;
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(written), &result);
  return result;
}

// testPattern(code: Int32Array, text: Uint8Array) -> whether the automaton matches the UTF-8 text
// (for the tests that hold it equal to its JavaScript twin and to the RegExp).
napi_value TestPattern(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void *codeData, *textData;
  size_t codeLength, textLength;
  napi_get_typedarray_info(env, argv[0], nullptr, &codeLength, &codeData, nullptr, nullptr);
  napi_get_typedarray_info(env, argv[1], nullptr, &textLength, &textData, nullptr, nullptr);
  std::vector<int32_t> code(static_cast<int32_t*>(codeData), static_cast<int32_t*>(codeData) + codeLength);
  PatternMatcher matcher;
  bool matched = matcher.matches(code, static_cast<const uint8_t*>(textData), 0, textLength);
  napi_value result;
  napi_get_boolean(env, matched, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value version;
  napi_create_int32(env, PROGRAM_VERSION, &version);
  napi_property_descriptor methods[] = {
      {"compile", nullptr, Compile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scan", nullptr, Scan, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"testPattern", nullptr, TestPattern, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"programVersion", nullptr, nullptr, nullptr, nullptr, version, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, 4, methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

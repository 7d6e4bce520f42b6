{
  "targets": [
    {
      "target_name": "fast_gunzip",
      "sources": ["fast_gunzip.cc"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "conditions": [
        ["'<!(test -f /usr/include/libdeflate.h && echo 1 || echo 0)' == '1'", {"defines": ["PIXEL_LIBDEFLATE"], "libraries": ["-ldeflate"]}],
        ["'<!(test -f /usr/include/isa-l/igzip_lib.h && echo 1 || echo 0)' == '1'", {"defines": ["PIXEL_ISAL"], "libraries": ["-lisal"]}]
      ]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "fast_scan",
      "sources": ["fast_scan.cc"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}

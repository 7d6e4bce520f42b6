{
  "targets": [
    {
      "target_name": "id_table",
      "sources": ["id_table.cc"],
      "cflags_cc": ["-O3", "-std=c++17"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "rtp_forwarder",
      "sources": ["native/rtp-forwarder.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}

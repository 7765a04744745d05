"""A stand-in for the `sglang` package in the tests of `exec --retry-on-oom`: see launch_server.py."""
__version__ = "0.5.1"

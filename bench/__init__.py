"""Benchmarks: the proxy against what users would run instead, each figure against its target."""

"""Fixtures of the integration tests: every store backend (see tests/support/store_backends)."""

from __future__ import annotations

from tests.support.store_backends import down_store, redis_cluster_url, store

__all__ = ["down_store", "redis_cluster_url", "store"]

"""Orchestration between routers, the store and the upstream client."""

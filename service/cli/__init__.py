"""`netflix-proxy`, the console script: serve, emulator, demo, openapi, check, export-index."""

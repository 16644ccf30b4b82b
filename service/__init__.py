"""netflix-proxy: a JSON REST proxy in front of the Netflix public API v1.

Build the application with `service.app.create_app` (for example
`uvicorn --factory service.app:create_app`); importing this package does nothing else.
"""

from __future__ import annotations

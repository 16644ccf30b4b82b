"""An emulator of the retired Netflix public REST API v1 (XML, OAuth 1.0a).

It is the upstream for the proxy's tests, benchmarks and demo, built to the documented
contract and to recorded responses. `create_emulator` builds an app; `python -m emulator`
serves one.
"""

from __future__ import annotations

from emulator.app import create_emulator
from emulator.config import EmulatorConfig

__all__ = ["EmulatorConfig", "create_emulator"]

"""Everything the service keeps in Redis (or the embedded store).

`keys` builds every key; `redis` makes the client; `cache` holds catalog responses;
`sessions` sessions and pending sign-ins; `crypto` encrypts secrets at rest; `etags` and
`locks` serve queue writes; `budget` (over `reservations`, one Lua script) holds every replica
together to the upstream's call limits.
"""

from __future__ import annotations

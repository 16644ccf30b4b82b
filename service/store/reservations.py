"""Reserve one call in several budgets at once: a sliding-window log and a daily counter each.

The Lua script below is the only writer of budget keys. Per budget it keeps

* a Redis list of reservation times (Redis `TIME`, seconds), appended in increasing order;
* a hash `{day, n}`: how many calls were reserved on that UTC day.

A reservation is the time `at` the caller may send its call. With times appended in order, a
new time keeps "at most `limit` reservations in any window of `window_s`" exactly when it is at
least `window_s` after the `limit`-th latest one, so each budget's earliest time is
`max(now, log[-limit] + window_s, log[-1])` and the call gets the latest earliest time of all
its budgets. Scripts run one at a time, so reservations are handed out first come, first
served, whatever the number of replicas; a later caller never gets an earlier time.

When `at - now` exceeds the caller's longest wait, or a budget's daily count is spent (days
are UTC days of `at`, as the upstream counts them), nothing is written and the call is refused
with the time after which asking again can succeed. Lists keep only what a future decision can
need (the last `limit` times still inside the window) and expire when idle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from service.store.keys import BudgetKeys
from service.store.redis import RedisLike

DAY_S = 86_400

# One run reserves one call or several, in the order given, as that many runs back to back
# would. KEYS: log and day counter of each budget of each reservation, in pairs. ARGV: the
# number of reservations, then per reservation: its number of budgets, max_wait, then per
# budget: limit, window_s, per_day (0: no cap). Returns one reply per reservation: {taken
# (1/0), wait or retry_after, refused_by, now, at, then per budget: in_window,
# oldest_in_window, day_count, day_end}.
_RESERVE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) + tonumber(now_t[2]) / 1000000

local function reserve(K, A, max_wait)
  local n = #K / 2
  local at = now
  for i = 1, n do
    local log = K[2 * i - 1]
    local limit = tonumber(A[3 * i - 2])
    local window = tonumber(A[3 * i - 1])
    while true do
      local head = redis.call('LINDEX', log, 0)
      if not head or tonumber(head) > now - window then break end
      redis.call('LPOP', log)
    end
    local size = redis.call('LLEN', log)
    if size >= limit then
      at = math.max(at, tonumber(redis.call('LINDEX', log, size - limit)) + window)
    end
    if size > 0 then
      at = math.max(at, tonumber(redis.call('LINDEX', log, -1)))
    end
  end
  local day = math.floor(at / 86400)
  local day_end = (day + 1) * 86400
  local counts = {}
  local refused = ''
  local retry = 0
  for i = 1, n do
    local per_day = tonumber(A[3 * i])
    local stored = redis.call('HMGET', K[2 * i], 'day', 'n')
    local count = 0
    if tonumber(stored[1]) == day then count = tonumber(stored[2]) end
    counts[i] = count
    if per_day > 0 and count >= per_day then
      refused = 'day'
      retry = math.max(retry, day_end - now)
    end
  end
  if refused == '' and at - now > max_wait then
    refused = 'window'
    retry = at - now
  end
  local out = {refused == '' and 1 or 0, '', refused, string.format('%.6f', now),
    string.format('%.6f', at)}
  if refused == '' then out[2] = string.format('%.6f', at - now) else
    out[2] = string.format('%.6f', retry) end
  for i = 1, n do
    local log, counter = K[2 * i - 1], K[2 * i]
    local limit = tonumber(A[3 * i - 2])
    local window = tonumber(A[3 * i - 1])
    if refused == '' then
      redis.call('RPUSH', log, string.format('%.6f', at))
      redis.call('LTRIM', log, -limit, -1)
      redis.call('PEXPIRE', log, math.ceil((at - now + window) * 1000) + 1000)
      counts[i] = counts[i] + 1
      redis.call('HSET', counter, 'day', day, 'n', counts[i])
      redis.call('PEXPIRE', counter, math.ceil((day_end - now) * 1000) + 60000)
    end
    local size = redis.call('LLEN', log)
    local oldest = ''
    if size > 0 then oldest = redis.call('LINDEX', log, 0) end
    table.insert(out, tostring(size))
    table.insert(out, oldest)
    table.insert(out, tostring(counts[i]))
    table.insert(out, tostring(day_end))
  end
  return out
end

local replies = {}
local k, a = 1, 2
for r = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  local max_wait = tonumber(ARGV[a + 1])
  a = a + 2
  local K, A = {}, {}
  for i = 1, 2 * n do K[i] = KEYS[k]; k = k + 1 end
  for i = 1, 3 * n do A[i] = ARGV[a]; a = a + 1 end
  replies[r] = reserve(K, A, max_wait)
end
return replies
"""


@dataclass(frozen=True, slots=True)
class Budget:
    """One budget a call spends: `limit` calls in any `window_s`, `per_day` a UTC day (0: none).

    `policy` names it in the `RateLimit` headers; `advertised_window_s` is the window those
    headers announce (the upstream's, without the safety margin).
    """

    policy: str
    keys: BudgetKeys
    limit: int
    window_s: float
    advertised_window_s: int
    per_day: int = 0


@dataclass(frozen=True, slots=True)
class BudgetState:
    """A budget right after a reservation (or a refusal): what is left and when it frees."""

    budget: Budget
    remaining: int
    reset_s: float
    day_remaining: int | None
    day_reset_s: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the script decided: wait `wait_s` before sending, or (refused) retry after it."""

    taken: bool
    wait_s: float
    refused_by: str  # "" when taken, "window" or "day"
    at: float  # the reserved time (Redis clock), or the earliest window time when refused
    states: tuple[BudgetState, ...]


async def reserve(redis: RedisLike, budgets: Sequence[Budget], *, max_wait_s: float) -> Outcome:
    """Run the script over `budgets` (all keys in one slot); raises what the client raises."""
    (outcome,) = await reserve_many(redis, [(budgets, max_wait_s)])
    return outcome


Reservation = tuple[Sequence[Budget], float]  # the budgets of one call, and its longest wait


async def reserve_many(redis: RedisLike, reservations: Sequence[Reservation]) -> list[Outcome]:
    """Reserve several calls in one script run, in order, as that many `reserve` calls one
    after the other would (all keys in one slot): one round trip instead of several."""
    args: list[float | int] = [len(reservations)]
    names: list[str] = []
    for budgets, max_wait_s in reservations:
        args += [len(budgets), max_wait_s]
        for budget in budgets:
            args += [budget.limit, budget.window_s, budget.per_day]
            names += [budget.keys.log, budget.keys.day]
    script = redis.register_script(_RESERVE)
    replies = await script(keys=names, args=args)
    return [
        _outcome(budgets, [_text(part) for part in reply])
        for (budgets, _), reply in zip(reservations, replies, strict=True)
    ]


def _text(part: object) -> str:
    return part.decode() if isinstance(part, bytes) else str(part)


def _outcome(budgets: Sequence[Budget], reply: Sequence[str]) -> Outcome:
    now = float(reply[3])
    states: list[BudgetState] = []
    for index, budget in enumerate(budgets):
        size, oldest, day_count, day_end = reply[5 + 4 * index : 9 + 4 * index]
        reset = max(0.0, float(oldest) + budget.window_s - now) if oldest else 0.0
        states.append(
            BudgetState(
                budget=budget,
                remaining=max(0, budget.limit - int(size)),
                reset_s=reset,
                day_remaining=max(0, budget.per_day - int(day_count)) if budget.per_day else None,
                day_reset_s=max(0.0, float(day_end) - now),
            )
        )
    return Outcome(
        taken=bool(int(reply[0])),
        wait_s=float(reply[1]),
        refused_by=reply[2],
        at=float(reply[4]),
        states=tuple(states),
    )


def whole_seconds(seconds: float) -> int:
    """Seconds as headers carry them: a whole number, rounded up."""
    return max(0, math.ceil(seconds - 1e-6))

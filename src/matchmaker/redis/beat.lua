-- A process's heartbeat, and the sweeper that every live process runs.
-- ARGV[5] mode: 'register' (join, or stay), 'beat' (stay; says 'lost' when
-- this process is no longer registered), 'leave' (shutting down) or 'stats'
-- (only count); ARGV[6] the caller's open sockets; ARGV[7] visitors to sweep
-- at most. Returns { status, online, waiting, live processes, the caller's
-- waiting visitors, 1 if more is left to sweep }.
local mode, online, budget = ARGV[5], ARGV[6], tonumber(ARGV[7])
local procs, dead = P .. 'procs', P .. 'dead'

-- Nobody beat for a whole TTL: Redis was away (or is new). Give every process
-- one TTL to come back before anyone is swept.
local function outage()
  local last = redis.call('GET', P .. 'lastbeat')
  if not last or NOW - tonumber(last) > PRESENCE_TTL then
    redis.call('SET', P .. 'grace', '1', 'PX', PRESENCE_TTL)
    grace = true
  end
  redis.call('SET', P .. 'lastbeat', NOW, 'PX', VISITOR_TTL)
end

-- Keeps the caller alive; false when it is no longer registered (swept, or
-- Redis lost everything) and the mode does not ask to join.
local function presence()
  if mode == 'leave' then
    redis.call('ZREM', procs, CALLER)
    redis.call('SADD', dead, CALLER)
    return true
  end
  if not redis.call('ZSCORE', procs, CALLER) then
    if mode ~= 'register' then return false end
    redis.call('HSET', pkey(CALLER), 'w', 0, 's', 0)
  end
  redis.call('ZADD', procs, NOW, CALLER)
  redis.call('HSET', pkey(CALLER), 'o', online)
  for _, key in ipairs({ procs, pkey(CALLER), mkey(CALLER) }) do redis.call('PEXPIRE', key, VISITOR_TTL) end
  -- Numbered like any message: a gap before it shows the caller missed one.
  send(CALLER, { 'k' })
  liveness[CALLER] = true
  return true
end

-- Processes whose beat is older than the TTL are dead: their visitors leave
-- the queues and their partners are told, `budget` visitors per beat at most.
-- Returns 1 when more is left.
local function sweep()
  if grace == nil then grace = redis.call('EXISTS', P .. 'grace') == 1 end
  if not grace then
    for _, proc in ipairs(redis.call('ZRANGEBYSCORE', procs, '-inf', '(' .. (NOW - PRESENCE_TTL))) do
      redis.call('ZREM', procs, proc)
      redis.call('SADD', dead, proc)
    end
  end
  local buried = redis.call('SMEMBERS', dead)
  -- Kept VISITOR_TTL after the last beat that found it (every beat that adds
  -- to it does): by then a dead process's own keys, refreshed by its beats
  -- until it died, have expired, and nothing would be left to sweep.
  if #buried > 0 then redis.call('PEXPIRE', dead, VISITOR_TTL) end
  for _, proc in ipairs(buried) do
    if budget <= 0 then break end
    local ids = redis.call('SPOP', mkey(proc), budget)
    budget = budget - #ids
    for _, id in ipairs(ids) do
      local v = load(id)
      -- A visitor that reconnected to another process belongs to that one now.
      if v and v.p == proc then
        release(v, 'disconnect')
        depart(v)
      end
    end
    if redis.call('SCARD', mkey(proc)) == 0 then
      redis.call('SREM', dead, proc)
      redis.call('DEL', pkey(proc))
    end
  end
  return (budget <= 0 and redis.call('SCARD', dead) > 0) and 1 or 0
end

local status, more = 'ok', 0
if mode ~= 'stats' then
  outage()
  if not presence() then return { 'lost', 0, 0, 0, 0, 0 } end
  more = sweep()
end

local total_online, total_waiting, processes, here = 0, 0, 0, 0
for _, proc in ipairs(redis.call('ZRANGE', procs, 0, -1)) do
  if alive(proc) then
    local f = redis.call('HMGET', pkey(proc), 'o', 'w')
    total_online = total_online + (tonumber(f[1]) or 0)
    total_waiting = total_waiting + (tonumber(f[2]) or 0)
    processes = processes + 1
    if proc == CALLER then here = tonumber(f[2]) or 0 end
  end
end
flush()
return { status, total_online, total_waiting, processes, here, more }

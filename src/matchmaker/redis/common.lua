-- The matchmaking rules of src/matchmaker/core.ts over Redis keys, shared by
-- every script (scripts.ts puts this in front of each). A script runs
-- atomically, so each command sees and leaves a consistent pool.
--
-- ARGV[1] key prefix, ARGV[2] visitor TTL (ms), ARGV[3] presence TTL (ms),
-- ARGV[4] the calling process; the rest belongs to the script.
--
-- Keys (P = prefix):
--   P v:<id>    string "p q r l s": the process holding the visitor's socket,
--                     its pool ('' idle), partner ('' none), last partner, and
--                     since (caller's clock); ids, pools and process ids never
--                     hold a space. One string, not a hash: one call to read,
--                     one to write with its expiry, and fewer bytes (bench).
--   P q:<pool>  zset  waiting visitors, scored by P order: oldest first
--   P m:<proc>  set   a process's visitors, for the sweeper
--   P pi:<proc> hash  o online sockets, w waiting visitors, s last message number
--   P procs     zset  live processes, scored by their last beat (Redis's clock)
--   P dead      set   processes being swept
--   P ch:<proc> channel: [message number, items] to one process
-- Everything expires: a visitor, queue or process key VISITOR_TTL after it was
-- last written; a process's keys are refreshed by its beat.

local P = ARGV[1]
local VISITOR_TTL = tonumber(ARGV[2])
local PRESENCE_TTL = tonumber(ARGV[3])
local CALLER = ARGV[4]

local clock = redis.call('TIME')
local NOW = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- Visitors read during this script, written back once by flush().
local cache, dirty, gone = {}, {}, {}
-- Changes to each process's waiting count, and queues written, applied once by flush().
local counts, queues = {}, {}
local order = nil
-- Items for each process, published by flush() as one message per process.
local outbox = {}
-- Events of the command being run, returned to the caller.
local current = {}
local liveness = {}
local grace = nil

local function vkey(id) return P .. 'v:' .. id end
local function qkey(pool) return P .. 'q:' .. pool end
local function mkey(proc) return P .. 'm:' .. proc end
local function pkey(proc) return P .. 'pi:' .. proc end

local function load(id)
  local v = cache[id]
  if v ~= nil then return v or nil end
  local packed = redis.call('GET', vkey(id))
  local p, q, r, l, s
  if packed then p, q, r, l, s = string.match(packed, '^(%S+) (%S*) (%S*) (%S*) (%S*)$') end
  if not p then
    cache[id] = false
    return nil
  end
  v = { id = id, p = p, q = q, r = r, l = l, s = s }
  cache[id] = v
  return v
end

local function save(v) dirty[v.id] = true end

local function create(id, proc)
  local v = { id = id, p = proc, q = '', r = '', l = '', s = '0' }
  cache[id] = v
  gone[id] = nil
  save(v)
  redis.call('SADD', mkey(proc), id)
  return v
end

-- Forgets a visitor (it disconnected, or its process died).
local function forget(v)
  cache[v.id] = false
  dirty[v.id] = nil
  gone[v.id] = true
  redis.call('SREM', mkey(v.p), v.id)
end

-- A process's count of waiting visitors (kept only while the process is known: see flush).
local function count(proc, delta)
  counts[proc] = (counts[proc] or 0) + delta
end

local function waiting(v) return v.q ~= '' and v.r == '' end

local function enqueue(v, pool)
  v.q = pool
  save(v)
  local key = qkey(pool)
  -- Queue scores come from one counter, read once and written back by flush().
  if not order then order = tonumber(redis.call('GET', P .. 'order') or '0') end
  order = order + 1
  redis.call('ZADD', key, order, v.id)
  queues[key] = true
  count(v.p, 1)
end

local function unqueue(v)
  if not waiting(v) then return end
  redis.call('ZREM', qkey(v.q), v.id)
  count(v.p, -1)
end

-- The visitor's socket is on `proc` now (a reconnect may land on another process).
local function own(v, proc)
  if v.p == proc then return end
  if waiting(v) then
    count(v.p, -1)
    count(proc, 1)
  end
  redis.call('SREM', mkey(v.p), v.id)
  redis.call('SADD', mkey(proc), v.id)
  v.p = proc
  save(v)
end

-- A process is alive while its last beat is younger than PRESENCE_TTL; right
-- after an outage (nobody could beat) every process gets one TTL to come back.
local function alive(proc)
  local known = liveness[proc]
  if known ~= nil then return known end
  local beat = redis.call('ZSCORE', P .. 'procs', proc)
  if not beat then
    known = false
  elseif tonumber(beat) >= NOW - PRESENCE_TTL then
    known = true
  else
    if grace == nil then grace = redis.call('EXISTS', P .. 'grace') == 1 end
    known = grace
  end
  liveness[proc] = known
  return known
end

local function send(proc, item)
  local box = outbox[proc]
  if not box then
    box = {}
    outbox[proc] = box
  end
  box[#box + 1] = item
end

-- An event for visitor v, to the process holding it and to the caller's result.
local function event(v, item)
  send(v.p, item)
  current[#current + 1] = item
end

-- Takes `me` out of its queue or its pair; the partner is told why.
local function release(me, reason)
  if me.r ~= '' then
    local partner = load(me.r)
    if partner and partner.r == me.id then
      partner.r = ''
      partner.q = ''
      partner.l = me.id
      save(partner)
      event(partner, { 'l', partner.id, me.id, reason })
    end
    me.l = me.r
    me.r = ''
  elseif me.q ~= '' then
    unqueue(me)
  end
  me.q = ''
  save(me)
end

-- THE place where rules choose a partner: may `me` be paired with `v`, who
-- waits in the same pool on a live process? Rules that look only at the two
-- visitors go here; each reads what it needs with load() or redis.call.
local function acceptable(me, v)
  -- Next means another stranger: never straight back to the last partner.
  return v.id ~= me.l
end

-- Visitors looked at per FIND before giving up and waiting (bounds the script).
local SCAN_LIMIT = 200

-- The oldest acceptable visitor waiting in `pool`, or nil.
local function pick(me, pool)
  local key = qkey(pool)
  local offset, seen = 0, 0
  while seen < SCAN_LIMIT do
    local ids = redis.call('ZRANGE', key, offset, offset + 15)
    if #ids == 0 then return nil end
    for _, id in ipairs(ids) do
      seen = seen + 1
      local v = load(id)
      if not v or v.q ~= pool or v.r ~= '' then
        -- Its visitor expired; the entry is all that is left.
        redis.call('ZREM', key, id)
      elseif alive(v.p) and acceptable(me, v) then
        return v
      else
        -- Passed over: its process may be dead (the sweeper will take it
        -- out of the queue and tell its partner) or a rule says no.
        offset = offset + 1
      end
    end
  end
  return nil
end

local function find(id, pool, since)
  local me = load(id)
  if me then own(me, CALLER) else me = create(id, CALLER) end
  -- Asking again while waiting keeps one's place in the queue.
  if me.q == pool and me.r == '' then
    event(me, { 'w', id, pool })
    return
  end
  release(me, 'next')
  local partner = pick(me, pool)
  if partner then
    unqueue(partner)
    me.q = pool
    partner.q = pool
    me.r = partner.id
    partner.r = me.id
    save(partner)
    event(me, { 'm', me.id, partner.id, 'caller', pool })
    event(partner, { 'm', partner.id, me.id, 'callee', pool })
  else
    me.s = since
    enqueue(me, pool)
    event(me, { 'w', id, pool })
  end
end

local function stop(id)
  local me = load(id)
  if not me then return end
  own(me, CALLER)
  release(me, 'stop')
end

local function disconnect(id)
  local me = load(id)
  -- A reconnect on another process owns the visitor now: its old socket's
  -- disconnect, arriving late, must not undo the new one's place.
  if not me or me.p ~= CALLER then return end
  release(me, 'disconnect')
  forget(me)
end

-- Writes back what changed and sends each process its items, numbered so a
-- process can tell when it missed a message (its subscription dropped).
local function flush()
  for id in pairs(dirty) do
    local v = cache[id]
    redis.call('SET', vkey(id), v.p .. ' ' .. v.q .. ' ' .. v.r .. ' ' .. v.l .. ' ' .. v.s, 'PX', VISITOR_TTL)
  end
  for id in pairs(gone) do redis.call('DEL', vkey(id)) end
  for key in pairs(queues) do redis.call('PEXPIRE', key, VISITOR_TTL) end
  if order then redis.call('SET', P .. 'order', order, 'PX', VISITOR_TTL) end
  for proc, delta in pairs(counts) do
    if delta ~= 0 and redis.call('EXISTS', pkey(proc)) == 1 then redis.call('HINCRBY', pkey(proc), 'w', delta) end
  end
  for proc, items in pairs(outbox) do
    if redis.call('EXISTS', pkey(proc)) == 1 then
      local number = redis.call('HINCRBY', pkey(proc), 's', 1)
      redis.call('PUBLISH', P .. 'ch:' .. proc, cjson.encode({ number, items }))
    end
  end
end

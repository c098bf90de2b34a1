-- What every script of the Redis store shares (scripts.ts puts this, then
-- rules.lua, in front of each): visitors, processes, events and the write-back.
-- A script runs atomically, so each command sees and leaves a consistent pool.
--
-- ARGV[1] key prefix, ARGV[2] visitor TTL (ms), ARGV[3] presence TTL (ms),
-- ARGV[4] the calling process; the rest belongs to the script.
--
-- Keys (P = prefix):
--   P v:<id>    string "p q r l s n o m a w": the process holding the visitor's
--                     socket, its pool ('' idle), partner ('' none), last
--                     partner, since (caller's clock), its place in the queue
--                     (P order when it was queued), '1' when it accepts anyone,
--                     recent strangers "id@at,…" oldest first, its address
--                     key ('' unknown; for the report rule), and its wish
--                     beyond the pool (rules.lua; '' for a bare FIND, the
--                     only field that may hold spaces). One string, not a
--                     hash: one call to read, one to write with its expiry,
--                     and fewer bytes (bench).
--   P g:<group> hash  class ("gender lookingFor") → visitors waiting in it
--   P x:<group>|<class>|<index>  zset  waiting visitors by P order (rules.lua)
--   P pend      zset  visitors still holding out for a shared tag, by P order
--   P k:<kind>:<key>  hash  address keys (kind a) or ids (i) a report keeps
--                     <key> apart from → until when (caller's clock)
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
-- Changes to each process's waiting count, and keys given a fresh expiry
-- (queues, and a process's set of visitors, which its beat refreshes too), applied once by flush().
local counts, queues = {}, {}
local order = nil
-- Items for each process, published by flush() as one message per process.
local outbox = {}
-- Events of the command being run, returned to the caller.
local current = {}
local liveness = {}
local grace = nil

local function vkey(id) return P .. 'v:' .. id end
local function mkey(proc) return P .. 'm:' .. proc end
local function pkey(proc) return P .. 'pi:' .. proc end

local function load(id)
  local v = cache[id]
  if v ~= nil then return v or nil end
  local packed = redis.call('GET', vkey(id))
  local p, q, r, l, s, n, o, m, a, w
  if packed then
    p, q, r, l, s, n, o, m, a, w = string.match(packed, '^(%S+) (%S*) (%S*) (%S*) (%S*) (%S*) (%S*) (%S*) (%S*) (.*)$')
  end
  if not p then
    cache[id] = false
    return nil
  end
  v = { id = id, p = p, q = q, r = r, l = l, s = s, n = n, o = o, m = m, a = a, w = w }
  cache[id] = v
  return v
end

local function save(v) dirty[v.id] = true end

local function create(id, proc)
  local v = { id = id, p = proc, q = '', r = '', l = '', s = '0', n = '', o = '', m = '', a = '', w = '' }
  cache[id] = v
  gone[id] = nil
  save(v)
  redis.call('SADD', mkey(proc), id)
  queues[mkey(proc)] = true
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

-- Recent strangers as stored: "id@at,id@at", oldest first.
local function encode_met(met)
  local parts = {}
  for i, m in ipairs(met) do parts[i] = m.id .. '@' .. m.at end
  return table.concat(parts, ',')
end

local function waiting(v) return v.q ~= '' and v.r == '' end

-- The visitor's socket is on `proc` now (a reconnect may land on another process).
local function own(v, proc)
  if v.p == proc then return end
  if waiting(v) then
    count(v.p, -1)
    count(proc, 1)
  end
  redis.call('SREM', mkey(v.p), v.id)
  redis.call('SADD', mkey(proc), v.id)
  queues[mkey(proc)] = true
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

-- Writes back what changed and sends each process its items, numbered so a
-- process can tell when it missed a message (its subscription dropped).
local function flush()
  for id in pairs(dirty) do
    local v = cache[id]
    if v.met then v.m = encode_met(v.met) end
    redis.call('SET', vkey(id), table.concat({ v.p, v.q, v.r, v.l, v.s, v.n, v.o, v.m, v.a, v.w }, ' '), 'PX', VISITOR_TTL)
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

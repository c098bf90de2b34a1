-- The matchmaking rules of src/matchmaker/core.ts, queue.ts and rules.ts over
-- Redis keys (common.lua's records), for every script after common.lua. Same
-- order of preference, same indexes, so the conformance suite's model holds
-- both stores to one behaviour:
--   hard      itself, the last partner, two kept apart by a report (their
--             address keys, or behind one address their ids); both sides'
--             declarations; the group (a pool, text-only apart); never a
--             visitor of a dead process
--   patience  a visitor with a language or interests takes only someone who
--             shares one until its wait is over (tick), then anyone
--   ranking   not met recently, then tier 1 same language and an interest,
--             2 same language, 3 an interest, 4 anyone; the oldest within
--
-- A wish beyond its pool is stored as the JSON array the store writes
-- (store.ts encodeWish): [textOnly 0|1, language|"", gender|"", lookingFor|"", interest…].

-- Set by the commands script (configure); the sweeper needs none of them.
local WAIT, RECENT_COUNT, RECENT_MS = 0, 0, 0
local function configure(wait, count, ms)
  WAIT, RECENT_COUNT, RECENT_MS = wait, count, ms
end

-- Candidates looked at per choice before giving up and waiting (bounds the script):
-- the rules skip at most the last partner and RECENT_COUNT strangers per index.
local SCAN_LIMIT = 400

local function decode_wish(w, pool)
  if w == '' then return { pool = pool, text = false, interests = {} } end
  local a = cjson.decode(w)
  local wish = { pool = pool, text = a[1] == 1, interests = {} }
  if a[2] ~= '' then wish.lang = a[2] end
  if a[3] ~= '' then wish.gender, wish.looking = a[3], a[4] end
  for i = 5, #a do wish.interests[#wish.interests + 1] = a[i] end
  return wish
end

local function wish_of(v)
  if not v.wish then v.wish = decode_wish(v.w, v.q) end
  return v.wish
end

local function group_of(wish) return wish.text and (wish.pool .. ' text') or wish.pool end
local function class_of(wish) return (wish.gender or 'unsaid') .. ' ' .. (wish.looking or 'anyone') end
local function tagged(wish) return wish.lang ~= nil or #wish.interests > 0 end
local function gkey(group) return P .. 'g:' .. group end
local function ikey(group, class, index) return P .. 'x:' .. group .. '|' .. class .. '|' .. index end
local PENDING = P .. 'pend'

local function tags_of(wish)
  local tags = {}
  for _, tag in ipairs(wish.interests) do tags[#tags + 1] = 't i ' .. tag end
  if wish.lang then
    tags[#tags + 1] = 't l ' .. wish.lang
    for _, tag in ipairs(wish.interests) do tags[#tags + 1] = 't b ' .. wish.lang .. ' ' .. tag end
  end
  return tags
end

-- Where a chooser looks, best first (tier 4, anyone, is choose's own).
local function tiers_of(wish)
  local both, lang, interest = {}, {}, {}
  for _, tag in ipairs(wish.interests) do
    interest[#interest + 1] = 't i ' .. tag
    if wish.lang then both[#both + 1] = 't b ' .. wish.lang .. ' ' .. tag end
  end
  if wish.lang then lang[1] = 't l ' .. wish.lang end
  return { both, lang, interest }
end

local function admits(looking, gender)
  return looking == 'anyone' or (looking == 'women' and gender == 'woman') or (looking == 'men' and gender == 'man')
    or (looking == 'other' and gender == 'other')
end

local function met_of(v)
  if not v.met then
    v.met = {}
    for id, at in string.gmatch(v.m, '([^,@]+)@([^,]+)') do v.met[#v.met + 1] = { id = id, at = tonumber(at) } end
  end
  return v.met
end

local function drop(v, id)
  local met = met_of(v)
  for i, m in ipairs(met) do
    if m.id == id then
      table.remove(met, i)
      save(v)
      return
    end
  end
end

-- Each remembers its last RECENT_COUNT strangers; when one forgets the other, both do.
local function remember(a, b, now)
  drop(a, b.id)
  drop(b, a.id)
  for _, pair in ipairs({ { a, b }, { b, a } }) do
    local met = met_of(pair[1])
    met[#met + 1] = { id = pair[2].id, at = now }
  end
  for _, v in ipairs({ a, b }) do
    local met = met_of(v)
    while #met > RECENT_COUNT do
      local oldest = table.remove(met, 1)
      local other = load(oldest.id)
      if other then drop(other, v.id) end
    end
    save(v)
  end
end

-- Reports: blocks are kept both ways, in a hash per address key (kind 'a') and per id ('i').
local function bkey(kind, key) return P .. 'k:' .. kind .. ':' .. key end

-- Visitors at addresses (or with ids) a and b are not paired until `ends`;
-- expired blocks are dropped as a key's hash is written (a report is rate-limited).
local function block(a, b, ends, now)
  for _, pair in ipairs({ { a, b }, { b, a } }) do
    local key = bkey('x', pair[1])
    local flat = redis.call('HGETALL', key)
    local last = ends
    for i = 1, #flat, 2 do
      local ends = tonumber(flat[i + 1])
      if ends <= now then redis.call('HDEL', key, flat[i]) elseif ends > last then last = ends end
    end
    redis.call('HSET', key, pair[2], ends)
    -- A key lives as long as its last block (caller's clock, close enough to
    -- Redis's), and a visitor's TTL more: expiry is the value's to say.
    redis.call('PEXPIRE', key, math.max(0, last - now) + VISITOR_TTL)
  end
end

-- What keeps `me` apart from others, read once per choice: key → until.
local function blocks_of(me)
  if me.blocks then return me.blocks end
  me.blocks = { a = {}, i = {} }
  for _, kind in ipairs({ 'a', 'i' }) do
    local key = kind == 'a' and me.a or me.id
    if key ~= '' then
      local flat = redis.call('HGETALL', bkey('x', key))
      for i = 1, #flat, 2 do me.blocks[kind][flat[i]] = tonumber(flat[i + 1]) end
    end
  end
  return me.blocks
end

local function reported(me, v, now)
  local blocks = blocks_of(me)
  return (me.a ~= '' and v.a ~= '' and (blocks.a[v.a] or 0) > now) or (blocks.i[v.id] or 0) > now
end

local function recent(me, v, now)
  for _, m in ipairs(met_of(me)) do
    if m.id == v.id then return now - m.at < RECENT_MS end
  end
  return false
end

local function zadd(key, score, id)
  redis.call('ZADD', key, score, id)
  queues[key] = true
end

-- Files a visitor that starts waiting now (its wish and `o` already set).
local function enqueue(v, now)
  local wish = wish_of(v)
  local group, class = group_of(wish), class_of(wish)
  redis.call('HINCRBY', gkey(group), class, 1)
  queues[gkey(group)] = true
  -- Queue places come from one counter, read once and written back by flush().
  if not order then order = tonumber(redis.call('GET', P .. 'order') or '0') end
  order = order + 1
  v.q, v.s, v.n = wish.pool, tostring(now), tostring(order)
  save(v)
  count(v.p, 1)
  if not tagged(wish) then return zadd(ikey(group, class, 'u'), order, v.id) end
  for _, tag in ipairs(tags_of(wish)) do zadd(ikey(group, class, tag), order, v.id) end
  if v.o == '1' then zadd(ikey(group, class, 'e'), order, v.id) else zadd(PENDING, order, v.id) end
end

-- Takes a waiting visitor out of every index; a no-op for one not waiting.
local function unqueue(v)
  if not waiting(v) then return end
  local wish = wish_of(v)
  local group, class = group_of(wish), class_of(wish)
  if not tagged(wish) then
    redis.call('ZREM', ikey(group, class, 'u'), v.id)
  else
    for _, tag in ipairs(tags_of(wish)) do redis.call('ZREM', ikey(group, class, tag), v.id) end
    if v.o == '1' then redis.call('ZREM', ikey(group, class, 'e'), v.id) else redis.call('ZREM', PENDING, v.id) end
  end
  if redis.call('HINCRBY', gkey(group), class, -1) <= 0 then redis.call('HDEL', gkey(group), class) end
  count(v.p, -1)
  v.n = ''
  save(v)
end

-- Its wait is over: from now on it accepts anyone, and anyone open may take it.
local function open_up(v)
  local wish = wish_of(v)
  redis.call('ZREM', PENDING, v.id)
  v.o = '1'
  save(v)
  zadd(ikey(group_of(wish), class_of(wish), 'e'), tonumber(v.n), v.id)
end

local function older(a, b)
  if a and (not b or tonumber(a.n) < tonumber(b.n)) then return a end
  return b
end

-- The oldest qualifying candidate of one index not met recently; notes the
-- oldest met recently in case nobody else qualifies. Entries whose visitor
-- is gone or waits elsewhere now (it expired) are removed on the way.
local function first(search, key, tier)
  local offset, noted = 0, false
  while search.budget > 0 do
    local chunk = redis.call('ZRANGE', key, offset, offset + 7, 'WITHSCORES')
    if #chunk == 0 then return nil end
    local removed = 0
    for i = 1, #chunk, 2 do
      search.budget = search.budget - 1
      local id = chunk[i]
      local v = load(id)
      if not v or not waiting(v) or tonumber(v.n) ~= tonumber(chunk[i + 1]) then
        redis.call('ZREM', key, id)
        removed = removed + 1
      elseif v.id ~= search.me.id and v.id ~= search.me.l and alive(v.p) and not reported(search.me, v, search.now) then
        if not recent(search.me, v, search.now) then return v end
        if not noted and (tier < search.tier or (tier == search.tier and tonumber(v.n) < tonumber(search.stale.n))) then
          search.stale, search.tier = v, tier
        end
        noted = true
      end
    end
    offset = offset + #chunk / 2 - removed
  end
  return nil
end

-- The partner for `me` among those waiting, or nil.
local function choose(me, now)
  me.blocks = nil -- read afresh: a block may have come since
  local wish = wish_of(me)
  local group = group_of(wish)
  local classes = redis.call('HKEYS', gkey(group))
  if #classes == 0 then return nil end
  local fitting = {}
  local mg, ml = wish.gender or 'unsaid', wish.looking or 'anyone'
  for _, class in ipairs(classes) do
    local g, l = string.match(class, '^(%S+) (%S+)$')
    if admits(ml, g) and admits(l, mg) then fitting[#fitting + 1] = class end
  end
  local search = { me = me, now = now, stale = nil, tier = 99, budget = SCAN_LIMIT }
  local tiers = tiers_of(wish)
  for tier = 1, 3 do
    local best = nil
    for _, class in ipairs(fitting) do
      for _, tag in ipairs(tiers[tier]) do best = older(first(search, ikey(group, class, tag), tier), best) end
    end
    if best then return best end
  end
  -- Someone who shares nothing: only when both accept anyone.
  if me.o == '1' then
    local best = nil
    for _, class in ipairs(fitting) do
      best = older(first(search, ikey(group, class, 'u'), 4), best)
      best = older(first(search, ikey(group, class, 'e'), 4), best)
    end
    if best then return best end
  end
  return search.stale
end

local function common_interests(a, b)
  local shared = {}
  for _, tag in ipairs(a) do
    for _, other in ipairs(b) do
      if tag == other then
        shared[#shared + 1] = tag
        break
      end
    end
  end
  return shared
end

-- Pairs `me` (not waiting) with `partner` (waiting): `me` calls.
local function pair(me, partner, now)
  unqueue(partner)
  local pool = wish_of(me).pool
  me.q, partner.q, me.r, partner.r = pool, pool, partner.id, me.id
  remember(me, partner, now)
  save(me)
  save(partner)
  local shared = common_interests(wish_of(me).interests, wish_of(partner).interests)
  local a, b = { 'm', me.id, partner.id, 'caller', pool }, { 'm', partner.id, me.id, 'callee', pool }
  -- Then the interests both share ('' none), and the partner's address key,
  -- which a process needs for a report of a partner held by another.
  if #shared > 0 or me.a ~= '' or partner.a ~= '' then
    a[6] = #shared > 0 and shared or ''
    b[6] = a[6]
    a[7], b[7] = partner.a, me.a
  end
  event(me, a)
  event(partner, b)
end

-- Takes `me` out of its queue or its pair; the partner is told why.
local function release(me, reason)
  if me.r ~= '' then
    local partner = load(me.r)
    if partner and partner.r == me.id then
      partner.r, partner.q, partner.l = '', '', me.id
      save(partner)
      event(partner, { 'l', partner.id, me.id, reason })
    end
    me.l, me.r = me.r, ''
  elseif me.q ~= '' then
    unqueue(me)
  end
  me.q = ''
  save(me)
end

-- Forgets a departed visitor: those who met it forget it too.
local function depart(v)
  for _, m in ipairs(met_of(v)) do
    local other = load(m.id)
    if other then drop(other, v.id) end
  end
  forget(v)
end

-- A socket of the visitor opened on the calling process. If another holds
-- the visitor (a page back from a network change, behind a load balancer),
-- the visitor moves here with its place or partner, and the old process is
-- told to close its socket ('t'); that socket's disconnect then changes
-- nothing, as the visitor is not its process's any more. The caller always
-- hears 'o' after any 't' an earlier claim sent it (its channel keeps script
-- order): the partner ('' none) and its address key (for reports), who left
-- it when it moved here left and idle since (the old process told its old
-- socket, which is gone), and its pool and wish ('' idle; where a report of
-- the partner looks for the next).
local function claim(id)
  local me = load(id)
  if not me then return send(CALLER, { 'o', id, '', '', '', '', '' }) end
  local left, address = '', ''
  if me.p ~= CALLER then
    local old = me.p
    own(me, CALLER)
    send(old, { 't', id })
    if me.r == '' and me.q == '' then left = me.l end
  end
  if me.r ~= '' then
    local partner = load(me.r)
    if partner then address = partner.a end
  end
  send(CALLER, { 'o', id, me.r, left, address, me.q, me.w })
end

-- A command from a socket that a later claim took the visitor from: nothing
-- changes, and its process is told to close that socket (its 't' may have
-- been lost, e.g. with its subscription). True when refused.
local function stale(me)
  if me.p == CALLER then return false end
  send(CALLER, { 't', me.id })
  return true
end

local function find(id, pool, now, w, address)
  local me = load(id)
  if me and stale(me) then return end
  if not me then me = create(id, CALLER) end
  if address ~= '' and me.a ~= address then
    me.a, me.blocks = address, nil
    save(me)
  end
  -- Asking again for the same while waiting keeps one's place in the queue.
  if waiting(me) and me.q == pool and me.w == w then return event(me, { 'w', id, pool }) end
  release(me, 'next')
  me.w, me.wish = w, decode_wish(w, pool)
  -- A newcomer with tags looks only for someone who shares one (unless there is no wait at all).
  me.o = (not tagged(me.wish) or WAIT <= 0) and '1' or '0'
  local partner = choose(me, now)
  if partner then
    pair(me, partner, now)
  else
    enqueue(me, now)
    event(me, { 'w', id, pool })
  end
end

-- Visitors opened per tick at most (a process ticks every second, and every process does).
local TICK_LIMIT = 1000

-- Visitors whose wait for a shared tag is over accept anyone now, and are paired if anyone suitable waits.
local function tick(now)
  local opened = 0
  while opened < TICK_LIMIT do
    local chunk = redis.call('ZRANGE', PENDING, 0, 15, 'WITHSCORES')
    if #chunk == 0 then return end
    local progress = false
    for i = 1, #chunk, 2 do
      local v = load(chunk[i])
      if not v or not waiting(v) or v.o ~= '0' or tonumber(v.n) ~= tonumber(chunk[i + 1]) then
        redis.call('ZREM', PENDING, chunk[i])
        progress = true
      elseif now - tonumber(v.s) < WAIT then
        return -- in order of arrival, so the rest wait longer
      elseif alive(v.p) then
        opened = opened + 1
        open_up(v)
        progress = true
        local partner = choose(v, now)
        if partner then
          unqueue(v)
          pair(v, partner, now)
        end
      end
    end
    -- Only visitors of dead processes left in this chunk: the sweeper takes them.
    if not progress then return end
  end
end

local function stop(id)
  local me = load(id)
  if not me or stale(me) then return end
  release(me, 'stop')
end

local function disconnect(id)
  local me = load(id)
  -- A reconnect on another process owns the visitor now: its old socket's
  -- disconnect, arriving late, must not undo the new one's place.
  if not me or me.p ~= CALLER then return end
  release(me, 'disconnect')
  depart(me)
end

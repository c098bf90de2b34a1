-- The safety rules of src/safety/rules.ts over Redis keys, one command per
-- call, so each is atomic whatever the other processes do; the conformance
-- suite (test/support/safety-store-conformance.ts) holds this and the memory
-- store to one behaviour. Times are the caller's clock (ms); every key
-- expires when its entry would be pruned (state.ts), measured on that clock.
--
-- ARGV[1] prefix S, ARGV[2] op, ARGV[3] now, then the op's arguments.
-- Keys:
--   S n:<key>        string  a ban in force (JSON, as the store returns it)
--   S h:<key>        string  "count lastSince lastUntil" of the last ban
--   S bans           zset    banned keys by until (bans in force: listing);
--                            ended ones trimmed, and the key expiring, with
--                            the longest ban
--   S d:<key>        zset    reports of <key>: "at reporter reason" by at
--   S rr:<a>:<b>     string  <a> reported <b> (already_reported)
--   S reports        zset    every report kept (JSON), by at
--   S seq            string  the number in the next report's member, kept as
--                            long as the reports it keeps apart
--   S b:<name>       string  "tokens at", a rate budget
--   S s:<key>        string  suspect until
--   S u:<token>      string  a spent challenge, until
--   S rate           string  "minute count previous", everyone's identity requests
-- Policy: ARGV[4] reports that ban, ARGV[5] windowMs, ARGV[6] durationMs,
-- ARGV[7] identities per minute; the op's own arguments follow from ARGV[8].

local S, op, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local BAN_REPORTS, WINDOW, DURATION, IDENTITIES = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local A = 8

local DAY = 86400000
local HISTORY_MS, REPORTS_MS, MAX_REPORTS, SUSPECT_MS = 30 * DAY, DAY, 50000, 3600000
local MAX_BAN = { reports = 30 * DAY, moderator = 365 * DAY }
local REPORT_RATE = { burst = 3, perMinute = 3 }
local KEPT = math.max(WINDOW, REPORTS_MS)

-- Stores `value` at `key` until `ends` (caller's clock); nothing once past it.
local function put(key, value, ends)
  local ms = math.floor(ends - now)
  if ms <= 0 then
    redis.call('DEL', key)
  else
    redis.call('SET', key, value, 'PX', ms)
  end
end

local function ban_of(key)
  local raw = redis.call('GET', S .. 'n:' .. key)
  if not raw then return nil end
  local ban = cjson.decode(raw)
  if ban['until'] <= now then return nil end
  return ban, raw
end

-- takeToken (protocol/safety.ts), with the budget kept until full again.
local function take(name, burst, per_minute)
  local key = S .. 'b:' .. name
  local raw = redis.call('GET', key)
  local per_ms = per_minute / 60000
  local tokens = burst
  if raw then
    local t, at = string.match(raw, '^(%S+) (%S+)$')
    tokens = math.min(burst, tonumber(t) + math.max(0, now - tonumber(at)) * per_ms)
  end
  local ok, retry = tokens >= 1, 0
  if ok then tokens = tokens - 1 else retry = math.ceil((1 - tokens) / per_ms) end
  put(key, string.format('%.17g %.17g', tokens, now), now + math.ceil((burst - tokens) / per_ms) + 1)
  return ok, retry
end

local function flag(key) put(S .. 's:' .. key, tostring(now + SUSPECT_MS), now + SUSPECT_MS) end

local function suspect(key)
  local ends = tonumber(redis.call('GET', S .. 's:' .. key) or '0')
  if ends > now then return true end
  return #redis.call('ZRANGEBYSCORE', S .. 'd:' .. key, '(' .. (now - SUSPECT_MS), '+inf', 'LIMIT', 0, 1) > 0
end

local function nth_ban(key)
  local raw = redis.call('GET', S .. 'h:' .. key)
  if not raw then return 1 end
  local count, _, last_until = string.match(raw, '^(%S+) (%S+) (%S+)$')
  if now - tonumber(last_until) < HISTORY_MS then return tonumber(count) + 1 end
  return 1
end

local function impose(ban)
  local raw = cjson.encode(ban)
  put(S .. 'n:' .. ban.key, raw, ban['until'])
  put(S .. 'h:' .. ban.key, ban.nth .. ' ' .. ban.since .. ' ' .. ban['until'], ban['until'] + HISTORY_MS)
  -- Scored by the end, not the start, so that ended bans are trimmed here
  -- and the index lives exactly as long as its longest ban.
  local index = S .. 'bans'
  redis.call('ZADD', index, ban['until'], ban.key)
  -- Entries scored in the past: ended bans, or, written before the index was
  -- scored by the end, bans scored by their start that may still hold.
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now)) do
    local held = ban_of(key)
    if held then redis.call('ZADD', index, held['until'], key) else redis.call('ZREM', index, key) end
  end
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')[2]
  if last then redis.call('PEXPIRE', index, math.ceil(tonumber(last) - now)) end
  return raw
end

-- Counts one identity request; the rate over the last minute (two fixed windows, weighted).
local function count_request()
  local minute = math.floor(now / 60000)
  local raw = redis.call('GET', S .. 'rate')
  local m, count, previous = minute, 0, 0
  if raw then
    local rm, rc = string.match(raw, '^(%S+) (%S+)')
    rm, rc = tonumber(rm), tonumber(rc)
    if rm == minute then
      count, previous = rc, tonumber(string.match(raw, '(%S+)$'))
    elseif rm == minute - 1 then
      previous = rc
    end
  end
  count = count + 1
  redis.call('SET', S .. 'rate', m .. ' ' .. count .. ' ' .. previous, 'PX', 120000)
  local elapsed = (now % 60000) / 60000
  return math.floor(previous * (1 - elapsed) + count + 0.5)
end

if op == 'admit' then
  local key = ARGV[A]
  local everyone = count_request()
  local _, raw = ban_of(key)
  if raw then return { 'banned', raw } end
  if IDENTITIES > 0 then
    local ok, retry = take('i:' .. key, IDENTITIES, IDENTITIES)
    if not ok then
      flag(key)
      return { 'limited', retry }
    end
  end
  return { 'admitted', suspect(key) and 1 or 0, everyone }
elseif op == 'banOf' then
  local _, raw = ban_of(ARGV[A])
  return raw or false
elseif op == 'report' then
  local reporter, reported, reason, peer = ARGV[A], ARGV[A + 1], ARGV[A + 2], ARGV[A + 3]
  local pair = S .. 'rr:' .. reporter .. ':' .. reported
  if tonumber(redis.call('GET', pair) or '-1') > now - KEPT then return { 'refused', 'already_reported' } end
  if not take('r:' .. reporter, REPORT_RATE.burst, REPORT_RATE.perMinute) then
    flag(reporter)
    return { 'refused', 'too_many_reports' }
  end
  put(pair, tostring(now), now + KEPT)
  local mine = S .. 'd:' .. reported
  redis.call('ZADD', mine, now, now .. ' ' .. reporter .. ' ' .. reason)
  redis.call('ZREMRANGEBYSCORE', mine, '-inf', now - KEPT)
  redis.call('PEXPIRE', mine, KEPT)
  local all = S .. 'reports'
  local entry = cjson.encode({ at = now, reporter = reporter, reported = reported, reason = reason, peer = peer })
  -- A counter in the member keeps equal reports apart; it may start again
  -- once every report it numbered has expired.
  local seq = redis.call('INCR', S .. 'seq')
  redis.call('PEXPIRE', S .. 'seq', KEPT)
  redis.call('ZADD', all, now, string.format('%012d', seq) .. ' ' .. entry)
  redis.call('ZREMRANGEBYSCORE', all, '-inf', now - KEPT)
  redis.call('ZREMRANGEBYRANK', all, 0, -MAX_REPORTS - 1)
  redis.call('PEXPIRE', all, KEPT)
  if reporter == reported or ban_of(reported) then return { 'recorded' } end
  -- Reports that led to an earlier ban have been paid for: count only later ones.
  local from = now - WINDOW
  local history = redis.call('GET', S .. 'h:' .. reported)
  if history then from = math.max(from, tonumber(string.match(history, '^%S+ (%S+)'))) end
  local reporters, n, reasons, seen = {}, 0, {}, {}
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', mine, '(' .. from, '+inf')) do
    local _, who, why = string.match(member, '^(%S+) (%S+) (%S+)$')
    if who ~= reported then
      if not reporters[who] then
        reporters[who] = true
        n = n + 1
      end
      if not seen[why] then
        seen[why] = true
        reasons[#reasons + 1] = why
      end
    end
  end
  if n < BAN_REPORTS then return { 'recorded' } end
  local nth = nth_ban(reported)
  local duration = math.min(DURATION * 2 ^ (nth - 1), MAX_BAN.reports)
  local ban = { key = reported, since = now, by = 'reports', nth = nth, reporters = n, reasons = reasons }
  ban['until'] = now + duration
  return { 'recorded', impose(ban) }
elseif op == 'ban' then
  local key, duration, note = ARGV[A], tonumber(ARGV[A + 1]), ARGV[A + 2]
  local ban = { key = key, since = now, by = 'moderator', nth = nth_ban(key) }
  ban['until'] = now + math.min(duration, MAX_BAN.moderator)
  if note ~= '' then ban.note = note end
  return impose(ban)
elseif op == 'unban' then
  local key = ARGV[A]
  local was = ban_of(key) ~= nil
  redis.call('DEL', S .. 'n:' .. key, S .. 'h:' .. key)
  redis.call('ZREM', S .. 'bans', key)
  return was and 1 or 0
elseif op == 'bans' then
  local found = {}
  for _, key in ipairs(redis.call('ZRANGE', S .. 'bans', 0, -1)) do
    local ban, raw = ban_of(key)
    if raw then found[#found + 1] = { since = ban.since, key = key, raw = raw } else redis.call('ZREM', S .. 'bans', key) end
  end
  -- Newest first; the same start, by key (as ZREVRANGE by start once ordered them).
  table.sort(found, function(a, b)
    if a.since ~= b.since then return a.since > b.since end
    return a.key > b.key
  end)
  local out = {}
  for i, ban in ipairs(found) do out[i] = ban.raw end
  return out
elseif op == 'reports' then
  local limit = tonumber(ARGV[A])
  local out = {}
  for _, member in ipairs(redis.call('ZREVRANGEBYSCORE', S .. 'reports', '+inf', '(' .. (now - KEPT), 'LIMIT', 0, limit)) do
    out[#out + 1] = string.match(member, '^%S+ (.*)$')
  end
  return out
elseif op == 'flag' then
  flag(ARGV[A])
  return 1
elseif op == 'useOnce' then
  local key, ends = S .. 'u:' .. ARGV[A], tonumber(ARGV[A + 1])
  if tonumber(redis.call('GET', key) or '-1') > now then return 0 end
  put(key, tostring(ends), ends)
  return 1
end
return redis.error_reply('ERR unknown safety command ' .. tostring(op))

-- A batch of match commands from one process, applied in order, atomically.
-- ARGV[5] '1' to return each command's events (they are published to their
-- processes anyway); ARGV[6..8] the match options (interestWaitMs,
-- recentCount, recentMs); ARGV[9..]: (op, id, pool, now, wish, address) per
-- command, op being find, stop, disconnect, tick, claim or block (whose id
-- and pool are the two keys kept apart, and wish the time the block ends). A
-- process that is not registered (it was swept, or Redis restarted) is
-- refused with NOPROC before anything changes.
if not redis.call('ZSCORE', P .. 'procs', CALLER) then
  return redis.error_reply('NOPROC process ' .. CALLER .. ' is not registered')
end
-- A process that sends commands is alive, however late its beat: a busy
-- one must never be taken for dead (its own waiting visitors least of all).
redis.call('ZADD', P .. 'procs', 'XX', NOW, CALLER)
liveness[CALLER] = true
local report = ARGV[5] == '1'
configure(tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
for i = 9, #ARGV, 6 do
  local op = ARGV[i]
  if op ~= 'find' and op ~= 'stop' and op ~= 'disconnect' and op ~= 'tick' and op ~= 'block' and op ~= 'claim' then
    return redis.error_reply('ERR unknown match command ' .. op)
  end
end
local results = {}
for i = 9, #ARGV, 6 do
  current = {}
  local op, id = ARGV[i], ARGV[i + 1]
  if op == 'find' then
    find(id, ARGV[i + 2], tonumber(ARGV[i + 3]), ARGV[i + 4], ARGV[i + 5])
  elseif op == 'block' then
    block(id, ARGV[i + 2], tonumber(ARGV[i + 4]), tonumber(ARGV[i + 3]))
  elseif op == 'stop' then
    stop(id)
  elseif op == 'disconnect' then
    disconnect(id)
  elseif op == 'claim' then
    claim(id)
  else
    tick(tonumber(ARGV[i + 3]))
  end
  results[#results + 1] = report and current or 0
end
flush()
return results

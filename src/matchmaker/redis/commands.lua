-- A batch of match commands from one process, applied in order, atomically.
-- ARGV[5] '1' to return each command's events (they are published to their
-- processes anyway); ARGV[6..]: (op, id, pool, since) per command, op being
-- find, stop or disconnect. A process that is not registered (it was swept,
-- or Redis restarted) is refused with NOPROC before anything changes.
if not redis.call('ZSCORE', P .. 'procs', CALLER) then
  return redis.error_reply('NOPROC process ' .. CALLER .. ' is not registered')
end
-- A process that sends commands is alive, however late its beat: a busy
-- one must never be taken for dead (its own waiting visitors least of all).
redis.call('ZADD', P .. 'procs', 'XX', NOW, CALLER)
liveness[CALLER] = true
local report = ARGV[5] == '1'
for i = 6, #ARGV, 4 do
  local op = ARGV[i]
  if op ~= 'find' and op ~= 'stop' and op ~= 'disconnect' then
    return redis.error_reply('ERR unknown match command ' .. op)
  end
end
local results = {}
for i = 6, #ARGV, 4 do
  current = {}
  local op, id = ARGV[i], ARGV[i + 1]
  if op == 'find' then
    find(id, ARGV[i + 2], ARGV[i + 3])
  elseif op == 'stop' then
    stop(id)
  else
    disconnect(id)
  end
  results[#results + 1] = report and current or 0
end
flush()
return results

-- A batch of match commands from one process, applied in order, atomically.
-- ARGV[5..]: (op, id, pool, since) per command; op is find, stop or disconnect.
-- Returns each command's events; a process that is not registered (it was
-- swept, or Redis restarted) is refused with NOPROC before anything changes.
if not redis.call('ZSCORE', P .. 'procs', CALLER) then
  return redis.error_reply('NOPROC process ' .. CALLER .. ' is not registered')
end
for i = 5, #ARGV, 4 do
  local op = ARGV[i]
  if op ~= 'find' and op ~= 'stop' and op ~= 'disconnect' then
    return redis.error_reply('ERR unknown match command ' .. op)
  end
end
local results = {}
for i = 5, #ARGV, 4 do
  current = {}
  local op, id = ARGV[i], ARGV[i + 1]
  if op == 'find' then
    find(id, ARGV[i + 2], ARGV[i + 3])
  elseif op == 'stop' then
    stop(id)
  else
    disconnect(id)
  end
  results[#results + 1] = current
end
flush()
return results

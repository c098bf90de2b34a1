-- A signaling frame from ARGV[5] to ARGV[6] (type ARGV[7], encoded ARGV[8]),
-- sent to the process holding the recipient, only between partners: the
-- recipient's partner, or for LEAVE its last one, must be the sender.
-- Returns 1 when sent, 0 when dropped.
local from, to, kind = ARGV[5], load(ARGV[6]), ARGV[7]
if not to or not (to.r == from or (kind == 'LEAVE' and to.l == from)) then return 0 end
send(to.p, { 'r', from, to.id, kind, ARGV[8] })
flush()
return 1

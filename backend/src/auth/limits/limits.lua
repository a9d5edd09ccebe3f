-- GCRA take of up to ARGV[3] cells from the bucket KEYS[1]: the same arithmetic as
-- backend/src/auth/gcra.rs::take, run atomically inside Redis so every backend instance spends
-- one shared budget. The clock is Redis's own (TIME), so instances with skewed clocks agree.
-- ARGV: burst, interval in ms, wanted. Returns {granted, retry_ms}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = math.max(tonumber(ARGV[1]), 1)
local every = math.max(tonumber(ARGV[2]), 1)
local wanted = tonumber(ARGV[3])
local cap = burst * every
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local room = math.floor((now + cap - tat) / every)
local granted = math.max(0, math.min(room, wanted))
if granted == 0 then
  return {0, math.max(tat + every - (now + cap), 1)}
end
tat = tat + granted * every
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.max(tat - now, 1))
return {granted, 0}

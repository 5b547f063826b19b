#!lua name=quantum_safety
--[[
Reference safety kernel: one atomic call per trade intent.

  FCALL safety_submit 1 <prefix> <symbol> <side> <qty> <price>

<prefix> (e.g. "quantum:") is passed as the one key so that Redis Cluster
routes the call by it; with a hash-tag prefix ("{quantum}:") every key below
lives in that key's slot.

Per call, atomically and with Redis server time only:
  1. XADD the intent to <prefix>stream:trade.intent (approximate MAXLEN cap);
  2. reject if SAFE MODE is on; otherwise INCR <prefix>safety:rate:global:<ws>
     and ZINCRBY 1 <symbol> on <prefix>safety:rate:symbol:<ws>
     (ws = floor(now / window_s) * window_s, both expiring after
     key_ttl_windows windows) and reject if the global count exceeds
     global_limit, else if the symbol's count exceeds symbol_limit;
  3. a rejection XADDs a fault (reason, symbol, side, ts) to
     <prefix>stream:safety.fault and HINCRBYs its reason in
     <prefix>safety:faults:by_reason (exact counts that no trim or exporter
     restart can change);
  4. a rate fault also INCRs <prefix>safety:rate:faults:<ws>; when that
     reaches trip_faults, SAFE MODE is set (SET <prefix>safety:safe_mode 1
     EX safe_mode_ttl) and the fault count starts over.

Every intent the limiter judges counts against the limits, accepted or not, so
accepted intents per window never exceed the limits: the margin is 0. Intents
rejected by SAFE MODE never reach the limiter and are not counted. After a
trip the window's fault count starts over, but its intent counters do not: if
SAFE MODE clears inside the same window, intents over the limit are still
rejected (and enough of them trip it again) until the window rolls over.

Reply: { verdict, reason, window_start, global_count, symbol_count, safe_mode }
  verdict "accepted" (reason "") or "rejected"; safe_mode 1 if SAFE MODE is on
  after the call (2 if this call tripped it).

Limits and TTLs come from the hash <prefix>safety:config (fields below); an
absent field takes its default. Bad arguments or a bad config value raise an
error before anything is written.
]]

local DEFAULTS = {
  window_s = 60,          -- rate window; the exporter's --rate.window must match
  global_limit = 600,     -- intents per window, all symbols
  symbol_limit = 180,     -- intents per window, one symbol
  trip_faults = 50,       -- rate faults per window that trip SAFE MODE
  safe_mode_ttl = 300,    -- seconds SAFE MODE stays on once tripped
  intent_maxlen = 100000, -- approximate cap of the intent stream
  fault_maxlen = 100000,  -- approximate cap of the fault stream
  key_ttl_windows = 3,    -- window keys expire after this many windows
}

-- Upper bounds, so that no combination (window_s * key_ttl_windows for
-- EXPIRE, say) can make a Redis call fail half-way through a submission.
local MAXIMA = {
  window_s = 86400, global_limit = 1e12, symbol_limit = 1e12, trip_faults = 1e12,
  safe_mode_ttl = 31536000, intent_maxlen = 1e9, fault_maxlen = 1e9, key_ttl_windows = 1000,
}

local MAX_SYMBOL_BYTES = 64

local function read_config(prefix)
  local cfg = {}
  for k, v in pairs(DEFAULTS) do cfg[k] = v end
  local raw = redis.call('HGETALL', prefix .. 'safety:config')
  for i = 1, #raw, 2 do
    local name, value = raw[i], raw[i + 1]
    if DEFAULTS[name] ~= nil then
      local n = tonumber(value)
      if n == nil or n < 1 or n ~= math.floor(n) or n > MAXIMA[name] then
        return nil, 'config ' .. prefix .. 'safety:config field ' .. name ..
          ' must be a whole number from 1 to ' .. string.format('%.0f', MAXIMA[name]) ..
          ', got "' .. value .. '"'
      end
      cfg[name] = n
    end
  end
  return cfg
end

local function positive_number(s)
  local n = tonumber(s)
  return n ~= nil and n > 0 and n < math.huge and n == n
end

local function submit(keys, args)
  if #keys ~= 1 then
    return redis.error_reply('ERR safety_submit takes 1 key (the prefix), got ' .. #keys)
  end
  if #args ~= 4 then
    return redis.error_reply('ERR safety_submit takes 4 arguments: symbol side qty price')
  end
  local prefix = keys[1]
  local symbol, side, qty, price = args[1], args[2], args[3], args[4]
  if #symbol == 0 or #symbol > MAX_SYMBOL_BYTES or not symbol:match('^[%w%._%-/:]+$') then
    return redis.error_reply('ERR symbol must be 1-' .. MAX_SYMBOL_BYTES ..
      ' characters of letters, digits and ._-/:')
  end
  if side ~= 'BUY' and side ~= 'SELL' then
    return redis.error_reply('ERR side must be BUY or SELL')
  end
  if not positive_number(qty) then
    return redis.error_reply('ERR qty must be a positive number')
  end
  if not positive_number(price) then
    return redis.error_reply('ERR price must be a positive number')
  end
  local cfg, err = read_config(prefix)
  if cfg == nil then return redis.error_reply('ERR ' .. err) end

  local t = redis.call('TIME')
  local now_s = tonumber(t[1])
  local now_ms = now_s * 1000 + math.floor(tonumber(t[2]) / 1000)
  local ws = now_s - (now_s % cfg.window_s)
  local key_ttl = cfg.window_s * cfg.key_ttl_windows

  redis.call('XADD', prefix .. 'stream:trade.intent', 'MAXLEN', '~', cfg.intent_maxlen, '*',
    'symbol', symbol, 'side', side, 'qty', qty, 'price', price)
  local global_key = prefix .. 'safety:rate:global:' .. ws
  local symbol_key = prefix .. 'safety:rate:symbol:' .. ws
  local faults_key = prefix .. 'safety:rate:faults:' .. ws
  local safe_key = prefix .. 'safety:safe_mode'
  local safe = redis.call('GET', safe_key)
  local safe_on = safe ~= false and safe ~= '0'

  local reason = ''
  local global, sym
  if safe_on then
    -- Nothing passes SAFE MODE, so nothing reaches the rate limiter: the
    -- window's counters only hold intents the limiter judged.
    reason = 'SAFE_MODE_ACTIVE'
    global = tonumber(redis.call('GET', global_key) or '0')
    sym = tonumber(redis.call('ZSCORE', symbol_key, symbol) or '0')
  else
    global = redis.call('INCR', global_key)
    redis.call('EXPIRE', global_key, key_ttl)
    sym = tonumber(redis.call('ZINCRBY', symbol_key, 1, symbol))
    redis.call('EXPIRE', symbol_key, key_ttl)
    if global > cfg.global_limit then
      reason = 'GLOBAL_RATE_EXCEEDED'
    elseif sym > cfg.symbol_limit then
      reason = 'SYMBOL_RATE_EXCEEDED'
    end
  end
  if reason == '' then
    return { 'accepted', '', ws, global, sym, 0 }
  end

  redis.call('XADD', prefix .. 'stream:safety.fault', 'MAXLEN', '~', cfg.fault_maxlen, '*',
    'reason', reason, 'symbol', symbol, 'side', side, 'ts', tostring(now_ms))
  redis.call('HINCRBY', prefix .. 'safety:faults:by_reason', reason, 1)
  local safe_state = safe_on and 1 or 0
  if not safe_on then
    local faults = redis.call('INCR', faults_key)
    redis.call('EXPIRE', faults_key, key_ttl)
    if faults >= cfg.trip_faults then
      redis.call('SET', safe_key, '1', 'EX', cfg.safe_mode_ttl)
      -- A trip starts the count over: tripping again takes trip_faults new
      -- rate faults after SAFE MODE clears, not the first one.
      redis.call('DEL', faults_key)
      safe_state = 2
    end
  end
  return { 'rejected', reason, ws, global, sym, safe_state }
end

redis.register_function {
  function_name = 'safety_submit',
  callback = submit,
  flags = {},
}

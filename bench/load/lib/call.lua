-- wrk script: one MCP `tools/call` per request, every answer checked.
--
-- Environment (set by run.mjs):
--   LOAD_BODY      the JSON-RPC request body
--   LOAD_HEADERS   request header fields, one `Name: value` per line
--   LOAD_EXPECT    a plain substring every answer body must contain (the caller's claims)
--   LOAD_SESSIONS  optional: comma-separated `Mcp-Session-Id` values, used in turn (one
--                  session per simulated client, as real 2025-11-25 clients have)
--
-- A response counts as an error when its status is not 200 or its body lacks LOAD_EXPECT.
-- `done` prints one line `LOAD_RESULT {json}` with the counts and latency percentiles (µs).

local body = os.getenv("LOAD_BODY")
local expect = os.getenv("LOAD_EXPECT")
local header_text = os.getenv("LOAD_HEADERS") or ""

local sessions = {}
for id in string.gmatch(os.getenv("LOAD_SESSIONS") or "", "[^,]+") do
  table.insert(sessions, id)
end
local next_session = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.body = body
  for line in string.gmatch(header_text, "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then
      wrk.headers[name] = value
    end
  end
  if #sessions > 0 then
    -- One prebuilt request per session, sent in turn.
    prebuilt = {}
    for i, id in ipairs(sessions) do
      wrk.headers["Mcp-Session-Id"] = id
      prebuilt[i] = wrk.format()
    end
    request = function()
      next_session = next_session % #prebuilt + 1
      return prebuilt[next_session]
    end
  end
  checked = 0
  bad_status = 0
  bad_body = 0
  sample = ""
end

function response(status, headers, response_body)
  checked = checked + 1
  if status ~= 200 then
    bad_status = bad_status + 1
    if sample == "" then sample = tostring(status) .. " " .. string.sub(response_body or "", 1, 200) end
  elseif not string.find(response_body or "", expect, 1, true) then
    bad_body = bad_body + 1
    if sample == "" then sample = "200 " .. string.sub(response_body or "", 1, 200) end
  end
end

local function quote(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local total_checked, total_status, total_body, first_sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total_checked = total_checked + thread:get("checked")
    total_status = total_status + thread:get("bad_status")
    total_body = total_body + thread:get("bad_body")
    local s = thread:get("sample")
    if first_sample == "" and s ~= nil then first_sample = s end
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD_RESULT {"requests":%d,"duration_us":%d,"checked":%d,"bad_status":%d,"bad_body":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"sample":%s}\n',
    summary.requests, summary.duration, total_checked, total_status, total_body,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    quote(first_sample)))
end

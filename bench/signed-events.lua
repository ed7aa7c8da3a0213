-- wrk script: each thread replays its own file of pre-signed events (bench/make-signed-events.py)
-- and counts the answers by status, so a run that was not all 202s is visible.
-- args: <events directory> [once]. With "once" each thread sends every event of its file once and
-- stops when all are answered; meanwhile its idle connections ask GET /observe/health/live (200, not
-- counted: the events have no duplicates, so no event is answered 200).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1] or "bench/results/events"
  once = args[2] == "once"
  requests = {}
  for line in io.lines(dir .. "/events-" .. id .. ".tsv") do
    local sig, body = line:match("^(%x+)\t(.*)$")
    if sig then
      requests[#requests + 1] = wrk.format("POST", "/webhooks/orders",
        { ["Content-Type"] = "application/json", ["X-Signature"] = sig }, body)
    else -- a Standard Webhooks line: webhook-id, webhook-timestamp, webhook-signature, body
      local id, ts, signature, sw_body = line:match("^([^\t]+)\t(%d+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/webhooks/orders",
        { ["Content-Type"] = "application/json", ["webhook-id"] = id, ["webhook-timestamp"] = ts,
          ["webhook-signature"] = signature }, sw_body)
    end
  end
  health = wrk.format("GET", "/observe/health/live")
  i = 0
  answered = 0
  statuses = {}
end

function request()
  i = i + 1
  if i > #requests then
    if once then return health end
    i = 1 -- wrapping around would send duplicates: size the files for the run
  end
  return requests[i]
end

function response(status)
  if once and status == 200 then return end -- a health check
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if once and answered >= #requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local totals = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do totals[code] = (totals[code] or 0) + n end
  end
  for code, n in pairs(totals) do io.write(string.format("status %d: %d\n", code, n)) end
end

-- wrk script: each thread sends every pre-signed event of its own file (bench/make-signed-events.py)
-- once, then stops; the answers are counted by status (202: accepted). Once a thread's file is used up,
-- its connections ask GET /observe/health/live (200, not counted) until the thread stops.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(args[1] .. "/events-" .. id .. ".tsv") do
    local sig, body = line:match("^(%x+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/webhooks/orders",
      { ["Content-Type"] = "application/json", ["X-Signature"] = sig }, body)
  end
  health = wrk.format("GET", "/observe/health/live")
  i = 0
  answered = 0
  statuses = {}
end

function request()
  i = i + 1
  if i > #requests then return health end
  return requests[i]
end

function response(status)
  if status == 200 then return end -- the health check (the events have no duplicates)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if answered >= #requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local totals = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do totals[code] = (totals[code] or 0) + n end
  end
  for code, n in pairs(totals) do io.write(string.format("status %d: %d\n", code, n)) end
end

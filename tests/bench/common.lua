-- Shared by the wrk scenario scripts (loaded with dofile from each of them).
-- Counts every reply outside 2xx per thread (and shows the first few on
-- stderr), and prints one machine-readable line at the end:
--   BENCH_JSON {"requests":..,"duration_s":..,"rps":..,"p50_us":..,...}
-- Settings come from the environment: BENCH_PRODUCTS (ids 1..N, default
-- 1000) and BENCH_HOT_ID (the product of the hot scenario).

products = tonumber(os.getenv("BENCH_PRODUCTS") or "1000")
hot_id = tonumber(os.getenv("BENCH_HOT_ID") or "1")
json_headers = { ["Content-Type"] = "application/json" }

local threads = {}
local nthreads = 0

function setup(thread)
   nthreads = nthreads + 1
   thread:set("tid", nthreads)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + tid * 7919)
   non2xx = 0
   shown = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if shown < 3 then
         shown = shown + 1
         io.stderr:write(string.format("wrk: HTTP %d: %s\n", status,
            string.sub(body or "", 1, 300)))
      end
   end
end

function done(summary, latency, requests)
   local n = 0
   for _, t in ipairs(threads) do
      n = n + (t:get("non2xx") or 0)
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format('BENCH_JSON {"requests":%d,"duration_s":%.3f,' ..
      '"rps":%.1f,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,' ..
      '"non2xx":%d,"errors":%d}\n',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50), latency:percentile(99),
      latency:percentile(99.9), latency.max, n,
      e.connect + e.read + e.write + e.timeout))
end

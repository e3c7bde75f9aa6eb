-- hot: POST /orders, quantity 1, every request on product BENCH_HOT_ID.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
local body = '{"product_id":' .. hot_id .. ',"quantity":1}'
local req = nil
function request()
   if req == nil then
      req = wrk.format("POST", "/orders", json_headers, body)
   end
   return req
end

-- order: POST /orders, quantity 1, product uniformly random in 1..BENCH_PRODUCTS.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
function request()
   return wrk.format("POST", "/orders", json_headers,
      '{"product_id":' .. math.random(1, products) .. ',"quantity":1}')
end

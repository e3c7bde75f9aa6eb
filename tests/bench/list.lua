-- list: GET /products?limit=100&after=N, N random in 0..BENCH_PRODUCTS-100 (full pages).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
function request()
   local last = products - 100
   if last < 0 then last = 0 end
   return wrk.format("GET", "/products?limit=100&after=" .. math.random(0, last))
end

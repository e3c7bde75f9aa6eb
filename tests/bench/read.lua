-- read: GET /products/{id}, id uniformly random in 1..BENCH_PRODUCTS.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
function request()
   return wrk.format("GET", "/products/" .. math.random(1, products))
end

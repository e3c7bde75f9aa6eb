-- mixed: 80% GET /products/{id}, 20% POST /orders (quantity 1), random ids.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
function request()
   local id = math.random(1, products)
   if math.random(1, 10) <= 8 then
      return wrk.format("GET", "/products/" .. id)
   end
   return wrk.format("POST", "/orders", json_headers,
      '{"product_id":' .. id .. ',"quantity":1}')
end

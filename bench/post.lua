-- wrk script: POSTs a chat completion body. env: STREAM=1 streams; AUTH=key sends it as a bearer token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("AUTH") then wrk.headers["Authorization"] = "Bearer " .. os.getenv("AUTH") end
local stream = os.getenv("STREAM") == "1"
wrk.body = '{"model":"' .. (os.getenv("MODEL") or "bench") .. '","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16' .. (stream and ',"stream":true' or '') .. '}'
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end

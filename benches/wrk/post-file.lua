-- POSTs one fixed body, read once from $WRK_BODY, with $WRK_CONTENT_TYPE.
-- Used by benches/run.sh for report submissions (multipart) and log-ins;
-- wrk itself counts answers that are not 2xx/3xx, and run.sh fails on any.
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE")

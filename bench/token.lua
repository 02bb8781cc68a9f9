-- wrk script for POST /token: cycles through pre-built form bodies (one a line, each with its own
-- subject token), counts answers other than 200, and prints one machine-readable summary line.
--
--   wrk -t2 -c8 -d20s --latency -s bench/token.lua http://127.0.0.1:8080 -- bodies.txt 2 [proofs.txt]
--
-- Arguments after "--": the bodies file, and the number of wrk threads (-t), so that each thread
-- starts at its own place in the file. With a proofs file (DPoP, RFC 9449), each request carries the
-- next unused proof of its thread's share of the file (line i goes to thread i mod threads), and an
-- answer that is not a DPoP-bound token counts as an error; when a thread runs out of proofs it sends
-- no more requests with a proof, which shows as errors too.

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end

function init(args)
    local path = args[1] or error("usage: -- <bodies file> <threads>")
    local nthreads = tonumber(args[2]) or 1
    bodies = {}
    for line in io.lines(path) do
        if #line > 0 then
            bodies[#bodies + 1] = line
        end
    end
    if #bodies == 0 then
        error("no request bodies in " .. path)
    end
    index = ((id - 1) * math.floor(#bodies / nthreads)) % #bodies
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    proofs = nil
    if args[3] then
        proofs = {}
        local n = 0
        for line in io.lines(args[3]) do
            if n % nthreads == id - 1 and #line > 0 then
                proofs[#proofs + 1] = line
            end
            n = n + 1
        end
        proof = 0
    end
    non2xx = 0
    first_error = ""
end

function request()
    index = index % #bodies + 1
    if proofs then
        proof = proof + 1
        headers["DPoP"] = proofs[proof] or "no-proof-left"
    end
    return wrk.format("POST", "/token", headers, bodies[index])
end

function response(status, _, body)
    if status == 200 and proofs and not string.find(body or "", '"token_type":"DPoP"', 1, true) then
        status = 0
    end
    if status ~= 200 then
        non2xx = non2xx + 1
        if first_error == "" then
            first_error = status .. " " .. string.sub(body or "", 1, 300)
        end
    end
end

function done(summary, latency, _)
    local non, example = 0, ""
    for _, thread in ipairs(threads) do
        non = non + (thread:get("non2xx") or 0)
        local e = thread:get("first_error")
        if example == "" and e ~= nil then
            example = e
        end
    end
    local errors = summary.errors
    io.write(string.format(
        "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.max / 1000, non,
        errors.connect + errors.read + errors.write + errors.timeout))
    if example ~= "" then
        io.write("BENCH first non-200 answer: " .. example .. "\n")
    end
end

-- wrk: each request asks for one of the 10,000 files of bench/static.ts's tree
-- (/tree/00/0000.txt … /tree/99/9999.txt), uniformly at random. The requests
-- are formatted once per thread, in init(): wrk sets the Host header only
-- after the script is loaded, and the client's per-request cost stays small.
local requests = {}

function init(args)
  math.randomseed(os.time())
  for i = 0, 9999 do
    requests[i + 1] = wrk.format(nil, string.format("/tree/%02d/%04d.txt", math.floor(i / 100), i))
  end
end

function request()
  return requests[math.random(1, 10000)]
end

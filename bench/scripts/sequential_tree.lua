-- wrk: the warm-up of bench/static.ts's tree part. Each request asks for the
-- next of the 10,000 files (/tree/00/0000.txt … /tree/99/9999.txt) in order,
-- wrapping around, so one pass resolves every path once before the rounds.
local requests = {}
local next_index = 0

function init(args)
  for i = 0, 9999 do
    requests[i + 1] = wrk.format(nil, string.format("/tree/%02d/%04d.txt", math.floor(i / 100), i))
  end
end

function request()
  next_index = next_index % 10000 + 1
  return requests[next_index]
end

#!/usr/bin/env python3
"""Does POST /api/login take measurably longer for an existing user with a wrong password
than for a user name that does not exist? (issue 8: user enumeration by timing)

Used by login-timing.sh, which starts a release server that trusts X-Forwarded-For from
127.0.0.1 and creates the accounts `<prefix>0` ... `<prefix>N-1` with one password.

Sends the requests one at a time over one keep-alive TLS connection (no handshakes in the
timings), in a random interleaved order of three classes:
  unknown  a user name that was never created, each used once
  wrong    an existing account with a wrong password, at most 4 times per account
  correct  an existing account with its password: a reference that does real extra work
           (token, database write), so it should differ, by the response only
Each request carries its own X-Forwarded-For address, and no account sees more than 4
failures, so the login throttle (5 free failures per address and per account) never
answers instead of the password check. A 429 stops the run: its timings would be wrong.

The latency is from sending the request to reading the whole response, measured here on
loopback. Statistics use only the standard library: medians, means, p10/p90, the difference
of medians (unknown - wrong) with a percentile-bootstrap 95 % confidence interval, the
Mann-Whitney U test (normal approximation with tie correction) and the two-sample
Kolmogorov-Smirnov test (asymptotic p-value).

Verdict: PASS when the two classes do not differ significantly (Mann-Whitney p >= 0.05), or
when the whole 95 % interval of the median difference lies within +-MARGIN % of the
wrong-password median, so that any difference there is is too small to matter. Otherwise
FAIL. See --margin for why 2 % is the default.

    login_timing.py PORT CAFILE --accounts N [--prefix P] [--password PW] [--samples 300] ...
"""
import argparse, http.client, json, math, random, ssl, statistics, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("cafile")
parser.add_argument("--accounts", type=int, required=True, help="accounts <prefix>0 .. <prefix>N-1 exist")
parser.add_argument("--prefix", default="timing-user-")
parser.add_argument("--password", default="timing-benchmark-password")
parser.add_argument("--samples", type=int, default=300, help="measured requests per compared class")
parser.add_argument("--reference", type=int, default=60, help="measured correct-password logins")
parser.add_argument("--warmup", type=int, default=20, help="requests sent first and not measured")
parser.add_argument("--margin", type=float, default=2.0,
                    help="equivalence margin in percent of the wrong-password median. 2 %% of an "
                         "Argon2id verify (m=64 MiB, t=3) is a few ms: far below what a real leak "
                         "costs (skipping the hash is ~100 %%, a hash with t=2 instead of 3 is ~33 %%), "
                         "and about the noise a shared 2-core machine adds to the median")
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--note", default="", help="a line of context for the report")
args = parser.parse_args()

FAILURES_PER_ACCOUNT = 4  # the throttle blocks from the 5th failure on
rng = random.Random(args.seed)
needed_wrong = args.samples + args.warmup
if args.accounts * FAILURES_PER_ACCOUNT < needed_wrong:
    sys.exit(f"need at least {math.ceil(needed_wrong / FAILURES_PER_ACCOUNT)} accounts for {needed_wrong} wrong-password logins")


def plan():
    """(class, user, password) for every request, warm-up first, each part shuffled."""
    failures = {i: 0 for i in range(args.accounts)}

    def wrong():
        account = min(failures, key=lambda i: (failures[i], rng.random()))
        failures[account] += 1
        return ("wrong", f"{args.prefix}{account}", "not-the-password-" + rng.randbytes(6).hex())

    def unknown():
        return ("unknown", "nobody-" + rng.randbytes(8).hex(), "not-the-password-" + rng.randbytes(6).hex())

    def correct():
        return ("correct", f"{args.prefix}{rng.randrange(args.accounts)}", args.password)

    warm = [wrong() if i % 2 else unknown() for i in range(args.warmup)]
    measured = [unknown() for _ in range(args.samples)] + [wrong() for _ in range(args.samples)]
    measured += [correct() for _ in range(args.reference)]
    rng.shuffle(warm)
    rng.shuffle(measured)
    return warm, measured


context = ssl.create_default_context(cafile=args.cafile)
connection = http.client.HTTPSConnection("127.0.0.1", args.port, context=context)
address_counter = 0


def login(user, password):
    """One login on the keep-alive connection: (status, seconds)."""
    global connection, address_counter
    address_counter += 1
    forwarded = "10.{}.{}.{}".format((address_counter >> 16) & 255, (address_counter >> 8) & 255, address_counter & 255)
    body = json.dumps({"username": user, "password": password})
    headers = {"Content-Type": "application/json", "X-Forwarded-For": forwarded}
    for attempt in range(2):
        try:
            start = time.perf_counter()
            connection.request("POST", "/api/login", body, headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPSConnection("127.0.0.1", args.port, context=context)
            return response.status, elapsed
        except (http.client.HTTPException, OSError):
            # A dropped keep-alive connection: reconnect, then time a fresh attempt (the
            # handshake happens in connect(), outside the timing).
            connection.close()
            connection = http.client.HTTPSConnection("127.0.0.1", args.port, context=context)
            connection.connect()
    raise SystemExit("login request failed twice")


EXPECTED = {"unknown": 401, "wrong": 401, "correct": 200}
warm, measured = plan()
connection.connect()
for kind, user, password in warm:
    login(user, password)
samples = {"unknown": [], "wrong": [], "correct": []}
started = time.monotonic()
for kind, user, password in measured:
    status, seconds = login(user, password)
    if status == 429:
        raise SystemExit(f"throttled ({kind} login for {user}): the benchmark's own setup is wrong")
    if status != EXPECTED[kind]:
        raise SystemExit(f"{kind} login for {user} answered {status}, expected {EXPECTED[kind]}")
    samples[kind].append(seconds * 1000)
duration = time.monotonic() - started


# ---- statistics --------------------------------------------------------------------------

def percentile(values, p):
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bootstrap_median_difference(a, b, rounds=4000):
    """Percentile-bootstrap 95 % interval of median(a) - median(b)."""
    differences = sorted(
        statistics.median(rng.choices(a, k=len(a))) - statistics.median(rng.choices(b, k=len(b)))
        for _ in range(rounds)
    )
    return differences[int(0.025 * rounds)], differences[int(0.975 * rounds) - 1]


def normal_two_sided(z):
    return math.erfc(abs(z) / math.sqrt(2))


def mann_whitney(a, b):
    """Two-sided p-value of the Mann-Whitney U test, normal approximation with ties."""
    combined = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(combined)
    ties = 0.0
    i = 0
    while i < len(combined):
        j = i
        while j + 1 < len(combined) and combined[j + 1][0] == combined[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    rank_sum = sum(r for r, (_, group) in zip(ranks, combined) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return u, normal_two_sided(z)


def kolmogorov_smirnov(a, b):
    """Two-sample KS statistic D and its asymptotic two-sided p-value."""
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] == x:
            i += 1
        while j < len(b) and b[j] == x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    effective = len(a) * len(b) / (len(a) + len(b))
    lam = (math.sqrt(effective) + 0.12 + 0.11 / math.sqrt(effective)) * d
    p = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return d, min(1.0, max(0.0, p))


unknown, wrong, correct = samples["unknown"], samples["wrong"], samples["correct"]
difference = statistics.median(unknown) - statistics.median(wrong)
low, high = bootstrap_median_difference(unknown, wrong)
_, p_mw = mann_whitney(unknown, wrong)
d_ks, p_ks = kolmogorov_smirnov(unknown, wrong)
margin = statistics.median(wrong) * args.margin / 100
significant = p_mw < 0.05
within = -margin <= low and high <= margin
if not significant:
    verdict = f"PASS: no significant difference between unknown user and wrong password (Mann-Whitney p = {p_mw:.3f})"
    if not within:
        verdict += (f"; the 95 % interval [{low:+.2f}, {high:+.2f}] ms is wider than +-{margin:.2f} ms, so a "
                    f"difference that small cannot be ruled out on a machine this noisy")
elif within:
    verdict = (f"PASS: the difference is significant (p = {p_mw:.2g}) but its 95 % interval "
               f"[{low:+.2f}, {high:+.2f}] ms lies within +-{args.margin:g} % (+-{margin:.2f} ms)")
else:
    verdict = (f"FAIL: unknown users answer {difference:+.2f} ms ({difference / statistics.median(wrong) * 100:+.1f} %) "
               f"apart from wrong passwords, 95 % CI [{low:+.2f}, {high:+.2f}] ms, outside +-{margin:.2f} ms (p = {p_mw:.2g})")

print(f"{len(measured)} measured logins in {duration:.0f} s ({args.warmup} warm-up first), one keep-alive TLS connection")
if args.note:
    print(f"\n{args.note}")
print()
print("| class | n | median ms | mean ms | p10 ms | p90 ms | stdev ms |")
print("|---|---|---|---|---|---|---|")
for name, values in (("unknown user", unknown), ("wrong password", wrong), ("correct password (reference)", correct)):
    if values:
        print(f"| {name} | {len(values)} | {statistics.median(values):.2f} | {statistics.fmean(values):.2f} | "
              f"{percentile(values, 10):.2f} | {percentile(values, 90):.2f} | {statistics.stdev(values) if len(values) > 1 else 0:.2f} |")
print()
print("| unknown - wrong | value |")
print("|---|---|")
print(f"| difference of medians | {difference:+.2f} ms ({difference / statistics.median(wrong) * 100:+.2f} %) |")
print(f"| bootstrap 95 % CI | [{low:+.2f}, {high:+.2f}] ms |")
print(f"| equivalence margin | +-{margin:.2f} ms ({args.margin:g} % of the wrong-password median) |")
print(f"| Mann-Whitney U, two-sided p | {p_mw:.4g} |")
print(f"| Kolmogorov-Smirnov D, p | {d_ks:.3f}, {p_ks:.4g} |")
print()
print(verdict)
sys.exit(0 if verdict.startswith("PASS") else 1)

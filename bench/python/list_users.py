"""Lists every user with Okta's Python SDK (`okta` on PyPI), the way its README says.

    python list_users.py --url http://127.0.0.1:8080 --token TOKEN [--limit 200] --out ids.txt

Writes the ids, one per line in listing order, to --out and a last line
`BENCH import_s=... list_s=... sdk=...` on stderr. Exits 1 on any error.

How it is driven (okta 3.4.6): the README's "Pagination" section says
`async for user in paginate_all(okta_client.list_users_with_http_info, limit=200)` after
`from okta import paginate_all`. In 3.4.6 neither name exists as written: `paginate_all` lives
in `okta.pagination`, and the client has no `list_users_with_http_info`; its `list_users`
returns the `(data, response, error)` triple that `paginate_all` expects (response headers
included), so that is what is passed. `paginate_all` stops silently on an error, so the
method is wrapped to keep the error and fail loudly.

http:// to loopback needs OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true (set here if unset).
"""

import argparse
import asyncio
import os
import sys
import time

started = time.perf_counter()
os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

from importlib.metadata import version  # noqa: E402

from okta.client import Client as OktaClient  # noqa: E402
from okta.pagination import paginate_all  # noqa: E402

imported = time.perf_counter()


async def list_ids(url, token, limit):
    client = OktaClient({"orgUrl": url, "token": token})
    errors = []

    async def list_users(**kwargs):
        data, response, error = await client.list_users(**kwargs)
        if error is not None:
            errors.append(error)
        return data, response, error

    ids = [user.id async for user in paginate_all(list_users, limit=limit)]
    if errors:
        raise RuntimeError(f"list_users failed after {len(ids)} users: {errors[0]}")
    return ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    t0 = time.perf_counter()
    ids = asyncio.run(list_ids(args.url, args.token, args.limit))
    list_s = time.perf_counter() - t0
    with open(args.out, "w") as f:
        f.writelines(i + "\n" for i in ids)
    print(
        f"BENCH import_s={imported - started:.6f} list_s={list_s:.6f} users={len(ids)} "
        f"sdk=okta-{version('okta')} runtime=python-{sys.version.split()[0]}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print(f"list_users.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)

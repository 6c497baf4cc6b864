"""Container health check: exit 0 when this replica's /healthz answers 200.

Run inside the web container (docker compose `healthcheck`). It asks with the first
ALLOWED_HOSTS name as Host, so Django's host validation accepts it, and over plain HTTP
(/healthz is exempt from the HTTPS redirect). Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request

port = os.environ.get("PORT", "8000")
host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError as error:
    print(f"unhealthy: {error.code} {error.read()[:200].decode(errors='replace')}")
    sys.exit(1)
except OSError as error:
    print(f"unreachable: {error}")
    sys.exit(1)

"""The served app freezes what start-up built and collects its youngest
generation less often (graphql_api/server/gc_tuning.py). In a child process, since
it changes the interpreter's collector for good."""

import os
import subprocess
import sys

from graphql_api.server.gc_tuning import YOUNG_GENERATION_THRESHOLD

from .conftest import ROOT

PROBE = """
import gc
from graphql_api.server.app import app_from_environment
before = gc.get_freeze_count()
app_from_environment()
print(before, gc.get_freeze_count(), gc.get_threshold()[0])
"""


def test_the_served_app_tunes_the_collector(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, frozen, threshold = map(int, out.stdout.split())
    assert before == 0 and frozen > 10_000  # the schema, the mappers, the modules
    assert threshold == YOUNG_GENERATION_THRESHOLD

"""Property-based fuzzing of the whole OpenAPI schema with schemathesis: no 5xx, answers match the schema.

Bounded in examples per operation so the suite stays short; hypothesis keeps no database between runs.
Run alone: `.venv/bin/python -m pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance

from api.app import create_app

pytestmark = pytest.mark.fuzz

# Loaded at collection: schemathesis parametrizes from the schema before fixtures exist. The app reads
# the data folder and cache from the usual settings, like `make run`.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=12, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_schema(case):
    # Which years, indicators and zooms exist depends on the data, which a schema cannot say; those
    # requests get a clear 400/404 naming the valid choices, which the other checks still verify.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])

"""Median time to score one full assessment with the pure engine (target: under 2 ms).

DEBUG=1 .venv/bin/python bench/engine.py
"""

from __future__ import annotations

import statistics
import time

from _setup import full_assessment

from scorecard import engine, readiness
from scorecard.scoring import answers_for, framework_for, market_defs, profile_for

assessment, _ = full_assessment()
framework, _questions = framework_for(assessment.framework_version)
profile = profile_for(assessment)
answers = answers_for(assessment)
markets = market_defs(assessment.framework_version, list(assessment.target_markets))

timings = []
for _ in range(500):
    start = time.perf_counter()
    scored = engine.score_assessment(framework, profile, answers)
    readiness.readiness_report(scored, markets)
    timings.append(time.perf_counter() - start)

print(f"questions scored per run: {scored.applicable} (GenAI on, {len(markets)} markets)")
print(f"engine + readiness, median of {len(timings)}: {statistics.median(timings) * 1000:.3f} ms")
print(f"p95: {sorted(timings)[int(len(timings) * 0.95)] * 1000:.3f} ms   target: < 2 ms")

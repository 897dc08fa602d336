"""Converts Sigma rules to KQL with pySigma's Kusto backend and the Sentinel ASIM pipeline: the
peer of `quarry convert --target kql --pipeline sentinel-asim`. The whole process is what the bench
times (interpreter start, imports, YAML loading, conversion, writing), as a user of pySigma pays it.

Usage: python3 pysigma-convert.py RULES_DIR…   (run with PYTHONPATH=bench/peers/vendor/site)
Prints the queries to stdout and one summary line to stderr: `pysigma: N rules, C converted, F failed`.
"""
import sys

from sigma.backends.kusto import KustoBackend
from sigma.collection import SigmaCollection
from sigma.pipelines.sentinelasim import sentinel_asim_pipeline

# collect_errors: a rule pySigma cannot load or convert is counted, not fatal, as Quarry counts its own.
rules = SigmaCollection.load_ruleset(sys.argv[1:], collect_errors=True)
backend = KustoBackend(processing_pipeline=sentinel_asim_pipeline(), collect_errors=True)
# backend.convert() stops at the first error outside pySigma's own error classes (a field reference
# the Kusto backend does not implement raises NotImplementedError): convert rule by rule instead,
# the same calls convert() makes, so one such rule is counted as failed and the rest go on.
rules.resolve_rule_references()
queries = []
failed = 0
for rule in rules.rules:
    try:
        queries.extend(backend.convert_rule(rule, backend.default_format))
    except Exception:  # noqa: BLE001 - any failure of one rule is that rule's failure
        failed += 1
queries = backend.finalize(queries, backend.default_format)
out = sys.stdout
for q in queries:
    out.write(str(q))
    out.write("\n")
failed += len(backend.errors)
print(f"pysigma: {len(rules.rules)} rules, {len(rules.rules) - failed} converted, {failed} failed", file=sys.stderr)

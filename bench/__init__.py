"""Benchmark of the REST API: DynamoDB requests per operation and overhead over raw boto3.

Run ``python -m bench`` (or ``make bench``) from the repository root; results go to
``bench/results.json``. See ``bench/__main__.py`` for the flow and options.
"""

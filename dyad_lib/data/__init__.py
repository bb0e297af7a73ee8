"""Data: the contract, reading a practice folder, validating it, and the validated snapshot.

Owns the data contract (`contract`), where folders are (`paths`), reading every export variant
into typed frames (`load`), the Great Expectations suites (`suites`) and the validation that runs
them (`validation`), the input fingerprint (`fingerprint`), the Arrow snapshot the reports read
(`snapshot`) and the empty practice folder of `dyad new` (`scaffold`).
May import `dyad_lib.fmt`; nothing above it (no metrics, goals, reports or pipeline).
"""

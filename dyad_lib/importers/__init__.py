"""Importers: a practice's data straight from its practice-management system, written as a delivery.

One module per source system. An importer reads its source read-only and writes the contract's
tables into a practice folder (then the usual load → validate → snapshot path takes over); it
never bypasses validation. May import `dyad_lib.fmt` and `dyad_lib.data`; nothing above.
"""

"""dyad: analytics and reports for the doctor–manager partnership of a practice."""

__version__ = "0.1.0"

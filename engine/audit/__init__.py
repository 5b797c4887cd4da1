"""The audit trail: every evaluation recorded in an append-only, hash-chained SQLite store."""

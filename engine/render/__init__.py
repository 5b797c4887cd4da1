"""Renderings of a decision: views over the trace, never new reasoning."""

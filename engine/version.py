"""The engine's version, recorded in every decision and audit record."""
__version__ = "0.1.0"

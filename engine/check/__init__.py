"""Checks of a ruleset (and its letter wording) beyond field validation: every problem at once, located in
the file. The loader runs them, so durable-rules never sees an unchecked rule."""

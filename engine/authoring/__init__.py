"""For rule authors: checking ruleset files, rule test cases and their coverage, the measures a ruleset offers, JSON Schemas."""

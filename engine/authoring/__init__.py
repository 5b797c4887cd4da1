"""For rule authors: checking ruleset files, rule test cases and their coverage, JSON Schemas."""

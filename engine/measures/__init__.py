"""Deriving the measures a ruleset reads from profiles (pandas). Names and meanings: engine.model.measures."""

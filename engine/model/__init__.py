"""The domain's records and vocabulary: profiles, rulesets, catalogues, measures' names, conditions, the
decision and its trace, and how each is worded. No I/O and no pandas here."""

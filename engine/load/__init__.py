"""Loading: profile, ruleset, catalogue, judgement and letter files -> validated models, every problem
located in its file. A ruleset is checked (engine.check) as it is loaded."""

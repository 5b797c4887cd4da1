"""Checks beyond field validation, every problem at once, located in the file: of a ruleset (and its letter
wording), so durable-rules never sees an unchecked rule, and of a profile's dates against each other and its year
(``dates``). The loader runs them."""

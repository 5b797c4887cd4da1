"""Inference: the rules compiled for durable-rules and the same compiled tests evaluated in plain Python
(``compiled``: each condition resolved once, one meaning of when it holds), the bounds and traps of
durable-rules 2.0.28 that ``rules check`` enforces (``limits``; the measurements are in
engine/inference/NOTES.md), and the adapter (``adapter``), the only module that imports ``durable``. This
package's ``__init__`` imports nothing, so checking a ruleset never loads durable-rules."""

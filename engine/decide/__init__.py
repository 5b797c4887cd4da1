"""Evaluation: the rules compiled to durable-rules (the only importer of ``durable`` is the adapter,
engine.inference.adapter), fired rules combined by hit policy, limits in order, judgement."""

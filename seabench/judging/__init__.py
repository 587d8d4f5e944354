"""Stage 2: judgments — LLM judges, checks without an LLM, human ratings."""

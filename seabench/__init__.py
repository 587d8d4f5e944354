"""seabench: evaluate chat models on Sea-bench across Southeast-Asian languages."""

__version__ = "0.1.0"

"""Other tools' files in and out of the store (FastChat's llm_judge folders)."""

"""Formatting only: every view here renders records that earlier stages computed."""

"""Pages of the community front door: report a concern, track it, anonymous tips, staff triage."""

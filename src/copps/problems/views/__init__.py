"""Staff pages of the problem-solving workspace, one module per part of the work."""

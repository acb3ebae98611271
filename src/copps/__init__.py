"""copps: Community Oriented Policing and Problem Solving."""

__version__ = "0.1.0"
